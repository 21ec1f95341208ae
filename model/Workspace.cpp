#include "Workspace.h"

#include "BackgroundWriteback.h"
#include "SqliteDatabase.h"
#include "WorkspaceSchema.h"

#include <QDateTime>
#include <QFile>
#include <QDir>
#include <QFileInfo>
#include <QHash>

#include <nlohmann/json.hpp>

namespace chainsight {
namespace {

QString jsonArray(const QStringList &values)
{
    nlohmann::json array = nlohmann::json::array();
    for (const QString &value : values)
        array.push_back(value.toStdString());
    return QString::fromStdString(array.dump());
}

QStringList stringListFromJson(const QString &text)
{
    QStringList values;
    if (text.isEmpty())
        return values;
    const auto parsed = nlohmann::json::parse(text.toStdString(), nullptr, false);
    if (!parsed.is_array())
        return values;
    for (const auto &item : parsed) {
        if (item.is_string())
            values.push_back(QString::fromStdString(item.get<std::string>()));
    }
    return values;
}

QString emptyToNull(const QString &text)
{
    return text.isEmpty() ? QString() : text;
}

enum class FileCheck { Missing, Empty, NotSqlite, Sqlite };

FileCheck checkFileHeader(const QString &path)
{
    QFile file(path);
    if (!file.exists())
        return FileCheck::Missing;
    if (!file.open(QIODevice::ReadOnly))
        return FileCheck::NotSqlite;
    const QByteArray header = file.read(16);
    if (header.isEmpty())
        return FileCheck::Empty;
    return header == QByteArrayView("SQLite format 3\0", 16) ? FileCheck::Sqlite : FileCheck::NotSqlite;
}

QString nowUtc()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
}

constexpr const char *sourceColumns = "SELECT id, path, size, sha256, format, imported_at, record_count, error_count, "
                                      "warning_count, head_sha256 FROM sources";

SourceInfo sourceFromRow(const SqliteStatement &row)
{
    SourceInfo source;
    source.id = row.int64(0);
    source.path = row.text(1);
    source.size = row.int64(2);
    source.sha256 = row.text(3).toLatin1();
    source.format = row.text(4);
    source.importedAt = row.text(5);
    source.records = row.int64(6);
    source.errors = row.int64(7);
    source.warnings = row.int64(8);
    source.headSha256 = row.text(9).toLatin1();
    return source;
}

// Runs a read query; a store error becomes nullopt with *error set, never an exception past the API.
template<typename Query>
auto guardedQuery(QString *error, Query query) -> std::optional<decltype(query())>
{
    try {
        return query();
    } catch (const SqliteError &e) {
        if (error)
            *error = e.message();
        return std::nullopt;
    }
}

// Triggers and views run code on every read or write, so a workspace may hold only the ones Chainsight creates.
const QHash<QString, QString> &createdSchemaCode()
{
    static const QHash<QString, QString> created = [] {
        QHash<QString, QString> objects;
        auto fresh = SqliteDatabase::openInMemory();
        WorkspaceSchema::migrate(*fresh);
        SqliteStatement rows(*fresh, "SELECT type || ' ' || name, sql FROM sqlite_master WHERE type IN ('trigger', 'view')");
        while (rows.step())
            objects.insert(rows.text(0), rows.text(1));
        return objects;
    }();
    return created;
}

// The first trigger or view Chainsight did not create, or (at the current schema) one whose code was rewritten.
QString foreignSchemaCode(SqliteDatabase &db, bool currentSchema)
{
    const QHash<QString, QString> &created = createdSchemaCode();
    SqliteStatement rows(db, "SELECT type || ' ' || name, sql FROM sqlite_master WHERE type IN ('trigger', 'view') ORDER BY name");
    while (rows.step()) {
        const QString object = rows.text(0);
        const auto known = created.constFind(object);
        if (known == created.cend() || (currentSchema && *known != rows.text(1)))
            return object;
    }
    return {};
}

} // namespace

Workspace::Workspace(QString path, std::unique_ptr<SqliteDatabase> db, bool readOnly)
    : m_path(std::move(path))
    , m_db(std::move(db))
    , m_readOnly(readOnly)
{
}

Workspace::~Workspace() = default;

namespace {

// The tables that grow with the imported records; everything else stays small.
bool isBulkTable(const QString &name)
{
    static const QStringList bulk = {QStringLiteral("events"),          QStringLiteral("delegation_edges"),
                                     QStringLiteral("findings"),        QStringLiteral("chains"),
                                     QStringLiteral("chain_sets"),      QStringLiteral("simulation_results"),
                                     QStringLiteral("tool_arguments"),  QStringLiteral("source_diagnostics")};
    return bulk.contains(name);
}

// "ok", or the first problems SQLite's quick_check finds (each table with its indexes).
QString integrityProblems(SqliteDatabase &db, bool bulkTablesToo)
{
    if (bulkTablesToo)
        return db.queryText("PRAGMA quick_check(20)");
    QStringList tables;
    SqliteStatement names(db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
    while (names.step())
        tables.push_back(names.text(0));
    QStringList problems;
    for (const QString &table : std::as_const(tables)) {
        if (isBulkTable(table))
            continue;
        // Quoted as an identifier: the name comes from the file, which may not be one Chainsight wrote.
        const std::string quoted = '"' + QString(table).replace(QLatin1Char('"'), QLatin1String("\"\"")).toStdString() + '"';
        SqliteStatement check(db, "PRAGMA quick_check(" + quoted + ")");
        while (check.step() && problems.size() < 20) {
            if (const QString row = check.text(0); row != QLatin1String("ok"))
                problems.push_back(row);
        }
    }
    return problems.isEmpty() ? QStringLiteral("ok") : problems.join(QLatin1Char('\n'));
}

} // namespace

QString Workspace::checkIntegrity(QString *error) const
{
    return guardedQuery(error, [this] { return integrityProblems(*m_db, /*bulkTablesToo=*/true); }).value_or(QString());
}

std::unique_ptr<Workspace> Workspace::open(const QString &path, OpenMode mode, QString *error)
{
    auto setError = [&](const QString &message) {
        if (error)
            *error = message;
        return nullptr;
    };
    const FileCheck check = checkFileHeader(path);
    if (check == FileCheck::Missing && mode != OpenMode::CreateIfMissing)
        return setError(QStringLiteral("%1: no such workspace").arg(path));
    if (check == FileCheck::Empty)
        return setError(QStringLiteral("%1: the file is empty; it is not a Chainsight workspace").arg(path));
    if (check == FileCheck::NotSqlite)
        return setError(QStringLiteral("%1: not a Chainsight workspace (the file is not an SQLite database)").arg(path));

    const bool creating = check == FileCheck::Missing;
    if (creating) {
        const QFileInfo info(path);
        if (!info.absoluteDir().exists())
            return setError(QStringLiteral("%1: the folder %2 does not exist").arg(path, info.absolutePath()));
    }
    QString openError;
    const auto sqliteMode = mode == OpenMode::ReadOnly ? SqliteDatabase::OpenMode::ReadOnly
                            : creating                 ? SqliteDatabase::OpenMode::ReadWriteCreate
                                                       : SqliteDatabase::OpenMode::ReadWrite;
    auto db = SqliteDatabase::open(path, sqliteMode, &openError);
    if (!db)
        return setError(QStringLiteral("%1: cannot open the workspace: %2").arg(path, openError));

    try {
        if (!creating) {
            // Checks first, before anything (WAL, migrations) could write to a file we may reject.
            const qint64 appId = db->queryInt64("PRAGMA application_id");
            const qint64 version = db->queryInt64("PRAGMA user_version");
            if (appId != WorkspaceSchema::applicationId) {
                return setError(QStringLiteral("%1: not a Chainsight workspace (an SQLite database of another "
                                               "application)").arg(path));
            }
            if (version > WorkspaceSchema::currentVersion()) {
                return setError(QStringLiteral("%1: the workspace was written by a newer Chainsight (schema %2; "
                                               "this version reads up to schema %3). Nothing was changed.")
                                    .arg(path)
                                    .arg(version)
                                    .arg(WorkspaceSchema::currentVersion()));
            }
            if (const QString foreign = foreignSchemaCode(*db, version == WorkspaceSchema::currentVersion()); !foreign.isEmpty()) {
                return setError(QStringLiteral("%1: the workspace holds a %2 that Chainsight never creates; it was changed "
                                               "outside Chainsight, and that code would run on every use. Nothing was changed.")
                                    .arg(path, foreign));
            }
            // The schema and the small tables are checked at every open. The bulk tables are not: quick_check reads
            // every page, about 4 s on five million events; damage there shows as a "malformed" error when they
            // are read (SQLite never crashes on it), and checkIntegrity() (`info --check`) covers everything.
            const QString integrity = integrityProblems(*db, /*bulkTablesToo=*/false);
            if (integrity != QLatin1String("ok")) {
                return setError(QStringLiteral("%1: the workspace is corrupt (integrity check: %2). Nothing was "
                                               "changed.").arg(path, integrity.left(400)));
            }
            if (mode == OpenMode::ReadOnly && version < WorkspaceSchema::currentVersion()) {
                return setError(QStringLiteral("%1: the workspace uses schema %2 and must be upgraded; open it "
                                               "read-write once").arg(path).arg(version));
            }
        }
        db->execute("PRAGMA foreign_keys = ON");
        // Reads of a large workspace come straight from the page cache instead of being copied per page;
        // 256 MB because every mapped page a query touches counts in the process's resident memory.
        db->execute("PRAGMA mmap_size = 268435456");
        // 64 KB pages: fewer B-tree splits for the append-heavy event table, and a quarter of the write calls a
        // bulk import and its checkpoint make with 16 KB (0.36 s instead of 0.53 s to commit a million spans).
        // Fixed once WAL is on; workspaces made with smaller pages keep them.
        if (creating)
            db->execute("PRAGMA page_size = 65536");
        if (mode != OpenMode::ReadOnly) {
            // WAL: readers (the GUI) never block the importer, and a killed process leaves the last commit intact.
            db->execute("PRAGMA journal_mode = WAL");
            db->execute("PRAGMA synchronous = NORMAL");
            // 64 MB of page cache for the analysis and the views; an import runs with less (WorkspaceWriter).
            db->execute("PRAGMA cache_size = -65536");
            WorkspaceSchema::migrate(*db);
        }
    } catch (const SqliteError &e) {
        if (creating) {
            db.reset();
            QFile::remove(path);
        }
        const bool notDatabase = (e.code() & 0xff) == 26 /* SQLITE_NOTADB */ || (e.code() & 0xff) == 11 /* CORRUPT */;
        return setError(notDatabase ? QStringLiteral("%1: the workspace is corrupt (%2). Nothing was changed.")
                                          .arg(path, e.message())
                                    : QStringLiteral("%1: cannot open the workspace: %2").arg(path, e.message()));
    }
    return std::unique_ptr<Workspace>(new Workspace(path, std::move(db), mode == OpenMode::ReadOnly));
}

int Workspace::schemaVersion() const
{
    return static_cast<int>(m_db->queryInt64("PRAGMA user_version"));
}

std::optional<WorkspaceInfo> Workspace::info(QString *error) const
{
    return guardedQuery(error, [&] {
        WorkspaceInfo info;
        info.schemaVersion = schemaVersion();
        SqliteStatement sources(*m_db, sourceColumns + std::string(" ORDER BY id"));
        while (sources.step())
            info.sources.push_back(sourceFromRow(sources));
        SqliteStatement kinds(*m_db, "SELECT kind, count(*) FROM identities GROUP BY kind");
        while (kinds.step()) {
            const QString kind = kinds.text(0);
            const qint64 count = kinds.int64(1);
            if (kind == QLatin1String("human"))
                info.counts.humans = count;
            else if (kind == QLatin1String("agent"))
                info.counts.agents = count;
            else if (kind == QLatin1String("tool"))
                info.counts.tools = count;
            else if (kind == QLatin1String("shadow"))
                info.counts.shadows = count;
        }
        info.counts.credentials = m_db->queryInt64("SELECT count(*) FROM credentials");
        info.counts.aliases = m_db->queryInt64("SELECT count(*) FROM aliases");
        info.counts.events = m_db->queryInt64("SELECT count(*) FROM events");
        info.counts.edges = m_db->queryInt64("SELECT count(*) FROM delegation_edges");
        info.counts.findings = m_db->queryInt64("SELECT count(*) FROM findings");
        return info;
    });
}

std::optional<QList<AgentSummary>> Workspace::agents(QString *error) const
{
    return guardedQuery(error, [&] {
        QList<AgentSummary> agents;
        QHash<qint64, qsizetype> rowOfIdentity;
        SqliteStatement rows(*m_db, "SELECT id, external_id, display_name, role, owner, purpose, intents, "
                                    "may_delegate_to, max_delegation_depth, extra FROM identities "
                                    "WHERE kind = 'agent' ORDER BY external_id");
        while (rows.step()) {
            AgentSummary agent;
            agent.id = rows.text(1);
            agent.name = rows.text(2);
            agent.role = rows.text(3);
            agent.owner = rows.text(4);
            agent.purpose = rows.text(5);
            agent.intents = stringListFromJson(rows.text(6));
            agent.mayDelegateTo = stringListFromJson(rows.text(7));
            if (const auto depth = rows.optionalInt64(8))
                agent.maxDelegationDepth = static_cast<int>(*depth);
            agent.extraJson = rows.text(9);
            rowOfIdentity.insert(rows.int64(0), agents.size());
            agents.push_back(agent);
        }
        SqliteStatement credentials(*m_db, "SELECT c.identity_id, c.type, c.credential_id, c.scopes, c.created, "
                                           "c.last_rotated, c.expires, c.extra FROM credentials c "
                                           "JOIN identities i ON i.id = c.identity_id WHERE i.kind = 'agent' "
                                           "ORDER BY c.id");
        while (credentials.step()) {
            const auto row = rowOfIdentity.value(credentials.int64(0), -1);
            if (row < 0)
                continue;
            CredentialRecord credential;
            credential.type = credentials.text(1);
            credential.id = credentials.text(2);
            credential.scopes = stringListFromJson(credentials.text(3));
            credential.created = credentials.text(4);
            credential.lastRotated = credentials.text(5);
            credential.expires = credentials.text(6);
            credential.expiresNever = credential.expires.isEmpty();
            credential.extraJson = credentials.text(7);
            agents[row].credentials.push_back(credential);
        }
        return agents;
    });
}

std::optional<QList<IdentitySummary>> Workspace::identities(QString *error) const
{
    return guardedQuery(error, [&] {
        QList<IdentitySummary> identities;
        QHash<qint64, qsizetype> rowOfIdentity;
        SqliteStatement rows(*m_db, "SELECT id, kind, external_id, display_name, role, owner FROM identities "
                                    "ORDER BY CASE kind WHEN 'shadow' THEN 0 WHEN 'agent' THEN 1 WHEN 'human' THEN 2 ELSE 3 END, "
                                    "external_id");
        while (rows.step()) {
            IdentitySummary identity;
            identity.kind = rows.text(1);
            identity.id = rows.text(2);
            identity.name = rows.text(3);
            identity.role = rows.text(4);
            identity.owner = rows.text(5);
            rowOfIdentity.insert(rows.int64(0), identities.size());
            identities.push_back(identity);
        }
        SqliteStatement aliases(*m_db, "SELECT identity_id, alias_type, namespace, alias FROM aliases ORDER BY alias_type, alias");
        while (aliases.step()) {
            const auto row = rowOfIdentity.value(aliases.int64(0), -1);
            if (row < 0)
                continue;
            const QString ns = aliases.text(2);
            identities[row].aliases.push_back(aliases.text(1) + QLatin1Char(':') + (ns.isEmpty() ? QString() : ns + QLatin1Char('/'))
                                              + aliases.text(3));
        }
        // One pass over the events, grouped: no per-identity query.
        SqliteStatement seen(*m_db, "SELECT actor_identity_id, protocol, count(*), min(time_ms), max(time_ms) FROM events "
                                    "WHERE actor_identity_id IS NOT NULL GROUP BY actor_identity_id, protocol ORDER BY protocol");
        while (seen.step()) {
            const auto row = rowOfIdentity.value(seen.int64(0), -1);
            if (row < 0)
                continue;
            IdentitySummary &identity = identities[row];
            identity.protocols.push_back(seen.text(1));
            identity.events += seen.int64(2);
            if (const auto first = seen.optionalInt64(3))
                identity.firstSeenMs = identity.firstSeenMs ? std::min(*identity.firstSeenMs, *first) : *first;
            if (const auto last = seen.optionalInt64(4))
                identity.lastSeenMs = identity.lastSeenMs ? std::max(*identity.lastSeenMs, *last) : *last;
        }
        return identities;
    });
}

std::optional<SourceInfo> Workspace::sourceBySha256(const QByteArray &sha256, QString *error) const
{
    const auto found = guardedQuery(error, [&] {
        SqliteStatement statement(*m_db, sourceColumns + std::string(" WHERE sha256 = ?"));
        statement.bind(1, QString::fromLatin1(sha256));
        return statement.step() ? std::optional<SourceInfo>(sourceFromRow(statement)) : std::nullopt;
    });
    return found ? *found : std::nullopt;
}

bool Workspace::hasSourceLike(qint64 size, const QByteArray &headSha256) const
{
    try {
        // Sources imported before head digests existed have none: treat them as possible matches.
        SqliteStatement statement(*m_db, "SELECT 1 FROM sources WHERE size = ? AND (head_sha256 = ? OR head_sha256 IS NULL) LIMIT 1");
        statement.bind(1, size).bind(2, QString::fromLatin1(headSha256));
        return statement.step();
    } catch (const SqliteError &) {
        return true; // unsure: the caller then hashes the whole file first
    }
}

std::optional<Diagnostics> Workspace::sourceDiagnostics(qint64 sourceId, QString *error) const
{
    return guardedQuery(error, [&] {
        Diagnostics diagnostics;
        SqliteStatement statement(*m_db, "SELECT d.severity, d.line, d.col, d.message, s.path FROM source_diagnostics d "
                                         "JOIN sources s ON s.id = d.source_id WHERE d.source_id = ? ORDER BY d.id");
        statement.bind(1, sourceId);
        while (statement.step()) {
            Diagnostic diagnostic;
            const QString severity = statement.text(0);
            diagnostic.severity = severity == QLatin1String("warning") ? Severity::Warning
                                  : severity == QLatin1String("note")  ? Severity::Note
                                                                       : Severity::Error;
            diagnostic.position = {statement.int64(1), statement.int64(2)};
            diagnostic.message = statement.text(3);
            diagnostic.file = statement.text(4);
            diagnostics.push_back(diagnostic);
        }
        return diagnostics;
    });
}

struct WorkspaceWriter::Statements
{
    explicit Statements(SqliteDatabase &db)
        : insertSource(db, "INSERT INTO sources (path, size, sha256, format, imported_at, import_options, head_sha256) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?)")
        , updateSourceDigest(db, "UPDATE sources SET sha256 = ? WHERE id = ?")
        , finishSource(db, "UPDATE sources SET record_count = ?, error_count = ?, warning_count = ? WHERE id = ?")
        , insertDiagnostic(db, "INSERT INTO source_diagnostics (source_id, severity, line, col, message) "
                               "VALUES (?, ?, ?, ?, ?)")
        , upsertHuman(db, "INSERT INTO identities (kind, external_id, display_name, department, extra, source_id) "
                          "VALUES ('human', ?1, ?2, ?3, ?4, ?5) ON CONFLICT (kind, external_id) DO UPDATE SET "
                          "display_name = excluded.display_name, department = excluded.department, "
                          "extra = excluded.extra, source_id = excluded.source_id RETURNING id")
        , upsertAgent(db, "INSERT INTO identities (kind, external_id, display_name, role, owner, purpose, intents, "
                          "may_delegate_to, max_delegation_depth, extra, source_id) "
                          "VALUES ('agent', ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
                          "ON CONFLICT (kind, external_id) DO UPDATE SET display_name = excluded.display_name, "
                          "role = excluded.role, owner = excluded.owner, purpose = excluded.purpose, "
                          "intents = excluded.intents, may_delegate_to = excluded.may_delegate_to, "
                          "max_delegation_depth = excluded.max_delegation_depth, extra = excluded.extra, "
                          "source_id = excluded.source_id RETURNING id")
        , upsertTool(db, "INSERT INTO identities (kind, external_id, display_name, server, sensitivity, category, "
                         "extra, source_id) VALUES ('tool', ?1, ?2, ?3, ?4, ?5, ?6, ?7) "
                         "ON CONFLICT (kind, external_id) DO UPDATE SET display_name = excluded.display_name, "
                         "server = excluded.server, sensitivity = excluded.sensitivity, category = excluded.category, "
                         "extra = excluded.extra, source_id = excluded.source_id RETURNING id")
        , upsertCredential(db, "INSERT INTO credentials (identity_id, type, credential_id, namespace, scopes, created, "
                               "last_rotated, expires, extra, source_id) VALUES (?1, ?2, ?3, '', ?4, ?5, ?6, ?7, ?8, ?9) "
                               "ON CONFLICT (identity_id, type, namespace, credential_id) DO UPDATE SET "
                               "scopes = excluded.scopes, created = excluded.created, "
                               "last_rotated = excluded.last_rotated, expires = excluded.expires, "
                               "extra = excluded.extra, source_id = excluded.source_id")
        , insertAlias(db, "INSERT OR IGNORE INTO aliases (alias_type, namespace, alias, identity_id, source_id) "
                          "VALUES (?, '', ?, ?, ?)")
        , insertNamespacedAlias(db, "INSERT OR IGNORE INTO aliases (alias_type, namespace, alias, identity_id, source_id) "
                                    "VALUES (?, ?, ?, ?, ?)")
        , findAlias(db, "SELECT identity_id FROM aliases WHERE alias = ?1 AND alias_type IN (?2, ?3, ?4) "
                        "AND (namespace = ?5 OR namespace = '' OR ?5 = '') ORDER BY (namespace = ?5) DESC, identity_id LIMIT 1")
        , findIdentity(db, "SELECT id FROM identities WHERE kind = ?1 AND external_id = ?2")
        , insertIdentity(db, "INSERT INTO identities (kind, external_id, source_id) VALUES (?1, ?2, ?3) "
                             "ON CONFLICT (kind, external_id) DO UPDATE SET kind = excluded.kind RETURNING id")
        , insertEvent(db, "INSERT INTO events (source_id, line, time_ms, protocol, kind, actor_identity_id, actor_alias, "
                          "originator, action, resource, scopes, outcome, trace_id, span_id, parent_span_id, session_id, "
                          "token_id, access_key, tool_call_id, correlation_id, attributes, raw_offset, raw_length, raw) "
                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, "
                          "?20, ?21, ?22, ?23, ?24)")
        , insertToolArguments(db, "INSERT INTO tool_arguments (event_id, arguments) VALUES (?1, ?2)")
        , insertEdge(db, "INSERT INTO delegation_edges (source_id, event_id, delegator_identity_id, delegator_alias, "
                         "delegate_identity_id, delegate_alias, protocol, scopes, time_ms, link_kind, confidence, trace_id) "
                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)")
    {
    }

    SqliteStatement insertSource;
    SqliteStatement updateSourceDigest;
    SqliteStatement finishSource;
    SqliteStatement insertDiagnostic;
    SqliteStatement upsertHuman;
    SqliteStatement upsertAgent;
    SqliteStatement upsertTool;
    SqliteStatement upsertCredential;
    SqliteStatement insertAlias;
    SqliteStatement insertNamespacedAlias;
    SqliteStatement findAlias;
    SqliteStatement findIdentity;
    SqliteStatement insertIdentity;
    SqliteStatement insertEvent;
    std::uint32_t eventColumnsBoundNull = 0; // bit n: parameter n of insertEvent holds NULL
    SqliteStatement insertToolArguments;
    SqliteStatement insertEdge;
};

WorkspaceWriter::WorkspaceWriter(Workspace &workspace, const std::atomic_bool *cancel)
    : m_workspace(workspace)
{
    if (workspace.isReadOnly())
        throw SqliteError(8 /* SQLITE_READONLY */, QStringLiteral("the workspace is open read-only"));
    workspace.database().setCancelFlag(cancel);
    // Every id the writer stores comes from a row it wrote or looked up in this transaction, so the
    // per-row foreign-key probes (two B-tree lookups per event) buy nothing during a bulk import.
    // The pragma is a no-op inside a transaction, hence before it; the destructor turns them back on.
    workspace.database().execute("PRAGMA foreign_keys = OFF");
    // A smaller page cache while importing: dirty pages go to the log as the import runs, where the commit
    // would otherwise write the last 64 MB of them in one go (0.26 s -> 0.23 s to commit a million spans).
    workspace.database().execute("PRAGMA cache_size = -16384");
    m_transaction = std::make_unique<SqliteTransaction>(workspace.database());
    m_statements = std::make_unique<Statements>(workspace.database());
    // The commit's fsyncs of the log and, after the checkpoint, of the file find the bytes already written.
    m_writeback = std::make_unique<BackgroundWriteback>(QStringList{workspace.path() + QStringLiteral("-wal"), workspace.path()});
}

WorkspaceWriter::~WorkspaceWriter()
{
    m_statements.reset();
    m_transaction.reset();
    m_workspace.database().setCancelFlag(nullptr);
    try {
        m_workspace.database().execute("PRAGMA foreign_keys = ON");
        m_workspace.database().execute("PRAGMA cache_size = -65536");
    } catch (const SqliteError &) {
        // A closing or failed database: the next open turns them on again.
    }
}

qint64 WorkspaceWriter::addSource(const SourceInfo &source)
{
    auto &statement = m_statements->insertSource;
    statement.bind(1, source.path)
        .bind(2, source.size)
        .bind(3, QString::fromLatin1(source.sha256))
        .bind(4, source.format)
        .bind(5, source.importedAt.isEmpty() ? nowUtc() : source.importedAt)
        .bindNull(6)
        .bind(7, source.headSha256.isEmpty() ? QString() : QString::fromLatin1(source.headSha256));
    statement.run();
    return m_workspace.database().lastInsertRowId();
}

void WorkspaceWriter::setSourceDigest(qint64 sourceId, const QByteArray &sha256)
{
    m_statements->updateSourceDigest.bind(1, QString::fromLatin1(sha256)).bind(2, sourceId);
    m_statements->updateSourceDigest.run();
}

void WorkspaceWriter::finishSource(qint64 sourceId, qint64 records, const Diagnostics &diagnostics)
{
    qint64 errors = 0;
    qint64 warnings = 0;
    auto &insert = m_statements->insertDiagnostic;
    for (const Diagnostic &diagnostic : diagnostics) {
        errors += diagnostic.severity == Severity::Error ? 1 : 0;
        warnings += diagnostic.severity == Severity::Warning ? 1 : 0;
        insert.bind(1, sourceId).bind(2, severityName(diagnostic.severity));
        if (diagnostic.position.line > 0)
            insert.bind(3, diagnostic.position.line).bind(4, diagnostic.position.column);
        else
            insert.bindNull(3).bindNull(4);
        insert.bind(5, diagnostic.message);
        insert.run();
    }
    m_statements->finishSource.bind(1, records).bind(2, errors).bind(3, warnings).bind(4, sourceId);
    m_statements->finishSource.run();
}


namespace {
qint64 stepReturningId(SqliteStatement &statement)
{
    statement.step();
    const qint64 id = statement.int64(0);
    statement.reset();
    return id;
}
} // namespace

qint64 WorkspaceWriter::upsertHuman(const HumanRecord &human, qint64 sourceId)
{
    auto &statement = m_statements->upsertHuman;
    statement.bind(1, human.id)
        .bind(2, emptyToNull(human.name))
        .bind(3, emptyToNull(human.department))
        .bind(4, emptyToNull(human.extraJson))
        .bind(5, sourceId);
    return stepReturningId(statement);
}

qint64 WorkspaceWriter::upsertAgent(const AgentRecord &agent, qint64 sourceId)
{
    auto &statement = m_statements->upsertAgent;
    statement.bind(1, agent.id)
        .bind(2, emptyToNull(agent.name))
        .bind(3, emptyToNull(agent.role))
        .bind(4, emptyToNull(agent.owner))
        .bind(5, emptyToNull(agent.purpose))
        .bind(6, jsonArray(agent.intents))
        .bind(7, jsonArray(agent.mayDelegateTo))
        .bind(8, agent.maxDelegationDepth)
        .bind(9, emptyToNull(agent.extraJson))
        .bind(10, sourceId);
    const qint64 identityId = stepReturningId(statement);

    auto &credentialStatement = m_statements->upsertCredential;
    auto &aliasStatement = m_statements->insertAlias;
    for (const CredentialRecord &credential : agent.credentials) {
        credentialStatement.bind(1, identityId)
            .bind(2, credential.type)
            .bind(3, credential.id)
            .bind(4, credential.scopes.isEmpty() ? QString() : jsonArray(credential.scopes))
            .bind(5, emptyToNull(credential.created))
            .bind(6, emptyToNull(credential.lastRotated))
            .bind(7, emptyToNull(credential.expires))
            .bind(8, emptyToNull(credential.extraJson))
            .bind(9, sourceId);
        credentialStatement.run();
        aliasStatement.bind(1, credential.type) // an inventory alias is typed by its credential
            .bind(2, credential.id)
            .bind(3, identityId)
            .bind(4, sourceId);
        aliasStatement.run();
    }
    return identityId;
}

qint64 WorkspaceWriter::upsertTool(const ToolRecord &tool, qint64 sourceId)
{
    auto &statement = m_statements->upsertTool;
    statement.bind(1, tool.id)
        .bind(2, emptyToNull(tool.name))
        .bind(3, emptyToNull(tool.server))
        .bind(4, emptyToNull(tool.sensitivity))
        .bind(5, emptyToNull(tool.category))
        .bind(6, emptyToNull(tool.extraJson))
        .bind(7, sourceId);
    return stepReturningId(statement);
}

qint64 WorkspaceWriter::resolveActor(const AliasRef &alias, qint64 sourceId)
{
    if (alias.value.isEmpty())
        return 0;
    const QString key = QString::number(static_cast<int>(alias.family)) + QChar(0x1f) + alias.ns + QChar(0x1f) + alias.value;
    if (const auto it = m_resolved.constFind(key); it != m_resolved.cend())
        return *it;
    const QStringList types = aliasFamilyCredentialTypes(alias.family);
    auto &find = m_statements->findAlias;
    find.bind(1, alias.value)
        .bind(2, types.value(0))
        .bind(3, types.value(1, types.value(0)))
        .bind(4, types.value(2, types.value(0)))
        .bindText(5, alias.ns.toStdString());
    qint64 identity = 0;
    if (find.step())
        identity = find.int64(0);
    find.reset();
    if (identity == 0) {
        // Nobody declared this identifier: a shadow identity, shared by every protocol that uses the same value.
        auto &insert = m_statements->insertIdentity;
        insert.bind(1, QStringLiteral("shadow")).bind(2, alias.value).bind(3, sourceId);
        identity = stepReturningId(insert);
        auto &aliasInsert = m_statements->insertNamespacedAlias;
        // The namespace column is NOT NULL: an absent namespace is stored as ''.
        aliasInsert.bind(1, aliasFamilyName(alias.family)).bindText(2, alias.ns.toStdString()).bind(3, alias.value).bind(4, identity).bind(5, sourceId);
        aliasInsert.run();
    }
    m_resolved.insert(key, identity);
    return identity;
}

qint64 WorkspaceWriter::mergeShadowsIntoInventory()
{
    SqliteDatabase &db = m_workspace.database();
    // An OAuth shadow alias is stored under the family's first type; the inventory may name the same client
    // as a Keycloak client or an Okta app.
    db.execute(R"sql(
CREATE TEMP TABLE IF NOT EXISTS shadow_merge (shadow_id INTEGER PRIMARY KEY, agent_id INTEGER NOT NULL);
DELETE FROM shadow_merge;
INSERT INTO shadow_merge (shadow_id, agent_id)
SELECT s.identity_id, min(a.identity_id)
FROM aliases s
JOIN identities si ON si.id = s.identity_id AND si.kind = 'shadow'
JOIN aliases a ON a.alias = s.alias
    AND (a.namespace = s.namespace OR a.namespace = '' OR s.namespace = '')
    AND (a.alias_type = s.alias_type
         OR (s.alias_type = 'oauth-client' AND a.alias_type IN ('keycloak-client', 'okta-app')))
JOIN identities ai ON ai.id = a.identity_id AND ai.kind = 'agent'
GROUP BY s.identity_id;
)sql");
    const qint64 merged = db.queryInt64("SELECT count(*) FROM shadow_merge");
    if (merged > 0) {
        db.execute(R"sql(
UPDATE events SET actor_identity_id = (SELECT agent_id FROM shadow_merge WHERE shadow_id = actor_identity_id)
    WHERE actor_identity_id IN (SELECT shadow_id FROM shadow_merge);
UPDATE delegation_edges SET delegator_identity_id = (SELECT agent_id FROM shadow_merge WHERE shadow_id = delegator_identity_id)
    WHERE delegator_identity_id IN (SELECT shadow_id FROM shadow_merge);
UPDATE delegation_edges SET delegate_identity_id = (SELECT agent_id FROM shadow_merge WHERE shadow_id = delegate_identity_id)
    WHERE delegate_identity_id IN (SELECT shadow_id FROM shadow_merge);
UPDATE findings SET identity_id = (SELECT agent_id FROM shadow_merge WHERE shadow_id = identity_id)
    WHERE identity_id IN (SELECT shadow_id FROM shadow_merge);
UPDATE chains SET root_identity_id = (SELECT agent_id FROM shadow_merge WHERE shadow_id = root_identity_id)
    WHERE root_identity_id IN (SELECT shadow_id FROM shadow_merge);
UPDATE OR IGNORE aliases SET identity_id = (SELECT agent_id FROM shadow_merge WHERE shadow_id = identity_id)
    WHERE identity_id IN (SELECT shadow_id FROM shadow_merge);
DELETE FROM aliases WHERE identity_id IN (SELECT shadow_id FROM shadow_merge);
DELETE FROM identities WHERE id IN (SELECT shadow_id FROM shadow_merge);
)sql");
        m_resolved.clear(); // cached resolutions may name a merged shadow
    }
    db.execute("DELETE FROM shadow_merge");
    return merged;
}

namespace {
qint64 resolveByKind(SqliteStatement &find, SqliteStatement &insert, QHash<QString, qint64> &cache, const QString &kind,
                     const QString &id, qint64 sourceId)
{
    if (id.isEmpty())
        return 0;
    const QString key = kind + QChar(0x1f) + id;
    if (const auto it = cache.constFind(key); it != cache.cend())
        return *it;
    find.bind(1, kind).bind(2, id);
    qint64 identity = find.step() ? find.int64(0) : 0;
    find.reset();
    if (identity == 0) {
        insert.bind(1, kind).bind(2, id).bind(3, sourceId);
        identity = stepReturningId(insert);
    }
    cache.insert(key, identity);
    return identity;
}
} // namespace

qint64 WorkspaceWriter::resolveHuman(const QString &id, qint64 sourceId)
{
    return resolveByKind(m_statements->findIdentity, m_statements->insertIdentity, m_resolved, QStringLiteral("human"), id, sourceId);
}

qint64 WorkspaceWriter::resolveTool(const QString &id, qint64 sourceId)
{
    return resolveByKind(m_statements->findIdentity, m_statements->insertIdentity, m_resolved, QStringLiteral("tool"), id, sourceId);
}

qint64 WorkspaceWriter::addEvent(const AuditEvent &event, qint64 sourceId)
{
    // One insert path: the QString event is converted once and written through the view form.
    const QByteArray protocol = event.protocol.toUtf8();
    const QByteArray kind = event.kind.toUtf8();
    const QByteArray actorAlias = event.actor.value.toUtf8();
    const QByteArray originator = event.originator.toUtf8();
    const QByteArray action = event.action.toUtf8();
    const QByteArray resource = event.resource.toUtf8();
    const QByteArray scopes = event.scopes.isEmpty() ? QByteArray() : jsonArray(event.scopes).toUtf8();
    const QByteArray outcome = event.outcome.toUtf8();
    const QByteArray traceId = event.traceId.toUtf8();
    const QByteArray spanId = event.spanId.toUtf8();
    const QByteArray parentSpanId = event.parentSpanId.toUtf8();
    const QByteArray sessionId = event.sessionId.toUtf8();
    const QByteArray tokenId = event.tokenId.toUtf8();
    const QByteArray accessKey = event.accessKey.toUtf8();
    const QByteArray toolCallId = event.toolCallId.toUtf8();
    const QByteArray correlationId = event.correlationId.toUtf8();
    const QByteArray attributes = event.attributesJson.toUtf8();
    auto view = [](const QByteArray &bytes) { return std::string_view(bytes.constData(), static_cast<std::size_t>(bytes.size())); };
    AuditEventView row;
    row.timeMs = event.timeMs;
    row.protocol = view(protocol);
    row.kind = view(kind);
    row.actorIdentity = resolveActor(event.actor, sourceId);
    row.actorAlias = view(actorAlias);
    row.originator = view(originator);
    row.action = view(action);
    row.resource = view(resource);
    row.scopesJson = view(scopes);
    row.outcome = view(outcome);
    row.traceId = view(traceId);
    row.spanId = view(spanId);
    row.parentSpanId = view(parentSpanId);
    row.sessionId = view(sessionId);
    row.tokenId = view(tokenId);
    row.accessKey = view(accessKey);
    row.toolCallId = view(toolCallId);
    row.correlationId = view(correlationId);
    row.attributesJson = view(attributes);
    row.line = event.line;
    row.rawOffset = event.rawOffset;
    row.rawLength = event.rawLength;
    row.raw = event.raw;
    return addEvent(row, sourceId);
}

qint64 WorkspaceWriter::addEvent(const AuditEventView &event, qint64 sourceId)
{
    auto &insert = m_statements->insertEvent;
    // Bindings outlive a step: a column that stays NULL from one event to the next is not bound again (most of an
    // event's columns are NULL for any one protocol). Text is always bound, as it points into the caller's memory.
    std::uint32_t &nulls = m_statements->eventColumnsBoundNull;
    auto text = [&insert, &nulls](int index, std::string_view value) {
        const std::uint32_t bit = 1u << index;
        if (!value.empty()) {
            insert.bindTextUntilStep(index, value);
            nulls &= ~bit;
        } else if (!(nulls & bit)) {
            insert.bindNull(index);
            nulls |= bit;
        }
    };
    insert.bind(1, sourceId);
    if (event.line > 0)
        insert.bind(2, event.line);
    else
        insert.bindNull(2);
    insert.bind(3, event.timeMs);
    text(4, event.protocol);
    text(5, event.kind);
    if (event.actorIdentity > 0)
        insert.bind(6, event.actorIdentity);
    else
        insert.bindNull(6);
    text(7, event.actorAlias);
    text(8, event.originator);
    text(9, event.action);
    text(10, event.resource);
    text(11, event.scopesJson);
    text(12, event.outcome);
    text(13, event.traceId);
    text(14, event.spanId);
    text(15, event.parentSpanId);
    text(16, event.sessionId);
    text(17, event.tokenId);
    text(18, event.accessKey);
    text(19, event.toolCallId);
    text(20, event.correlationId);
    text(21, event.attributesJson);
    if (event.rawOffset >= 0)
        insert.bind(22, event.rawOffset).bind(23, event.rawLength);
    else
        insert.bindNull(22).bindNull(23);
    if (event.raw.isEmpty())
        insert.bindNull(24);
    else
        insert.bindBlob(24, event.raw);
    insert.step();
    insert.rewind();
    const qint64 id = m_workspace.database().lastInsertRowId();
    if (!event.toolArguments.empty()) {
        auto &arguments = m_statements->insertToolArguments;
        arguments.bind(1, id).bindTextUntilStep(2, event.toolArguments);
        arguments.step();
        arguments.rewind();
    }
    return id;
}

qint64 WorkspaceWriter::addDelegationEdge(const DelegationLink &link, qint64 sourceId, std::optional<qint64> eventId)
{
    const QByteArray delegatorAlias = link.delegator.value.toUtf8();
    const QByteArray delegateAlias = link.delegate.value.toUtf8();
    const QByteArray protocol = link.protocol.toUtf8();
    const QByteArray scopes = link.scopes.isEmpty() ? QByteArray() : jsonArray(link.scopes).toUtf8();
    const QByteArray traceId = link.traceId.toUtf8();
    auto view = [](const QByteArray &bytes) { return std::string_view(bytes.constData(), static_cast<std::size_t>(bytes.size())); };
    DelegationEdgeView edge;
    edge.delegatorIdentity = resolveActor(link.delegator, sourceId);
    edge.delegatorAlias = view(delegatorAlias);
    edge.delegateIdentity = resolveActor(link.delegate, sourceId);
    edge.delegateAlias = view(delegateAlias);
    edge.protocol = view(protocol);
    edge.scopesJson = view(scopes);
    edge.timeMs = link.timeMs;
    edge.kind = link.kind;
    edge.confidence = link.confidence;
    edge.traceId = view(traceId);
    return addDelegationEdge(edge, sourceId, eventId);
}

qint64 WorkspaceWriter::addDelegationEdge(const DelegationEdgeView &edge, qint64 sourceId, std::optional<qint64> eventId)
{
    auto &insert = m_statements->insertEdge;
    auto text = [&insert](int index, std::string_view value) {
        if (value.empty())
            insert.bindNull(index);
        else
            insert.bindTextUntilStep(index, value);
    };
    insert.bind(1, sourceId).bind(2, eventId);
    if (edge.delegatorIdentity > 0)
        insert.bind(3, edge.delegatorIdentity);
    else
        insert.bindNull(3);
    text(4, edge.delegatorAlias);
    if (edge.delegateIdentity > 0)
        insert.bind(5, edge.delegateIdentity);
    else
        insert.bindNull(5);
    text(6, edge.delegateAlias);
    text(7, edge.protocol);
    text(8, edge.scopesJson);
    insert.bind(9, edge.timeMs);
    insert.bindTextUntilStep(10, edge.kind == LinkKind::Explicit ? std::string_view("explicit") : std::string_view("inferred"));
    insert.bind(11, edge.confidence);
    text(12, edge.traceId);
    insert.step();
    insert.rewind();
    return m_workspace.database().lastInsertRowId();
}

void WorkspaceWriter::commit()
{
    m_statements.reset();
    m_transaction->commit();
    m_writeback.reset();
}

} // namespace chainsight

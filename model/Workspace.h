#pragma once

#include "AuditEvent.h"
#include "Diagnostic.h"
#include "Inventory.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>

#include <atomic>
#include <memory>
#include <optional>

namespace chainsight {

class BackgroundWriteback;
class SqliteDatabase;
class SqliteTransaction;

struct SourceInfo
{
    qint64 id = 0;
    QString path;
    qint64 size = 0;
    QByteArray sha256;
    QByteArray headSha256; // SHA-256 of the first MiB: rules out duplicates without hashing the whole file
    QString format;
    QString importedAt; // RFC 3339 UTC
    qint64 records = 0;
    qint64 errors = 0;
    qint64 warnings = 0;
};

struct WorkspaceCounts
{
    qint64 humans = 0;
    qint64 agents = 0;
    qint64 tools = 0;
    qint64 shadows = 0;
    qint64 credentials = 0;
    qint64 aliases = 0;
    qint64 events = 0;
    qint64 edges = 0;
    qint64 findings = 0;

    friend bool operator==(const WorkspaceCounts &, const WorkspaceCounts &) = default;
};

struct WorkspaceInfo
{
    int schemaVersion = 0;
    QList<SourceInfo> sources;
    WorkspaceCounts counts;
};

// One agent as the inventory panel and `agents` show it: the inventory record as stored.
using AgentSummary = AgentRecord;

// Any identity (human, agent, tool, shadow) with where it was seen: the identities panel and `identities`.
struct IdentitySummary
{
    QString kind; // human, agent, tool, shadow
    QString id;
    QString name;
    QString role;
    QString owner;
    QStringList aliases;   // "type:value", namespaced ones as "type:namespace/value"
    QStringList protocols; // protocols of the events it acted in, sorted
    qint64 events = 0;
    std::optional<qint64> firstSeenMs;
    std::optional<qint64> lastSeenMs;
};

// A workspace is one SQLite file (*.chainsight). Opening validates it and never changes a file it rejects.
class Workspace final
{
public:
    enum class OpenMode {
        OpenExisting,    // read-write; error if missing
        CreateIfMissing, // read-write; a new workspace when the path does not exist
        ReadOnly,
    };

    static std::unique_ptr<Workspace> open(const QString &path, OpenMode mode, QString *error);
    ~Workspace();

    QString path() const { return m_path; }
    // SQLite's quick_check over every table and index, bulk tables included (seconds on millions of events):
    // "ok", or the first problems found. Empty with *error set when the check itself could not run.
    QString checkIntegrity(QString *error) const;
    int schemaVersion() const;
    bool isReadOnly() const { return m_readOnly; }

    std::optional<WorkspaceInfo> info(QString *error) const;
    std::optional<QList<AgentSummary>> agents(QString *error) const;
    std::optional<QList<IdentitySummary>> identities(QString *error) const;
    std::optional<SourceInfo> sourceBySha256(const QByteArray &sha256, QString *error) const;
    // Whether a source of this size and head digest exists: only then can a file be a re-import.
    bool hasSourceLike(qint64 size, const QByteArray &headSha256) const;
    std::optional<Diagnostics> sourceDiagnostics(qint64 sourceId, QString *error) const;

    SqliteDatabase &database() const { return *m_db; }

private:
    Workspace(QString path, std::unique_ptr<SqliteDatabase> db, bool readOnly);

    QString m_path;
    std::unique_ptr<SqliteDatabase> m_db;
    bool m_readOnly = false;
};

// Everything one import writes, in one transaction: nothing is visible until commit(), and a writer
// destroyed without commit() leaves the workspace exactly as it was. Methods throw SqliteError.
class WorkspaceWriter final
{
public:
    explicit WorkspaceWriter(Workspace &workspace, const std::atomic_bool *cancel = nullptr);
    ~WorkspaceWriter();
    WorkspaceWriter(const WorkspaceWriter &) = delete;
    WorkspaceWriter &operator=(const WorkspaceWriter &) = delete;

    qint64 addSource(const SourceInfo &source);
    void finishSource(qint64 sourceId, qint64 records, const Diagnostics &diagnostics);
    // For sources hashed while they were read: the digest is known only at the end.
    void setSourceDigest(qint64 sourceId, const QByteArray &sha256);

    qint64 upsertHuman(const HumanRecord &human, qint64 sourceId);
    // Writes the agent, its credentials and one alias per credential id.
    qint64 upsertAgent(const AgentRecord &agent, qint64 sourceId);
    qint64 upsertTool(const ToolRecord &tool, qint64 sourceId);

    // The identity an actor alias names. An alias that nothing in the workspace knows becomes a shadow
    // identity, one per identifier value whatever protocol used it. Results are cached for the import.
    qint64 resolveActor(const AliasRef &alias, qint64 sourceId);
    // After an inventory import: shadow identities whose alias an inventoried agent now declares become that
    // agent everywhere (events, edges, aliases, findings), and disappear. Returns how many were merged.
    qint64 mergeShadowsIntoInventory();
    // Humans and tools seen in logs but missing from the inventory are added as such (not as shadows).
    qint64 resolveHuman(const QString &id, qint64 sourceId);
    qint64 resolveTool(const QString &id, qint64 sourceId);

    qint64 addEvent(const AuditEvent &event, qint64 sourceId);
    qint64 addEvent(const AuditEventView &event, qint64 sourceId);
    qint64 addDelegationEdge(const DelegationLink &link, qint64 sourceId, std::optional<qint64> eventId);
    qint64 addDelegationEdge(const DelegationEdgeView &edge, qint64 sourceId, std::optional<qint64> eventId);

    void commit();

private:
    struct Statements;
    Workspace &m_workspace;
    std::unique_ptr<SqliteTransaction> m_transaction;
    std::unique_ptr<Statements> m_statements;
    std::unique_ptr<BackgroundWriteback> m_writeback;
    QHash<QString, qint64> m_resolved;
};


} // namespace chainsight

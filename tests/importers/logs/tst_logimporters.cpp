#include "ImportRunner.h"
#include "logs/LogRecords.h"
#include "SourceImporter.h"
#include "SqliteDatabase.h"
#include "Workspace.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSet>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <zlib.h>

using namespace chainsight;

namespace {

QString fixture(const QString &name)
{
    return QStringLiteral(CHAINSIGHT_TEST_DATA_DIR "/") + name;
}

QString sharedSamples()
{
    return QStringLiteral(CHAINSIGHT_SHARED_DIR "/samples");
}

ImportResult importInto(Workspace &workspace, const QStringList &paths, ImportOptions options = {})
{
    const std::atomic_bool notCancelled{false};
    return ImportRunner::run(workspace, paths, options, {}, notCancelled);
}

std::unique_ptr<Workspace> freshWorkspace(const QTemporaryDir &dir)
{
    QString error;
    auto workspace = Workspace::open(dir.filePath(QStringLiteral("w.chainsight")), Workspace::OpenMode::CreateIfMissing, &error);
    if (!workspace)
        qWarning() << error;
    return workspace;
}

// Result rows as "a|b|c"; the column count is the number of top-level commas in the select list plus one.
QStringList rows(Workspace &workspace, std::string_view sql)
{
    const std::string_view select = sql.substr(0, sql.find(" FROM "));
    int columns = 1;
    int depth = 0;
    for (const char c : select) {
        depth += c == '(' ? 1 : (c == ')' ? -1 : 0);
        columns += c == ',' && depth == 0 ? 1 : 0;
    }
    QStringList out;
    SqliteStatement statement(workspace.database(), sql);
    while (statement.step()) {
        QStringList values;
        for (int column = 0; column < columns; ++column)
            values.push_back(statement.text(column));
        out.push_back(values.join(QLatin1Char('|')));
    }
    return out;
}

QString diagnosticsText(const ImportResult &result)
{
    QStringList lines;
    for (const auto &file : result.files) {
        for (const auto &diagnostic : file.diagnostics)
            lines.push_back(diagnostic.toString());
    }
    if (!result.failure.isEmpty())
        lines.push_back(result.failure);
    return lines.join(QLatin1Char('\n'));
}

bool hasLocatedError(const ImportResult &result)
{
    for (const auto &file : result.files) {
        for (const auto &diagnostic : file.diagnostics) {
            if (diagnostic.severity == Severity::Error && diagnostic.position.line > 0 && diagnostic.position.column > 0)
                return true;
        }
    }
    return false;
}

bool writeGzip(const QString &from, const QString &to)
{
    QFile in(from);
    if (!in.open(QIODevice::ReadOnly))
        return false;
    const QByteArray bytes = in.readAll();
    gzFile out = gzopen(QFile::encodeName(to).constData(), "wb");
    if (!out)
        return false;
    const int written = gzwrite(out, bytes.constData(), static_cast<unsigned>(bytes.size()));
    gzclose(out);
    return written == bytes.size();
}

QString formatOfSampleDir(const QString &dir)
{
    if (dir == QLatin1String("okta-systemlog"))
        return QStringLiteral("okta-systemlog");
    if (dir == QLatin1String("entra-signinlogs"))
        return QStringLiteral("entra-signinlogs");
    if (dir == QLatin1String("aws-cloudtrail"))
        return QStringLiteral("cloudtrail");
    return QStringLiteral("mcp-log");
}

} // namespace

class TestLogImporters : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void registersEveryFormat()
    {
        const QStringList formats = knownFormats();
        for (const char *format : {"mcp-log", "keycloak-events", "cloudtrail", "okta-systemlog", "entra-signinlogs"})
            QVERIFY2(formats.contains(QLatin1String(format)), format);
    }

    void parsesTimestamps_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<qint64>("ms"); // -1: rejected
        QTest::newRow("utc") << QStringLiteral("2026-03-02T08:00:00Z") << 1772438400000ll;
        QTest::newRow("millis") << QStringLiteral("2026-03-02T08:00:00.123Z") << 1772438400123ll;
        QTest::newRow("seven fraction digits") << QStringLiteral("2026-03-07T02:44:54.6940000Z") << 1772851494694ll;
        QTest::newRow("offset") << QStringLiteral("2026-03-02T09:30:00+01:30") << 1772438400000ll;
        QTest::newRow("offset without colon") << QStringLiteral("2026-03-02T03:00:00-0500") << 1772438400000ll;
        QTest::newRow("space separator") << QStringLiteral("2026-03-02 08:00:00Z") << 1772438400000ll;
        QTest::newRow("epoch") << QStringLiteral("1970-01-01T00:00:00Z") << 0ll;
        QTest::newRow("before 1970") << QStringLiteral("1969-12-31T23:59:59Z") << -1ll;
        QTest::newRow("year 2200") << QStringLiteral("2200-01-01T00:00:00Z") << -1ll;
        QTest::newRow("month 13") << QStringLiteral("2026-13-01T00:00:00Z") << -1ll;
        QTest::newRow("hour 24") << QStringLiteral("2026-03-02T24:00:00Z") << -1ll;
        QTest::newRow("cloudtrail expiration style") << QStringLiteral("Mar 23, 2026, 8:31:20 AM") << -1ll;
        QTest::newRow("trailing text") << QStringLiteral("2026-03-02T08:00:00Zjunk") << -1ll;
        QTest::newRow("empty") << QString() << -1ll;
    }

    void parsesTimestamps()
    {
        QFETCH(QString, text);
        QFETCH(qint64, ms);
        QString problem;
        const QByteArray utf8 = text.toUtf8();
        const auto parsed = parseTimestamp(std::string_view(utf8.constData(), static_cast<std::size_t>(utf8.size())), &problem);
        if (ms < 0) {
            QVERIFY(!parsed);
            QVERIFY(!problem.isEmpty());
        } else {
            QVERIFY2(parsed, qPrintable(problem));
            QCOMPARE(*parsed, ms);
        }
    }

    void parsesTraceparent_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("traceId"); // empty: rejected
        QTest::newRow("valid") << QStringLiteral("00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01")
                               << QStringLiteral("0af7651916cd43dd8448eb211c80319c");
        QTest::newRow("upper case") << QStringLiteral("00-0AF7651916CD43DD8448EB211C80319C-00F067AA0BA902B7-01") << QString();
        QTest::newRow("zero trace") << QStringLiteral("00-00000000000000000000000000000000-00f067aa0ba902b7-01") << QString();
        QTest::newRow("short") << QStringLiteral("00-0af7651916cd43dd-00f067aa0ba902b7-01") << QString();
    }

    void parsesTraceparent()
    {
        QFETCH(QString, text);
        QFETCH(QString, traceId);
        QString trace;
        QString span;
        QCOMPARE(parseTraceparent(text, &trace, &span), !traceId.isEmpty());
        QCOMPARE(trace, traceId);
    }

    void sniffsFormatFromContent_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("format");
        QTest::newRow("mcp 2025") << fixture(QStringLiteral("logs/mcp-session-2025.jsonl")) << QStringLiteral("mcp-log");
        QTest::newRow("mcp 2026") << fixture(QStringLiteral("logs/mcp-stateless-2026.jsonl")) << QStringLiteral("mcp-log");
        QTest::newRow("keycloak") << fixture(QStringLiteral("logs/keycloak-events.json")) << QStringLiteral("keycloak-events");
        QTest::newRow("cloudtrail") << fixture(QStringLiteral("logs/cloudtrail-role-chain.json")) << QStringLiteral("cloudtrail");
        QTest::newRow("okta") << fixture(QStringLiteral("logs/okta-systemlog.json")) << QStringLiteral("okta-systemlog");
        QTest::newRow("entra") << fixture(QStringLiteral("logs/entra-signinlogs.jsonl")) << QStringLiteral("entra-signinlogs");
    }

    void sniffsFormatFromContent()
    {
        QFETCH(QString, file);
        QFETCH(QString, format);
        QString reason;
        const SourceImporter *importer = sniffImporter(file, &reason);
        QVERIFY2(importer, qPrintable(reason));
        QCOMPARE(importer->format(), format);
    }

    void sniffsGzipCloudTrail()
    {
        QTemporaryDir dir;
        const QString gz = dir.filePath(QStringLiteral("trail.json.gz"));
        QVERIFY(writeGzip(fixture(QStringLiteral("logs/cloudtrail-role-chain.json")), gz));
        QString reason;
        const SourceImporter *importer = sniffImporter(gz, &reason);
        QVERIFY2(importer, qPrintable(reason));
        QCOMPARE(importer->format(), QStringLiteral("cloudtrail"));
    }

    void importsRealSamples_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("format");
        QTest::addColumn<int>("failLine");
        QTest::addColumn<int>("failColumn");
        if (!QFileInfo::exists(sharedSamples())) {
            QTest::newRow("samples absent") << QString() << QString() << 0 << 0;
            return;
        }
        for (const QString &sub : {QStringLiteral("okta-systemlog"), QStringLiteral("entra-signinlogs"),
                                   QStringLiteral("aws-cloudtrail"), QStringLiteral("mcp")}) {
            QDirIterator it(sharedSamples() + QLatin1Char('/') + sub, QDir::Files, QDirIterator::Subdirectories);
            QStringList files;
            while (it.hasNext())
                files.push_back(it.next());
            files.sort();
            for (const QString &file : std::as_const(files)) {
                int line = 0;
                int column = 0;
                if (file.endsWith(QLatin1String("sts-assumerolewithsaml-INVALIDJSON-as-published.json"))) {
                    line = 36;
                    column = 9;
                } else if (file.endsWith(QLatin1String("sts-assumerolewithwebidentity-INVALIDJSON-as-published.json"))) {
                    line = 20;
                    column = 9;
                }
                const QString name = QDir(sharedSamples()).relativeFilePath(file);
                QTest::newRow(qPrintable(name)) << file << formatOfSampleDir(sub) << line << column;
            }
        }
    }

    void importsRealSamples()
    {
        QFETCH(QString, file);
        QFETCH(QString, format);
        QFETCH(int, failLine);
        QFETCH(int, failColumn);
        if (file.isEmpty())
            QSKIP("the shared samples are not present");
        QString reason;
        const SourceImporter *sniffed = sniffImporter(file, &reason);
        QVERIFY2(sniffed, qPrintable(reason));
        QCOMPARE(sniffed->format(), format);

        QTemporaryDir dir;
        auto workspace = freshWorkspace(dir);
        QVERIFY(workspace);
        const ImportResult result = importInto(*workspace, {file});
        if (failLine > 0) {
            QCOMPARE(result.status, ImportResult::Status::Aborted);
            if (qEnvironmentVariableIsSet("CHAINSIGHT_SHOW_DIAGNOSTICS"))
                qInfo().noquote() << diagnosticsText(result);
            const Diagnostic &diagnostic = result.files.constFirst().diagnostics.constFirst();
            QVERIFY2(diagnostic.message.contains(QLatin1String("invalid JSON")), qPrintable(diagnostic.toString()));
            QCOMPARE(diagnostic.position.line, failLine);
            QCOMPARE(diagnostic.position.column, failColumn);
            QCOMPARE(workspace->database().queryInt64("SELECT count(*) FROM events"), 0);
            return;
        }
        QVERIFY2(result.status == ImportResult::Status::Committed, qPrintable(diagnosticsText(result)));
        QVERIFY2(result.errorCount() == 0, qPrintable(diagnosticsText(result)));
        QCOMPARE(workspace->database().queryInt64("SELECT count(*) FROM events"), result.recordCount());
    }

    void mcpSessionJoinsCallsToResults()
    {
        QTemporaryDir dir;
        auto workspace = freshWorkspace(dir);
        const ImportResult result = importInto(*workspace, {fixture(QStringLiteral("logs/mcp-session-2025.jsonl"))});
        QVERIFY2(result.status == ImportResult::Status::Committed && result.errorCount() == 0, qPrintable(diagnosticsText(result)));
        const QStringList events = rows(*workspace, "SELECT kind, actor_alias, action, outcome, coalesce(trace_id,''), "
                                                    "coalesce(span_id,''), coalesce(originator,''), coalesce(resource,''), line "
                                                    "FROM events ORDER BY line, kind");
        const QStringList expected = {
            QStringLiteral("initialize|billing-agent-mcp||ok||||billing-mcp|1"),
            QStringLiteral("tools/call|billing-agent-mcp|invoice.pay|ok|8e4eb3b1070412e0d263ccc8590f3f0a|84884080b0a4f69f||billing-mcp|4"),
            QStringLiteral("approval|billing-agent-mcp|invoice.pay|ok|8e4eb3b1070412e0d263ccc8590f3f0a|84884080b0a4f69f|ana.lee@corp.example|billing-mcp|6"),
            QStringLiteral("tools/call|billing-agent-mcp|invoice.void|error||||billing-mcp|8"),
        };
        QCOMPARE(events, expected);
        QCOMPARE(workspace->database().queryInt64("SELECT count(*) FROM identities WHERE kind = 'tool'"), 2);
        QCOMPARE(workspace->database().queryInt64("SELECT count(*) FROM identities WHERE kind = 'human'"), 1);
    }

    void mcpStatelessRequests()
    {
        QTemporaryDir dir;
        auto workspace = freshWorkspace(dir);
        const ImportResult result = importInto(*workspace, {fixture(QStringLiteral("logs/mcp-stateless-2026.jsonl"))});
        QVERIFY2(result.status == ImportResult::Status::Committed && result.errorCount() == 0, qPrintable(diagnosticsText(result)));
        const QStringList events = rows(*workspace, "SELECT kind, actor_alias, coalesce(action,''), outcome, coalesce(trace_id,''), line "
                                                    "FROM events ORDER BY line, kind");
        const QStringList expected = {
            QStringLiteral("server/discover|billing-agent-mcp||ok||1"),
            QStringLiteral("tools/call|billing-agent-mcp|invoice.pay|input_required|8e4eb3b1070412e0d263ccc8590f3f0a|3"),
            QStringLiteral("approval|billing-agent-mcp|invoice.pay|ok|8e4eb3b1070412e0d263ccc8590f3f0a|5"),
            QStringLiteral("tools/call|billing-agent-mcp|invoice.pay|error|8e4eb3b1070412e0d263ccc8590f3f0a|5"),
        };
        QCOMPARE(events, expected);
    }

    void keycloakTokenExchangeIsADelegationEdge()
    {
        QTemporaryDir dir;
        auto workspace = freshWorkspace(dir);
        const ImportResult result = importInto(*workspace, {fixture(QStringLiteral("logs/keycloak-events.json"))});
        QVERIFY2(result.status == ImportResult::Status::Committed && result.errorCount() == 0, qPrintable(diagnosticsText(result)));
        const QStringList events = rows(*workspace, "SELECT kind, actor_alias, coalesce(originator,''), outcome, coalesce(scopes,''), "
                                                    "coalesce(token_id,''), coalesce(session_id,'') FROM events ORDER BY time_ms");
        const QStringList expected = {
            QStringLiteral("LOGIN|agt-super|ana.lee@corp.example|ok|||s-1"),
            QStringLiteral("CODE_TO_TOKEN|agt-super|ana.lee@corp.example|ok|[\"crm.read\",\"web.search\"]|jti-1|s-1"),
            QStringLiteral("TOKEN_EXCHANGE|agt-worker|ana.lee@corp.example|ok|[\"web.search\"]|jti-2|s-1"),
            QStringLiteral("TOKEN_EXCHANGE_ERROR|agt-worker||error|[\"crm.read\"]||"),
            QStringLiteral("CLIENT_LOGIN|agt-super||ok|[\"crm.read\"]|jti-3|"),
        };
        QCOMPARE(events, expected);
        const QStringList edges = rows(*workspace, "SELECT delegator_alias, delegate_alias, protocol, scopes, link_kind, "
                                                   "confidence FROM delegation_edges");
        QCOMPARE(edges, QStringList{QStringLiteral("agt-super|agt-worker|keycloak|[\"web.search\"]|explicit|1.0")});
    }

    void cloudTrailRebuildsRoleChains()
    {
        QTemporaryDir dir;
        auto workspace = freshWorkspace(dir);
        const ImportResult result = importInto(*workspace, {fixture(QStringLiteral("logs/cloudtrail-role-chain.json"))});
        QVERIFY2(result.status == ImportResult::Status::Committed && result.errorCount() == 0, qPrintable(diagnosticsText(result)));
        const QStringList events = rows(*workspace, "SELECT kind, action, actor_alias, originator, coalesce(trace_id,''), "
                                                    "coalesce(access_key,''), correlation_id FROM events ORDER BY time_ms");
        const QStringList expected = {
            QStringLiteral("AssumeRoleWithWebIdentity|sts:AssumeRoleWithWebIdentity|arn:aws:iam::111122223333:role/agents/super|"
                           "ana.lee@corp.example|0ac09fb23d2f03d6b676a9b659d26a4e||req-1"),
            QStringLiteral("AssumeRole|sts:AssumeRole|arn:aws:iam::111122223333:role/agents/super|ana.lee@corp.example|"
                           "0ac09fb23d2f03d6b676a9b659d26a4e|ASIAFIRST0000000000A|req-2"),
            QStringLiteral("GetObject|s3:GetObject|arn:aws:iam::111122223333:role/agents/worker|ana.lee@corp.example|"
                           "0ac09fb23d2f03d6b676a9b659d26a4e|ASIASECOND000000000B|req-3"),
        };
        QCOMPARE(events, expected);
        const QStringList edges = rows(*workspace, "SELECT delegator_alias, delegate_alias, protocol, trace_id FROM delegation_edges");
        QCOMPARE(edges, QStringList{QStringLiteral("arn:aws:iam::111122223333:role/agents/super|arn:aws:iam::111122223333:role/"
                                                   "agents/worker|aws|0ac09fb23d2f03d6b676a9b659d26a4e")});
        QCOMPARE(workspace->database().queryInt64("SELECT count(*) FROM identities WHERE kind = 'tool' AND external_id = 's3.get_object'"), 1);
    }

    void oktaTokenGrants()
    {
        QTemporaryDir dir;
        auto workspace = freshWorkspace(dir);
        const ImportResult result = importInto(*workspace, {fixture(QStringLiteral("logs/okta-systemlog.json"))});
        QVERIFY2(result.status == ImportResult::Status::Committed && result.errorCount() == 0, qPrintable(diagnosticsText(result)));
        const QStringList events = rows(*workspace, "SELECT kind, coalesce(actor_alias,''), originator, action, coalesce(token_id,''), "
                                                    "session_id FROM events ORDER BY id");
        const QStringList expected = {
            QStringLiteral("user.session.start||ana.lee@corp.example|user.session.start||102SESSION"),
            QStringLiteral("app.oauth2.as.token.grant.access_token|0oaAGENT|ana.lee@corp.example|authorization_code|jti-okta-1|102SESSION"),
            QStringLiteral("app.oauth2.as.token.grant.access_token|0oaWORKER|ana.lee@corp.example|"
                           "urn:ietf:params:oauth:grant-type:token-exchange|jti-okta-2|102SESSION"),
        };
        QCOMPARE(events, expected);
        QCOMPARE(rows(*workspace, "SELECT delegator_alias, delegate_alias, protocol FROM delegation_edges"),
                 QStringList{QStringLiteral("0oaAGENT|0oaWORKER|okta")});
    }

    void entraSignIns()
    {
        QTemporaryDir dir;
        auto workspace = freshWorkspace(dir);
        const ImportResult result = importInto(*workspace, {fixture(QStringLiteral("logs/entra-signinlogs.jsonl"))});
        QVERIFY2(result.status == ImportResult::Status::Committed && result.errorCount() == 0, qPrintable(diagnosticsText(result)));
        const QStringList events = rows(*workspace, "SELECT kind, actor_alias, coalesce(access_key,''), trace_id, correlation_id, "
                                                    "outcome FROM events ORDER BY id");
        const QStringList expected = {
            QStringLiteral("ServicePrincipalSignInLogs|sp-1|key-1|913b5aa740d4476dbec8c3aa6730d899|913b5aa7-40d4-476d-bec8-c3aa6730d899|ok"),
            QStringLiteral("ManagedIdentitySignInLogs|mi-1||913b5aa740d4476dbec8c3aa6730d899|913b5aa7-40d4-476d-bec8-c3aa6730d899|ok"),
            QStringLiteral("ServicePrincipalSignInLogs|sp-1|key-old|913b5aa740d4476dbec8c3aa6730d899|913b5aa7-40d4-476d-bec8-c3aa6730d899|error"),
        };
        QCOMPARE(events, expected);
        QCOMPARE(rows(*workspace, "SELECT a.alias_type FROM aliases a ORDER BY a.alias"),
                 (QStringList{QStringLiteral("managed-identity"), QStringLiteral("service-principal")}));
    }

    void rawRecordIsTheExactBytes_data()
    {
        QTest::addColumn<bool>("compressed");
        QTest::newRow("plain") << false;
        QTest::newRow("gzip") << true;
    }

    void rawRecordIsTheExactBytes()
    {
        QFETCH(bool, compressed);
        QTemporaryDir dir;
        QString path = fixture(QStringLiteral("logs/cloudtrail-role-chain.json"));
        if (compressed) {
            const QString gz = dir.filePath(QStringLiteral("trail.json.gz"));
            QVERIFY(writeGzip(path, gz));
            path = gz;
        }
        auto workspace = freshWorkspace(dir);
        const ImportResult result = importInto(*workspace, {path});
        QVERIFY2(result.status == ImportResult::Status::Committed, qPrintable(diagnosticsText(result)));
        QFile source(fixture(QStringLiteral("logs/cloudtrail-role-chain.json")));
        QVERIFY(source.open(QIODevice::ReadOnly));
        const QByteArray bytes = source.readAll();
        SqliteStatement events(workspace->database(), "SELECT raw_offset, raw_length, raw, correlation_id FROM events ORDER BY id");
        int count = 0;
        while (events.step()) {
            QByteArray raw;
            if (compressed) {
                QVERIFY(events.isNull(0));
                raw = events.blob(2);
            } else {
                QVERIFY(events.isNull(2));
                raw = bytes.mid(events.int64(0), events.int64(1));
            }
            const QJsonObject record = QJsonDocument::fromJson(raw).object();
            QCOMPARE(record.value(QStringLiteral("requestID")).toString(), events.text(3));
            ++count;
        }
        QCOMPARE(count, 3);
    }

    void rejectsBadInput_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("format");
        QDirIterator it(fixture(QStringLiteral("bad")), QDir::Files, QDirIterator::Subdirectories);
        QStringList files;
        while (it.hasNext())
            files.push_back(it.next());
        files.sort();
        for (const QString &file : std::as_const(files)) {
            const QString format = QFileInfo(file).dir().dirName();
            if (!knownFormats().contains(format) || !QStringList{QStringLiteral("mcp-log"), QStringLiteral("keycloak-events"),
                                                                 QStringLiteral("cloudtrail"), QStringLiteral("okta-systemlog"),
                                                                 QStringLiteral("entra-signinlogs")}.contains(format))
                continue;
            QTest::newRow(qPrintable(format + QLatin1Char('/') + QFileInfo(file).fileName())) << file << format;
        }
    }

    void rejectsBadInput()
    {
        QFETCH(QString, file);
        QFETCH(QString, format);
        QTemporaryDir dir;
        auto workspace = freshWorkspace(dir);
        ImportOptions options;
        options.format = format;
        options.strict = true;
        const ImportResult strict = importInto(*workspace, {file}, options);
        if (qEnvironmentVariableIsSet("CHAINSIGHT_SHOW_DIAGNOSTICS"))
            qInfo().noquote() << diagnosticsText(strict);
        QVERIFY2(strict.status == ImportResult::Status::Aborted, qPrintable(diagnosticsText(strict)));
        QVERIFY2(hasLocatedError(strict), qPrintable(diagnosticsText(strict)));
        QCOMPARE(workspace->database().queryInt64("SELECT count(*) FROM events"), 0);
        QCOMPARE(workspace->database().queryInt64("SELECT count(*) FROM identities"), 0);

        // Without --strict the good records go in and the bad one is counted, or the whole file is refused.
        options.strict = false;
        const ImportResult lenient = importInto(*workspace, {file}, options);
        QVERIFY2(lenient.errorCount() > 0, qPrintable(diagnosticsText(lenient)));
        if (lenient.status == ImportResult::Status::Aborted)
            QCOMPARE(workspace->database().queryInt64("SELECT count(*) FROM events"), 0);
    }

    void rejectsHostileSizes_data()
    {
        QTest::addColumn<QString>("format");
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("reason");
        const QByteArray deep = QByteArray(100000, '[') + QByteArray(100000, ']') + '\n';
        const QByteArray good = R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"a"}})" "\n";
        QTest::newRow("mcp deep nesting") << QStringLiteral("mcp-log") << QByteArray(good + deep) << QStringLiteral("nested more than");
        QTest::newRow("keycloak deep nesting") << QStringLiteral("keycloak-events") << QByteArray("[" + deep.chopped(1) + "]")
                                               << QStringLiteral("nested more than");
        QTest::newRow("cloudtrail deep nesting") << QStringLiteral("cloudtrail") << QByteArray("{\"Records\":[" + deep.chopped(1) + "]}")
                                                 << QStringLiteral("nested more than");
        QTest::newRow("okta deep nesting") << QStringLiteral("okta-systemlog") << deep << QStringLiteral("nested more than");
        QTest::newRow("entra deep nesting") << QStringLiteral("entra-signinlogs") << deep << QStringLiteral("nested more than");
        const QByteArray huge = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\",\"params\":{\"data\":\""
            + QByteArray(50 * 1024 * 1024, 'x') + "\"}}\n";
        QTest::newRow("mcp 50 MB line") << QStringLiteral("mcp-log") << QByteArray(good + huge) << QStringLiteral("larger than");
    }

    void rejectsHostileSizes()
    {
        QFETCH(QString, format);
        QFETCH(QByteArray, content);
        QFETCH(QString, reason);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("hostile.json"));
        {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(content);
        }
        content.clear();
        auto workspace = freshWorkspace(dir);
        ImportOptions options;
        options.format = format;
        options.strict = true;
        const ImportResult result = importInto(*workspace, {path}, options);
        QCOMPARE(result.status, ImportResult::Status::Aborted);
        if (qEnvironmentVariableIsSet("CHAINSIGHT_SHOW_DIAGNOSTICS"))
            qInfo().noquote() << diagnosticsText(result);
        QVERIFY2(hasLocatedError(result), qPrintable(diagnosticsText(result)));
        QVERIFY2(diagnosticsText(result).contains(reason), qPrintable(diagnosticsText(result)));
        QCOMPARE(workspace->database().queryInt64("SELECT count(*) FROM events"), 0);
    }

    void generatedWorldResolvesAgents()
    {
        const QString generator = QStringLiteral(CHAINSIGHT_SHARED_DIR "/bench/gen_enterprise.py");
        const QString python = QStandardPaths::findExecutable(QStringLiteral("python3"));
        if (!QFileInfo::exists(generator) || python.isEmpty())
            QSKIP("gen_enterprise.py or python3 is not available");
        QTemporaryDir dir;
        const QString out = dir.filePath(QStringLiteral("world"));
        QProcess process;
        process.start(python, {generator, QStringLiteral("--out"), out, QStringLiteral("--agents"), QStringLiteral("30"),
                               QStringLiteral("--events"), QStringLiteral("1500"), QStringLiteral("--formats"),
                               QStringLiteral("keycloak,okta,entra,cloudtrail,mcp"), QStringLiteral("--no-crypto")});
        QVERIFY(process.waitForFinished(120000));
        QCOMPARE(process.exitCode(), 0);

        QStringList logs;
        QDirIterator it(out, QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString file = it.next();
            const QString name = QFileInfo(file).fileName();
            if (name.endsWith(QLatin1String(".jsonl")) || file.contains(QLatin1String("/cloudtrail/")))
                logs.push_back(file);
        }
        logs.sort();
        auto workspace = freshWorkspace(dir);
        const ImportResult inventory = importInto(*workspace, {out + QStringLiteral("/inventory.json")});
        QCOMPARE(inventory.status, ImportResult::Status::Committed);
        const ImportResult result = importInto(*workspace, logs);
        QVERIFY2(result.status == ImportResult::Status::Committed, qPrintable(diagnosticsText(result)));
        QVERIFY2(result.errorCount() == 0, qPrintable(diagnosticsText(result)));

        QFile truthFile(out + QStringLiteral("/truth.json"));
        QVERIFY(truthFile.open(QIODevice::ReadOnly));
        const QJsonObject truth = QJsonDocument::fromJson(truthFile.readAll()).object();
        QByteArray allLogs;
        for (const QString &file : std::as_const(logs)) {
            QFile log(file);
            QVERIFY(log.open(QIODevice::ReadOnly));
            allLogs += log.readAll();
        }
        QSet<QString> expectedShadows;
        for (const auto &anomaly : truth.value(QStringLiteral("anomalies")).toArray()) {
            const QJsonObject object = anomaly.toObject();
            const QString subject = object.value(QStringLiteral("subject")).toString();
            if (object.value(QStringLiteral("rule")).toString() == QLatin1String("shadow-agent")
                && allLogs.contains(QByteArray("\"" + subject.toUtf8() + "\"")))
                expectedShadows.insert(subject);
        }
        QVERIFY(!expectedShadows.isEmpty());
        const QStringList shadows = rows(*workspace, "SELECT external_id FROM identities WHERE kind = 'shadow' ORDER BY 1");
        QStringList expected = expectedShadows.values();
        expected.sort();
        QCOMPARE(shadows, expected);

        // Every event's actor that the inventory declares resolves to that agent, whatever protocol named it.
        const qint64 unresolved = workspace->database().queryInt64(
            "SELECT count(*) FROM events e JOIN identities i ON i.id = e.actor_identity_id "
            "WHERE i.kind <> 'agent' AND i.kind <> 'shadow'");
        QCOMPARE(unresolved, 0);
        for (const char *protocol : {"mcp", "keycloak", "aws", "entra", "okta"}) {
            SqliteStatement agents(workspace->database(), "SELECT count(*) FROM events e JOIN identities i ON i.id = e.actor_identity_id "
                                                          "WHERE i.kind = 'agent' AND e.protocol = ?1");
            agents.bind(1, QString::fromLatin1(protocol));
            QVERIFY(agents.step());
            QVERIFY2(agents.int64(0) > 0, protocol);
        }
        const QStringList aliasesSeenAsShadow = rows(*workspace, "SELECT DISTINCT e.actor_alias FROM events e JOIN identities i ON "
                                                                 "i.id = e.actor_identity_id WHERE i.kind = 'shadow' ORDER BY 1");
        QCOMPARE(aliasesSeenAsShadow, expected);

        // Delegation edges for Keycloak token exchange and CloudTrail role chaining.
        QVERIFY(workspace->database().queryInt64("SELECT count(*) FROM delegation_edges WHERE protocol = 'keycloak'") > 0);
        QVERIFY(workspace->database().queryInt64("SELECT count(*) FROM delegation_edges WHERE protocol = 'aws'") > 0);

        // Record counts match what the generator wrote for the line-per-event formats.
        const QJsonObject perFile = truth.value(QStringLiteral("summary")).toObject().value(QStringLiteral("events_per_file")).toObject();
        for (const QString &file : std::as_const(logs)) {
            const QString relative = QDir(out).relativeFilePath(file);
            if (relative.startsWith(QLatin1String("mcp/")))
                continue; // MCP events are requests joined to responses, not lines
            const auto it2 = std::find_if(result.files.cbegin(), result.files.cend(),
                                          [&](const FileImportResult &f) { return f.path == QFileInfo(file).absoluteFilePath(); });
            QVERIFY(it2 != result.files.cend());
            QCOMPARE(it2->records, static_cast<qint64>(perFile.value(relative).toInt()));
        }
    }

    void streamsAcrossBufferBoundaries_data()
    {
        QTest::addColumn<QString>("layout");
        QTest::newRow("ndjson") << QStringLiteral("ndjson");
        QTest::newRow("ndjson crlf with bom") << QStringLiteral("crlf");
        QTest::newRow("json array") << QStringLiteral("array");
        QTest::newRow("gzip ndjson") << QStringLiteral("gzip");
    }

    // Several MiB of records, so records straddle the reader's 1 MiB chunks; every one must come back whole.
    void streamsAcrossBufferBoundaries()
    {
        QFETCH(QString, layout);
        constexpr int recordCount = 12000;
        QByteArray content;
        const QByteArray newline = layout == QLatin1String("crlf") ? QByteArray("\r\n") : QByteArray("\n");
        if (layout == QLatin1String("crlf"))
            content += "\xEF\xBB\xBF";
        if (layout == QLatin1String("array"))
            content += "[\n";
        for (int i = 0; i < recordCount; ++i) {
            const QByteArray padding(i % 97 * 3, 'p');
            content += QByteArray("{\"id\":\"ev-") + QByteArray::number(i) + "\",\"time\":" + QByteArray::number(1772504140000ll + i)
                + ",\"type\":\"CLIENT_LOGIN\",\"realmId\":\"r\",\"clientId\":\"agt-" + QByteArray::number(i % 7)
                + "\",\"details\":{\"grant_type\":\"client_credentials\",\"scope\":\"a b\",\"token_id\":\"jti-"
                + QByteArray::number(i) + "\",\"note\":\"" + padding + "\"}}";
            content += layout == QLatin1String("array") && i + 1 < recordCount ? QByteArray(",") + newline : newline;
        }
        if (layout == QLatin1String("array"))
            content += "]\n";
        QVERIFY(content.size() > 3 * 1024 * 1024);
        QTemporaryDir dir;
        const QString plain = dir.filePath(QStringLiteral("events.json"));
        {
            QFile file(plain);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(content);
        }
        QString path = plain;
        if (layout == QLatin1String("gzip")) {
            path = dir.filePath(QStringLiteral("events.json.gz"));
            QVERIFY(writeGzip(plain, path));
        }
        auto workspace = freshWorkspace(dir);
        const ImportResult result = importInto(*workspace, {path});
        QVERIFY2(result.status == ImportResult::Status::Committed && result.errorCount() == 0, qPrintable(diagnosticsText(result)));
        QCOMPARE(result.recordCount(), recordCount);
        SqliteStatement events(workspace->database(), "SELECT line, raw_offset, raw_length, raw, token_id FROM events ORDER BY id");
        int index = 0;
        while (events.step()) {
            const QByteArray raw = events.isNull(1) ? events.blob(3) : content.mid(events.int64(1), events.int64(2));
            const QJsonObject record = QJsonDocument::fromJson(raw).object();
            QCOMPARE(record.value(QStringLiteral("id")).toString(), QStringLiteral("ev-%1").arg(index));
            QCOMPARE(events.text(4), QStringLiteral("jti-%1").arg(index));
            QCOMPARE(events.int64(0), static_cast<qint64>(layout == QLatin1String("array") ? index + 2 : index + 1));
            ++index;
        }
        QCOMPARE(index, recordCount);
    }

    void readsConcatenatedPrettyDocuments()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("messages.json"));
        {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write("{\n  \"jsonrpc\": \"2.0\",\n  \"id\": 7,\n  \"method\": \"tools/call\",\n  \"params\": {\"name\": \"x\"}\n}\n"
                       "{\n  \"jsonrpc\": \"2.0\",\n  \"id\": 7,\n  \"result\": {\"isError\": true}\n}\n");
        }
        auto workspace = freshWorkspace(dir);
        const ImportResult result = importInto(*workspace, {path});
        QVERIFY2(result.status == ImportResult::Status::Committed && result.errorCount() == 0, qPrintable(diagnosticsText(result)));
        QCOMPARE(rows(*workspace, "SELECT kind, action, outcome, line FROM events"),
                 QStringList{QStringLiteral("tools/call|x|error|1")});
    }

    void unansweredRequestsKeepFileOrder()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("cut.jsonl"));
        {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            for (int id = 1; id <= 20; ++id)
                file.write(QByteArray("{\"jsonrpc\":\"2.0\",\"id\":") + QByteArray::number(id)
                           + ",\"method\":\"tools/call\",\"params\":{\"name\":\"t" + QByteArray::number(id) + "\"}}\n");
        }
        auto workspace = freshWorkspace(dir);
        const ImportResult result = importInto(*workspace, {path});
        QVERIFY2(result.status == ImportResult::Status::Committed && result.errorCount() == 0, qPrintable(diagnosticsText(result)));
        QStringList expected;
        for (int id = 1; id <= 20; ++id)
            expected.push_back(QStringLiteral("%1|t%1|no response").arg(id));
        QCOMPARE(rows(*workspace, "SELECT line, action, outcome FROM events ORDER BY id"), expected);
    }

    void digestIsTheWholeFile_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<bool>("compressed");
        QTest::newRow("ndjson") << fixture(QStringLiteral("logs/mcp-session-2025.jsonl")) << false;
        QTest::newRow("array") << fixture(QStringLiteral("logs/okta-systemlog.json")) << false;
        QTest::newRow("gzip") << fixture(QStringLiteral("logs/cloudtrail-role-chain.json")) << true;
    }

    // The file is hashed while it is streamed; the digest must still be of every byte on disk.
    void digestIsTheWholeFile()
    {
        QFETCH(QString, file);
        QFETCH(bool, compressed);
        QTemporaryDir dir;
        QString path = file;
        if (compressed) {
            path = dir.filePath(QStringLiteral("trail.json.gz"));
            QVERIFY(writeGzip(file, path));
        }
        QFile bytes(path);
        QVERIFY(bytes.open(QIODevice::ReadOnly));
        const QByteArray expected = QCryptographicHash::hash(bytes.readAll(), QCryptographicHash::Sha256).toHex();
        auto workspace = freshWorkspace(dir);
        const ImportResult first = importInto(*workspace, {path});
        QVERIFY2(first.status == ImportResult::Status::Committed, qPrintable(diagnosticsText(first)));
        QCOMPARE(first.files.constFirst().sha256, expected);
        QCOMPARE(rows(*workspace, "SELECT sha256 FROM sources"), QStringList{QString::fromLatin1(expected)});
        const ImportResult again = importInto(*workspace, {path});
        QCOMPARE(again.files.constFirst().outcome, FileImportResult::Outcome::AlreadyImported);
    }

    void cancelStopsTheImport()
    {
        QTemporaryDir dir;
        auto workspace = freshWorkspace(dir);
        std::atomic_bool cancel{false};
        const ImportResult result = ImportRunner::run(*workspace, {fixture(QStringLiteral("logs/keycloak-events.json"))}, {},
                                                      [&](const ImportProgress &progress) {
                                                          if (progress.records > 0)
                                                              cancel = true;
                                                      },
                                                      cancel);
        QCOMPARE(result.status, ImportResult::Status::Cancelled);
        QCOMPARE(workspace->database().queryInt64("SELECT count(*) FROM events"), 0);
    }
};

QTEST_GUILESS_MAIN(TestLogImporters)
#include "tst_logimporters.moc"

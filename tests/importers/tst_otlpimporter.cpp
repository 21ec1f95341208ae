#include "ImportRunner.h"
#include "SqliteDatabase.h"
#include "Workspace.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

using namespace chainsight;

namespace {

QString fixture(const QString &name)
{
    return QStringLiteral(CHAINSIGHT_TEST_DATA_DIR "/otlp/") + name;
}

QString sample(const QString &name)
{
    return QStringLiteral(CHAINSIGHT_SHARED_DIR "/samples/") + name;
}

ImportResult importInto(Workspace &workspace, const QStringList &paths)
{
    const std::atomic_bool notCancelled{false};
    return ImportRunner::run(workspace, paths, {}, {}, notCancelled);
}

QStringList column(Workspace &workspace, const char *sql)
{
    QStringList values;
    SqliteStatement statement(workspace.database(), sql);
    while (statement.step()) {
        QStringList row;
        for (int i = 0; i < 8 && !statement.isNull(i); ++i)
            row.push_back(statement.text(i));
        values.push_back(row.join(QLatin1Char('|')));
    }
    return values;
}

} // namespace

class TestOtlpImporter : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void importsSpansResolvesAgentsAndLinksHops()
    {
        QTemporaryDir dir;
        QString error;
        auto workspace = Workspace::open(dir.filePath(QStringLiteral("w.chainsight")), Workspace::OpenMode::CreateIfMissing, &error);
        QVERIFY(workspace);
        QCOMPARE(importInto(*workspace, {fixture(QStringLiteral("inventory.json"))}).status, ImportResult::Status::Committed);
        const ImportResult result = importInto(*workspace, {fixture(QStringLiteral("agents.jsonl"))});
        QCOMPARE(result.status, ImportResult::Status::Committed);
        QCOMPARE(result.files[0].format, QStringLiteral("otlp-json"));
        QCOMPARE(result.files[0].records, 6);

        // The two bad lines are named with their line numbers; the good ones around them are imported.
        QCOMPARE(result.files[0].errorCount(), 2);
        QCOMPARE(result.files[0].diagnostics[0].position.line, 3);
        QVERIFY(result.files[0].diagnostics[0].message.contains(QLatin1String("invalid JSON")));
        QCOMPARE(result.files[0].diagnostics[1].position.line, 5);
        QVERIFY(result.files[0].diagnostics[1].message.contains(QLatin1String("resourceSpans")));

        // Each span's actor: its own agent, or the nearest agent above it; the root's end user is the originator.
        QCOMPARE(column(*workspace, "SELECT e.span_id, e.kind, i.kind, i.external_id, e.originator, e.action, e.outcome "
                                    "FROM events e LEFT JOIN identities i ON i.id = e.actor_identity_id ORDER BY e.time_ms"),
                 (QStringList{
                     QStringLiteral("b7ad6b7169203331|invoke_agent|agent|support-supervisor|ana@acme.example|Support supervisor|ok"),
                     QStringLiteral("c1|execute_tool|agent|support-supervisor|ana@acme.example|transfer_to_faq|ok"),
                     QStringLiteral("d2|invoke_agent|agent|faq-worker|ana@acme.example|FAQ worker|ok"),
                     QStringLiteral("e3|execute_tool|agent|faq-worker|ana@acme.example|kb.search|error"),
                     QStringLiteral("f4|invoke_agent|shadow|rogue-helper"),
                     QStringLiteral("f5|chat|shadow|rogue-helper"),
                 }));
        QCOMPARE(column(*workspace, "SELECT delegator_alias, delegate_alias, protocol, link_kind, trace_id FROM delegation_edges"),
                 QStringList{QStringLiteral("support-supervisor|faq-worker|otlp|explicit|0af7651916cd43dd8448eb211c80319c")});
        QCOMPARE(column(*workspace, "SELECT external_id FROM identities WHERE kind = 'shadow'"), QStringList{QStringLiteral("rogue-helper")});

        // Evidence: the stored byte range is exactly the span's JSON in the source file.
        SqliteStatement raw(workspace->database(), "SELECT raw_offset, raw_length FROM events WHERE span_id = 'e3'");
        QVERIFY(raw.step());
        QFile source(fixture(QStringLiteral("agents.jsonl")));
        QVERIFY(source.open(QIODevice::ReadOnly));
        QVERIFY(source.seek(raw.int64(0)));
        const QJsonObject span = QJsonDocument::fromJson(source.read(raw.int64(1))).object();
        QCOMPARE(span.value(QStringLiteral("spanId")).toString(), QStringLiteral("e3"));
    }

    void readsSingleDocumentsAndRealSamples_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<qint64>("spans");
        QTest::addColumn<bool>("shared");
        QTest::newRow("pretty-printed request") << fixture(QStringLiteral("single-request.json")) << qint64(2) << false;
        QTest::newRow("opentelemetry-proto example") << sample(QStringLiteral("otlp-json/otlp-proto-example-trace.json")) << qint64(1) << true;
        QTest::newRow("vercel ai sdk capture") << sample(QStringLiteral("otlp-json/genai-interlingua-vercel-in.json")) << qint64(3) << true;
    }

    void readsSingleDocumentsAndRealSamples()
    {
        QFETCH(QString, path);
        QFETCH(qint64, spans);
        QFETCH(bool, shared);
        if (shared && !QFile::exists(path))
            QSKIP("the shared samples are not present");
        QTemporaryDir dir;
        QString error;
        auto workspace = Workspace::open(dir.filePath(QStringLiteral("w.chainsight")), Workspace::OpenMode::CreateIfMissing, &error);
        const ImportResult result = importInto(*workspace, {path});
        QCOMPARE(result.status, ImportResult::Status::Committed);
        QCOMPARE(result.files[0].format, QStringLiteral("otlp-json"));
        QCOMPARE(result.files[0].errorCount(), 0);
        QCOMPARE(result.files[0].records, spans);
        QVERIFY(!column(*workspace, "SELECT line FROM events WHERE line IS NOT NULL").isEmpty());
    }

    void readsSdkDumpsAndLangfuseExports_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("format");
        QTest::addColumn<qint64>("spans");
        QTest::addColumn<QString>("firstTrace");
        QTest::addColumn<int>("edges");
        QTest::newRow("any-agent openai") << sample(QStringLiteral("otel-sdk-json/any-agent-OPENAI_trace.json")) << QStringLiteral("otel-sdk-json")
                                          << qint64(6) << QStringLiteral("4bedea77bb33b9c5f280371eae21ea97") << 0;
        QTest::newRow("any-agent langchain") << sample(QStringLiteral("otel-sdk-json/any-agent-LANGCHAIN_trace.json")) << QStringLiteral("otel-sdk-json")
                                             << qint64(7) << QStringLiteral("572318454595034fe5076610d6400542") << 0;
        QTest::newRow("langfuse openai agents") << sample(QStringLiteral("langfuse-export/langfuse-openai-agents-2025-09-30.trace.json"))
                                                << QStringLiteral("langfuse-trace") << qint64(5) << QStringLiteral("fee618f96dc31e0ca38b2f7b26eb8b29") << 1;
        QTest::newRow("langfuse microsoft agent") << sample(QStringLiteral("langfuse-export/langfuse-microsoft-agent-2025-12-17.trace.json"))
                                                  << QStringLiteral("langfuse-trace") << qint64(4) << QStringLiteral("8e419d3288419b5d944270505640e183") << 0;
    }

    void readsSdkDumpsAndLangfuseExports()
    {
        QFETCH(QString, path);
        QFETCH(QString, format);
        QFETCH(qint64, spans);
        QFETCH(QString, firstTrace);
        QFETCH(int, edges);
        if (!QFile::exists(path))
            QSKIP("the shared samples are not present");
        QTemporaryDir dir;
        QString error;
        auto workspace = Workspace::open(dir.filePath(QStringLiteral("w.chainsight")), Workspace::OpenMode::CreateIfMissing, &error);
        const ImportResult result = importInto(*workspace, {path});
        QCOMPARE(result.status, ImportResult::Status::Committed);
        QCOMPARE(result.files[0].format, format);
        QCOMPARE(result.files[0].errorCount(), 0);
        QCOMPARE(result.files[0].records, spans);
        // Decimal Python ids become OTLP hex; every span has an acting identity and its raw record.
        QCOMPARE(column(*workspace, "SELECT DISTINCT trace_id FROM events"), QStringList{firstTrace});
        QCOMPARE(column(*workspace, "SELECT count(*) FROM events WHERE actor_identity_id IS NULL OR raw IS NULL"), QStringList{QStringLiteral("0")});
        QCOMPARE(column(*workspace, "SELECT count(*) FROM delegation_edges"), QStringList{QString::number(edges)});
    }

    // Hostile and broken input: a located diagnostic, no crash, and the good records around it still import.
    void badInputIsReportedNotFatal_data()
    {
        QTest::addColumn<QByteArray>("badLine");
        QTest::addColumn<QString>("message");
        QTest::newRow("truncated") << QByteArray(R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"ab")") << QStringLiteral("invalid JSON");
        QTest::newRow("wrong types") << QByteArray(R"({"resourceSpans":{"scopeSpans":7}})") << QStringLiteral("not an OTLP");
        QTest::newRow("span id not a string") << QByteArray(R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"ab","spanId":12}]}]}]})")
                                              << QStringLiteral("not an OTLP");
        QTest::newRow("invalid utf-8") << QByteArray("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"a\xff\xfe\",\"spanId\":\"b\"}]}]}]}")
                                       << QStringLiteral("invalid JSON");
        QTest::newRow("nested 100000 deep") << QByteArray(100000, '[') + QByteArray(100000, ']') << QStringLiteral("request skipped");
        QTest::newRow("not an object") << QByteArray("[1,2,3]") << QStringLiteral("request skipped");
    }

    void badInputIsReportedNotFatal()
    {
        QFETCH(QByteArray, badLine);
        QFETCH(QString, message);
        QTemporaryDir dir;
        QFile good(fixture(QStringLiteral("agents.jsonl")));
        QVERIFY(good.open(QIODevice::ReadOnly));
        const QByteArray firstLine = good.readLine();
        const QString path = dir.filePath(QStringLiteral("bad.jsonl"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(firstLine);
        file.write(badLine + '\n');
        file.write(firstLine);
        file.close();
        QString error;
        auto workspace = Workspace::open(dir.filePath(QStringLiteral("w.chainsight")), Workspace::OpenMode::CreateIfMissing, &error);
        const ImportResult result = importInto(*workspace, {path});
        QCOMPARE(result.status, ImportResult::Status::Committed);
        QCOMPARE(result.files[0].records, 4);
        QCOMPARE(result.files[0].errorCount(), 1);
        const Diagnostic &diagnostic = result.files[0].diagnostics.constFirst();
        QCOMPARE(diagnostic.position.line, 2);
        QVERIFY2(diagnostic.message.contains(message), qPrintable(diagnostic.message));

        ImportOptions strict;
        strict.strict = true;
        auto second = Workspace::open(dir.filePath(QStringLiteral("strict.chainsight")), Workspace::OpenMode::CreateIfMissing, &error);
        const std::atomic_bool notCancelled{false};
        QCOMPARE(ImportRunner::run(*second, {path}, strict, {}, notCancelled).status, ImportResult::Status::Aborted);
        QCOMPARE(column(*second, "SELECT count(*) FROM events"), QStringList{QStringLiteral("0")});
    }

    // Trace documents are parsed whole; deep nesting is refused up front, where walking and copying it would recurse
    // once per level (a 200,000-deep SDK dump or Langfuse export used to overflow the stack).
    void deeplyNestedSpanDocumentsAreRefused_data()
    {
        QTest::addColumn<QString>("format");
        QTest::addColumn<QByteArray>("document");
        QTest::addColumn<bool>("refused"); // the whole file, or only the nested part
        const QByteArray deep = QByteArray(200000, '[') + QByteArray(200000, ']');
        QTest::newRow("sdk dump") << QStringLiteral("otel-sdk-json")
                                  << QByteArray(R"([{"name":"x","context":{"trace_id":"0x1","span_id":"0x2"},"attributes":{"a":)") + deep + "}}]"
                                  << true;
        QTest::newRow("langfuse export") << QStringLiteral("langfuse-trace")
                                         << QByteArray(R"({"trace":{},"observations":[{"id":"o","metadata":)") + deep + "}]}" << true;
        QTest::newRow("langfuse metadata as a string")
            << QStringLiteral("langfuse-trace")
            << QByteArray(R"({"trace":{},"observations":[{"id":"o","name":"chat x","metadata":")") + deep + "\"}]}" << false;
    }

    void deeplyNestedSpanDocumentsAreRefused()
    {
        QFETCH(QString, format);
        QFETCH(QByteArray, document);
        QFETCH(bool, refused);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("deep.json"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(document);
        file.close();
        QString error;
        auto workspace = Workspace::open(dir.filePath(QStringLiteral("w.chainsight")), Workspace::OpenMode::CreateIfMissing, &error);
        ImportOptions options;
        options.format = format;
        const std::atomic_bool notCancelled{false};
        const ImportResult result = ImportRunner::run(*workspace, {path}, options, {}, notCancelled);
        QCOMPARE(result.status, refused ? ImportResult::Status::Aborted : ImportResult::Status::Committed);
        QVERIFY(!result.files[0].diagnostics.isEmpty());
        const Diagnostic &diagnostic = result.files[0].diagnostics.constFirst();
        QVERIFY2(diagnostic.message.contains(QLatin1String("nested more than 256 levels")), qPrintable(diagnostic.message));
        if (refused)
            QCOMPARE(diagnostic.position.line, 1);
    }

    // A span with no name and no GenAI operation is still recorded, as kind "span"; it once had no kind, and the
    // store's NOT NULL constraint aborted the whole import (found by fuzzing the OTLP importer, then the same in
    // the SDK and Langfuse importers).
    void spanWithoutNameOrOperationImports_data()
    {
        QTest::addColumn<QString>("format");
        QTest::addColumn<QByteArray>("document");
        QTest::newRow("otlp") << QStringLiteral("otlp-json")
                              << QByteArray(R"({"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc"}}]},)"
                                            R"("scopeSpans":[{"spans":[{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331",)"
                                            R"("name":"","attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":""}}]}]}]}]})" "\n");
        QTest::newRow("sdk dump") << QStringLiteral("otel-sdk-json") << QByteArray(R"([{"context":{"trace_id":"0x1","span_id":"0x2"},"attributes":{}}])");
        QTest::newRow("langfuse export") << QStringLiteral("langfuse-trace") << QByteArray(R"({"trace":{},"observations":[{"id":"o1"}]})");
    }

    void spanWithoutNameOrOperationImports()
    {
        QFETCH(QString, format);
        QFETCH(QByteArray, document);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("nameless.json"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(document);
        file.close();
        QString error;
        auto workspace = Workspace::open(dir.filePath(QStringLiteral("w.chainsight")), Workspace::OpenMode::CreateIfMissing, &error);
        ImportOptions options;
        options.format = format;
        const std::atomic_bool notCancelled{false};
        const ImportResult result = ImportRunner::run(*workspace, {path}, options, {}, notCancelled);
        QVERIFY2(result.status == ImportResult::Status::Committed, qPrintable(result.failure));
        QCOMPARE(result.files[0].records, 1);
        QCOMPARE(column(*workspace, "SELECT kind FROM events"), QStringList{QStringLiteral("span")});
    }

    void aFiftyMegabyteLineImports()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("big-line.jsonl"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"aa","name":"chat x","attributes":[{"key":"gen_ai.input.messages","value":{"stringValue":")");
        file.write(QByteArray(50 << 20, 'x'));
        file.write(R"("}}]}]}]}]})" "\n");
        file.close();
        QString error;
        auto workspace = Workspace::open(dir.filePath(QStringLiteral("w.chainsight")), Workspace::OpenMode::CreateIfMissing, &error);
        const ImportResult result = importInto(*workspace, {path});
        QCOMPARE(result.status, ImportResult::Status::Committed);
        QCOMPARE(result.files[0].records, 1);
        QCOMPARE(result.files[0].errorCount(), 0);
    }

    // The file is read in chunks that end on a line boundary, on a thread of its own that also hashes it. Lines that
    // straddle a chunk, a line longer than a chunk, CRLF endings and a last line without a newline must all come
    // through whole: every span's line number and byte range point at its own bytes, and the digest is the file's.
    void chunkBoundariesKeepEveryLineAndItsBytes()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("many.jsonl"));
        QByteArray content;
        int spans = 0;
        for (int i = 0; content.size() < (7 << 20); ++i) {
            // One request a line, each span id unique; every 97th line is padded past a whole chunk (2 MB).
            const QByteArray spanId = QByteArray::number(0x1000000000000000LL + i, 16);
            const QByteArray padding(i % 97 == 50 ? (3 << 20) : (i * 37) % 1500, 'p');
            content += QByteArray("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"0af7651916cd43dd8448eb211c80319c\",")
                       + "\"spanId\":\"" + spanId + "\",\"name\":\"chat m\",\"attributes\":[{\"key\":\"note\",\"value\":{\"stringValue\":\""
                       + padding + "\"}}]}]}]}]}";
            content += i % 5 == 0 ? "\r\n" : "\n";
            ++spans;
        }
        content.chop(content.endsWith("\r\n") ? 2 : 1); // the last line ends the file without a newline
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(content);
        file.close();

        QString error;
        auto workspace = Workspace::open(dir.filePath(QStringLiteral("w.chainsight")), Workspace::OpenMode::CreateIfMissing, &error);
        QVERIFY2(workspace, qPrintable(error));
        const ImportResult result = importInto(*workspace, {path});
        QCOMPARE(result.status, ImportResult::Status::Committed);
        QCOMPARE(result.files[0].errorCount(), 0);
        QCOMPARE(result.files[0].records, spans);
        QCOMPARE(column(*workspace, "SELECT sha256 FROM sources"),
                 QStringList{QString::fromLatin1(QCryptographicHash::hash(content, QCryptographicHash::Sha256).toHex())});

        const QList<QByteArray> lines = content.split('\n');
        SqliteStatement events(workspace->database(), "SELECT span_id, line, raw_offset, raw_length FROM events ORDER BY id");
        int checked = 0;
        while (events.step()) {
            const QByteArray raw = content.mid(events.int64(2), events.int64(3));
            QVERIFY2(raw.startsWith("{\"traceId\"") && raw.endsWith("}]}"), raw.left(80).constData());
            QVERIFY(raw.contains(QByteArray("\"spanId\":\"" + events.text(0).toLatin1() + "\"")));
            QVERIFY(lines.at(events.int64(1) - 1).contains(raw));
            ++checked;
        }
        QCOMPARE(checked, spans);
    }

    // The next OTLP file is read and parsed while the one before is still being written. Whatever ends the run
    // early (a strict failure, a cancel) stops that work and leaves the workspace as it was; a file given twice is
    // imported once; and each file's digest and records are its own.
    void severalFilesAreReadAheadAndStopCleanly_data()
    {
        QTest::addColumn<QString>("ending");
        QTest::newRow("all imported") << QStringLiteral("none");
        QTest::newRow("strict failure on the second file") << QStringLiteral("strict");
        QTest::newRow("cancel during the second file") << QStringLiteral("cancel");
        QTest::newRow("the second file given twice") << QStringLiteral("twice");
    }

    void severalFilesAreReadAheadAndStopCleanly()
    {
        QFETCH(QString, ending);
        QTemporaryDir dir;
        auto writeFile = [&](const QString &name, int first, int count, bool badLine) {
            QByteArray content;
            for (int i = first; i < first + count; ++i) {
                content += QByteArray("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"0af7651916cd43dd8448eb211c80319c\",")
                           + "\"spanId\":\"" + QByteArray::number(0x2000000000000000LL + i, 16) + "\",\"name\":\"chat m\"}]}]}]}\n";
                if (badLine && i == first + count / 2)
                    content += "{\"resourceSpans\":[{\"scopeSpans\":7}]}\n";
            }
            QFile file(dir.filePath(name));
            if (!file.open(QIODevice::WriteOnly))
                return QString();
            file.write(content);
            return file.fileName();
        };
        const int perFile = 20000; // about 3 MB each: several batches and chunks per file
        QStringList paths = {writeFile(QStringLiteral("a.jsonl"), 0, perFile, false),
                             writeFile(QStringLiteral("b.jsonl"), perFile, perFile, ending == QLatin1String("strict")),
                             writeFile(QStringLiteral("c.jsonl"), 2 * perFile, perFile, false)};
        if (ending == QLatin1String("twice"))
            paths.insert(2, paths.at(1));

        QString error;
        auto workspace = Workspace::open(dir.filePath(QStringLiteral("w.chainsight")), Workspace::OpenMode::CreateIfMissing, &error);
        QVERIFY2(workspace, qPrintable(error));
        ImportOptions options;
        options.strict = ending == QLatin1String("strict");
        std::atomic_bool cancel{false};
        const ImportProgressCallback progress = [&](const ImportProgress &state) {
            if (ending == QLatin1String("cancel") && state.fileIndex == 1 && state.records > perFile + 100)
                cancel = true;
        };
        const ImportResult result = ImportRunner::run(*workspace, paths, options, progress, cancel);

        if (ending == QLatin1String("strict") || ending == QLatin1String("cancel")) {
            QCOMPARE(result.status, ending == QLatin1String("strict") ? ImportResult::Status::Aborted : ImportResult::Status::Cancelled);
            QCOMPARE(column(*workspace, "SELECT count(*) FROM events"), QStringList{QStringLiteral("0")});
            QCOMPARE(column(*workspace, "SELECT count(*) FROM sources"), QStringList{QStringLiteral("0")});
            return;
        }
        QCOMPARE(result.status, ImportResult::Status::Committed);
        QCOMPARE(column(*workspace, "SELECT count(*), count(DISTINCT span_id) FROM events"),
                 QStringList{QStringLiteral("%1|%1").arg(3 * perFile)});
        QStringList expected;
        for (const QString &path : {paths.constFirst(), paths.at(1), paths.constLast()}) {
            QFile file(path);
            QVERIFY(file.open(QIODevice::ReadOnly));
            expected.push_back(QString::fromLatin1(QCryptographicHash::hash(file.readAll(), QCryptographicHash::Sha256).toHex())
                               + QStringLiteral("|%1").arg(perFile));
        }
        QCOMPARE(column(*workspace, "SELECT sha256, record_count FROM sources ORDER BY id"), expected);
        if (ending == QLatin1String("twice"))
            QCOMPARE(result.files.at(2).outcome, FileImportResult::Outcome::AlreadyImported);
    }

    void generatedWorldResolvesEveryInventoryAgentAndOnlyTrueShadows()
    {
        const QString generator = QStringLiteral(CHAINSIGHT_SHARED_DIR "/bench/gen_enterprise.py");
        if (!QFile::exists(generator))
            QSKIP("the shared generator is not present");
        QTemporaryDir dir;
        const QString world = dir.filePath(QStringLiteral("world"));
        if (QProcess::execute(QStringLiteral("python3"), {generator, QStringLiteral("--out"), world, QStringLiteral("--agents"),
                                                          QStringLiteral("60"), QStringLiteral("--events"), QStringLiteral("4000"),
                                                          QStringLiteral("--formats"), QStringLiteral("otlp"), QStringLiteral("--no-crypto"),
                                                          QStringLiteral("--anomaly-rate"), QStringLiteral("0.1")})
            != 0)
            QSKIP("python3 could not run the generator");
        QString error;
        auto workspace = Workspace::open(dir.filePath(QStringLiteral("w.chainsight")), Workspace::OpenMode::CreateIfMissing, &error);
        QStringList files{world + QStringLiteral("/inventory.json")};
        for (const QString &name : QDir(world + QStringLiteral("/otlp")).entryList({QStringLiteral("*.jsonl")}))
            files.push_back(world + QStringLiteral("/otlp/") + name);
        const ImportResult result = importInto(*workspace, files);
        QCOMPARE(result.status, ImportResult::Status::Committed);
        QCOMPARE(result.errorCount(), 0);

        QFile truthFile(world + QStringLiteral("/truth.json"));
        QVERIFY(truthFile.open(QIODevice::ReadOnly));
        QSet<QString> expectedShadows;
        for (const auto &anomaly : QJsonDocument::fromJson(truthFile.readAll()).object().value(QStringLiteral("anomalies")).toArray()) {
            if (anomaly.toObject().value(QStringLiteral("rule")).toString() == QLatin1String("shadow-agent"))
                expectedShadows.insert(anomaly.toObject().value(QStringLiteral("subject")).toString());
        }
        QVERIFY(!expectedShadows.isEmpty());
        const QStringList shadows = column(*workspace, "SELECT external_id FROM identities WHERE kind = 'shadow'");
        QCOMPARE(QSet<QString>(shadows.cbegin(), shadows.cend()), expectedShadows);
        // Every actor alias the inventory declares resolved to its agent.
        QCOMPARE(column(*workspace, "SELECT count(*) FROM events e JOIN aliases a ON a.alias = e.actor_alias "
                                    "JOIN identities i ON i.id = e.actor_identity_id WHERE i.kind <> 'agent' "
                                    "AND a.alias_type = 'otel-agent' AND a.source_id = 1"),
                 QStringList{QStringLiteral("0")});
        QVERIFY(column(*workspace, "SELECT count(*) FROM delegation_edges").constFirst().toInt() > 0);
    }
};

QTEST_GUILESS_MAIN(TestOtlpImporter)
#include "tst_otlpimporter.moc"

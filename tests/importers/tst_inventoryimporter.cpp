#include "DemoData.h"
#include "ImportRunner.h"
#include "SourceImporter.h"
#include "SqliteDatabase.h"
#include "Workspace.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace chainsight;

namespace {

QString fixture(const QString &name)
{
    return QStringLiteral(CHAINSIGHT_TEST_DATA_DIR "/inventory/") + name;
}

ImportResult importInto(Workspace &workspace, const QStringList &paths, ImportOptions options = {})
{
    const std::atomic_bool notCancelled{false};
    return ImportRunner::run(workspace, paths, options, {}, notCancelled);
}

std::unique_ptr<Workspace> freshWorkspace(const QTemporaryDir &dir, const QString &name = QStringLiteral("w.chainsight"))
{
    QString error;
    auto workspace = Workspace::open(dir.filePath(name), Workspace::OpenMode::CreateIfMissing, &error);
    if (!workspace)
        qWarning() << error;
    return workspace;
}

// Everything the inventory says about agents, as comparable text: identity, owner, credentials, aliases.
QStringList agentFacts(Workspace &workspace)
{
    QStringList facts;
    QString error;
    const auto agents = workspace.agents(&error);
    for (const AgentSummary &agent : *agents) {
        facts.push_back(QStringList{agent.id, agent.name, agent.role, agent.owner, agent.purpose,
                                    agent.intents.join(QLatin1Char(';')), agent.mayDelegateTo.join(QLatin1Char(';')),
                                    agent.maxDelegationDepth ? QString::number(*agent.maxDelegationDepth) : QString(),
                                    agent.extraJson}
                            .join(QLatin1Char('|')));
        for (const CredentialRecord &credential : agent.credentials)
            facts.push_back(agent.id + QStringLiteral(" credential ") + credential.type + QLatin1Char(':') + credential.id);
    }
    SqliteStatement aliases(workspace.database(), "SELECT a.alias_type, a.alias, i.external_id FROM aliases a "
                                                  "JOIN identities i ON i.id = a.identity_id ORDER BY 1, 2, 3");
    while (aliases.step())
        facts.push_back(QStringLiteral("alias %1:%2 -> %3").arg(aliases.text(0), aliases.text(1), aliases.text(2)));
    return facts;
}

WorkspaceCounts counts(Workspace &workspace)
{
    QString error;
    return workspace.info(&error)->counts;
}

} // namespace

class TestInventoryImporter : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void sniffsFormatFromContent_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("format");
        QTest::newRow("json") << fixture(QStringLiteral("valid.json")) << QStringLiteral("inventory-json");
        QTest::newRow("csv") << fixture(QStringLiteral("valid.csv")) << QStringLiteral("inventory-csv");
        QTest::newRow("bad csv is still csv") << fixture(QStringLiteral("bad-records.csv")) << QStringLiteral("inventory-csv");
    }

    void sniffsFormatFromContent()
    {
        QFETCH(QString, file);
        QFETCH(QString, format);
        // Copy under a misleading extension: the content decides.
        QTemporaryDir dir;
        const QString renamed = dir.filePath(QStringLiteral("data.txt"));
        QVERIFY(QFile::copy(file, renamed));
        QString reason;
        const SourceImporter *importer = sniffImporter(renamed, &reason);
        QVERIFY2(importer, qPrintable(reason));
        QCOMPARE(importer->format(), format);
    }

    void unknownContentIsRejectedClearly()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("notes.json"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("{\"something\": \"else\"}");
        file.close();
        auto workspace = freshWorkspace(dir);
        const ImportResult result = importInto(*workspace, {path});
        QCOMPARE(result.status, ImportResult::Status::Aborted);
        QVERIFY2(result.failure.contains(QLatin1String("not recognised")), qPrintable(result.failure));
    }

    void jsonAndCsvGiveIdenticalAgents()
    {
        QTemporaryDir dir;
        auto fromJson = freshWorkspace(dir, QStringLiteral("json.chainsight"));
        auto fromCsv = freshWorkspace(dir, QStringLiteral("csv.chainsight"));
        QCOMPARE(importInto(*fromJson, {fixture(QStringLiteral("valid.json"))}).status, ImportResult::Status::Committed);
        QCOMPARE(importInto(*fromCsv, {fixture(QStringLiteral("valid.csv"))}).status, ImportResult::Status::Committed);
        const QStringList jsonFacts = agentFacts(*fromJson);
        QCOMPARE(jsonFacts.size(), 3 + 6 + 6);
        QCOMPARE(agentFacts(*fromCsv), jsonFacts);
        QVERIFY(jsonFacts.contains(QStringLiteral("alias oauth-client:0oaSUP -> support-supervisor")));
        QVERIFY(jsonFacts.contains(QStringLiteral("support-supervisor|Support supervisor|supervisor|ana@acme.example|"
                                                  "Answer customer questions|crm.read;mail.send|faq-worker|2|{\"tier\":\"gold\"}")));
    }

    void generatedWorldJsonAndCsvAgree()
    {
        const QString generator = QStringLiteral(CHAINSIGHT_SHARED_DIR "/bench/gen_enterprise.py");
        if (!QFile::exists(generator))
            QSKIP("the shared generator is not present");
        QTemporaryDir dir;
        QProcess python;
        python.start(QStringLiteral("python3"), {generator, QStringLiteral("--out"), dir.filePath(QStringLiteral("world")),
                                                 QStringLiteral("--agents"), QStringLiteral("40"), QStringLiteral("--events"),
                                                 QStringLiteral("50"), QStringLiteral("--formats"), QStringLiteral("otlp"),
                                                 QStringLiteral("--no-crypto")});
        if (!python.waitForFinished(120000) || python.exitCode() != 0)
            QSKIP("python3 could not run the generator");
        auto fromJson = freshWorkspace(dir, QStringLiteral("json.chainsight"));
        auto fromCsv = freshWorkspace(dir, QStringLiteral("csv.chainsight"));
        const ImportResult json = importInto(*fromJson, {dir.filePath(QStringLiteral("world/inventory.json"))});
        const ImportResult csv = importInto(*fromCsv, {dir.filePath(QStringLiteral("world/inventory.csv"))});
        QCOMPARE(json.status, ImportResult::Status::Committed);
        QCOMPARE(csv.status, ImportResult::Status::Committed);
        QCOMPARE(json.errorCount(), 0);
        QCOMPARE(csv.errorCount(), 0);
        QCOMPARE(agentFacts(*fromCsv), agentFacts(*fromJson));
        QVERIFY(counts(*fromJson).agents >= 30);
    }

    void badRecordsAreSkippedAndNamed_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QList<qint64>>("badLines");
        QTest::newRow("json") << fixture(QStringLiteral("bad-records.json")) << QList<qint64>{5, 7, 9};
        QTest::newRow("csv") << fixture(QStringLiteral("bad-records.csv")) << QList<qint64>{3, 5, 7};
    }

    void badRecordsAreSkippedAndNamed()
    {
        QFETCH(QString, file);
        QFETCH(QList<qint64>, badLines);
        QTemporaryDir dir;
        auto workspace = freshWorkspace(dir);
        const ImportResult result = importInto(*workspace, {file});
        QCOMPARE(result.status, ImportResult::Status::Committed);
        QCOMPARE(result.files.size(), 1);
        QCOMPARE(result.files[0].records, 4);
        QList<qint64> lines;
        for (const Diagnostic &diagnostic : result.files[0].diagnostics) {
            QCOMPARE(diagnostic.severity, Severity::Error);
            QCOMPARE(diagnostic.file, QFileInfo(file).absoluteFilePath());
            QVERIFY(diagnostic.position.column > 0);
            QVERIFY2(diagnostic.message.contains(QLatin1String("skipped")), qPrintable(diagnostic.message));
            lines.push_back(diagnostic.position.line);
        }
        QCOMPARE(lines, badLines);
        QCOMPARE(counts(*workspace).agents, 4);
        QString error;
        const auto info = workspace->info(&error);
        QCOMPARE(info->sources.size(), 1);
        QCOMPARE(info->sources[0].errors, 3);
        QCOMPARE(workspace->sourceDiagnostics(info->sources[0].id, &error)->size(), 3);
    }

    void strictAbortsAndChangesNothing()
    {
        QTemporaryDir dir;
        auto workspace = freshWorkspace(dir);
        QCOMPARE(importInto(*workspace, {fixture(QStringLiteral("valid.json"))}).status, ImportResult::Status::Committed);
        const WorkspaceCounts before = counts(*workspace);
        ImportOptions strict;
        strict.strict = true;
        const ImportResult result = importInto(*workspace, {fixture(QStringLiteral("valid.csv")), fixture(QStringLiteral("bad-records.json"))}, strict);
        QCOMPARE(result.status, ImportResult::Status::Aborted);
        QVERIFY(result.failure.contains(QLatin1String("--strict")));
        QCOMPARE(counts(*workspace), before);
        QString error;
        QCOMPARE(workspace->info(&error)->sources.size(), 1);
    }

    void reimportIsDetectedNotDuplicated()
    {
        QTemporaryDir dir;
        auto workspace = freshWorkspace(dir);
        QCOMPARE(importInto(*workspace, {fixture(QStringLiteral("valid.json"))}).status, ImportResult::Status::Committed);
        const WorkspaceCounts before = counts(*workspace);
        const QString copy = dir.filePath(QStringLiteral("same-content.json"));
        QVERIFY(QFile::copy(fixture(QStringLiteral("valid.json")), copy));
        const ImportResult again = importInto(*workspace, {copy});
        QCOMPARE(again.status, ImportResult::Status::Committed);
        QCOMPARE(again.files[0].outcome, FileImportResult::Outcome::AlreadyImported);
        QCOMPARE(again.files[0].alreadyImportedAs, QFileInfo(fixture(QStringLiteral("valid.json"))).absoluteFilePath());
        QCOMPARE(counts(*workspace), before);
        QString error;
        QCOMPARE(workspace->info(&error)->sources.size(), 1);
    }

    void unreadableFilesAbortWithLocation_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<qint64>("line");
        QTest::addColumn<QString>("message");
        QTest::newRow("syntax error") << fixture(QStringLiteral("syntax-error.json")) << qint64(4) << QStringLiteral("invalid JSON");
        QTest::newRow("truncated") << fixture(QStringLiteral("truncated.json")) << qint64(1) << QStringLiteral("invalid JSON");
        QTest::newRow("newer version") << fixture(QStringLiteral("newer-version.json")) << qint64(1) << QStringLiteral("newer");
        QTest::newRow("invalid utf-8") << fixture(QStringLiteral("invalid-utf8.csv")) << qint64(2) << QStringLiteral("UTF-8");
    }

    void unreadableFilesAbortWithLocation()
    {
        QFETCH(QString, file);
        QFETCH(qint64, line);
        QFETCH(QString, message);
        QTemporaryDir dir;
        auto workspace = freshWorkspace(dir);
        const ImportResult result = importInto(*workspace, {file});
        QCOMPARE(result.status, ImportResult::Status::Aborted);
        QVERIFY(!result.files[0].diagnostics.isEmpty());
        const Diagnostic &diagnostic = result.files[0].diagnostics.front();
        QCOMPARE(diagnostic.position.line, line);
        QVERIFY2(diagnostic.message.contains(message), qPrintable(diagnostic.message));
        QCOMPARE(counts(*workspace), WorkspaceCounts{});
    }

    void duplicateKeysAreAnError()
    {
        QTemporaryDir dir;
        auto workspace = freshWorkspace(dir);
        const ImportResult result = importInto(*workspace, {fixture(QStringLiteral("duplicate-key.json"))});
        QCOMPARE(result.status, ImportResult::Status::Committed);
        QCOMPARE(result.files[0].records, 1);
        QCOMPARE(result.files[0].errorCount(), 1);
        QVERIFY(result.files[0].diagnostics[0].message.contains(QLatin1String("\"role\" appears twice")));
    }

    void deepNestingIsRefused()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("deep.json"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("{\"chainsight_inventory\": 1, \"agents\": [{\"id\": \"x\", \"extra\": ");
        file.write(QByteArray(100000, '['));
        file.write(QByteArray(100000, ']'));
        file.write("}]}");
        file.close();
        auto workspace = freshWorkspace(dir);
        const ImportResult result = importInto(*workspace, {path});
        QCOMPARE(result.status, ImportResult::Status::Aborted);
        QVERIFY(result.files[0].diagnostics[0].message.contains(QLatin1String("nested")));
    }

    // A CSV row past 1 MB (a quote never closed, a file of commas) is skipped with its line, and the rows after it
    // still import; it is never buffered whole.
    void overlongCsvRowIsSkipped_data()
    {
        QTest::addColumn<QByteArray>("row");
        QTest::newRow("one huge field") << QByteArray("huge,") + QByteArray(2 << 20, 'x');
        QTest::newRow("a million empty fields") << QByteArray("commas") + QByteArray(2 << 20, ',');
        QTest::newRow("quoted field over 1 MB") << QByteArray("quoted,\"") + QByteArray(2 << 20, 'y') + '"';
    }

    void overlongCsvRowIsSkipped()
    {
        QFETCH(QByteArray, row);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("long-row.csv"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("id,owner\nbefore,ana@x\n");
        file.write(row + '\n');
        file.write("after,ana@x\n");
        file.close();
        auto workspace = freshWorkspace(dir);
        const ImportResult result = importInto(*workspace, {path});
        QCOMPARE(result.status, ImportResult::Status::Committed);
        QCOMPARE(result.files[0].records, 2);
        QCOMPARE(result.files[0].errorCount(), 1);
        const Diagnostic &diagnostic = result.files[0].diagnostics.constFirst();
        QCOMPARE(diagnostic.position.line, 3);
        QVERIFY2(diagnostic.message.contains(QLatin1String("longer than 1 MB")), qPrintable(diagnostic.message));
    }

    void cancelLeavesWorkspaceUnchanged()
    {
        QTemporaryDir dir;
        auto workspace = freshWorkspace(dir);
        QCOMPARE(importInto(*workspace, {fixture(QStringLiteral("valid.json"))}).status, ImportResult::Status::Committed);
        const WorkspaceCounts before = counts(*workspace);
        std::atomic_bool cancel{false};
        int calls = 0;
        // Cancel from inside the progress callback, as the GUI's button does from another thread.
        const ImportProgressCallback progress = [&](const ImportProgress &) {
            ++calls;
            cancel = true;
        };
        const QString big = dir.filePath(QStringLiteral("big.csv"));
        QFile file(big);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("id,role,owner,credentials\n");
        for (int i = 0; i < 20000; ++i)
            file.write(QStringLiteral("agent-%1,worker,ana@x,api-key:k%1\n").arg(i).toUtf8());
        file.close();
        const ImportResult result = ImportRunner::run(*workspace, {big}, {}, progress, cancel);
        QCOMPARE(result.status, ImportResult::Status::Cancelled);
        QVERIFY(calls > 0);
        QCOMPARE(counts(*workspace), before);
    }

    void demoDataImportsCleanly()
    {
        QTemporaryDir dir;
        QString error;
        const auto path = DemoData::buildWorkspace(dir.path(), &error);
        QVERIFY2(path, qPrintable(error));
        auto workspace = Workspace::open(*path, Workspace::OpenMode::ReadOnly, &error);
        QVERIFY(workspace);
        const auto info = workspace->info(&error);
        QCOMPARE(info->sources.size(), DemoData::inputFileNames().size());
        for (const SourceInfo &source : info->sources)
            QCOMPARE(source.errors, 0);
        QVERIFY(info->counts.agents >= 12);
        QVERIFY(info->counts.humans >= 3);
        QVERIFY(info->counts.tools >= 5);
    }
};

QTEST_GUILESS_MAIN(TestInventoryImporter)
#include "tst_inventoryimporter.moc"

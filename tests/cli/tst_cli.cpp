#include "WorkspaceSchema.h"
#include "SqliteDatabase.h"
#include "Workspace.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace chainsight;

namespace {

QString fixture(const QString &name)
{
    return QStringLiteral(CHAINSIGHT_TEST_DATA_DIR "/inventory/") + name;
}

struct CliRun
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

CliRun cli(const QStringList &arguments)
{
    QProcess process;
    process.start(QStringLiteral(CHAINSIGHT_CLI_PATH), arguments);
    CliRun run;
    if (!process.waitForFinished(300000)) {
        process.kill();
        process.waitForFinished();
        return run;
    }
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    run.out = process.readAllStandardOutput();
    run.err = process.readAllStandardError();
    return run;
}

QJsonObject infoJson(const QString &workspace)
{
    const CliRun run = cli({QStringLiteral("info"), QStringLiteral("-w"), workspace, QStringLiteral("--json")});
    return QJsonDocument::fromJson(run.out).object();
}

// A large, valid inventory so an import takes long enough to be interrupted.
QString writeLargeInventory(const QTemporaryDir &dir, int agents)
{
    const QString path = dir.filePath(QStringLiteral("large.json"));
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return {};
    file.write("{\"chainsight_inventory\": 1, \"agents\": [\n");
    for (int i = 0; i < agents; ++i) {
        file.write(QStringLiteral("{\"id\": \"bulk-agent-%1\", \"role\": \"worker\", \"owner\": \"owner-%2@corp.example\", "
                                  "\"purpose\": \"Bulk agent number %1\", \"intents\": [\"crm.read\", \"mail.send\"], "
                                  "\"credentials\": [{\"type\": \"oauth-client\", \"id\": \"client-%1\"}, "
                                  "{\"type\": \"api-key\", \"id\": \"key-%1\", \"created\": \"2025-01-01T00:00:00Z\"}]}%3\n")
                       .arg(i)
                       .arg(i % 50)
                       .arg(i + 1 < agents ? QStringLiteral(",") : QString())
                       .toUtf8());
    }
    file.write("]}\n");
    return path;
}

} // namespace

class TestCli : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void versionAndUsage()
    {
        const CliRun version = cli({QStringLiteral("--version")});
        QCOMPARE(version.exitCode, 0);
        QVERIFY(version.out.startsWith("chainsight-cli "));
        QCOMPARE(cli({}).exitCode, 2);
        QCOMPARE(cli({QStringLiteral("frobnicate")}).exitCode, 2);
        QCOMPARE(cli({QStringLiteral("import"), QStringLiteral("--no-such-option")}).exitCode, 2);
        QCOMPARE(cli({QStringLiteral("import"), QStringLiteral("--help")}).exitCode, 0);
    }

    void importThenInfoJson()
    {
        QTemporaryDir dir;
        const QString workspace = dir.filePath(QStringLiteral("w.chainsight"));
        const CliRun run = cli({QStringLiteral("import"), QStringLiteral("-w"), workspace, fixture(QStringLiteral("valid.json")),
                                fixture(QStringLiteral("valid.csv")), QStringLiteral("--json")});
        QCOMPARE(run.exitCode, 0);
        const QJsonObject result = QJsonDocument::fromJson(run.out).object();
        QCOMPARE(result.value(QStringLiteral("status")).toString(), QStringLiteral("committed"));
        QCOMPARE(result.value(QStringLiteral("files")).toArray().size(), 2);

        const QJsonObject info = infoJson(workspace);
        QCOMPARE(info.value(QStringLiteral("schema_version")).toInt(), WorkspaceSchema::currentVersion());
        const QJsonArray sources = info.value(QStringLiteral("sources")).toArray();
        QCOMPARE(sources.size(), 2);
        const QJsonObject first = sources.at(0).toObject();
        for (const char *key : {"path", "sha256", "format", "records", "errors"})
            QVERIFY2(first.contains(QLatin1String(key)), key);
        QCOMPARE(first.value(QStringLiteral("format")).toString(), QStringLiteral("inventory-json"));
        QCOMPARE(first.value(QStringLiteral("sha256")).toString().size(), 64);
        const QJsonObject counts = info.value(QStringLiteral("counts")).toObject();
        for (const char *key : {"humans", "agents", "tools", "credentials", "events", "edges", "findings"})
            QVERIFY2(counts.contains(QLatin1String(key)), key);
        QCOMPARE(counts.value(QStringLiteral("agents")).toInt(), 3);
        QCOMPARE(counts.value(QStringLiteral("humans")).toInt(), 2);
        QCOMPARE(counts.value(QStringLiteral("credentials")).toInt(), 6);

        const CliRun agents = cli({QStringLiteral("agents"), QStringLiteral("-w"), workspace, QStringLiteral("--json")});
        QCOMPARE(agents.exitCode, 0);
        const QJsonArray list = QJsonDocument::fromJson(agents.out).object().value(QStringLiteral("agents")).toArray();
        QCOMPARE(list.size(), 3);
        QCOMPARE(list.at(0).toObject().value(QStringLiteral("id")).toString(), QStringLiteral("billing-agent"));
        QVERIFY(list.at(0).toObject().value(QStringLiteral("owner")).isNull());
    }

    void findingsJsonTimeRangeAndGate()
    {
        QTemporaryDir dir;
        const QString workspace = dir.filePath(QStringLiteral("tokens.chainsight"));
        QCOMPARE(cli({QStringLiteral("import"), QStringLiteral("-w"), workspace,
                      QStringLiteral(CHAINSIGHT_TEST_DATA_DIR "/tokens/may-act-exchange.jsonl")})
                     .exitCode,
                 0);
        const auto findings = [&](const QStringList &extra) {
            return cli(QStringList{QStringLiteral("findings"), QStringLiteral("-w"), workspace, QStringLiteral("--rule"),
                                   QStringLiteral("may-act-violation")}
                       + extra);
        };
        const CliRun all = findings({QStringLiteral("--json")});
        QCOMPARE(all.exitCode, 0);
        const QJsonArray array = QJsonDocument::fromJson(all.out).array();
        QCOMPARE(array.size(), 2);
        const QJsonObject first = array.at(0).toObject();
        for (const char *key : {"id", "rule", "severity", "subject", "chain", "identity", "events", "explanation", "first_seen", "last_seen"})
            QVERIFY2(first.contains(QLatin1String(key)), key);
        QCOMPARE(first.value(QStringLiteral("subject")).toString(), QStringLiteral("s1-intruder"));
        QCOMPARE(first.value(QStringLiteral("first_seen")).toString(), QStringLiteral("2026-01-01T00:03:00.000Z"));

        // The range keeps findings whose evidence overlaps it, and the gate sees only those.
        const CliRun later = findings({QStringLiteral("--json"), QStringLiteral("--since"), QStringLiteral("2026-01-01T00:04:00Z")});
        QCOMPARE(later.exitCode, 0);
        const QJsonArray kept = QJsonDocument::fromJson(later.out).array();
        QCOMPARE(kept.size(), 1);
        QCOMPARE(kept.at(0).toObject().value(QStringLiteral("subject")).toString(), QStringLiteral("s2-other"));
        QCOMPARE(findings({QStringLiteral("--until"), QStringLiteral("2026-01-01T01:00:00+01:00")}).out.count('\n'), 1);
        QCOMPARE(findings({QStringLiteral("--fail-on"), QStringLiteral("high")}).exitCode, 1);
        QCOMPARE(findings({QStringLiteral("--fail-on"), QStringLiteral("high"), QStringLiteral("--since"), QStringLiteral("2027-01-01")}).exitCode, 0);
        const CliRun bad = findings({QStringLiteral("--since"), QStringLiteral("yesterday")});
        QCOMPARE(bad.exitCode, 2);
        QVERIFY2(bad.err.contains("ISO 8601"), bad.err.constData());
    }

    void badRecordsAreNamedAndStrictChangesNothing()
    {
        QTemporaryDir dir;
        const QString workspace = dir.filePath(QStringLiteral("w.chainsight"));
        QCOMPARE(cli({QStringLiteral("import"), QStringLiteral("-w"), workspace, fixture(QStringLiteral("valid.json"))}).exitCode, 0);
        const QJsonObject before = infoJson(workspace);

        const CliRun strict = cli({QStringLiteral("import"), QStringLiteral("-w"), workspace, QStringLiteral("--strict"),
                                   fixture(QStringLiteral("bad-records.json"))});
        QCOMPARE(strict.exitCode, 2);
        QCOMPARE(infoJson(workspace), before);

        const CliRun lenient = cli({QStringLiteral("import"), QStringLiteral("-w"), workspace, fixture(QStringLiteral("bad-records.json"))});
        QCOMPARE(lenient.exitCode, 0);
        const QString path = QFileInfo(fixture(QStringLiteral("bad-records.json"))).absoluteFilePath();
        const QStringList errors = QString::fromUtf8(lenient.err).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(errors.size(), 3);
        QVERIFY(errors[0].startsWith(path + QStringLiteral(":5:5: error: ")));
        QVERIFY(errors[1].startsWith(path + QStringLiteral(":7:5: error: ")));
        QVERIFY(errors[2].startsWith(path + QStringLiteral(":9:5: error: ")));
        QCOMPARE(infoJson(workspace).value(QStringLiteral("counts")).toObject().value(QStringLiteral("agents")).toInt(), 3 + 4);
    }

    void aFolderImportsWhatItRecognises()
    {
        QTemporaryDir dir;
        QDir().mkpath(dir.filePath(QStringLiteral("export/nested")));
        QVERIFY(QFile::copy(fixture(QStringLiteral("valid.json")), dir.filePath(QStringLiteral("export/inventory.json"))));
        QVERIFY(QFile::copy(QStringLiteral(CHAINSIGHT_TEST_DATA_DIR "/otlp/single-request.json"), dir.filePath(QStringLiteral("export/nested/trace.json"))));
        QFile notes(dir.filePath(QStringLiteral("export/README.txt")));
        QVERIFY(notes.open(QIODevice::WriteOnly));
        notes.write("exported by the gateway team\n");
        notes.close();
        const QString workspace = dir.filePath(QStringLiteral("w.chainsight"));
        const CliRun run = cli({QStringLiteral("import"), QStringLiteral("-w"), workspace, dir.filePath(QStringLiteral("export")), QStringLiteral("--json")});
        QCOMPARE(run.exitCode, 0);
        const QJsonObject result = QJsonDocument::fromJson(run.out).object();
        QCOMPARE(result.value(QStringLiteral("files")).toArray().size(), 2);
        QCOMPARE(result.value(QStringLiteral("skipped")).toArray().size(), 1);
        QVERIFY(result.value(QStringLiteral("skipped")).toArray().at(0).toString().endsWith(QLatin1String("README.txt")));
        QCOMPARE(infoJson(workspace).value(QStringLiteral("counts")).toObject().value(QStringLiteral("events")).toInt(), 2);
    }

    void notAWorkspaceIsBadInput()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("notes.chainsight"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("just some notes\n");
        file.close();
        const CliRun run = cli({QStringLiteral("info"), QStringLiteral("-w"), path});
        QCOMPARE(run.exitCode, 2);
        QVERIFY(run.err.contains("not a Chainsight workspace"));
        QFile check(path);
        QVERIFY(check.open(QIODevice::ReadOnly));
        QCOMPARE(check.readAll(), QByteArray("just some notes\n"));
    }

    // info --check reads every page: ok on a sound workspace, exit 2 and the damage named on a broken one.
    void infoCheckFindsDamageInTheEventTable()
    {
        QTemporaryDir dir;
        QCOMPARE(cli({QStringLiteral("demo"), QStringLiteral("--out"), dir.path()}).exitCode, 0);
        const QString workspace = dir.filePath(QStringLiteral("demo.chainsight"));
        const CliRun sound = cli({QStringLiteral("info"), QStringLiteral("-w"), workspace, QStringLiteral("--check")});
        QCOMPARE(sound.exitCode, 0);
        QVERIFY2(sound.out.contains("Integrity: ok"), sound.out.constData());
        QCOMPARE(QJsonDocument::fromJson(cli({QStringLiteral("info"), QStringLiteral("-w"), workspace, QStringLiteral("--check"),
                                              QStringLiteral("--json")}).out)
                     .object()
                     .value(QStringLiteral("integrity"))
                     .toString(),
                 QStringLiteral("ok"));

        qint64 rootPage = 0;
        qint64 pageSize = 0;
        {
            QString error;
            auto opened = Workspace::open(workspace, Workspace::OpenMode::ReadOnly, &error);
            QVERIFY2(opened, qPrintable(error));
            rootPage = opened->database().queryInt64("SELECT rootpage FROM sqlite_master WHERE name = 'events'");
            pageSize = opened->database().queryInt64("PRAGMA page_size");
        }
        QFile file(workspace);
        QVERIFY(file.open(QIODevice::ReadWrite));
        QVERIFY(file.seek((rootPage - 1) * pageSize));
        QCOMPARE(file.write("\x07", 1), qint64(1)); // not a B-tree page type
        file.close();
        const CliRun damaged = cli({QStringLiteral("info"), QStringLiteral("-w"), workspace, QStringLiteral("--check")});
        QCOMPARE(damaged.exitCode, 2);
        QVERIFY2(damaged.err.contains("the workspace is damaged"), damaged.err.constData());
    }

    void demoWritesInputsAndWorkspace()
    {
        QTemporaryDir dir;
        const CliRun run = cli({QStringLiteral("demo"), QStringLiteral("--out"), dir.path()});
        QCOMPARE(run.exitCode, 0);
        QVERIFY(QFile::exists(dir.filePath(QStringLiteral("inventory.json"))));
        const QJsonObject info = infoJson(dir.filePath(QStringLiteral("demo.chainsight")));
        QVERIFY(info.value(QStringLiteral("counts")).toObject().value(QStringLiteral("agents")).toInt() >= 12);
    }

    // SIGKILL at random points of a large import: the workspace always opens, passes its integrity check and
    // holds either the whole import or none of it.
    void killDuringImportLosesNothing()
    {
        QTemporaryDir dir;
        const QString base = dir.filePath(QStringLiteral("base.chainsight"));
        QCOMPARE(cli({QStringLiteral("import"), QStringLiteral("-w"), base, fixture(QStringLiteral("valid.json"))}).exitCode, 0);
        const QJsonObject before = infoJson(base);
        const QString large = writeLargeInventory(dir, 30000);
        QVERIFY(!large.isEmpty());

        // One complete run tells how long an import takes and what "all of it" looks like.
        const QString complete = dir.filePath(QStringLiteral("complete.chainsight"));
        QVERIFY(QFile::copy(base, complete));
        QElapsedTimer clock;
        clock.start();
        QCOMPARE(cli({QStringLiteral("import"), QStringLiteral("-w"), complete, large}).exitCode, 0);
        const qint64 fullMs = std::max<qint64>(clock.elapsed(), 50);
        QJsonObject all = infoJson(complete);
        const auto withoutTimes = [](QJsonObject info) {
            QJsonArray sources = info.value(QStringLiteral("sources")).toArray();
            for (auto source : sources) {
                QJsonObject object = source.toObject();
                object.remove(QStringLiteral("imported_at"));
                source = object;
            }
            info.insert(QStringLiteral("sources"), sources);
            return info;
        };
        all = withoutTimes(all);

        QRandomGenerator random(20261128);
        int killedMidway = 0;
        for (int round = 0; round < 5; ++round) {
            const QString workspacePath = dir.filePath(QStringLiteral("w%1.chainsight").arg(round));
            QVERIFY(QFile::copy(base, workspacePath));
            QProcess process;
            process.start(QStringLiteral(CHAINSIGHT_CLI_PATH), {QStringLiteral("import"), QStringLiteral("-w"), workspacePath, large});
            QVERIFY(process.waitForStarted());
            QTest::qSleep(static_cast<int>(fullMs / 20 + random.bounded(fullMs * 9 / 10)));
            const bool wasRunning = process.state() == QProcess::Running;
            if (wasRunning)
                ::kill(static_cast<pid_t>(process.processId()), SIGKILL);
            process.waitForFinished();

            QString error;
            auto workspace = Workspace::open(workspacePath, Workspace::OpenMode::OpenExisting, &error);
            QVERIFY2(workspace, qPrintable(error));
            QCOMPARE(workspace->database().queryText("PRAGMA integrity_check"), QStringLiteral("ok"));
            workspace.reset();
            const QJsonObject after = infoJson(workspacePath);
            if (after == before) {
                killedMidway += wasRunning ? 1 : 0;
            } else {
                // The kill came after the commit: then all of it must be there.
                QCOMPARE(withoutTimes(after), all);
            }
        }
        QVERIFY2(killedMidway >= 2, "too few kills landed inside the import");
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"

#include "BackgroundWriteback.h"
#include "SqliteDatabase.h"
#include "Workspace.h"
#include "WorkspaceSchema.h"

#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

using namespace chainsight;

namespace {

QByteArray fileDigest(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QCryptographicHash::hash(file.readAll(), QCryptographicHash::Sha256);
}

void writeFile(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(bytes);
}

} // namespace

class TestWorkspace : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void createsVersionedWorkspaceInWalMode()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("w.chainsight"));
        QString error;
        auto workspace = Workspace::open(path, Workspace::OpenMode::CreateIfMissing, &error);
        QVERIFY2(workspace, qPrintable(error));
        QCOMPARE(workspace->schemaVersion(), WorkspaceSchema::currentVersion());
        QCOMPARE(workspace->database().queryText("PRAGMA journal_mode"), QStringLiteral("wal"));
        QCOMPARE(workspace->database().queryInt64("PRAGMA application_id"), qint64(WorkspaceSchema::applicationId));
        const auto info = workspace->info(&error);
        QVERIFY(info);
        QCOMPARE(info->sources.size(), 0);
        QCOMPARE(info->counts, WorkspaceCounts{});
        // Every table later features fill exists from the first schema.
        for (const char *table : {"sources", "identities", "aliases", "credentials", "events", "delegation_edges",
                                  "findings", "chains", "policy_versions", "simulation_runs", "simulation_results",
                                  "reviews"}) {
            SqliteStatement statement(workspace->database(), "SELECT count(*) FROM sqlite_master WHERE name = ?");
            statement.bindText(1, table);
            QVERIFY(statement.step());
            QVERIFY2(statement.int64(0) == 1, table);
        }
    }

    void missingWorkspaceIsNotCreatedUnlessAsked()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("absent.chainsight"));
        QString error;
        QVERIFY(!Workspace::open(path, Workspace::OpenMode::OpenExisting, &error));
        QVERIFY(error.contains(QLatin1String("no such workspace")));
        QVERIFY(!QFile::exists(path));
    }

    void rejectsWithoutChanging_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("expected");
        QTest::newRow("text file") << QByteArray("hello, I am not a database\n") << QStringLiteral("not an SQLite database");
        QTest::newRow("empty file") << QByteArray() << QStringLiteral("empty");
        QByteArray corrupt("SQLite format 3\0", 16);
        corrupt.append(QByteArray(4096, '\x5a'));
        QTest::newRow("corrupt database") << corrupt << QStringLiteral("corrupt");
    }

    void rejectsWithoutChanging()
    {
        QFETCH(QByteArray, content);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("bad.chainsight"));
        writeFile(path, content);
        const QByteArray before = fileDigest(path);
        for (auto mode : {Workspace::OpenMode::OpenExisting, Workspace::OpenMode::CreateIfMissing, Workspace::OpenMode::ReadOnly}) {
            QString error;
            QVERIFY(!Workspace::open(path, mode, &error));
            QVERIFY2(error.contains(expected), qPrintable(error));
        }
        QCOMPARE(fileDigest(path), before);
        QVERIFY(!QFile::exists(path + QStringLiteral("-wal")));
    }

    // Damage in a small table stops the open; damage in the event table does not (checking every page takes
    // seconds on millions of events) but shows when the events are read, and the full check names it.
    void damageIsFoundWhereItIs_data()
    {
        QTest::addColumn<QString>("table");
        QTest::addColumn<bool>("opens");
        QTest::newRow("sources (small, checked at open)") << QStringLiteral("sources") << false;
        QTest::newRow("events (bulk, checked on demand)") << QStringLiteral("events") << true;
    }
    void damageIsFoundWhereItIs()
    {
        QFETCH(QString, table);
        QFETCH(bool, opens);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("damaged.chainsight"));
        qint64 rootPage = 0;
        qint64 pageSize = 0;
        {
            QString error;
            auto workspace = Workspace::open(path, Workspace::OpenMode::CreateIfMissing, &error);
            QVERIFY2(workspace, qPrintable(error));
            SqliteDatabase &db = workspace->database();
            db.execute("INSERT INTO sources (id, path, sha256, format, size, imported_at) VALUES (1, 'a.jsonl', 'x', 'otlp-json', 1, 't')");
            db.execute("INSERT INTO events (source_id, protocol, kind) VALUES (1, 'otlp', 'chat')");
            SqliteStatement root(db, "SELECT rootpage FROM sqlite_master WHERE name = ?1");
            root.bind(1, table);
            QVERIFY(root.step());
            rootPage = root.int64(0);
            pageSize = db.queryInt64("PRAGMA page_size");
        } // closed: the write-ahead log is copied into the file
        {
            QFile file(path);
            QVERIFY(file.open(QIODevice::ReadWrite));
            QVERIFY(file.seek((rootPage - 1) * pageSize)); // the page's type byte
            QVERIFY(file.write("\x07", 1) == 1);          // not a B-tree page type
        }
        QString error;
        auto workspace = Workspace::open(path, Workspace::OpenMode::OpenExisting, &error);
        QCOMPARE(bool(workspace), opens);
        if (!workspace) {
            QVERIFY2(error.contains(QLatin1String("corrupt")), qPrintable(error));
            return;
        }
        QVERIFY_THROWS_EXCEPTION(SqliteError, workspace->database().queryInt64("SELECT count(*) FROM events NOT INDEXED"));
        const QString integrity = workspace->checkIntegrity(&error);
        QVERIFY2(!integrity.isEmpty() && integrity != QLatin1String("ok"), qPrintable(integrity + error));
    }

    // The write-back helper a bulk import runs: it picks up a file that appears after it started (the write-ahead
    // log does), keeps it open only while it runs, and stops promptly.
    void backgroundWritebackFindsLateFilesAndLetsGo()
    {
#if defined(Q_OS_LINUX)
        QTemporaryDir dir;
        const QString late = dir.filePath(QStringLiteral("late.bin"));
        const auto openCount = [&late] {
            int count = 0;
            const QFileInfoList fds = QDir(QStringLiteral("/proc/self/fd")).entryInfoList(QDir::Files | QDir::System | QDir::NoDotAndDotDot);
            for (const QFileInfo &fd : fds)
                count += fd.symLinkTarget() == QFileInfo(late).canonicalFilePath() ? 1 : 0;
            return count;
        };
        QFile file(late);
        {
            BackgroundWriteback writeback({late}, std::chrono::milliseconds(10));
            QVERIFY(file.open(QIODevice::WriteOnly));
            QVERIFY(file.write(QByteArray(1 << 20, 'x')) == (1 << 20));
            QVERIFY(file.flush());
            QTRY_COMPARE_WITH_TIMEOUT(openCount(), 2, 2000); // ours and the helper's
        }
        QCOMPARE(openCount(), 1);
        // A long interval does not hold up the end of the write that runs it.
        auto slow = std::make_unique<BackgroundWriteback>(QStringList{late}, std::chrono::milliseconds(60000));
        QElapsedTimer stopping;
        stopping.start();
        slow.reset();
        QVERIFY2(stopping.elapsed() < 1000, qPrintable(QString::number(stopping.elapsed())));
        file.close();
        QCOMPARE(openCount(), 0);
#else
        QSKIP("write-back hints are Linux only");
#endif
    }

    void rejectsForeignSqliteDatabase()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("other.db"));
        {
            QString error;
            auto db = SqliteDatabase::open(path, SqliteDatabase::OpenMode::ReadWriteCreate, &error);
            QVERIFY(db);
            db->execute("CREATE TABLE notes (x TEXT)");
        }
        const QByteArray before = fileDigest(path);
        QString error;
        QVERIFY(!Workspace::open(path, Workspace::OpenMode::OpenExisting, &error));
        QVERIFY2(error.contains(QLatin1String("another application")), qPrintable(error));
        QCOMPARE(fileDigest(path), before);
    }

    void rejectsNewerSchema()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("future.chainsight"));
        {
            QString error;
            auto workspace = Workspace::open(path, Workspace::OpenMode::CreateIfMissing, &error);
            QVERIFY(workspace);
            workspace->database().execute("PRAGMA user_version = 999");
            workspace->database().execute("PRAGMA wal_checkpoint(TRUNCATE)");
        }
        const QByteArray before = fileDigest(path);
        QString error;
        QVERIFY(!Workspace::open(path, Workspace::OpenMode::OpenExisting, &error));
        QVERIFY2(error.contains(QLatin1String("newer Chainsight")), qPrintable(error));
        QVERIFY(error.contains(QLatin1String("999")));
        QCOMPARE(fileDigest(path), before);
    }

    // Someone edited the file with another SQLite tool and left code behind that would run on our reads and writes:
    // the workspace is refused, untouched. Chainsight's own triggers pass.
    void refusesForeignTriggersAndViews_data()
    {
        QTest::addColumn<QByteArray>("tamper");
        QTest::addColumn<QString>("object");
        QTest::newRow("trigger that rewrites reviews")
            << QByteArray("CREATE TRIGGER soften AFTER INSERT ON reviews BEGIN SELECT 1; END") << QStringLiteral("trigger soften");
        QTest::newRow("view") << QByteArray("CREATE VIEW everything AS SELECT * FROM events") << QStringLiteral("view everything");
        QTest::newRow("append-only guard rewritten")
            << QByteArray("DROP TRIGGER reviews_are_append_only_delete; "
                          "CREATE TRIGGER reviews_are_append_only_delete BEFORE DELETE ON reviews BEGIN SELECT 1; END")
            << QStringLiteral("trigger reviews_are_append_only_delete");
    }

    void refusesForeignTriggersAndViews()
    {
        QFETCH(QByteArray, tamper);
        QFETCH(QString, object);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("tampered.chainsight"));
        {
            QString error;
            QVERIFY(Workspace::open(path, Workspace::OpenMode::CreateIfMissing, &error));
            auto db = SqliteDatabase::open(path, SqliteDatabase::OpenMode::ReadWrite, &error);
            QVERIFY2(db, qPrintable(error));
            db->execute(tamper.toStdString());
            db->execute("PRAGMA wal_checkpoint(TRUNCATE)");
        }
        const QByteArray before = fileDigest(path);
        for (auto mode : {Workspace::OpenMode::OpenExisting, Workspace::OpenMode::ReadOnly}) {
            QString error;
            QVERIFY(!Workspace::open(path, mode, &error));
            QVERIFY2(error.contains(object) && error.contains(QLatin1String("outside Chainsight")), qPrintable(error));
        }
        QCOMPARE(fileDigest(path), before);
    }

    // Connections refuse the low-level writes that bypass SQLite's own checks (SQLITE_DBCONFIG_DEFENSIVE).
    void connectionsAreDefensive()
    {
        QTemporaryDir dir;
        QString error;
        auto workspace = Workspace::open(dir.filePath(QStringLiteral("d.chainsight")), Workspace::OpenMode::CreateIfMissing, &error);
        QVERIFY(workspace);
        SqliteDatabase &db = workspace->database();
        db.execute("PRAGMA writable_schema = ON");
        QVERIFY_THROWS_EXCEPTION(SqliteError, db.execute("UPDATE sqlite_master SET sql = 'x' WHERE name = 'reviews'"));
        QCOMPARE(db.queryText("PRAGMA quick_check"), QStringLiteral("ok"));
    }

    // Diagnostics quote input; printed, they stay on one line and cannot drive a terminal or reorder the text.
    void diagnosticsPrintControlCharactersAsEscapes()
    {
        const Diagnostic diagnostic{Severity::Error, QString::fromUtf8("logs/a\x1b[2Jb.json"), {3, 7},
                                    QString::fromUtf8("agent \"evil\x1b[31m\u202eDER\" on\nline two \xf0\x9f\x98\x80\tend")};
        QCOMPARE(diagnostic.toString(),
                 QString::fromUtf8("logs/a\\u001b[2Jb.json:3:7: error: agent \"evil\\u001b[31m\\u202eDER\" on line two \xf0\x9f\x98\x80 end"));
    }

    void reviewsAreAppendOnly()
    {
        QTemporaryDir dir;
        QString error;
        auto workspace = Workspace::open(dir.filePath(QStringLiteral("r.chainsight")), Workspace::OpenMode::CreateIfMissing, &error);
        QVERIFY(workspace);
        auto &db = workspace->database();
        db.execute("INSERT INTO reviews (subject_kind, subject, status, reviewer, created_at, previous_hash, record_hash) "
                   "VALUES ('chain', 'c1', 'approved', 'ana', '2026-01-01T00:00:00Z', '', 'h1')");
        QVERIFY_THROWS_EXCEPTION(SqliteError, db.execute("UPDATE reviews SET status = 'false-positive'"));
        QVERIFY_THROWS_EXCEPTION(SqliteError, db.execute("DELETE FROM reviews"));
        QCOMPARE(db.queryInt64("SELECT count(*) FROM reviews"), 1);
    }

    void writerRollsBackWithoutCommit()
    {
        QTemporaryDir dir;
        QString error;
        auto workspace = Workspace::open(dir.filePath(QStringLiteral("t.chainsight")), Workspace::OpenMode::CreateIfMissing, &error);
        QVERIFY(workspace);
        {
            WorkspaceWriter writer(*workspace);
            const qint64 source = writer.addSource(SourceInfo{0, QStringLiteral("/x.json"), 3, "abc", {}, QStringLiteral("inventory-json")});
            AgentRecord agent;
            agent.id = QStringLiteral("a1");
            agent.credentials.push_back(CredentialRecord{QStringLiteral("api-key"), QStringLiteral("k1")});
            writer.upsertAgent(agent, source);
        }
        const auto info = workspace->info(&error);
        QVERIFY(info);
        QCOMPARE(info->sources.size(), 0);
        QCOMPARE(info->counts.agents, 0);
        {
            WorkspaceWriter writer(*workspace);
            const qint64 source = writer.addSource(SourceInfo{0, QStringLiteral("/x.json"), 3, "abc", {}, QStringLiteral("inventory-json")});
            AgentRecord agent;
            agent.id = QStringLiteral("a1");
            agent.credentials.push_back(CredentialRecord{QStringLiteral("api-key"), QStringLiteral("k1")});
            writer.upsertAgent(agent, source);
            writer.upsertAgent(agent, source); // idempotent: no second agent, credential or alias
            writer.commit();
        }
        const auto after = workspace->info(&error);
        QCOMPARE(after->counts.agents, 1);
        QCOMPARE(after->counts.credentials, 1);
        QCOMPARE(after->counts.aliases, 1);
    }
};

QTEST_GUILESS_MAIN(TestWorkspace)
#include "tst_workspace.moc"

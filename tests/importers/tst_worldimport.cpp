#include "ImportRunner.h"
#include "SqliteDatabase.h"
#include "Workspace.h"

#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

using namespace chainsight;

// The acceptance check of cross-protocol correlation: every file of a generated enterprise, every format
// at once, one workspace.
class TestWorldImport : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void everyProtocolCorrelatesToOneIdentity()
    {
        const QString generator = QStringLiteral(CHAINSIGHT_SHARED_DIR "/bench/gen_enterprise.py");
        if (!QFile::exists(generator))
            QSKIP("the shared generator is not present");
        QTemporaryDir dir;
        const QString world = dir.filePath(QStringLiteral("world"));
        if (QProcess::execute(QStringLiteral("python3"), {generator, QStringLiteral("--out"), world, QStringLiteral("--agents"),
                                                          QStringLiteral("40"), QStringLiteral("--events"), QStringLiteral("3000"),
                                                          QStringLiteral("--anomaly-rate"), QStringLiteral("0.1")})
            != 0)
            QSKIP("python3 could not run the generator");

        QStringList files;
        QDirIterator it(world, QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString path = it.next();
            const QString name = QFileInfo(path).fileName();
            if (name != QLatin1String("truth.json") && name != QLatin1String("jwks.json") && name != QLatin1String("inventory.csv"))
                files.push_back(path);
        }
        QString error;
        auto workspace = Workspace::open(dir.filePath(QStringLiteral("w.chainsight")), Workspace::OpenMode::CreateIfMissing, &error);
        QVERIFY(workspace);
        ImportOptions options;
        options.jwksPath = world + QStringLiteral("/jwks.json");
        const std::atomic_bool notCancelled{false};
        const ImportResult result = ImportRunner::run(*workspace, files, options, {}, notCancelled);
        QVERIFY2(result.status == ImportResult::Status::Committed, qPrintable(result.failure));
        QCOMPARE(result.errorCount(), 0);

        QFile truthFile(world + QStringLiteral("/truth.json"));
        QVERIFY(truthFile.open(QIODevice::ReadOnly));
        QSet<QString> expectedShadows;
        for (const auto &anomaly : QJsonDocument::fromJson(truthFile.readAll()).object().value(QStringLiteral("anomalies")).toArray()) {
            if (anomaly.toObject().value(QStringLiteral("rule")).toString() == QLatin1String("shadow-agent"))
                expectedShadows.insert(anomaly.toObject().value(QStringLiteral("subject")).toString());
        }
        QSet<QString> shadows;
        SqliteStatement shadowRows(workspace->database(), "SELECT external_id FROM identities WHERE kind = 'shadow'");
        while (shadowRows.step())
            shadows.insert(shadowRows.text(0));
        QCOMPARE(shadows, expectedShadows);

        // Whatever protocol named it, an inventory alias always lands on its own agent. A credential two agents
        // share (the shared-credential anomaly) cannot name one agent: it lands on one of its holders.
        SqliteStatement misattributed(workspace->database(),
                                      "WITH declared AS (SELECT a.alias, a.identity_id, count(*) OVER (PARTITION BY a.alias_type, a.alias) AS holders "
                                      "FROM aliases a JOIN sources s ON s.id = a.source_id AND s.format LIKE 'inventory-%') "
                                      "SELECT count(*) FROM events e JOIN declared d ON d.alias = e.actor_alias "
                                      "WHERE d.holders = 1 AND e.actor_identity_id IS NOT d.identity_id");
        QVERIFY(misattributed.step());
        QCOMPARE(misattributed.int64(0), qint64(0));
        SqliteStatement shared(workspace->database(),
                               "SELECT count(*) FROM events e WHERE e.actor_alias IN (SELECT alias FROM aliases GROUP BY alias_type, alias "
                               "HAVING count(*) > 1) AND e.actor_identity_id NOT IN (SELECT identity_id FROM aliases WHERE alias = e.actor_alias)");
        QVERIFY(shared.step());
        QCOMPARE(shared.int64(0), qint64(0));
        // And the agents were seen through several protocols.
        SqliteStatement protocols(workspace->database(),
                                  "SELECT count(DISTINCT e.protocol) FROM events e JOIN identities i ON i.id = e.actor_identity_id "
                                  "WHERE i.kind = 'agent'");
        QVERIFY(protocols.step());
        QVERIFY2(protocols.int64(0) >= 6, qPrintable(QString::number(protocols.int64(0))));
    }
};

QTEST_GUILESS_MAIN(TestWorldImport)
#include "tst_worldimport.moc"

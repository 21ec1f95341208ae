#include "SqliteDatabase.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace chainsight;

namespace {

struct CliRun
{
    int exitCode = -1;
    QString out;
    QString err;
};

CliRun runCli(const QStringList &arguments, const QProcessEnvironment &environment = QProcessEnvironment::systemEnvironment())
{
    QProcess process;
    process.setProcessEnvironment(environment);
    process.start(QStringLiteral(CHAINSIGHT_CLI_PATH), arguments);
    if (!process.waitForFinished(120000))
        return {};
    return {process.exitCode(), QString::fromUtf8(process.readAllStandardOutput()), QString::fromUtf8(process.readAllStandardError())};
}

} // namespace

class ReviewCliTest final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void badUsageExitsTwo_data();
    void badUsageExitsTwo();
    void reviewsAreRecordedAndChained();
    void verifyNamesTheFirstBrokenRecord();

private:
    QString review(const QStringList &arguments);

    QTemporaryDir m_dir;
    QString m_workspace;
};

void ReviewCliTest::initTestCase()
{
    QVERIFY(m_dir.isValid());
    const CliRun demo = runCli({QStringLiteral("demo"), QStringLiteral("--out"), m_dir.path()});
    QVERIFY2(demo.exitCode == 0, qPrintable(demo.err));
    m_workspace = m_dir.filePath(QStringLiteral("demo.chainsight"));
    const CliRun findings = runCli({QStringLiteral("findings"), QStringLiteral("-w"), m_workspace});
    QVERIFY2(findings.exitCode == 0, qPrintable(findings.err));
}

void ReviewCliTest::badUsageExitsTwo_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("message");
    const QString w = QStringLiteral("-w");
    QTest::newRow("no subject") << QStringList{w, QStringLiteral("W"), QStringLiteral("--status"), QStringLiteral("approved")}
                                << QStringLiteral("exactly one of");
    QTest::newRow("two subjects") << QStringList{QStringLiteral("--chain"), QStringLiteral("a"), QStringLiteral("--identity"), QStringLiteral("b")}
                                  << QStringLiteral("review needs a workspace");
    QTest::newRow("unknown status") << QStringList{QStringLiteral("--chain"), QStringLiteral("a"), QStringLiteral("--status"), QStringLiteral("ok")}
                                    << QStringLiteral("review needs a workspace");
    QTest::newRow("bad date") << QStringList{w, QStringLiteral("W"), QStringLiteral("--identity"), QStringLiteral("x"), QStringLiteral("--status"),
                                             QStringLiteral("accepted-risk"), QStringLiteral("--comment"), QStringLiteral("c"),
                                             QStringLiteral("--expires"), QStringLiteral("31/01/2027")}
                              << QStringLiteral("YYYY-MM-DD");
    QTest::newRow("no expiry") << QStringList{w, QStringLiteral("W"), QStringLiteral("--identity"), QStringLiteral("x"), QStringLiteral("--status"),
                                              QStringLiteral("accepted-risk"), QStringLiteral("--comment"), QStringLiteral("c")}
                               << QStringLiteral("expiry date");
    QTest::newRow("no owner") << QStringList{w, QStringLiteral("W"), QStringLiteral("--identity"), QStringLiteral("x"), QStringLiteral("--status"),
                                             QStringLiteral("needs-remediation"), QStringLiteral("--comment"), QStringLiteral("c")}
                              << QStringLiteral("owner");
    QTest::newRow("no comment") << QStringList{w, QStringLiteral("W"), QStringLiteral("--identity"), QStringLiteral("x"), QStringLiteral("--status"),
                                               QStringLiteral("approved")}
                                << QStringLiteral("comment");
}

void ReviewCliTest::badUsageExitsTwo()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, message);
    for (QString &argument : arguments) {
        if (argument == QLatin1String("W"))
            argument = m_workspace;
    }
    const CliRun run = runCli(QStringList{QStringLiteral("review")} + arguments);
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains(message), qPrintable(run.err));
}

QString ReviewCliTest::review(const QStringList &arguments)
{
    const CliRun run = runCli(QStringList{QStringLiteral("review"), QStringLiteral("-w"), m_workspace} + arguments);
    return run.exitCode == 0 ? run.out : QStringLiteral("exit %1: %2").arg(run.exitCode).arg(run.err);
}

void ReviewCliTest::reviewsAreRecordedAndChained()
{
    // The reviewer defaults to the OS user.
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("USER"), QStringLiteral("dana"));
    CliRun run = runCli({QStringLiteral("review"), QStringLiteral("-w"), m_workspace, QStringLiteral("--identity"),
                         QStringLiteral("report-worker"), QStringLiteral("--status"), QStringLiteral("accepted-risk"),
                         QStringLiteral("--expires"), QStringLiteral("2099-01-31"), QStringLiteral("--comment"),
                         QStringLiteral("Owner named in January"), QStringLiteral("--json")},
                        environment);
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    const QJsonObject first = QJsonDocument::fromJson(run.out.toUtf8()).object();
    QCOMPARE(first.value(QStringLiteral("reviewer")).toString(), QStringLiteral("dana"));
    QCOMPARE(first.value(QStringLiteral("expires_at")).toString(), QStringLiteral("2099-01-31"));
    QCOMPARE(first.value(QStringLiteral("previous_hash")).toString(), QString(64, QLatin1Char('0')));

    QString text = review({QStringLiteral("--finding"), QStringLiteral("shadow-agent:quick-helper-bot"), QStringLiteral("--status"),
                           QStringLiteral("needs-remediation"), QStringLiteral("--owner"), QStringLiteral("raj"),
                           QStringLiteral("--comment"), QStringLiteral("Register it"), QStringLiteral("--reviewer"), QStringLiteral("Ana Silva")});
    QVERIFY2(text.startsWith(QStringLiteral("review #2: finding shadow-agent:quick-helper-bot needs-remediation by Ana Silva")), qPrintable(text));
    QVERIFY2(review({QStringLiteral("--chain"), QStringLiteral("nope"), QStringLiteral("--status"), QStringLiteral("approved"),
                     QStringLiteral("--comment"), QStringLiteral("c")})
                 .contains(QStringLiteral("no chain \"nope\"")),
             "an unknown chain is refused");

    run = runCli({QStringLiteral("verify"), QStringLiteral("-w"), m_workspace, QStringLiteral("--json")});
    QCOMPARE(run.exitCode, 0);
    const QJsonObject verification = QJsonDocument::fromJson(run.out.toUtf8()).object();
    QCOMPARE(verification.value(QStringLiteral("records")).toInt(), 2);
    QVERIFY(verification.value(QStringLiteral("ok")).toBool());
    // The head of an earlier run must still be in the log.
    run = runCli({QStringLiteral("verify"), QStringLiteral("-w"), m_workspace, QStringLiteral("--head"),
                  first.value(QStringLiteral("record_hash")).toString()});
    QCOMPARE(run.exitCode, 0);
    run = runCli({QStringLiteral("verify"), QStringLiteral("-w"), m_workspace, QStringLiteral("--head"), QString(64, QLatin1Char('e'))});
    QCOMPARE(run.exitCode, 1);
}

void ReviewCliTest::verifyNamesTheFirstBrokenRecord()
{
    QVERIFY(review({QStringLiteral("--identity"), QStringLiteral("sales-assistant"), QStringLiteral("--status"),
                    QStringLiteral("approved"), QStringLiteral("--comment"), QStringLiteral("fine")})
                .startsWith(QStringLiteral("review #")));
    {
        QString error;
        auto db = SqliteDatabase::open(m_workspace, SqliteDatabase::OpenMode::ReadWrite, &error);
        QVERIFY2(db, qPrintable(error));
        db->execute("DROP TRIGGER reviews_are_append_only_update; UPDATE reviews SET status = 'approved', expires_at = NULL WHERE id = 1");
    }
    const CliRun run = runCli({QStringLiteral("verify"), QStringLiteral("-w"), m_workspace});
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.out.contains(QStringLiteral("review log BROKEN: review record #1 was edited")), qPrintable(run.out));
    // Nothing more is chained onto a log that does not verify.
    const CliRun refused = runCli({QStringLiteral("review"), QStringLiteral("-w"), m_workspace, QStringLiteral("--identity"),
                                   QStringLiteral("sales-assistant"), QStringLiteral("--status"), QStringLiteral("approved"),
                                   QStringLiteral("--comment"), QStringLiteral("again")});
    QCOMPARE(refused.exitCode, 1);
    QVERIFY2(refused.err.contains(QStringLiteral("does not verify")), qPrintable(refused.err));
}

QTEST_GUILESS_MAIN(ReviewCliTest)
#include "tst_review_cli.moc"

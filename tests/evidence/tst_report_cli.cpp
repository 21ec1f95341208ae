#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

namespace {

struct CliRun
{
    int exitCode = -1;
    QString out;
    QString err;
};

CliRun runCli(const QStringList &arguments)
{
    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    // The report must work with no display at all.
    environment.remove(QStringLiteral("DISPLAY"));
    environment.remove(QStringLiteral("WAYLAND_DISPLAY"));
    environment.remove(QStringLiteral("QT_QPA_PLATFORM"));
    process.setProcessEnvironment(environment);
    process.start(QStringLiteral(CHAINSIGHT_CLI_PATH), arguments);
    if (!process.waitForFinished(120000))
        return {};
    return {process.exitCode(), QString::fromUtf8(process.readAllStandardOutput()), QString::fromUtf8(process.readAllStandardError())};
}

QString key(const QString &name)
{
    return QStringLiteral(CHAINSIGHT_TEST_DATA_DIR "/evidence/") + name;
}

} // namespace

class ReportCliTest final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void badUsageExitsTwo_data();
    void badUsageExitsTwo();
    void signedReportVerifies();
    void verifyNamesAChangedFile_data();
    void verifyNamesAChangedFile();

private:
    QTemporaryDir m_dir;
    QString m_workspace;
    QString m_bundle;
};

void ReportCliTest::initTestCase()
{
    QVERIFY(m_dir.isValid());
    const CliRun demo = runCli({QStringLiteral("demo"), QStringLiteral("--out"), m_dir.path()});
    QVERIFY2(demo.exitCode == 0, qPrintable(demo.err));
    m_workspace = m_dir.filePath(QStringLiteral("demo.chainsight"));
    const CliRun review = runCli({QStringLiteral("review"), QStringLiteral("-w"), m_workspace, QStringLiteral("--identity"),
                                  QStringLiteral("report-worker"), QStringLiteral("--status"), QStringLiteral("needs-remediation"),
                                  QStringLiteral("--owner"), QStringLiteral("raj"), QStringLiteral("--comment"), QStringLiteral("Name an owner"),
                                  QStringLiteral("--reviewer"), QStringLiteral("ana")});
    QVERIFY2(review.exitCode == 0, qPrintable(review.err));
    m_bundle = m_dir.filePath(QStringLiteral("bundle"));
}

void ReportCliTest::badUsageExitsTwo_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("message");
    QTest::newRow("no output") << QStringList{QStringLiteral("-w"), QStringLiteral("W")} << QStringLiteral("--out");
    QTest::newRow("bad scope") << QStringList{QStringLiteral("-w"), QStringLiteral("W"), QStringLiteral("--out"), QStringLiteral("OUT"),
                                              QStringLiteral("--scope"), QStringLiteral("everything")}
                               << QStringLiteral("--scope takes");
    QTest::newRow("unknown chain") << QStringList{QStringLiteral("-w"), QStringLiteral("W"), QStringLiteral("--out"), QStringLiteral("OUT"),
                                                  QStringLiteral("--scope"), QStringLiteral("chain:nope")}
                                   << QStringLiteral("no chain with that key");
    QTest::newRow("rsa key") << QStringList{QStringLiteral("-w"), QStringLiteral("W"), QStringLiteral("--out"), QStringLiteral("OUT"),
                                            QStringLiteral("--sign"), key(QStringLiteral("rsa.pem"))}
                             << QStringLiteral("Ed25519 or ECDSA P-256");
    QTest::newRow("missing policy") << QStringList{QStringLiteral("-w"), QStringLiteral("W"), QStringLiteral("--out"), QStringLiteral("OUT"),
                                                   QStringLiteral("--policy"), QStringLiteral("/nonexistent/p.cedar")}
                                    << QStringLiteral("cannot read the policy");
    QTest::newRow("no workspace") << QStringList{QStringLiteral("-w"), QStringLiteral("/nonexistent/w.chainsight"), QStringLiteral("--out"),
                                                 QStringLiteral("OUT")}
                                  << QStringLiteral("w.chainsight");
}

void ReportCliTest::badUsageExitsTwo()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, message);
    for (QString &argument : arguments) {
        if (argument == QLatin1String("W"))
            argument = m_workspace;
        else if (argument == QLatin1String("OUT"))
            argument = m_dir.filePath(QStringLiteral("bad/evidence.pdf"));
    }
    const CliRun run = runCli(QStringList{QStringLiteral("report")} + arguments);
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains(message), qPrintable(run.err));
    QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("bad/evidence.pdf"))));
}

void ReportCliTest::signedReportVerifies()
{
    const CliRun report = runCli({QStringLiteral("report"), QStringLiteral("-w"), m_workspace, QStringLiteral("--out"),
                                  m_bundle + QStringLiteral("/evidence.pdf"), QStringLiteral("--sign"), key(QStringLiteral("ed25519.pem")),
                                  QStringLiteral("--json")});
    QVERIFY2(report.exitCode == 0, qPrintable(report.err));
    const QJsonObject written = QJsonDocument::fromJson(report.out.toUtf8()).object();
    QCOMPARE(written.value(QStringLiteral("reviews")).toInt(), 1);
    QVERIFY(written.value(QStringLiteral("findings")).toInt() > 0);
    QVERIFY(!written.value(QStringLiteral("signed_by")).toString().isEmpty());
    for (const QString &file : {QStringLiteral("evidence.pdf"), QStringLiteral("evidence.json"), QStringLiteral("findings.csv"),
                                QStringLiteral("simulation.csv"), QStringLiteral("evidence.sha256"), QStringLiteral("evidence.sig")})
        QVERIFY2(QFile::exists(m_bundle + QLatin1Char('/') + file), qPrintable(file));

    CliRun verify = runCli({QStringLiteral("verify"), QStringLiteral("--bundle"), m_bundle, QStringLiteral("--pubkey"),
                            key(QStringLiteral("ed25519.pub.pem"))});
    QCOMPARE(verify.exitCode, 0);
    QVERIFY2(verify.out.contains(QStringLiteral("bundle intact: 4 files")), qPrintable(verify.out));
    QVERIFY(verify.out.contains(QStringLiteral("valid Ed25519 signature")));
    verify = runCli({QStringLiteral("verify"), QStringLiteral("--bundle"), m_bundle});
    QCOMPARE(verify.exitCode, 0);
    QVERIFY(verify.out.contains(QStringLiteral("not checked")));
    verify = runCli({QStringLiteral("verify"), QStringLiteral("--bundle"), m_bundle, QStringLiteral("--pubkey"),
                     key(QStringLiteral("other-ed25519.pub.pem"))});
    QCOMPARE(verify.exitCode, 1);
    QVERIFY2(verify.out.contains(QStringLiteral("evidence.sig does not verify evidence.sha256")), qPrintable(verify.out));
    verify = runCli({QStringLiteral("verify"), QStringLiteral("--bundle"), m_dir.filePath(QStringLiteral("nowhere"))});
    QCOMPARE(verify.exitCode, 2);
    verify = runCli({QStringLiteral("verify"), QStringLiteral("-w"), m_workspace, QStringLiteral("--bundle"), m_bundle});
    QCOMPARE(verify.exitCode, 2);
}

void ReportCliTest::verifyNamesAChangedFile_data()
{
    QTest::addColumn<QString>("file");
    for (const QString &file : {QStringLiteral("evidence.pdf"), QStringLiteral("evidence.json"), QStringLiteral("findings.csv"),
                                QStringLiteral("simulation.csv"), QStringLiteral("evidence.sha256"), QStringLiteral("evidence.sig")})
        QTest::newRow(qPrintable(file)) << file;
}

void ReportCliTest::verifyNamesAChangedFile()
{
    QFETCH(QString, file);
    QFile target(m_bundle + QLatin1Char('/') + file);
    QVERIFY(target.open(QIODevice::ReadOnly));
    const QByteArray original = target.readAll();
    target.close();
    QByteArray changed = original;
    changed[changed.size() / 3] = static_cast<char>(changed.at(changed.size() / 3) ^ 0x01);
    QVERIFY(target.open(QIODevice::WriteOnly | QIODevice::Truncate));
    target.write(changed);
    target.close();
    const CliRun verify = runCli({QStringLiteral("verify"), QStringLiteral("--bundle"), m_bundle, QStringLiteral("--pubkey"),
                                  key(QStringLiteral("ed25519.pub.pem"))});
    QVERIFY(target.open(QIODevice::WriteOnly | QIODevice::Truncate));
    target.write(original);
    target.close();
    QCOMPARE(verify.exitCode, 1);
    QVERIFY2(verify.out.contains(QStringLiteral("MISMATCH")) && verify.out.contains(file), qPrintable(verify.out));
}

QTEST_GUILESS_MAIN(ReportCliTest)
#include "tst_report_cli.moc"

#include "FindingsEngine.h"
#include "ImportRunner.h"
#include "SqliteDatabase.h"
#include "Workspace.h"

#include <QDir>
#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSet>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <atomic>
#include <memory>

using namespace chainsight;

class FindingsTest final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void severityNames();
    void unknownRuleIsRejected();
    void matchesGeneratorTruth_data();
    void matchesGeneratorTruth();
    void rerunReplacesFindings();
    void staleSecretThresholdIsConfigurable();
    void mayActIsCheckedAcrossTheExchange();

private:
    std::unique_ptr<Workspace> openWorld(QString *error = nullptr);

    QTemporaryDir m_dir;
    QString m_workspacePath;
    QHash<QString, QSet<QString>> m_truth; // rule -> subjects
    QList<Finding> m_findings;
    bool m_worldReady = false;
};

void FindingsTest::initTestCase()
{
    const QString generator = QStringLiteral(CHAINSIGHT_SHARED_DIR "/bench/gen_enterprise.py");
    QVERIFY(m_dir.isValid());
    const QString python = QStandardPaths::findExecutable(QStringLiteral("python3"));
    // The generated world is optional; tests that need it skip one by one.
    if (!QFile::exists(generator) || python.isEmpty())
        return;
    const QString worldDir = m_dir.filePath(QStringLiteral("world"));
    QProcess process;
    process.start(python, {generator, QStringLiteral("--out"), worldDir, QStringLiteral("--agents"), QStringLiteral("40"),
                           QStringLiteral("--events"), QStringLiteral("3000"), QStringLiteral("--anomaly-rate"),
                           QStringLiteral("0.1"), QStringLiteral("--seed"), QStringLiteral("1")});
    QVERIFY(process.waitForFinished(120000));
    QCOMPARE(process.exitCode(), 0);

    QFile truthFile(worldDir + QStringLiteral("/truth.json"));
    QVERIFY(truthFile.open(QIODevice::ReadOnly));
    const QJsonArray anomalies = QJsonDocument::fromJson(truthFile.readAll()).object().value(QStringLiteral("anomalies")).toArray();
    QVERIFY(!anomalies.isEmpty());
    for (const QJsonValue &anomaly : anomalies)
        m_truth[anomaly[QStringLiteral("rule")].toString()].insert(anomaly[QStringLiteral("subject")].toString());

    m_workspacePath = m_dir.filePath(QStringLiteral("world.chainsight"));
    ImportOptions options;
    options.jwksPath = worldDir + QStringLiteral("/jwks.json");
    const std::atomic_bool cancel{false};
    const ImportResult imported = ImportRunner::run(m_workspacePath, {worldDir}, options, {}, cancel);
    QCOMPARE(imported.status, ImportResult::Status::Committed);
    QVERIFY(imported.recordCount() > 0);

    QString error;
    auto workspace = openWorld(&error);
    QVERIFY2(workspace, qPrintable(error));
    const auto run = FindingsEngine().run(*workspace, {}, &error);
    QVERIFY2(run, qPrintable(error));
    m_findings = run->findings;
    m_worldReady = true;
}

std::unique_ptr<Workspace> FindingsTest::openWorld(QString *error)
{
    QString ignored;
    return Workspace::open(m_workspacePath, Workspace::OpenMode::OpenExisting, error ? error : &ignored);
}

void FindingsTest::severityNames()
{
    for (FindingSeverity severity : {FindingSeverity::Low, FindingSeverity::Medium, FindingSeverity::High, FindingSeverity::Critical})
        QCOMPARE(severityFromName(severityName(severity)), severity);
    QVERIFY(!severityFromName(QStringLiteral("severe")));
    QVERIFY(FindingSeverity::High < FindingSeverity::Critical);
}

void FindingsTest::unknownRuleIsRejected()
{
    if (!m_worldReady)
        QSKIP("gen_enterprise.py or python3 is not available");
    auto workspace = openWorld();
    QVERIFY(workspace);
    QString error;
    QVERIFY(!FindingsEngine().run(*workspace, {QStringLiteral("no-such-rule")}, &error));
    QVERIFY(error.contains(QStringLiteral("no-such-rule")));
}

void FindingsTest::matchesGeneratorTruth_data()
{
    QTest::addColumn<QString>("rule");
    for (const QString &rule : FindingsEngine().ruleIds())
        QTest::newRow(qPrintable(rule)) << rule;
}

void FindingsTest::matchesGeneratorTruth()
{
    if (!m_worldReady)
        QSKIP("gen_enterprise.py or python3 is not available");
    QFETCH(QString, rule);
    QSet<QString> found;
    for (const Finding &finding : std::as_const(m_findings)) {
        if (finding.rule == rule) {
            found.insert(finding.subject);
            QVERIFY2(!finding.evidence.isEmpty() || rule == QStringLiteral("orphan-agent"),
                     qPrintable(QStringLiteral("%1 has no evidence").arg(finding.subject)));
        }
    }
    const QSet<QString> truth = m_truth.value(rule);
    const qsizetype hits = QSet<QString>(found).intersect(truth).size();
    const double precision = found.isEmpty() ? 1.0 : double(hits) / double(found.size());
    const double recall = truth.isEmpty() ? 1.0 : double(hits) / double(truth.size());
    const QString report = QStringLiteral("%1: precision %2 recall %3 (found %4, truth %5)")
                               .arg(rule).arg(precision).arg(recall).arg(found.size()).arg(truth.size());
    qInfo("%s", qPrintable(report));
    QVERIFY2(precision >= 0.98, qPrintable(report));
    QVERIFY2(recall >= 0.98, qPrintable(report));
}

void FindingsTest::rerunReplacesFindings()
{
    if (!m_worldReady)
        QSKIP("gen_enterprise.py or python3 is not available");
    auto workspace = openWorld();
    QVERIFY(workspace);
    QString error;
    const auto first = FindingsEngine().run(*workspace, {}, &error);
    QVERIFY2(first, qPrintable(error));
    const auto second = FindingsEngine().run(*workspace, {}, &error);
    QVERIFY2(second, qPrintable(error));
    QVERIFY(second->runId > first->runId);
    QCOMPARE(workspace->database().queryInt64("SELECT count(*) FROM findings"), qint64(second->findings.size()));
    SqliteStatement stale(workspace->database(), "SELECT count(*) FROM findings WHERE analysis_run_id <> ?1");
    stale.bind(1, second->runId);
    QVERIFY(stale.step());
    QCOMPARE(stale.int64(0), qint64(0));
    // Evidence is stored as a JSON array of event ids.
    const QString evidence = workspace->database().queryText("SELECT evidence FROM findings ORDER BY id LIMIT 1");
    QVERIFY(QJsonDocument::fromJson(evidence.toUtf8()).isArray());

    // A run of one rule replaces only that rule's findings.
    const auto partial = FindingsEngine().run(*workspace, {QStringLiteral("orphan-agent")}, &error);
    QVERIFY2(partial, qPrintable(error));
    QCOMPARE(workspace->database().queryInt64("SELECT count(*) FROM findings"), qint64(second->findings.size()));
    for (const Finding &finding : partial->findings)
        QVERIFY(finding.id > 0);
}

void FindingsTest::staleSecretThresholdIsConfigurable()
{
    if (!m_worldReady)
        QSKIP("gen_enterprise.py or python3 is not available");
    auto workspace = openWorld();
    QVERIFY(workspace);
    QString error;
    const auto strict = FindingsEngine(FindingsSettings{1, 50}).run(*workspace, {QStringLiteral("stale-secret")}, &error);
    QVERIFY2(strict, qPrintable(error));
    const auto lax = FindingsEngine(FindingsSettings{100000, 50}).run(*workspace, {QStringLiteral("stale-secret")}, &error);
    QVERIFY2(lax, qPrintable(error));
    // Every api key was rotated before the window, so a one-day threshold flags every used key.
    QVERIFY(strict->findings.size() >= lax->findings.size());
    QVERIFY(!strict->findings.isEmpty());
    for (const Finding &finding : lax->findings)
        QCOMPARE(finding.rule, QStringLiteral("stale-secret"));
}

void FindingsTest::mayActIsCheckedAcrossTheExchange()
{
    // Five sessions of one human: a second exchange to an actor the subject token did not name (s1), a
    // first exchange that does so (s2), no may_act at all (s3), two subject tokens of which one names the
    // actor (s4) or one has no may_act (s5). Only s1's and s2's exchanged tokens are findings.
    const QString path = m_dir.filePath(QStringLiteral("may-act.chainsight"));
    const std::atomic_bool cancel{false};
    const ImportResult imported =
        ImportRunner::run(path, {QFINDTESTDATA("../data/tokens/may-act-exchange.jsonl")}, {}, {}, cancel);
    QCOMPARE(imported.status, ImportResult::Status::Committed);
    QString error;
    auto workspace = Workspace::open(path, Workspace::OpenMode::OpenExisting, &error);
    QVERIFY2(workspace, qPrintable(error));
    const auto run = FindingsEngine().run(*workspace, {QStringLiteral("may-act-violation")}, &error);
    QVERIFY2(run, qPrintable(error));
    QStringList subjects;
    for (const Finding &finding : run->findings) {
        subjects.append(finding.subject);
        QCOMPARE(finding.severity, FindingSeverity::High);
        QCOMPARE(finding.evidence.size(), 1);
    }
    subjects.sort();
    QCOMPARE(subjects, QStringList({QStringLiteral("s1-intruder"), QStringLiteral("s2-other")}));
    const auto intruder = std::find_if(run->findings.cbegin(), run->findings.cend(),
                                       [](const Finding &finding) { return finding.subject == QLatin1String("s1-intruder"); });
    QCOMPARE(intruder->identity, QStringLiteral("scraper"));
}

QTEST_GUILESS_MAIN(FindingsTest)
#include "tst_findings.moc"

// Runs Cedar's own integration-test corpus and the hand-written tests from the shared folder in place.
#include "cedar/IntegrationTest.h"

#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

using namespace chainsight::cedar;

class TestCedarConformance final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void corpusAndHandWrittenTests();

private:
    static void runDirectory(const QString &dir, const QString &root, QStringList nameFilters, int &passed, int &failed,
                             QStringList &failures);
};

void TestCedarConformance::runDirectory(const QString &dir, const QString &root, QStringList nameFilters, int &passed,
                                        int &failed, QStringList &failures)
{
    QStringList files;
    QDirIterator it(dir, nameFilters, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString f = it.next();
        if (!f.endsWith(QLatin1String(".entities.json")))
            files << f;
    }
    files.sort();
    for (const QString &f : files) {
        const IntegrationTestResult r = runIntegrationTest(f.toStdString(), root.toStdString());
        if (!r.loaded) {
            failed += 8;
            failures << QFileInfo(f).fileName() + QStringLiteral(": ") + QString::fromStdString(r.error);
            continue;
        }
        passed += r.passed;
        failed += r.failed;
        for (const auto &q : r.requests)
            if (!q.passed)
                failures << QFileInfo(f).fileName() + QStringLiteral(" ") + QString::fromStdString(q.description)
                        + QStringLiteral(": ") + QString::fromStdString(q.detail);
    }
}

void TestCedarConformance::corpusAndHandWrittenTests()
{
    const QString base = QStringLiteral(CHAINSIGHT_SHARED_DIR) + QStringLiteral("/conformance/cedar");
    if (!QFileInfo::exists(base))
        QSKIP("shared conformance data is not present");
    int passed = 0;
    int failed = 0;
    QStringList failures;

    const QString tarball = base + QStringLiteral("/cedar-corpus-dev.tar.gz");
    if (QFileInfo::exists(tarball)) {
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        QProcess tar;
        tar.start(QStringLiteral("tar"), {QStringLiteral("xzf"), tarball, QStringLiteral("-C"), tmp.path()});
        if (!tar.waitForFinished(120000) || tar.exitCode() != 0)
            QSKIP("tar could not extract the corpus");
        runDirectory(tmp.path() + QStringLiteral("/corpus-tests"), tmp.path(), {QStringLiteral("*.json")}, passed,
                     failed, failures);
    }
    if (QFileInfo::exists(base + QStringLiteral("/tests")))
        runDirectory(base + QStringLiteral("/tests"), base, {QStringLiteral("*.json")}, passed, failed, failures);

    for (const QString &f : failures.mid(0, 50))
        qWarning().noquote() << f;
    qInfo().noquote() << QStringLiteral("%1 passed, %2 failed").arg(passed).arg(failed);
    QVERIFY(passed > 0);
    QCOMPARE(failed, 0);
}

QTEST_GUILESS_MAIN(TestCedarConformance)
#include "tst_cedar_conformance.moc"

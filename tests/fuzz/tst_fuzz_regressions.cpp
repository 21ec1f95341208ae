// Replays, in every build, what the fuzzers found: each input that once crashed or broke a check
// (tests/fuzz/regressions/<target>/), and the committed corpus the fuzzers start from.
#include "FuzzTargets.h"

#include <QDir>
#include <QFile>
#include <QSet>
#include <QTest>

using namespace chainsight::fuzz;

namespace {

QString fuzzDir(const QString &sub)
{
    return QStringLiteral(CHAINSIGHT_FUZZ_DIR "/") + sub;
}

// One row per file below folder/<target>/ for every target this build has.
void addInputRows(const QString &folder)
{
    for (const FuzzTarget &target : fuzzTargets()) {
        const QDir dir(fuzzDir(folder) + QLatin1Char('/') + QLatin1String(target.name));
        const QStringList files = dir.entryList(QDir::Files, QDir::Name);
        for (const QString &file : files) {
            const QString row = folder + QLatin1Char('/') + QLatin1String(target.name) + QLatin1Char('/') + file;
            QTest::newRow(qPrintable(row)) << QString::fromLatin1(target.name) << dir.filePath(file);
        }
    }
}

void replayInput(const QString &targetName, const QString &path)
{
    const FuzzTarget *target = fuzzTarget(targetName.toLatin1());
    QVERIFY(target);
    QFile file(path);
    QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(path));
    const QByteArray input = file.readAll();
    // A broken check aborts the process with the target's message, as under libFuzzer.
    target->run(input);
}

} // namespace

class TestFuzzRegressions final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // Every target has a committed corpus, and every corpus folder names a target (none left behind by a rename).
    void corpusFoldersMatchTargets()
    {
        QSet<QString> targets;
        for (const FuzzTarget &target : fuzzTargets()) {
            targets.insert(QString::fromLatin1(target.name));
            const QDir corpus(fuzzDir(QStringLiteral("corpus/")) + QLatin1String(target.name));
            QVERIFY2(!corpus.entryList(QDir::Files).isEmpty(), target.name);
        }
        for (const QString &folder : {QStringLiteral("corpus"), QStringLiteral("regressions")}) {
            const QStringList names = QDir(fuzzDir(folder)).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
            for (const QString &name : names) {
                // JOSE and Cedar folders stay when this build leaves those components out.
                const bool optional = name.startsWith(QLatin1String("cedar_")) || name == QLatin1String("dpop")
                    || name == QLatin1String("jwt_captures");
                QVERIFY2(targets.contains(name) || optional, qPrintable(folder + QLatin1Char('/') + name));
            }
        }
    }

    // The inputs that once failed first, then the corpus.
    void replay_data()
    {
        QTest::addColumn<QString>("target");
        QTest::addColumn<QString>("path");
        addInputRows(QStringLiteral("regressions"));
        addInputRows(QStringLiteral("corpus"));
    }
    void replay()
    {
        QFETCH(QString, target);
        QFETCH(QString, path);
        replayInput(target, path);
    }
};

QTEST_GUILESS_MAIN(TestFuzzRegressions)
#include "tst_fuzz_regressions.moc"

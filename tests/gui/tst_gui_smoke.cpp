// Drives the real main window the way a new user does: the first start opens the demo, a file is imported,
// a finding is picked with the mouse and then the keyboard, and its chain opens beside it. Every step leaves
// a screenshot in artefacts/.
#include "AgentInventoryModel.h"
#include "ChainInspector.h"
#include "ChainListModel.h"
#include "FindingListModel.h"
#include "FindingsPanel.h"
#include "InventoryPanel.h"
#include "MainWindow.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QDir>
#include <QDockWidget>
#include <QFileInfo>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTest>
#include <QTreeWidget>

using namespace chainsight;

namespace {

constexpr int loadTimeoutMs = 60000; // the first start builds and analyses the demo; slow under sanitizers

QString artefactPath(const QString &name)
{
    const QString suffix = qEnvironmentVariable("CHAINSIGHT_ARTEFACT_SUFFIX");
    QDir().mkpath(QStringLiteral(CHAINSIGHT_ARTEFACT_DIR));
    return QStringLiteral(CHAINSIGHT_ARTEFACT_DIR "/smoke") + suffix + QLatin1Char('-') + name;
}

// The finding at a row of the panel's table, as the user sees the rows.
Finding findingAt(FindingsPanel *panel, int proxyRow)
{
    const QModelIndex source = panel->proxy()->mapToSource(panel->proxy()->index(proxyRow, 0));
    return panel->model()->findings().at(source.row());
}

} // namespace

class GuiSmokeTest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        // Settings and the demo go to throw-away test locations; a run under Xvfb keeps its own.
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("ChainsightTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_gui_smoke") + qEnvironmentVariable("CHAINSIGHT_ARTEFACT_SUFFIX"));
        QSettings().clear();
        QDir(QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation)).removeRecursively();
    }

    void firstStartToChain()
    {
        MainWindow window;
        window.resize(1400, 900);
        QAbstractItemModelTester findingTester(window.findingsPanel()->proxy(),
                                               QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester chainTester(window.chainInspector()->model(),
                                             QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy shown(&window, &MainWindow::workspaceShown);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));

        // 1. A first start, with no settings, opens the demo workspace.
        window.openStartupWorkspace();
        QVERIFY(shown.wait(loadTimeoutMs));
        QCOMPARE(QFileInfo(shown.last().at(0).toString()).fileName(), QStringLiteral("demo.chainsight"));
        QVERIFY(window.windowTitle().startsWith(QStringLiteral("demo")));
        QVERIFY(window.inventoryPanel()->proxy()->rowCount() >= 12);
        const int demoChains = window.chainInspector()->model()->rowCount();
        QVERIFY(demoChains >= 1);
        FindingsPanel *findings = window.findingsPanel();
        QVERIFY(findings->proxy()->rowCount() >= 5);
        QVERIFY(window.grab().save(artefactPath(QStringLiteral("01-first-start.png"))));

        // 2. Importing an OpenTelemetry trace adds its delegation chain, in the background.
        QSignalSpy finished(window.session(), &WorkspaceSession::importFinished);
        const int loadsBefore = shown.count();
        window.importFiles({QStringLiteral(CHAINSIGHT_TEST_DATA_DIR "/chains/retention-trace.json")});
        QVERIFY(finished.wait(loadTimeoutMs));
        QCOMPARE(finished.at(0).at(0).value<ImportResult>().status, ImportResult::Status::Committed);
        QTRY_VERIFY_WITH_TIMEOUT(shown.count() > loadsBefore, loadTimeoutMs);
        QVERIFY(window.chainInspector()->model()->rowCount() > demoChains);
        QVERIFY(window.grab().save(artefactPath(QStringLiteral("02-imported.png"))));

        // 3. A click on a finding about a chain opens that chain beside it, hop by hop.
        QVERIFY(window.showPanel(QStringLiteral("findings")));
        auto *table = findings->findChild<QTableView *>();
        QVERIFY(table);
        int chainRow = -1;
        for (int row = 0; row < findings->proxy()->rowCount() && chainRow < 0; ++row) {
            if (!findingAt(findings, row).chainKey.isEmpty())
                chainRow = row;
        }
        QVERIFY2(chainRow >= 0, "no finding concerns a chain");
        const Finding clicked = findingAt(findings, chainRow);
        const QModelIndex cell = findings->proxy()->index(chainRow, FindingListModel::RuleColumn);
        table->scrollTo(cell);
        QTest::mouseClick(table->viewport(), Qt::LeftButton, Qt::NoModifier, table->visualRect(cell).center());
        QCOMPARE(window.chainInspector()->currentChainKey(), clicked.chainKey);
        QVERIFY(window.chainInspector()->isVisible());
        QVERIFY(window.chainInspector()->hopTree()->topLevelItemCount() >= 1);
        QVERIFY(window.grab().save(artefactPath(QStringLiteral("03-finding-chain.png"))));

        // 4. The keyboard walks the findings too: the next finding about a chain opens its chain.
        table->setFocus();
        int row = chainRow;
        Finding next;
        while (row + 1 < findings->proxy()->rowCount()) {
            QTest::keyClick(table, Qt::Key_Down);
            ++row;
            next = findingAt(findings, row);
            if (!next.chainKey.isEmpty() && next.chainKey != clicked.chainKey)
                break;
        }
        QCOMPARE(table->currentIndex().row(), row);
        if (!next.chainKey.isEmpty() && next.chainKey != clicked.chainKey) {
            QCOMPARE(window.chainInspector()->currentChainKey(), next.chainKey);
            QVERIFY(window.grab().save(artefactPath(QStringLiteral("04-keyboard-chain.png"))));
        }
    }
};

QTEST_MAIN(GuiSmokeTest)
#include "tst_gui_smoke.moc"

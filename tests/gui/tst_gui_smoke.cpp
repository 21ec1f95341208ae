// Drives the real main window the way a new user does: the first start opens the demo, a file is imported,
// a finding is picked with the mouse and then the keyboard and its chain opens beside it; then, where the
// window offers them, a policy replay and an evidence export. Every step leaves a screenshot in artefacts/.
#include "AgentInventoryModel.h"
#include "ChainInspector.h"
#include "ChainListModel.h"
#include "DelegationGraphPage.h"
#include "DelegationGraphScene.h"
#include "EvidenceExportDialog.h"
#include "FindingListModel.h"
#include "FindingsPanel.h"
#include "InventoryPanel.h"
#include "MainWindow.h"
#include "PolicyDocks.h"
#include "PolicyEditor.h"
#include "PolicyPanel.h"
#include "PolicyResources.h"
#include "PolicySession.h"
#include "SimulationPanel.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QTreeWidget>

#include <optional>

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

// The menu action with this text (mnemonics ignored), or null when the window has none.
QAction *menuAction(const QMainWindow &window, const QString &text)
{
    QList<QMenu *> menus;
    for (QAction *action : window.menuBar()->actions()) {
        if (action->menu())
            menus.push_back(action->menu());
    }
    while (!menus.isEmpty()) {
        const QMenu *menu = menus.takeFirst();
        for (QAction *action : menu->actions()) {
            if (action->menu())
                menus.push_back(action->menu());
            else if (QString(action->text()).remove(QLatin1Char('&')) == text)
                return action;
        }
    }
    return nullptr;
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
        window.resize(1600, 1000);
        QAbstractItemModelTester findingTester(window.findingsPanel()->proxy(),
                                               QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester chainTester(window.chainInspector()->model(),
                                             QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy shown(&window, &MainWindow::workspaceShown);
        // Each workspace load rebuilds the replay corpus in the background; a replay waits for the latest.
        auto *policy = window.findChild<PolicyDocks *>();
        std::optional<QSignalSpy> corpusLoads;
        if (policy)
            corpusLoads.emplace(policy->session(), &PolicySession::corpusReady);
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
        // The last finding about a chain other than the one shown, so the click is what changes it.
        const QString shownBefore = window.chainInspector()->currentChainKey();
        int chainRow = -1;
        for (int row = 0; row < findings->proxy()->rowCount(); ++row) {
            const QString key = findingAt(findings, row).chainKey;
            if (!key.isEmpty() && key != shownBefore)
                chainRow = row;
        }
        QVERIFY2(chainRow >= 0, "no finding concerns another chain");
        const Finding clicked = findingAt(findings, chainRow);
        const QModelIndex cell = findings->proxy()->index(chainRow, FindingListModel::RuleColumn);
        table->scrollTo(cell);
        QTest::mouseClick(table->viewport(), Qt::LeftButton, Qt::NoModifier, table->visualRect(cell).center());
        QCOMPARE(window.chainInspector()->currentChainKey(), clicked.chainKey);
        QVERIFY(window.chainInspector()->isVisible());
        QVERIFY(window.chainInspector()->hopTree()->topLevelItemCount() >= 1);
        QTest::qWait(800); // the graph glides to the finding's path; the screenshot shows where it lands
        QVERIFY(window.grab().save(artefactPath(QStringLiteral("03-finding-chain.png"))));

        // 4. The keyboard walks the findings too: Up to the previous finding about another chain opens it.
        table->setFocus();
        int row = chainRow;
        Finding previous;
        while (row > 0) {
            QTest::keyClick(table, Qt::Key_Up);
            --row;
            previous = findingAt(findings, row);
            if (!previous.chainKey.isEmpty() && previous.chainKey != clicked.chainKey)
                break;
        }
        QCOMPARE(table->currentIndex().row(), row);
        QVERIFY2(!previous.chainKey.isEmpty() && previous.chainKey != clicked.chainKey, "no earlier finding about another chain");
        QCOMPARE(window.chainInspector()->currentChainKey(), previous.chainKey);
        QVERIFY(window.grab().save(artefactPath(QStringLiteral("04-keyboard-chain.png"))));

        if (policy) {
            QTRY_VERIFY_WITH_TIMEOUT(corpusLoads->count() >= shown.count(), loadTimeoutMs);
            replayAStarterPolicy(window, *policy);
            if (QTest::currentTestFailed())
                return;
        } else {
            qInfo("this window has no policy docks: no replay step");
        }
        exportEvidence(window);
    }

private:
    // 5. Policy → Simulate replays what the agents did against the starter policies: the shadow agent is denied.
    void replayAStarterPolicy(MainWindow &window, PolicyDocks &docks)
    {
        PolicyDocks *policy = &docks;
        const QList<StarterPolicy> starters = starterPolicies();
        policy->editor()->editor()->setPlainText(findStarterPolicy(starters, QStringLiteral("baseline-permit"))->text
                                                 + QLatin1Char('\n')
                                                 + findStarterPolicy(starters, QStringLiteral("forbid-shadow"))->text);
        QSignalSpy finished(policy->session(), &PolicySession::simulationFinished);
        QSignalSpy failed(policy->session(), &PolicySession::simulationFailed);
        QAction *simulate = policy->editor()->simulateAction();
        QVERIFY(simulate->isEnabled());
        simulate->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty() || !failed.isEmpty(), loadTimeoutMs);
        QVERIFY2(failed.isEmpty(), qPrintable(failed.isEmpty() ? QString() : failed.front().front().toString()));
        const auto outcome = finished.front().front().value<SimulationOutcome>();
        QVERIFY(outcome.result);
        QCOMPARE(outcome.result->size(), policy->session()->corpus()->size());
        QTRY_VERIFY(policy->results()->summary()->text().contains(QLatin1String("denied")));
        // The graph marks the paths to the denied actions in the denial colour, not as a reviewer's path.
        if (auto *graph = window.findChild<DelegationGraphPage *>()) {
            QTRY_VERIFY(graph->scene()->hasHighlight());
            QCOMPARE(graph->scene()->highlight().kind, GraphMarkKind::Denied);
        }
        policy->resultsDock()->show();
        policy->resultsDock()->raise();
        QVERIFY(window.grab().save(artefactPath(QStringLiteral("05-simulation.png"))));
    }

    // 6. File → Export evidence… writes the PDF report and its bundle, and says so.
    void exportEvidence(MainWindow &window)
    {
        QAction *exportAction = menuAction(window, QStringLiteral("Export evidence…"));
        if (!exportAction) {
            qInfo("this window has no evidence export: no report step");
            return;
        }
        QTemporaryDir dir;
        const QString pdf = dir.filePath(QStringLiteral("evidence.pdf"));
        QString outcome;
        // The dialogs are modal: answer them from the event loop they run.
        QTimer answer;
        connect(&answer, &QTimer::timeout, this, [&] {
            QWidget *modal = QApplication::activeModalWidget();
            if (auto *dialog = qobject_cast<EvidenceExportDialog *>(modal)) {
                for (QLineEdit *edit : dialog->findChildren<QLineEdit *>()) {
                    if (edit->text().endsWith(QLatin1String(".pdf")))
                        edit->setText(pdf);
                }
                dialog->grab().save(artefactPath(QStringLiteral("06-export-dialog.png")));
                dialog->accept();
            } else if (auto *box = qobject_cast<QMessageBox *>(modal)) {
                outcome = box->text();
                box->grab().save(artefactPath(QStringLiteral("07-exported.png")));
                box->accept();
            }
        });
        answer.start(50);
        exportAction->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(!outcome.isEmpty(), loadTimeoutMs);
        answer.stop();
        QVERIFY2(outcome.contains(QLatin1String("evidence.pdf")), qPrintable(outcome));
        QFile report(pdf);
        QVERIFY(report.open(QIODevice::ReadOnly));
        QCOMPARE(report.read(5), QByteArray("%PDF-"));
    }
};

QTEST_MAIN(GuiSmokeTest)
#include "tst_gui_smoke.moc"

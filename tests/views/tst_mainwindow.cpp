#include "AgentInventoryModel.h"
#include "ChainInspector.h"
#include "ChainListModel.h"
#include "DelegationGraphData.h"
#include "DelegationGraphPage.h"
#include "DelegationGraphScene.h"
#include "ElidedLabel.h"
#include "FindingListModel.h"
#include "FindingsPanel.h"
#include "IdentitiesPanel.h"
#include "IdentityListModel.h"
#include "ImportStatusWidget.h"
#include "InventoryPanel.h"
#include "MainWindow.h"
#include "ReviewDialog.h"
#include "SourceListModel.h"
#include "WorkspaceOverview.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QComboBox>
#include <QDockWidget>
#include <QDir>
#include <QLineEdit>
#include <QMenu>
#include <QMimeData>
#include <QUrl>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QTreeWidget>

using namespace chainsight;

namespace {

QString fixture(const QString &name)
{
    return QStringLiteral(CHAINSIGHT_TEST_DATA_DIR "/inventory/") + name;
}

void saveArtefact(QWidget &widget, const QString &name)
{
    QDir().mkpath(QStringLiteral(CHAINSIGHT_ARTEFACT_DIR));
    QVERIFY(widget.grab().save(QStringLiteral(CHAINSIGHT_ARTEFACT_DIR "/") + name));
}

} // namespace

class TestMainWindow : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        // Settings and the demo workspace go to throw-away test locations, never the user's.
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("ChainsightTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_mainwindow"));
        QDir(QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation)).removeRecursively();
    }

    void firstStartShowsDemoInventory()
    {
        MainWindow window;
        QAbstractItemModelTester tester(window.inventoryPanel()->proxy(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy shown(&window, &MainWindow::workspaceShown);
        window.show();
        window.openDemoWorkspace();
        QVERIFY(shown.wait(30000));
        AgentFilterProxyModel *proxy = window.inventoryPanel()->proxy();
        QVERIFY(proxy->rowCount() >= 12);
        int withoutOwner = 0;
        for (int row = 0; row < proxy->rowCount(); ++row) {
            const QModelIndex owner = proxy->index(row, AgentInventoryModel::OwnerColumn);
            if (!owner.data(AgentInventoryModel::HasOwnerRole).toBool()) {
                ++withoutOwner;
                QCOMPARE(owner.data().toString(), AgentInventoryModel::noOwnerText());
            }
        }
        QVERIFY(withoutOwner >= 1);
        QCOMPARE(window.overview()->sourceModel()->rowCount(), 2);
        saveArtefact(window, QStringLiteral("01-demo-inventory.png"));

        // The demo's traces name one agent the inventory does not know: it is a shadow identity.
        IdentitiesPanel *identities = window.identitiesPanel();
        QAbstractItemModelTester identityTester(identities->proxy(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        identities->parentWidget()->show();
        qobject_cast<QDockWidget *>(identities->parentWidget())->raise();
        identities->kindFilter()->setCurrentIndex(identities->kindFilter()->findData(QStringLiteral("shadow")));
        QCOMPARE(identities->proxy()->rowCount(), 1);
        QCOMPARE(identities->proxy()->index(0, IdentityListModel::IdColumn).data().toString(), QStringLiteral("quick-helper-bot"));
        QCOMPARE(identities->proxy()->index(0, IdentityListModel::ProtocolsColumn).data().toString(), QStringLiteral("otlp"));
        identities->kindFilter()->setCurrentIndex(identities->kindFilter()->findData(QStringLiteral("agent")));
        QVERIFY(identities->proxy()->rowCount() >= 12);
        saveArtefact(window, QStringLiteral("02-identities.png"));
        // The demo is analysed when it is built: its unowned agents, its shadow and its unapproved payments.
        FindingsPanel *findings = window.findingsPanel();
        QAbstractItemModelTester findingTester(findings->proxy(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QStringList pairs;
        for (const Finding &finding : findings->model()->findings())
            pairs.push_back(finding.rule + QLatin1Char(' ') + finding.subject);
        QVERIFY2(pairs.contains(QStringLiteral("shadow-agent quick-helper-bot")), qPrintable(pairs.join(QLatin1Char(','))));
        QVERIFY(pairs.contains(QStringLiteral("orphan-agent report-worker")));
        QVERIFY(pairs.contains(QStringLiteral("orphan-agent sales-assistant")));
        findings->severityFilter()->setCurrentIndex(findings->severityFilter()->findData(static_cast<int>(FindingSeverity::High)));
        QVERIFY(findings->proxy()->rowCount() >= 1);
        QVERIFY(findings->proxy()->rowCount() < findings->model()->rowCount());
        // The time filter counts back from the newest finding and keeps those whose evidence reaches into it.
        findings->severityFilter()->setCurrentIndex(0);
        qint64 latest = 0;
        for (const Finding &finding : findings->model()->findings())
            latest = std::max(latest, finding.lastSeenMs.value_or(0));
        QVERIFY(latest > 0);
        findings->timeFilter()->setCurrentIndex(1); // last 24 hours
        QVERIFY(findings->proxy()->rowCount() >= 1);
        for (int row = 0; row < findings->proxy()->rowCount(); ++row)
            QVERIFY(findings->proxy()->index(row, 0).data(FindingListModel::LastSeenRole).toLongLong() >= latest - 24 * 3600 * 1000);
        findings->timeFilter()->setCurrentIndex(0);
        QCOMPARE(findings->proxy()->rowCount(), findings->model()->rowCount());
        findings->severityFilter()->setCurrentIndex(findings->severityFilter()->findData(static_cast<int>(FindingSeverity::High)));
        window.showPanel(QStringLiteral("findings"));
        saveArtefact(window, QStringLiteral("02-findings.png"));
        window.inventoryPanel()->parentWidget()->show();
        qobject_cast<QDockWidget *>(window.inventoryPanel()->parentWidget())->raise();

        window.inventoryPanel()->filterEdit()->setText(QStringLiteral("ledger"));
        QVERIFY(proxy->rowCount() >= 1);
        QVERIFY(proxy->rowCount() < 12);
        saveArtefact(window, QStringLiteral("03-filtered.png"));
    }

    void selectingAFindingOpensItsChain()
    {
        MainWindow window;
        QSignalSpy shown(&window, &MainWindow::workspaceShown);
        window.show();
        window.openDemoWorkspace();
        QVERIFY(shown.wait(30000));
        ChainInspector *chains = window.chainInspector();
        QAbstractItemModelTester chainTester(chains->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(chains->model()->rowCount(), 8);
        FindingsPanel *findings = window.findingsPanel();
        // Filtered to one rule, the panel still finds and selects the finding asked for.
        findings->ruleFilter()->setCurrentIndex(findings->ruleFilter()->findData(QStringLiteral("orphan-agent")));
        QCOMPARE(findings->proxy()->rowCount(), 2);
        const QString trace = QStringLiteral("48f687ab165c58ac5831be38cb8cb4ba");
        QVERIFY(findings->selectFinding(QStringLiteral("lost-originator"), trace));
        QCOMPARE(chains->currentChainKey(), trace);
        QTreeWidget *tree = chains->hopTree();
        QVERIFY(tree->topLevelItemCount() == 1);
        QVERIFY(tree->topLevelItem(0)->text(0).contains(QStringLiteral("Unknown originator")));
        // The finding's evidence events are marked in the chain.
        QVERIFY(tree->currentItem());
        QVERIFY(tree->currentItem()->font(0).bold());
        window.showPanel(QStringLiteral("findings"));
        saveArtefact(window, QStringLiteral("05-finding-chain.png"));
    }

    void reviewsStartFromTheChainAndGraphMenus()
    {
        MainWindow window;
        QSignalSpy shown(&window, &MainWindow::workspaceShown);
        window.show();
        window.openDemoWorkspace();
        QVERIFY(shown.wait(30000));
        // Triggers the menu action and reads the subject of the review dialog it opens, then cancels it.
        const auto reviewDraftFrom = [](QMenu &menu, const QString &text) {
            ReviewDraft seen;
            QAction *action = nullptr;
            for (QAction *candidate : menu.actions())
                action = candidate->text() == text ? candidate : action;
            if (!action)
                return seen;
            QTimer::singleShot(0, [&seen] {
                if (auto *dialog = qobject_cast<ReviewDialog *>(QApplication::activeModalWidget())) {
                    seen = dialog->draft();
                    dialog->reject();
                }
            });
            action->trigger();
            return seen;
        };

        ChainInspector *chains = window.chainInspector();
        const QModelIndex firstChain = chains->chainList()->model()->index(0, 0);
        QMenu chainMenu;
        chains->fillContextMenu(chainMenu, firstChain);
        const ReviewDraft chainReview = reviewDraftFrom(chainMenu, QStringLiteral("Review this chain…"));
        QCOMPARE(chainReview.subjectKind, ReviewSubjectKind::Chain);
        QCOMPARE(chainReview.subject, firstChain.data().toString());

        DelegationGraphPage *graph = window.graphPage();
        QTRY_VERIFY_WITH_TIMEOUT(graph->scene()->graph(), 10000);
        const int node = graph->scene()->graph()->nodeIndex(QStringLiteral("refund-worker"));
        QVERIFY(node >= 0);
        QMenu nodeMenu;
        graph->fillContextMenu(nodeMenu, node, -1);
        const ReviewDraft identityReview = reviewDraftFrom(nodeMenu, QStringLiteral("Review this identity…"));
        QCOMPARE(identityReview.subjectKind, ReviewSubjectKind::Identity);
        QCOMPARE(identityReview.subject, QStringLiteral("refund-worker"));
    }

    void importAddsAgentsInTheBackground()
    {
        QTemporaryDir dir;
        MainWindow window;
        QSignalSpy shown(&window, &MainWindow::workspaceShown);
        window.show();
        window.session()->openWorkspace(dir.filePath(QStringLiteral("fresh.chainsight")), true);
        QVERIFY(shown.wait(30000));
        QCOMPARE(window.inventoryPanel()->proxy()->rowCount(), 0);

        QSignalSpy finished(window.session(), &WorkspaceSession::importFinished);
        window.importFiles({fixture(QStringLiteral("valid.json")), fixture(QStringLiteral("bad-records.csv"))});
        QVERIFY(finished.wait(30000));
        const auto result = finished.at(0).at(0).value<ImportResult>();
        QCOMPARE(result.status, ImportResult::Status::Committed);
        QCOMPARE(result.errorCount(), 3);
        // The reload after the commit may land while the spy above is still draining events: count, do not wait.
        QTRY_COMPARE_WITH_TIMEOUT(shown.count(), 2, 30000);
        QCOMPARE(window.inventoryPanel()->proxy()->rowCount(), 3 + 4);
        QCOMPARE(window.overview()->sourceModel()->rowCount(), 2);
        saveArtefact(window, QStringLiteral("04-after-import.png"));
    }

    void droppedFilesAreImported()
    {
        QTemporaryDir dir;
        MainWindow window;
        QSignalSpy shown(&window, &MainWindow::workspaceShown);
        window.show();
        window.session()->openWorkspace(dir.filePath(QStringLiteral("drop.chainsight")), true);
        QVERIFY(shown.wait(30000));

        QMimeData mime;
        mime.setUrls({QUrl::fromLocalFile(fixture(QStringLiteral("valid.csv")))});
        QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&window, &enter);
        QVERIFY(enter.isAccepted());
        QSignalSpy finished(window.session(), &WorkspaceSession::importFinished);
        QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&window, &drop);
        QVERIFY(finished.wait(30000));
        QTRY_COMPARE_WITH_TIMEOUT(window.inventoryPanel()->proxy()->rowCount(), 3, 30000);
    }

    void etaIsRoundedAndQuietEarly_data()
    {
        QTest::addColumn<qint64>("elapsedMs");
        QTest::addColumn<qint64>("done");
        QTest::addColumn<qint64>("total");
        QTest::addColumn<QString>("expected");
        QTest::newRow("too early") << qint64(500) << qint64(50) << qint64(100) << QString();
        QTest::newRow("too little data") << qint64(5000) << qint64(5) << qint64(1000) << QString();
        QTest::newRow("seconds") << qint64(10000) << qint64(50) << qint64(100) << QStringLiteral("about 10 s left");
        QTest::newRow("minutes") << qint64(60000) << qint64(25) << qint64(100) << QStringLiteral("about 3 min left");
    }

    void etaIsRoundedAndQuietEarly()
    {
        QFETCH(qint64, elapsedMs);
        QFETCH(qint64, done);
        QFETCH(qint64, total);
        QFETCH(QString, expected);
        QCOMPARE(ImportStatusWidget::etaText(elapsedMs, done, total), expected);
    }

    // A panel's summary line too long for its dock ends in an ellipsis, with the whole line as its tooltip,
    // rather than being cut mid-word; the chains panel uses one.
    void summaryLinesEndInAnEllipsisWhenCut()
    {
        ElidedLabel label;
        const QString summary = QStringLiteral("8 of 8 · 1 without originator · 94 % on intent");
        label.setText(summary);
        label.resize(label.sizeHint());
        QVERIFY(!label.isElided());
        QCOMPARE(label.shownText(), summary);
        label.resize(label.fontMetrics().horizontalAdvance(QStringLiteral("8 of 8 · 1 wi")), label.height());
        QVERIFY(label.isElided());
        QVERIFY2(label.shownText().endsWith(QChar(0x2026)) && summary.startsWith(label.shownText().chopped(1)),
                 qPrintable(label.shownText()));
        QVERIFY(label.minimumSizeHint().width() < label.width());

        ChainInspector inspector;
        QVERIFY(inspector.findChild<ElidedLabel *>());
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"

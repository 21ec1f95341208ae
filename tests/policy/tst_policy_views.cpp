#include "DemoData.h"
#include "PolicyEditor.h"
#include "PolicyPanel.h"
#include "PolicyResources.h"
#include "PolicySession.h"
#include "ReplayScopeDialog.h"
#include "PolicyTestWorld.h"
#include "SimulationCharts.h"
#include "SimulationPanel.h"
#include "SimulationResultModel.h"

#include "cedar/PolicyParser.h"

#include <QAbstractItemView>
#include <QCompleter>
#include <QLabel>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThreadPool>

using namespace chainsight;

namespace {

std::shared_ptr<const cedar::PolicySet> parse(const QString &text)
{
    const QByteArray utf8 = text.toUtf8();
    auto parsed = cedar::PolicyParser::parse(std::string_view(utf8.constData(), size_t(utf8.size())));
    return parsed.ok() ? std::make_shared<const cedar::PolicySet>(std::move(parsed.policySet)) : nullptr;
}

} // namespace

// The policy editor, the results panel and the background session, headless.
class PolicyViewsTest final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void editorDiagnosticsFollowTheText();
    void formatIsOneUndoStep();
    void completionOffersSchemaAndWorkspaceWords();
    void resultsPanelShowsOutcome();
    void sessionReplaysInTheBackground();
    void cancelStopsAReplay();
    void scopeNarrowsTheReplay();

private:
    std::shared_ptr<const ReplayCorpus> m_corpus;
    std::shared_ptr<const PolicyChecker> m_checker;
    QTemporaryDir m_dir;
    QString m_demo;
};

void PolicyViewsTest::initTestCase()
{
    QCoreApplication::setOrganizationName(QStringLiteral("ChainsightTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_policy_views"));
    m_corpus = ReplayCorpus::build(PolicyTestWorld::chains(), PolicyTestWorld::inventory(), PolicyTestWorld::toolArguments());
    m_checker = std::make_shared<const PolicyChecker>(workspacePolicySchema(m_corpus.get()), m_corpus);
    QVERIFY(m_dir.isValid());
    QString error;
    const auto demo = DemoData::buildWorkspace(m_dir.filePath(QStringLiteral("demo")), &error);
    QVERIFY2(demo, qPrintable(error));
    m_demo = *demo;
}

void PolicyViewsTest::editorDiagnosticsFollowTheText()
{
    PolicyEditor editor;
    editor.setChecker(m_checker);
    QSignalSpy changed(&editor, &PolicyEditor::diagnosticsChanged);
    editor.setPlainText(QStringLiteral("permit (principal, action, resource)\nwhen { context.delegation.dpth > 1 };\n"));
    QVERIFY(changed.wait(2000)); // checked shortly after typing stops
    QCOMPARE(editor.diagnostics().size(), 1);
    QCOMPARE(editor.diagnostics().front().severity, PolicyDiagnostic::Severity::Warning);
    QCOMPARE(editor.diagnostics().front().line, 2);
    QVERIFY(!editor.hasErrors());
    QCOMPARE(editor.extraSelections().size(), 1);
    QCOMPARE(editor.extraSelections().front().cursor.selectedText(), QStringLiteral("context.delegation.dpth"));

    editor.setPlainText(QStringLiteral("permit (principal, action, resource)\nwhen { context.delegation.depth > 1 }"));
    editor.checkNow();
    QVERIFY(editor.hasErrors()); // the `;` is missing
    editor.setPlainText(QStringLiteral("permit (principal, action, resource)\nwhen { context.delegation.depth > 1 };"));
    editor.checkNow();
    QVERIFY(editor.diagnostics().isEmpty());
    QVERIFY(editor.extraSelections().isEmpty());
}

void PolicyViewsTest::formatIsOneUndoStep()
{
    PolicyEditor editor;
    const QString original = QStringLiteral("forbid(principal,action,resource)when{context.delegation.depth>2};");
    editor.setPlainText(original);
    QString error;
    QVERIFY(editor.formatPolicies(&error));
    QVERIFY(editor.toPlainText() != original);
    QVERIFY(editor.toPlainText().contains(QStringLiteral("context.delegation.depth > 2")));
    editor.undo();
    QCOMPARE(editor.toPlainText(), original);
    editor.redo();
    QVERIFY(editor.toPlainText() != original);

    editor.setPlainText(QStringLiteral("forbid (principal"));
    QVERIFY(!editor.formatPolicies(&error));
    QVERIFY(error.contains(QStringLiteral("line 1")));
    QCOMPARE(editor.toPlainText(), QStringLiteral("forbid (principal"));
}

void PolicyViewsTest::completionOffersSchemaAndWorkspaceWords()
{
    PolicyEditor editor;
    editor.setChecker(m_checker);
    const QStringList words = editor.completionWords();
    for (const char *word : {"context.delegation.depth", "context.intent.match", "Action::\"pay.send\"", "Agent::\"worker\"",
                             "principal.maxDelegationDepth", "resource.region", "forbid"})
        QVERIFY2(words.contains(QLatin1String(word)), word);

    editor.show();
    QVERIFY(QTest::qWaitForWindowExposed(&editor));
    editor.setPlainText(QStringLiteral("when { context.delegation.de"));
    editor.moveCursorTo(int(editor.toPlainText().size()));
    QTest::keyClick(&editor, Qt::Key_Space, Qt::ControlModifier);
    QCompleter *completer = editor.findChild<QCompleter *>();
    QVERIFY(completer);
    QVERIFY(completer->popup()->isVisible());
    QCOMPARE(completer->currentCompletion(), QStringLiteral("context.delegation.depth"));
    QTest::keyClick(completer->popup(), Qt::Key_Return);
    QCOMPARE(editor.toPlainText(), QStringLiteral("when { context.delegation.depth"));
}

void PolicyViewsTest::resultsPanelShowsOutcome()
{
    PolicySession session;
    SimulationPanel panel(&session);
    SimulationOutcome outcome;
    outcome.policy = PolicyDraft{QStringLiteral("p.cedar"), {}};
    auto result = std::make_shared<const SimulationResult>(PolicySimulator::run(
        m_corpus, parse(QStringLiteral("@id(\"all\") permit (principal, action, resource);\n"
                                       "@id(\"intent\") forbid (principal, action, resource) unless { context.intent.match };"))));
    auto baseline = std::make_shared<const SimulationResult>(PolicySimulator::run(m_corpus, parse(QStringLiteral("permit (principal, action, resource);"))));
    outcome.result = result;
    outcome.baseline = baseline;
    outcome.diff = std::make_shared<const PolicyDiff>(PolicyDiff::compare(*baseline, *result));
    outcome.baselinePolicy = PolicyDraft{QStringLiteral("old.cedar"), {}};
    QSignalSpy shown(&panel, &SimulationPanel::outcomeShown);
    panel.showOutcome(outcome);
    QCOMPARE(shown.size(), 1);
    Q_EMIT session.simulationStored(7, {});
    QCOMPARE(panel.model()->rowCount(), 6);
    QVERIFY(panel.summary()->text().contains(QStringLiteral("2 denied")));
    QVERIFY(panel.summary()->text().contains(QStringLiteral("2 flips")));
    QVERIFY(panel.summary()->text().contains(QStringLiteral("run 7")));
    QCOMPARE(panel.diffModel()->rowCount(), 1);
    const SimulationCharts::Figures &figures = panel.charts()->figures();
    qint64 denied = 0;
    for (qint64 count : figures.denies)
        denied += count;
    QCOMPARE(denied, 2);
    QCOMPARE(figures.byPolicy.size(), 1);
    QCOMPARE(figures.byPolicy.front().first, QStringLiteral("intent"));
    QVERIFY(panel.showTab(QStringLiteral("charts")));
    QVERIFY(!panel.showTab(QStringLiteral("nowhere")));
}

void PolicyViewsTest::sessionReplaysInTheBackground()
{
    PolicySession session;
    QSignalSpy ready(&session, &PolicySession::corpusReady);
    QSignalSpy checker(&session, &PolicySession::checkerChanged);
    session.setWorkspace(m_demo);
    QVERIFY(ready.wait(20000));
    QVERIFY(session.corpus()->size() > 0);
    QCOMPARE(checker.size(), 1);

    PolicyPanel panel(&session);
    panel.editor()->setPlainText(findStarterPolicy(starterPolicies(), QStringLiteral("baseline-permit"))->text + QLatin1Char('\n')
                                 + findStarterPolicy(starterPolicies(), QStringLiteral("forbid-shadow"))->text);
    QSignalSpy finished(&session, &PolicySession::simulationFinished);
    QSignalSpy failed(&session, &PolicySession::simulationFailed);
    QSignalSpy stored(&session, &PolicySession::simulationStored);
    QSignalSpy versions(&session, &PolicySession::versionsChanged);
    panel.simulate();
    QVERIFY(session.isRunning());
    QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty() || !failed.isEmpty(), 30000);
    QVERIFY2(failed.isEmpty(), qPrintable(failed.isEmpty() ? QString() : failed.front().front().toString()));
    const auto outcome = finished.front().front().value<SimulationOutcome>();
    QVERIFY(outcome.result);
    QCOMPARE(outcome.result->size(), session.corpus()->size());
    // The results come first, the stored run after them.
    QTRY_VERIFY_WITH_TIMEOUT(!stored.isEmpty(), 30000);
    QVERIFY2(stored.front().at(0).toLongLong() > 0, qPrintable(stored.front().at(1).toString()));
    QVERIFY(!session.isRunning());
    QTRY_VERIFY_WITH_TIMEOUT(!versions.isEmpty(), 10000);
    QCOMPARE(session.versions().front().text, panel.editor()->toPlainText());
    QCOMPARE(session.versions().front().sha256, SimulationStore::sha256Of(panel.editor()->toPlainText()));
}

void PolicyViewsTest::cancelStopsAReplay()
{
    PolicySession session;
    QSignalSpy ready(&session, &PolicySession::corpusReady);
    session.setWorkspace(m_demo);
    QVERIFY(ready.wait(20000));
    QSignalSpy cancelled(&session, &PolicySession::simulationCancelled);
    QSignalSpy finished(&session, &PolicySession::simulationFinished);
    QSignalSpy stored(&session, &PolicySession::simulationStored);
    session.simulate(PolicyDraft{QStringLiteral("p.cedar"), QStringLiteral("permit (principal, action, resource);")});
    session.cancel();
    QCOMPARE(cancelled.size(), 1);
    QVERIFY(!session.isRunning());
    // Once the cancelled job is done, its outcome is dropped: nothing arrives and nothing is stored.
    QThreadPool::globalInstance()->waitForDone();
    QCoreApplication::processEvents();
    QCOMPARE(finished.size(), 0);
    QCOMPARE(stored.size(), 0);
}

void PolicyViewsTest::scopeNarrowsTheReplay()
{
    PolicySession session;
    QSignalSpy ready(&session, &PolicySession::corpusReady);
    session.setWorkspace(m_demo);
    QVERIFY(ready.wait(20000));
    const ReplayAction &first = session.corpus()->action(0);
    ReplayFilter scope;
    scope.chainKey = session.corpus()->chains()[first.chain].key;
    PolicyPanel panel(&session);
    panel.setReplayScope(scope);
    QVERIFY(ReplayScopeDialog::describe(scope).contains(scope.chainKey));
    QCOMPARE(ReplayScopeDialog::describe({}), QStringLiteral("all recorded actions"));
    QSignalSpy finished(&session, &PolicySession::simulationFinished);
    QSignalSpy failed(&session, &PolicySession::simulationFailed);
    panel.simulate();
    QVERIFY2(session.isRunning(), qPrintable(panel.editor()->toPlainText()));
    QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty() || !failed.isEmpty(), 30000);
    QVERIFY2(failed.isEmpty(), qPrintable(failed.isEmpty() ? QString() : failed.front().front().toString()));
    const auto outcome = finished.front().front().value<SimulationOutcome>();
    QVERIFY(outcome.result->size() > 0);
    for (size_t row = 0; row < outcome.result->size(); ++row)
        QCOMPARE(session.corpus()->chains()[outcome.result->action(row).chain].key, scope.chainKey);
    QTRY_VERIFY_WITH_TIMEOUT(!session.isRunning(), 30000);
}

QTEST_MAIN(PolicyViewsTest)
#include "tst_policy_views.moc"

#include "PolicyDocks.h"

#include "DelegationGraphData.h"
#include "DelegationGraphPage.h"
#include "DelegationGraphScene.h"
#include "PolicyPanel.h"
#include "PolicyResources.h"
#include "PolicySession.h"
#include "SimulationPanel.h"

#include <QDockWidget>
#include <QMainWindow>
#include <QMenu>
#include <QTimer>

#include <utility>

namespace chainsight {

PolicyDocks::PolicyDocks(QMainWindow *window)
    : QObject(window)
    , m_window(window)
    , m_session(new PolicySession(this))
    , m_editor(new PolicyPanel(m_session, window))
    , m_results(new SimulationPanel(m_session, window))
    , m_editorDock(new QDockWidget(tr("Policy"), window))
    , m_resultsDock(new QDockWidget(tr("Simulation"), window))
    , m_menu(new QMenu(tr("&Policy"), window))
{
    m_editorDock->setObjectName(QStringLiteral("policyDock"));
    m_editorDock->setWidget(m_editor);
    m_editorDock->setAccessibleName(tr("Policy editor"));
    m_resultsDock->setObjectName(QStringLiteral("simulationDock"));
    m_resultsDock->setWidget(m_results);
    m_resultsDock->setAccessibleName(tr("Simulation results"));
    connect(m_editor, &QWidget::windowTitleChanged, m_editorDock,
            [this](const QString &title) { m_editorDock->setWindowTitle(tr("Policy — %1").arg(title)); });
    m_editorDock->setWindowTitle(tr("Policy — %1").arg(m_editor->windowTitle()));

    for (QAction *action : m_editor->fileActions())
        m_menu->addAction(action);
    m_menu->addSeparator();
    m_menu->addAction(m_editor->simulateAction());
    m_menu->addMenu(m_editor->diffMenu());
    m_menu->addMenu(m_editor->starterMenu());
    m_menu->addSeparator();
    m_menu->addAction(m_editorDock->toggleViewAction());
    m_menu->addAction(m_resultsDock->toggleViewAction());

    // A replay brings its results to the front.
    connect(m_session, &PolicySession::simulationStarted, m_resultsDock, [this] {
        m_resultsDock->show();
        m_resultsDock->raise();
    });
    connect(m_results, &SimulationPanel::outcomeShown, this, [this](const SimulationOutcome &outcome) {
        // Results asked for by name get room: more than half the height.
        if (std::exchange(m_enlargeResults, false))
            m_window->resizeDocks({m_resultsDock}, {m_window->height() * 11 / 20}, Qt::Vertical);
        markGraph(outcome);
    });
    connect(m_session, &PolicySession::simulationStored, this, &PolicyDocks::panelReady);
    connect(m_session, &PolicySession::checkerChanged, this, [this] {
        if (std::exchange(m_editorPending, false))
            Q_EMIT panelReady(); // the editor rechecked its text on the same signal, just before
    });
    connect(m_session, &PolicySession::corpusReady, this, [this] {
        if (m_pendingReplay.isEmpty())
            return;
        const QString name = std::exchange(m_pendingReplay, QString());
        if (name == QLatin1String("simulation-diff")) {
            const QList<StarterPolicy> library = starterPolicies();
            const StarterPolicy *baseline = findStarterPolicy(library, QStringLiteral("baseline-permit"));
            m_session->simulate(m_editor->draft(), PolicyDraft{QStringLiteral("baseline-permit.cedar"), baseline ? baseline->text : QString()});
        } else {
            m_session->simulate(m_editor->draft());
        }
    });
}

void PolicyDocks::setGraphPage(DelegationGraphPage *graph)
{
    m_graph = graph;
}

bool PolicyDocks::showPanel(const QString &name)
{
    if (name == QLatin1String("policy")) {
        m_editorDock->show();
        m_editorDock->raise();
        if (m_session->checker())
            QTimer::singleShot(0, this, &PolicyDocks::panelReady);
        else
            m_editorPending = true;
        return true;
    }
    if (!name.startsWith(QLatin1String("simulation")))
        return false;
    const QString tab = name.mid(int(sizeof("simulation")));
    if (!tab.isEmpty() && !m_results->showTab(tab))
        return false;
    m_resultsDock->show();
    m_resultsDock->raise();
    m_enlargeResults = true;
    if (m_session->corpus())
        m_session->simulate(m_editor->draft());
    else
        m_pendingReplay = name;
    return true;
}

void PolicyDocks::markGraph(const SimulationOutcome &outcome)
{
    const DelegationGraphData *graph = m_graph ? m_graph->scene()->graph() : nullptr;
    if (!graph || !outcome.result)
        return;
    // Every denied action with the hops that led to it; with a diff, the flipped ones only.
    const SimulationResult &result = *outcome.result;
    GraphMarks marks;
    auto add = [&](size_t row) {
        const ReplayAction &action = result.action(row);
        const GraphMarks path = graph->pathOfAction(result.corpus->chains()[action.chain].key, action.eventId);
        if (path.isEmpty())
            return;
        if (marks.isEmpty()) {
            marks = path;
            return;
        }
        for (size_t i = 0; i < marks.nodes.size() && i < path.nodes.size(); ++i)
            marks.nodes[i] = char(marks.nodes[i] | path.nodes[i]);
        for (size_t i = 0; i < marks.edges.size() && i < path.edges.size(); ++i)
            marks.edges[i] = char(marks.edges[i] | path.edges[i]);
    };
    if (outcome.diff) {
        for (const PolicyFlip &flip : outcome.diff->flips)
            add(flip.candidateRow);
    } else {
        for (size_t row = 0; row < result.size(); ++row) {
            if (result.decisions[row].decision == PolicyDecision::Deny)
                add(row);
        }
    }
    marks.kind = outcome.diff ? GraphMarkKind::Flipped : GraphMarkKind::Denied;
    m_graph->scene()->setHighlight(std::move(marks));
}

void PolicyDocks::setWorkspace(const QString &path, std::shared_ptr<const ChainSet> chains)
{
    m_session->setWorkspace(path, std::move(chains));
}

} // namespace chainsight

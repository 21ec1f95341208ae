#pragma once

#include "Chain.h"

#include <QObject>

#include <memory>

class QDockWidget;
class QMainWindow;
class QMenu;

namespace chainsight {

class DelegationGraphPage;
class PolicyPanel;
class PolicySession;
class SimulationPanel;
struct SimulationOutcome;

// The policy editor and the simulation results as two docks of a main window, with a Policy menu
// (Simulate, Diff against, starter policies). The window hands over each workspace it shows.
class PolicyDocks final : public QObject
{
    Q_OBJECT
public:
    explicit PolicyDocks(QMainWindow *window);

    void setWorkspace(const QString &path, std::shared_ptr<const ChainSet> chains);
    // Marks on this graph what the latest replay would have denied, or with a diff what flipped.
    void setGraphPage(DelegationGraphPage *graph);
    // "policy", "simulation", "simulation-charts", "simulation-diff": raises the dock; the simulation ones also
    // replay the editor's text once the workspace is ready (a diff against the starter baseline for the last).
    bool showPanel(const QString &name);
    QDockWidget *editorDock() const { return m_editorDock; }
    QDockWidget *resultsDock() const { return m_resultsDock; }
    QMenu *menu() const { return m_menu; }
    PolicySession *session() const { return m_session; }
    PolicyPanel *editor() const { return m_editor; }
    SimulationPanel *results() const { return m_results; }

Q_SIGNALS:
    // The panel asked for with showPanel() shows what it was asked for: the editor checked against the
    // workspace, or the replay's results.
    void panelReady();

private:
    void markGraph(const SimulationOutcome &outcome);

    QMainWindow *m_window;
    PolicySession *m_session;
    PolicyPanel *m_editor;
    SimulationPanel *m_results;
    QDockWidget *m_editorDock;
    QDockWidget *m_resultsDock;
    QMenu *m_menu;
    DelegationGraphPage *m_graph = nullptr;
    QString m_pendingReplay; // a panel asked for a replay before the workspace was ready
    bool m_enlargeResults = false;
    bool m_editorPending = false;
};

} // namespace chainsight

#pragma once

#include "WorkspaceSession.h"

#include <QMainWindow>

class QDockWidget;
class QLabel;
class QMenu;
class QPlainTextEdit;
class QTabWidget;

namespace chainsight {

class ChainInspector;
class DelegationGraphPage;
struct Preferences;
class ReviewPanel;
class FindingsPanel;
class IdentitiesPanel;
class ImportStatusWidget;
class InventoryPanel;
class PolicyDocks;
class WorkspaceOverview;

class MainWindow final : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    WorkspaceSession *session() const { return m_session; }
    InventoryPanel *inventoryPanel() const { return m_inventory; }
    IdentitiesPanel *identitiesPanel() const { return m_identities; }
    ChainInspector *chainInspector() const { return m_chains; }
    ReviewPanel *reviewPanel() const { return m_reviews; }
    FindingsPanel *findingsPanel() const { return m_findings; }
    WorkspaceOverview *overview() const { return m_overview; }
    DelegationGraphPage *graphPage() const { return m_graph; }

    void openWorkspace(const QString &path);
    // Builds (or reuses) the demo workspace in the user's data folder and opens it.
    void openDemoWorkspace();
    // What a start with no arguments does: the last workspace, or the demo on first start.
    void openStartupWorkspace();
    void importFiles(const QStringList &paths);
    // Stores the preferences, applies the colour scheme and, when a threshold changed, runs the rules again.
    void applyPreferences(const Preferences &preferences);
    // Raises a dock by name (inventory, identities, import-log), or shows the graph or overview; false for an unknown name.
    bool showPanel(const QString &name);

    // Bumped whenever the saved dock layout would no longer fit the window's docks.
    static constexpr int layoutVersion = 6;

Q_SIGNALS:
    void workspaceShown(const QString &path);
    // A panel asked for with showPanel() that fills itself after the workspace (policy, simulation…) is ready.
    void panelReady(const QString &path);

protected:
    void closeEvent(QCloseEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    void createActions();
    void showSnapshot(const WorkspaceSnapshot &snapshot);
    void showImportResult(const ImportResult &result);
    void exportRevocationList();
    void addRecentFile(const QString &path);
    void rebuildRecentMenu();
    void newWorkspace();
    void chooseWorkspace();
    void chooseImportFiles();
    void showAbout();
    void showKeyboardShortcuts();
    void showSettings();

    WorkspaceSession *m_session;
    WorkspaceOverview *m_overview;
    InventoryPanel *m_inventory;
    QDockWidget *m_inventoryDock;
    IdentitiesPanel *m_identities;
    QDockWidget *m_identitiesDock;
    FindingsPanel *m_findings;
    QDockWidget *m_findingsDock;
    ChainInspector *m_chains;
    QDockWidget *m_chainsDock;
    QPlainTextEdit *m_importLog;
    QDockWidget *m_importLogDock;
    ReviewPanel *m_reviews;
    QDockWidget *m_reviewsDock;
    ImportStatusWidget *m_importStatus;
    QLabel *m_workspaceLabel;
    QMenu *m_recentMenu = nullptr;
    PolicyDocks *m_policy = nullptr;
    DelegationGraphPage *m_graph = nullptr;
    QTabWidget *m_mainViews = nullptr;
};

} // namespace chainsight

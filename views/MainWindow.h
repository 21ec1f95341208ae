#pragma once

#include "WorkspaceSession.h"

#include <QMainWindow>

class QDockWidget;
class QLabel;
class QMenu;
class QPlainTextEdit;

namespace chainsight {

class ChainInspector;
class FindingsPanel;
class IdentitiesPanel;
class ImportStatusWidget;
class InventoryPanel;
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
    FindingsPanel *findingsPanel() const { return m_findings; }
    WorkspaceOverview *overview() const { return m_overview; }

    void openWorkspace(const QString &path);
    // Builds (or reuses) the demo workspace in the user's data folder and opens it.
    void openDemoWorkspace();
    // What a start with no arguments does: the last workspace, or the demo on first start.
    void openStartupWorkspace();
    void importFiles(const QStringList &paths);
    // Raises a dock by name (inventory, identities, import-log); false for an unknown name.
    bool showPanel(const QString &name);

    // Bumped whenever the saved dock layout would no longer fit the window's docks.
    static constexpr int layoutVersion = 4;

Q_SIGNALS:
    void workspaceShown(const QString &path);

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
    ImportStatusWidget *m_importStatus;
    QLabel *m_workspaceLabel;
    QMenu *m_recentMenu = nullptr;
};

} // namespace chainsight

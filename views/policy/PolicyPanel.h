#pragma once

#include "PolicyChecker.h"
#include "ReplayCorpus.h"
#include "SimulationStore.h"

#include <QWidget>

class QAction;
class QLabel;
class QListWidget;
class QMenu;
class QTimer;
class QToolBar;

namespace chainsight {

class PolicyEditor;
class PolicySession;
struct PolicyDraft;

// The policy editor with its file and version commands: open and save .cedar files, insert starter policies,
// format, undo and redo, keep versions in the workspace (SHA-256 and a note), replay the text against the
// workspace, or diff it against a saved version or another file. Diagnostics are listed below the text.
class PolicyPanel final : public QWidget
{
    Q_OBJECT
public:
    explicit PolicyPanel(PolicySession *session, QWidget *parent = nullptr);
    ~PolicyPanel() override;

    PolicyEditor *editor() const { return m_editor; }
    QString fileName() const { return m_fileName; }
    PolicyDraft draft() const;
    bool openFile(const QString &path);
    bool saveFile(const QString &path);
    void loadVersion(const PolicyVersion &version);
    // Which actions Simulate and Diff replay.
    ReplayFilter replayScope() const { return m_scope; }
    void setReplayScope(const ReplayFilter &scope);

    QAction *simulateAction() const { return m_simulate; }
    QMenu *diffMenu() const { return m_diffMenu; }
    QMenu *starterMenu() const { return m_starterMenu; }
    QList<QAction *> fileActions() const;

public Q_SLOTS:
    void simulate();
    void diffAgainstVersion(const PolicyVersion &version);
    void diffAgainstFile();

private:
    void chooseFile();
    void chooseScope();
    void save();
    void saveAs();
    void saveVersion();
    void format();
    void newPolicy();
    void rebuildVersionMenus(const QList<PolicyVersion> &versions);
    void showDiagnostics(const QList<PolicyDiagnostic> &diagnostics);
    void updateTitle();
    void saveDraft();
    bool confirmNoErrors();

    PolicySession *m_session;
    PolicyEditor *m_editor;
    QToolBar *m_toolbar;        // the text: file, edit, starters
    QToolBar *m_replayToolbar;  // versions and replays, on a row of their own so a narrow dock never hides them
    QListWidget *m_problems;
    QLabel *m_status;
    QString m_fileName;
    QAction *m_simulate;
    QAction *m_new;
    QAction *m_open;
    QAction *m_save;
    QAction *m_saveAs;
    QMenu *m_starterMenu;
    QMenu *m_versionsMenu;
    QMenu *m_diffMenu;
    QTimer *m_draftTimer;
    ReplayFilter m_scope;
    QAction *m_scopeAction;
};

} // namespace chainsight

#include "MainWindow.h"

#include "AboutDialog.h"
#include "KeyboardShortcutsDialog.h"
#include "Preferences.h"
#include "SettingsDialog.h"
#include "Theme.h"
#include "ChainInspector.h"
#include "DelegationGraphPage.h"
#include "DemoData.h"
#include "FindingListModel.h"
#include "FindingsPanel.h"
#include "IdentitiesPanel.h"
#include "ImportStatusWidget.h"
#include "InventoryPanel.h"
#include "PolicyDocks.h"
#include "EvidenceExportDialog.h"
#include "ReviewPanel.h"
#include "RevocationWorklist.h"
#include "SourceImporter.h"
#include "SqliteDatabase.h"
#include "WorkspaceOverview.h"

#include <algorithm>

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QSaveFile>
#include <QScreen>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QTimer>
#include <QtConcurrent/QtConcurrentRun>

namespace chainsight {
namespace {

constexpr int maximumRecentFiles = 8;

QString recentFilesKey()
{
    return QStringLiteral("workspace/recent");
}

QString lastWorkspaceKey()
{
    return QStringLiteral("workspace/last");
}

} // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_session(new WorkspaceSession(this))
    , m_overview(new WorkspaceOverview(this))
    , m_inventory(new InventoryPanel(this))
    , m_inventoryDock(new QDockWidget(tr("Inventory"), this))
    , m_identities(new IdentitiesPanel(this))
    , m_identitiesDock(new QDockWidget(tr("Identities"), this))
    , m_findings(new FindingsPanel(this))
    , m_findingsDock(new QDockWidget(tr("Findings"), this))
    , m_chains(new ChainInspector(this))
    , m_chainsDock(new QDockWidget(tr("Chains"), this))
    , m_importLog(new QPlainTextEdit(this))
    , m_importLogDock(new QDockWidget(tr("Import log"), this))
    , m_reviews(new ReviewPanel(this))
    , m_reviewsDock(new QDockWidget(tr("Reviews"), this))
    , m_importStatus(new ImportStatusWidget(this))
    , m_workspaceLabel(new QLabel(this))
{
    setWindowTitle(tr("Chainsight"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/chainsight.svg")));
    setAcceptDrops(true);
    setDockOptions(AnimatedDocks | AllowTabbedDocks | AllowNestedDocks);
    // The delegation graph is the main view; the workspace overview is one tab away.
    m_graph = new DelegationGraphPage(this);
    m_mainViews = new QTabWidget(this);
    m_mainViews->setDocumentMode(true);
    m_mainViews->setAccessibleName(tr("Main views"));
    m_mainViews->addTab(m_graph, tr("Delegation &graph"));
    m_mainViews->addTab(m_overview, tr("&Overview"));
    setCentralWidget(m_mainViews);
    m_session->setFindingsSettings(Preferences::load().findings);

    m_inventoryDock->setObjectName(QStringLiteral("inventoryDock"));
    m_inventoryDock->setWidget(m_inventory);
    m_inventoryDock->setAccessibleName(tr("Inventory"));
    addDockWidget(Qt::BottomDockWidgetArea, m_inventoryDock);
    m_identitiesDock->setObjectName(QStringLiteral("identitiesDock"));
    m_identitiesDock->setWidget(m_identities);
    m_identitiesDock->setAccessibleName(tr("Identities"));
    addDockWidget(Qt::BottomDockWidgetArea, m_identitiesDock);
    m_findingsDock->setObjectName(QStringLiteral("findingsDock"));
    m_findingsDock->setWidget(m_findings);
    m_findingsDock->setAccessibleName(tr("Findings"));
    addDockWidget(Qt::BottomDockWidgetArea, m_findingsDock);
    // Beside the main view: a finding selected below opens its chain here, hop by hop.
    m_chainsDock->setObjectName(QStringLiteral("chainsDock"));
    m_chainsDock->setWidget(m_chains);
    m_chainsDock->setAccessibleName(tr("Chains"));
    addDockWidget(Qt::RightDockWidgetArea, m_chainsDock);
    setCorner(Qt::TopRightCorner, Qt::RightDockWidgetArea);
    setCorner(Qt::BottomRightCorner, Qt::RightDockWidgetArea);

    m_importLog->setReadOnly(true);
    m_importLog->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_importLog->setAccessibleName(tr("Import log"));
    m_importLog->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_importLogDock->setObjectName(QStringLiteral("importLogDock"));
    m_importLogDock->setWidget(m_importLog);
    addDockWidget(Qt::BottomDockWidgetArea, m_importLogDock);
    tabifyDockWidget(m_inventoryDock, m_identitiesDock);
    tabifyDockWidget(m_identitiesDock, m_findingsDock);
    m_reviewsDock->setObjectName(QStringLiteral("reviewsDock"));
    m_reviewsDock->setWidget(m_reviews);
    m_reviewsDock->setAccessibleName(tr("Reviews"));
    addDockWidget(Qt::BottomDockWidgetArea, m_reviewsDock);
    tabifyDockWidget(m_findingsDock, m_reviewsDock);
    tabifyDockWidget(m_reviewsDock, m_importLogDock);
    // Policy authoring beside the chains, replay results with the panels below; the graph shows what they deny.
    m_policy = new PolicyDocks(this);
    addDockWidget(Qt::RightDockWidgetArea, m_policy->editorDock());
    tabifyDockWidget(m_chainsDock, m_policy->editorDock());
    addDockWidget(Qt::BottomDockWidgetArea, m_policy->resultsDock());
    tabifyDockWidget(m_importLogDock, m_policy->resultsDock());
    m_policy->setGraphPage(m_graph);
    connect(m_policy, &PolicyDocks::panelReady, this, [this] { Q_EMIT panelReady(m_session->workspacePath()); });
    m_chainsDock->raise();
    m_inventoryDock->raise();

    statusBar()->addWidget(m_workspaceLabel, 1);
    statusBar()->addPermanentWidget(m_importStatus);
    m_workspaceLabel->setTextFormat(Qt::PlainText);

    createActions();

    connect(m_session, &WorkspaceSession::workspaceLoaded, this, &MainWindow::showSnapshot);
    connect(m_findings, &FindingsPanel::findingSelected, this, [this](const Finding &finding) {
        if (!finding.chainKey.isEmpty() && m_chains->selectChain(finding.chainKey, finding.evidence))
            m_chainsDock->show();
        m_graph->showFinding(finding); // last: the finding's own path, not the whole chain the inspector opened
    });
    connect(m_chains, &ChainInspector::chainSelected, m_graph, &DelegationGraphPage::showChain);
    connect(m_findings, &FindingsPanel::revocationListRequested, this, &MainWindow::exportRevocationList);
    connect(m_findings, &FindingsPanel::reviewRequested, this, [this](const Finding &finding) {
        showPanel(QStringLiteral("reviews"));
        m_reviews->requestFindingReview(finding);
    });
    connect(m_chains, &ChainInspector::reviewRequested, this, [this](const QString &key) {
        showPanel(QStringLiteral("reviews"));
        m_reviews->requestReview(ReviewSubjectKind::Chain, key);
    });
    connect(m_graph, &DelegationGraphPage::chainReviewRequested, this, [this](const QString &key) {
        showPanel(QStringLiteral("reviews"));
        m_reviews->requestReview(ReviewSubjectKind::Chain, key);
    });
    connect(m_graph, &DelegationGraphPage::identityReviewRequested, this, [this](const QString &id) {
        showPanel(QStringLiteral("reviews"));
        m_reviews->requestReview(ReviewSubjectKind::Identity, id);
    });
    connect(m_session, &WorkspaceSession::workspaceFailed, this, [this](const QString &, const QString &message) {
        qWarning("cannot open workspace: %s", qUtf8Printable(message));
        m_workspaceLabel->setText(message);
        QMessageBox box(QMessageBox::Warning, tr("Cannot open workspace"), message, QMessageBox::Ok, this);
        box.setTextFormat(Qt::PlainText);
        box.exec();
    });
    connect(m_session, &WorkspaceSession::importStarted, m_importStatus, &ImportStatusWidget::start);
    connect(m_session, &WorkspaceSession::importProgressed, m_importStatus, &ImportStatusWidget::update);
    connect(m_session, &WorkspaceSession::importFinished, this, &MainWindow::showImportResult);
    connect(m_importStatus, &ImportStatusWidget::cancelRequested, m_session, &WorkspaceSession::cancelImport);

    QSettings settings;
    // First start: most of the screen, since the graph and the panels beside it all want room.
    const QRect available = screen() ? screen()->availableGeometry() : QRect(0, 0, 1280, 800);
    resize(std::min(available.width(), std::max(1280, available.width() * 9 / 10)),
           std::min(available.height(), std::max(800, available.height() * 9 / 10)));
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    if (!restoreState(settings.value(QStringLiteral("window/state")).toByteArray(), layoutVersion)) {
        // The delegation graph is the working surface; the panels below it get a third. Dock sizes
        // apply once the window is laid out.
        QTimer::singleShot(0, this, [this] {
            resizeDocks({m_inventoryDock}, {height() / 3}, Qt::Vertical);
            resizeDocks({m_chainsDock}, {width() / 3}, Qt::Horizontal);
        });
    }
}

MainWindow::~MainWindow() = default;

void MainWindow::createActions()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *newAction = file->addAction(tr("&New workspace…"), this, &MainWindow::newWorkspace);
    newAction->setShortcut(QKeySequence::New);
    QAction *openAction = file->addAction(tr("&Open workspace…"), this, &MainWindow::chooseWorkspace);
    openAction->setShortcut(QKeySequence::Open);
    m_recentMenu = file->addMenu(tr("Open &recent"));
    rebuildRecentMenu();
    file->addAction(tr("Open &demo workspace"), this, &MainWindow::openDemoWorkspace);
    file->addSeparator();
    QAction *importAction = file->addAction(tr("&Import files…"), this, &MainWindow::chooseImportFiles);
    importAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_I));
    QAction *exportEvidence = file->addAction(tr("&Export evidence…"), this, [this] {
        EvidenceExportDialog::exportEvidence(this, m_session->workspacePath());
    });
    exportEvidence->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    file->addSeparator();
    QAction *settingsAction = file->addAction(tr("&Settings…"), this, &MainWindow::showSettings);
    settingsAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Comma));
    settingsAction->setMenuRole(QAction::PreferencesRole);
    file->addSeparator();
    QAction *quitAction = file->addAction(tr("&Quit"), this, &QWidget::close);
    quitAction->setShortcut(QKeySequence::Quit);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    view->addAction(m_inventoryDock->toggleViewAction());
    view->addAction(m_identitiesDock->toggleViewAction());
    view->addAction(m_findingsDock->toggleViewAction());
    view->addAction(m_reviewsDock->toggleViewAction());
    view->addAction(m_importLogDock->toggleViewAction());

    // Ctrl+1, Ctrl+2… show or hide the panels, in menu order.
    int panelKey = Qt::Key_1;
    for (QAction *toggle : view->actions()) {
        if (panelKey <= Qt::Key_9)
            toggle->setShortcut(QKeySequence(Qt::CTRL | static_cast<Qt::Key>(panelKey++)));
    }

    menuBar()->addMenu(m_policy->menu());

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    QAction *shortcutsAction = help->addAction(tr("&Keyboard shortcuts"), this, &MainWindow::showKeyboardShortcuts);
    shortcutsAction->setShortcut(QKeySequence::HelpContents);
    help->addSeparator();
    help->addAction(tr("&About Chainsight"), this, &MainWindow::showAbout)->setMenuRole(QAction::AboutRole);
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt)->setMenuRole(QAction::AboutQtRole);
}

void MainWindow::openWorkspace(const QString &path)
{
    m_workspaceLabel->setText(tr("Opening %1…").arg(path));
    m_session->openWorkspace(path);
}

void MainWindow::openDemoWorkspace()
{
    const QString dir = QDir(QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation))
                            .filePath(QStringLiteral("demo"));
    m_workspaceLabel->setText(tr("Preparing the demo workspace…"));
    QtConcurrent::run([dir, settings = m_session->findingsSettings()] {
        QString error;
        const auto path = DemoData::buildWorkspace(dir, &error);
        if (path)
            analyseWorkspace(*path, settings);
        return path ? *path : QStringLiteral("\n") + error;
    }).then(this, [this](const QString &pathOrError) {
        if (pathOrError.startsWith(QLatin1Char('\n'))) {
            QMessageBox box(QMessageBox::Warning, tr("Demo workspace"), pathOrError.mid(1), QMessageBox::Ok, this);
            box.setTextFormat(Qt::PlainText);
            box.exec();
            return;
        }
        openWorkspace(pathOrError);
    });
}

void MainWindow::openStartupWorkspace()
{
    const QString last = QSettings().value(lastWorkspaceKey()).toString();
    if (!last.isEmpty() && QFileInfo::exists(last))
        openWorkspace(last);
    else
        openDemoWorkspace();
}

void MainWindow::importFiles(const QStringList &paths)
{
    if (paths.isEmpty())
        return;
    if (m_session->workspacePath().isEmpty()) {
        statusBar()->showMessage(tr("Open or create a workspace first"), 5000);
        return;
    }
    if (m_session->isImporting()) {
        statusBar()->showMessage(tr("An import is already running"), 5000);
        return;
    }
    // A JWKS dropped or chosen together with token captures is the key set to verify them with, not data.
    ImportOptions options;
    QStringList inputs;
    for (const QString &path : paths) {
        if (isJsonWebKeySet(path))
            options.jwksPath = path;
        else
            inputs.push_back(path);
    }
    if (inputs.isEmpty()) {
        statusBar()->showMessage(tr("A key set alone imports nothing: drop it together with the token captures"), 8000);
        return;
    }
    m_session->importFiles(inputs, options);
}

bool MainWindow::showPanel(const QString &name)
{
    if (m_policy->showPanel(name))
        return true;
    if (name == QLatin1String("graph") || name == QLatin1String("overview")) {
        m_mainViews->setCurrentWidget(name == QLatin1String("graph") ? static_cast<QWidget *>(m_graph) : m_overview);
        return true;
    }
    QDockWidget *dock = name == QLatin1String("inventory")    ? m_inventoryDock
                        : name == QLatin1String("identities") ? m_identitiesDock
                        : name == QLatin1String("findings")   ? m_findingsDock
                        : name == QLatin1String("chains")     ? m_chainsDock
                        : name == QLatin1String("reviews")    ? m_reviewsDock
                        : name == QLatin1String("import-log") ? m_importLogDock
                                                              : nullptr;
    if (!dock)
        return false;
    dock->show();
    dock->raise();
    return true;
}

void MainWindow::showSnapshot(const WorkspaceSnapshot &snapshot)
{
    m_overview->setWorkspace(snapshot.path, snapshot.info);
    m_inventory->setAgents(snapshot.agents);
    m_identities->setIdentities(snapshot.identities);
    m_chains->setChains(snapshot.chains); // first: the findings panel selects a finding and opens its chain
    m_findings->setFindings(snapshot.findings);
    m_reviews->setWorkspace(snapshot.path, snapshot.findings);
    m_graph->setGraph(snapshot.graph, snapshot.chains, snapshot.findings);
    m_policy->setWorkspace(snapshot.path, snapshot.chains);
    setWindowTitle(tr("%1 — Chainsight").arg(QFileInfo(snapshot.path).completeBaseName()));
    m_workspaceLabel->setText(snapshot.path);
    addRecentFile(snapshot.path);
    QSettings().setValue(lastWorkspaceKey(), snapshot.path);
    Q_EMIT workspaceShown(snapshot.path);
}

void MainWindow::exportRevocationList()
{
    const QString workspacePath = m_session->workspacePath();
    if (workspacePath.isEmpty())
        return;
    const QString target = QFileDialog::getSaveFileName(this, tr("Export revocation worklist"),
                                                        QFileInfo(workspacePath).dir().filePath(QStringLiteral("revocation.csv")),
                                                        tr("CSV (*.csv);;JSON (*.json)"));
    if (target.isEmpty())
        return;
    statusBar()->showMessage(tr("Writing the revocation worklist…"));
    // The findings are read back from the workspace on a worker: the store, not the view, is the record.
    QtConcurrent::run([workspacePath, target]() -> QString {
        QString error;
        auto workspace = Workspace::open(workspacePath, Workspace::OpenMode::ReadOnly, &error);
        if (!workspace)
            return error;
        const auto findings = storedFindings(*workspace, &error);
        if (!findings)
            return error;
        try {
            const QList<RevocationEntry> entries = revocationWorklist(workspace->database(), *findings);
            QSaveFile file(target);
            if (!file.open(QIODevice::WriteOnly))
                return file.errorString();
            file.write(target.endsWith(QLatin1String(".json"), Qt::CaseInsensitive) ? revocationWorklistJson(entries)
                                                                                    : revocationWorklistCsv(entries));
            if (!file.commit())
                return file.errorString();
        } catch (const SqliteError &e) {
            return e.message();
        }
        return QString();
    }).then(this, [this, target](const QString &error) {
        if (error.isEmpty()) {
            statusBar()->showMessage(tr("Wrote the revocation worklist to %1").arg(target), 8000);
            return;
        }
        statusBar()->clearMessage();
        QMessageBox box(QMessageBox::Warning, tr("Cannot export the revocation worklist"), error, QMessageBox::Ok, this);
        box.setTextFormat(Qt::PlainText);
        box.exec();
    });
}

void MainWindow::showImportResult(const ImportResult &result)
{
    m_importStatus->finish();
    QStringList lines;
    for (const FileImportResult &file : result.files) {
        for (const Diagnostic &diagnostic : file.diagnostics)
            lines.push_back(diagnostic.toString());
    }
    switch (result.status) {
    case ImportResult::Status::Committed: {
        qint64 alreadyImported = 0;
        for (const FileImportResult &file : result.files)
            alreadyImported += file.outcome == FileImportResult::Outcome::AlreadyImported ? 1 : 0;
        QString message = tr("Imported %n record(s)", nullptr, static_cast<int>(result.recordCount()));
        if (result.errorCount() > 0)
            message += tr(", %n bad record(s) skipped (see Import log)", nullptr, static_cast<int>(result.errorCount()));
        if (alreadyImported > 0)
            message += tr(", %n file(s) already imported", nullptr, static_cast<int>(alreadyImported));
        lines.push_back(message);
        statusBar()->showMessage(message, 10000);
        break;
    }
    case ImportResult::Status::Cancelled:
        lines.push_back(tr("Import cancelled; the workspace is unchanged."));
        statusBar()->showMessage(lines.back(), 10000);
        break;
    case ImportResult::Status::Aborted:
        lines.push_back(tr("Import failed: %1").arg(result.failure));
        statusBar()->showMessage(lines.back(), 10000);
        break;
    }
    m_importLog->appendPlainText(lines.join(QLatin1Char('\n')));
    if (result.errorCount() > 0 || result.status == ImportResult::Status::Aborted) {
        m_importLogDock->show();
        m_importLogDock->raise();
    }
}

void MainWindow::addRecentFile(const QString &path)
{
    QSettings settings;
    QStringList recent = settings.value(recentFilesKey()).toStringList();
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > maximumRecentFiles)
        recent.removeLast();
    settings.setValue(recentFilesKey(), recent);
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu()
{
    m_recentMenu->clear();
    const QStringList recent = QSettings().value(recentFilesKey()).toStringList();
    for (const QString &path : recent) {
        QAction *action = m_recentMenu->addAction(QFileInfo(path).fileName());
        action->setToolTip(path);
        action->setStatusTip(path);
        connect(action, &QAction::triggered, this, [this, path] { openWorkspace(path); });
    }
    m_recentMenu->setEnabled(!recent.isEmpty());
}

void MainWindow::newWorkspace()
{
    QString path = QFileDialog::getSaveFileName(this, tr("New workspace"), QDir::homePath(),
                                                tr("Chainsight workspaces (*.chainsight)"));
    if (path.isEmpty())
        return;
    if (!path.endsWith(QLatin1String(".chainsight")))
        path += QStringLiteral(".chainsight");
    if (QFileInfo::exists(path)) {
        QMessageBox box(QMessageBox::Warning, tr("New workspace"),
                        tr("%1 already exists; open it with File → Open instead.").arg(path), QMessageBox::Ok, this);
        box.setTextFormat(Qt::PlainText);
        box.exec();
        return;
    }
    m_session->openWorkspace(path, true);
}

void MainWindow::chooseWorkspace()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open workspace"), QDir::homePath(),
                                                      tr("Chainsight workspaces (*.chainsight);;All files (*)"));
    if (!path.isEmpty())
        openWorkspace(path);
}

void MainWindow::chooseImportFiles()
{
    const QStringList paths = QFileDialog::getOpenFileNames(
        this, tr("Import files"), QDir::homePath(),
        tr("Inventories and audit trails (*.json *.jsonl *.ndjson *.csv *.log);;All files (*)"));
    importFiles(paths);
}

void MainWindow::showAbout()
{
    AboutDialog dialog(this);
    dialog.exec();
}

void MainWindow::showKeyboardShortcuts()
{
    KeyboardShortcutsDialog dialog(*this, this);
    dialog.exec();
}

void MainWindow::showSettings()
{
    SettingsDialog dialog(Preferences::load(), this);
    if (dialog.exec() == QDialog::Accepted)
        applyPreferences(dialog.preferences());
}

void MainWindow::applyPreferences(const Preferences &preferences)
{
    preferences.save();
    applyColorScheme(preferences.colorScheme);
    const bool thresholdsChanged = !sameThresholds(m_session->findingsSettings(), preferences.findings);
    m_session->setFindingsSettings(preferences.findings);
    if (thresholdsChanged && !m_session->workspacePath().isEmpty()) {
        statusBar()->showMessage(tr("Running the rules again with the new thresholds…"), 5000);
        m_session->reanalyse();
    }
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (m_session->isImporting())
        m_session->cancelImport();
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState(layoutVersion));
    event->accept();
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    if (event->mimeData()->hasUrls())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent *event)
{
    QStringList files;
    QString workspace;
    for (const QUrl &url : event->mimeData()->urls()) {
        if (!url.isLocalFile())
            continue;
        const QString path = url.toLocalFile();
        if (path.endsWith(QLatin1String(".chainsight")))
            workspace = path;
        else if (QFileInfo(path).isFile() || QFileInfo(path).isDir())
            files.push_back(path);
    }
    event->acceptProposedAction();
    // A dropped workspace is opened; dropped data files are imported into the open one.
    if (!workspace.isEmpty())
        openWorkspace(workspace);
    else
        importFiles(files);
}

} // namespace chainsight

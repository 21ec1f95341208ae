#include "PolicyPanel.h"

#include "PolicyEditor.h"
#include "PolicyResources.h"
#include "PolicySession.h"
#include "ReplayScopeDialog.h"

#include <QAction>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>
#include <QLabel>
#include <QListWidget>
#include <QMenu>
#include <QMessageBox>
#include <QSaveFile>
#include <QSettings>
#include <QSplitter>
#include <QStyle>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>

namespace chainsight {
namespace {

constexpr int positionRole = Qt::UserRole + 1;

QString untitled()
{
    return QStringLiteral("untitled.cedar");
}

QString draftKey()
{
    return QStringLiteral("policy/draft");
}

QString draftFileKey()
{
    return QStringLiteral("policy/draftFile");
}

QString draftModifiedKey()
{
    return QStringLiteral("policy/draftModified");
}

QToolButton *menuButton(QToolBar *toolbar, const QString &text, QMenu *menu)
{
    auto *button = new QToolButton(toolbar);
    button->setText(text);
    button->setMenu(menu);
    button->setPopupMode(QToolButton::InstantPopup);
    button->setToolButtonStyle(Qt::ToolButtonTextOnly);
    toolbar->addWidget(button);
    return button;
}

} // namespace

PolicyPanel::PolicyPanel(PolicySession *session, QWidget *parent)
    : QWidget(parent)
    , m_session(session)
    , m_editor(new PolicyEditor(this))
    , m_toolbar(new QToolBar(this))
    , m_replayToolbar(new QToolBar(this))
    , m_problems(new QListWidget(this))
    , m_status(new QLabel(this))
    , m_starterMenu(new QMenu(tr("Insert starter policy"), this))
    , m_versionsMenu(new QMenu(tr("Versions"), this))
    , m_diffMenu(new QMenu(tr("Diff against"), this))
    , m_draftTimer(new QTimer(this))
{
    for (QToolBar *toolbar : {m_toolbar, m_replayToolbar}) {
        toolbar->setIconSize(QSize(16, 16));
        toolbar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    }
    m_new = m_toolbar->addAction(tr("New"), this, &PolicyPanel::newPolicy);
    m_open = m_toolbar->addAction(tr("Open…"), this, &PolicyPanel::chooseFile);
    m_save = m_toolbar->addAction(tr("Save"), this, &PolicyPanel::save);
    m_save->setShortcut(QKeySequence::Save);
    m_save->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_saveAs = m_toolbar->addAction(tr("Save as…"), this, &PolicyPanel::saveAs);
    m_toolbar->addSeparator();
    QAction *formatAction = m_toolbar->addAction(tr("Format"), this, &PolicyPanel::format);
    formatAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F));
    formatAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    formatAction->setToolTip(tr("Rewrite the policies in Cedar's canonical layout (one undo step)"));
    menuButton(m_toolbar, tr("Insert"), m_starterMenu)->setToolTip(tr("Insert a policy of the starter library"));
    // Last, so in a narrow dock they are the ones that move into the overflow menu: Ctrl+Z and Ctrl+Y do the same.
    m_toolbar->addSeparator();
    QAction *undo = m_toolbar->addAction(tr("Undo"), m_editor, &QPlainTextEdit::undo);
    QAction *redo = m_toolbar->addAction(tr("Redo"), m_editor, &QPlainTextEdit::redo);
    undo->setEnabled(false);
    redo->setEnabled(false);
    connect(m_editor, &QPlainTextEdit::undoAvailable, undo, &QAction::setEnabled);
    connect(m_editor, &QPlainTextEdit::redoAvailable, redo, &QAction::setEnabled);
    // Replays and versions on a row of their own: in one row, a 1280 x 720 window hid Simulate behind "»".
    m_simulate = m_replayToolbar->addAction(tr("Simulate"), this, &PolicyPanel::simulate);
    m_simulate->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    m_simulate->setToolTip(tr("Replay every recorded action against this text (Ctrl+R)"));
    menuButton(m_replayToolbar, tr("Diff"), m_diffMenu)->setToolTip(tr("Replay this text and a baseline; show the decisions that flip"));
    m_scopeAction = m_replayToolbar->addAction(tr("Scope…"), this, &PolicyPanel::chooseScope);
    m_replayToolbar->addSeparator();
    m_replayToolbar->addAction(tr("Save version…"), this, &PolicyPanel::saveVersion)
        ->setToolTip(tr("Keep this text in the workspace with its SHA-256 and a note"));
    menuButton(m_replayToolbar, tr("Versions"), m_versionsMenu)->setToolTip(tr("Open a version kept in the workspace"));
    addAction(m_save);
    addAction(formatAction);

    for (const StarterPolicy &policy : starterPolicies()) {
        QAction *action = m_starterMenu->addAction(policy.title.isEmpty() ? policy.fileName : policy.title);
        action->setToolTip(policy.rule.isEmpty() ? policy.fileName : tr("Rule: %1").arg(policy.rule));
        const QString text = policy.text;
        connect(action, &QAction::triggered, this, [this, text] { m_editor->insertPolicy(text); });
    }
    m_starterMenu->setToolTipsVisible(true);
    rebuildVersionMenus({});

    m_problems->setAccessibleName(tr("Policy diagnostics"));
    m_problems->setWordWrap(true);
    connect(m_problems, &QListWidget::itemActivated, this,
            [this](QListWidgetItem *item) { m_editor->moveCursorTo(item->data(positionRole).toInt()); });
    connect(m_problems, &QListWidget::itemClicked, this,
            [this](QListWidgetItem *item) { m_editor->moveCursorTo(item->data(positionRole).toInt()); });
    m_status->setTextFormat(Qt::PlainText);

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_editor);
    splitter->addWidget(m_problems);
    splitter->setStretchFactor(0, 4);
    splitter->setStretchFactor(1, 1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(m_toolbar);
    layout->addWidget(m_replayToolbar);
    layout->addWidget(splitter, 1);
    layout->addWidget(m_status);

    connect(m_editor, &PolicyEditor::diagnosticsChanged, this, &PolicyPanel::showDiagnostics);
    connect(m_editor->document(), &QTextDocument::modificationChanged, this, &PolicyPanel::updateTitle);
    connect(m_session, &PolicySession::checkerChanged, m_editor, &PolicyEditor::setChecker);
    connect(m_session, &PolicySession::versionsChanged, this, &PolicyPanel::rebuildVersionMenus);
    connect(m_session, &PolicySession::versionSaved, this, [this](const PolicyVersion &version) {
        m_status->setText(tr("Saved version %1 of %2 (SHA-256 %3…)").arg(version.id).arg(version.name, version.sha256.left(12)));
    });
    if (m_session->checker())
        m_editor->setChecker(m_session->checker());
    newPolicy();

    // The text being written survives a restart, file or not.
    const QSettings settings;
    const QString draftText = settings.value(draftKey()).toString();
    if (!draftText.isEmpty()) {
        m_editor->setPlainText(draftText);
        m_editor->document()->setModified(settings.value(draftModifiedKey()).toBool());
        m_fileName = settings.value(draftFileKey()).toString();
        updateTitle();
    }
    m_draftTimer->setSingleShot(true);
    m_draftTimer->setInterval(1000);
    connect(m_draftTimer, &QTimer::timeout, this, &PolicyPanel::saveDraft);
    connect(m_editor->document(), &QTextDocument::contentsChanged, m_draftTimer, qOverload<>(&QTimer::start));
}

PolicyPanel::~PolicyPanel()
{
    if (m_draftTimer->isActive())
        saveDraft();
}

void PolicyPanel::saveDraft()
{
    m_draftTimer->stop();
    QSettings settings;
    settings.setValue(draftKey(), m_editor->toPlainText());
    settings.setValue(draftFileKey(), m_fileName);
    settings.setValue(draftModifiedKey(), m_editor->document()->isModified());
}

QList<QAction *> PolicyPanel::fileActions() const
{
    return {m_new, m_open, m_save, m_saveAs};
}

PolicyDraft PolicyPanel::draft() const
{
    return PolicyDraft{m_fileName.isEmpty() ? untitled() : QFileInfo(m_fileName).fileName(), m_editor->toPlainText()};
}

void PolicyPanel::newPolicy()
{
    m_fileName.clear();
    const QList<StarterPolicy> library = starterPolicies();
    QString text;
    for (const char *id : {"baseline-permit", "forbid-outside-intent"}) {
        if (const StarterPolicy *policy = findStarterPolicy(library, QLatin1String(id)))
            text += policy->text + QLatin1Char('\n');
    }
    m_editor->setPlainText(text.trimmed() + QLatin1Char('\n'));
    m_editor->document()->setModified(false);
    updateTitle();
}

bool PolicyPanel::openFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        m_status->setText(tr("Cannot open %1: %2").arg(path, file.errorString()));
        return false;
    }
    m_editor->setPlainText(QString::fromUtf8(file.readAll()));
    m_editor->document()->setModified(false);
    m_fileName = path;
    updateTitle();
    return true;
}

bool PolicyPanel::saveFile(const QString &path)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(m_editor->toPlainText().toUtf8()) < 0 || !file.commit()) {
        m_status->setText(tr("Cannot save %1: %2").arg(path, file.errorString()));
        return false;
    }
    m_fileName = path;
    m_editor->document()->setModified(false);
    updateTitle();
    m_status->setText(tr("Saved %1").arg(path));
    return true;
}

void PolicyPanel::loadVersion(const PolicyVersion &version)
{
    m_editor->setPlainText(version.text);
    m_editor->document()->setModified(false);
    m_fileName.clear();
    updateTitle();
    m_status->setText(tr("Version %1 of %2, %3%4").arg(version.id).arg(version.name, version.createdAt,
                                                       version.note.isEmpty() ? QString() : QStringLiteral(": ") + version.note));
}

void PolicyPanel::setReplayScope(const ReplayFilter &scope)
{
    m_scope = scope;
    const QString text = ReplayScopeDialog::describe(scope);
    m_scopeAction->setToolTip(tr("Replay %1").arg(text));
    m_scopeAction->setText(scope.isEmpty() ? tr("Scope…") : tr("Scope: %1…").arg(text.size() > 40 ? text.left(39) + QStringLiteral("…") : text));
}

void PolicyPanel::chooseScope()
{
    ReplayScopeDialog dialog(m_scope, m_session->corpus().get(), this);
    if (dialog.exec() == QDialog::Accepted)
        setReplayScope(dialog.filter());
}

void PolicyPanel::chooseFile()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open policies"), QDir::homePath(),
                                                      tr("Cedar policies (*.cedar);;All files (*)"));
    if (!path.isEmpty())
        openFile(path);
}

void PolicyPanel::save()
{
    if (m_fileName.isEmpty())
        saveAs();
    else
        saveFile(m_fileName);
}

void PolicyPanel::saveAs()
{
    QString path = QFileDialog::getSaveFileName(this, tr("Save policies"), m_fileName.isEmpty() ? QDir::homePath() : m_fileName,
                                                tr("Cedar policies (*.cedar)"));
    if (path.isEmpty())
        return;
    if (!path.endsWith(QLatin1String(".cedar")))
        path += QStringLiteral(".cedar");
    saveFile(path);
}

void PolicyPanel::saveVersion()
{
    if (m_session->workspacePath().isEmpty()) {
        m_status->setText(tr("Open a workspace to keep versions in it"));
        return;
    }
    bool ok = false;
    const QString note = QInputDialog::getText(this, tr("Save version"), tr("Note for this version (what changed, why):"),
                                               QLineEdit::Normal, QString(), &ok);
    if (ok)
        m_session->saveVersion(draft(), note.trimmed());
}

void PolicyPanel::format()
{
    QString error;
    if (!m_editor->formatPolicies(&error))
        m_status->setText(error);
    else
        m_status->setText(tr("Formatted (Undo brings the previous text back)"));
}

bool PolicyPanel::confirmNoErrors()
{
    m_editor->checkNow();
    if (!m_editor->hasErrors())
        return true;
    m_status->setText(tr("Fix the errors first: the policies do not parse"));
    if (m_problems->count() > 0)
        m_editor->moveCursorTo(m_problems->item(0)->data(positionRole).toInt());
    return false;
}

void PolicyPanel::simulate()
{
    if (confirmNoErrors())
        m_session->simulate(draft(), std::nullopt, m_scope);
}

void PolicyPanel::diffAgainstVersion(const PolicyVersion &version)
{
    if (confirmNoErrors())
        m_session->simulate(draft(), PolicyDraft{QStringLiteral("%1 (version %2)").arg(version.name).arg(version.id), version.text},
                            m_scope);
}

void PolicyPanel::diffAgainstFile()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Baseline policies"), QDir::homePath(),
                                                      tr("Cedar policies (*.cedar);;All files (*)"));
    if (path.isEmpty() || !confirmNoErrors())
        return;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        m_status->setText(tr("Cannot open %1: %2").arg(path, file.errorString()));
        return;
    }
    m_session->simulate(draft(), PolicyDraft{QFileInfo(path).fileName(), QString::fromUtf8(file.readAll())}, m_scope);
}

void PolicyPanel::rebuildVersionMenus(const QList<PolicyVersion> &versions)
{
    m_versionsMenu->clear();
    m_diffMenu->clear();
    m_diffMenu->addAction(tr("A file…"), this, &PolicyPanel::diffAgainstFile);
    if (!versions.isEmpty())
        m_diffMenu->addSeparator();
    for (const PolicyVersion &version : versions) {
        const QString label = QStringLiteral("%1  #%2  %3  %4%5")
                                  .arg(version.name)
                                  .arg(version.id)
                                  .arg(version.createdAt.left(16).replace(QLatin1Char('T'), QLatin1Char(' ')), version.sha256.left(8),
                                       version.note.isEmpty() ? QString() : QStringLiteral("  — ") + version.note);
        connect(m_versionsMenu->addAction(label), &QAction::triggered, this, [this, version] { loadVersion(version); });
        connect(m_diffMenu->addAction(label), &QAction::triggered, this, [this, version] { diffAgainstVersion(version); });
    }
    if (versions.isEmpty())
        m_versionsMenu->addAction(tr("No versions kept yet"))->setEnabled(false);
}

void PolicyPanel::showDiagnostics(const QList<PolicyDiagnostic> &diagnostics)
{
    m_problems->clear();
    int errors = 0;
    for (const PolicyDiagnostic &d : diagnostics) {
        const bool error = d.severity == PolicyDiagnostic::Severity::Error;
        errors += error ? 1 : 0;
        auto *item = new QListWidgetItem(style()->standardIcon(error ? QStyle::SP_MessageBoxCritical : QStyle::SP_MessageBoxWarning),
                                         tr("%1:%2  %3").arg(d.line).arg(d.column).arg(d.message), m_problems);
        item->setData(positionRole, d.position);
        item->setToolTip(d.message);
    }
    m_simulate->setEnabled(errors == 0);
    if (diagnostics.isEmpty())
        m_status->setText(m_session->checker() && m_session->checker()->hasSchema()
                              ? tr("No problems (checked against the workspace schema)")
                              : tr("No syntax problems"));
    else
        m_status->setText(tr("%1 error(s), %2 warning(s)").arg(errors).arg(diagnostics.size() - errors));
}

void PolicyPanel::updateTitle()
{
    const QString name = m_fileName.isEmpty() ? untitled() : QFileInfo(m_fileName).fileName();
    setWindowTitle(name + (m_editor->document()->isModified() ? QStringLiteral(" *") : QString()));
}

} // namespace chainsight

#include "KeyboardShortcutsDialog.h"

#include <QAction>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QMainWindow>
#include <QMenu>
#include <QMenuBar>
#include <QSet>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace chainsight {
namespace {

QString plainText(QString text)
{
    // "&Open workspace…" reads "Open workspace…"; "&&" is a literal ampersand.
    text.replace(QLatin1String("&&"), QStringLiteral("\x01"));
    text.remove(QLatin1Char('&'));
    text.replace(QLatin1Char('\x01'), QLatin1Char('&'));
    return text;
}

void collect(const QString &menuPath, const QList<QAction *> &actions, QSet<const QAction *> &seen,
             QList<KeyboardShortcut> &out)
{
    for (const QAction *action : actions) {
        if (action->isSeparator() || seen.contains(action))
            continue;
        seen.insert(action);
        if (const QMenu *submenu = action->menu()) {
            const QString path = menuPath.isEmpty() ? plainText(submenu->title())
                                                    : menuPath + QStringLiteral(" › ") + plainText(submenu->title());
            collect(path, submenu->actions(), seen, out);
            continue;
        }
        if (!action->shortcuts().isEmpty())
            out.push_back({menuPath, plainText(action->text()), action->shortcuts()});
    }
}

} // namespace

QList<KeyboardShortcut> keyboardShortcuts(const QMainWindow &window)
{
    QList<KeyboardShortcut> shortcuts;
    QSet<const QAction *> seen;
    collect(QString(), window.menuBar()->actions(), seen, shortcuts);
    // Shortcuts that live on the window itself, outside any menu.
    collect(QObject::tr("Window"), window.actions(), seen, shortcuts);
    return shortcuts;
}

KeyboardShortcutsDialog::KeyboardShortcutsDialog(const QMainWindow &window, QWidget *parent)
    : QDialog(parent)
    , m_list(new QTreeWidget(this))
{
    setWindowTitle(tr("Keyboard shortcuts"));
    setAccessibleName(tr("Keyboard shortcuts"));
    m_list->setColumnCount(3);
    m_list->setHeaderLabels({tr("Action"), tr("Keys"), tr("Menu")});
    m_list->setRootIsDecorated(false);
    m_list->setAlternatingRowColors(true);
    m_list->setAccessibleName(tr("Keyboard shortcuts"));
    for (const KeyboardShortcut &shortcut : keyboardShortcuts(window)) {
        QStringList keys;
        for (const QKeySequence &key : shortcut.keys)
            keys.push_back(key.toString(QKeySequence::NativeText));
        new QTreeWidgetItem(m_list, {shortcut.action, keys.join(tr(" or ")), shortcut.menu});
    }
    m_list->header()->setSectionResizeMode(QHeaderView::ResizeToContents);

    auto *note = new QLabel(tr("In lists and tables the arrow keys move the selection; Tab moves to the next pane."), this);
    note->setWordWrap(true);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_list, 1);
    layout->addWidget(note);
    layout->addWidget(buttons);
    resize(560, 480);
}

} // namespace chainsight

#pragma once

#include <QDialog>
#include <QKeySequence>
#include <QList>

class QMainWindow;
class QTreeWidget;

namespace chainsight {

struct KeyboardShortcut
{
    QString menu;   // "File", "View", … where the action lives
    QString action; // its text without the mnemonic ampersand
    QList<QKeySequence> keys;
};

// Every action of the window's menus (and the window itself) that has a shortcut, in menu order; read from
// the live actions, so the list cannot drift from what the keys do.
QList<KeyboardShortcut> keyboardShortcuts(const QMainWindow &window);

// Help → Keyboard shortcuts.
class KeyboardShortcutsDialog final : public QDialog
{
    Q_OBJECT
public:
    explicit KeyboardShortcutsDialog(const QMainWindow &window, QWidget *parent = nullptr);

    QTreeWidget *shortcutList() const { return m_list; }

private:
    QTreeWidget *m_list;
};

} // namespace chainsight

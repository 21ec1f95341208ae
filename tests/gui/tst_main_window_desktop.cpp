// The main window's desktop behaviour: every shortcut distinct and listed, panels on Ctrl+1…, changed
// rule thresholds applied to the open workspace, the dark palette on the real window, accessible names.
#include "FindingListModel.h"
#include "FindingsPanel.h"
#include "InventoryPanel.h"
#include "KeyboardShortcutsDialog.h"
#include "MainWindow.h"
#include "PolicyPanel.h"
#include "Preferences.h"
#include "SettingsDialog.h"
#include "Theme.h"

#include <QAbstractButton>
#include <QAbstractItemView>
#include <QAbstractSpinBox>
#include <QAccessible>
#include <QApplication>
#include <QComboBox>
#include <QDockWidget>
#include <QDir>
#include <QLineEdit>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTest>
#include <QTimer>
#include <QToolBar>
#include <QTreeWidget>

using namespace chainsight;

namespace {

// Shows the window with the demo workspace open; false when it did not open within a minute.
bool showDemo(MainWindow &window)
{
    QSignalSpy shown(&window, &MainWindow::workspaceShown);
    window.show();
    window.openDemoWorkspace();
    return shown.wait(60000);
}

void saveArtefact(QWidget &widget, const QString &name)
{
    QDir().mkpath(QStringLiteral(CHAINSIGHT_ARTEFACT_DIR));
    QVERIFY(widget.grab().save(QStringLiteral(CHAINSIGHT_ARTEFACT_DIR "/window-") + name));
}

// "QLineEdit 'Filter…' in SimulationPanel in QDockWidget 'Simulation'": enough to find it in the code.
QString describe(const QWidget *widget)
{
    QStringList parts;
    for (const QWidget *w = widget; w; w = w->parentWidget()) {
        QString part = QString::fromLatin1(w->metaObject()->className());
        if (const auto *edit = qobject_cast<const QLineEdit *>(w); edit && !edit->placeholderText().isEmpty())
            part += QStringLiteral(" '") + edit->placeholderText() + QLatin1Char('\'');
        else if (!w->windowTitle().isEmpty() && w->isWindow() == false)
            part += QStringLiteral(" '") + w->windowTitle() + QLatin1Char('\'');
        parts.push_back(part);
        if (qobject_cast<const MainWindow *>(w))
            break;
    }
    return parts.join(QStringLiteral(" in "));
}

// The widgets a keyboard or screen-reader user can reach, without a name a screen reader could say.
QStringList unnamedInteractiveWidgets(const QWidget &root)
{
    QStringList unnamed;
    const QList<QWidget *> widgets = root.findChildren<QWidget *>();
    for (QWidget *widget : widgets) {
        const bool interactive = qobject_cast<QAbstractButton *>(widget) || qobject_cast<QLineEdit *>(widget)
                                 || qobject_cast<QComboBox *>(widget) || qobject_cast<QAbstractSpinBox *>(widget)
                                 || qobject_cast<QAbstractItemView *>(widget);
        if (!interactive || widget->focusPolicy() == Qt::NoFocus)
            continue;
        // The line edit inside a spin box or combo box speaks for its parent.
        if (qobject_cast<QLineEdit *>(widget)
            && (qobject_cast<QAbstractSpinBox *>(widget->parentWidget()) || qobject_cast<QComboBox *>(widget->parentWidget())))
            continue;
        QAccessibleInterface *accessible = QAccessible::queryAccessibleInterface(widget);
        if (!accessible || accessible->text(QAccessible::Name).trimmed().isEmpty())
            unnamed.push_back(describe(widget));
    }
    return unnamed;
}

Finding findingOfRule(const FindingsPanel *panel, const QString &rule)
{
    for (const Finding &finding : panel->model()->findings()) {
        if (finding.rule == rule)
            return finding;
    }
    return {};
}

} // namespace

class MainWindowDesktopTest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("ChainsightTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_main_window_desktop"));
        QSettings().clear();
        QDir(QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation)).removeRecursively();
    }

    void cleanup()
    {
        applyColorScheme(ColorScheme::System);
        QSettings().clear();
    }

    void shortcutsAreListedAndDistinct()
    {
        MainWindow window;
        const QList<KeyboardShortcut> shortcuts = keyboardShortcuts(window);
        QHash<QString, QString> owners;
        QStringList listed;
        for (const KeyboardShortcut &shortcut : shortcuts) {
            listed.push_back(shortcut.action);
            QVERIFY(!shortcut.action.contains(QLatin1Char('&')));
            for (const QKeySequence &key : shortcut.keys) {
                const QString text = key.toString(QKeySequence::PortableText);
                QVERIFY2(!owners.contains(text), qPrintable(QStringLiteral("%1 is bound to both '%2' and '%3'")
                                                               .arg(text, owners.value(text), shortcut.action)));
                owners.insert(text, shortcut.action);
            }
        }
        const auto keyOf = [&owners](const QString &action) { return owners.key(action); };
        QCOMPARE(keyOf(QStringLiteral("New workspace…")), QStringLiteral("Ctrl+N"));
        QCOMPARE(keyOf(QStringLiteral("Open workspace…")), QStringLiteral("Ctrl+O"));
        QCOMPARE(keyOf(QStringLiteral("Import files…")), QStringLiteral("Ctrl+I"));
        QCOMPARE(keyOf(QStringLiteral("Settings…")), QStringLiteral("Ctrl+,"));
        QCOMPARE(keyOf(QStringLiteral("Keyboard shortcuts")), QStringLiteral("F1"));
        // Quit is the platform's own key (Ctrl+Q on Linux desktops, none of its own on Windows).
        const QList<QKeySequence> quitKeys = QKeySequence::keyBindings(QKeySequence::Quit);
        if (!quitKeys.isEmpty())
            QCOMPARE(keyOf(QStringLiteral("Quit")), quitKeys.constFirst().toString(QKeySequence::PortableText));
        // The panels answer to Ctrl+1… in the order of the View menu.
        QCOMPARE(owners.value(QStringLiteral("Ctrl+1")), QStringLiteral("Inventory"));
        QVERIFY(owners.contains(QStringLiteral("Ctrl+3")));

        KeyboardShortcutsDialog dialog(window);
        QCOMPARE(dialog.shortcutList()->topLevelItemCount(), shortcuts.size());
        dialog.show();
        saveArtefact(dialog, QStringLiteral("shortcuts.png"));
    }

    void panelShortcutTogglesItsDock()
    {
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowActive(&window) || QTest::qWaitForWindowExposed(&window));
        QWidget *inventoryDock = window.inventoryPanel()->parentWidget();
        QVERIFY(inventoryDock->isVisible());
        QTest::keyClick(&window, Qt::Key_1, Qt::ControlModifier);
        QTRY_VERIFY(!inventoryDock->isVisible());
        QTest::keyClick(&window, Qt::Key_1, Qt::ControlModifier);
        QTRY_VERIFY(inventoryDock->isVisible());
    }

    void thresholdsApplyToTheOpenWorkspace()
    {
        MainWindow window;
        QSignalSpy shown(&window, &MainWindow::workspaceShown);
        window.show();
        window.openDemoWorkspace();
        QVERIFY(shown.wait(60000));
        // The demo's shadow agent acts in five events; each finding keeps at most evidenceLimit of them.
        const Finding before = findingOfRule(window.findingsPanel(), QStringLiteral("shadow-agent"));
        QVERIFY(before.evidence.size() > 2);

        Preferences preferences = Preferences::load();
        preferences.findings.evidenceLimit = 2;
        preferences.colorScheme = ColorScheme::Dark;
        const int loads = shown.count();
        window.applyPreferences(preferences);
        QTRY_VERIFY_WITH_TIMEOUT(shown.count() > loads, 60000);
        const Finding after = findingOfRule(window.findingsPanel(), QStringLiteral("shadow-agent"));
        QCOMPARE(after.evidence.size(), 2);
        // Kept for the next start, and in force for the next analysis.
        QCOMPARE(Preferences::load().findings.evidenceLimit, 2);
        QCOMPARE(window.session()->findingsSettings().evidenceLimit, 2);
        QCOMPARE(appliedColorScheme(), ColorScheme::Dark);
        window.showPanel(QStringLiteral("findings"));
        QTest::qWait(0);
        saveArtefact(window, QStringLiteral("dark-main-window.png"));

        // The same through the dialog a user opens from the File menu, accepted with the keyboard.
        QTimer::singleShot(0, this, [] {
            auto *dialog = qobject_cast<SettingsDialog *>(QApplication::activeModalWidget());
            QVERIFY(dialog);
            dialog->evidenceLimitSpin()->setValue(50);
            dialog->colorSchemeCombo()->setCurrentIndex(dialog->colorSchemeCombo()->findData(static_cast<int>(ColorScheme::System)));
            QTest::keyClick(dialog, Qt::Key_Return);
        });
        const int loadsBeforeDialog = shown.count();
        QTest::keyClick(&window, Qt::Key_Comma, Qt::ControlModifier);
        QTRY_VERIFY_WITH_TIMEOUT(shown.count() > loadsBeforeDialog, 60000);
        QCOMPARE(findingOfRule(window.findingsPanel(), QStringLiteral("shadow-agent")).evidence.size(), before.evidence.size());
        QCOMPARE(appliedColorScheme(), ColorScheme::System);
    }
    void everyControlHasAnAccessibleName()
    {
        MainWindow window;
        QVERIFY(showDemo(window));
        const QStringList unnamed = unnamedInteractiveWidgets(window);
        QVERIFY2(unnamed.isEmpty(), qPrintable(unnamed.join(QLatin1String("; "))));
    }

    // With a workspace open, every panel laid out and the legend shown, the window still fits a 1280x720
    // screen: a panel that wants more makes the window taller than the screen and cuts off its bottom.
    void theWindowFitsASmallScreen()
    {
        MainWindow window;
        QVERIFY(showDemo(window));
        QCoreApplication::processEvents();
        const QSize minimum = window.minimumSizeHint().expandedTo(window.minimumSize());
        QVERIFY2(minimum.width() <= 1280 && minimum.height() <= 720,
                 qPrintable(QStringLiteral("minimum %1x%2").arg(minimum.width()).arg(minimum.height())));

        // At that size the policy dock's replay actions are buttons, not hidden in a toolbar's overflow menu.
        window.resize(1280, 720);
        auto *policy = window.findChild<PolicyPanel *>();
        QVERIFY(policy);
        for (QWidget *dock = policy->parentWidget(); dock; dock = dock->parentWidget()) {
            if (auto *asDock = qobject_cast<QDockWidget *>(dock)) {
                asDock->show();
                asDock->raise();
            }
        }
        QCoreApplication::processEvents();
        QStringList shown;
        for (QToolBar *toolbar : policy->findChildren<QToolBar *>()) {
            for (QAction *action : toolbar->actions()) {
                const QWidget *button = toolbar->widgetForAction(action);
                if (button && button->isVisible())
                    shown.push_back(action->text());
            }
        }
        for (const QString &text : {QStringLiteral("Simulate"), QStringLiteral("Scope…"), QStringLiteral("Format")})
            QVERIFY2(shown.contains(text), qPrintable(shown.join(QLatin1String(", "))));
    }
};

QTEST_MAIN(MainWindowDesktopTest)
#include "tst_main_window_desktop.moc"

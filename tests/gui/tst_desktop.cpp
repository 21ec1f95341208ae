// The desktop pieces around the main window: preferences kept between runs, the Settings dialog, light and
// dark palettes, the shortcut list read from menus, the About dialog's licences, accessible names.
#include "AboutDialog.h"
#include "KeyboardShortcutsDialog.h"
#include "Preferences.h"
#include "SettingsDialog.h"
#include "Theme.h"

#include <QAbstractButton>
#include <QAbstractItemView>
#include <QAbstractSpinBox>
#include <QAccessible>
#include <QApplication>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QMainWindow>
#include <QMenu>
#include <QMenuBar>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

using namespace chainsight;

namespace {

void saveArtefact(QWidget &widget, const QString &name)
{
    QDir().mkpath(QStringLiteral(CHAINSIGHT_ARTEFACT_DIR));
    QVERIFY(widget.grab().save(QStringLiteral(CHAINSIGHT_ARTEFACT_DIR "/desktop-") + name));
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
            unnamed.push_back(QString::fromLatin1(widget->metaObject()->className()) + QLatin1Char(' ') + widget->objectName());
    }
    return unnamed;
}

} // namespace

class DesktopTest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("ChainsightTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_desktop"));
        QSettings().clear();
    }

    void cleanup()
    {
        applyColorScheme(ColorScheme::System);
        QSettings().clear();
    }

    void preferencesRoundTrip()
    {
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("settings.ini"));
        Preferences chosen;
        chosen.reviewerName = QStringLiteral("Ada Reviewer");
        chosen.findings.staleSecretMaxAgeDays = 30;
        chosen.findings.evidenceLimit = 7;
        chosen.colorScheme = ColorScheme::Dark;
        {
            QSettings settings(file, QSettings::IniFormat);
            chosen.save(settings);
        }
        const QSettings settings(file, QSettings::IniFormat);
        const Preferences read = Preferences::load(settings);
        QCOMPARE(read.reviewerName, chosen.reviewerName);
        QCOMPARE(read.findings.staleSecretMaxAgeDays, 30);
        QCOMPARE(read.findings.evidenceLimit, 7);
        QCOMPARE(read.colorScheme, ColorScheme::Dark);
    }

    void badStoredValuesFallBack_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QVariant>("stored");
        QTest::newRow("zero days") << PreferenceKeys::staleSecretMaxAgeDays() << QVariant(0);
        QTest::newRow("negative days") << PreferenceKeys::staleSecretMaxAgeDays() << QVariant(-5);
        QTest::newRow("days not a number") << PreferenceKeys::staleSecretMaxAgeDays() << QVariant(QStringLiteral("ninety"));
        QTest::newRow("evidence too large") << PreferenceKeys::evidenceLimit() << QVariant(5000000);
        QTest::newRow("unknown scheme") << PreferenceKeys::colorScheme() << QVariant(QStringLiteral("sepia"));
    }

    void badStoredValuesFallBack()
    {
        QFETCH(QString, key);
        QFETCH(QVariant, stored);
        QTemporaryDir dir;
        QSettings settings(dir.filePath(QStringLiteral("settings.ini")), QSettings::IniFormat);
        settings.setValue(key, stored);
        const Preferences read = Preferences::load(settings);
        const Preferences defaults;
        QCOMPARE(read.findings.staleSecretMaxAgeDays, defaults.findings.staleSecretMaxAgeDays);
        QCOMPARE(read.findings.evidenceLimit, defaults.findings.evidenceLimit);
        QCOMPARE(read.colorScheme, ColorScheme::System);
    }

    void settingsDialogEditsACopy()
    {
        Preferences start;
        start.reviewerName = QStringLiteral("Grace");
        start.findings.staleSecretMaxAgeDays = 45;
        SettingsDialog dialog(start);
        QCOMPARE(dialog.reviewerNameEdit()->text(), QStringLiteral("Grace"));
        QCOMPARE(dialog.staleSecretDaysSpin()->value(), 45);
        QCOMPARE(dialog.colorSchemeCombo()->currentData().toInt(), static_cast<int>(ColorScheme::System));

        dialog.reviewerNameEdit()->setText(QStringLiteral("  Grace Hopper "));
        dialog.staleSecretDaysSpin()->setValue(10);
        dialog.evidenceLimitSpin()->setValue(3);
        dialog.colorSchemeCombo()->setCurrentIndex(dialog.colorSchemeCombo()->findData(static_cast<int>(ColorScheme::Light)));
        const Preferences edited = dialog.preferences();
        QCOMPARE(edited.reviewerName, QStringLiteral("Grace Hopper"));
        QCOMPARE(edited.findings.staleSecretMaxAgeDays, 10);
        QCOMPARE(edited.findings.evidenceLimit, 3);
        QCOMPARE(edited.colorScheme, ColorScheme::Light);
        dialog.show();
        saveArtefact(dialog, QStringLiteral("settings.png"));

        // Restore defaults puts the thresholds and colours back and keeps who the reviewer is.
        auto *buttons = dialog.findChild<QDialogButtonBox *>();
        QVERIFY(buttons);
        buttons->button(QDialogButtonBox::RestoreDefaults)->click();
        const Preferences restored = dialog.preferences();
        QCOMPARE(restored.reviewerName, QStringLiteral("Grace Hopper"));
        QCOMPARE(restored.findings.staleSecretMaxAgeDays, FindingsSettings().staleSecretMaxAgeDays);
        QCOMPARE(restored.findings.evidenceLimit, FindingsSettings().evidenceLimit);
        QCOMPARE(restored.colorScheme, ColorScheme::System);
        QVERIFY2(unnamedInteractiveWidgets(dialog).isEmpty(), qPrintable(unnamedInteractiveWidgets(dialog).join(QLatin1String(", "))));
    }

    void colorSchemesChangeThePalette()
    {
        const QPalette system = QApplication::palette();
        applyColorScheme(ColorScheme::Dark);
        QCOMPARE(appliedColorScheme(), ColorScheme::Dark);
        QVERIFY(QApplication::palette().color(QPalette::Window).lightness() < 80);
        QVERIFY(QApplication::palette().color(QPalette::WindowText).lightness() > 180);
        // Text stays readable on its background in both palettes.
        for (const QPalette &palette : {darkPalette(), lightPalette()}) {
            QVERIFY(qAbs(palette.color(QPalette::Text).lightness() - palette.color(QPalette::Base).lightness()) > 150);
            QVERIFY(qAbs(palette.color(QPalette::HighlightedText).lightness() - palette.color(QPalette::Highlight).lightness()) > 90);
        }
        applyColorScheme(ColorScheme::Light);
        QVERIFY(QApplication::palette().color(QPalette::Window).lightness() > 200);
        // Following the system again gives back what the platform gave.
        applyColorScheme(ColorScheme::System);
        QCOMPARE(QApplication::palette().color(QPalette::Window), system.color(QPalette::Window));
        QCOMPARE(QApplication::palette().color(QPalette::Text), system.color(QPalette::Text));
    }

    void aboutNamesEveryLibraryAndLicence()
    {
        AboutDialog dialog;
        QTreeWidget *list = dialog.componentList();
        // Library names carry a version where one is known at run time: match on the name alone.
        const auto licenceOf = [list](const QString &library) {
            for (int row = 0; row < list->topLevelItemCount(); ++row) {
                const QString name = list->topLevelItem(row)->text(0);
                if (name == library || name.startsWith(library + QLatin1Char(' ')))
                    return list->topLevelItem(row)->text(1);
            }
            return QString();
        };
        QCOMPARE(licenceOf(QStringLiteral("Qt")), QStringLiteral("LGPL-3.0-only"));
        QCOMPARE(licenceOf(QStringLiteral("Qt Charts")), QStringLiteral("GPL-3.0-only"));
        QVERIFY(licenceOf(QStringLiteral("SQLite")).contains(QLatin1String("public domain")));
        QCOMPARE(licenceOf(QStringLiteral("nlohmann/json")), QStringLiteral("MIT"));
        QCOMPARE(licenceOf(QStringLiteral("simdjson")), QStringLiteral("Apache-2.0"));
        QCOMPARE(licenceOf(QStringLiteral("OpenSSL")), QStringLiteral("Apache-2.0"));
        QCOMPARE(licenceOf(QStringLiteral("zlib")), QStringLiteral("Zlib"));
        for (int row = 0; row < list->topLevelItemCount(); ++row)
            QVERIFY(list->topLevelItem(row)->data(0, Qt::UserRole).toString().startsWith(QLatin1String("https://")));
        // The version shown is the one built.
        QStringList labels;
        for (const QLabel *label : dialog.findChildren<QLabel *>())
            labels.push_back(label->text());
        QVERIFY(labels.join(QLatin1Char('\n')).contains(QStringLiteral("Chainsight " CHAINSIGHT_VERSION)));
        dialog.show();
        saveArtefact(dialog, QStringLiteral("about.png"));
        QVERIFY2(unnamedInteractiveWidgets(dialog).isEmpty(), qPrintable(unnamedInteractiveWidgets(dialog).join(QLatin1String(", "))));
    }

    void shortcutListFollowsTheMenus()
    {
        QMainWindow window;
        QMenu *file = window.menuBar()->addMenu(QStringLiteral("&File"));
        file->addAction(QStringLiteral("&Open…"))->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_O));
        file->addAction(QStringLiteral("No shortcut"));
        file->addSeparator();
        QMenu *recent = file->addMenu(QStringLiteral("Open &recent"));
        recent->addAction(QStringLiteral("Save && close"))->setShortcuts({QKeySequence(Qt::CTRL | Qt::Key_W), QKeySequence(Qt::Key_F4)});
        // An action in two menus is listed once; one on the window alone is listed too.
        QAction *shared = window.menuBar()->addMenu(QStringLiteral("&View"))->addAction(QStringLiteral("&Zoom"));
        shared->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Plus));
        recent->addAction(shared);
        auto *hidden = new QAction(QStringLiteral("Next &pane"), &window);
        hidden->setShortcut(QKeySequence(Qt::Key_F6));
        window.addAction(hidden);

        const QList<KeyboardShortcut> shortcuts = keyboardShortcuts(window);
        QCOMPARE(shortcuts.size(), 4);
        QCOMPARE(shortcuts.at(0).action, QStringLiteral("Open…"));
        QCOMPARE(shortcuts.at(0).menu, QStringLiteral("File"));
        QCOMPARE(shortcuts.at(1).action, QStringLiteral("Save & close"));
        QCOMPARE(shortcuts.at(1).menu, QStringLiteral("File › Open recent"));
        QCOMPARE(shortcuts.at(1).keys.size(), 2);
        QCOMPARE(shortcuts.at(2).action, QStringLiteral("Zoom"));
        QCOMPARE(shortcuts.at(2).menu, QStringLiteral("File › Open recent"));
        QCOMPARE(shortcuts.at(3).action, QStringLiteral("Next pane"));
        QCOMPARE(shortcuts.at(3).menu, QStringLiteral("Window"));

        KeyboardShortcutsDialog dialog(window);
        QCOMPARE(dialog.shortcutList()->topLevelItemCount(), 4);
        QCOMPARE(dialog.shortcutList()->topLevelItem(1)->text(1),
                 QKeySequence(Qt::CTRL | Qt::Key_W).toString(QKeySequence::NativeText) + QStringLiteral(" or ")
                     + QKeySequence(Qt::Key_F4).toString(QKeySequence::NativeText));
    }
};

QTEST_MAIN(DesktopTest)
#include "tst_desktop.moc"

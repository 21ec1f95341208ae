#include "Theme.h"

#include <QApplication>
#include <QStyle>
#include <QStyleFactory>
#include <QStyleHints>

namespace chainsight {
namespace {

ColorScheme g_applied = ColorScheme::System;

// What the desktop gave before Chainsight touched anything.
struct SystemLook
{
    QString styleName;
    QPalette palette;
};

const SystemLook &systemLook()
{
    static const SystemLook look{QApplication::style()->name(), QApplication::palette()};
    return look;
}

bool isDark(const QPalette &palette)
{
    return palette.color(QPalette::Window).lightness() < 128;
}

// Native styles draw with the platform's own colours and would ignore a chosen palette.
bool styleIgnoresPalette(const QString &styleName)
{
    return styleName.compare(QLatin1String("windowsvista"), Qt::CaseInsensitive) == 0
           || styleName.compare(QLatin1String("windows11"), Qt::CaseInsensitive) == 0
           || styleName.compare(QLatin1String("macos"), Qt::CaseInsensitive) == 0;
}

void useStyle(const QString &name)
{
    if (QApplication::style()->name().compare(name, Qt::CaseInsensitive) != 0) {
        if (QStyle *style = QStyleFactory::create(name))
            QApplication::setStyle(style);
    }
}

void followSystemChanges()
{
#if QT_VERSION >= QT_VERSION_CHECK(6, 5, 0)
    static const bool connected = [] {
        QObject::connect(QGuiApplication::styleHints(), &QStyleHints::colorSchemeChanged, qApp, [] {
            if (g_applied == ColorScheme::System)
                applyColorScheme(ColorScheme::System);
        });
        return true;
    }();
    Q_UNUSED(connected)
#endif
}

} // namespace

QPalette lightPalette()
{
    QPalette palette(QColor(0xef, 0xf0, 0xf1));
    palette.setColor(QPalette::Window, QColor(0xef, 0xf0, 0xf1));
    palette.setColor(QPalette::WindowText, QColor(0x23, 0x26, 0x29));
    palette.setColor(QPalette::Base, Qt::white);
    palette.setColor(QPalette::AlternateBase, QColor(0xf5, 0xf6, 0xf7));
    palette.setColor(QPalette::ToolTipBase, QColor(0xff, 0xff, 0xe1));
    palette.setColor(QPalette::ToolTipText, QColor(0x23, 0x26, 0x29));
    palette.setColor(QPalette::PlaceholderText, QColor(0x70, 0x74, 0x78));
    palette.setColor(QPalette::Text, QColor(0x23, 0x26, 0x29));
    palette.setColor(QPalette::Button, QColor(0xe3, 0xe5, 0xe7));
    palette.setColor(QPalette::ButtonText, QColor(0x23, 0x26, 0x29));
    palette.setColor(QPalette::BrightText, Qt::white);
    palette.setColor(QPalette::Highlight, QColor(0x1d, 0x35, 0x57));
    palette.setColor(QPalette::HighlightedText, Qt::white);
    palette.setColor(QPalette::Link, QColor(0x1a, 0x5f, 0xb4));
    palette.setColor(QPalette::LinkVisited, QColor(0x6a, 0x3d, 0x9a));
    for (const QPalette::ColorRole role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        palette.setColor(QPalette::Disabled, role, QColor(0x9a, 0x9c, 0x9e));
    palette.setColor(QPalette::Disabled, QPalette::Highlight, QColor(0xb0, 0xb4, 0xb8));
    return palette;
}

QPalette darkPalette()
{
    QPalette palette(QColor(0x2b, 0x2e, 0x33));
    palette.setColor(QPalette::Window, QColor(0x2b, 0x2e, 0x33));
    palette.setColor(QPalette::WindowText, QColor(0xe6, 0xe8, 0xea));
    palette.setColor(QPalette::Base, QColor(0x1e, 0x20, 0x24));
    palette.setColor(QPalette::AlternateBase, QColor(0x26, 0x29, 0x2e));
    palette.setColor(QPalette::ToolTipBase, QColor(0x3a, 0x3e, 0x44));
    palette.setColor(QPalette::ToolTipText, QColor(0xe6, 0xe8, 0xea));
    palette.setColor(QPalette::PlaceholderText, QColor(0x8c, 0x90, 0x96));
    palette.setColor(QPalette::Text, QColor(0xe6, 0xe8, 0xea));
    palette.setColor(QPalette::Button, QColor(0x35, 0x39, 0x3f));
    palette.setColor(QPalette::ButtonText, QColor(0xe6, 0xe8, 0xea));
    palette.setColor(QPalette::BrightText, QColor(0xff, 0x8a, 0x80));
    palette.setColor(QPalette::Light, QColor(0x4a, 0x4f, 0x56));
    palette.setColor(QPalette::Midlight, QColor(0x3d, 0x42, 0x48));
    palette.setColor(QPalette::Mid, QColor(0x24, 0x27, 0x2b));
    palette.setColor(QPalette::Dark, QColor(0x18, 0x1a, 0x1d));
    palette.setColor(QPalette::Shadow, QColor(0x0c, 0x0d, 0x0f));
    palette.setColor(QPalette::Highlight, QColor(0x3d, 0x7a, 0xc4));
    palette.setColor(QPalette::HighlightedText, Qt::white);
    palette.setColor(QPalette::Link, QColor(0x7a, 0xb8, 0xff));
    palette.setColor(QPalette::LinkVisited, QColor(0xc3, 0x9b, 0xff));
    for (const QPalette::ColorRole role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        palette.setColor(QPalette::Disabled, role, QColor(0x7c, 0x80, 0x86));
    palette.setColor(QPalette::Disabled, QPalette::Highlight, QColor(0x4a, 0x4f, 0x56));
    return palette;
}

bool systemPrefersDark()
{
#if QT_VERSION >= QT_VERSION_CHECK(6, 5, 0)
    const Qt::ColorScheme scheme = QGuiApplication::styleHints()->colorScheme();
    if (scheme != Qt::ColorScheme::Unknown)
        return scheme == Qt::ColorScheme::Dark;
#endif
    return isDark(systemLook().palette);
}

void applyColorScheme(ColorScheme scheme)
{
    const SystemLook &system = systemLook();
    followSystemChanges();
    g_applied = scheme;
    if (scheme == ColorScheme::System) {
        useStyle(system.styleName);
        // A palette that sets no role follows the platform theme again, also through its later changes; a
        // desktop that asks for dark without giving a dark palette gets ours.
        if (systemPrefersDark() && !isDark(system.palette)) {
            QApplication::setPalette(darkPalette());
        } else {
            QApplication::setPalette(QPalette());
        }
        return;
    }
    if (styleIgnoresPalette(system.styleName))
        useStyle(QStringLiteral("Fusion"));
    QApplication::setPalette(scheme == ColorScheme::Dark ? darkPalette() : lightPalette());
}

ColorScheme appliedColorScheme()
{
    return g_applied;
}

} // namespace chainsight

#include "Preferences.h"

#include <QSettings>

namespace chainsight {

namespace PreferenceKeys {
QString reviewerName()
{
    return QStringLiteral("review/reviewerName");
}
QString staleSecretMaxAgeDays()
{
    return QStringLiteral("rules/staleSecretMaxAgeDays");
}
QString evidenceLimit()
{
    return QStringLiteral("rules/evidenceLimit");
}
QString colorScheme()
{
    return QStringLiteral("appearance/colorScheme");
}
} // namespace PreferenceKeys

QString colorSchemeName(ColorScheme scheme)
{
    switch (scheme) {
    case ColorScheme::Light:
        return QStringLiteral("light");
    case ColorScheme::Dark:
        return QStringLiteral("dark");
    case ColorScheme::System:
        break;
    }
    return QStringLiteral("system");
}

ColorScheme colorSchemeFromName(const QString &name)
{
    if (name == QLatin1String("light"))
        return ColorScheme::Light;
    if (name == QLatin1String("dark"))
        return ColorScheme::Dark;
    return ColorScheme::System;
}

bool sameThresholds(const FindingsSettings &a, const FindingsSettings &b)
{
    return a.staleSecretMaxAgeDays == b.staleSecretMaxAgeDays && a.evidenceLimit == b.evidenceLimit;
}

Preferences Preferences::load(const QSettings &settings)
{
    // A hand-edited settings file may hold anything: out-of-range numbers fall back to the defaults.
    const auto boundedInt = [&settings](const QString &key, int fallback, int low, int high) {
        bool ok = false;
        const int value = settings.value(key, fallback).toInt(&ok);
        return ok && value >= low && value <= high ? value : fallback;
    };
    Preferences preferences;
    const FindingsSettings defaults;
    preferences.reviewerName = settings.value(PreferenceKeys::reviewerName()).toString().trimmed();
    preferences.findings.staleSecretMaxAgeDays =
        boundedInt(PreferenceKeys::staleSecretMaxAgeDays(), defaults.staleSecretMaxAgeDays, 1, 36500);
    preferences.findings.evidenceLimit = boundedInt(PreferenceKeys::evidenceLimit(), defaults.evidenceLimit, 1, 100000);
    preferences.colorScheme = colorSchemeFromName(settings.value(PreferenceKeys::colorScheme()).toString());
    return preferences;
}

Preferences Preferences::load()
{
    return load(QSettings());
}

void Preferences::save(QSettings &settings) const
{
    settings.setValue(PreferenceKeys::reviewerName(), reviewerName.trimmed());
    settings.setValue(PreferenceKeys::staleSecretMaxAgeDays(), findings.staleSecretMaxAgeDays);
    settings.setValue(PreferenceKeys::evidenceLimit(), findings.evidenceLimit);
    settings.setValue(PreferenceKeys::colorScheme(), colorSchemeName(colorScheme));
}

void Preferences::save() const
{
    QSettings settings;
    save(settings);
}

} // namespace chainsight

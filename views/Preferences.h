#pragma once

#include "FindingRule.h"

#include <QString>

class QSettings;

namespace chainsight {

enum class ColorScheme { System, Light, Dark };

// What a user chooses in Settings, kept with QSettings between runs. Workers get copies, never the store.
struct Preferences
{
    QString reviewerName; // recorded with each sign-off; empty until the reviewer says who they are
    FindingsSettings findings;
    ColorScheme colorScheme = ColorScheme::System;

    static Preferences load(const QSettings &settings);
    static Preferences load(); // from the application's QSettings
    void save(QSettings &settings) const;
    void save() const;
};

// False when a new analysis with b could find something other than one with a.
bool sameThresholds(const FindingsSettings &a, const FindingsSettings &b);

// Stable names for the settings file and the command line; unknown names read as System.
QString colorSchemeName(ColorScheme scheme);
ColorScheme colorSchemeFromName(const QString &name);

// Keys of the settings file, for code that reads one preference alone (the review sign-off reads the name).
namespace PreferenceKeys {
QString reviewerName();
QString staleSecretMaxAgeDays();
QString evidenceLimit();
QString colorScheme();
} // namespace PreferenceKeys

} // namespace chainsight

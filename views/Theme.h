#pragma once

#include "Preferences.h"

#include <QPalette>

namespace chainsight {

// The palettes used when the user picks a scheme instead of following the desktop.
QPalette lightPalette();
QPalette darkPalette();

// True when the desktop asks for dark windows: Qt's colour scheme from 6.5 on, the platform palette before.
bool systemPrefersDark();

// Applies a scheme to the whole application. System follows the desktop, also when it changes later;
// Light and Dark use Fusion where the native style would ignore the palette.
void applyColorScheme(ColorScheme scheme);
ColorScheme appliedColorScheme();

} // namespace chainsight

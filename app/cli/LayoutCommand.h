#pragma once

#include <QStringList>

namespace chainsight::cli {

// `chainsight-cli layout -w W --out graph.svg|graph.png|graph.json [--scale S]`; arguments are the words after
// `layout`. SVG and PNG need the application object to be a QGuiApplication (the font database).
int runLayoutCommand(const QStringList &arguments);

} // namespace chainsight::cli

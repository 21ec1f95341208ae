#pragma once

#include <QString>
#include <QStringList>

#include <optional>

namespace chainsight::DemoData {

// The demo enterprise's input files, as shipped in the resources.
QStringList inputFileNames();

// Writes the demo inputs into dir (created if needed); the paths written, or nullopt with *error.
std::optional<QStringList> writeInputs(const QString &dir, QString *error);

// Writes the inputs and imports them into a fresh dir/demo.chainsight; its path, or nullopt with *error.
std::optional<QString> buildWorkspace(const QString &dir, QString *error);

} // namespace chainsight::DemoData

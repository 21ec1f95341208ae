#pragma once

#include <QStringList>

namespace chainsight::cli {

// `chainsight-cli policy check|format|eval ...`; arguments are the words after `policy`.
int runPolicyCommand(const QStringList &arguments);

} // namespace chainsight::cli

#pragma once

#include <QStringList>

namespace chainsight::cli {

// `chainsight-cli findings -w W [--json] [--rule R] [--fail-on SEVERITY] [--revocation-list FILE]`; arguments are the words after `findings`.
int runFindingsCommand(const QStringList &arguments);

} // namespace chainsight::cli

#pragma once

#include <QStringList>

namespace chainsight::cli {

// `chainsight-cli chains -w W [--json] [--chain ID] [--min-depth N] [--below-retention R] [--unknown-originator]`.
int runChainsCommand(const QStringList &arguments);

} // namespace chainsight::cli

#pragma once

#include <QStringList>

namespace chainsight::cli {

// chainsight-cli simulate -w W --policy P.cedar [--baseline OLD.cedar] [--from T --to T] [--json]
//                         [--junit OUT.xml] [--fail-on-deny] [--fail-on-flip]
int runSimulateCommand(const QStringList &arguments);

} // namespace chainsight::cli

#pragma once

#include <QStringList>

namespace chainsight::cli {

// Exit codes shared by every subcommand.
enum ExitCode : int {
    ExitOk = 0,
    ExitGateTripped = 1,
    ExitBadInput = 2,
    ExitInternalError = 3,
};

// Each takes the words after its subcommand name.
int runImport(const QStringList &arguments);
int runInfo(const QStringList &arguments);
int runAgents(const QStringList &arguments);
int runIdentities(const QStringList &arguments);
int runDemo(const QStringList &arguments);

} // namespace chainsight::cli

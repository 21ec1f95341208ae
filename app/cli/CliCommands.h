#pragma once

#include <QStringList>
#include <QTextStream>

namespace chainsight::cli {

// Exit codes shared by every subcommand.
enum ExitCode : int {
    ExitOk = 0,
    ExitGateTripped = 1,
    ExitBadInput = 2,
    ExitInternalError = 3,
};

// Standard output and error of chainsight-cli, shared by every subcommand.
QTextStream &out();
QTextStream &err();
// "chainsight-cli: error: <message>" on standard error.
void printError(const QString &message);

// Each takes the words after its subcommand name.
int runImport(const QStringList &arguments);
int runInfo(const QStringList &arguments);
int runAgents(const QStringList &arguments);
int runIdentities(const QStringList &arguments);
int runDemo(const QStringList &arguments);

} // namespace chainsight::cli

#pragma once

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QStringList>
#include <QTextStream>

#include <optional>

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

// -h/--help: every subcommand has it; add it first so its help lists it first.
QCommandLineOption helpOption();
// Parses a subcommand's words once its options (help among them) are added. An exit code when the command is
// done: help printed, or bad usage (an unknown option, or a positional argument where it takes none);
// nullopt to go on.
std::optional<int> parseSubcommand(QCommandLineParser &parser, const QString &command, const QStringList &arguments,
                                   bool takesPositionals = false);

// Each takes the words after its subcommand name.
int runImport(const QStringList &arguments);
int runInfo(const QStringList &arguments);
int runAgents(const QStringList &arguments);
int runIdentities(const QStringList &arguments);
int runDemo(const QStringList &arguments);

} // namespace chainsight::cli

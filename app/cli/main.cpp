#include "CliCommands.h"
#ifdef CHAINSIGHT_HAVE_POLICY_COMMAND
#include "PolicyCommand.h"
#endif
#ifdef CHAINSIGHT_HAVE_CHAINS_COMMAND
#include "ChainsCommand.h"
#endif
#ifdef CHAINSIGHT_HAVE_FINDINGS_COMMAND
#include "FindingsCommand.h"
#endif
#ifdef CHAINSIGHT_HAVE_LAYOUT_COMMAND
#include "LayoutCommand.h"
#endif
#ifdef CHAINSIGHT_HAVE_SIMULATE_COMMAND
#include "SimulateCommand.h"
#endif
#ifdef CHAINSIGHT_HAVE_REVIEW_COMMAND
#include "ReviewCommand.h"
#endif
#ifdef CHAINSIGHT_HAVE_REPORT_COMMAND
#include "ReportCommand.h"
#endif

#include <QCoreApplication>
#include <QTextStream>

#include <cstdio>
#include <functional>

namespace {

struct Subcommand
{
    const char *name;
    const char *summary;
    std::function<int(const QStringList &)> run;
};

const std::vector<Subcommand> &subcommands()
{
    using namespace chainsight::cli;
    static const std::vector<Subcommand> all = {
        {"import", "import inventories and audit trails into a workspace (created if absent)", runImport},
        {"info", "show a workspace's sources and counts", runInfo},
        {"agents", "list the agents of a workspace with their owners and credentials", runAgents},
        {"identities", "list every identity with the protocols it was seen in and its aliases", runIdentities},
        {"demo", "write the bundled demo inputs and a demo workspace", runDemo},
#ifdef CHAINSIGHT_HAVE_CHAINS_COMMAND
        {"chains", "delegation chains end to end, with intent retention per hop", runChainsCommand},
#endif
#ifdef CHAINSIGHT_HAVE_FINDINGS_COMMAND
        {"findings", "accountability and intent findings, gates and the revocation worklist", runFindingsCommand},
#endif
#ifdef CHAINSIGHT_HAVE_LAYOUT_COMMAND
        {"layout", "lay out the delegation graph and write it as SVG, PNG or JSON", runLayoutCommand},
#endif
#ifdef CHAINSIGHT_HAVE_POLICY_COMMAND
        {"policy", "check, format and evaluate Cedar policies", runPolicyCommand},
#endif
#ifdef CHAINSIGHT_HAVE_SIMULATE_COMMAND
        {"simulate", "replay recorded actions against a policy, diff two versions, CI gates", runSimulateCommand},
#endif
#ifdef CHAINSIGHT_HAVE_REVIEW_COMMAND
        {"review", "record a review of a chain, finding or identity (append-only, hash-chained)", runReviewCommand},
        {"verify", "check the review hash chain, or an evidence bundle's hashes and signature", runVerifyCommand},
#endif
#ifdef CHAINSIGHT_HAVE_REPORT_COMMAND
        {"report", "write the evidence PDF and its signed machine-readable bundle", runReportCommand},
#endif
    };
    return all;
}

void printUsage(FILE *stream)
{
    QTextStream out(stream);
    out << "Usage: chainsight-cli <command> [options]\n\n"
        << "Chainsight: governance console for enterprise AI agent delegation chains.\n\nCommands:\n";
    for (const Subcommand &command : subcommands())
        out << QStringLiteral("  %1 %2\n").arg(QString::fromLatin1(command.name), -9).arg(QString::fromLatin1(command.summary));
    out << "\nRun 'chainsight-cli <command> --help' for a command's options.\n"
        << "Exit codes: 0 ok, 1 a gate tripped, 2 bad usage or bad input, 3 internal error.\n";
}

} // namespace

int main(int argc, char *argv[])
{
#ifdef CHAINSIGHT_HAVE_REPORT_COMMAND
    // `report` paints a PDF, which needs the GUI libraries (offscreen without a display); the rest stays headless.
    const auto app = chainsight::cli::createCliApplication(argc, argv);
#else
    QCoreApplication app(argc, argv);
#endif
    QCoreApplication::setApplicationName(QStringLiteral("chainsight-cli"));
    QCoreApplication::setOrganizationName(QStringLiteral("Chainsight"));
    QCoreApplication::setApplicationVersion(QStringLiteral(CHAINSIGHT_VERSION));

    const QStringList arguments = QCoreApplication::arguments();
    if (arguments.size() < 2) {
        printUsage(stderr);
        return chainsight::cli::ExitBadInput;
    }
    const QString command = arguments.at(1);
    if (command == QLatin1String("--help") || command == QLatin1String("-h") || command == QLatin1String("help")) {
        printUsage(stdout);
        return chainsight::cli::ExitOk;
    }
    if (command == QLatin1String("--version") || command == QLatin1String("-v")) {
        QTextStream(stdout) << "chainsight-cli " << CHAINSIGHT_VERSION << '\n';
        return chainsight::cli::ExitOk;
    }
    for (const Subcommand &subcommand : subcommands()) {
        if (command == QLatin1String(subcommand.name))
            return subcommand.run(arguments.mid(2));
    }
    QTextStream(stderr) << "chainsight-cli: error: unknown command '" << command << "'\n\n";
    printUsage(stderr);
    return chainsight::cli::ExitBadInput;
}

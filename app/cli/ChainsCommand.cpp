#include "ChainsCommand.h"

#include "ChainStore.h"
#include "ChainJson.h"
#include "CliCommands.h"
#include "Workspace.h"

#include <QCommandLineParser>
#include <QJsonDocument>
#include <QTextStream>

#include <exception>

namespace chainsight::cli {
namespace {

struct ChainFilter
{
    QString key;
    int minDepth = 0;
    std::optional<double> belowRetention;
    bool unknownOriginatorOnly = false;

    bool accepts(const Chain &chain) const
    {
        if (!key.isEmpty() && chain.key != key)
            return false;
        if (chain.depth < minDepth)
            return false;
        if (belowRetention && !(chain.retention < *belowRetention))
            return false;
        return !unknownOriginatorOnly || chain.originator.isEmpty();
    }
};

QString percent(double share)
{
    return QString::number(share * 100.0, 'f', 0) + QLatin1Char('%');
}

void printChainText(const Chain &chain, bool detailed)
{
    out() << chain.key << '\t' << (chain.originator.isEmpty() ? QStringLiteral("(unknown originator)") : chain.originator) << '\t'
          << (chain.root.isEmpty() ? QStringLiteral("(no root agent)") : chain.root) << "\tdepth " << chain.depth << "\tretention "
          << percent(chain.retention) << '\t' << chain.hops.size() << " hops\t" << chain.actions.size() << " actions\t"
          << chain.protocols.join(QLatin1Char('+')) << '\n';
    if (!detailed)
        return;
    for (const ChainHop &hop : chain.hops) {
        out() << "  " << QString(hop.level * 2, QLatin1Char(' ')) << (hop.delegator.isEmpty() ? QStringLiteral("?") : hop.delegator)
              << " -> " << hop.delegate << "  [" << hop.protocols.join(QLatin1Char('+')) << "]";
        if (!hop.scopes.isEmpty())
            out() << "  scopes " << hop.scopes.join(QLatin1Char(' '));
        out() << "  retention " << percent(hop.retention) << " of " << hop.actionCount << " actions\n";
    }
    for (const ChainAction &action : chain.actions) {
        out() << "  " << timeText(action.timeMs) << "  " << action.actor << "  " << action.action;
        if (!action.resource.isEmpty())
            out() << "  " << action.resource;
        out() << (action.withinIntent ? "  within intent" : "  OUTSIDE intent") << "  [" << action.protocol << "]\n";
    }
}

} // namespace

int runChainsCommand(const QStringList &arguments)
{
    try {
        QCommandLineParser parser;
        parser.setApplicationDescription(QStringLiteral("chainsight-cli chains: delegation chains end to end, with intent retention"));
        const QCommandLineOption help = helpOption();
        const QCommandLineOption workspace({QStringLiteral("w"), QStringLiteral("workspace")},
                                           QStringLiteral("The workspace file (*.chainsight)."), QStringLiteral("W"));
        const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print JSON (hops and actions) instead of text."));
        const QCommandLineOption chainOption(QStringLiteral("chain"), QStringLiteral("Only this chain, shown hop by hop."),
                                             QStringLiteral("ID"));
        const QCommandLineOption minDepth(QStringLiteral("min-depth"), QStringLiteral("Only chains at least this deep."),
                                          QStringLiteral("N"));
        const QCommandLineOption belowRetention(QStringLiteral("below-retention"),
                                                QStringLiteral("Only chains whose retention is below R (0..1)."), QStringLiteral("R"));
        const QCommandLineOption unknownOriginator(QStringLiteral("unknown-originator"),
                                                   QStringLiteral("Only chains with no originating human."));
        parser.addOptions({help, workspace, json, chainOption, minDepth, belowRetention, unknownOriginator});
        if (const auto done = parseSubcommand(parser, QStringLiteral("chains"), arguments))
            return *done;
        if (parser.value(workspace).isEmpty()) {
            printError(QStringLiteral("chains needs a workspace: -w W"));
            return ExitBadInput;
        }
        ChainFilter filter;
        filter.key = parser.value(chainOption);
        filter.unknownOriginatorOnly = parser.isSet(unknownOriginator);
        if (parser.isSet(minDepth)) {
            bool ok = false;
            filter.minDepth = parser.value(minDepth).toInt(&ok);
            if (!ok || filter.minDepth < 0) {
                printError(QStringLiteral("--min-depth takes a whole number of hops, not \"%1\"").arg(parser.value(minDepth)));
                return ExitBadInput;
            }
        }
        if (parser.isSet(belowRetention)) {
            bool ok = false;
            const double value = parser.value(belowRetention).toDouble(&ok);
            if (!ok || value < 0.0 || value > 1.0) {
                printError(QStringLiteral("--below-retention takes a share between 0 and 1, not \"%1\"").arg(parser.value(belowRetention)));
                return ExitBadInput;
            }
            filter.belowRetention = value;
        }

        QString error;
        auto opened = Workspace::open(parser.value(workspace), Workspace::OpenMode::ReadOnly, &error);
        if (!opened) {
            printError(error);
            return ExitBadInput;
        }
        const auto chains = ChainStore::chainsOf(*opened, &error);
        if (!chains) {
            printError(error);
            return ExitInternalError;
        }
        if (!filter.key.isEmpty() && !chains->find(filter.key)) {
            printError(QStringLiteral("no chain \"%1\" in %2").arg(filter.key, parser.value(workspace)));
            return ExitBadInput;
        }
        if (parser.isSet(json)) {
            // One chain per line inside the array: streams, and stays greppable on huge workspaces.
            out() << "[";
            bool first = true;
            for (const Chain &chain : chains->chains) {
                if (!filter.accepts(chain))
                    continue;
                out() << (first ? "\n" : ",\n") << QString::fromUtf8(QJsonDocument(chainToJson(chain)).toJson(QJsonDocument::Compact));
                first = false;
            }
            out() << (first ? "]\n" : "\n]\n");
        } else {
            int shown = 0;
            for (const Chain &chain : chains->chains) {
                if (!filter.accepts(chain))
                    continue;
                printChainText(chain, !filter.key.isEmpty());
                ++shown;
            }
            out() << shown << " of " << chains->chains.size() << " chains\n";
        }
        out().flush();
        return ExitOk;
    } catch (const std::exception &e) {
        printError(QStringLiteral("internal error: %1").arg(QString::fromUtf8(e.what())));
        return ExitInternalError;
    }
}

} // namespace chainsight::cli

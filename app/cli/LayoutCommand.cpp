#include "LayoutCommand.h"

#include "ChainStore.h"
#include "CliCommands.h"
#include "FindingListModel.h"
#include "IdentityGraph.h"
#include "IdentityGraphLayout.h"
#include "LayeredLayout.h"
#include "Workspace.h"

#ifdef CHAINSIGHT_LAYOUT_IMAGES
#include "DelegationGraphData.h"
#include "DelegationGraphScene.h"
#include "GraphExport.h"

#include <QGuiApplication>
#endif

#include <QCommandLineParser>
#include <QFileInfo>
#include <QSaveFile>
#include <QTextStream>

#include <exception>
#include <memory>
#include <optional>

namespace chainsight::cli {
namespace {

enum class Output { Json, Svg, Png };

struct LayoutOptions
{
    QString workspace;
    QString output;
    Output format = Output::Json;
    double scale = 1.0;
};

int run(const LayoutOptions &options)
{
    QString error;
    auto workspace = Workspace::open(options.workspace, Workspace::OpenMode::ReadOnly, &error);
    if (!workspace) {
        printError(error);
        return ExitBadInput;
    }
    const std::optional<QList<IdentitySummary>> identities = workspace->identities(&error);
    std::optional<QList<Finding>> findings;
    std::optional<ChainSet> chains;
    if (identities)
        findings = storedFindings(*workspace, &error);
    if (findings)
        chains = ChainStore::chainsOf(*workspace, &error);
    if (!identities || !findings || !chains) {
        printError(error);
        return ExitInternalError;
    }
    auto graph = std::make_shared<IdentityGraph>(IdentityGraph::fromChains(*chains, *identities));
    graph->attachFindings(*findings);
    LayoutResult layout = LayeredLayout::compute(layoutGraphOf(*graph));
    const LayoutStats stats = layout.stats;

    if (options.format == Output::Json) {
        QSaveFile file(options.output);
        if (!file.open(QIODevice::WriteOnly) || file.write(layoutJson(*graph, layout)) < 0 || !file.commit()) {
            printError(QStringLiteral("cannot write %1: %2").arg(options.output, file.errorString()));
            return ExitInternalError;
        }
    } else {
#ifdef CHAINSIGHT_LAYOUT_IMAGES
        DelegationGraphState state;
        state.setGraph(DelegationGraphData::fromLayout(graph, std::make_shared<const ChainSet>(std::move(*chains)), *findings, std::move(layout)));
        if (!exportWholeGraph(state, options.output, options.scale, &error)) {
            printError(error);
            return ExitInternalError;
        }
#endif
    }
    out() << QStringLiteral("%1 nodes, %2 edges in %3 columns, %4 crossings, laid out in %5 ms; wrote %6\n")
                 .arg(graph->nodes.size())
                 .arg(graph->edges.size())
                 .arg(stats.layers)
                 .arg(stats.crossings)
                 .arg(stats.milliseconds, 0, 'f', 0)
                 .arg(options.output);
    out().flush();
    return ExitOk;
}

} // namespace

int runLayoutCommand(const QStringList &arguments)
{
    try {
        QCommandLineParser parser;
        parser.setApplicationDescription(QStringLiteral(
            "chainsight-cli layout: lay out the delegation graph (humans, supervisors, workers, sub-agents, tools, left to "
            "right) and write it as JSON for scripts, or as an SVG or PNG picture with its legend."));
        const QCommandLineOption help = helpOption();
        const QCommandLineOption workspace({QStringLiteral("w"), QStringLiteral("workspace")},
                                           QStringLiteral("The workspace file (*.chainsight)."), QStringLiteral("W"));
        const QCommandLineOption output(QStringLiteral("out"),
                                        QStringLiteral("The file to write; its suffix picks the format: .json, .svg or .png."),
                                        QStringLiteral("FILE"));
        const QCommandLineOption scale(QStringLiteral("scale"),
                                       QStringLiteral("Pixels per layout unit for SVG and PNG (default 1; a PNG is scaled down "
                                                      "to stay within 16384 pixels a side)."),
                                       QStringLiteral("S"), QStringLiteral("1"));
        parser.addOptions({help, workspace, output, scale});
        if (const auto done = parseSubcommand(parser, QStringLiteral("layout"), arguments))
            return *done;
        LayoutOptions options;
        options.workspace = parser.value(workspace);
        options.output = parser.value(output);
        if (options.workspace.isEmpty() || options.output.isEmpty()) {
            printError(QStringLiteral("layout needs a workspace and a file to write: -w W --out graph.svg|graph.png|graph.json"));
            return ExitBadInput;
        }
        const QString suffix = QFileInfo(options.output).suffix().toLower();
        if (suffix == QLatin1String("json")) {
            options.format = Output::Json;
        } else if (suffix == QLatin1String("svg") || suffix == QLatin1String("png")) {
            options.format = suffix == QLatin1String("svg") ? Output::Svg : Output::Png;
        } else {
            printError(QStringLiteral("%1: --out takes a .json, .svg or .png file").arg(options.output));
            return ExitBadInput;
        }
        bool scaleOk = false;
        options.scale = parser.value(scale).toDouble(&scaleOk);
        if (!scaleOk || options.scale <= 0 || options.scale > 8) {
            printError(QStringLiteral("--scale takes a number above 0 and up to 8, not \"%1\"").arg(parser.value(scale)));
            return ExitBadInput;
        }
        if (options.format != Output::Json) {
#ifdef CHAINSIGHT_LAYOUT_IMAGES
            if (!qobject_cast<QGuiApplication *>(QCoreApplication::instance())) {
                printError(QStringLiteral("writing SVG or PNG needs the GUI libraries' font database, and this run has none; "
                                          "--out graph.json works"));
                return ExitInternalError;
            }
#else
            printError(QStringLiteral("this build has no widgets library, so it writes the layout as JSON only: --out graph.json"));
            return ExitBadInput;
#endif
        }
        return run(options);
    } catch (const std::exception &e) {
        printError(QStringLiteral("internal error: %1").arg(QString::fromUtf8(e.what())));
        return ExitInternalError;
    }
}

} // namespace chainsight::cli

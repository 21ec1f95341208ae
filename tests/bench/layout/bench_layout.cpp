// Layered layout of delegation graphs beside Graphviz `dot`, in one run: time and edge crossings.
//
//   bench_layout [--sizes 300,1000,3000,10000] [--runs 3] [--dot-timeout 120] [--no-dot] [--synthetic]
//                [--keep DIR]
//
// Each size is a gen_enterprise.py world (--agents chosen so humans + agents + tools reach the size,
// --events 50 --formats otlp; only inventory.json is read). Its delegation graph: humans start work at
// the supervisors of their department (round robin, and owners at their own), agents delegate along
// may_delegate_to, and call the tools of their intents (supervisors their first). Without python3 or the
// generator, or with --synthetic, the same shape is built in C++ (tests/layout/EnterpriseShape.h).
//
// dot gets the same graph with the same columns (rank=same per column), boxes of the same size,
// rankdir=LR, and writes -Tplain. Times are CPU times (the median of --runs for the layout, dot's process
// for dot), since the machine may be shared; dot's includes reading and writing its files. Crossings of both drawings
// are counted the same way: every edge sampled at each column it spans (at its node centres at the
// ends), two edges cross between two columns when their order flips (countColumnCrossings).
#include "BenchScratch.h"
#include "EnterpriseShape.h"
#include "LayeredLayout.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTextStream>

#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>

using namespace chainsight;
using namespace chainsight::testing;

namespace {

QTextStream &out()
{
    static QTextStream stream(stdout);
    return stream;
}

struct Options
{
    QList<int> sizes{300, 1000, 3000, 10000};
    int runs = 3;
    int dotTimeoutSeconds = 120;
    bool dot = true;
    bool synthetic = false;
    QString keep;
};

// CPU time of this thread and of finished children: the machine is shared, wall time is not a fair clock.
double threadCpuMilliseconds()
{
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return static_cast<double>(now.tv_sec) * 1e3 + static_cast<double>(now.tv_nsec) / 1e6;
}

double childrenCpuMilliseconds()
{
    rusage usage{};
    getrusage(RUSAGE_CHILDREN, &usage);
    const auto ms = [](const timeval &t) { return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_usec) / 1e3; };
    return ms(usage.ru_utime) + ms(usage.ru_stime);
}

struct World
{
    EnterpriseShape shape;
    QString origin;
};

// Humans + agents + tools of a generated world come to about 1.22 per requested agent plus the 51 tools.
int agentsForNodes(int nodes)
{
    return std::max(20, static_cast<int>(std::lround((nodes - 51) / 1.22)));
}

std::optional<World> generatedWorld(int nodes, const QString &folder)
{
    const QString generator = QStringLiteral(CHAINSIGHT_SHARED_DIR "/bench/gen_enterprise.py");
    const QString python = QStandardPaths::findExecutable(QStringLiteral("python3"));
    if (!QFile::exists(generator) || python.isEmpty())
        return std::nullopt;
    const QString dir = QDir(folder).filePath(QStringLiteral("world-%1").arg(nodes));
    if (!QFile::exists(dir + QStringLiteral("/inventory.json"))) {
        QProcess process;
        process.start(python, {generator, QStringLiteral("--out"), dir, QStringLiteral("--agents"), QString::number(agentsForNodes(nodes)),
                               QStringLiteral("--events"), QStringLiteral("50"), QStringLiteral("--formats"), QStringLiteral("otlp"),
                               QStringLiteral("--seed"), QStringLiteral("1"), QStringLiteral("--no-crypto")});
        if (!process.waitForFinished(600000) || process.exitCode() != 0)
            return std::nullopt;
    }
    QFile file(dir + QStringLiteral("/inventory.json"));
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    return World{shapeFromInventory(QJsonDocument::fromJson(file.readAll()).object()),
                 QStringLiteral("gen_enterprise.py --agents %1").arg(agentsForNodes(nodes))};
}

World syntheticWorld(int nodes)
{
    // synthesizeEnterprise(agents) makes agents + agents/4 humans + 51 tools.
    const int agents = std::max(20, static_cast<int>(std::lround((nodes - 51) / 1.25)));
    return {synthesizeEnterprise(agents), QStringLiteral("synthetic, %1 agents").arg(agents)};
}

struct DotRun
{
    bool finished = false;
    QString failure;
    double milliseconds = 0;
    long long crossings = 0;
};

QByteArray dotInput(const LayoutGraph &graph, const LayoutResult &layout)
{
    QByteArray text = "digraph delegation {\nrankdir=LR; nodesep=0.25; ranksep=1.5;\n"
                      "node [shape=box, fixedsize=true, label=\"\"];\n";
    for (size_t v = 0; v < graph.nodes.size(); ++v) {
        text += "n" + QByteArray::number(static_cast<qulonglong>(v)) + " [width=" + QByteArray::number(graph.nodes[v].width / 72.0, 'f', 3)
                + ", height=" + QByteArray::number(graph.nodes[v].height / 72.0, 'f', 3) + "];\n";
    }
    std::map<int, QByteArray> columns;
    for (size_t v = 0; v < graph.nodes.size(); ++v)
        columns[layout.nodeLayer[v]] += " n" + QByteArray::number(static_cast<qulonglong>(v)) + ";";
    for (const auto &[layer, members] : columns)
        text += "{rank=same;" + members + "}\n";
    for (const LayoutEdge &edge : graph.edges)
        text += "n" + QByteArray::number(edge.source) + " -> n" + QByteArray::number(edge.target) + ";\n";
    text += "}\n";
    return text;
}

// y of a piecewise cubic Bézier (dot's spline control points) where it passes x, nullopt when it does not.
std::optional<double> splineYAt(const std::vector<QPointF> &controls, double x)
{
    std::optional<double> found;
    for (size_t i = 0; i + 3 < controls.size(); i += 3) {
        QPointF previous = controls[i];
        for (int step = 1; step <= 24; ++step) {
            const double t = step / 24.0;
            const double u = 1 - t;
            const QPointF point = controls[i] * (u * u * u) + controls[i + 1] * (3 * u * u * t) + controls[i + 2] * (3 * u * t * t)
                                  + controls[i + 3] * (t * t * t);
            const double low = std::min(previous.x(), point.x());
            const double high = std::max(previous.x(), point.x());
            if (x >= low && x <= high) {
                const double span = point.x() - previous.x();
                return span == 0 ? point.y() : previous.y() + (point.y() - previous.y()) * (x - previous.x()) / span;
            }
            previous = point;
        }
    }
    return found;
}

DotRun runDot(const QString &dot, const LayoutGraph &graph, const LayoutResult &layout, int timeoutSeconds, const QString &folder)
{
    DotRun run;
    const QString inputPath = QDir(folder).filePath(QStringLiteral("graph-%1.dot").arg(graph.nodes.size()));
    QFile input(inputPath);
    if (!input.open(QIODevice::WriteOnly)) {
        run.failure = QStringLiteral("cannot write %1").arg(inputPath);
        return run;
    }
    input.write(dotInput(graph, layout));
    input.close();
    QProcess process;
    const double cpuBefore = childrenCpuMilliseconds();
    process.start(dot, {QStringLiteral("-Tplain"), inputPath});
    if (!process.waitForFinished(timeoutSeconds * 1000)) {
        process.kill();
        process.waitForFinished();
        run.failure = QStringLiteral("did not finish in %1 s").arg(timeoutSeconds);
        return run;
    }
    run.milliseconds = childrenCpuMilliseconds() - cpuBefore;
    if (process.exitCode() != 0) {
        run.failure = QStringLiteral("exit code %1").arg(process.exitCode());
        return run;
    }
    // -Tplain: "node name x y w h …" and "edge tail head n x1 y1 … xn yn …", in inches, y up.
    std::vector<QPointF> centre(graph.nodes.size());
    std::vector<std::pair<std::pair<int, int>, std::vector<QPointF>>> splines;
    const QList<QByteArray> lines = process.readAllStandardOutput().split('\n');
    for (const QByteArray &line : lines) {
        const QList<QByteArray> words = line.split(' ');
        if (words.size() >= 4 && words.at(0) == "node") {
            const int v = words.at(1).mid(1).toInt();
            if (v >= 0 && static_cast<size_t>(v) < centre.size())
                centre[static_cast<size_t>(v)] = QPointF(words.at(2).toDouble(), words.at(3).toDouble());
        } else if (words.size() >= 4 && words.at(0) == "edge") {
            const int count = words.at(3).toInt();
            std::vector<QPointF> controls;
            for (int i = 0; i < count && 5 + 2 * i < words.size(); ++i)
                controls.emplace_back(words.at(4 + 2 * i).toDouble(), words.at(5 + 2 * i).toDouble());
            splines.push_back({{words.at(1).mid(1).toInt(), words.at(2).mid(1).toInt()}, std::move(controls)});
        }
    }
    // Columns are dot's own: the distinct x of its nodes.
    std::vector<double> columnX;
    for (const QPointF &point : centre)
        columnX.push_back(std::round(point.x() * 100) / 100);
    std::sort(columnX.begin(), columnX.end());
    columnX.erase(std::unique(columnX.begin(), columnX.end()), columnX.end());
    const auto columnOf = [&](double x) {
        return static_cast<int>(std::lower_bound(columnX.begin(), columnX.end(), std::round(x * 100) / 100 - 1e-9) - columnX.begin());
    };
    ColumnSamples samples;
    std::vector<int> columns;
    std::vector<double> ys;
    for (const auto &[ends, controls] : splines) {
        const auto [tail, head] = ends;
        if (tail < 0 || head < 0 || static_cast<size_t>(tail) >= centre.size() || static_cast<size_t>(head) >= centre.size() || tail == head)
            continue;
        const int from = columnOf(centre[static_cast<size_t>(tail)].x());
        const int to = columnOf(centre[static_cast<size_t>(head)].x());
        if (from == to)
            continue;
        const int step = from < to ? 1 : -1;
        columns.assign(1, from);
        ys.assign(1, centre[static_cast<size_t>(tail)].y());
        bool complete = true;
        for (int column = from + step; column != to; column += step) {
            const auto y = splineYAt(controls, columnX[static_cast<size_t>(column)]);
            if (!y) {
                complete = false;
                break;
            }
            columns.push_back(column);
            ys.push_back(*y);
        }
        if (!complete)
            continue;
        columns.push_back(to);
        ys.push_back(centre[static_cast<size_t>(head)].y());
        samples.addEdge(columns, ys);
    }
    run.crossings = countColumnCrossings(samples, static_cast<int>(columnX.size()));
    run.finished = true;
    return run;
}

std::optional<Options> parse(const QStringList &arguments)
{
    Options options;
    for (int i = 1; i < arguments.size(); ++i) {
        const QString &argument = arguments.at(i);
        const bool hasValue = i + 1 < arguments.size();
        if (argument == QLatin1String("--sizes") && hasValue) {
            options.sizes.clear();
            for (const QString &size : arguments.at(++i).split(QLatin1Char(',')))
                options.sizes.append(size.toInt());
        } else if (argument == QLatin1String("--runs") && hasValue) {
            options.runs = std::max(1, arguments.at(++i).toInt());
        } else if (argument == QLatin1String("--dot-timeout") && hasValue) {
            options.dotTimeoutSeconds = arguments.at(++i).toInt();
        } else if (argument == QLatin1String("--keep") && hasValue) {
            options.keep = arguments.at(++i);
        } else if (argument == QLatin1String("--no-dot")) {
            options.dot = false;
        } else if (argument == QLatin1String("--synthetic")) {
            options.synthetic = true;
        } else {
            return std::nullopt;
        }
    }
    return options;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const auto options = parse(QCoreApplication::arguments());
    if (!options) {
        std::fputs("usage: bench_layout [--sizes 300,1000,3000,10000] [--runs 3] [--dot-timeout 120] [--no-dot] [--synthetic] [--keep DIR]\n", stderr);
        return 2;
    }
    QTemporaryDir temporary(chainsight::bench::scratchTemplate(QStringLiteral("bench_layout")));
    const QString folder = options->keep.isEmpty() ? temporary.path() : options->keep;
    QDir().mkpath(folder);
    const QString dot = options->dot ? QStandardPaths::findExecutable(QStringLiteral("dot")) : QString();
    if (options->dot && dot.isEmpty())
        out() << "Graphviz dot not found: reference columns skipped (apt-get install graphviz)\n";

    out() << QStringLiteral("%1 %2 %3 %4 | %5 %6 | %7 %8 | %9 %10\n")
                 .arg(QStringLiteral("nodes"), 6).arg(QStringLiteral("edges"), 6).arg(QStringLiteral("cols"), 4)
                 .arg(QStringLiteral("dummies"), 7).arg(QStringLiteral("layout ms"), 10).arg(QStringLiteral("crossings"), 10)
                 .arg(QStringLiteral("dot ms"), 10).arg(QStringLiteral("crossings"), 10).arg(QStringLiteral("speed-up"), 8)
                 .arg(QStringLiteral("crossings/dot"), 13);
    out().flush();
    struct Row
    {
        int nodes;
        double milliseconds;
        long long crossings;
        std::optional<DotRun> dot;
    };
    QList<Row> rows;
    for (int size : options->sizes) {
        std::optional<World> world;
        if (!options->synthetic)
            world = generatedWorld(size, folder);
        if (!world)
            world = syntheticWorld(size);
        const LayoutGraph graph = layoutGraphOf(world->shape);
        std::vector<double> times;
        LayoutResult layout;
        for (int run = 0; run < options->runs; ++run) {
            const double before = threadCpuMilliseconds();
            layout = LayeredLayout::compute(graph);
            times.push_back(threadCpuMilliseconds() - before);
        }
        std::sort(times.begin(), times.end());
        const double median = times[times.size() / 2];
        const long long crossings = countColumnCrossings(columnSamples(layout), layout.stats.layers);
        Row row{static_cast<int>(graph.nodes.size()), median, crossings, std::nullopt};
        if (!dot.isEmpty())
            row.dot = runDot(dot, graph, layout, options->dotTimeoutSeconds, folder);
        QString dotColumns;
        if (!row.dot) {
            dotColumns = QStringLiteral("%1 %2 | %3 %4").arg(QStringLiteral("-"), 10).arg(QStringLiteral("-"), 10).arg(QStringLiteral("-"), 8).arg(QStringLiteral("-"), 13);
        } else if (!row.dot->finished) {
            dotColumns = QStringLiteral("%1 (%2)").arg(QStringLiteral("dot"), 10).arg(row.dot->failure);
        } else {
            dotColumns = QStringLiteral("%1 %2 | %3 %4")
                             .arg(row.dot->milliseconds, 10, 'f', 0)
                             .arg(row.dot->crossings, 10)
                             .arg(QStringLiteral("%1x").arg(row.dot->milliseconds / median, 0, 'f', 1), 8)
                             .arg(row.dot->crossings > 0 ? QString::number(static_cast<double>(crossings) / static_cast<double>(row.dot->crossings), 'f', 3)
                                                         : QStringLiteral("-"),
                                  13);
        }
        out() << QStringLiteral("%1 %2 %3 %4 | %5 %6 | ")
                     .arg(graph.nodes.size(), 6).arg(graph.edges.size(), 6).arg(layout.stats.layers, 4).arg(layout.stats.dummyNodes, 7)
                     .arg(median, 10, 'f', 1).arg(crossings, 10)
              << dotColumns << "   [" << world->origin << "; order " << QString::number(layout.stats.orderingMilliseconds, 'f', 0)
              << " ms, coordinates " << QString::number(layout.stats.coordinateMilliseconds, 'f', 0) << " ms, routes "
              << QString::number(layout.stats.routingMilliseconds, 'f', 0) << " ms, " << layout.stats.sweeps << " sweeps]\n";
        out().flush();
        rows.append(row);
    }

    // The targets of the layout issue, checked on this run.
    out() << "\ntargets:\n";
    for (const Row &row : std::as_const(rows)) {
        if (row.nodes >= 9000)
            out() << QStringLiteral("  %1 nodes in %2 ms (target <= 500 ms): %3\n").arg(row.nodes).arg(row.milliseconds, 0, 'f', 1)
                         .arg(row.milliseconds <= 500 ? QStringLiteral("met") : QStringLiteral("MISSED"));
        if (row.nodes >= 2500 && row.nodes < 9000 && row.dot && row.dot->finished) {
            const double speedUp = row.dot->milliseconds / row.milliseconds;
            const double ratio = row.dot->crossings > 0 ? static_cast<double>(row.crossings) / static_cast<double>(row.dot->crossings) : 0;
            out() << QStringLiteral("  %1 nodes: %2x faster than dot (target >= 20x): %3; crossings %4x dot's (target <= 1.1x): %5\n")
                         .arg(row.nodes).arg(speedUp, 0, 'f', 1).arg(speedUp >= 20 ? QStringLiteral("met") : QStringLiteral("MISSED"))
                         .arg(ratio, 0, 'f', 3).arg(ratio <= 1.1 ? QStringLiteral("met") : QStringLiteral("MISSED"));
        }
    }
    out().flush();
    return 0;
}

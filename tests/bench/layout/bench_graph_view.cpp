// The graph view on a 10,000-node, about 30,000-edge delegation graph: scene build after layout, full-view
// repaint and zoomed-in repaint, offscreen, beside the targets of the layout issue.
//
//   bench_graph_view [--agents 7960] [--runs 15] [--width 1600] [--height 1000]
//
// The graph has the shape of generated enterprises (tests/layout/EnterpriseShape.h, synthesized: the
// generator's own worlds of this size have fewer edges). Scene build is DelegationGraphData::fromLayout
// (indexes, edge bounds) plus DelegationGraphScene::setGraph plus fitting the view. A repaint is
// QWidget::repaint() of the view's viewport, which paints synchronously into the offscreen backing
// store: fitted (overview), at 0.25 (boxes and lines) and at 1.0 centred on the busiest tool (shapes,
// curves, labels; the first paint there also prepares the labels and is reported apart).
// Times are thread CPU times, medians of --runs (the machine may be shared); wall times in brackets.
#include "DelegationGraphData.h"
#include "DelegationGraphScene.h"
#include "DelegationGraphView.h"
#include "EnterpriseShape.h"
#include "GraphPainter.h"

#include <QApplication>
#include <QGraphicsItem>
#include <QElapsedTimer>
#include <QTest>
#include <QTextStream>

#include <time.h>

#include <algorithm>
#include <cstdio>
#include <vector>

using namespace chainsight;
using namespace chainsight::testing;

namespace {

QTextStream &out()
{
    static QTextStream stream(stdout);
    return stream;
}

double threadCpuMilliseconds()
{
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return static_cast<double>(now.tv_sec) * 1e3 + static_cast<double>(now.tv_nsec) / 1e6;
}

struct Timing
{
    double cpu = 0;
    double wall = 0;
};

template<typename Work>
Timing measure(Work &&work)
{
    QElapsedTimer wall;
    wall.start();
    const double cpu = threadCpuMilliseconds();
    work();
    return {threadCpuMilliseconds() - cpu, static_cast<double>(wall.nsecsElapsed()) / 1e6};
}

Timing median(std::vector<Timing> timings)
{
    std::sort(timings.begin(), timings.end(), [](const Timing &a, const Timing &b) { return a.cpu < b.cpu; });
    return timings[timings.size() / 2];
}

QString figure(const Timing &timing)
{
    return QStringLiteral("%1 ms [%2 ms wall]").arg(timing.cpu, 0, 'f', 1).arg(timing.wall, 0, 'f', 1);
}

QString verdict(double value, double target)
{
    return value <= target ? QStringLiteral("met") : QStringLiteral("MISSED");
}

int option(const QStringList &arguments, const QString &name, int fallback)
{
    const int at = static_cast<int>(arguments.indexOf(name));
    return at >= 0 && at + 1 < arguments.size() ? arguments.at(at + 1).toInt() : fallback;
}

} // namespace

int main(int argc, char *argv[])
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    const QStringList arguments = QCoreApplication::arguments();
    const int agents = option(arguments, QStringLiteral("--agents"), 7960);
    const int runs = std::max(1, option(arguments, QStringLiteral("--runs"), 15));
    const QSize viewSize(option(arguments, QStringLiteral("--width"), 1600), option(arguments, QStringLiteral("--height"), 1000));

    const auto graph = std::make_shared<const IdentityGraph>(identityGraphOf(synthesizeEnterprise(agents)));
    LayoutResult layout;
    const Timing layoutTime = measure([&] { layout = LayeredLayout::compute(layoutGraphOf(*graph)); });
    out() << QStringLiteral("graph: %1 nodes, %2 edges; layout %3 (%4 columns, %5 long-edge passes)\n")
                 .arg(graph->nodes.size()).arg(graph->edges.size()).arg(figure(layoutTime)).arg(layout.stats.layers).arg(layout.stats.dummyNodes);

    DelegationGraphScene scene;
    DelegationGraphView view(&scene);
    view.resize(viewSize);
    view.show();
    if (!QTest::qWaitForWindowExposed(&view)) {
        std::fputs("bench_graph_view: the view was not exposed\n", stderr);
        return 3;
    }
    const Timing build = measure([&] {
        scene.setGraph(DelegationGraphData::fromLayout(graph, nullptr, {}, layout));
        view.fitToView();
    });
    out() << QStringLiteral("scene build after layout: %1 (target <= 500 ms: %2)\n").arg(figure(build)).arg(verdict(build.cpu, 500));

    // A repaint of an unchanged view comes from the item's device cache; a new place (after a jump, a zoom
    // or a change to what is shown) is painted afresh. Both are reported.
    const auto repaint = [&] {
        std::vector<Timing> timings;
        for (int i = 0; i < runs; ++i)
            timings.push_back(measure([&] { view.viewport()->repaint(); }));
        return median(timings);
    };
    const auto fresh = [&] {
        std::vector<Timing> timings;
        for (int i = 0; i < runs; ++i) {
            const QList<QGraphicsItem *> items = scene.items();
            for (QGraphicsItem *item : items)
                item->update(); // drops the cache, as any change to the graph or its marks does
            timings.push_back(measure([&] { view.viewport()->repaint(); }));
        }
        return median(timings);
    };
    const auto report = [&](const QString &what, double target) {
        const Timing painted = fresh();
        const Timing cached = repaint();
        out() << QStringLiteral("%1: painted afresh %2, repaint %3").arg(what, figure(painted), figure(cached));
        if (target > 0)
            out() << QStringLiteral(" (target <= %1 ms: afresh %2, repaint %3)").arg(target).arg(verdict(painted.cpu, target), verdict(cached.cpu, target));
        out() << '\n';
        out().flush();
    };
    report(QStringLiteral("full view at %1x%2 (zoom %3, overview)").arg(viewSize.width()).arg(viewSize.height()).arg(view.zoom(), 0, 'g', 3), 30);

    view.setZoom(0.25, QRectF(view.viewport()->rect()).center());
    view.centerOn(scene.graphBounds().center());
    report(QStringLiteral("zoom 0.25 (boxes and lines)"), 0);

    // Zoomed in where it is busiest: the tool most edges run into.
    int busiest = 0;
    for (int v = 0; v < scene.graph()->nodeCount(); ++v) {
        if (scene.graph()->inEdges(v).size() > scene.graph()->inEdges(busiest).size())
            busiest = v;
    }
    view.setZoom(1.0, QRectF(view.viewport()->rect()).center());
    view.centerOn(scene.graph()->box(busiest).center());
    const Timing first = measure([&] { view.viewport()->repaint(); });
    out() << QStringLiteral("zoom 1.0, first paint on %1 (%2 edges into it) with its labels prepared: %3\n")
                 .arg(scene.graph()->label(busiest)).arg(scene.graph()->inEdges(busiest).size()).arg(figure(first));
    report(QStringLiteral("zoom 1.0 on %1").arg(scene.graph()->label(busiest)), 8);
    // And where reviewers mostly look: around humans, supervisors, workers and sub-agents.
    for (const GraphNodeKind kind : {GraphNodeKind::Human, GraphNodeKind::Supervisor, GraphNodeKind::Worker, GraphNodeKind::SubAgent}) {
        for (int v = 0, seen = 0; v < scene.graph()->nodeCount() && seen < 1; ++v) {
            if (scene.graph()->kind(v) != kind || (v * 7919) % 13 != 0)
                continue;
            ++seen;
            view.centerOn(scene.graph()->box(v).center());
            view.viewport()->repaint(); // its labels prepared
            report(QStringLiteral("zoom 1.0 around %1 %2").arg(graphNodeKindName(kind), scene.graph()->label(v)), 8);
        }
    }
    out().flush();
    return 0;
}

#include "EnterpriseShape.h"
#include "IdentityGraphLayout.h"
#include "LayeredLayout.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QTest>

#include <algorithm>

using namespace chainsight;
using namespace chainsight::testing;

Q_DECLARE_METATYPE(chainsight::LayoutGraph)

namespace {

enum Class { HumanClass = 0, SupervisorClass = 1, WorkerClass = 2, SubAgentClass = 3, ToolClass = 4 };

LayoutGraph graphOf(std::initializer_list<int> classes, std::initializer_list<std::pair<int, int>> edges)
{
    LayoutGraph graph;
    for (int rankClass : classes)
        graph.nodes.push_back({rankClass, 120, 30});
    for (const auto &[source, target] : edges)
        graph.edges.push_back({source, target});
    return graph;
}

// Nodes reachable from `root` along edges that no node outside that set reaches: what collapsing root hides.
QSet<int> subtreeOf(const LayoutGraph &graph, int root)
{
    const int count = static_cast<int>(graph.nodes.size());
    std::vector<std::vector<int>> out(static_cast<size_t>(count));
    std::vector<int> indegree(static_cast<size_t>(count), 0);
    for (const LayoutEdge &edge : graph.edges) {
        out[static_cast<size_t>(edge.source)].push_back(edge.target);
        ++indegree[static_cast<size_t>(edge.target)];
    }
    // Everything still reachable from the sources when root is cut off stays visible.
    QSet<int> visible;
    QList<int> stack;
    for (int v = 0; v < count; ++v) {
        if (indegree[static_cast<size_t>(v)] == 0 && v != root)
            stack.append(v);
    }
    while (!stack.isEmpty()) {
        const int v = stack.takeLast();
        if (visible.contains(v))
            continue;
        visible.insert(v);
        for (int w : out[static_cast<size_t>(v)]) {
            if (w != root)
                stack.append(w);
        }
    }
    QSet<int> hidden;
    for (int v = 0; v < count; ++v) {
        if (!visible.contains(v) && v != root)
            hidden.insert(v);
    }
    return hidden;
}

bool overlapsInColumn(const LayoutResult &layout, double margin, QString *where)
{
    for (int a = 0; a < layout.nodeCount(); ++a) {
        for (int b = a + 1; b < layout.nodeCount(); ++b) {
            if (layout.nodeLayer[static_cast<size_t>(a)] != layout.nodeLayer[static_cast<size_t>(b)])
                continue;
            const QRectF first = layout.nodeBoxes[static_cast<size_t>(a)].adjusted(0, -margin / 2, 0, margin / 2);
            const QRectF second = layout.nodeBoxes[static_cast<size_t>(b)].adjusted(0, -margin / 2, 0, margin / 2);
            if (first.intersects(second)) {
                *where = QStringLiteral("nodes %1 and %2").arg(a).arg(b);
                return true;
            }
        }
    }
    return false;
}

} // namespace

class LayeredLayoutTest final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void emptyGraph();
    void columnsFollowClasses();
    void delegateIsRightOfDelegator_data();
    void delegateIsRightOfDelegator();
    void cyclesAreBroken();
    void treeHasNoCrossings();
    void longEdgeRunsStraight();
    void boxesAndRoutesDoNotOverlap_data();
    void boxesAndRoutesDoNotOverlap();
    void routesStartAndEndAtTheirBoxes();
    void engineAndDrawingCountTheSameCrossings();
    void crossingsBetweenColumns_data();
    void crossingsBetweenColumns();
    void badEdgesAreIgnored();
    void deterministic();
    void collapsingKeepsEveryOtherPosition();
    void expandingPlacesNewNodesInFreeRoom();
    void identityGraphKinds_data();
    void identityGraphKinds();
    void layoutJsonHasNodesAndEdges();
};

void LayeredLayoutTest::emptyGraph()
{
    const LayoutResult layout = LayeredLayout::compute({});
    QCOMPARE(layout.nodeCount(), 0);
    QCOMPARE(layout.edgeCount(), 0);
    QCOMPARE(layout.stats.layers, 0);
    QVERIFY(layout.bounds.isNull());
}

void LayeredLayoutTest::columnsFollowClasses()
{
    // A tool, a sub-agent, a worker, a supervisor and a human given in reverse order, and one idle human.
    const LayoutGraph graph = graphOf({ToolClass, SubAgentClass, WorkerClass, SupervisorClass, HumanClass, HumanClass},
                                      {{4, 3}, {3, 2}, {2, 1}, {1, 0}});
    const LayoutResult layout = LayeredLayout::compute(graph);
    QCOMPARE(layout.stats.layers, 5);
    QCOMPARE(layout.nodeLayer, (std::vector<int>{4, 3, 2, 1, 0, 0}));
    for (int v = 0; v + 1 < 5; ++v)
        QVERIFY(layout.centre(v).x() > layout.centre(v + 1).x());
    // One column, one x: the idle human sits above or below the other.
    QCOMPARE(layout.centre(5).x(), layout.centre(4).x());
}

void LayeredLayoutTest::delegateIsRightOfDelegator_data()
{
    QTest::addColumn<LayoutGraph>("graph");
    // Sub-agents delegating to sub-agents push their tool further right.
    QTest::newRow("sub-agent chain") << graphOf({HumanClass, SupervisorClass, WorkerClass, SubAgentClass, SubAgentClass, SubAgentClass, ToolClass},
                                                {{0, 1}, {1, 2}, {2, 3}, {3, 4}, {4, 5}, {5, 6}, {2, 6}});
    // A worker handing work back to a supervisor: the supervisor goes right of the worker.
    QTest::newRow("against the class order") << graphOf({HumanClass, SupervisorClass, WorkerClass, SupervisorClass, ToolClass},
                                                        {{0, 1}, {1, 2}, {2, 3}, {3, 4}});
    QTest::newRow("human to a worker directly") << graphOf({HumanClass, WorkerClass, SupervisorClass}, {{0, 1}, {0, 2}, {2, 1}});
}

void LayeredLayoutTest::delegateIsRightOfDelegator()
{
    QFETCH(LayoutGraph, graph);
    const LayoutResult layout = LayeredLayout::compute(graph);
    QCOMPARE(layout.stats.reversedEdges, 0);
    for (const LayoutEdge &edge : graph.edges) {
        QVERIFY2(layout.nodeLayer[static_cast<size_t>(edge.target)] > layout.nodeLayer[static_cast<size_t>(edge.source)],
                 qPrintable(QStringLiteral("%1 -> %2").arg(edge.source).arg(edge.target)));
    }
}

void LayeredLayoutTest::cyclesAreBroken()
{
    // worker -> sub-agent -> worker (a delegation cycle) under a supervisor, and a three-cycle of sub-agents.
    const LayoutGraph graph = graphOf({HumanClass, SupervisorClass, WorkerClass, SubAgentClass, SubAgentClass, SubAgentClass, SubAgentClass},
                                      {{0, 1}, {1, 2}, {2, 3}, {3, 2}, {2, 4}, {4, 5}, {5, 6}, {6, 4}});
    const LayoutResult layout = LayeredLayout::compute(graph);
    QCOMPARE(layout.stats.reversedEdges, 2);
    // The turned edges are the ones that close the cycles, pointing back left.
    QVERIFY(layout.edgeReversed[3]);
    QVERIFY(layout.edgeReversed[7]);
    for (int e = 0; e < layout.edgeCount(); ++e) {
        const int source = layout.edgeSource[static_cast<size_t>(e)];
        const int target = layout.edgeTarget[static_cast<size_t>(e)];
        const bool rightwards = layout.nodeLayer[static_cast<size_t>(target)] > layout.nodeLayer[static_cast<size_t>(source)];
        QCOMPARE(rightwards, !layout.edgeReversed[static_cast<size_t>(e)]);
        QVERIFY(layout.route(e).size() >= 2);
    }
}

void LayeredLayoutTest::treeHasNoCrossings()
{
    // A delegation tree given in an order that crosses: the sweeps must untangle it completely.
    LayoutGraph graph;
    graph.nodes.push_back({HumanClass, 120, 30});
    for (int s = 0; s < 3; ++s)
        graph.nodes.push_back({SupervisorClass, 120, 30});
    for (int w = 0; w < 9; ++w)
        graph.nodes.push_back({WorkerClass, 120, 30});
    for (int s = 0; s < 3; ++s)
        graph.edges.push_back({0, 1 + s});
    for (int w = 0; w < 9; ++w)
        graph.edges.push_back({1 + (w * 2) % 3, 4 + w}); // interleaved children
    const LayoutResult layout = LayeredLayout::compute(graph);
    QCOMPARE(layout.stats.crossings, 0LL);
    QCOMPARE(countColumnCrossings(columnSamples(layout), layout.stats.layers), 0LL);
}

void LayeredLayoutTest::longEdgeRunsStraight()
{
    // human -> supervisor -> worker -> sub-agent -> tool, and the supervisor calling the tool directly.
    const LayoutGraph graph = graphOf({HumanClass, SupervisorClass, WorkerClass, SubAgentClass, ToolClass}, {{0, 1}, {1, 2}, {2, 3}, {3, 4}, {1, 4}});
    const LayoutResult layout = LayeredLayout::compute(graph);
    const auto waypoints = layout.edgeWaypoints(4);
    QCOMPARE(waypoints.size(), size_t(2));
    QCOMPARE(waypoints[0].layer, 2);
    QCOMPARE(waypoints[1].layer, 3);
    QCOMPARE(waypoints[0].y, waypoints[1].y);
    // It passes beside the worker and the sub-agent, not through them.
    QVERIFY(!layout.nodeBoxes[2].adjusted(0, -2, 0, 2).contains(QPointF(layout.nodeBoxes[2].center().x(), waypoints[0].y)));
}

void LayeredLayoutTest::boxesAndRoutesDoNotOverlap_data()
{
    QTest::addColumn<int>("agents");
    QTest::newRow("40 agents") << 40;
    QTest::newRow("400 agents") << 400;
}

void LayeredLayoutTest::boxesAndRoutesDoNotOverlap()
{
    QFETCH(int, agents);
    const LayoutGraph graph = layoutGraphOf(synthesizeEnterprise(agents));
    const LayoutOptions options;
    const LayoutResult layout = LayeredLayout::compute(graph, options);
    QCOMPARE(layout.nodeCount(), static_cast<int>(graph.nodes.size()));
    QString where;
    QVERIFY2(!overlapsInColumn(layout, options.nodeGap - 0.01, &where), qPrintable(where));
    // Every pass of a long edge through a column keeps clear of the boxes there.
    std::vector<std::vector<int>> columns(static_cast<size_t>(layout.stats.layers));
    for (int v = 0; v < layout.nodeCount(); ++v)
        columns[static_cast<size_t>(layout.nodeLayer[static_cast<size_t>(v)])].push_back(v);
    for (const EdgeWaypoint &waypoint : layout.waypoints) {
        for (int v : columns[static_cast<size_t>(waypoint.layer)]) {
            const QRectF &box = layout.nodeBoxes[static_cast<size_t>(v)];
            QVERIFY2(waypoint.y < box.top() || waypoint.y > box.bottom(), qPrintable(QStringLiteral("edge through node %1").arg(v)));
        }
    }
    // Columns are in class order.
    for (int v = 0; v < layout.nodeCount(); ++v) {
        for (const LayoutEdge &edge : graph.edges) {
            if (edge.source == v && !layout.edgeReversed.empty())
                QVERIFY(layout.nodeLayer[static_cast<size_t>(edge.target)] != layout.nodeLayer[static_cast<size_t>(v)]);
        }
    }
}

void LayeredLayoutTest::routesStartAndEndAtTheirBoxes()
{
    const LayoutGraph graph = layoutGraphOf(synthesizeEnterprise(60));
    const LayoutResult layout = LayeredLayout::compute(graph);
    for (int e = 0; e < layout.edgeCount(); ++e) {
        const auto route = layout.route(e);
        QVERIFY(route.size() >= 2);
        const QRectF &source = layout.nodeBoxes[static_cast<size_t>(graph.edges[static_cast<size_t>(e)].source)];
        const QRectF &target = layout.nodeBoxes[static_cast<size_t>(graph.edges[static_cast<size_t>(e)].target)];
        QVERIFY(qFuzzyCompare(route.front().x(), source.right()) || qFuzzyCompare(route.front().x(), source.left()));
        QVERIFY(route.front().y() >= source.top() && route.front().y() <= source.bottom());
        QVERIFY(qFuzzyCompare(route.back().x(), target.left()) || qFuzzyCompare(route.back().x(), target.right()));
        QVERIFY(route.back().y() >= target.top() && route.back().y() <= target.bottom());
        // Left to right through the columns, never backwards, for an edge that was not turned round.
        if (!layout.edgeReversed[static_cast<size_t>(e)]) {
            for (size_t i = 1; i < route.size(); ++i)
                QVERIFY(route[i].x() >= route[i - 1].x());
        }
    }
}

void LayeredLayoutTest::engineAndDrawingCountTheSameCrossings()
{
    const LayoutGraph graph = layoutGraphOf(synthesizeEnterprise(300));
    const LayoutResult layout = LayeredLayout::compute(graph);
    QVERIFY(layout.stats.crossings > 0);
    QCOMPARE(countColumnCrossings(columnSamples(layout), layout.stats.layers), layout.stats.crossings);
}

void LayeredLayoutTest::crossingsBetweenColumns_data()
{
    QTest::addColumn<QList<QList<double>>>("edges"); // per edge: y at column 0, 1, …
    QTest::addColumn<long long>("crossings");
    QTest::newRow("parallel") << QList<QList<double>>{{0, 0}, {1, 1}} << 0LL;
    QTest::newRow("an X") << QList<QList<double>>{{0, 1}, {1, 0}} << 1LL;
    QTest::newRow("shared left end") << QList<QList<double>>{{0, 1}, {0, 0}} << 0LL;
    QTest::newRow("shared right end") << QList<QList<double>>{{0, 1}, {2, 1}} << 0LL;
    QTest::newRow("long edge over two") << QList<QList<double>>{{0, 5, 5}, {4, 4}, {6, 0}} << 3LL;
    QTest::newRow("long edge beside two") << QList<QList<double>>{{0, 0, 0}, {4, 4}, {6, 5}} << 0LL;
    QTest::newRow("fan") << QList<QList<double>>{{0, 3}, {1, 2}, {2, 1}, {3, 0}} << 6LL;
}

void LayeredLayoutTest::crossingsBetweenColumns()
{
    QFETCH(QList<QList<double>>, edges);
    QFETCH(long long, crossings);
    ColumnSamples samples;
    for (const QList<double> &ys : std::as_const(edges)) {
        std::vector<int> columns;
        for (int i = 0; i < ys.size(); ++i)
            columns.push_back(i);
        const std::vector<double> values(ys.begin(), ys.end());
        samples.addEdge(columns, values);
    }
    QCOMPARE(chainsight::countColumnCrossings(samples, 3), crossings);
}

void LayeredLayoutTest::badEdgesAreIgnored()
{
    const LayoutGraph graph = graphOf({HumanClass, SupervisorClass}, {{0, 1}, {0, 7}, {-1, 0}, {1, 1}});
    const LayoutResult layout = LayeredLayout::compute(graph);
    QCOMPARE(layout.edgeCount(), 4);
    QVERIFY(layout.route(0).size() >= 2);
    QVERIFY(layout.route(1).empty());
    QVERIFY(layout.route(2).empty());
    QVERIFY(layout.route(3).empty()); // a self loop
    QVERIFY(layout.route(9).empty());
}

void LayeredLayoutTest::deterministic()
{
    const LayoutGraph graph = layoutGraphOf(synthesizeEnterprise(200));
    const LayoutResult first = LayeredLayout::compute(graph);
    const LayoutResult second = LayeredLayout::compute(graph);
    QCOMPARE(first.nodeBoxes, second.nodeBoxes);
    QCOMPARE(first.routePoints, second.routePoints);
}

void LayeredLayoutTest::collapsingKeepsEveryOtherPosition()
{
    const LayoutGraph full = layoutGraphOf(synthesizeEnterprise(200));
    const LayoutResult before = LayeredLayout::compute(full);
    // Collapse the first supervisor: its workers and sub-agents that nobody else delegates to disappear.
    int supervisor = -1;
    for (size_t v = 0; v < full.nodes.size() && supervisor < 0; ++v) {
        if (full.nodes[v].rankClass == SupervisorClass)
            supervisor = static_cast<int>(v);
    }
    QVERIFY(supervisor >= 0);
    const QSet<int> hidden = subtreeOf(full, supervisor);
    QVERIFY(hidden.size() >= 3);

    LayoutGraph collapsed;
    std::vector<int> previousNode;
    std::vector<int> newIndex(full.nodes.size(), -1);
    for (size_t v = 0; v < full.nodes.size(); ++v) {
        if (hidden.contains(static_cast<int>(v)))
            continue;
        newIndex[v] = static_cast<int>(collapsed.nodes.size());
        collapsed.nodes.push_back(full.nodes[v]);
        previousNode.push_back(static_cast<int>(v));
    }
    std::vector<int> previousEdge;
    for (size_t e = 0; e < full.edges.size(); ++e) {
        const LayoutEdge &edge = full.edges[e];
        if (newIndex[static_cast<size_t>(edge.source)] < 0 || newIndex[static_cast<size_t>(edge.target)] < 0)
            continue;
        collapsed.edges.push_back({newIndex[static_cast<size_t>(edge.source)], newIndex[static_cast<size_t>(edge.target)]});
        previousEdge.push_back(static_cast<int>(e));
    }
    const LayoutResult after = LayeredLayout::update(collapsed, before, previousNode);
    QCOMPARE(after.nodeCount(), static_cast<int>(collapsed.nodes.size()));
    for (int v = 0; v < after.nodeCount(); ++v) {
        const int old = previousNode[static_cast<size_t>(v)];
        QCOMPARE(after.nodeBoxes[static_cast<size_t>(v)], before.nodeBoxes[static_cast<size_t>(old)]);
        QCOMPARE(after.nodeLayer[static_cast<size_t>(v)], before.nodeLayer[static_cast<size_t>(old)]);
    }
    // The edges that stay keep their course through the columns.
    for (int e = 0; e < after.edgeCount(); ++e) {
        const auto now = after.edgeWaypoints(e);
        const auto then = before.edgeWaypoints(previousEdge[static_cast<size_t>(e)]);
        QCOMPARE(now.size(), then.size());
        for (size_t i = 0; i < now.size(); ++i)
            QCOMPARE(now[i].y, then[i].y);
    }
}

void LayeredLayoutTest::expandingPlacesNewNodesInFreeRoom()
{
    const LayoutGraph base = layoutGraphOf(synthesizeEnterprise(120));
    const LayoutResult before = LayeredLayout::compute(base);
    // A new import: a supervisor started by the first human, two workers, a sub-agent, and a new tool.
    LayoutGraph grown = base;
    const int human = 51; // synthesizeEnterprise lists the 51 tools first, then the first department's humans
    QCOMPARE(grown.nodes[static_cast<size_t>(human)].rankClass, int(HumanClass));
    const int first = static_cast<int>(grown.nodes.size());
    grown.nodes.push_back({SupervisorClass, 184, 46});
    grown.nodes.push_back({WorkerClass, 184, 46});
    grown.nodes.push_back({WorkerClass, 184, 46});
    grown.nodes.push_back({SubAgentClass, 184, 46});
    grown.nodes.push_back({ToolClass, 168, 30});
    grown.edges.push_back({human, first});
    grown.edges.push_back({first, first + 1});
    grown.edges.push_back({first, first + 2});
    grown.edges.push_back({first + 2, first + 3});
    grown.edges.push_back({first + 3, first + 4});
    grown.edges.push_back({first + 1, 0}); // an existing tool
    std::vector<int> previousNode(grown.nodes.size(), -1);
    for (int v = 0; v < first; ++v)
        previousNode[static_cast<size_t>(v)] = v;
    const LayoutOptions options;
    const LayoutResult after = LayeredLayout::update(grown, before, previousNode, options);
    for (int v = 0; v < first; ++v)
        QCOMPARE(after.nodeBoxes[static_cast<size_t>(v)], before.nodeBoxes[static_cast<size_t>(v)]);
    QString where;
    QVERIFY2(!overlapsInColumn(after, options.nodeGap - 0.01, &where), qPrintable(where));
    for (int e = static_cast<int>(base.edges.size()); e < after.edgeCount(); ++e) {
        const LayoutEdge &edge = grown.edges[static_cast<size_t>(e)];
        QVERIFY(after.nodeLayer[static_cast<size_t>(edge.target)] > after.nodeLayer[static_cast<size_t>(edge.source)]);
        QVERIFY(after.route(e).size() >= 2);
    }
    QCOMPARE(after.nodeLayer[static_cast<size_t>(first + 4)], after.nodeLayer[0]); // the new tool joins the tools
}

void LayeredLayoutTest::identityGraphKinds_data()
{
    QTest::addColumn<int>("partyKind");
    QTest::addColumn<QString>("role");
    QTest::addColumn<QString>("kind");
    QTest::addColumn<int>("rankClass");
    QTest::newRow("human") << int(ChainPartyKind::Human) << QString() << QStringLiteral("human") << 0;
    QTest::newRow("unknown originator") << int(ChainPartyKind::Unknown) << QString() << QStringLiteral("unknown") << 0;
    QTest::newRow("supervisor") << int(ChainPartyKind::Agent) << QStringLiteral("supervisor") << QStringLiteral("supervisor") << 1;
    QTest::newRow("worker") << int(ChainPartyKind::Agent) << QStringLiteral("worker") << QStringLiteral("worker") << 2;
    QTest::newRow("sub-agent") << int(ChainPartyKind::Agent) << QStringLiteral("sub-agent") << QStringLiteral("sub-agent") << 3;
    QTest::newRow("agent without role") << int(ChainPartyKind::Agent) << QString() << QStringLiteral("agent") << 1;
    QTest::newRow("shadow") << int(ChainPartyKind::Shadow) << QString() << QStringLiteral("shadow") << 1;
    QTest::newRow("tool") << int(ChainPartyKind::Tool) << QStringLiteral("high") << QStringLiteral("tool") << 4;
}

void LayeredLayoutTest::identityGraphKinds()
{
    QFETCH(int, partyKind);
    QFETCH(QString, role);
    QFETCH(QString, kind);
    QFETCH(int, rankClass);
    IdentityGraphNode node;
    node.kind = static_cast<ChainPartyKind>(partyKind);
    node.role = role;
    QCOMPARE(graphNodeKindName(graphNodeKind(node)), kind);
    QCOMPARE(graphRankClass(graphNodeKind(node)), rankClass);
}

void LayeredLayoutTest::layoutJsonHasNodesAndEdges()
{
    const IdentityGraph graph = identityGraphOf(synthesizeEnterprise(40));
    const LayoutResult layout = LayeredLayout::compute(layoutGraphOf(graph));
    QJsonParseError error;
    const QJsonObject document = QJsonDocument::fromJson(layoutJson(graph, layout), &error).object();
    QCOMPARE(error.error, QJsonParseError::NoError);
    const QJsonArray nodes = document.value(QStringLiteral("nodes")).toArray();
    const QJsonArray edges = document.value(QStringLiteral("edges")).toArray();
    QCOMPARE(nodes.size(), graph.nodes.size());
    QCOMPARE(edges.size(), graph.edges.size());
    QSet<QString> ids;
    for (const QJsonValue &value : nodes) {
        const QJsonObject node = value.toObject();
        for (const char *key : {"id", "kind", "label", "x", "y", "w", "h"})
            QVERIFY2(node.contains(QLatin1String(key)), key);
        QVERIFY(node.value(QStringLiteral("w")).toDouble() > 0);
        ids.insert(node.value(QStringLiteral("id")).toString());
    }
    QCOMPARE(nodes.at(0).toObject().value(QStringLiteral("kind")).toString(), QStringLiteral("tool"));
    for (const QJsonValue &value : edges) {
        const QJsonObject edge = value.toObject();
        QVERIFY(ids.contains(edge.value(QStringLiteral("source")).toString()));
        QVERIFY(ids.contains(edge.value(QStringLiteral("target")).toString()));
        const QString kind = edge.value(QStringLiteral("kind")).toString();
        QVERIFY(kind == QLatin1String("delegates") || kind == QLatin1String("calls"));
        const QJsonArray points = edge.value(QStringLiteral("points")).toArray();
        QVERIFY(points.size() >= 2);
        QCOMPARE(points.at(0).toArray().size(), 2);
    }
}

QTEST_GUILESS_MAIN(LayeredLayoutTest)
#include "tst_layeredlayout.moc"

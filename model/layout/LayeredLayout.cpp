#include "LayeredLayout.h"

#include <QElapsedTimer>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numeric>
#include <unordered_map>

namespace chainsight {
namespace {

constexpr double infinity = std::numeric_limits<double>::infinity();
constexpr int wideSearchSegments = 25000;
constexpr int transposePasses = 4;       // after each sweep
constexpr int finalTransposePasses = 100; // on the winning order
constexpr int pullRounds = 8;             // alternating sweeps pulling boxes to their neighbours

size_t at(int index)
{
    return static_cast<size_t>(index);
}

int sizeOf(const auto &container)
{
    return static_cast<int>(container.size());
}

int clampedClass(int rankClass)
{
    return std::clamp(rankClass, 0, 63);
}

bool isValidEdge(const LayoutEdge &edge, int nodeCount)
{
    return edge.source >= 0 && edge.target >= 0 && edge.source < nodeCount && edge.target < nodeCount;
}

// Compressed sparse rows: the neighbours (or incident items) of vertex v are items[start[v], start[v + 1]).
struct Adjacency
{
    std::vector<int> start;
    std::vector<int> items;

    void build(int vertexCount, std::span<const int> owners, std::span<const int> values)
    {
        start.assign(at(vertexCount) + 1, 0);
        for (int owner : owners)
            ++start[at(owner) + 1];
        std::partial_sum(start.begin(), start.end(), start.begin());
        items.assign(owners.size(), 0);
        std::vector<int> fill(start.begin(), start.end() - 1);
        for (size_t i = 0; i < owners.size(); ++i)
            items[at(fill[at(owners[i])]++)] = values[i];
    }
    std::span<const int> of(int v) const { return {items.data() + start[at(v)], items.data() + start[at(v) + 1]}; }
    std::span<int> of(int v) { return {items.data() + start[at(v)], items.data() + start[at(v) + 1]}; }
    int degree(int v) const { return start[at(v) + 1] - start[at(v)]; }
};

// Counts pairs (i < j) with values[i] > values[j]: crossings between two columns listed in left order.
class InversionCounter
{
public:
    long long count(std::span<const int> values, int valueRange)
    {
        m_tree.assign(at(valueRange) + 1, 0);
        long long inversions = 0;
        int inserted = 0;
        for (int value : values) {
            int notGreater = 0;
            for (int i = value + 1; i > 0; i -= i & -i)
                notGreater += m_tree[at(i)];
            inversions += inserted - notGreater;
            for (int i = value + 1; i <= valueRange; i += i & -i)
                ++m_tree[at(i)];
            ++inserted;
        }
        return inversions;
    }

private:
    std::vector<int> m_tree;
};

struct NodeSide
{
    double y = 0;
    double offset = 0;
};

// Turns waypoints into drawable routes: ports spread along a box side in the order of the edges' next
// points, straight runs through columns, and the gaps between columns left to the renderer's curves.
class Router
{
public:
    Router(const LayoutResult &layout, const LayoutOptions &options)
        : m_layout(layout)
        , m_options(options)
    {
    }

    void route(LayoutResult &result)
    {
        const int edgeCount = result.edgeCount();
        m_startY.assign(at(edgeCount), 0);
        m_endY.assign(at(edgeCount), 0);
        spreadPorts(result);
        result.routePoints.clear();
        result.routeStart.assign(1, 0);
        result.routePoints.reserve(at(edgeCount) * 4 + result.waypoints.size() * 2);
        for (int e = 0; e < edgeCount; ++e) {
            appendRoute(result, e);
            result.routeStart.push_back(sizeOf(result.routePoints));
        }
    }

private:
    enum Side : int { Left = 0, Right = 1 };

    double columnLeft(int layer) const { return m_layout.layerCentre[at(layer)] - m_layout.layerWidth[at(layer)] / 2; }
    double columnRight(int layer) const { return m_layout.layerCentre[at(layer)] + m_layout.layerWidth[at(layer)] / 2; }

    bool routable(const LayoutResult &result, int e) const
    {
        const int source = result.edgeSource[at(e)];
        const int target = result.edgeTarget[at(e)];
        return source >= 0 && target >= 0 && source < result.nodeCount() && target < result.nodeCount() && source != target;
    }

    // Which side of each end the edge leaves from, and the height of its neighbouring point there.
    void spreadPorts(const LayoutResult &result)
    {
        struct Attachment
        {
            int node;
            int side;
            double towards;
            int edge;
            bool atSource;
        };
        std::vector<Attachment> attachments;
        attachments.reserve(at(result.edgeCount()) * 2);
        for (int e = 0; e < result.edgeCount(); ++e) {
            if (!routable(result, e))
                continue;
            const int source = result.edgeSource[at(e)];
            const int target = result.edgeTarget[at(e)];
            const int sourceLayer = result.nodeLayer[at(source)];
            const int targetLayer = result.nodeLayer[at(target)];
            const auto waypoints = result.edgeWaypoints(e);
            const double afterSource = waypoints.empty() ? result.centre(target).y() : waypoints.front().y;
            const double beforeTarget = waypoints.empty() ? result.centre(source).y() : waypoints.back().y;
            const int sourceSide = sourceLayer <= targetLayer ? Right : Left;
            const int targetSide = sourceLayer < targetLayer ? Left : Right;
            attachments.push_back({source, sourceSide, afterSource, e, true});
            attachments.push_back({target, targetSide, beforeTarget, e, false});
        }
        std::sort(attachments.begin(), attachments.end(), [](const Attachment &a, const Attachment &b) {
            if (a.node != b.node)
                return a.node < b.node;
            if (a.side != b.side)
                return a.side < b.side;
            if (a.towards != b.towards)
                return a.towards < b.towards;
            return a.edge < b.edge;
        });
        for (size_t first = 0; first < attachments.size();) {
            size_t last = first;
            while (last < attachments.size() && attachments[last].node == attachments[first].node
                   && attachments[last].side == attachments[first].side)
                ++last;
            const QRectF &box = m_layout.nodeBoxes[at(attachments[first].node)];
            const int count = static_cast<int>(last - first);
            // Ports share the middle of the side; many edges fan in rather than pile onto one point.
            const double span = count > 1 ? std::min(box.height() * 0.6, (count - 1) * 8.0) : 0.0;
            for (size_t i = first; i < last; ++i) {
                const double y = box.center().y() + (count > 1 ? -span / 2 + span * static_cast<double>(i - first) / (count - 1) : 0.0);
                (attachments[i].atSource ? m_startY : m_endY)[at(attachments[i].edge)] = y;
            }
            first = last;
        }
    }

    void appendRoute(LayoutResult &result, int e)
    {
        if (!routable(result, e))
            return;
        auto &points = result.routePoints;
        const int source = result.edgeSource[at(e)];
        const int target = result.edgeTarget[at(e)];
        const QRectF &from = m_layout.nodeBoxes[at(source)];
        const QRectF &to = m_layout.nodeBoxes[at(target)];
        const int sourceLayer = result.nodeLayer[at(source)];
        const int targetLayer = result.nodeLayer[at(target)];
        const double startY = m_startY[at(e)];
        const double endY = m_endY[at(e)];
        const auto waypoints = result.edgeWaypoints(e);
        if (sourceLayer == targetLayer) {
            // Same column (only after an incremental update): bow out to the right of the column.
            const double bend = columnRight(sourceLayer) + m_options.layerGap * 0.35;
            points.emplace_back(from.right(), startY);
            points.emplace_back(bend, (startY + endY) / 2);
            points.emplace_back(to.right(), endY);
            return;
        }
        const bool rightwards = sourceLayer < targetLayer;
        const auto columnExit = [&](int layer) { return rightwards ? columnRight(layer) : columnLeft(layer); };
        const auto columnEntry = [&](int layer) { return rightwards ? columnLeft(layer) : columnRight(layer); };
        const double startX = rightwards ? from.right() : from.left();
        points.emplace_back(startX, startY);
        if (!qFuzzyCompare(columnExit(sourceLayer), startX))
            points.emplace_back(columnExit(sourceLayer), startY);
        for (const EdgeWaypoint &waypoint : waypoints) {
            points.emplace_back(columnEntry(waypoint.layer), waypoint.y);
            points.emplace_back(columnExit(waypoint.layer), waypoint.y);
        }
        const double endX = rightwards ? to.left() : to.right();
        if (!qFuzzyCompare(columnEntry(targetLayer), endX))
            points.emplace_back(columnEntry(targetLayer), endY);
        points.emplace_back(endX, endY);
    }

    const LayoutResult &m_layout;
    const LayoutOptions &m_options;
    std::vector<double> m_startY;
    std::vector<double> m_endY;
};

void placeColumns(LayoutResult &result, const LayoutOptions &options, int layerCount)
{
    result.layerCentre.assign(at(layerCount), 0);
    double x = 0;
    for (int layer = 0; layer < layerCount; ++layer) {
        const double width = result.layerWidth[at(layer)];
        result.layerCentre[at(layer)] = x + width / 2;
        x += width + options.layerGap;
    }
}

void computeBounds(LayoutResult &result)
{
    QRectF bounds;
    for (const QRectF &box : result.nodeBoxes)
        bounds = bounds.isNull() ? box : bounds.united(box);
    double top = bounds.top();
    double bottom = bounds.bottom();
    double left = bounds.left();
    double right = bounds.right();
    for (const QPointF &point : result.routePoints) {
        top = std::min(top, point.y());
        bottom = std::max(bottom, point.y());
        left = std::min(left, point.x());
        right = std::max(right, point.x());
    }
    result.bounds = result.nodeBoxes.empty() && result.routePoints.empty() ? QRectF() : QRectF(QPointF(left, top), QPointF(right, bottom));
}

// The full layered layout of one graph.
class LayeredEngine
{
public:
    LayeredEngine(const LayoutGraph &graph, const LayoutOptions &options)
        : m_graph(graph)
        , m_options(options)
        , m_nodeCount(sizeOf(graph.nodes))
        , m_edgeCount(sizeOf(graph.edges))
    {
    }

    LayoutResult run()
    {
        QElapsedTimer timer;
        timer.start();
        LayoutResult result;
        const auto lap = [&timer] {
            const double milliseconds = static_cast<double>(timer.nsecsElapsed()) / 1e6;
            timer.restart();
            return milliseconds;
        };
        breakCycles();
        assignLayers();
        buildLayeredGraph();
        reduceCrossings();
        const double ordering = lap();
        assignCoordinates();
        const double coordinates = lap();
        writeResult(result);
        result.stats.orderingMilliseconds = ordering;
        result.stats.coordinateMilliseconds = coordinates;
        result.stats.routingMilliseconds = lap();
        result.stats.milliseconds = ordering + coordinates + result.stats.routingMilliseconds;
        return result;
    }

private:
    // --- cycle breaking -------------------------------------------------------------------------------
    void breakCycles()
    {
        m_usable.assign(at(m_edgeCount), 0);
        m_reversed.assign(at(m_edgeCount), 0);
        std::vector<int> owners;
        std::vector<int> edges;
        for (int e = 0; e < m_edgeCount; ++e) {
            const LayoutEdge &edge = m_graph.edges[at(e)];
            if (!isValidEdge(edge, m_nodeCount) || edge.source == edge.target)
                continue;
            m_usable[at(e)] = 1;
            owners.push_back(edge.source);
            edges.push_back(e);
        }
        Adjacency out;
        out.build(m_nodeCount, owners, edges);

        // Depth-first from the lowest classes: a back edge is one that closes a cycle, and it is turned
        // round. Starting at humans and supervisors makes the turned edge the one that points back up.
        std::vector<int> roots(at(m_nodeCount));
        std::iota(roots.begin(), roots.end(), 0);
        std::stable_sort(roots.begin(), roots.end(), [this](int a, int b) {
            return clampedClass(m_graph.nodes[at(a)].rankClass) < clampedClass(m_graph.nodes[at(b)].rankClass);
        });
        enum : char { Unvisited, OnStack, Done };
        std::vector<char> state(at(m_nodeCount), Unvisited);
        std::vector<std::pair<int, int>> stack; // vertex, next out-edge offset
        for (int root : roots) {
            if (state[at(root)] != Unvisited)
                continue;
            state[at(root)] = OnStack;
            stack.emplace_back(root, 0);
            while (!stack.empty()) {
                auto &[v, next] = stack.back();
                const auto outEdges = out.of(v);
                if (next < sizeOf(outEdges)) {
                    const int e = outEdges[at(next++)];
                    const int w = m_graph.edges[at(e)].target;
                    if (state[at(w)] == Unvisited) {
                        state[at(w)] = OnStack;
                        stack.emplace_back(w, 0);
                    } else if (state[at(w)] == OnStack) {
                        m_reversed[at(e)] = 1;
                    }
                } else {
                    state[at(v)] = Done;
                    stack.pop_back();
                }
            }
        }
        m_tail.assign(at(m_edgeCount), -1);
        m_head.assign(at(m_edgeCount), -1);
        for (int e = 0; e < m_edgeCount; ++e) {
            if (!m_usable[at(e)])
                continue;
            const LayoutEdge &edge = m_graph.edges[at(e)];
            m_tail[at(e)] = m_reversed[at(e)] ? edge.target : edge.source;
            m_head[at(e)] = m_reversed[at(e)] ? edge.source : edge.target;
        }
    }

    // --- layering -------------------------------------------------------------------------------------
    void assignLayers()
    {
        std::vector<int> owners;
        std::vector<int> edges;
        for (int e = 0; e < m_edgeCount; ++e) {
            if (m_usable[at(e)]) {
                owners.push_back(m_head[at(e)]);
                edges.push_back(e);
            }
        }
        Adjacency incoming;
        incoming.build(m_nodeCount, owners, edges);
        owners.clear();
        edges.clear();
        for (int e = 0; e < m_edgeCount; ++e) {
            if (m_usable[at(e)]) {
                owners.push_back(m_tail[at(e)]);
                edges.push_back(e);
            }
        }
        Adjacency outgoing;
        outgoing.build(m_nodeCount, owners, edges);

        // Topological order (Kahn); the graph is acyclic once back edges are turned.
        std::vector<int> indegree(at(m_nodeCount), 0);
        for (int v = 0; v < m_nodeCount; ++v)
            indegree[at(v)] = incoming.degree(v);
        std::vector<int> order;
        order.reserve(at(m_nodeCount));
        for (int v = 0; v < m_nodeCount; ++v) {
            if (indegree[at(v)] == 0)
                order.push_back(v);
        }
        for (size_t i = 0; i < order.size(); ++i) {
            for (int e : outgoing.of(order[i])) {
                const int w = m_head[at(e)];
                if (--indegree[at(w)] == 0)
                    order.push_back(w);
            }
        }

        // Classes start columns: each class begins right of every column a lower class uses. Edges that
        // point against the class order do not move the class bands, only their own targets.
        std::vector<int> classes;
        for (const LayoutNode &node : m_graph.nodes)
            classes.push_back(clampedClass(node.rankClass));
        std::vector<int> present = classes;
        std::sort(present.begin(), present.end());
        present.erase(std::unique(present.begin(), present.end()), present.end());
        std::vector<int> band(64, 0);
        for (size_t i = 0; i < present.size(); ++i)
            band[at(present[i])] = static_cast<int>(i);
        m_layer.assign(at(m_nodeCount), 0);
        for (size_t round = 0; round <= present.size(); ++round) {
            for (int v : order) {
                int layer = band[at(classes[at(v)])];
                for (int e : incoming.of(v)) {
                    const int u = m_tail[at(e)];
                    if (classes[at(u)] <= classes[at(v)])
                        layer = std::max(layer, m_layer[at(u)] + 1);
                }
                m_layer[at(v)] = layer;
            }
            std::vector<int> classMax(64, -1);
            for (int v = 0; v < m_nodeCount; ++v)
                classMax[at(classes[at(v)])] = std::max(classMax[at(classes[at(v)])], m_layer[at(v)]);
            bool changed = false;
            int running = 0;
            for (int c : present) {
                if (band[at(c)] < running) {
                    band[at(c)] = running;
                    changed = true;
                }
                running = std::max(running, classMax[at(c)] + 1);
            }
            if (!changed)
                break;
        }
        for (int v : order) {
            for (int e : incoming.of(v))
                m_layer[at(v)] = std::max(m_layer[at(v)], m_layer[at(m_tail[at(e)])] + 1);
        }
        // Nodes left out of the order sit on a cycle the depth-first pass missed; none should, but keep them valid.
        // Renumber so that every column holds at least one node.
        std::vector<int> used = m_layer;
        std::sort(used.begin(), used.end());
        used.erase(std::unique(used.begin(), used.end()), used.end());
        std::unordered_map<int, int> dense;
        for (size_t i = 0; i < used.size(); ++i)
            dense.emplace(used[i], static_cast<int>(i));
        for (int &layer : m_layer)
            layer = dense.at(layer);
        m_layerCount = sizeOf(used);
        m_classFirstLayer.assign(64, -1);
        for (int v = 0; v < m_nodeCount; ++v) {
            int &first = m_classFirstLayer[at(classes[at(v)])];
            first = first < 0 ? m_layer[at(v)] : std::min(first, m_layer[at(v)]);
        }
    }

    // --- long edges become chains of pass-through vertices -----------------------------------------------
    void buildLayeredGraph()
    {
        m_vertexLayer = m_layer;
        m_vertexSize.assign(at(m_nodeCount), 0);
        for (int v = 0; v < m_nodeCount; ++v)
            m_vertexSize[at(v)] = std::max(1.0, m_graph.nodes[at(v)].height);
        m_segmentLeft.clear();
        m_segmentRight.clear();
        m_edgeSegmentStart.assign(at(m_edgeCount) + 1, 0);
        for (int e = 0; e < m_edgeCount; ++e) {
            m_edgeSegmentStart[at(e)] = sizeOf(m_segmentLeft);
            if (!m_usable[at(e)])
                continue;
            int previous = m_tail[at(e)];
            const int head = m_head[at(e)];
            for (int layer = m_layer[at(previous)] + 1; layer < m_layer[at(head)]; ++layer) {
                const int dummy = sizeOf(m_vertexLayer);
                m_vertexLayer.push_back(layer);
                m_vertexSize.push_back(0);
                m_segmentLeft.push_back(previous);
                m_segmentRight.push_back(dummy);
                previous = dummy;
            }
            m_segmentLeft.push_back(previous);
            m_segmentRight.push_back(head);
        }
        m_edgeSegmentStart[at(m_edgeCount)] = sizeOf(m_segmentLeft);
        m_vertexCount = sizeOf(m_vertexLayer);
        std::vector<int> segments(m_segmentLeft.size());
        std::iota(segments.begin(), segments.end(), 0);
        m_rightSegments.build(m_vertexCount, m_segmentLeft, segments);
        m_leftSegments.build(m_vertexCount, m_segmentRight, segments);
        m_rightInInputOrder = m_rightSegments;
        m_leftInInputOrder = m_leftSegments;
    }

    bool isDummy(int v) const { return v >= m_nodeCount; }

    // --- ordering -------------------------------------------------------------------------------------
    // Depth-first orders keep each delegation subtree together in every column: from the left along
    // delegations, from the right along callers, or both ways.
    enum class Start { FromLeft, FromRight, BothWays };

    void initialOrder(Start start)
    {
        m_layers.assign(at(m_layerCount), {});
        m_position.assign(at(m_vertexCount), 0);
        std::vector<int> roots(at(m_nodeCount));
        std::iota(roots.begin(), roots.end(), 0);
        std::stable_sort(roots.begin(), roots.end(), [&](int a, int b) {
            const bool aIsolated = m_rightSegments.degree(a) + m_leftSegments.degree(a) == 0;
            const bool bIsolated = m_rightSegments.degree(b) + m_leftSegments.degree(b) == 0;
            if (aIsolated != bIsolated)
                return bIsolated;
            return start == Start::FromRight ? m_layer[at(a)] > m_layer[at(b)] : m_layer[at(a)] < m_layer[at(b)];
        });
        std::vector<char> visited(at(m_vertexCount), 0);
        std::vector<std::pair<int, int>> stack;
        const auto visit = [&](int v) {
            visited[at(v)] = 1;
            auto &layer = m_layers[at(m_vertexLayer[at(v)])];
            m_position[at(v)] = sizeOf(layer);
            layer.push_back(v);
            stack.emplace_back(v, 0);
        };
        for (int root : roots) {
            if (visited[at(root)])
                continue;
            visit(root);
            while (!stack.empty()) {
                auto &[v, next] = stack.back();
                const auto right = m_rightInInputOrder.of(v);
                const auto left = m_leftInInputOrder.of(v);
                const int rightCount = start == Start::FromRight ? 0 : sizeOf(right);
                const int leftCount = start == Start::FromLeft ? 0 : sizeOf(left);
                if (next < rightCount) {
                    const int w = m_segmentRight[at(right[at(next++)])];
                    if (!visited[at(w)])
                        visit(w);
                } else if (next < rightCount + leftCount) {
                    const int w = m_segmentLeft[at(left[at(next++ - rightCount)])];
                    if (!visited[at(w)])
                        visit(w);
                } else {
                    stack.pop_back();
                }
            }
        }
    }

    void renumber(int layer)
    {
        const auto &vertices = m_layers[at(layer)];
        for (int i = 0; i < sizeOf(vertices); ++i)
            m_position[at(vertices[at(i)])] = i;
    }

    // dot's weighted median: the median position of the neighbours, pulled towards the denser side.
    double medianOf(std::vector<int> &positions) const
    {
        const int count = sizeOf(positions);
        if (count == 0)
            return -1;
        std::sort(positions.begin(), positions.end());
        const int middle = count / 2;
        if (count % 2 == 1)
            return positions[at(middle)];
        if (count == 2)
            return (positions[0] + positions[1]) / 2.0;
        const double leftSpan = positions[at(middle - 1)] - positions[0];
        const double rightSpan = positions[at(count - 1)] - positions[at(middle)];
        if (leftSpan + rightSpan <= 0)
            return (positions[at(middle - 1)] + positions[at(middle)]) / 2.0;
        return (positions[at(middle - 1)] * rightSpan + positions[at(middle)] * leftSpan) / (leftSpan + rightSpan);
    }

    void reorder(int layer, bool fromLeft, bool reverseTies)
    {
        auto &vertices = m_layers[at(layer)];
        const int count = sizeOf(vertices);
        m_keys.resize(at(count));
        m_movable.clear();
        for (int i = 0; i < count; ++i) {
            const int v = vertices[at(i)];
            m_scratch.clear();
            if (fromLeft) {
                for (int s : m_leftSegments.of(v))
                    m_scratch.push_back(m_position[at(m_segmentLeft[at(s)])]);
            } else {
                for (int s : m_rightSegments.of(v))
                    m_scratch.push_back(m_position[at(m_segmentRight[at(s)])]);
            }
            m_keys[at(i)] = medianOf(m_scratch);
            if (m_keys[at(i)] >= 0)
                m_movable.push_back(i);
        }
        // Vertices without neighbours on that side keep their slot; the others are sorted around them.
        m_sortKeys.clear();
        for (int i : m_movable)
            m_sortKeys.emplace_back(m_keys[at(i)], reverseTies ? -i : i);
        std::sort(m_sortKeys.begin(), m_sortKeys.end());
        m_reordered = vertices;
        for (size_t k = 0; k < m_movable.size(); ++k) {
            const int from = m_sortKeys[k].second;
            m_reordered[at(m_movable[k])] = vertices[at(reverseTies ? -from : from)];
        }
        vertices.swap(m_reordered);
        renumber(layer);
    }

    long long countCrossings()
    {
        long long total = 0;
        for (int layer = 0; layer + 1 < m_layerCount; ++layer) {
            m_sequence.clear();
            for (int v : m_layers[at(layer)]) {
                const size_t first = m_sequence.size();
                for (int s : m_rightSegments.of(v))
                    m_sequence.push_back(m_position[at(m_segmentRight[at(s)])]);
                std::sort(m_sequence.begin() + static_cast<std::ptrdiff_t>(first), m_sequence.end());
            }
            total += m_inversions.count(m_sequence, sizeOf(m_layers[at(layer + 1)]));
        }
        return total;
    }

    // Sorts a vertex's neighbour lists by position, for sideCrossings.
    void sortNeighbours(int v)
    {
        auto left = m_leftSegments.of(v);
        if (left.size() > 1) {
            std::sort(left.begin(), left.end(), [this](int a, int b) {
                return m_position[at(m_segmentLeft[at(a)])] < m_position[at(m_segmentLeft[at(b)])];
            });
        }
        auto right = m_rightSegments.of(v);
        if (right.size() > 1) {
            std::sort(right.begin(), right.end(), [this](int a, int b) {
                return m_position[at(m_segmentRight[at(a)])] < m_position[at(m_segmentRight[at(b)])];
            });
        }
    }

    // Crossings among the edges of v and w on one side with v above w, and with w above v, from one merge
    // of the lists sorted by sortNeighbours: the two add up to every pair not sharing a neighbour.
    std::pair<long long, long long> sideCrossings(int v, int w, bool left) const
    {
        const auto &segments = left ? m_leftSegments : m_rightSegments;
        const auto &other = left ? m_segmentLeft : m_segmentRight;
        const auto vs = segments.of(v);
        const auto ws = segments.of(w);
        if (vs.empty() || ws.empty())
            return {0, 0};
        if (vs.size() == 1 && ws.size() == 1) {
            const int a = m_position[at(other[at(vs[0])])];
            const int b = m_position[at(other[at(ws[0])])];
            return {a > b ? 1 : 0, a < b ? 1 : 0};
        }
        long long above = 0;
        long long shared = 0;
        size_t below = 0;
        size_t notAbove = 0;
        for (int s : vs) {
            const int a = m_position[at(other[at(s)])];
            while (below < ws.size() && m_position[at(other[at(ws[below])])] < a)
                ++below;
            notAbove = std::max(notAbove, below);
            while (notAbove < ws.size() && m_position[at(other[at(ws[notAbove])])] <= a)
                ++notAbove;
            above += static_cast<long long>(below);
            shared += static_cast<long long>(notAbove - below);
        }
        const long long pairs = static_cast<long long>(vs.size()) * static_cast<long long>(ws.size());
        return {above, pairs - above - shared};
    }

    // Swaps neighbours while that removes crossings (dot's transpose). Only pairs next to an earlier swap,
    // in its column or the two beside it, are looked at again.
    void transpose(bool reverseTies, int passes)
    {
        m_dirtyPass.assign(at(m_vertexCount), 0);
        m_unsorted.assign(at(m_vertexCount), 1);
        const auto touch = [this](int v, int pass) {
            m_dirtyPass[at(v)] = pass + 1;
            for (int s : m_leftSegments.of(v)) {
                m_dirtyPass[at(m_segmentLeft[at(s)])] = pass + 1;
                m_unsorted[at(m_segmentLeft[at(s)])] = 1;
            }
            for (int s : m_rightSegments.of(v)) {
                m_dirtyPass[at(m_segmentRight[at(s)])] = pass + 1;
                m_unsorted[at(m_segmentRight[at(s)])] = 1;
            }
        };
        for (int pass = 0; pass < passes; ++pass) {
            long long gained = 0;
            for (int layer = 0; layer < m_layerCount; ++layer) {
                auto &vertices = m_layers[at(layer)];
                for (int i = 0; i + 1 < sizeOf(vertices); ++i) {
                    const int v = vertices[at(i)];
                    const int w = vertices[at(i + 1)];
                    if (m_dirtyPass[at(v)] < pass && m_dirtyPass[at(w)] < pass)
                        continue;
                    for (int u : {v, w}) {
                        if (m_unsorted[at(u)]) {
                            sortNeighbours(u);
                            m_unsorted[at(u)] = 0;
                        }
                    }
                    const auto [leftBefore, leftAfter] = sideCrossings(v, w, true);
                    const auto [rightBefore, rightAfter] = sideCrossings(v, w, false);
                    const long long before = leftBefore + rightBefore;
                    if (before == 0)
                        continue;
                    const long long after = leftAfter + rightAfter;
                    if (after < before || (reverseTies && after == before)) {
                        std::swap(vertices[at(i)], vertices[at(i + 1)]);
                        m_position[at(v)] = i + 1;
                        m_position[at(w)] = i;
                        if (after < before) {
                            gained += before - after;
                            touch(v, pass);
                            touch(w, pass);
                            if (i > 0)
                                m_dirtyPass[at(vertices[at(i - 1)])] = pass + 1;
                            if (i + 2 < sizeOf(vertices))
                                m_dirtyPass[at(vertices[at(i + 2)])] = pass + 1;
                        } else {
                            // A swap on a tie shakes the order once; its neighbours get no second look for it.
                            for (int s : m_leftSegments.of(v))
                                m_unsorted[at(m_segmentLeft[at(s)])] = 1;
                            for (int s : m_rightSegments.of(v))
                                m_unsorted[at(m_segmentRight[at(s)])] = 1;
                            for (int s : m_leftSegments.of(w))
                                m_unsorted[at(m_segmentLeft[at(s)])] = 1;
                            for (int s : m_rightSegments.of(w))
                                m_unsorted[at(m_segmentRight[at(s)])] = 1;
                        }
                    }
                }
            }
            if (gained <= 0)
                break;
        }
    }

    // Weighted-median sweeps, alternately from the left and from the right, each followed by transposition;
    // the best order seen wins. Small graphs try every start order, large ones the first.
    // Sweeps from the current order; keeps the best order seen in bestPosition and returns its crossings.
    long long sweep(int maxSweeps, int passes, long long best, std::vector<int> &bestPosition)
    {
        int stale = 0;
        for (int sweep = 0; sweep < maxSweeps && best > 0; ++sweep) {
            ++m_sweeps;
            const bool fromLeft = sweep % 2 == 0;
            const bool reverseTies = sweep % 4 >= 2;
            if (fromLeft) {
                for (int layer = 1; layer < m_layerCount; ++layer)
                    reorder(layer, true, reverseTies);
            } else {
                for (int layer = m_layerCount - 2; layer >= 0; --layer)
                    reorder(layer, false, reverseTies);
            }
            if (passes > 0)
                transpose(reverseTies, passes);
            const long long crossings = countCrossings();
            if (crossings < best) {
                best = crossings;
                bestPosition = m_position;
                stale = 0;
            } else if (++stale >= m_options.patience) {
                break;
            }
        }
        return best;
    }

    void restore(const std::vector<int> &position)
    {
        m_position = position;
        for (auto &vertices : m_layers)
            std::sort(vertices.begin(), vertices.end(), [this](int a, int b) { return m_position[at(a)] < m_position[at(b)]; });
    }

    // Median sweeps from three start orders, plain and with transposition after every sweep: each escapes
    // local minima the others get stuck in, and the best order wins. Large graphs (more column-to-column
    // segments than wideSearchSegments) run plain sweeps from the start that is best on large delegation
    // graphs, then refine with transposition. Last, transposition until nothing improves.
    void reduceCrossings()
    {
        const std::array<Start, 3> starts{Start::FromLeft, Start::BothWays, Start::FromRight};
        const bool wide = sizeOf(m_segmentLeft) <= wideSearchSegments;
        long long best = -1;
        std::vector<int> bestPosition;
        std::vector<int> position;
        const auto consider = [&](long long crossings) {
            if (best < 0 || crossings < best) {
                best = crossings;
                bestPosition.swap(position);
            }
        };
        for (int passes : {0, transposePasses}) {
            if (passes > 0 && (!wide || !m_options.transpose))
                break;
            for (Start start : starts) {
                if (!wide && start != Start::FromRight)
                    continue;
                initialOrder(start);
                position = m_position;
                consider(sweep(m_options.maxSweeps, passes, countCrossings(), position));
            }
        }
        restore(bestPosition);
        if (m_options.transpose) {
            if (!wide) {
                best = sweep(m_options.maxSweeps, transposePasses, best, bestPosition);
                restore(bestPosition);
            }
            transpose(false, finalTransposePasses);
        }
        m_crossings = countCrossings();
    }

    // --- coordinates (Brandes-Köpf, with the block-graph compaction) -----------------------------------
    double separation(int a, int b) const
    {
        const double gap = isDummy(a) && isDummy(b) ? m_options.edgeGap
                           : isDummy(a) || isDummy(b) ? (m_options.edgeGap + m_options.nodeGap) / 2
                                                      : m_options.nodeGap;
        return (m_vertexSize[at(a)] + m_vertexSize[at(b)]) / 2 + gap;
    }

    bool isInnerSegment(int s) const { return isDummy(m_segmentLeft[at(s)]) && isDummy(m_segmentRight[at(s)]); }

    // Type-1 conflicts: a non-inner segment crossing an inner one (between two pass-through vertices) is not
    // aligned, so long edges stay straight.
    void markConflicts()
    {
        m_conflict.assign(m_segmentLeft.size(), 0);
        for (int layer = 0; layer + 1 < m_layerCount; ++layer) {
            const auto &lower = m_layers[at(layer + 1)];
            const int upperSize = sizeOf(m_layers[at(layer)]);
            int k0 = 0;
            int scan = 0;
            for (int l1 = 0; l1 < sizeOf(lower); ++l1) {
                const int v = lower[at(l1)];
                int inner = -1;
                for (int s : m_leftSegments.of(v)) {
                    if (isInnerSegment(s))
                        inner = m_position[at(m_segmentLeft[at(s)])];
                }
                if (l1 == sizeOf(lower) - 1 || inner >= 0) {
                    const int k1 = inner >= 0 ? inner : upperSize - 1;
                    for (; scan <= l1; ++scan) {
                        for (int s : m_leftSegments.of(lower[at(scan)])) {
                            const int k = m_position[at(m_segmentLeft[at(s)])];
                            if ((k < k0 || k > k1) && !isInnerSegment(s))
                                m_conflict[at(s)] = 1;
                        }
                    }
                    k0 = k1;
                }
            }
        }
    }

    // One of the four alignments: fromLeft aligns with left neighbours, walking columns left to right;
    // topDown walks each column from the top.
    void alignAndCompact(bool fromLeft, bool topDown, std::vector<double> &coordinate)
    {
        const int vertexCount = m_vertexCount;
        std::vector<int> root(at(vertexCount));
        std::vector<int> align(at(vertexCount));
        std::iota(root.begin(), root.end(), 0);
        std::iota(align.begin(), align.end(), 0);
        const auto slot = [&](int v) {
            return topDown ? m_position[at(v)] : sizeOf(m_layers[at(m_vertexLayer[at(v)])]) - 1 - m_position[at(v)];
        };
        const auto &segments = fromLeft ? m_leftSegments : m_rightSegments;
        const auto &other = fromLeft ? m_segmentLeft : m_segmentRight;
        for (int step = 0; step < m_layerCount; ++step) {
            const int layer = fromLeft ? step : m_layerCount - 1 - step;
            const auto &vertices = m_layers[at(layer)];
            const int count = sizeOf(vertices);
            int reached = -1;
            for (int k = 0; k < count; ++k) {
                const int v = vertices[at(topDown ? k : count - 1 - k)];
                const auto neighbours = segments.of(v); // sorted top-down by position
                const int degree = sizeOf(neighbours);
                if (degree == 0)
                    continue;
                const int low = (degree - 1) / 2;
                const int high = degree / 2;
                for (int m = low; m <= high; ++m) {
                    if (align[at(v)] != v)
                        break;
                    const int s = neighbours[at(topDown ? m : degree - 1 - m)];
                    const int w = other[at(s)];
                    if (!m_conflict[at(s)] && reached < slot(w)) {
                        align[at(w)] = v;
                        root[at(v)] = root[at(w)];
                        align[at(v)] = root[at(v)];
                        reached = slot(w);
                    }
                }
            }
        }

        // Block graph: an edge from the block above to the block below with their required separation.
        std::vector<int> from;
        std::vector<int> to;
        std::vector<double> gap;
        for (int layer = 0; layer < m_layerCount; ++layer) {
            const auto &vertices = m_layers[at(layer)];
            const int count = sizeOf(vertices);
            for (int k = 1; k < count; ++k) {
                const int above = vertices[at(topDown ? k - 1 : count - k)];
                const int below = vertices[at(topDown ? k : count - 1 - k)];
                from.push_back(root[at(above)]);
                to.push_back(root[at(below)]);
                gap.push_back(separation(above, below));
            }
        }
        std::vector<int> edgeIds(from.size());
        std::iota(edgeIds.begin(), edgeIds.end(), 0);
        Adjacency outgoing;
        outgoing.build(vertexCount, from, edgeIds);
        Adjacency incoming;
        incoming.build(vertexCount, to, edgeIds);
        std::vector<int> indegree(at(vertexCount), 0);
        std::vector<int> order;
        order.reserve(at(vertexCount));
        for (int v = 0; v < vertexCount; ++v) {
            indegree[at(v)] = incoming.degree(v);
            if (root[at(v)] == v && indegree[at(v)] == 0)
                order.push_back(v);
        }
        for (size_t i = 0; i < order.size(); ++i) {
            for (int e : outgoing.of(order[i])) {
                if (--indegree[at(to[at(e)])] == 0)
                    order.push_back(to[at(e)]);
            }
        }
        std::vector<double> block(at(vertexCount), 0);
        for (int b : order) {
            double y = 0;
            for (int e : incoming.of(b))
                y = std::max(y, block[at(from[at(e)])] + gap[at(e)]);
            block[at(b)] = y;
        }
        // Second pass pulls each block towards the blocks below it, as far as they allow.
        for (auto it = order.rbegin(); it != order.rend(); ++it) {
            double limit = infinity;
            for (int e : outgoing.of(*it))
                limit = std::min(limit, block[at(to[at(e)])] - gap[at(e)]);
            if (limit != infinity)
                block[at(*it)] = std::max(block[at(*it)], limit);
        }
        coordinate.resize(at(vertexCount));
        for (int v = 0; v < vertexCount; ++v)
            coordinate[at(v)] = topDown ? block[at(root[at(v)])] : -block[at(root[at(v)])];
    }

    // Brandes-Köpf packs each column tight, so a column with fewer boxes than its neighbour ends up much
    // shorter and its edges run steeply across the other's. Each box is pulled to the weighted mean height of
    // its neighbours, column by column, keeping order and spacing (least squares under those constraints,
    // solved exactly by pooling adjacent violators). Long-edge passes stay where they are, so long edges stay
    // straight.
    void pullTowardsNeighbours()
    {
        std::vector<double> wanted;
        std::vector<double> weight;
        std::vector<double> offset;
        struct Pool
        {
            double sumWeighted;
            double sumWeight;
            int count;
        };
        std::vector<Pool> pools;
        for (int round = 0; round < pullRounds; ++round) {
            for (int step = 0; step < m_layerCount; ++step) {
                const int layer = round % 2 == 0 ? step : m_layerCount - 1 - step;
                const auto &vertices = m_layers[at(layer)];
                const int count = sizeOf(vertices);
                wanted.assign(at(count), 0);
                weight.assign(at(count), 0);
                offset.assign(at(count), 0);
                for (int k = 0; k < count; ++k) {
                    const int v = vertices[at(k)];
                    if (k > 0)
                        offset[at(k)] = offset[at(k - 1)] + separation(vertices[at(k - 1)], v);
                    if (isDummy(v)) {
                        wanted[at(k)] = m_y[at(v)];
                        weight[at(k)] = 1e6;
                        continue;
                    }
                    double sum = 0;
                    double total = 0;
                    for (int s : m_leftSegments.of(v)) {
                        sum += m_y[at(m_segmentLeft[at(s)])];
                        total += 1;
                    }
                    for (int s : m_rightSegments.of(v)) {
                        sum += m_y[at(m_segmentRight[at(s)])];
                        total += 1;
                    }
                    wanted[at(k)] = total > 0 ? sum / total : m_y[at(v)];
                    weight[at(k)] = total > 0 ? total : 0.01;
                }
                // Isotonic regression of (wanted - offset): the result plus offset keeps every gap.
                pools.clear();
                for (int k = 0; k < count; ++k) {
                    pools.push_back({(wanted[at(k)] - offset[at(k)]) * weight[at(k)], weight[at(k)], 1});
                    while (pools.size() > 1) {
                        const Pool &last = pools.back();
                        const Pool &before = pools[pools.size() - 2];
                        if (before.sumWeighted / before.sumWeight <= last.sumWeighted / last.sumWeight)
                            break;
                        const Pool merged{before.sumWeighted + last.sumWeighted, before.sumWeight + last.sumWeight, before.count + last.count};
                        pools.pop_back();
                        pools.back() = merged;
                    }
                }
                int k = 0;
                for (const Pool &pool : pools) {
                    const double level = pool.sumWeighted / pool.sumWeight;
                    for (int i = 0; i < pool.count; ++i, ++k)
                        m_y[at(vertices[at(k)])] = level + offset[at(k)];
                }
            }
        }
    }

    void assignCoordinates()
    {
        // Neighbour lists sorted by position, for the medians of the alignment.
        for (int v = 0; v < m_vertexCount; ++v) {
            auto left = m_leftSegments.of(v);
            std::sort(left.begin(), left.end(), [this](int a, int b) {
                return m_position[at(m_segmentLeft[at(a)])] < m_position[at(m_segmentLeft[at(b)])];
            });
            auto right = m_rightSegments.of(v);
            std::sort(right.begin(), right.end(), [this](int a, int b) {
                return m_position[at(m_segmentRight[at(a)])] < m_position[at(m_segmentRight[at(b)])];
            });
        }
        markConflicts();
        std::array<std::vector<double>, 4> candidates;
        std::array<double, 4> low{};
        std::array<double, 4> high{};
        for (int i = 0; i < 4; ++i) {
            alignAndCompact(i < 2, i % 2 == 0, candidates[at(i)]);
            low[at(i)] = infinity;
            high[at(i)] = -infinity;
            for (int v = 0; v < m_vertexCount; ++v) {
                low[at(i)] = std::min(low[at(i)], candidates[at(i)][at(v)] - m_vertexSize[at(v)] / 2);
                high[at(i)] = std::max(high[at(i)], candidates[at(i)][at(v)] + m_vertexSize[at(v)] / 2);
            }
        }
        // Align the four to the narrowest, then take the mean of the two middle values (Brandes-Köpf balancing).
        int narrowest = 0;
        for (int i = 1; i < 4; ++i) {
            if (high[at(i)] - low[at(i)] < high[at(narrowest)] - low[at(narrowest)])
                narrowest = i;
        }
        for (int i = 0; i < 4; ++i) {
            const double shift = i % 2 == 0 ? low[at(narrowest)] - low[at(i)] : high[at(narrowest)] - high[at(i)];
            for (double &y : candidates[at(i)])
                y += shift;
        }
        m_y.assign(at(m_vertexCount), 0);
        for (int v = 0; v < m_vertexCount; ++v) {
            std::array<double, 4> values{candidates[0][at(v)], candidates[1][at(v)], candidates[2][at(v)], candidates[3][at(v)]};
            std::sort(values.begin(), values.end());
            m_y[at(v)] = (values[1] + values[2]) / 2;
        }
        // Balancing can bring two neighbours closer than allowed; push the lower one down where it does.
        for (const auto &vertices : m_layers) {
            for (int k = 1; k < sizeOf(vertices); ++k) {
                const int above = vertices[at(k - 1)];
                const int below = vertices[at(k)];
                m_y[at(below)] = std::max(m_y[at(below)], m_y[at(above)] + separation(above, below));
            }
        }
        pullTowardsNeighbours();
        double top = infinity;
        for (int v = 0; v < m_vertexCount; ++v)
            top = std::min(top, m_y[at(v)] - m_vertexSize[at(v)] / 2);
        if (top != infinity) {
            for (double &y : m_y)
                y -= top;
        }
    }

    void writeResult(LayoutResult &result)
    {
        result.nodeLayer = m_layer;
        result.layerWidth.assign(at(m_layerCount), 0);
        for (int v = 0; v < m_nodeCount; ++v)
            result.layerWidth[at(m_layer[at(v)])] = std::max(result.layerWidth[at(m_layer[at(v)])], m_graph.nodes[at(v)].width);
        placeColumns(result, m_options, m_layerCount);
        result.nodeBoxes.resize(at(m_nodeCount));
        for (int v = 0; v < m_nodeCount; ++v) {
            const LayoutNode &node = m_graph.nodes[at(v)];
            result.nodeBoxes[at(v)] = QRectF(result.layerCentre[at(m_layer[at(v)])] - node.width / 2, m_y[at(v)] - node.height / 2,
                                             node.width, node.height);
        }
        result.classFirstLayer = m_classFirstLayer;
        while (!result.classFirstLayer.empty() && result.classFirstLayer.back() < 0)
            result.classFirstLayer.pop_back();
        result.edgeSource.resize(at(m_edgeCount));
        result.edgeTarget.resize(at(m_edgeCount));
        result.edgeReversed.assign(at(m_edgeCount), 0);
        result.waypointStart.assign(1, 0);
        for (int e = 0; e < m_edgeCount; ++e) {
            result.edgeSource[at(e)] = m_graph.edges[at(e)].source;
            result.edgeTarget[at(e)] = m_graph.edges[at(e)].target;
            result.edgeReversed[at(e)] = m_reversed[at(e)];
            if (m_usable[at(e)]) {
                const size_t first = result.waypoints.size();
                // The pass-through vertices of an edge are the right ends of all its segments but the last.
                for (int s = m_edgeSegmentStart[at(e)]; s + 1 < m_edgeSegmentStart[at(e) + 1]; ++s) {
                    const int dummy = m_segmentRight[at(s)];
                    result.waypoints.push_back({m_vertexLayer[at(dummy)], m_y[at(dummy)]});
                }
                if (m_reversed[at(e)])
                    std::reverse(result.waypoints.begin() + static_cast<std::ptrdiff_t>(first), result.waypoints.end());
            }
            result.waypointStart.push_back(sizeOf(result.waypoints));
        }
        Router(result, m_options).route(result);
        computeBounds(result);
        result.stats.layers = m_layerCount;
        result.stats.dummyNodes = m_vertexCount - m_nodeCount;
        result.stats.reversedEdges = static_cast<int>(std::count(m_reversed.begin(), m_reversed.end(), 1));
        result.stats.crossings = m_crossings;
        result.stats.sweeps = m_sweeps;
    }

    const LayoutGraph &m_graph;
    const LayoutOptions &m_options;
    const int m_nodeCount;
    const int m_edgeCount;

    std::vector<char> m_usable;
    std::vector<char> m_reversed;
    std::vector<int> m_tail;
    std::vector<int> m_head;
    std::vector<int> m_layer;
    std::vector<int> m_classFirstLayer;
    int m_layerCount = 0;

    int m_vertexCount = 0;
    std::vector<int> m_vertexLayer;
    std::vector<double> m_vertexSize;
    std::vector<int> m_segmentLeft;
    std::vector<int> m_segmentRight;
    std::vector<int> m_edgeSegmentStart;
    Adjacency m_rightSegments; // re-sorted by position as the order changes
    Adjacency m_leftSegments;
    Adjacency m_rightInInputOrder; // as built, so that every start order is the same whatever ran before
    Adjacency m_leftInInputOrder;

    std::vector<std::vector<int>> m_layers;
    std::vector<int> m_position;
    std::vector<double> m_keys;
    std::vector<int> m_movable;
    std::vector<std::pair<double, int>> m_sortKeys;
    std::vector<int> m_reordered;
    std::vector<int> m_scratch;
    std::vector<int> m_sequence;
    std::vector<int> m_dirtyPass;
    std::vector<char> m_unsorted;
    InversionCounter m_inversions;
    long long m_crossings = 0;
    int m_sweeps = 0;

    std::vector<char> m_conflict;
    std::vector<double> m_y;
};

// Free room in one column: occupied spans kept sorted by top.
class ColumnSpace
{
public:
    void occupy(double top, double bottom)
    {
        const auto it = std::lower_bound(m_spans.begin(), m_spans.end(), top, [](const std::pair<double, double> &span, double value) {
            return span.first < value;
        });
        m_spans.insert(it, {top, bottom});
    }

    // The centre nearest to `wanted` where a span of `height` fits with `margin` above and below.
    double nearestFree(double wanted, double height, double margin) const
    {
        const double half = height / 2 + margin;
        double best = wanted;
        double bestDistance = infinity;
        double gapTop = -infinity;
        double reach = -infinity; // spans may overlap; the gap starts below the lowest bottom seen so far
        for (size_t i = 0; i <= m_spans.size(); ++i) {
            const double gapBottom = i < m_spans.size() ? m_spans[i].first : infinity;
            gapTop = std::max(gapTop, reach);
            const double lowest = gapTop + half;
            const double highest = gapBottom - half;
            if (lowest <= highest) {
                const double centre = std::clamp(wanted, lowest, highest);
                const double distance = std::abs(centre - wanted);
                if (distance < bestDistance) {
                    bestDistance = distance;
                    best = centre;
                }
            }
            if (i < m_spans.size())
                reach = std::max(reach, m_spans[i].second);
        }
        return best;
    }

private:
    std::vector<std::pair<double, double>> m_spans;
};

} // namespace

std::span<const QPointF> LayoutResult::route(int edge) const
{
    if (edge < 0 || edge + 1 >= sizeOf(routeStart))
        return {};
    return {routePoints.data() + routeStart[at(edge)], routePoints.data() + routeStart[at(edge) + 1]};
}

std::span<const EdgeWaypoint> LayoutResult::edgeWaypoints(int edge) const
{
    if (edge < 0 || edge + 1 >= sizeOf(waypointStart))
        return {};
    return {waypoints.data() + waypointStart[at(edge)], waypoints.data() + waypointStart[at(edge) + 1]};
}

LayoutResult LayeredLayout::compute(const LayoutGraph &graph, const LayoutOptions &options)
{
    return LayeredEngine(graph, options).run();
}

LayoutResult LayeredLayout::update(const LayoutGraph &graph, const LayoutResult &previous, std::span<const int> previousNode,
                                   const LayoutOptions &options)
{
    QElapsedTimer timer;
    timer.start();
    const int nodeCount = sizeOf(graph.nodes);
    const int edgeCount = sizeOf(graph.edges);
    const auto keptIndex = [&](int v) {
        const int p = v < sizeOf(previousNode) ? previousNode[at(v)] : -1;
        return p >= 0 && p < previous.nodeCount() ? p : -1;
    };

    LayoutResult result;
    result.layerCentre = previous.layerCentre;
    result.layerWidth = previous.layerWidth;
    result.classFirstLayer = previous.classFirstLayer;
    result.nodeBoxes.resize(at(nodeCount));
    result.nodeLayer.assign(at(nodeCount), -1);
    std::vector<char> placed(at(nodeCount), 0);
    std::vector<ColumnSpace> columns(previous.layerCentre.size());
    for (int v = 0; v < nodeCount; ++v) {
        const int p = keptIndex(v);
        if (p < 0)
            continue;
        const QRectF &old = previous.nodeBoxes[at(p)];
        const LayoutNode &node = graph.nodes[at(v)];
        result.nodeBoxes[at(v)] = QRectF(old.center().x() - node.width / 2, old.center().y() - node.height / 2, node.width, node.height);
        result.nodeLayer[at(v)] = previous.nodeLayer[at(p)];
        placed[at(v)] = 1;
        columns[at(result.nodeLayer[at(v)])].occupy(result.nodeBoxes[at(v)].top(), result.nodeBoxes[at(v)].bottom());
    }

    // Edges between kept nodes that were there before keep their waypoints (and reserve them).
    std::unordered_map<long long, int> previousEdge;
    for (int e = 0; e < previous.edgeCount(); ++e)
        previousEdge.emplace(static_cast<long long>(previous.edgeSource[at(e)]) * previous.nodeCount() + previous.edgeTarget[at(e)], e);
    std::vector<int> keptEdge(at(edgeCount), -1);
    for (int e = 0; e < edgeCount; ++e) {
        const LayoutEdge &edge = graph.edges[at(e)];
        if (!isValidEdge(edge, nodeCount))
            continue;
        const int ps = keptIndex(edge.source);
        const int pt = keptIndex(edge.target);
        if (ps < 0 || pt < 0)
            continue;
        const auto found = previousEdge.find(static_cast<long long>(ps) * previous.nodeCount() + pt);
        if (found == previousEdge.end())
            continue;
        keptEdge[at(e)] = found->second;
        for (const EdgeWaypoint &waypoint : previous.edgeWaypoints(found->second))
            columns[at(waypoint.layer)].occupy(waypoint.y - options.edgeGap / 2, waypoint.y + options.edgeGap / 2);
    }

    // New nodes: a column right of every placed delegator and no further left than their class allows.
    std::vector<int> owners;
    std::vector<int> incomingEdges;
    for (int e = 0; e < edgeCount; ++e) {
        const LayoutEdge &edge = graph.edges[at(e)];
        if (isValidEdge(edge, nodeCount) && edge.source != edge.target) {
            owners.push_back(edge.target);
            incomingEdges.push_back(e);
        }
    }
    Adjacency incoming;
    incoming.build(nodeCount, owners, incomingEdges);
    const auto classStart = [&](int rankClass) {
        const int c = clampedClass(rankClass);
        int first = 0;
        for (int k = 0; k <= c && k < sizeOf(result.classFirstLayer); ++k) {
            if (result.classFirstLayer[at(k)] >= 0)
                first = k == c ? result.classFirstLayer[at(k)] : std::max(first, result.classFirstLayer[at(k)] + 1);
        }
        return first;
    };
    std::vector<int> pending;
    for (int v = 0; v < nodeCount; ++v) {
        if (!placed[at(v)])
            pending.push_back(v);
    }
    // Repeatedly place the new nodes whose new delegators are placed; what is left sits on a cycle of new nodes.
    std::vector<char> layered(placed);
    for (bool progress = true; progress && !pending.empty();) {
        progress = false;
        std::vector<int> waiting;
        for (int v : pending) {
            bool ready = true;
            int layer = classStart(graph.nodes[at(v)].rankClass);
            for (int e : incoming.of(v)) {
                const int u = graph.edges[at(e)].source;
                if (!layered[at(u)])
                    ready = false;
                else
                    layer = std::max(layer, result.nodeLayer[at(u)] + 1);
            }
            if (!ready) {
                waiting.push_back(v);
                continue;
            }
            result.nodeLayer[at(v)] = layer;
            layered[at(v)] = 1;
            progress = true;
        }
        pending.swap(waiting);
    }
    for (int v : pending) {
        int layer = classStart(graph.nodes[at(v)].rankClass);
        for (int e : incoming.of(v)) {
            const int u = graph.edges[at(e)].source;
            if (layered[at(u)])
                layer = std::max(layer, result.nodeLayer[at(u)] + 1);
        }
        result.nodeLayer[at(v)] = layer;
        layered[at(v)] = 1;
    }
    int layerCount = sizeOf(result.layerCentre);
    for (int v = 0; v < nodeCount; ++v)
        layerCount = std::max(layerCount, result.nodeLayer[at(v)] + 1);
    const int oldLayerCount = sizeOf(result.layerCentre);
    result.layerWidth.resize(at(layerCount), 0);
    for (int v = 0; v < nodeCount; ++v)
        result.layerWidth[at(result.nodeLayer[at(v)])] = std::max(result.layerWidth[at(result.nodeLayer[at(v)])], graph.nodes[at(v)].width);
    // Columns that existed keep their centre; new ones are appended on the right.
    for (int layer = oldLayerCount; layer < layerCount; ++layer) {
        const double previousRight = layer == 0 ? -options.layerGap : result.layerCentre.back() + result.layerWidth[at(layer - 1)] / 2;
        result.layerCentre.push_back(previousRight + options.layerGap + result.layerWidth[at(layer)] / 2);
    }
    columns.resize(at(layerCount));

    // Place new nodes column by column, each near the median height of its placed neighbours.
    std::vector<int> order;
    for (int v = 0; v < nodeCount; ++v) {
        if (!placed[at(v)])
            order.push_back(v);
    }
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return result.nodeLayer[at(a)] < result.nodeLayer[at(b)]; });
    Adjacency outgoing;
    {
        std::vector<int> sources;
        std::vector<int> edgeIds;
        for (int e = 0; e < edgeCount; ++e) {
            const LayoutEdge &edge = graph.edges[at(e)];
            if (isValidEdge(edge, nodeCount) && edge.source != edge.target) {
                sources.push_back(edge.source);
                edgeIds.push_back(e);
            }
        }
        outgoing.build(nodeCount, sources, edgeIds);
    }
    std::vector<double> heights;
    for (int v : order) {
        heights.clear();
        for (int e : incoming.of(v)) {
            const int u = graph.edges[at(e)].source;
            if (placed[at(u)])
                heights.push_back(result.nodeBoxes[at(u)].center().y());
        }
        if (heights.empty()) {
            for (int e : outgoing.of(v)) {
                const int w = graph.edges[at(e)].target;
                if (placed[at(w)])
                    heights.push_back(result.nodeBoxes[at(w)].center().y());
            }
        }
        std::sort(heights.begin(), heights.end());
        const int layer = result.nodeLayer[at(v)];
        const LayoutNode &node = graph.nodes[at(v)];
        const double wanted = heights.empty() ? 0.0 : heights[heights.size() / 2];
        const double y = columns[at(layer)].nearestFree(wanted, node.height, options.nodeGap);
        result.nodeBoxes[at(v)] = QRectF(result.layerCentre[at(layer)] - node.width / 2, y - node.height / 2, node.width, node.height);
        columns[at(layer)].occupy(result.nodeBoxes[at(v)].top(), result.nodeBoxes[at(v)].bottom());
        placed[at(v)] = 1;
    }
    // Kept nodes in a column that became wider stay centred on it.
    for (int v = 0; v < nodeCount; ++v) {
        QRectF &box = result.nodeBoxes[at(v)];
        box.moveLeft(result.layerCentre[at(result.nodeLayer[at(v)])] - box.width() / 2);
    }

    // Edges: kept ones reuse their waypoints; new ones find room in every column they cross.
    result.edgeSource.resize(at(edgeCount));
    result.edgeTarget.resize(at(edgeCount));
    result.edgeReversed.assign(at(edgeCount), 0);
    result.waypointStart.assign(1, 0);
    for (int e = 0; e < edgeCount; ++e) {
        const LayoutEdge &edge = graph.edges[at(e)];
        result.edgeSource[at(e)] = edge.source;
        result.edgeTarget[at(e)] = edge.target;
        if (keptEdge[at(e)] >= 0) {
            result.edgeReversed[at(e)] = previous.edgeReversed[at(keptEdge[at(e)])];
            for (const EdgeWaypoint &waypoint : previous.edgeWaypoints(keptEdge[at(e)]))
                result.waypoints.push_back(waypoint);
        } else if (isValidEdge(edge, nodeCount) && edge.source != edge.target) {
            const int sourceLayer = result.nodeLayer[at(edge.source)];
            const int targetLayer = result.nodeLayer[at(edge.target)];
            result.edgeReversed[at(e)] = sourceLayer > targetLayer ? 1 : 0;
            const QPointF from = result.nodeBoxes[at(edge.source)].center();
            const QPointF to = result.nodeBoxes[at(edge.target)].center();
            const int step = sourceLayer < targetLayer ? 1 : -1;
            for (int layer = sourceLayer + step; layer != targetLayer && sourceLayer != targetLayer; layer += step) {
                const double t = static_cast<double>(layer - sourceLayer) / (targetLayer - sourceLayer);
                const double wanted = from.y() + (to.y() - from.y()) * t;
                const double y = columns[at(layer)].nearestFree(wanted, options.edgeGap, options.edgeGap / 2);
                columns[at(layer)].occupy(y - options.edgeGap / 2, y + options.edgeGap / 2);
                result.waypoints.push_back({layer, y});
            }
        }
        result.waypointStart.push_back(sizeOf(result.waypoints));
    }
    Router(result, options).route(result);
    computeBounds(result);
    result.stats.layers = layerCount;
    result.stats.dummyNodes = sizeOf(result.waypoints);
    result.stats.reversedEdges = static_cast<int>(std::count(result.edgeReversed.begin(), result.edgeReversed.end(), 1));
    result.stats.crossings = countColumnCrossings(columnSamples(result), layerCount);
    result.stats.milliseconds = static_cast<double>(timer.nsecsElapsed()) / 1e6;
    return result;
}

void ColumnSamples::addEdge(std::span<const int> columns, std::span<const double> ys)
{
    if (columns.size() < 2 || columns.size() != ys.size())
        return;
    const bool descending = columns.front() > columns.back();
    for (size_t i = 0; i < columns.size(); ++i) {
        const size_t k = descending ? columns.size() - 1 - i : i;
        column.push_back(columns[k]);
        y.push_back(ys[k]);
    }
    sampleStart.push_back(sizeOf(column));
}

long long countColumnCrossings(const ColumnSamples &samples, int columnCount)
{
    if (columnCount < 2)
        return 0;
    // Per column pair: (y at the left column, y at the right column) of every edge crossing it.
    std::vector<std::vector<std::pair<double, double>>> pieces(at(columnCount - 1));
    for (size_t edge = 0; edge + 1 < samples.sampleStart.size(); ++edge) {
        const int first = samples.sampleStart[edge];
        const int last = samples.sampleStart[edge + 1];
        for (int i = first; i + 1 < last; ++i) {
            const int column = samples.column[at(i)];
            if (samples.column[at(i + 1)] != column + 1 || column < 0 || column + 1 >= columnCount)
                continue;
            pieces[at(column)].emplace_back(samples.y[at(i)], samples.y[at(i + 1)]);
        }
    }
    long long total = 0;
    InversionCounter inversions;
    std::vector<double> rightValues;
    std::vector<int> ranks;
    for (auto &between : pieces) {
        if (between.size() < 2)
            continue;
        std::sort(between.begin(), between.end());
        rightValues.clear();
        for (const auto &piece : between)
            rightValues.push_back(piece.second);
        std::sort(rightValues.begin(), rightValues.end());
        rightValues.erase(std::unique(rightValues.begin(), rightValues.end()), rightValues.end());
        // Sorted by left end, then right end: pieces sharing a left end never count against each other.
        ranks.clear();
        for (const auto &piece : between)
            ranks.push_back(static_cast<int>(std::lower_bound(rightValues.begin(), rightValues.end(), piece.second) - rightValues.begin()));
        total += inversions.count(ranks, sizeOf(rightValues));
    }
    return total;
}

ColumnSamples columnSamples(const LayoutResult &layout)
{
    ColumnSamples samples;
    std::vector<int> columns;
    std::vector<double> ys;
    for (int e = 0; e < layout.edgeCount(); ++e) {
        const int source = layout.edgeSource[at(e)];
        const int target = layout.edgeTarget[at(e)];
        if (source < 0 || target < 0 || source >= layout.nodeCount() || target >= layout.nodeCount() || source == target)
            continue;
        columns.assign(1, layout.nodeLayer[at(source)]);
        ys.assign(1, layout.centre(source).y());
        for (const EdgeWaypoint &waypoint : layout.edgeWaypoints(e)) {
            columns.push_back(waypoint.layer);
            ys.push_back(waypoint.y);
        }
        columns.push_back(layout.nodeLayer[at(target)]);
        ys.push_back(layout.centre(target).y());
        samples.addEdge(columns, ys);
    }
    return samples;
}

} // namespace chainsight

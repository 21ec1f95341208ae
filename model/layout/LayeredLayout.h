#pragma once

#include <QPointF>
#include <QRectF>

#include <span>
#include <vector>

namespace chainsight {

// One box to place. Columns follow rankClass: a lower class never sits right of a higher one unless an
// edge forces it (a delegate is always right of its delegator).
struct LayoutNode
{
    int rankClass = 0;
    double width = 120;
    double height = 32;
};

// Directed: the target is placed right of the source unless the edge closes a cycle.
struct LayoutEdge
{
    int source = 0;
    int target = 0;
};

// The engine's own input, free of any workspace: boxes, their column class, and edges between them.
struct LayoutGraph
{
    std::vector<LayoutNode> nodes;
    std::vector<LayoutEdge> edges;
};

struct LayoutOptions
{
    double layerGap = 110; // room between two columns, where edges bend
    double nodeGap = 18;   // room between two boxes of one column
    double edgeGap = 7;    // room taken by a long edge passing through a column
    int maxSweeps = 24;    // crossing-reduction sweeps (one sweep visits every column once)
    int patience = 6;      // sweeps without fewer crossings before the reduction stops
    bool transpose = true; // swap neighbours after each sweep when that removes crossings
};

// Where a long edge passes through a column: the column and the height it crosses at.
struct EdgeWaypoint
{
    int layer = 0;
    double y = 0;
};

struct LayoutStats
{
    int layers = 0;
    int dummyNodes = 0;     // long-edge passes through columns
    int reversedEdges = 0;  // edges turned round to break cycles
    long long crossings = 0; // between adjacent columns, after reduction
    int sweeps = 0;
    double milliseconds = 0; // all of it; the phases below add up to about this
    double orderingMilliseconds = 0;
    double coordinateMilliseconds = 0;
    double routingMilliseconds = 0;
};

// Positions in scene units, y down. Routes run from the source's box to the target's box.
struct LayoutResult
{
    std::vector<QRectF> nodeBoxes;
    std::vector<int> nodeLayer;
    std::vector<double> layerCentre; // x of each column's centre
    std::vector<double> layerWidth;
    std::vector<int> classFirstLayer; // per rankClass (index), the first column it may use; -1 when unused

    std::vector<int> edgeSource; // the input edges, kept for update()
    std::vector<int> edgeTarget;
    std::vector<char> edgeReversed;
    std::vector<EdgeWaypoint> waypoints;
    std::vector<int> waypointStart; // edge i: waypoints[waypointStart[i], waypointStart[i + 1])
    std::vector<QPointF> routePoints;
    std::vector<int> routeStart; // edge i: routePoints[routeStart[i], routeStart[i + 1])

    QRectF bounds;
    LayoutStats stats;

    int nodeCount() const { return static_cast<int>(nodeBoxes.size()); }
    int edgeCount() const { return static_cast<int>(edgeSource.size()); }
    std::span<const QPointF> route(int edge) const;
    std::span<const EdgeWaypoint> edgeWaypoints(int edge) const;
    QPointF centre(int node) const { return nodeBoxes[static_cast<size_t>(node)].center(); }
};

// A layered (Sugiyama) left-to-right layout: cycle breaking, columns by class and delegation, crossing
// reduction by weighted-median sweeps with transposition, Brandes-Köpf coordinates that keep long edges
// straight, and routes that pass between the boxes of every column they cross.
class LayeredLayout final
{
public:
    // Edges with an endpoint out of range are ignored; self loops get an empty route.
    static LayoutResult compute(const LayoutGraph &graph, const LayoutOptions &options = {});

    // Incremental: every node with previousNode[i] >= 0 keeps its box from `previous` exactly; new nodes go
    // to free room in their column near their neighbours, new edges are routed around what is there.
    // Edges between kept nodes that existed before keep their route. previousNode.size() == nodes.size().
    static LayoutResult update(const LayoutGraph &graph, const LayoutResult &previous, std::span<const int> previousNode,
                               const LayoutOptions &options = {});
};

// Crossings of a drawing whose edges run between columns: each edge is sampled at every column it spans
// (its endpoints at their node centres), and two edges cross between two columns when their order flips.
// sampleStart has one entry per edge plus one; samples of an edge are at consecutive columns.
struct ColumnSamples
{
    std::vector<int> sampleStart{0};
    std::vector<int> column;
    std::vector<double> y;

    void addEdge(std::span<const int> columns, std::span<const double> ys);
};
long long countColumnCrossings(const ColumnSamples &samples, int columnCount);

// Samples a layout for countColumnCrossings: node centres at the ends, waypoints in between.
ColumnSamples columnSamples(const LayoutResult &layout);

} // namespace chainsight

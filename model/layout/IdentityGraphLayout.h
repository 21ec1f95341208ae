#pragma once

#include "IdentityGraph.h"
#include "LayeredLayout.h"

#include <QByteArray>
#include <QSizeF>
#include <QString>

#include <cstdint>
#include <vector>

namespace chainsight {

// What the graph draws a node as: agents are told apart by role, a chain without a human gets its own kind.
enum class GraphNodeKind { Human, Supervisor, Worker, SubAgent, Agent, Tool, Shadow, UnknownOriginator };

GraphNodeKind graphNodeKind(const IdentityGraphNode &node);
// human, supervisor, worker, sub-agent, agent, tool, shadow, unknown
QString graphNodeKindName(GraphNodeKind kind);
// Columns left to right: humans, supervisors, workers, sub-agents, tools. Shadows and agents without a role
// start with the supervisors; their delegators push them right.
int graphRankClass(GraphNodeKind kind);
QSizeF graphNodeSize(GraphNodeKind kind);
bool isAgentKind(GraphNodeKind kind);

// Colours (0xRRGGBB) and strokes shared by the view and the command line's SVG and PNG writers.
namespace graphstyle {
std::uint32_t fill(GraphNodeKind kind);
std::uint32_t stroke(GraphNodeKind kind);
// Retention of 0.9 and above is green, from 0.5 amber, below red (as in the chain inspector).
std::uint32_t retentionColour(double retention);
// Dash pattern in stroke widths for the edge's protocol; empty = solid.
std::vector<double> protocolDashes(const QString &protocol);
// Width grows with the log of the call or hop count, 1 to 6.
double edgeWidth(int count);
constexpr std::uint32_t noOwner = 0xc62828;
constexpr std::uint32_t badge = 0xd32f2f;
constexpr std::uint32_t highlight = 0x1565c0;
// Policy replay marks on the graph: paths to denied actions, and to actions whose decision flips in a diff.
constexpr std::uint32_t denied = 0xc2185b;
constexpr std::uint32_t flipped = 0x7b1fa2;
constexpr std::uint32_t text = 0x1b1b1b;
} // namespace graphstyle

// The layout input for an identity graph: node i and edge i of the graph are node i and edge i of the layout.
LayoutGraph layoutGraphOf(const IdentityGraph &graph);

// `chainsight-cli layout --out graph.json`: {"nodes":[{"id","kind","label","x","y","w","h",…}],
// "edges":[{"source","target","kind","points":[[x,y],…],…}]}; x and y are the top-left corner.
QByteArray layoutJson(const IdentityGraph &graph, const LayoutResult &layout);

} // namespace chainsight

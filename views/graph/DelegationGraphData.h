#pragma once

#include "Chain.h"
#include "Finding.h"
#include "IdentityGraph.h"
#include "IdentityGraphLayout.h"
#include "LayeredLayout.h"

#include <QHash>
#include <QList>
#include <QString>

#include <memory>
#include <span>
#include <vector>

namespace chainsight {

// Nodes and edges picked out on the graph: a path, a chain, the matches of a search.
// What a set of marks means, for its colour and the legend.
enum class GraphMarkKind { Path, Denied, Flipped };

struct GraphMarks
{
    std::vector<char> nodes;
    std::vector<char> edges;
    int focusNode = -1; // where the path ends: the node the reviewer asked about
    GraphMarkKind kind = GraphMarkKind::Path;

    bool isEmpty() const { return nodes.empty(); }
};

// Everything the graph view shows of one workspace, laid out; built off the GUI thread and shared read-only.
class DelegationGraphData final
{
public:
    // Lays the graph out. With `previous` (the same workspace before an import), nodes that were there keep
    // their places and only the new ones are fitted in; a graph that mostly changed is laid out afresh.
    static std::shared_ptr<const DelegationGraphData> build(std::shared_ptr<const IdentityGraph> graph,
                                                            std::shared_ptr<const ChainSet> chains, QList<Finding> findings,
                                                            const DelegationGraphData *previous = nullptr,
                                                            const LayoutOptions &options = {});

    // With a layout already computed for this graph (node i, edge i of the graph are those of the layout).
    static std::shared_ptr<const DelegationGraphData> fromLayout(std::shared_ptr<const IdentityGraph> graph,
                                                                 std::shared_ptr<const ChainSet> chains, QList<Finding> findings,
                                                                 LayoutResult layout);

    const IdentityGraph &graph() const { return *m_graph; }
    const ChainSet *chains() const { return m_chains.get(); }
    const QList<Finding> &findings() const { return m_findings; }
    const LayoutResult &layout() const { return m_layout; }
    bool wasUpdatedInPlace() const { return m_updatedInPlace; }

    int nodeCount() const { return static_cast<int>(m_kinds.size()); }
    int edgeCount() const { return static_cast<int>(m_edgeBounds.size()); }
    GraphNodeKind kind(int node) const { return m_kinds[static_cast<size_t>(node)]; }
    const IdentityGraphNode &node(int node) const { return m_graph->nodes.at(node); }
    const IdentityGraphEdge &edge(int edge) const { return m_graph->edges.at(edge); }
    QString label(int node) const;
    const QRectF &box(int node) const { return m_layout.nodeBoxes[static_cast<size_t>(node)]; }
    const QRectF &edgeBounds(int edge) const { return m_edgeBounds[static_cast<size_t>(edge)]; }
    std::span<const int> outEdges(int node) const;
    std::span<const int> inEdges(int node) const;
    int nodeIndex(const QString &id) const { return m_graph->nodeIndex.value(id, -1); }
    int edgeBetween(int source, int target) const;

    // Every protocol on an edge, every rule of a finding, sorted: the choices of the filters.
    QStringList protocols() const { return m_protocols; }
    QStringList rules() const { return m_rules; }
    qint64 firstTimeMs() const { return m_firstTimeMs; }
    qint64 lastTimeMs() const { return m_lastTimeMs; }

    // The delegation paths from the originating humans (or the unknown originator) down to a node.
    GraphMarks pathToOriginators(int node) const;
    // The edge and the paths down to its source.
    GraphMarks pathOfEdge(int edge) const;
    // A finding's chain from its originator to the identity or evidence it names; without a chain, the paths
    // down to its identity.
    GraphMarks pathOfFinding(const Finding &finding) const;
    // One recorded action (an event of a chain): its call and the hops that brought the work to its actor.
    GraphMarks pathOfAction(const QString &chainKey, qint64 eventId) const;
    // Every hop and call of a chain.
    GraphMarks chainMarks(const QString &chainKey) const;

private:
    DelegationGraphData() = default;
    void index();
    GraphMarks emptyMarks() const;
    void markHopsUp(const Chain &chain, int hop, GraphMarks &marks) const;
    void markOriginatorEdge(const Chain &chain, GraphMarks &marks) const;
    void mark(int source, int target, GraphMarks &marks) const;

    std::shared_ptr<const IdentityGraph> m_graph;
    std::shared_ptr<const ChainSet> m_chains;
    QList<Finding> m_findings;
    LayoutResult m_layout;
    bool m_updatedInPlace = false;

    std::vector<GraphNodeKind> m_kinds;
    std::vector<QRectF> m_edgeBounds;
    std::vector<int> m_outStart, m_outEdges, m_inStart, m_inEdges;
    QHash<quint64, int> m_edgeIndex;
    QStringList m_protocols;
    QStringList m_rules;
    qint64 m_firstTimeMs = 0;
    qint64 m_lastTimeMs = 0;
};

} // namespace chainsight

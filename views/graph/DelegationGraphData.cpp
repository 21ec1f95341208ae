#include "DelegationGraphData.h"

#include <QSet>

#include <algorithm>
#include <numeric>

namespace chainsight {
namespace {

size_t at(int index)
{
    return static_cast<size_t>(index);
}

quint64 pairKey(int source, int target)
{
    return (quint64(quint32(source)) << 32) | quint32(target);
}

void buildRows(int nodeCount, const std::vector<int> &owners, std::vector<int> &start, std::vector<int> &items)
{
    start.assign(at(nodeCount) + 1, 0);
    for (int owner : owners)
        ++start[at(owner) + 1];
    std::partial_sum(start.begin(), start.end(), start.begin());
    items.assign(owners.size(), 0);
    std::vector<int> fill(start.begin(), start.end() - 1);
    for (size_t e = 0; e < owners.size(); ++e)
        items[at(fill[at(owners[e])]++)] = static_cast<int>(e);
}

// A new layout is cheaper to read than an old one with most of the graph squeezed into gaps.
constexpr double keepLayoutShare = 0.5;

} // namespace

std::shared_ptr<const DelegationGraphData> DelegationGraphData::build(std::shared_ptr<const IdentityGraph> graph,
                                                                      std::shared_ptr<const ChainSet> chains, QList<Finding> findings,
                                                                      const DelegationGraphData *previous, const LayoutOptions &options)
{
    std::shared_ptr<DelegationGraphData> data(new DelegationGraphData);
    data->m_graph = graph ? std::move(graph) : std::make_shared<const IdentityGraph>();
    data->m_chains = std::move(chains);
    data->m_findings = std::move(findings);
    const LayoutGraph input = layoutGraphOf(*data->m_graph);
    std::vector<int> previousNode(input.nodes.size(), -1);
    int kept = 0;
    if (previous && previous->nodeCount() > 0) {
        for (int v = 0; v < static_cast<int>(input.nodes.size()); ++v) {
            previousNode[at(v)] = previous->nodeIndex(data->m_graph->nodes.at(v).id);
            kept += previousNode[at(v)] >= 0 ? 1 : 0;
        }
    }
    if (kept > 0 && kept >= keepLayoutShare * static_cast<double>(input.nodes.size())) {
        data->m_layout = LayeredLayout::update(input, previous->m_layout, previousNode, options);
        data->m_updatedInPlace = true;
    } else {
        data->m_layout = LayeredLayout::compute(input, options);
    }
    data->index();
    return data;
}

std::shared_ptr<const DelegationGraphData> DelegationGraphData::fromLayout(std::shared_ptr<const IdentityGraph> graph,
                                                                           std::shared_ptr<const ChainSet> chains, QList<Finding> findings,
                                                                           LayoutResult layout)
{
    std::shared_ptr<DelegationGraphData> data(new DelegationGraphData);
    data->m_graph = graph ? std::move(graph) : std::make_shared<const IdentityGraph>();
    data->m_chains = std::move(chains);
    data->m_findings = std::move(findings);
    data->m_layout = std::move(layout);
    if (data->m_layout.nodeCount() != static_cast<int>(data->m_graph->nodes.size())
        || data->m_layout.edgeCount() != static_cast<int>(data->m_graph->edges.size()))
        data->m_layout = LayeredLayout::compute(layoutGraphOf(*data->m_graph)); // not this graph's layout
    data->index();
    return data;
}

void DelegationGraphData::index()
{
    const IdentityGraph &graph = *m_graph;
    const int nodeCount = static_cast<int>(graph.nodes.size());
    m_kinds.clear();
    m_kinds.reserve(at(nodeCount));
    for (const IdentityGraphNode &node : graph.nodes)
        m_kinds.push_back(graphNodeKind(node));
    std::vector<int> sources;
    std::vector<int> targets;
    QSet<QString> protocols;
    m_edgeBounds.clear();
    m_edgeBounds.reserve(at(static_cast<int>(graph.edges.size())));
    for (int e = 0; e < graph.edges.size(); ++e) {
        const IdentityGraphEdge &edge = graph.edges.at(e);
        const bool valid = edge.source >= 0 && edge.target >= 0 && edge.source < nodeCount && edge.target < nodeCount;
        sources.push_back(valid ? edge.source : 0);
        targets.push_back(valid ? edge.target : 0);
        if (valid)
            m_edgeIndex.insert(pairKey(edge.source, edge.target), e);
        for (const QString &protocol : edge.protocols)
            protocols.insert(protocol);
        if (edge.firstTimeMs > 0)
            m_firstTimeMs = m_firstTimeMs == 0 ? edge.firstTimeMs : std::min(m_firstTimeMs, edge.firstTimeMs);
        m_lastTimeMs = std::max(m_lastTimeMs, edge.lastTimeMs);
        QRectF bounds;
        double left = 0, top = 0, right = 0, bottom = 0;
        bool first = true;
        for (const QPointF &point : m_layout.route(e)) {
            if (first) {
                left = right = point.x();
                top = bottom = point.y();
                first = false;
            } else {
                left = std::min(left, point.x());
                right = std::max(right, point.x());
                top = std::min(top, point.y());
                bottom = std::max(bottom, point.y());
            }
        }
        if (!first)
            bounds = QRectF(QPointF(left, top), QPointF(right, bottom)).adjusted(-8, -8, 8, 8); // arrowheads and wide strokes
        m_edgeBounds.push_back(bounds);
    }
    buildRows(nodeCount, sources, m_outStart, m_outEdges);
    buildRows(nodeCount, targets, m_inStart, m_inEdges);
    // Edges that are not valid were parked on node 0; take them out of its rows.
    const auto dropInvalid = [&](std::vector<int> &start, std::vector<int> &items) {
        std::vector<int> kept;
        std::vector<int> newStart(start.size(), 0);
        for (int v = 0; v < nodeCount; ++v) {
            for (int i = start[at(v)]; i < start[at(v) + 1]; ++i) {
                const IdentityGraphEdge &edge = graph.edges.at(items[at(i)]);
                if (edge.source >= 0 && edge.target >= 0 && edge.source < nodeCount && edge.target < nodeCount)
                    kept.push_back(items[at(i)]);
            }
            newStart[at(v) + 1] = static_cast<int>(kept.size());
        }
        start.swap(newStart);
        items.swap(kept);
    };
    dropInvalid(m_outStart, m_outEdges);
    dropInvalid(m_inStart, m_inEdges);
    m_protocols = QStringList(protocols.cbegin(), protocols.cend());
    m_protocols.sort();
    QSet<QString> rules;
    for (const Finding &finding : std::as_const(m_findings))
        rules.insert(finding.rule);
    m_rules = QStringList(rules.cbegin(), rules.cend());
    m_rules.sort();
}

QString DelegationGraphData::label(int node) const
{
    const IdentityGraphNode &n = m_graph->nodes.at(node);
    return n.label.isEmpty() ? n.id : n.label;
}

std::span<const int> DelegationGraphData::outEdges(int node) const
{
    if (node < 0 || node >= nodeCount())
        return {};
    return {m_outEdges.data() + m_outStart[at(node)], m_outEdges.data() + m_outStart[at(node) + 1]};
}

std::span<const int> DelegationGraphData::inEdges(int node) const
{
    if (node < 0 || node >= nodeCount())
        return {};
    return {m_inEdges.data() + m_inStart[at(node)], m_inEdges.data() + m_inStart[at(node) + 1]};
}

int DelegationGraphData::edgeBetween(int source, int target) const
{
    return m_edgeIndex.value(pairKey(source, target), -1);
}

GraphMarks DelegationGraphData::emptyMarks() const
{
    GraphMarks marks;
    marks.nodes.assign(at(nodeCount()), 0);
    marks.edges.assign(at(edgeCount()), 0);
    return marks;
}

GraphMarks DelegationGraphData::pathToOriginators(int node) const
{
    GraphMarks marks = emptyMarks();
    if (node < 0 || node >= nodeCount())
        return marks;
    marks.focusNode = node;
    std::vector<int> stack{node};
    marks.nodes[at(node)] = 1;
    while (!stack.empty()) {
        const int v = stack.back();
        stack.pop_back();
        for (int e : inEdges(v)) {
            marks.edges[at(e)] = 1;
            const int u = edge(e).source;
            if (!marks.nodes[at(u)]) {
                marks.nodes[at(u)] = 1;
                stack.push_back(u);
            }
        }
    }
    return marks;
}

GraphMarks DelegationGraphData::pathOfEdge(int e) const
{
    if (e < 0 || e >= edgeCount())
        return emptyMarks();
    GraphMarks marks = pathToOriginators(edge(e).source);
    marks.edges[at(e)] = 1;
    marks.nodes[at(edge(e).target)] = 1;
    marks.focusNode = edge(e).target;
    return marks;
}

void DelegationGraphData::mark(int source, int target, GraphMarks &marks) const
{
    if (source >= 0)
        marks.nodes[at(source)] = 1;
    if (target >= 0)
        marks.nodes[at(target)] = 1;
    const int e = source >= 0 && target >= 0 ? edgeBetween(source, target) : -1;
    if (e >= 0)
        marks.edges[at(e)] = 1;
}

void DelegationGraphData::markOriginatorEdge(const Chain &chain, GraphMarks &marks) const
{
    const int root = nodeIndex(chain.root);
    // A chain with an originator records the human's hop itself; one without is tied to the unknown originator.
    if (chain.originator.isEmpty())
        mark(nodeIndex(QStringLiteral("unknown-originator")), root, marks);
    else if (root >= 0)
        marks.nodes[at(root)] = 1;
}

void DelegationGraphData::markHopsUp(const Chain &chain, int hop, GraphMarks &marks) const
{
    // parentHop always points to an earlier hop; the bound guards against a malformed chain.
    for (int guard = 0; hop >= 0 && hop < chain.hops.size() && guard <= chain.hops.size(); ++guard) {
        const ChainHop &h = chain.hops.at(hop);
        mark(nodeIndex(h.delegator), nodeIndex(h.delegate), marks);
        hop = h.parentHop;
    }
    markOriginatorEdge(chain, marks);
}

GraphMarks DelegationGraphData::chainMarks(const QString &chainKey) const
{
    GraphMarks marks = emptyMarks();
    const Chain *chain = m_chains ? m_chains->find(chainKey) : nullptr;
    if (!chain)
        return marks;
    for (const ChainHop &hop : chain->hops)
        mark(nodeIndex(hop.delegator), nodeIndex(hop.delegate), marks);
    for (const ChainAction &action : chain->actions)
        mark(nodeIndex(action.actor), nodeIndex(action.tool), marks);
    markOriginatorEdge(*chain, marks);
    marks.focusNode = nodeIndex(chain->root);
    return marks;
}

GraphMarks DelegationGraphData::pathOfAction(const QString &chainKey, qint64 eventId) const
{
    GraphMarks marks = emptyMarks();
    const Chain *chain = m_chains ? m_chains->find(chainKey) : nullptr;
    if (!chain)
        return marks;
    for (const ChainAction &action : chain->actions) {
        if (action.eventId != eventId)
            continue;
        mark(nodeIndex(action.actor), nodeIndex(action.tool), marks);
        markHopsUp(*chain, action.hop, marks);
        marks.focusNode = nodeIndex(action.actor);
        return marks;
    }
    for (int i = 0; i < chain->hops.size(); ++i) {
        if (chain->hops.at(i).eventId == eventId) {
            markHopsUp(*chain, i, marks);
            marks.focusNode = nodeIndex(chain->hops.at(i).delegate);
        }
    }
    return marks;
}

GraphMarks DelegationGraphData::pathOfFinding(const Finding &finding) const
{
    const Chain *chain = m_chains && !finding.chainKey.isEmpty() ? m_chains->find(finding.chainKey) : nullptr;
    const int identity = finding.identity.isEmpty() ? -1 : nodeIndex(finding.identity);
    if (!chain) {
        const int subject = identity >= 0 ? identity : nodeIndex(finding.subject);
        return subject >= 0 ? pathToOriginators(subject) : emptyMarks();
    }
    GraphMarks marks = emptyMarks();
    bool found = false;
    // The evidence first: the actions and hops it names, each with the hops above it.
    const QSet<qint64> evidence(finding.evidence.cbegin(), finding.evidence.cend());
    for (const ChainAction &action : chain->actions) {
        if (!evidence.contains(action.eventId))
            continue;
        mark(nodeIndex(action.actor), nodeIndex(action.tool), marks);
        markHopsUp(*chain, action.hop, marks);
        marks.focusNode = nodeIndex(action.actor);
        found = true;
    }
    for (int i = 0; i < chain->hops.size(); ++i) {
        const ChainHop &hop = chain->hops.at(i);
        if (evidence.contains(hop.eventId) || (identity >= 0 && nodeIndex(hop.delegate) == identity)) {
            markHopsUp(*chain, i, marks);
            if (marks.focusNode < 0 || nodeIndex(hop.delegate) == identity)
                marks.focusNode = nodeIndex(hop.delegate);
            found = true;
        }
    }
    if (!found) {
        marks = chainMarks(finding.chainKey);
        if (identity >= 0)
            marks.focusNode = identity;
    }
    return marks;
}

} // namespace chainsight

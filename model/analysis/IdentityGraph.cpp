#include "IdentityGraph.h"

#include <QSet>

#include <algorithm>

namespace chainsight {
namespace {

constexpr int chainKeysPerEdge = 20; // enough to jump to examples, bounded for huge worlds

ChainPartyKind kindFromName(const QString &kind)
{
    if (kind == QLatin1String("human"))
        return ChainPartyKind::Human;
    if (kind == QLatin1String("agent"))
        return ChainPartyKind::Agent;
    if (kind == QLatin1String("tool"))
        return ChainPartyKind::Tool;
    if (kind == QLatin1String("shadow"))
        return ChainPartyKind::Shadow;
    return ChainPartyKind::Unknown;
}

class GraphBuilder
{
public:
    explicit GraphBuilder(const QList<IdentitySummary> &identities)
    {
        for (const IdentitySummary &identity : identities)
            m_identities.insert(identity.id, &identity);
    }

    int node(const QString &id, ChainPartyKind kind, qint64 identityId)
    {
        const auto it = m_graph.nodeIndex.constFind(id);
        if (it != m_graph.nodeIndex.cend())
            return *it;
        IdentityGraphNode node;
        node.id = id;
        node.identityId = identityId;
        node.kind = kind;
        node.label = id;
        if (const IdentitySummary *identity = m_identities.value(id)) {
            node.role = identity->role;
            node.owner = identity->owner;
            if (!identity->name.isEmpty())
                node.label = identity->name;
            if (kind == ChainPartyKind::Unknown)
                node.kind = kindFromName(identity->kind);
        }
        const int index = int(m_graph.nodes.size());
        m_graph.nodes.append(node);
        m_graph.nodeIndex.insert(id, index);
        return index;
    }

    IdentityGraphEdge &edge(int source, int target, IdentityGraphEdgeKind kind)
    {
        const quint64 key = (quint64(quint32(source)) << 33) | (quint64(quint32(target)) << 1) | (kind == IdentityGraphEdgeKind::Calls ? 1 : 0);
        const auto it = m_edgeIndex.constFind(key);
        if (it != m_edgeIndex.cend())
            return m_graph.edges[*it];
        IdentityGraphEdge edge;
        edge.source = source;
        edge.target = target;
        edge.kind = kind;
        m_edgeIndex.insert(key, int(m_graph.edges.size()));
        m_graph.edges.append(edge);
        m_retentionSum.append(0.0);
        return m_graph.edges.last();
    }

    void count(IdentityGraphEdge &edge, const QStringList &protocols, qint64 timeMs, double retention, const QString &chainKey)
    {
        const int index = int(&edge - m_graph.edges.data());
        ++edge.count;
        m_retentionSum[index] += retention;
        for (const QString &protocol : protocols) {
            if (!edge.protocols.contains(protocol))
                edge.protocols.append(protocol);
        }
        if (timeMs) {
            edge.firstTimeMs = edge.firstTimeMs ? std::min(edge.firstTimeMs, timeMs) : timeMs;
            edge.lastTimeMs = std::max(edge.lastTimeMs, timeMs);
        }
        if (edge.chainKeys.size() < chainKeysPerEdge && (edge.chainKeys.isEmpty() || edge.chainKeys.last() != chainKey))
            edge.chainKeys.append(chainKey);
    }

    IdentityGraph take()
    {
        for (int i = 0; i < m_graph.edges.size(); ++i)
            m_graph.edges[i].retention = m_graph.edges[i].count ? m_retentionSum[i] / m_graph.edges[i].count : 1.0;
        return std::move(m_graph);
    }

    IdentityGraph &graph() { return m_graph; }

private:
    IdentityGraph m_graph;
    QHash<QString, const IdentitySummary *> m_identities;
    QHash<quint64, int> m_edgeIndex;
    QList<double> m_retentionSum;
};

} // namespace

IdentityGraph IdentityGraph::fromChains(const ChainSet &chains, const QList<IdentitySummary> &identities)
{
    GraphBuilder builder(identities);
    const QString unknownOriginator = QStringLiteral("unknown-originator");
    for (const Chain &chain : chains.chains) {
        QSet<int> touched;
        const int root = chain.root.isEmpty() ? -1 : builder.node(chain.root, chain.rootKind, chain.rootId);
        if (root >= 0 && chain.originator.isEmpty()) {
            const int unknown = builder.node(unknownOriginator, ChainPartyKind::Unknown, 0);
            builder.graph().nodes[unknown].label = QStringLiteral("Unknown originator");
            builder.count(builder.edge(unknown, root, IdentityGraphEdgeKind::Delegates), chain.protocols.mid(0, 1),
                          chain.firstTimeMs, chain.retention, chain.key);
            touched.insert(unknown);
        }
        for (const ChainHop &hop : chain.hops) {
            if (hop.delegator.isEmpty() || hop.delegate.isEmpty())
                continue;
            const int from = builder.node(hop.delegator, hop.delegatorKind, hop.delegatorId);
            const int to = builder.node(hop.delegate, hop.delegateKind, hop.delegateId);
            builder.count(builder.edge(from, to, IdentityGraphEdgeKind::Delegates), hop.protocols, hop.timeMs, hop.retention, chain.key);
            touched.insert(from);
            touched.insert(to);
        }
        for (const ChainAction &action : chain.actions) {
            if (action.actor.isEmpty() || action.tool.isEmpty())
                continue;
            const int from = builder.node(action.actor, action.actorKind, action.actorId);
            const int to = builder.node(action.tool, ChainPartyKind::Tool, 0);
            builder.count(builder.edge(from, to, IdentityGraphEdgeKind::Calls), QStringList{action.protocol}, action.timeMs,
                          action.withinIntent ? 1.0 : 0.0, chain.key);
            touched.insert(from);
            touched.insert(to);
        }
        if (root >= 0)
            touched.insert(root);
        for (int index : std::as_const(touched))
            ++builder.graph().nodes[index].chainCount;
    }
    for (const IdentitySummary &identity : identities) {
        if (identity.kind == QLatin1String("agent") || identity.kind == QLatin1String("shadow"))
            builder.node(identity.id, kindFromName(identity.kind), 0);
    }
    return builder.take();
}

void IdentityGraph::attachFindings(const QList<Finding> &findings)
{
    QHash<QString, QList<int>> edgesOfChain;
    for (int i = 0; i < edges.size(); ++i) {
        for (const QString &key : std::as_const(edges[i].chainKeys))
            edgesOfChain[key].append(i);
    }
    for (const Finding &finding : findings) {
        int node = nodeIndex.value(finding.identity, -1);
        if (node < 0)
            node = nodeIndex.value(finding.subject, -1);
        if (node >= 0) {
            ++nodes[node].findingCount;
            if (!nodes[node].findingRules.contains(finding.rule))
                nodes[node].findingRules.append(finding.rule);
        }
        if (!finding.chainKey.isEmpty()) {
            for (int edge : edgesOfChain.value(finding.chainKey))
                ++edges[edge].findingCount;
        }
    }
}

} // namespace chainsight

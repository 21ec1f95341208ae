#pragma once

#include "Chain.h"
#include "Finding.h"
#include "Workspace.h"

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

namespace chainsight {

// The aggregated who-delegates-to-whom graph over all chains, for the graph view and `layout`.
struct IdentityGraphNode
{
    QString id;     // node id: the identity's external id (alias for shadows); "unknown-originator" for chains without one
    qint64 identityId = 0;
    ChainPartyKind kind = ChainPartyKind::Unknown;
    QString role;   // supervisor, worker, sub-agent for agents; sensitivity for tools
    QString label;  // display name
    QString owner;  // agents: the accountable human; empty = no owner
    int chainCount = 0;
    int findingCount = 0; // filled by the caller from stored findings
    QStringList findingRules;
};

enum class IdentityGraphEdgeKind { Delegates, Calls };

struct IdentityGraphEdge
{
    int source = 0; // index into nodes
    int target = 0;
    IdentityGraphEdgeKind kind = IdentityGraphEdgeKind::Delegates;
    QStringList protocols;
    int count = 0;
    qint64 firstTimeMs = 0;
    qint64 lastTimeMs = 0;
    double retention = 1.0; // mean retention of the hops (delegates) or share of calls within intent (calls)
    QStringList chainKeys;  // up to a bounded number of chains that use this edge
    int findingCount = 0;
};

struct IdentityGraph
{
    QList<IdentityGraphNode> nodes;
    QList<IdentityGraphEdge> edges;
    QHash<QString, int> nodeIndex; // id -> index

    // Identities (Workspace::identities) give agents their role, label and owner, and add inventoried
    // agents that no chain reached (an idle orphan is still worth seeing).
    static IdentityGraph fromChains(const ChainSet &chains, const QList<IdentitySummary> &identities = {});
    // Adds the stored findings' rules and counts to the nodes and edges they concern.
    void attachFindings(const QList<Finding> &findings);
};

} // namespace chainsight

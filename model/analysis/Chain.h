#pragma once

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

#include <algorithm>
#include <optional>
#include <vector>

namespace chainsight {

// Kinds of identity on a chain, as the identities table names them.
enum class ChainPartyKind { Human, Agent, Tool, Shadow, Unknown };
QString partyKindName(ChainPartyKind kind);

// One delegation step: `delegator` handed work (and maybe scopes) to `delegate`.
struct ChainHop
{
    qint64 delegatorId = 0; // identities.id; 0 when the delegator is not known (an unknown originator)
    QString delegator;      // external id (or alias of a shadow identity)
    ChainPartyKind delegatorKind = ChainPartyKind::Unknown;
    qint64 delegateId = 0;
    QString delegate;
    ChainPartyKind delegateKind = ChainPartyKind::Unknown;
    QString protocol;      // where the hop was recorded: otlp, keycloak, okta, oauth, aws
    QStringList protocols; // every protocol that recorded this hop (the joins), protocol first
    QStringList scopes;    // scopes granted to the delegate at this hop; empty when none were recorded
    bool inferred = false; // joined by correlation (session, tag) rather than recorded as parent/child
    double confidence = 1.0;
    qint64 timeMs = 0;
    qint64 eventId = 0;   // the event that records the hop; 0 when none
    int level = 0;        // 0 = human -> root agent; 1 = root -> first delegate; ...
    int parentHop = -1;   // index of the hop that delegated to this hop's delegator; -1 at the root
    double retention = 1.0; // share of the actions at or below this hop that stay inside the chain's intent
    int actionCount = 0;    // actions at or below this hop

    bool operator==(const ChainHop &) const = default;
};

// One thing done at a leaf of the chain: a tool call or an API call.
struct ChainAction
{
    qint64 eventId = 0;
    qint64 timeMs = 0;
    qint64 actorId = 0;
    QString actor;
    ChainPartyKind actorKind = ChainPartyKind::Unknown;
    QString protocol;   // otlp, mcp, aws
    QString action;     // tool name, or AWS service:Operation
    QString tool;       // the tool name the action maps to (AWS s3:GetObject -> s3.get_object)
    QString resource;
    int depth = 0;      // agent-to-agent hops between the root agent and the actor
    int hop = -1;       // index of the hop that brought work to the actor; -1 when the actor is the root
    QStringList path;   // agents from the root to the actor, inclusive
    QStringList scopesGranted; // scopes at the actor's hop (empty when not recorded)
    QStringList intentAtActor; // root intent narrowed by the declared intents of every agent on the path
    bool withinIntent = false;
    QString credentialType;         // oauth-token, aws-role-session, api-key, mcp-session or empty
    std::optional<bool> tokenVerified; // set when a token capture of the actor in the chain was checked

    bool operator==(const ChainAction &) const = default;
};

// A delegation chain: an originating human (or none), a root agent, hops below it, actions at the leaves.
struct Chain
{
    QString key;        // the trace id, an AWS session key (ASIA...), or "session:<id>" for token-only chains
    QString originator; // human id; empty = unknown originator
    qint64 originatorId = 0;
    qint64 rootId = 0;
    QString root;
    ChainPartyKind rootKind = ChainPartyKind::Unknown;
    int depth = 0;          // most agent-to-agent hops below the root on any path
    double retention = 1.0; // share of all actions inside the intent; 1.0 when the chain has no action
    qint64 firstTimeMs = 0;
    qint64 lastTimeMs = 0;
    QStringList rootIntents; // declared intents of the root agent
    QStringList rootScopes;  // scopes the originating human granted the root agent, when recorded
    bool humanApproval = false; // an accepted human approval is recorded anywhere in the chain
    QStringList protocols;      // every protocol the chain crosses
    QList<ChainHop> hops;
    QList<ChainAction> actions;

    qint64 withinIntentCount() const;
    bool operator==(const Chain &) const = default;
};

// Event id -> index of the chain that holds it. Event ids are row ids, dense from 1, so they index a flat
// array (a tenth of a hash table's memory, and no hashing for the million inserts of an analysis); an id far
// past the others (only a damaged or hand-made set has one) goes to a hash table instead.
class EventChainIndex
{
public:
    // Sizes the flat part for event ids up to highestEventId.
    void reserve(qint64 highestEventId);
    void insert(qint64 eventId, int chain);
    int value(qint64 eventId, int fallback = -1) const;
    qsizetype size() const { return m_count; }
    bool isEmpty() const { return m_count == 0; }
    // Every entry in event order.
    template<typename Visit> void forEach(Visit visit) const
    {
        QList<qint64> sparse = m_sparse.keys();
        std::sort(sparse.begin(), sparse.end());
        const auto afterDense = std::lower_bound(sparse.cbegin(), sparse.cend(), qint64(0)); // negative ids first
        for (auto it = sparse.cbegin(); it != afterDense; ++it)
            visit(*it, m_sparse.value(*it));
        for (std::size_t id = 0; id < m_dense.size(); ++id) {
            if (m_dense[id] >= 0)
                visit(qint64(id), m_dense[id]);
        }
        for (auto it = afterDense; it != sparse.cend(); ++it)
            visit(*it, m_sparse.value(*it));
    }
    bool operator==(const EventChainIndex &other) const;

private:
    std::vector<int> m_dense; // by event id; -1 where no chain holds the event
    QHash<qint64, int> m_sparse;
    qsizetype m_count = 0;
};

struct ChainSet
{
    QList<Chain> chains;
    QHash<QString, int> indexByKey;
    EventChainIndex chainOfEvent; // for every event a chain holds

    const Chain *find(const QString &key) const;
    bool operator==(const ChainSet &) const = default;
};

} // namespace chainsight

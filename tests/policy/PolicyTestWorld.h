#pragma once

#include "Chain.h"
#include "PolicyInventory.h"

#include <QHash>
#include <QString>

// A small hand-made world: two humans, three agents (one without an owner), a shadow, three tools, and three
// chains (alice's, one without an originator, bob's with a shadow and an AWS call).
namespace PolicyTestWorld {

using namespace chainsight;

inline PolicyParty human(const QString &id, const QString &department)
{
    PolicyParty p;
    p.kind = ChainPartyKind::Human;
    p.externalId = id;
    p.name = id;
    p.department = department;
    return p;
}

inline PolicyParty agent(const QString &id, const QString &role, const QString &owner, const QStringList &intents,
                         std::optional<qint64> maxDepth = std::nullopt)
{
    PolicyParty p;
    p.kind = ChainPartyKind::Agent;
    p.externalId = id;
    p.name = id;
    p.role = role;
    p.owner = owner;
    p.purpose = QStringLiteral("test ") + role;
    p.intents = intents;
    p.maxDelegationDepth = maxDepth;
    return p;
}

inline PolicyParty tool(const QString &id, const QString &category, const QString &sensitivity)
{
    PolicyParty p;
    p.kind = ChainPartyKind::Tool;
    p.externalId = id;
    p.category = category;
    p.sensitivity = sensitivity;
    p.server = QStringLiteral("mcp://tools.example");
    return p;
}

inline PolicyInventory inventory()
{
    PolicyInventory inventory;
    inventory.add(1, human(QStringLiteral("alice"), QStringLiteral("Finance")));
    inventory.add(2, human(QStringLiteral("bob"), QStringLiteral("Support")));
    inventory.add(10, agent(QStringLiteral("sup"), QStringLiteral("supervisor"), QStringLiteral("alice"),
                            {QStringLiteral("crm.read"), QStringLiteral("crm.update"), QStringLiteral("pay.send")}, 2));
    inventory.add(11, agent(QStringLiteral("worker"), QStringLiteral("worker"), QStringLiteral("bob"),
                            {QStringLiteral("crm.read"), QStringLiteral("crm.update")}));
    inventory.add(12, agent(QStringLiteral("orphan"), QStringLiteral("worker"), QString(), {QStringLiteral("s3.get_object")}));
    PolicyParty ghost;
    ghost.kind = ChainPartyKind::Shadow;
    ghost.externalId = QStringLiteral("ghost");
    inventory.add(13, ghost);
    inventory.add(20, tool(QStringLiteral("crm.read"), QStringLiteral("read"), QStringLiteral("low")));
    inventory.add(21, tool(QStringLiteral("crm.update"), QStringLiteral("write"), QStringLiteral("medium")));
    inventory.add(22, tool(QStringLiteral("pay.send"), QStringLiteral("payment"), QStringLiteral("critical")));
    return inventory;
}

inline ChainHop hop(qint64 fromId, const QString &from, ChainPartyKind fromKind, qint64 toId, const QString &to,
                    ChainPartyKind toKind, int level, const QStringList &scopes)
{
    ChainHop h;
    h.delegatorId = fromId;
    h.delegator = from;
    h.delegatorKind = fromKind;
    h.delegateId = toId;
    h.delegate = to;
    h.delegateKind = toKind;
    h.level = level;
    h.scopes = scopes;
    h.protocol = QStringLiteral("otlp");
    return h;
}

inline ChainAction action(qint64 eventId, qint64 timeMs, qint64 actorId, const QString &actor, ChainPartyKind kind,
                          const QString &tool, int depth, int hopIndex, const QStringList &path, const QStringList &intent,
                          const QStringList &scopes)
{
    ChainAction a;
    a.eventId = eventId;
    a.timeMs = timeMs;
    a.actorId = actorId;
    a.actor = actor;
    a.actorKind = kind;
    a.protocol = QStringLiteral("otlp");
    a.action = tool;
    a.tool = tool;
    a.depth = depth;
    a.hop = hopIndex;
    a.path = path;
    a.scopesGranted = scopes;
    a.intentAtActor = intent;
    a.withinIntent = intent.contains(tool);
    return a;
}

// Event ids 101.. are alice's chain, 201 the chain without originator, 301.. bob's chain.
constexpr qint64 hour = 3600 * 1000;
constexpr qint64 start = 1772438400000; // 2026-03-02T08:00:00Z

inline ChainSet chains()
{
    const QString sup = QStringLiteral("sup");
    const QString worker = QStringLiteral("worker");
    const QStringList crm{QStringLiteral("crm")};
    const QStringList all{QStringLiteral("crm"), QStringLiteral("pay")};
    const QStringList supIntent{QStringLiteral("crm.read"), QStringLiteral("crm.update"), QStringLiteral("pay.send")};
    const QStringList workerIntent{QStringLiteral("crm.read"), QStringLiteral("crm.update")};
    ChainSet set;

    Chain t1;
    t1.key = QStringLiteral("t1");
    t1.originator = QStringLiteral("alice");
    t1.originatorId = 1;
    t1.rootId = 10;
    t1.root = sup;
    t1.rootKind = ChainPartyKind::Agent;
    t1.rootIntents = supIntent;
    t1.rootScopes = all;
    t1.humanApproval = true;
    t1.hops = {hop(1, QStringLiteral("alice"), ChainPartyKind::Human, 10, sup, ChainPartyKind::Agent, 0, all),
               hop(10, sup, ChainPartyKind::Agent, 11, worker, ChainPartyKind::Agent, 1, crm)};
    t1.actions = {action(101, start, 10, sup, ChainPartyKind::Agent, QStringLiteral("crm.read"), 0, 0, {sup}, supIntent, all),
                  action(102, start + 1000, 11, worker, ChainPartyKind::Agent, QStringLiteral("crm.update"), 1, 1,
                         {sup, worker}, workerIntent, crm),
                  action(103, start + 2000, 11, worker, ChainPartyKind::Agent, QStringLiteral("pay.send"), 1, 1,
                         {sup, worker}, workerIntent, {QStringLiteral("crm"), QStringLiteral("admin")})};
    t1.actions[0].resource = QStringLiteral("crm.example");
    t1.actions[1].tokenVerified = false;
    t1.actions[1].credentialType = QStringLiteral("oauth-token");
    set.chains.append(t1);

    Chain t2;
    t2.key = QStringLiteral("t2");
    t2.rootId = 10;
    t2.root = sup;
    t2.rootKind = ChainPartyKind::Agent;
    t2.rootIntents = supIntent;
    t2.actions = {action(201, start + hour, 10, sup, ChainPartyKind::Agent, QStringLiteral("crm.read"), 0, -1, {sup}, supIntent, {})};
    set.chains.append(t2);

    Chain t3;
    t3.key = QStringLiteral("t3");
    t3.originator = QStringLiteral("bob");
    t3.originatorId = 2;
    t3.rootId = 11;
    t3.root = worker;
    t3.rootKind = ChainPartyKind::Agent;
    t3.rootIntents = workerIntent;
    t3.hops = {hop(2, QStringLiteral("bob"), ChainPartyKind::Human, 11, worker, ChainPartyKind::Agent, 0, {}),
               hop(11, worker, ChainPartyKind::Agent, 13, QStringLiteral("ghost"), ChainPartyKind::Shadow, 1, {})};
    t3.actions = {action(301, start + 2 * hour, 13, QStringLiteral("ghost"), ChainPartyKind::Shadow, QStringLiteral("crm.read"), 1, 1,
                         {worker, QStringLiteral("ghost")}, {}, {}),
                  action(302, start + 3 * hour, 12, QStringLiteral("orphan"), ChainPartyKind::Agent, QStringLiteral("s3.get_object"),
                         0, -1, {QStringLiteral("orphan")}, {QStringLiteral("s3.get_object")}, {})};
    t3.actions[1].protocol = QStringLiteral("aws");
    t3.actions[1].action = QStringLiteral("s3:GetObject");
    t3.actions[1].resource = QStringLiteral("arn:aws:s3:us-west-2:111122223333:bucket/key");
    t3.actions[1].credentialType = QStringLiteral("aws-role-session");
    set.chains.append(t3);
    for (int i = 0; i < set.chains.size(); ++i)
        set.indexByKey.insert(set.chains[i].key, i);
    return set;
}

inline QHash<qint64, QString> toolArguments()
{
    return {{103, QStringLiteral("{\"amount\": 1200, \"to\": \"acct-9\", \"memo\": null, \"rate\": 0.25}")}};
}

} // namespace PolicyTestWorld

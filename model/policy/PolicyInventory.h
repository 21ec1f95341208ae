#pragma once

#include "Chain.h"

#include <QHash>
#include <QString>
#include <QStringList>

#include <optional>

namespace chainsight {

class SqliteDatabase;

// One identity of the workspace with the inventory attributes a policy can read.
struct PolicyParty
{
    ChainPartyKind kind = ChainPartyKind::Unknown;
    QString externalId; // alias for shadow identities
    QString name;
    QString department;
    // Agents
    QString role;
    QString owner; // human id; empty when nobody owns the agent
    QString purpose;
    QStringList intents;
    QStringList mayDelegateTo;
    std::optional<qint64> maxDelegationDepth;
    // Tools
    QString category;
    QString sensitivity;
    QString server;
};

// Every identity of a workspace, read once for a replay.
struct PolicyInventory
{
    QHash<qint64, PolicyParty> parties; // identities.id -> party
    QHash<QString, qint64> agentByExternalId;
    QHash<QString, qint64> humanByExternalId;
    QHash<QString, qint64> shadowByAlias;
    QHash<QString, qint64> toolByName;

    const PolicyParty *find(qint64 id) const;
    const PolicyParty *tool(const QString &name) const;
    const PolicyParty *agent(const QString &externalId) const;
    const PolicyParty *human(const QString &externalId) const;
    void add(qint64 id, PolicyParty party);

    // Throws SqliteError on a store failure.
    static PolicyInventory load(SqliteDatabase &db);
};

} // namespace chainsight

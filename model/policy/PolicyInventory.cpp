#include "PolicyInventory.h"

#include "SqliteDatabase.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace chainsight {
namespace {

QStringList jsonStringList(const QString &text)
{
    QStringList out;
    if (text.isEmpty())
        return out;
    const QJsonArray array = QJsonDocument::fromJson(text.toUtf8()).array();
    for (const QJsonValue &value : array) {
        if (value.isString())
            out.append(value.toString());
    }
    return out;
}

ChainPartyKind kindFromName(const QString &kind)
{
    if (kind == QLatin1String("agent"))
        return ChainPartyKind::Agent;
    if (kind == QLatin1String("human"))
        return ChainPartyKind::Human;
    if (kind == QLatin1String("tool"))
        return ChainPartyKind::Tool;
    if (kind == QLatin1String("shadow"))
        return ChainPartyKind::Shadow;
    return ChainPartyKind::Unknown;
}

} // namespace

const PolicyParty *PolicyInventory::find(qint64 id) const
{
    const auto it = parties.constFind(id);
    return it == parties.cend() ? nullptr : &*it;
}

const PolicyParty *PolicyInventory::tool(const QString &name) const
{
    return find(toolByName.value(name, 0));
}

const PolicyParty *PolicyInventory::agent(const QString &externalId) const
{
    return find(agentByExternalId.value(externalId, 0));
}

const PolicyParty *PolicyInventory::human(const QString &externalId) const
{
    return find(humanByExternalId.value(externalId, 0));
}

void PolicyInventory::add(qint64 id, PolicyParty party)
{
    switch (party.kind) {
    case ChainPartyKind::Agent: agentByExternalId.insert(party.externalId, id); break;
    case ChainPartyKind::Human: humanByExternalId.insert(party.externalId, id); break;
    case ChainPartyKind::Shadow: shadowByAlias.insert(party.externalId, id); break;
    case ChainPartyKind::Tool: toolByName.insert(party.externalId, id); break;
    case ChainPartyKind::Unknown: break;
    }
    parties.insert(id, std::move(party));
}

PolicyInventory PolicyInventory::load(SqliteDatabase &db)
{
    PolicyInventory inventory;
    SqliteStatement query(db, "SELECT id, kind, external_id, display_name, role, owner, purpose, department, intents, "
                              "may_delegate_to, max_delegation_depth, server, sensitivity, category FROM identities");
    while (query.step()) {
        PolicyParty party;
        party.kind = kindFromName(query.text(1));
        party.externalId = query.text(2);
        party.name = query.text(3);
        party.role = query.text(4);
        party.owner = query.text(5).trimmed();
        party.purpose = query.text(6);
        party.department = query.text(7);
        party.intents = jsonStringList(query.text(8));
        party.mayDelegateTo = jsonStringList(query.text(9));
        party.maxDelegationDepth = query.optionalInt64(10);
        party.server = query.text(11);
        party.sensitivity = query.text(12);
        party.category = query.text(13);
        inventory.add(query.int64(0), std::move(party));
    }
    return inventory;
}

} // namespace chainsight

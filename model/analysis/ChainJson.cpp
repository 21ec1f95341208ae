#include "ChainJson.h"

#include <QDateTime>
#include <QJsonArray>

#include <cmath>

namespace chainsight {
namespace {

QJsonValue optionalText(const QString &text)
{
    return text.isEmpty() ? QJsonValue() : QJsonValue(text);
}

QJsonValue timeValue(qint64 timeMs)
{
    return timeMs ? QJsonValue(timeText(timeMs)) : QJsonValue();
}

double rounded(double value)
{
    return std::round(value * 10000.0) / 10000.0;
}

} // namespace

QString timeText(qint64 timeMs)
{
    if (!timeMs)
        return QString();
    return QDateTime::fromMSecsSinceEpoch(timeMs, Qt::UTC).toString(Qt::ISODateWithMs);
}

QJsonObject hopToJson(const ChainHop &hop)
{
    return QJsonObject{
        {QStringLiteral("from"), optionalText(hop.delegator)},
        {QStringLiteral("from_kind"), partyKindName(hop.delegatorKind)},
        {QStringLiteral("to"), optionalText(hop.delegate)},
        {QStringLiteral("to_kind"), partyKindName(hop.delegateKind)},
        {QStringLiteral("protocol"), hop.protocol},
        {QStringLiteral("protocols"), QJsonArray::fromStringList(hop.protocols)},
        {QStringLiteral("scopes"), QJsonArray::fromStringList(hop.scopes)},
        {QStringLiteral("link"), hop.inferred ? QStringLiteral("inferred") : QStringLiteral("explicit")},
        {QStringLiteral("confidence"), hop.confidence},
        {QStringLiteral("time"), timeValue(hop.timeMs)},
        {QStringLiteral("event"), hop.eventId ? QJsonValue(hop.eventId) : QJsonValue()},
        {QStringLiteral("level"), hop.level},
        {QStringLiteral("retention"), rounded(hop.retention)},
        {QStringLiteral("actions"), hop.actionCount},
    };
}

QJsonObject actionToJson(const ChainAction &action)
{
    QJsonObject object{
        {QStringLiteral("event"), action.eventId},
        {QStringLiteral("actor"), optionalText(action.actor)},
        {QStringLiteral("actor_kind"), partyKindName(action.actorKind)},
        {QStringLiteral("protocol"), action.protocol},
        {QStringLiteral("action"), action.action},
        {QStringLiteral("tool"), action.tool},
        {QStringLiteral("resource"), optionalText(action.resource)},
        {QStringLiteral("time"), timeValue(action.timeMs)},
        {QStringLiteral("depth"), action.depth},
        {QStringLiteral("within_intent"), action.withinIntent},
    };
    if (!action.credentialType.isEmpty())
        object.insert(QStringLiteral("credential"), action.credentialType);
    if (action.tokenVerified)
        object.insert(QStringLiteral("token_verified"), *action.tokenVerified);
    return object;
}

QJsonObject chainToJson(const Chain &chain, bool withActions)
{
    QJsonArray hops;
    for (const ChainHop &hop : chain.hops)
        hops.append(hopToJson(hop));
    QJsonObject object{
        {QStringLiteral("id"), chain.key},
        {QStringLiteral("originator"), optionalText(chain.originator)},
        {QStringLiteral("root_agent"), optionalText(chain.root)},
        {QStringLiteral("depth"), chain.depth},
        {QStringLiteral("retention"), rounded(chain.retention)},
        {QStringLiteral("protocols"), QJsonArray::fromStringList(chain.protocols)},
        {QStringLiteral("first_time"), timeValue(chain.firstTimeMs)},
        {QStringLiteral("last_time"), timeValue(chain.lastTimeMs)},
        {QStringLiteral("human_approval"), chain.humanApproval},
        {QStringLiteral("root_intents"), QJsonArray::fromStringList(chain.rootIntents)},
        {QStringLiteral("root_scopes"), QJsonArray::fromStringList(chain.rootScopes)},
        {QStringLiteral("hops"), hops},
        {QStringLiteral("action_count"), chain.actions.size()},
    };
    if (withActions) {
        QJsonArray actions;
        for (const ChainAction &action : chain.actions)
            actions.append(actionToJson(action));
        object.insert(QStringLiteral("actions"), actions);
    }
    return object;
}

} // namespace chainsight

#include "Chain.h"

namespace chainsight {

QString partyKindName(ChainPartyKind kind)
{
    switch (kind) {
    case ChainPartyKind::Human:
        return QStringLiteral("human");
    case ChainPartyKind::Agent:
        return QStringLiteral("agent");
    case ChainPartyKind::Tool:
        return QStringLiteral("tool");
    case ChainPartyKind::Shadow:
        return QStringLiteral("shadow");
    case ChainPartyKind::Unknown:
        break;
    }
    return QStringLiteral("unknown");
}

qint64 Chain::withinIntentCount() const
{
    qint64 count = 0;
    for (const ChainAction &action : actions)
        count += action.withinIntent ? 1 : 0;
    return count;
}

const Chain *ChainSet::find(const QString &key) const
{
    const auto it = indexByKey.constFind(key);
    return it == indexByKey.cend() ? nullptr : &chains.at(*it);
}

} // namespace chainsight

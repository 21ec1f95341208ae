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

void EventChainIndex::reserve(qint64 highestEventId)
{
    // Bounded, so a wild id cannot ask for gigabytes: beyond it the hash table takes over.
    constexpr qint64 largestDense = qint64(1) << 28;
    if (highestEventId >= 0 && highestEventId < largestDense && std::size_t(highestEventId) >= m_dense.size())
        m_dense.resize(std::size_t(highestEventId) + 1, -1);
}

void EventChainIndex::insert(qint64 eventId, int chain)
{
    if (eventId >= 0 && std::size_t(eventId) < m_dense.size()) {
        int &slot = m_dense[std::size_t(eventId)];
        m_count += slot < 0 ? 1 : 0;
        slot = chain;
        return;
    }
    const auto before = m_sparse.size();
    m_sparse.insert(eventId, chain);
    m_count += m_sparse.size() - before;
}

int EventChainIndex::value(qint64 eventId, int fallback) const
{
    if (eventId >= 0 && std::size_t(eventId) < m_dense.size())
        return m_dense[std::size_t(eventId)] >= 0 ? m_dense[std::size_t(eventId)] : fallback;
    return m_sparse.value(eventId, fallback);
}

bool EventChainIndex::operator==(const EventChainIndex &other) const
{
    if (m_count != other.m_count)
        return false;
    bool same = true;
    forEach([&](qint64 eventId, int chain) { same = same && other.value(eventId) == chain; });
    return same;
}

const Chain *ChainSet::find(const QString &key) const
{
    const auto it = indexByKey.constFind(key);
    return it == indexByKey.cend() ? nullptr : &chains.at(*it);
}

} // namespace chainsight

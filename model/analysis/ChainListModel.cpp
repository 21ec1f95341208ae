#include "ChainListModel.h"

#include "ChainJson.h"

namespace chainsight {

ChainListModel::ChainListModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void ChainListModel::setChains(std::shared_ptr<const ChainSet> chains)
{
    beginResetModel();
    m_chains = std::move(chains);
    endResetModel();
}

const Chain *ChainListModel::chainAt(int row) const
{
    if (!m_chains || row < 0 || row >= m_chains->chains.size())
        return nullptr;
    return &m_chains->chains.at(row);
}

int ChainListModel::rowOf(const QString &key) const
{
    return m_chains ? m_chains->indexByKey.value(key, -1) : -1;
}

int ChainListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() || !m_chains ? 0 : int(m_chains->chains.size());
}

int ChainListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ChainListModel::data(const QModelIndex &index, int role) const
{
    const Chain *chain = index.isValid() ? chainAt(index.row()) : nullptr;
    if (!chain)
        return {};
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case KeyColumn:
            return chain->key;
        case OriginatorColumn:
            return chain->originator.isEmpty() ? tr("unknown originator") : chain->originator;
        case RootColumn:
            return chain->root;
        case DepthColumn:
            return chain->depth;
        case RetentionColumn:
            return QStringLiteral("%1 %").arg(qRound(chain->retention * 100.0));
        case HopsColumn:
            return chain->hops.size();
        case ActionsColumn:
            return chain->actions.size();
        case ProtocolsColumn:
            return chain->protocols.join(QStringLiteral(" + "));
        case FirstTimeColumn:
            return timeText(chain->firstTimeMs);
        }
        return {};
    case SortRole:
        switch (index.column()) {
        case DepthColumn:
            return chain->depth;
        case RetentionColumn:
            return chain->retention;
        case HopsColumn:
            return chain->hops.size();
        case ActionsColumn:
            return chain->actions.size();
        case FirstTimeColumn:
            return chain->firstTimeMs;
        default:
            return data(index, Qt::DisplayRole);
        }
    case RetentionRole:
        return chain->retention;
    case UnknownOriginatorRole:
        return chain->originator.isEmpty();
    case SearchTextRole:
        return QStringList{chain->key, chain->originator, chain->root, chain->protocols.join(QLatin1Char(' '))}.join(QLatin1Char(' '));
    case Qt::ToolTipRole:
        if (index.column() == RetentionColumn)
            return tr("%1 of %2 actions stay inside what the originator asked for").arg(chain->withinIntentCount()).arg(chain->actions.size());
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() >= DepthColumn && index.column() <= ActionsColumn)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    }
    return {};
}

QVariant ChainListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case KeyColumn:
        return tr("Chain");
    case OriginatorColumn:
        return tr("Originator");
    case RootColumn:
        return tr("Root agent");
    case DepthColumn:
        return tr("Depth");
    case RetentionColumn:
        return tr("Retention");
    case HopsColumn:
        return tr("Hops");
    case ActionsColumn:
        return tr("Actions");
    case ProtocolsColumn:
        return tr("Protocols");
    case FirstTimeColumn:
        return tr("Started");
    }
    return {};
}

ChainFilterProxyModel::ChainFilterProxyModel(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(ChainListModel::SortRole);
}

void ChainFilterProxyModel::setFilterText(const QString &text)
{
    m_words = text.split(QLatin1Char(' '), Qt::SkipEmptyParts);
    invalidateFilter();
}

void ChainFilterProxyModel::setUnknownOriginatorOnly(bool only)
{
    m_unknownOnly = only;
    invalidateFilter();
}

void ChainFilterProxyModel::setMinimumDepth(int depth)
{
    m_minimumDepth = depth;
    invalidateFilter();
}

bool ChainFilterProxyModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    if (m_unknownOnly && !index.data(ChainListModel::UnknownOriginatorRole).toBool())
        return false;
    if (m_minimumDepth > 0 && sourceModel()->index(sourceRow, ChainListModel::DepthColumn, sourceParent).data(ChainListModel::SortRole).toInt() < m_minimumDepth)
        return false;
    const QString text = index.data(ChainListModel::SearchTextRole).toString();
    for (const QString &word : m_words) {
        if (!text.contains(word, Qt::CaseInsensitive))
            return false;
    }
    return true;
}

} // namespace chainsight

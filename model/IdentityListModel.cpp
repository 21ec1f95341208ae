#include "IdentityListModel.h"

#include <QDateTime>

namespace chainsight {

IdentityListModel::IdentityListModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

QString IdentityListModel::kindLabel(const QString &kind)
{
    if (kind == QLatin1String("shadow"))
        return tr("shadow (not in inventory)");
    return kind;
}

void IdentityListModel::setIdentities(QList<IdentitySummary> identities)
{
    beginResetModel();
    m_identities = std::move(identities);
    endResetModel();
}

int IdentityListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_identities.size());
}

int IdentityListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant IdentityListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const IdentitySummary &identity = m_identities.at(index.row());
    switch (role) {
    case KindRole:
        return identity.kind;
    case IdentityIdRole:
        return identity.id;
    case SearchTextRole:
        return QStringList{identity.id, identity.kind, identity.name, identity.owner, identity.protocols.join(QLatin1Char(' ')),
                           identity.aliases.join(QLatin1Char(' '))}
            .join(QLatin1Char(' '));
    case Qt::ToolTipRole:
        if (index.column() == AliasesColumn)
            return identity.aliases.join(QLatin1Char('\n'));
        if (index.column() == EventsColumn && identity.firstSeenMs) {
            return tr("First seen %1, last seen %2 (UTC)")
                .arg(QDateTime::fromMSecsSinceEpoch(*identity.firstSeenMs, Qt::UTC).toString(Qt::ISODate),
                     QDateTime::fromMSecsSinceEpoch(identity.lastSeenMs.value_or(*identity.firstSeenMs), Qt::UTC).toString(Qt::ISODate));
        }
        if (index.column() == KindColumn && identity.kind == QLatin1String("shadow"))
            return tr("An actor seen in the logs that no inventory credential declares");
        return {};
    case Qt::TextAlignmentRole:
        return index.column() == EventsColumn ? QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter) : QVariant();
    case Qt::DisplayRole:
    case SortRole:
        switch (index.column()) {
        case IdColumn:
            return identity.id;
        case KindColumn:
            if (role == SortRole) // what needs attention first: shadows, then agents, humans, tools
                return identity.kind == QLatin1String("shadow") ? 0 : identity.kind == QLatin1String("agent") ? 1
                       : identity.kind == QLatin1String("human")                                          ? 2
                                                                                                           : 3;
            return kindLabel(identity.kind);
        case NameColumn:
            return identity.name;
        case OwnerColumn:
            return identity.owner;
        case ProtocolsColumn:
            return identity.protocols.join(QStringLiteral(", "));
        case EventsColumn:
            return identity.events;
        case AliasesColumn:
            return role == SortRole ? QVariant(static_cast<int>(identity.aliases.size())) : QVariant(identity.aliases.join(QStringLiteral(", ")));
        default:
            return {};
        }
    default:
        return {};
    }
}

QVariant IdentityListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case IdColumn:
        return tr("Identity");
    case KindColumn:
        return tr("Kind");
    case NameColumn:
        return tr("Name");
    case OwnerColumn:
        return tr("Owner");
    case ProtocolsColumn:
        return tr("Seen in");
    case EventsColumn:
        return tr("Events");
    case AliasesColumn:
        return tr("Aliases");
    default:
        return {};
    }
}

IdentityFilterProxyModel::IdentityFilterProxyModel(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(IdentityListModel::SortRole);
    setSortCaseSensitivity(Qt::CaseInsensitive);
}

void IdentityFilterProxyModel::setFilterText(const QString &text)
{
    const QStringList words = text.split(QLatin1Char(' '), Qt::SkipEmptyParts);
    if (words == m_words)
        return;
    m_words = words;
    invalidateFilter();
}

void IdentityFilterProxyModel::setKind(const QString &kind)
{
    if (kind == m_kind)
        return;
    m_kind = kind;
    invalidateFilter();
}

bool IdentityFilterProxyModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    if (!m_kind.isEmpty() && index.data(IdentityListModel::KindRole).toString() != m_kind)
        return false;
    const QString haystack = index.data(IdentityListModel::SearchTextRole).toString();
    for (const QString &word : m_words) {
        if (!haystack.contains(word, Qt::CaseInsensitive))
            return false;
    }
    return true;
}

} // namespace chainsight

#include "AgentInventoryModel.h"

namespace chainsight {
namespace {

QString credentialSummary(const AgentSummary &agent)
{
    QStringList parts;
    for (const CredentialRecord &credential : agent.credentials)
        parts.push_back(credential.type + QLatin1Char(':') + credential.id);
    return parts.join(QStringLiteral(", "));
}

QString credentialTypes(const AgentSummary &agent)
{
    QStringList types;
    for (const CredentialRecord &credential : agent.credentials) {
        if (!types.contains(credential.type))
            types.push_back(credential.type);
    }
    return types.join(QStringLiteral(", "));
}

} // namespace

AgentInventoryModel::AgentInventoryModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

QString AgentInventoryModel::noOwnerText()
{
    return tr("no owner");
}

void AgentInventoryModel::setAgents(QList<AgentSummary> agents)
{
    beginResetModel();
    m_agents = std::move(agents);
    endResetModel();
}

int AgentInventoryModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_agents.size());
}

int AgentInventoryModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant AgentInventoryModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const AgentSummary &agent = m_agents.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case SortRole:
        switch (index.column()) {
        case IdColumn:
            return agent.id;
        case NameColumn:
            return agent.name;
        case RoleColumn:
            return agent.role;
        case OwnerColumn:
            if (role == SortRole) // agents nobody owns sort first: they are what a reviewer looks for
                return agent.owner.isEmpty() ? QString() : agent.owner;
            return agent.owner.isEmpty() ? noOwnerText() : agent.owner;
        case PurposeColumn:
            return agent.purpose;
        case IntentsColumn:
            return agent.intents.join(QStringLiteral(", "));
        case CredentialsColumn:
            if (role == SortRole)
                return static_cast<int>(agent.credentials.size());
            return agent.credentials.isEmpty()
                       ? tr("none")
                       : QStringLiteral("%1 · %2").arg(agent.credentials.size()).arg(credentialTypes(agent));
        }
        return {};
    case Qt::ToolTipRole:
        switch (index.column()) {
        case OwnerColumn:
            return agent.owner.isEmpty() ? tr("Nobody answers for this agent: the inventory names no owner.")
                                         : tr("Accountable human: %1").arg(agent.owner);
        case CredentialsColumn:
            return credentialSummary(agent);
        case IntentsColumn:
            return agent.intents.join(QLatin1Char('\n'));
        case PurposeColumn:
            return agent.purpose;
        default:
            return {};
        }
    case Qt::AccessibleTextRole:
        return data(index, Qt::DisplayRole);
    case HasOwnerRole:
        return !agent.owner.isEmpty();
    case AgentIdRole:
        return agent.id;
    case SearchTextRole:
        return QStringList{agent.id, agent.name, agent.role, agent.owner.isEmpty() ? noOwnerText() : agent.owner,
                           agent.purpose, agent.intents.join(QLatin1Char(' ')), credentialSummary(agent)}
            .join(QLatin1Char(' '));
    default:
        return {};
    }
}

QVariant AgentInventoryModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case IdColumn:
        return tr("Agent");
    case NameColumn:
        return tr("Name");
    case RoleColumn:
        return tr("Role");
    case OwnerColumn:
        return tr("Owner");
    case PurposeColumn:
        return tr("Purpose");
    case IntentsColumn:
        return tr("Intents");
    case CredentialsColumn:
        return tr("Credentials");
    default:
        return {};
    }
}

AgentFilterProxyModel::AgentFilterProxyModel(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(AgentInventoryModel::SortRole);
    setSortCaseSensitivity(Qt::CaseInsensitive);
    setSortLocaleAware(true);
}

void AgentFilterProxyModel::setFilterText(const QString &text)
{
    const QStringList words = text.split(QLatin1Char(' '), Qt::SkipEmptyParts);
    if (words == m_words)
        return;
    m_words = words;
    invalidateFilter();
}

void AgentFilterProxyModel::setOnlyWithoutOwner(bool only)
{
    if (only == m_onlyWithoutOwner)
        return;
    m_onlyWithoutOwner = only;
    invalidateFilter();
}

bool AgentFilterProxyModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    if (m_onlyWithoutOwner && index.data(AgentInventoryModel::HasOwnerRole).toBool())
        return false;
    const QString haystack = index.data(AgentInventoryModel::SearchTextRole).toString();
    for (const QString &word : m_words) {
        if (!haystack.contains(word, Qt::CaseInsensitive))
            return false;
    }
    return true;
}

} // namespace chainsight

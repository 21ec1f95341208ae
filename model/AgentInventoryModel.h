#pragma once

#include "Workspace.h"

#include <QAbstractTableModel>
#include <QSortFilterProxyModel>

namespace chainsight {

// The agents of a workspace, one row each; the inventory panel shows it through AgentFilterProxyModel.
class AgentInventoryModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { IdColumn, NameColumn, RoleColumn, OwnerColumn, PurposeColumn, IntentsColumn, CredentialsColumn,
                  ColumnCount };
    enum Role {
        SortRole = Qt::UserRole + 1,
        HasOwnerRole,   // bool: false when nobody answers for the agent
        AgentIdRole,    // QString
        SearchTextRole, // QString: everything the filter box matches against
    };

    explicit AgentInventoryModel(QObject *parent = nullptr);

    void setAgents(QList<AgentSummary> agents);
    const QList<AgentSummary> &agents() const { return m_agents; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    static QString noOwnerText();

private:
    QList<AgentSummary> m_agents;
};

// Sorts by SortRole and keeps rows whose search text contains every word of the filter.
class AgentFilterProxyModel final : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit AgentFilterProxyModel(QObject *parent = nullptr);

    void setFilterText(const QString &text);
    void setOnlyWithoutOwner(bool only);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QStringList m_words;
    bool m_onlyWithoutOwner = false;
};

} // namespace chainsight

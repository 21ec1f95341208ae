#pragma once

#include "Workspace.h"

#include <QAbstractTableModel>
#include <QSortFilterProxyModel>

namespace chainsight {

// Every identity of the workspace, with the protocols it was seen in and its aliases.
class IdentityListModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { IdColumn, KindColumn, NameColumn, OwnerColumn, ProtocolsColumn, EventsColumn, AliasesColumn, ColumnCount };
    enum Role {
        SortRole = Qt::UserRole + 1,
        KindRole,       // human, agent, tool, shadow
        IdentityIdRole, // external id
        SearchTextRole,
    };

    explicit IdentityListModel(QObject *parent = nullptr);

    void setIdentities(QList<IdentitySummary> identities);
    const QList<IdentitySummary> &identities() const { return m_identities; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    static QString kindLabel(const QString &kind);

private:
    QList<IdentitySummary> m_identities;
};

// Keeps identities of one kind (or all) whose search text holds every word of the filter.
class IdentityFilterProxyModel final : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit IdentityFilterProxyModel(QObject *parent = nullptr);

    void setFilterText(const QString &text);
    void setKind(const QString &kind); // empty: all kinds

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QStringList m_words;
    QString m_kind;
};

} // namespace chainsight

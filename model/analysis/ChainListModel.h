#pragma once

#include "Chain.h"

#include <QAbstractTableModel>
#include <QSortFilterProxyModel>

#include <memory>

namespace chainsight {

// One chain a row: key, originator, root agent, depth, retention, hops, actions, protocols, time.
class ChainListModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { KeyColumn, OriginatorColumn, RootColumn, DepthColumn, RetentionColumn, HopsColumn, ActionsColumn,
                  ProtocolsColumn, FirstTimeColumn, ColumnCount };
    enum Role {
        SortRole = Qt::UserRole + 1,
        RetentionRole,     // double 0..1
        UnknownOriginatorRole,
        SearchTextRole,
    };

    explicit ChainListModel(QObject *parent = nullptr);

    void setChains(std::shared_ptr<const ChainSet> chains);
    const ChainSet *chains() const { return m_chains.get(); }
    const Chain *chainAt(int row) const;
    int rowOf(const QString &key) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::shared_ptr<const ChainSet> m_chains;
};

// Keeps chains whose text holds every word of the filter, optionally only those without an originator
// or at least a given depth.
class ChainFilterProxyModel final : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit ChainFilterProxyModel(QObject *parent = nullptr);

    void setFilterText(const QString &text);
    void setUnknownOriginatorOnly(bool only);
    void setMinimumDepth(int depth);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QStringList m_words;
    bool m_unknownOnly = false;
    int m_minimumDepth = 0;
};

} // namespace chainsight

#pragma once

#include "Finding.h"

#include <QAbstractTableModel>
#include <QSortFilterProxyModel>

#include <optional>

namespace chainsight {

class Workspace;

// The findings of the workspace's latest analysis run, as stored; nullopt with *error on a store error.
std::optional<QList<Finding>> storedFindings(const Workspace &workspace, QString *error);

// One finding a row: severity, rule, subject, identity, chain and why it matters.
class FindingListModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { SeverityColumn, RuleColumn, SubjectColumn, IdentityColumn, ChainColumn, EvidenceColumn, LastSeenColumn, ExplanationColumn,
                  ColumnCount };
    enum Role {
        SortRole = Qt::UserRole + 1,
        SeverityRole, // int: FindingSeverity, higher is worse
        RuleRole,
        FirstSeenRole, // qint64 ms since the epoch, or invalid
        LastSeenRole,
        SearchTextRole,
    };

    explicit FindingListModel(QObject *parent = nullptr);

    void setFindings(QList<Finding> findings);
    const QList<Finding> &findings() const { return m_findings; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QList<Finding> m_findings;
};

// Keeps findings at or above a severity whose text holds every word of the filter.
class FindingFilterProxyModel final : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit FindingFilterProxyModel(QObject *parent = nullptr);

    void setFilterText(const QString &text);
    void setMinimumSeverity(FindingSeverity severity);
    void setRule(const QString &rule); // empty: every rule
    // Keeps findings whose evidence time span overlaps [from, to]; both empty: no time filter.
    void setTimeRange(std::optional<qint64> fromMs, std::optional<qint64> toMs);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QStringList m_words;
    FindingSeverity m_minimum = FindingSeverity::Low;
    QString m_rule;
    std::optional<qint64> m_fromMs;
    std::optional<qint64> m_toMs;
};

} // namespace chainsight

#pragma once

#include "PolicyDiff.h"
#include "PolicySimulator.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QSortFilterProxyModel>

#include <memory>
#include <optional>

namespace chainsight {

// One row per replayed action: time, decision, principal, action, resource, determining policies, errors, chain.
// With a baseline, a column shows the baseline's decision and flipped rows are marked (FlippedRole).
class SimulationResultModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Time, Decision, Baseline, Principal, Action, Resource, Reasons, Errors, Chain, Event, ColumnCount };
    enum Role {
        SortRole = Qt::UserRole + 1, // numbers and raw text for sorting
        DecisionRole,                // "allow" or "deny"
        FlippedRole,                 // bool: the baseline decided otherwise
        ResultRowRole,               // row in the SimulationResult
        EventIdRole,
        TimeMsRole,
    };

    explicit SimulationResultModel(QObject *parent = nullptr);

    // baseline null: no diff. Both must replay the same corpus.
    void setResult(std::shared_ptr<const SimulationResult> result, std::shared_ptr<const SimulationResult> baseline = {});
    std::shared_ptr<const SimulationResult> result() const { return m_result; }
    std::shared_ptr<const SimulationResult> baseline() const { return m_baseline; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Typed accessors for the filter proxy: no QVariant per row.
    PolicyDecision decisionAt(int row) const;
    bool flippedAt(int row) const;
    qint64 timeAt(int row) const;
    bool rowHasReason(int row, const QString &policy) const;
    bool rowMatches(int row, const QString &needle) const; // case-insensitive, over the text columns
    QString principalAt(int row) const;

private:
    const QString &uidText(cedar::EntityUid uid) const;
    std::optional<PolicyDecision> baselineDecision(int row) const;

    std::shared_ptr<const SimulationResult> m_result;
    std::shared_ptr<const SimulationResult> m_baseline;
    std::vector<int32_t> m_baselineRow; // result row -> baseline row, -1 when the baseline did not cover it
    mutable QHash<cedar::EntityUid, QString> m_uidText;
};

// Filters the results table by decision, flips, policy, time range and a search text; sorts by SortRole.
class SimulationFilterProxy final : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    enum class DecisionFilter { All, Allow, Deny };

    explicit SimulationFilterProxy(QObject *parent = nullptr);

    void setDecisionFilter(DecisionFilter filter);
    void setFlipsOnly(bool flipsOnly);
    void setPolicy(const QString &policy); // empty: any
    void setPrincipal(const QString &principal); // Cedar text, empty: any
    void setSearchText(const QString &text);
    void setTimeRange(std::optional<qint64> fromMs, std::optional<qint64> toMs);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;

private:
    DecisionFilter m_decision = DecisionFilter::All;
    bool m_flipsOnly = false;
    QString m_policy;
    QString m_principal;
    QString m_search;
    std::optional<qint64> m_fromMs;
    std::optional<qint64> m_toMs;
};

// The flips of a diff as a tree: groups (by policy or by chain) with their counts, the flipped actions below.
class PolicyDiffModel final : public QAbstractItemModel
{
    Q_OBJECT
public:
    enum class Grouping { ByPolicy, ByChain };
    enum Column { Name, Flips, AllowToDeny, DenyToAllow, ColumnCount };
    enum Role { FlipIndexRole = Qt::UserRole + 1, CandidateRowRole };

    explicit PolicyDiffModel(QObject *parent = nullptr);

    void setDiff(std::shared_ptr<const PolicyDiff> diff, std::shared_ptr<const SimulationResult> candidate);
    void setGrouping(Grouping grouping);
    Grouping grouping() const { return m_grouping; }

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    const QList<PolicyFlipGroup> &groups() const;

    std::shared_ptr<const PolicyDiff> m_diff;
    std::shared_ptr<const SimulationResult> m_candidate;
    Grouping m_grouping = Grouping::ByPolicy;
};

} // namespace chainsight

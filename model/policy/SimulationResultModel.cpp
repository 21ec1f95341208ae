#include "SimulationResultModel.h"

#include "SimulationReport.h"

namespace chainsight {

SimulationResultModel::SimulationResultModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void SimulationResultModel::setResult(std::shared_ptr<const SimulationResult> result,
                                      std::shared_ptr<const SimulationResult> baseline)
{
    beginResetModel();
    m_result = std::move(result);
    m_baseline = std::move(baseline);
    m_baselineRow.clear();
    if (m_result && m_baseline) {
        m_baselineRow.assign(m_result->size(), -1);
        size_t b = 0;
        for (size_t row = 0; row < m_result->size(); ++row) {
            while (b < m_baseline->size() && m_baseline->rows[b] < m_result->rows[row])
                ++b;
            if (b < m_baseline->size() && m_baseline->rows[b] == m_result->rows[row])
                m_baselineRow[row] = int32_t(b);
        }
    }
    endResetModel();
}

int SimulationResultModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() || !m_result ? 0 : int(m_result->size());
}

int SimulationResultModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

const QString &SimulationResultModel::uidText(cedar::EntityUid uid) const
{
    auto it = m_uidText.find(uid);
    if (it == m_uidText.end())
        it = m_uidText.insert(uid, entityText(uid));
    return *it;
}

std::optional<PolicyDecision> SimulationResultModel::baselineDecision(int row) const
{
    if (!m_baseline || m_baselineRow[size_t(row)] < 0)
        return std::nullopt;
    return m_baseline->decisions[size_t(m_baselineRow[size_t(row)])].decision;
}

PolicyDecision SimulationResultModel::decisionAt(int row) const
{
    return m_result->decisions[size_t(row)].decision;
}

bool SimulationResultModel::flippedAt(int row) const
{
    const auto before = baselineDecision(row);
    return before && *before != decisionAt(row);
}

qint64 SimulationResultModel::timeAt(int row) const
{
    return m_result->action(size_t(row)).timeMs;
}

QString SimulationResultModel::principalAt(int row) const
{
    return uidText(m_result->action(size_t(row)).principal);
}

bool SimulationResultModel::rowHasReason(int row, const QString &policy) const
{
    const ReplayDecision &d = m_result->decisions[size_t(row)];
    for (uint32_t i = 0; i < d.reasonCount; ++i) {
        if (m_result->policyIds.value(m_result->reasonPool[d.reasonOffset + i]) == policy)
            return true;
    }
    for (uint32_t i = 0; i < d.errorCount; ++i) {
        if (m_result->policyIds.value(m_result->errors[d.errorOffset + i].policy) == policy)
            return true;
    }
    return false;
}

bool SimulationResultModel::rowMatches(int row, const QString &needle) const
{
    const ReplayAction &a = m_result->action(size_t(row));
    if (uidText(a.principal).contains(needle, Qt::CaseInsensitive) || uidText(a.action).contains(needle, Qt::CaseInsensitive)
        || uidText(a.resource).contains(needle, Qt::CaseInsensitive)
        || m_result->corpus->chains()[a.chain].key.contains(needle, Qt::CaseInsensitive)
        || QString::number(a.eventId) == needle)
        return true;
    for (const QString &reason : m_result->reasons(size_t(row))) {
        if (reason.contains(needle, Qt::CaseInsensitive))
            return true;
    }
    return false;
}

QVariant SimulationResultModel::data(const QModelIndex &index, int role) const
{
    if (!m_result || !index.isValid() || index.row() >= rowCount())
        return {};
    const int row = index.row();
    const ReplayAction &a = m_result->action(size_t(row));
    const ReplayDecision &d = m_result->decisions[size_t(row)];
    switch (role) {
    case DecisionRole: return decisionName(d.decision);
    case FlippedRole: return flippedAt(row);
    case ResultRowRole: return row;
    case EventIdRole: return a.eventId;
    case TimeMsRole: return a.timeMs;
    case Qt::ToolTipRole:
        if (index.column() == Errors && d.errorCount > 0) {
            QStringList lines;
            for (const ReplayError *e : m_result->rowErrors(size_t(row)))
                lines.append(m_result->policyIds.value(e->policy) + QStringLiteral(": ") + QString::fromStdString(e->message));
            return lines.join(QLatin1Char('\n'));
        }
        return {};
    case Qt::DisplayRole:
    case SortRole: {
        const bool sort = role == SortRole;
        switch (Column(index.column())) {
        case Time: return sort ? QVariant(a.timeMs) : QVariant(rfc3339Utc(a.timeMs));
        case Decision: return decisionName(d.decision);
        case Baseline: {
            const auto before = baselineDecision(row);
            return before ? decisionName(*before) : QString();
        }
        case Principal: return uidText(a.principal);
        case Action: return uidText(a.action);
        case Resource: return uidText(a.resource);
        case Reasons: {
            const QStringList reasons = m_result->reasons(size_t(row));
            if (reasons.isEmpty() && d.decision == PolicyDecision::Deny)
                return tr("(no permit applies)");
            return reasons.join(QStringLiteral(", "));
        }
        case Errors: {
            if (sort)
                return int(d.errorCount);
            QStringList ids;
            for (const ReplayError *e : m_result->rowErrors(size_t(row)))
                ids.append(m_result->policyIds.value(e->policy));
            return ids.join(QStringLiteral(", "));
        }
        case Chain: return m_result->corpus->chains()[a.chain].key;
        case Event: return a.eventId;
        case ColumnCount: break;
        }
        return {};
    }
    default: return {};
    }
}

QVariant SimulationResultModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (Column(section)) {
    case Time: return tr("Time (UTC)");
    case Decision: return tr("Decision");
    case Baseline: return tr("Baseline");
    case Principal: return tr("Principal");
    case Action: return tr("Action");
    case Resource: return tr("Resource");
    case Reasons: return tr("Determining policies");
    case Errors: return tr("Erring policies");
    case Chain: return tr("Chain");
    case Event: return tr("Event");
    case ColumnCount: break;
    }
    return {};
}

SimulationFilterProxy::SimulationFilterProxy(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(SimulationResultModel::SortRole);
}

void SimulationFilterProxy::setDecisionFilter(DecisionFilter filter)
{
    m_decision = filter;
    invalidateFilter();
}

void SimulationFilterProxy::setFlipsOnly(bool flipsOnly)
{
    m_flipsOnly = flipsOnly;
    invalidateFilter();
}

void SimulationFilterProxy::setPolicy(const QString &policy)
{
    m_policy = policy;
    invalidateFilter();
}

void SimulationFilterProxy::setPrincipal(const QString &principal)
{
    m_principal = principal;
    invalidateFilter();
}

void SimulationFilterProxy::setSearchText(const QString &text)
{
    m_search = text.trimmed();
    invalidateFilter();
}

void SimulationFilterProxy::setTimeRange(std::optional<qint64> fromMs, std::optional<qint64> toMs)
{
    m_fromMs = fromMs;
    m_toMs = toMs;
    invalidateFilter();
}

bool SimulationFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const auto *model = qobject_cast<const SimulationResultModel *>(sourceModel());
    if (!model || sourceParent.isValid())
        return true;
    if (m_decision == DecisionFilter::Allow && model->decisionAt(sourceRow) != PolicyDecision::Allow)
        return false;
    if (m_decision == DecisionFilter::Deny && model->decisionAt(sourceRow) != PolicyDecision::Deny)
        return false;
    if (m_flipsOnly && !model->flippedAt(sourceRow))
        return false;
    if (m_fromMs && model->timeAt(sourceRow) < *m_fromMs)
        return false;
    if (m_toMs && model->timeAt(sourceRow) > *m_toMs)
        return false;
    if (!m_policy.isEmpty() && !model->rowHasReason(sourceRow, m_policy))
        return false;
    if (!m_principal.isEmpty() && model->principalAt(sourceRow) != m_principal)
        return false;
    return m_search.isEmpty() || model->rowMatches(sourceRow, m_search);
}

bool SimulationFilterProxy::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    const auto *model = qobject_cast<const SimulationResultModel *>(sourceModel());
    if (model && left.column() == SimulationResultModel::Time && right.column() == SimulationResultModel::Time)
        return model->timeAt(left.row()) < model->timeAt(right.row()); // the common sort, without QVariants
    return QSortFilterProxyModel::lessThan(left, right);
}

PolicyDiffModel::PolicyDiffModel(QObject *parent)
    : QAbstractItemModel(parent)
{
}

void PolicyDiffModel::setDiff(std::shared_ptr<const PolicyDiff> diff, std::shared_ptr<const SimulationResult> candidate)
{
    beginResetModel();
    m_diff = std::move(diff);
    m_candidate = std::move(candidate);
    endResetModel();
}

void PolicyDiffModel::setGrouping(Grouping grouping)
{
    if (grouping == m_grouping)
        return;
    beginResetModel();
    m_grouping = grouping;
    endResetModel();
}

const QList<PolicyFlipGroup> &PolicyDiffModel::groups() const
{
    return m_grouping == Grouping::ByPolicy ? m_diff->byPolicy : m_diff->byChain;
}

// Group rows have internal id 0; a flip row's internal id is its group's row + 1.
QModelIndex PolicyDiffModel::index(int row, int column, const QModelIndex &parent) const
{
    if (!hasIndex(row, column, parent))
        return {};
    if (!parent.isValid())
        return createIndex(row, column, quintptr(0));
    return createIndex(row, column, quintptr(parent.row() + 1));
}

QModelIndex PolicyDiffModel::parent(const QModelIndex &child) const
{
    if (!child.isValid() || child.internalId() == 0)
        return {};
    return createIndex(int(child.internalId() - 1), 0, quintptr(0));
}

int PolicyDiffModel::rowCount(const QModelIndex &parent) const
{
    if (!m_diff)
        return 0;
    if (!parent.isValid())
        return int(groups().size());
    if (parent.internalId() != 0 || parent.column() != 0)
        return 0;
    return int(groups()[parent.row()].flips.size());
}

int PolicyDiffModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

QVariant PolicyDiffModel::data(const QModelIndex &index, int role) const
{
    if (!m_diff || !index.isValid())
        return {};
    if (index.internalId() == 0) {
        const PolicyFlipGroup &group = groups()[index.row()];
        if (role != Qt::DisplayRole)
            return {};
        switch (Column(index.column())) {
        case Name: return group.name;
        case Flips: return group.count();
        case AllowToDeny: return group.allowToDeny;
        case DenyToAllow: return group.denyToAllow;
        case ColumnCount: break;
        }
        return {};
    }
    const PolicyFlipGroup &group = groups()[int(index.internalId() - 1)];
    const uint32_t flipIndex = group.flips[size_t(index.row())];
    const PolicyFlip &flip = m_diff->flips[flipIndex];
    switch (role) {
    case FlipIndexRole: return flipIndex;
    case CandidateRowRole: return flip.candidateRow;
    case Qt::DisplayRole:
        if (index.column() == Name) {
            const ReplayAction &a = m_candidate->action(flip.candidateRow);
            const QString other = m_grouping == Grouping::ByPolicy ? m_candidate->corpus->chains()[a.chain].key
                                                                   : flip.responsible.join(QStringLiteral(", "));
            return QStringLiteral("%1 → %2  %3  %4 %5  (%6)")
                .arg(decisionName(flip.before), decisionName(flip.after), rfc3339Utc(a.timeMs), entityText(a.principal),
                     entityText(a.action), other);
        }
        if (index.column() == AllowToDeny)
            return flip.after == PolicyDecision::Deny ? 1 : 0;
        if (index.column() == DenyToAllow)
            return flip.after == PolicyDecision::Allow ? 1 : 0;
        return {};
    default: return {};
    }
}

QVariant PolicyDiffModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (Column(section)) {
    case Name: return m_grouping == Grouping::ByPolicy ? tr("Policy / flipped action") : tr("Chain / flipped action");
    case Flips: return tr("Flips");
    case AllowToDeny: return tr("Allow → deny");
    case DenyToAllow: return tr("Deny → allow");
    case ColumnCount: break;
    }
    return {};
}

} // namespace chainsight

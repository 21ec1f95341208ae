#include "FindingListModel.h"

#include "SqliteDatabase.h"
#include "Workspace.h"

#include <QDateTime>

#include <nlohmann/json.hpp>

#include <limits>

namespace chainsight {

std::optional<QList<Finding>> storedFindings(const Workspace &workspace, QString *error)
{
    try {
        QList<Finding> findings;
        SqliteStatement rows(workspace.database(),
                             "SELECT f.id, f.rule, f.severity, f.subject, f.title, f.explanation, f.chain_key, f.identity_id, "
                             "i.external_id, f.evidence, f.first_seen_ms, f.last_seen_ms FROM findings f LEFT JOIN identities i ON i.id = f.identity_id "
                             "ORDER BY f.id");
        while (rows.step()) {
            Finding finding;
            finding.id = rows.int64(0);
            finding.rule = rows.text(1);
            finding.severity = severityFromName(rows.text(2)).value_or(FindingSeverity::Low);
            finding.subject = rows.text(3);
            finding.title = rows.text(4);
            finding.explanation = rows.text(5);
            finding.chainKey = rows.text(6);
            finding.identityId = rows.optionalInt64(7);
            finding.identity = rows.text(8);
            const auto evidence = nlohmann::json::parse(rows.text(9).toStdString(), nullptr, false);
            if (evidence.is_array()) {
                for (const auto &id : evidence) {
                    if (id.is_number_integer())
                        finding.evidence.push_back(id.get<qint64>());
                }
            }
            finding.firstSeenMs = rows.optionalInt64(10);
            finding.lastSeenMs = rows.optionalInt64(11);
            findings.push_back(finding);
        }
        return findings;
    } catch (const SqliteError &e) {
        if (error)
            *error = e.message();
        return std::nullopt;
    }
}

FindingListModel::FindingListModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void FindingListModel::setFindings(QList<Finding> findings)
{
    beginResetModel();
    m_findings = std::move(findings);
    endResetModel();
}

int FindingListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_findings.size());
}

int FindingListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant FindingListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Finding &finding = m_findings.at(index.row());
    switch (role) {
    case SeverityRole:
        return static_cast<int>(finding.severity);
    case RuleRole:
        return finding.rule;
    case FirstSeenRole:
        return finding.firstSeenMs ? QVariant(*finding.firstSeenMs) : QVariant();
    case LastSeenRole:
        return finding.lastSeenMs ? QVariant(*finding.lastSeenMs) : QVariant();
    case SearchTextRole:
        return QStringList{finding.rule, severityName(finding.severity), finding.subject, finding.identity, finding.chainKey,
                           finding.title}
            .join(QLatin1Char(' '));
    case Qt::ToolTipRole:
        return index.column() == ExplanationColumn || index.column() == RuleColumn ? finding.explanation : QVariant();
    case Qt::DisplayRole:
    case SortRole:
        switch (index.column()) {
        case SeverityColumn:
            return role == SortRole ? QVariant(static_cast<int>(finding.severity)) : QVariant(severityName(finding.severity));
        case RuleColumn:
            return finding.rule;
        case SubjectColumn:
            return finding.subject;
        case IdentityColumn:
            return finding.identity;
        case ChainColumn:
            return finding.chainKey;
        case EvidenceColumn:
            return static_cast<int>(finding.evidence.size());
        case LastSeenColumn:
            if (!finding.lastSeenMs)
                return role == SortRole ? QVariant(std::numeric_limits<qint64>::min()) : QVariant();
            return role == SortRole ? QVariant(*finding.lastSeenMs)
                                    : QVariant(QDateTime::fromMSecsSinceEpoch(*finding.lastSeenMs, Qt::UTC)
                                                   .toString(QStringLiteral("yyyy-MM-dd HH:mm 'UTC'")));
        case ExplanationColumn:
            return finding.title.isEmpty() ? finding.explanation : finding.title;
        default:
            return {};
        }
    default:
        return {};
    }
}

QVariant FindingListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case SeverityColumn:
        return tr("Severity");
    case RuleColumn:
        return tr("Rule");
    case SubjectColumn:
        return tr("Subject");
    case IdentityColumn:
        return tr("Identity");
    case ChainColumn:
        return tr("Chain (trace)");
    case EvidenceColumn:
        return tr("Evidence");
    case LastSeenColumn:
        return tr("Last seen");
    case ExplanationColumn:
        return tr("Finding");
    default:
        return {};
    }
}

FindingFilterProxyModel::FindingFilterProxyModel(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(FindingListModel::SortRole);
    setSortCaseSensitivity(Qt::CaseInsensitive);
}

void FindingFilterProxyModel::setFilterText(const QString &text)
{
    const QStringList words = text.split(QLatin1Char(' '), Qt::SkipEmptyParts);
    if (words == m_words)
        return;
    m_words = words;
    invalidateFilter();
}

void FindingFilterProxyModel::setMinimumSeverity(FindingSeverity severity)
{
    if (severity == m_minimum)
        return;
    m_minimum = severity;
    invalidateFilter();
}

void FindingFilterProxyModel::setTimeRange(std::optional<qint64> fromMs, std::optional<qint64> toMs)
{
    if (fromMs == m_fromMs && toMs == m_toMs)
        return;
    m_fromMs = fromMs;
    m_toMs = toMs;
    invalidateFilter();
}

void FindingFilterProxyModel::setRule(const QString &rule)
{
    if (rule == m_rule)
        return;
    m_rule = rule;
    invalidateFilter();
}

bool FindingFilterProxyModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    if (index.data(FindingListModel::SeverityRole).toInt() < static_cast<int>(m_minimum))
        return false;
    if (!m_rule.isEmpty() && index.data(FindingListModel::RuleRole).toString() != m_rule)
        return false;
    if (m_fromMs || m_toMs) {
        // A finding is in a range when its evidence span overlaps it; one without times is in none.
        const QVariant first = index.data(FindingListModel::FirstSeenRole);
        const QVariant last = index.data(FindingListModel::LastSeenRole);
        if (!first.isValid() || !last.isValid())
            return false;
        if (m_fromMs && last.toLongLong() < *m_fromMs)
            return false;
        if (m_toMs && first.toLongLong() > *m_toMs)
            return false;
    }
    const QString haystack = index.data(FindingListModel::SearchTextRole).toString();
    for (const QString &word : m_words) {
        if (!haystack.contains(word, Qt::CaseInsensitive))
            return false;
    }
    return true;
}

} // namespace chainsight

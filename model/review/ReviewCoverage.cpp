#include "ReviewCoverage.h"

#include <algorithm>

namespace chainsight {
namespace {

QString indexKey(ReviewSubjectKind kind, const QString &subject)
{
    return reviewSubjectKindName(kind) + QLatin1Char('\n') + subject;
}

// Counts one subject; true when a review is in force.
bool countSubject(ReviewCoverageCount &count, const ReviewRecord *latest, QDate today, QList<ReviewRecord> &expired)
{
    ++count.total;
    if (!latest)
        return false;
    if (!reviewIsInForce(*latest, today)) {
        ++count.expired;
        expired.push_back(*latest);
        return false;
    }
    ++count.reviewed;
    ++count.byStatus.at(static_cast<std::size_t>(latest->status));
    return true;
}

} // namespace

ReviewIndex::ReviewIndex(const QList<ReviewRecord> &records)
{
    for (const ReviewRecord &record : records) {
        const QString key = indexKey(record.subjectKind, record.subject);
        const auto found = m_latest.constFind(key);
        if (found == m_latest.cend() || found->id < record.id)
            m_latest.insert(key, record);
    }
}

const ReviewRecord *ReviewIndex::latest(ReviewSubjectKind kind, const QString &subject) const
{
    const auto found = m_latest.constFind(indexKey(kind, subject));
    return found == m_latest.cend() ? nullptr : &*found;
}

const ReviewRecord *ReviewIndex::latestForFinding(const Finding &finding) const
{
    return latest(ReviewSubjectKind::Finding, findingReviewKey(finding.rule, finding.subject));
}

bool reviewIsInForce(const ReviewRecord &record, QDate today)
{
    if (record.status != ReviewStatus::AcceptedRisk || record.expiresAt.isEmpty())
        return true;
    const QDate expires = QDate::fromString(record.expiresAt, Qt::ISODate);
    return expires.isValid() && today < expires;
}

ReviewCoverage computeReviewCoverage(const QStringList &chainKeys, const QList<Finding> &findings,
                                     const QStringList &identityIds, const ReviewIndex &reviews, QDate today)
{
    ReviewCoverage coverage;
    for (const QString &key : chainKeys)
        countSubject(coverage.chains, reviews.latest(ReviewSubjectKind::Chain, key), today, coverage.expiredAcceptances);
    for (const QString &id : identityIds)
        countSubject(coverage.identities, reviews.latest(ReviewSubjectKind::Identity, id), today, coverage.expiredAcceptances);
    for (const Finding &finding : findings) {
        const bool reviewed = countSubject(coverage.findings, reviews.latestForFinding(finding), today, coverage.expiredAcceptances);
        if (!reviewed && finding.severity >= FindingSeverity::High)
            coverage.unreviewedHighSeverity.push_back(finding);
    }
    std::stable_sort(coverage.unreviewedHighSeverity.begin(), coverage.unreviewedHighSeverity.end(),
                     [](const Finding &a, const Finding &b) { return a.severity > b.severity; });
    return coverage;
}

} // namespace chainsight

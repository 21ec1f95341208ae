#pragma once

#include "Finding.h"
#include "Review.h"

#include <QDate>
#include <QHash>
#include <QList>
#include <QStringList>

#include <array>
#include <optional>

namespace chainsight {

// The review in force for each subject: the latest record wins, nothing earlier is edited.
class ReviewIndex final
{
public:
    ReviewIndex() = default;
    explicit ReviewIndex(const QList<ReviewRecord> &records);

    // The latest review of the subject, whatever its status; nullptr when it was never reviewed.
    const ReviewRecord *latest(ReviewSubjectKind kind, const QString &subject) const;
    const ReviewRecord *latestForFinding(const Finding &finding) const;

private:
    QHash<QString, ReviewRecord> m_latest; // "kind\nsubject" -> record
};

// An accepted risk counts until its expiry date; after that the subject is unreviewed again.
bool reviewIsInForce(const ReviewRecord &record, QDate today);

struct ReviewCoverageCount
{
    int total = 0;
    int reviewed = 0;                 // with a review in force
    std::array<int, 4> byStatus = {}; // indexed by ReviewStatus, reviews in force only
    int expired = 0;                  // accepted risks past their expiry date

    int count(ReviewStatus status) const { return byStatus.at(static_cast<std::size_t>(status)); }
};

struct ReviewCoverage
{
    ReviewCoverageCount chains;
    ReviewCoverageCount findings;
    ReviewCoverageCount identities;
    QList<Finding> unreviewedHighSeverity; // high and critical findings with no review in force, worst first
    QList<ReviewRecord> expiredAcceptances; // latest reviews that are accepted risks past their date
};

// Coverage of the given subjects; reviews of subjects no longer present (a chain not rebuilt) are not counted.
ReviewCoverage computeReviewCoverage(const QStringList &chainKeys, const QList<Finding> &findings,
                                     const QStringList &identityIds, const ReviewIndex &reviews, QDate today);

} // namespace chainsight

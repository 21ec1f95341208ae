#pragma once

#include <QByteArray>
#include <QDate>
#include <QString>

#include <optional>

namespace chainsight {

enum class ReviewSubjectKind { Chain, Finding, Identity };
enum class ReviewStatus { Approved, AcceptedRisk, NeedsRemediation, FalsePositive };

// The words the store, the CLI and the report use: chain, finding, identity.
QString reviewSubjectKindName(ReviewSubjectKind kind);
std::optional<ReviewSubjectKind> reviewSubjectKindFromName(const QString &name);
// approved, accepted-risk, needs-remediation, false-positive.
QString reviewStatusName(ReviewStatus status);
std::optional<ReviewStatus> reviewStatusFromName(const QString &name);
// "Accepted risk" and so on, for tables and the PDF.
QString reviewStatusLabel(ReviewStatus status);

// Findings are stored again by every analysis run, so a review names a finding by rule and subject,
// which stay the same across runs: "shadow-agent:quick-helper-bot".
QString findingReviewKey(const QString &rule, const QString &subject);

// What a reviewer states; the log adds the time, the link to the previous record and the hash.
struct ReviewDraft
{
    ReviewSubjectKind subjectKind = ReviewSubjectKind::Chain;
    QString subject;
    ReviewStatus status = ReviewStatus::Approved;
    QString comment;
    QString reviewer;
    std::optional<QDate> expires; // accepted-risk only, and then required
    QString remediationOwner;     // needs-remediation only, and then required
};

// Plain words on what is wrong with a draft, or an empty string. `today` bounds the expiry date.
QString reviewDraftProblem(const ReviewDraft &draft, QDate today);

// One stored review: a row of the reviews table.
struct ReviewRecord
{
    qint64 id = 0;
    ReviewSubjectKind subjectKind = ReviewSubjectKind::Chain;
    QString subject;
    ReviewStatus status = ReviewStatus::Approved;
    QString comment;
    QString reviewer;
    QString createdAt; // RFC 3339 UTC with milliseconds, as stored
    QString expiresAt; // YYYY-MM-DD or empty
    QString remediationOwner;
    QByteArray previousHash; // lowercase hex SHA-256 of the record before, or genesisHash() for the first
    QByteArray recordHash;   // lowercase hex SHA-256 of canonicalReviewBytes(*this)
    bool wellFormed = true;  // false when the stored kind or status is not a known word: it cannot hash back

    friend bool operator==(const ReviewRecord &, const ReviewRecord &) = default;
};

// The previous hash of the first record: 64 zeros.
QByteArray reviewGenesisHash();

// The bytes a record's hash covers: every field but the row id and the hash itself, each as
// "name:<utf-8 length>:<value>\n" (or "name:-\n" when absent) after a version line. Lengths make the
// form unambiguous whatever a comment holds; documented in docs/evidence.md.
QByteArray canonicalReviewBytes(const ReviewRecord &record);
QByteArray computeReviewHash(const ReviewRecord &record);

// The OS user: USER, USERNAME or LOGNAME, else the account name of the process; empty when none is known.
QString defaultReviewerName();

} // namespace chainsight

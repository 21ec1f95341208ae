#include "ReviewLog.h"

#include "SqliteDatabase.h"
#include "Workspace.h"

#include <QHash>

namespace chainsight {
namespace {

constexpr std::string_view selectReviewsSql =
    "SELECT id, subject_kind, subject, status, comment, reviewer, created_at, expires_at, remediation_owner, "
    "previous_hash, record_hash FROM reviews ORDER BY id";

QString recordName(qint64 id)
{
    return QStringLiteral("review record #%1").arg(id);
}

} // namespace

QString reviewChainProblemKindName(ReviewChainProblem::Kind kind)
{
    switch (kind) {
    case ReviewChainProblem::Kind::Edited:
        return QStringLiteral("edited");
    case ReviewChainProblem::Kind::Deleted:
        return QStringLiteral("deleted");
    case ReviewChainProblem::Kind::Reordered:
        return QStringLiteral("reordered");
    case ReviewChainProblem::Kind::Relinked:
        return QStringLiteral("relinked");
    case ReviewChainProblem::Kind::Truncated:
        return QStringLiteral("truncated");
    }
    return {};
}

ReviewChainVerification verifyReviewChain(const QList<ReviewRecord> &records, const QByteArray &expectedHead)
{
    ReviewChainVerification result;
    result.recordCount = records.size();
    result.headHash = records.isEmpty() ? reviewGenesisHash() : records.constLast().recordHash;

    QHash<QByteArray, qsizetype> positionOfHash;
    for (qsizetype i = 0; i < records.size(); ++i)
        positionOfHash.insert(records.at(i).recordHash, i);

    for (qsizetype i = 0; i < records.size(); ++i) {
        const ReviewRecord &record = records.at(i);
        using Kind = ReviewChainProblem::Kind;
        if (!record.wellFormed || computeReviewHash(record) != record.recordHash) {
            result.problems.push_back({Kind::Edited, record.id,
                                       QStringLiteral("%1 was edited: its fields no longer give its stored hash %2")
                                           .arg(recordName(record.id), QString::fromLatin1(record.recordHash.left(16)))});
            continue;
        }
        const QByteArray expected = i == 0 ? reviewGenesisHash() : records.at(i - 1).recordHash;
        if (record.previousHash == expected)
            continue;
        const auto linked = positionOfHash.constFind(record.previousHash);
        if (linked != positionOfHash.cend() && *linked != i) {
            const ReviewRecord &other = records.at(*linked);
            result.problems.push_back(
                {Kind::Reordered, record.id,
                 QStringLiteral("%1 is out of order: it was written after %2, but is stored %3")
                     .arg(recordName(record.id), recordName(other.id),
                          i == 0 ? QStringLiteral("first") : QStringLiteral("after %1").arg(recordName(records.at(i - 1).id)))});
        } else if (i == 0 && record.previousHash != reviewGenesisHash()) {
            result.problems.push_back({Kind::Deleted, record.id,
                                       QStringLiteral("%1 is not the first record written: the records before it were deleted")
                                           .arg(recordName(record.id))});
        } else if (i > 0 && record.id - records.at(i - 1).id > 1) {
            const qint64 from = records.at(i - 1).id + 1;
            const qint64 to = record.id - 1;
            result.problems.push_back(
                {Kind::Deleted, record.id,
                 QStringLiteral("%1 links to a record that is gone: %2 deleted")
                     .arg(recordName(record.id),
                          from == to ? QStringLiteral("record #%1 was").arg(from) : QStringLiteral("records #%1 to #%2 were").arg(from).arg(to))});
        } else {
            const ReviewRecord &previous = records.at(i - 1);
            result.problems.push_back(
                {Kind::Relinked, previous.id,
                 QStringLiteral("%1 was rewritten and rehashed: %2, written after it, links to a different hash")
                     .arg(recordName(previous.id), recordName(record.id))});
        }
    }
    if (!expectedHead.isEmpty() && expectedHead != reviewGenesisHash() && !positionOfHash.contains(expectedHead)) {
        result.problems.push_back({ReviewChainProblem::Kind::Truncated, 0,
                                   QStringLiteral("the expected head %1 is not in the log: records were removed from its end "
                                                  "or the log was replaced")
                                       .arg(QString::fromLatin1(expectedHead))});
    }
    return result;
}

std::optional<QList<ReviewRecord>> ReviewLog::records(SqliteDatabase &db, QString *error)
{
    try {
        QList<ReviewRecord> records;
        SqliteStatement rows(db, selectReviewsSql);
        while (rows.step()) {
            ReviewRecord record;
            record.id = rows.int64(0);
            // The table's CHECK constraints hold these to known words; a copy without them still verifies by hash.
            record.subjectKind = reviewSubjectKindFromName(rows.text(1)).value_or(ReviewSubjectKind::Chain);
            record.subject = rows.text(2);
            record.status = reviewStatusFromName(rows.text(3)).value_or(ReviewStatus::Approved);
            record.comment = rows.text(4);
            record.reviewer = rows.text(5);
            record.createdAt = rows.text(6);
            record.expiresAt = rows.text(7);
            record.remediationOwner = rows.text(8);
            record.previousHash = rows.text(9).toLatin1();
            record.recordHash = rows.text(10).toLatin1();
            record.wellFormed = reviewSubjectKindName(record.subjectKind) == rows.text(1)
                                && reviewStatusName(record.status) == rows.text(3);
            records.push_back(std::move(record));
        }
        return records;
    } catch (const SqliteError &e) {
        if (error)
            *error = e.message();
        return std::nullopt;
    }
}

std::optional<QList<ReviewRecord>> ReviewLog::records(const Workspace &workspace, QString *error)
{
    return records(workspace.database(), error);
}

std::optional<ReviewRecord> ReviewLog::append(SqliteDatabase &db, const ReviewDraft &draft, const QDateTime &now, QString *error)
{
    const QString problem = reviewDraftProblem(draft, now.toUTC().date());
    if (!problem.isEmpty()) {
        if (error)
            *error = problem;
        return std::nullopt;
    }
    try {
        SqliteTransaction transaction(db);
        const auto existing = records(db, error);
        if (!existing)
            return std::nullopt;
        const ReviewChainVerification verification = verifyReviewChain(*existing);
        if (!verification.ok()) {
            if (error)
                *error = QStringLiteral("the review log does not verify, so no review is added to it: %1")
                             .arg(verification.problems.constFirst().message);
            return std::nullopt;
        }
        ReviewRecord record;
        record.subjectKind = draft.subjectKind;
        record.subject = draft.subject.trimmed();
        record.status = draft.status;
        record.comment = draft.comment;
        record.reviewer = draft.reviewer.trimmed();
        record.createdAt = now.toUTC().toString(Qt::ISODateWithMs);
        record.expiresAt = draft.expires ? draft.expires->toString(Qt::ISODate) : QString();
        record.remediationOwner = draft.remediationOwner.trimmed();
        record.previousHash = verification.headHash;
        record.recordHash = computeReviewHash(record);

        SqliteStatement insert(db, "INSERT INTO reviews (subject_kind, subject, status, comment, reviewer, created_at, "
                                   "expires_at, remediation_owner, previous_hash, record_hash) "
                                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
        insert.bind(1, reviewSubjectKindName(record.subjectKind))
            .bind(2, record.subject)
            .bind(3, reviewStatusName(record.status))
            .bind(4, record.comment)
            .bind(5, record.reviewer)
            .bind(6, record.createdAt)
            .bind(7, record.expiresAt.isEmpty() ? QString() : record.expiresAt)
            .bind(8, record.remediationOwner.isEmpty() ? QString() : record.remediationOwner)
            .bind(9, QString::fromLatin1(record.previousHash))
            .bind(10, QString::fromLatin1(record.recordHash));
        insert.run();
        record.id = db.lastInsertRowId();
        transaction.commit();
        return record;
    } catch (const SqliteError &e) {
        if (error)
            *error = e.message();
        return std::nullopt;
    }
}

std::optional<ReviewRecord> ReviewLog::append(Workspace &workspace, const ReviewDraft &draft, QString *error)
{
    if (workspace.isReadOnly()) {
        if (error)
            *error = QStringLiteral("the workspace is open read-only");
        return std::nullopt;
    }
    return append(workspace.database(), draft, QDateTime::currentDateTimeUtc(), error);
}

} // namespace chainsight

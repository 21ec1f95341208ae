#pragma once

#include "Review.h"

#include <QDateTime>
#include <QList>

#include <optional>

namespace chainsight {

class SqliteDatabase;
class Workspace;

// One way the stored log differs from the log as it was written.
struct ReviewChainProblem
{
    enum class Kind {
        Edited,    // the record's fields no longer give its stored hash
        Deleted,   // a record the next one links to is gone
        Reordered, // the record links to a record stored elsewhere in the log
        Relinked,  // the link to the record before is wrong, with nothing deleted or moved: that record was rewritten and rehashed
        Truncated, // an expected head (from an earlier report) is no longer in the log
    };
    Kind kind = Kind::Edited;
    qint64 recordId = 0; // the first record that does not verify; 0 for Truncated
    QString message;     // plain words, naming the record
};

QString reviewChainProblemKindName(ReviewChainProblem::Kind kind);

struct ReviewChainVerification
{
    qint64 recordCount = 0;
    QByteArray headHash; // the last record's stored hash; the genesis hash for an empty log
    QList<ReviewChainProblem> problems; // in log order; the first names the first broken record

    bool ok() const { return problems.isEmpty(); }
};

// Checks records in id order: every record's hash over its fields, and every link to the record before.
// A non-empty expectedHead (the head an earlier report printed) must still be a record of the log.
ReviewChainVerification verifyReviewChain(const QList<ReviewRecord> &records, const QByteArray &expectedHead = {});

// The reviews table of a workspace: append-only (triggers refuse UPDATE and DELETE) and hash-chained.
class ReviewLog final
{
public:
    // Every record in id order; nullopt with *error set on a store failure.
    static std::optional<QList<ReviewRecord>> records(SqliteDatabase &db, QString *error);
    static std::optional<QList<ReviewRecord>> records(const Workspace &workspace, QString *error);

    // Appends a review at `now`, linked to the last record, in one write transaction so two reviewers
    // never fork the chain. Refuses an invalid draft and a log that does not verify (a new record must
    // not vouch for a tampered one). nullopt with *error set in plain words.
    static std::optional<ReviewRecord> append(SqliteDatabase &db, const ReviewDraft &draft, const QDateTime &now,
                                              QString *error);
    static std::optional<ReviewRecord> append(Workspace &workspace, const ReviewDraft &draft, QString *error);
};

} // namespace chainsight

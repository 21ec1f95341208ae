#include "ReviewCoverage.h"
#include "ReviewLog.h"
#include "ReviewLogModel.h"
#include "SqliteDatabase.h"
#include "Workspace.h"

#include <QAbstractItemModelTester>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace chainsight;

namespace {

const QDateTime reviewTime(QDate(2026, 3, 2), QTime(9, 30), Qt::UTC);

ReviewDraft draft(ReviewSubjectKind kind, const QString &subject, ReviewStatus status, const QString &comment)
{
    ReviewDraft d;
    d.subjectKind = kind;
    d.subject = subject;
    d.status = status;
    d.comment = comment;
    d.reviewer = QStringLiteral("ana");
    if (status == ReviewStatus::AcceptedRisk)
        d.expires = QDate(2026, 9, 30);
    if (status == ReviewStatus::NeedsRemediation)
        d.remediationOwner = QStringLiteral("raj");
    return d;
}

Finding finding(const QString &rule, const QString &subject, FindingSeverity severity)
{
    Finding f;
    f.rule = rule;
    f.subject = subject;
    f.severity = severity;
    return f;
}

} // namespace

class ReviewLogTest final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void namesRoundTrip();
    void draftProblems_data();
    void draftProblems();
    void canonicalFormIsFixed();
    void appendLinksEveryRecord();
    void storeRefusesUpdateAndDelete();
    void tamperingIsNamed_data();
    void tamperingIsNamed();
    void appendRefusesBrokenLog();
    void truncationNeedsExpectedHead();
    void coverageCountsReviewsInForce();
    void modelMarksSupersededAndBroken();

private:
    // A workspace with four reviews; closed again so its file can be copied whole.
    QString writeFourReviews();

    QTemporaryDir m_dir;
};

void ReviewLogTest::namesRoundTrip()
{
    for (const ReviewStatus status : {ReviewStatus::Approved, ReviewStatus::AcceptedRisk, ReviewStatus::NeedsRemediation,
                                      ReviewStatus::FalsePositive})
        QCOMPARE(reviewStatusFromName(reviewStatusName(status)), std::optional(status));
    for (const ReviewSubjectKind kind : {ReviewSubjectKind::Chain, ReviewSubjectKind::Finding, ReviewSubjectKind::Identity})
        QCOMPARE(reviewSubjectKindFromName(reviewSubjectKindName(kind)), std::optional(kind));
    QCOMPARE(reviewStatusFromName(QStringLiteral("Approved")), std::nullopt);
    QCOMPARE(reviewStatusName(ReviewStatus::AcceptedRisk), QStringLiteral("accepted-risk"));
    QCOMPARE(findingReviewKey(QStringLiteral("shadow-agent"), QStringLiteral("bot")), QStringLiteral("shadow-agent:bot"));
}

void ReviewLogTest::draftProblems_data()
{
    QTest::addColumn<ReviewDraft>("draft");
    QTest::addColumn<QString>("problem"); // a word the message must hold; empty = valid

    const auto base = draft(ReviewSubjectKind::Chain, QStringLiteral("trace-1"), ReviewStatus::Approved, QStringLiteral("ok"));
    QTest::newRow("valid") << base << QString();
    auto d = base;
    d.subject = QStringLiteral("  ");
    QTest::newRow("no subject") << d << QStringLiteral("subject");
    d = base;
    d.comment.clear();
    QTest::newRow("no comment") << d << QStringLiteral("comment");
    d = base;
    d.reviewer.clear();
    QTest::newRow("no reviewer") << d << QStringLiteral("reviewer");
    d = base;
    d.reviewer = QStringLiteral("ana\x01");
    QTest::newRow("control character in reviewer") << d << QStringLiteral("control");
    d = base;
    d.status = ReviewStatus::AcceptedRisk;
    QTest::newRow("accepted risk without expiry") << d << QStringLiteral("expiry");
    d.expires = QDate(2026, 3, 2);
    QTest::newRow("accepted risk expiring today") << d << QStringLiteral("future");
    d.expires = QDate(2026, 3, 3);
    QTest::newRow("accepted risk until tomorrow") << d << QString();
    d = base;
    d.expires = QDate(2027, 1, 1);
    QTest::newRow("expiry on approval") << d << QStringLiteral("only accepted-risk");
    d = base;
    d.status = ReviewStatus::NeedsRemediation;
    QTest::newRow("remediation without owner") << d << QStringLiteral("owner");
    d.remediationOwner = QStringLiteral("raj");
    QTest::newRow("remediation with owner") << d << QString();
    d = base;
    d.remediationOwner = QStringLiteral("raj");
    QTest::newRow("owner on approval") << d << QStringLiteral("only needs-remediation");
}

void ReviewLogTest::draftProblems()
{
    QFETCH(ReviewDraft, draft);
    QFETCH(QString, problem);
    const QString message = reviewDraftProblem(draft, QDate(2026, 3, 2));
    if (problem.isEmpty())
        QVERIFY2(message.isEmpty(), qPrintable(message));
    else
        QVERIFY2(message.contains(problem), qPrintable(message));
}

void ReviewLogTest::canonicalFormIsFixed()
{
    ReviewRecord record;
    record.subjectKind = ReviewSubjectKind::Finding;
    record.subject = QStringLiteral("shadow-agent:bot");
    record.status = ReviewStatus::AcceptedRisk;
    record.comment = QStringLiteral("line one\nsubject:fake\n");
    record.reviewer = QStringLiteral("Zoë");
    record.createdAt = QStringLiteral("2026-03-02T09:30:00.000Z");
    record.expiresAt = QStringLiteral("2026-09-30");
    record.previousHash = reviewGenesisHash();
    const QByteArray expected = "chainsight-review/1\n"
                                "subject_kind:7:finding\n"
                                "subject:16:shadow-agent:bot\n"
                                "status:13:accepted-risk\n"
                                "comment:22:line one\nsubject:fake\n\n"
                                "reviewer:4:Zo\xc3\xab\n"
                                "created_at:24:2026-03-02T09:30:00.000Z\n"
                                "expires_at:10:2026-09-30\n"
                                "remediation_owner:-\n"
                                "previous_hash:64:" + reviewGenesisHash() + "\n";
    QCOMPARE(canonicalReviewBytes(record), expected);
    // Fixed forever: a change here breaks every existing log.
    QCOMPARE(computeReviewHash(record), QByteArray("f9d6c6848313b251ddaf4498ace8bb9782c5bfccb2383e900fa3353efaef94ab"));
}

QString ReviewLogTest::writeFourReviews()
{
    const QString path = m_dir.filePath(QStringLiteral("reviews-%1.chainsight").arg(QTest::currentDataTag() ? QString::fromLatin1(QTest::currentDataTag()).replace(QLatin1Char(' '), QLatin1Char('-')) : QStringLiteral("base")));
    QFile::remove(path);
    QString error;
    auto workspace = Workspace::open(path, Workspace::OpenMode::CreateIfMissing, &error);
    if (!workspace)
        return {};
    const QList<ReviewDraft> drafts = {
        draft(ReviewSubjectKind::Chain, QStringLiteral("trace-1"), ReviewStatus::Approved, QStringLiteral("as intended")),
        draft(ReviewSubjectKind::Finding, QStringLiteral("shadow-agent:bot"), ReviewStatus::NeedsRemediation, QStringLiteral("register it")),
        draft(ReviewSubjectKind::Identity, QStringLiteral("report-worker"), ReviewStatus::AcceptedRisk, QStringLiteral("owner leaves")),
        draft(ReviewSubjectKind::Chain, QStringLiteral("trace-1"), ReviewStatus::FalsePositive, QStringLiteral("<script>alert(1)</script>")),
    };
    for (qsizetype i = 0; i < drafts.size(); ++i) {
        if (!ReviewLog::append(workspace->database(), drafts.at(i), reviewTime.addSecs(60 * i), &error))
            return {};
    }
    return path;
}

void ReviewLogTest::appendLinksEveryRecord()
{
    const QString path = writeFourReviews();
    QVERIFY(!path.isEmpty());
    QString error;
    auto workspace = Workspace::open(path, Workspace::OpenMode::ReadOnly, &error);
    QVERIFY2(workspace, qPrintable(error));
    const auto records = ReviewLog::records(*workspace, &error);
    QVERIFY2(records, qPrintable(error));
    QCOMPARE(records->size(), 4);
    QCOMPARE(records->at(0).previousHash, reviewGenesisHash());
    for (qsizetype i = 1; i < records->size(); ++i)
        QCOMPARE(records->at(i).previousHash, records->at(i - 1).recordHash);
    for (const ReviewRecord &record : *records)
        QCOMPARE(record.recordHash, computeReviewHash(record));
    QCOMPARE(records->at(1).remediationOwner, QStringLiteral("raj"));
    QCOMPARE(records->at(2).expiresAt, QStringLiteral("2026-09-30"));
    QCOMPARE(records->at(3).createdAt, QStringLiteral("2026-03-02T09:33:00.000Z"));
    const auto verification = verifyReviewChain(*records);
    QVERIFY(verification.ok());
    QCOMPARE(verification.recordCount, 4);
    QCOMPARE(verification.headHash, records->at(3).recordHash);
}

void ReviewLogTest::storeRefusesUpdateAndDelete()
{
    const QString path = writeFourReviews();
    QVERIFY(!path.isEmpty());
    QString error;
    auto workspace = Workspace::open(path, Workspace::OpenMode::OpenExisting, &error);
    QVERIFY2(workspace, qPrintable(error));
    for (const char *sql : {"UPDATE reviews SET comment = 'changed' WHERE id = 1", "DELETE FROM reviews WHERE id = 4"}) {
        try {
            workspace->database().execute(sql);
            QFAIL(sql);
        } catch (const SqliteError &e) {
            QVERIFY2(e.message().contains(QStringLiteral("append-only")), qPrintable(e.message()));
        }
    }
    QCOMPARE(workspace->database().queryInt64("SELECT count(*) FROM reviews"), 4);
}

void ReviewLogTest::tamperingIsNamed_data()
{
    QTest::addColumn<QString>("sql"); // run on a copy whose triggers were dropped
    QTest::addColumn<ReviewChainProblem::Kind>("kind");
    QTest::addColumn<qint64>("recordId");
    QTest::addColumn<QString>("words");

    QTest::newRow("edited comment") << QStringLiteral("UPDATE reviews SET comment = 'fine after all' WHERE id = 2")
                                    << ReviewChainProblem::Kind::Edited << qint64(2) << QStringLiteral("#2 was edited");
    QTest::newRow("edited status") << QStringLiteral("UPDATE reviews SET status = 'approved' WHERE id = 3")
                                   << ReviewChainProblem::Kind::Edited << qint64(3) << QStringLiteral("#3 was edited");
    QTest::newRow("edited reviewer") << QStringLiteral("UPDATE reviews SET reviewer = 'mallory' WHERE id = 1")
                                     << ReviewChainProblem::Kind::Edited << qint64(1) << QStringLiteral("#1 was edited");
    QTest::newRow("deleted middle") << QStringLiteral("DELETE FROM reviews WHERE id = 2") << ReviewChainProblem::Kind::Deleted
                                    << qint64(3) << QStringLiteral("record #2 was deleted");
    QTest::newRow("deleted two") << QStringLiteral("DELETE FROM reviews WHERE id IN (2, 3)") << ReviewChainProblem::Kind::Deleted
                                 << qint64(4) << QStringLiteral("records #2 to #3 were deleted");
    QTest::newRow("deleted first") << QStringLiteral("DELETE FROM reviews WHERE id = 1") << ReviewChainProblem::Kind::Deleted
                                   << qint64(2) << QStringLiteral("records before it were deleted");
    QTest::newRow("reordered") << QStringLiteral("UPDATE reviews SET id = 100 WHERE id = 2; UPDATE reviews SET id = 2 WHERE id = 3; "
                                                 "UPDATE reviews SET id = 3 WHERE id = 100")
                               << ReviewChainProblem::Kind::Reordered << qint64(2) << QStringLiteral("out of order");
    QTest::newRow("moved to the end") << QStringLiteral("UPDATE reviews SET id = 9 WHERE id = 1")
                                      << ReviewChainProblem::Kind::Reordered << qint64(2) << QStringLiteral("out of order");
    // The careful forger recomputes the edited record's hash; the next record still holds the old one.
    QTest::newRow("edited and rehashed")
        << QStringLiteral("UPDATE reviews SET comment = 'fine', record_hash = '%1' WHERE id = 2")
        << ReviewChainProblem::Kind::Relinked << qint64(2) << QStringLiteral("#2 was rewritten and rehashed");
}

void ReviewLogTest::tamperingIsNamed()
{
    QFETCH(QString, sql);
    QFETCH(ReviewChainProblem::Kind, kind);
    QFETCH(qint64, recordId);
    QFETCH(QString, words);

    const QString original = writeFourReviews();
    QVERIFY(!original.isEmpty());
    const QString copy = original + QStringLiteral(".tampered");
    QFile::remove(copy);
    QVERIFY(QFile::copy(original, copy));
    {
        QString error;
        auto db = SqliteDatabase::open(copy, SqliteDatabase::OpenMode::ReadWrite, &error);
        QVERIFY2(db, qPrintable(error));
        db->execute("DROP TRIGGER reviews_are_append_only_update; DROP TRIGGER reviews_are_append_only_delete");
        if (sql.contains(QStringLiteral("%1"))) {
            auto records = ReviewLog::records(*db, &error);
            QVERIFY(records);
            ReviewRecord forged = records->at(1);
            forged.comment = QStringLiteral("fine");
            sql = sql.arg(QString::fromLatin1(computeReviewHash(forged)));
        }
        db->execute(sql.toStdString());
    }
    QString error;
    auto workspace = Workspace::open(copy, Workspace::OpenMode::ReadOnly, &error);
    QVERIFY2(workspace, qPrintable(error));
    const auto records = ReviewLog::records(*workspace, &error);
    QVERIFY2(records, qPrintable(error));
    const auto verification = verifyReviewChain(*records);
    QVERIFY(!verification.ok());
    const ReviewChainProblem &first = verification.problems.constFirst();
    QCOMPARE(reviewChainProblemKindName(first.kind), reviewChainProblemKindName(kind));
    QCOMPARE(first.recordId, recordId);
    QVERIFY2(first.message.contains(words), qPrintable(first.message));

    // The untouched original still verifies.
    auto clean = Workspace::open(original, Workspace::OpenMode::ReadOnly, &error);
    QVERIFY(clean);
    QVERIFY(verifyReviewChain(*ReviewLog::records(*clean, &error)).ok());
}

void ReviewLogTest::appendRefusesBrokenLog()
{
    const QString path = writeFourReviews();
    QVERIFY(!path.isEmpty());
    QString error;
    {
        auto db = SqliteDatabase::open(path, SqliteDatabase::OpenMode::ReadWrite, &error);
        QVERIFY(db);
        db->execute("DROP TRIGGER reviews_are_append_only_update; UPDATE reviews SET subject = 'trace-2' WHERE id = 1");
    }
    auto workspace = Workspace::open(path, Workspace::OpenMode::OpenExisting, &error);
    QVERIFY2(workspace, qPrintable(error));
    const auto appended = ReviewLog::append(workspace->database(),
                                            draft(ReviewSubjectKind::Chain, QStringLiteral("trace-9"), ReviewStatus::Approved,
                                                  QStringLiteral("fine")),
                                            reviewTime.addDays(1), &error);
    QVERIFY(!appended);
    QVERIFY2(error.contains(QStringLiteral("does not verify")) && error.contains(QStringLiteral("#1")), qPrintable(error));
    QCOMPARE(workspace->database().queryInt64("SELECT count(*) FROM reviews"), 4);
}

void ReviewLogTest::truncationNeedsExpectedHead()
{
    const QString path = writeFourReviews();
    QVERIFY(!path.isEmpty());
    QString error;
    auto workspace = Workspace::open(path, Workspace::OpenMode::ReadOnly, &error);
    QVERIFY(workspace);
    auto records = *ReviewLog::records(*workspace, &error);
    const QByteArray head = records.constLast().recordHash;
    QVERIFY(verifyReviewChain(records, head).ok());
    QVERIFY(verifyReviewChain(records, records.at(1).recordHash).ok()); // later reviews were added: fine
    records.removeLast(); // the last record alone can go without breaking a link
    QVERIFY(verifyReviewChain(records).ok());
    const auto verification = verifyReviewChain(records, head);
    QVERIFY(!verification.ok());
    QCOMPARE(verification.problems.constFirst().kind, ReviewChainProblem::Kind::Truncated);
}

void ReviewLogTest::coverageCountsReviewsInForce()
{
    QList<ReviewRecord> records;
    const auto add = [&records](ReviewSubjectKind kind, const QString &subject, ReviewStatus status, const QString &expires = {}) {
        ReviewRecord record;
        record.id = records.size() + 1;
        record.subjectKind = kind;
        record.subject = subject;
        record.status = status;
        record.expiresAt = expires;
        records.push_back(record);
    };
    add(ReviewSubjectKind::Chain, QStringLiteral("t1"), ReviewStatus::NeedsRemediation);
    add(ReviewSubjectKind::Chain, QStringLiteral("t1"), ReviewStatus::Approved); // supersedes
    add(ReviewSubjectKind::Chain, QStringLiteral("gone"), ReviewStatus::Approved); // not a current chain
    add(ReviewSubjectKind::Finding, QStringLiteral("shadow-agent:bot"), ReviewStatus::AcceptedRisk, QStringLiteral("2026-01-01"));
    add(ReviewSubjectKind::Finding, QStringLiteral("orphan-agent:w"), ReviewStatus::AcceptedRisk, QStringLiteral("2027-01-01"));
    add(ReviewSubjectKind::Finding, QStringLiteral("deep-delegation:t2"), ReviewStatus::FalsePositive);

    const QList<Finding> findings = {
        finding(QStringLiteral("shadow-agent"), QStringLiteral("bot"), FindingSeverity::High),
        finding(QStringLiteral("orphan-agent"), QStringLiteral("w"), FindingSeverity::Medium),
        finding(QStringLiteral("deep-delegation"), QStringLiteral("t2"), FindingSeverity::Critical),
        finding(QStringLiteral("sensitive-without-approval"), QStringLiteral("t3"), FindingSeverity::Critical),
        finding(QStringLiteral("intent-drift"), QStringLiteral("t3"), FindingSeverity::Low),
    };
    const ReviewIndex index(records);
    QCOMPARE(index.latest(ReviewSubjectKind::Chain, QStringLiteral("t1"))->status, ReviewStatus::Approved);
    QVERIFY(!index.latest(ReviewSubjectKind::Identity, QStringLiteral("t1")));

    const auto coverage = computeReviewCoverage({QStringLiteral("t1"), QStringLiteral("t2"), QStringLiteral("t3")}, findings,
                                                {QStringLiteral("bot")}, index, QDate(2026, 3, 2));
    QCOMPARE(coverage.chains.total, 3);
    QCOMPARE(coverage.chains.reviewed, 1);
    QCOMPARE(coverage.chains.count(ReviewStatus::Approved), 1);
    QCOMPARE(coverage.chains.count(ReviewStatus::NeedsRemediation), 0);
    QCOMPARE(coverage.findings.total, 5);
    QCOMPARE(coverage.findings.reviewed, 2);
    QCOMPARE(coverage.findings.expired, 1);
    QCOMPARE(coverage.findings.count(ReviewStatus::AcceptedRisk), 1);
    QCOMPARE(coverage.findings.count(ReviewStatus::FalsePositive), 1);
    QCOMPARE(coverage.identities.total, 1);
    QCOMPARE(coverage.identities.reviewed, 0);
    // The critical one first, then the high one whose acceptance expired.
    QCOMPARE(coverage.unreviewedHighSeverity.size(), 2);
    QCOMPARE(coverage.unreviewedHighSeverity.at(0).subject, QStringLiteral("t3"));
    QCOMPARE(coverage.unreviewedHighSeverity.at(1).subject, QStringLiteral("bot"));
    QCOMPARE(coverage.expiredAcceptances.size(), 1);
}

void ReviewLogTest::modelMarksSupersededAndBroken()
{
    const QString path = writeFourReviews();
    QVERIFY(!path.isEmpty());
    QString error;
    auto workspace = Workspace::open(path, Workspace::OpenMode::ReadOnly, &error);
    QVERIFY(workspace);
    auto records = *ReviewLog::records(*workspace, &error);

    ReviewLogModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRecords(records);
    QCOMPARE(model.rowCount(), 4);
    QCOMPARE(model.columnCount(), int(ReviewLogModel::ColumnCount));
    QVERIFY(model.verification().ok());
    QCOMPARE(model.index(0, 0).data(ReviewLogModel::SupersededRole).toBool(), true);
    QCOMPARE(model.index(3, 0).data(ReviewLogModel::SupersededRole).toBool(), false);
    QVERIFY(model.index(0, ReviewLogModel::StatusColumn).data().toString().contains(QStringLiteral("superseded")));
    QCOMPARE(model.index(3, ReviewLogModel::CommentColumn).data().toString(), QStringLiteral("<script>alert(1)</script>"));
    QCOMPARE(model.index(1, ReviewLogModel::OwnerColumn).data().toString(), QStringLiteral("raj"));
    QCOMPARE(model.index(0, ReviewLogModel::ReviewerColumn).data().toString(), QStringLiteral("ana"));

    records[2].comment = QStringLiteral("line\nbreak\x01");
    model.setRecords(records);
    QVERIFY(!model.verification().ok());
    QCOMPARE(model.index(2, 0).data(ReviewLogModel::BrokenRole).toBool(), true);
    QCOMPARE(model.index(1, 0).data(ReviewLogModel::BrokenRole).toBool(), false);
    QVERIFY(model.index(2, 0).data(Qt::ToolTipRole).toString().contains(QStringLiteral("edited")));
    const QString shown = model.index(2, ReviewLogModel::CommentColumn).data().toString();
    QVERIFY(!shown.contains(QLatin1Char('\n')));
    QVERIFY(!shown.contains(QChar(1)));
    model.setRecords({});
    QCOMPARE(model.rowCount(), 0);
}

QTEST_GUILESS_MAIN(ReviewLogTest)
#include "tst_reviewlog.moc"

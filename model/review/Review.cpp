#include "Review.h"

#include "Sha256.h"

#include <array>

#ifdef Q_OS_UNIX
#include <pwd.h>
#include <unistd.h>
#endif

namespace chainsight {
namespace {

constexpr std::array subjectKinds = {ReviewSubjectKind::Chain, ReviewSubjectKind::Finding, ReviewSubjectKind::Identity};
constexpr std::array statuses = {ReviewStatus::Approved, ReviewStatus::AcceptedRisk, ReviewStatus::NeedsRemediation,
                                 ReviewStatus::FalsePositive};

void appendField(QByteArray &out, const char *name, const QString &value, bool present)
{
    out += name;
    out += ':';
    if (!present) {
        out += "-\n";
        return;
    }
    const QByteArray utf8 = value.toUtf8();
    out += QByteArray::number(utf8.size());
    out += ':';
    out += utf8;
    out += '\n';
}

bool hasControlCharacter(const QString &text)
{
    for (const QChar c : text) {
        if (c.category() == QChar::Other_Control)
            return true;
    }
    return false;
}

} // namespace

QString reviewSubjectKindName(ReviewSubjectKind kind)
{
    switch (kind) {
    case ReviewSubjectKind::Chain:
        return QStringLiteral("chain");
    case ReviewSubjectKind::Finding:
        return QStringLiteral("finding");
    case ReviewSubjectKind::Identity:
        return QStringLiteral("identity");
    }
    return {};
}

std::optional<ReviewSubjectKind> reviewSubjectKindFromName(const QString &name)
{
    for (const ReviewSubjectKind kind : subjectKinds) {
        if (reviewSubjectKindName(kind) == name)
            return kind;
    }
    return std::nullopt;
}

QString reviewStatusName(ReviewStatus status)
{
    switch (status) {
    case ReviewStatus::Approved:
        return QStringLiteral("approved");
    case ReviewStatus::AcceptedRisk:
        return QStringLiteral("accepted-risk");
    case ReviewStatus::NeedsRemediation:
        return QStringLiteral("needs-remediation");
    case ReviewStatus::FalsePositive:
        return QStringLiteral("false-positive");
    }
    return {};
}

std::optional<ReviewStatus> reviewStatusFromName(const QString &name)
{
    for (const ReviewStatus status : statuses) {
        if (reviewStatusName(status) == name)
            return status;
    }
    return std::nullopt;
}

QString reviewStatusLabel(ReviewStatus status)
{
    switch (status) {
    case ReviewStatus::Approved:
        return QStringLiteral("Approved");
    case ReviewStatus::AcceptedRisk:
        return QStringLiteral("Accepted risk");
    case ReviewStatus::NeedsRemediation:
        return QStringLiteral("Needs remediation");
    case ReviewStatus::FalsePositive:
        return QStringLiteral("False positive");
    }
    return {};
}

QString findingReviewKey(const QString &rule, const QString &subject)
{
    return rule + QLatin1Char(':') + subject;
}

QString reviewDraftProblem(const ReviewDraft &draft, QDate today)
{
    if (draft.subject.trimmed().isEmpty())
        return QStringLiteral("a review needs a subject: the chain key, finding or identity it is about");
    if (draft.comment.trimmed().isEmpty())
        return QStringLiteral("a review needs a comment that says why");
    if (draft.reviewer.trimmed().isEmpty())
        return QStringLiteral("a review needs a reviewer name (the OS user is not known here)");
    if (hasControlCharacter(draft.reviewer))
        return QStringLiteral("the reviewer name holds a control character");
    if (draft.status == ReviewStatus::AcceptedRisk) {
        if (!draft.expires || !draft.expires->isValid())
            return QStringLiteral("accepted-risk needs an expiry date (YYYY-MM-DD): risk is accepted for a time, not forever");
        if (*draft.expires <= today)
            return QStringLiteral("the expiry date %1 is not in the future").arg(draft.expires->toString(Qt::ISODate));
    } else if (draft.expires) {
        return QStringLiteral("only accepted-risk takes an expiry date");
    }
    if (draft.status == ReviewStatus::NeedsRemediation) {
        if (draft.remediationOwner.trimmed().isEmpty())
            return QStringLiteral("needs-remediation needs an owner: who fixes it");
    } else if (!draft.remediationOwner.isEmpty()) {
        return QStringLiteral("only needs-remediation takes an owner");
    }
    return {};
}

QByteArray reviewGenesisHash()
{
    return QByteArray(64, '0');
}

QByteArray canonicalReviewBytes(const ReviewRecord &record)
{
    QByteArray out;
    out.reserve(256 + record.comment.size() * 2);
    out += "chainsight-review/1\n";
    appendField(out, "subject_kind", reviewSubjectKindName(record.subjectKind), true);
    appendField(out, "subject", record.subject, true);
    appendField(out, "status", reviewStatusName(record.status), true);
    appendField(out, "comment", record.comment, !record.comment.isEmpty());
    appendField(out, "reviewer", record.reviewer, true);
    appendField(out, "created_at", record.createdAt, true);
    appendField(out, "expires_at", record.expiresAt, !record.expiresAt.isEmpty());
    appendField(out, "remediation_owner", record.remediationOwner, !record.remediationOwner.isEmpty());
    appendField(out, "previous_hash", QString::fromLatin1(record.previousHash), true);
    return out;
}

QByteArray computeReviewHash(const ReviewRecord &record)
{
    return sha256Hex(canonicalReviewBytes(record));
}

QString defaultReviewerName()
{
    for (const char *variable : {"USER", "USERNAME", "LOGNAME"}) {
        const QString name = qEnvironmentVariable(variable).trimmed();
        if (!name.isEmpty())
            return name;
    }
#ifdef Q_OS_UNIX
    // Services and containers often run without USER set; the account database still knows the name.
    passwd entry{};
    passwd *found = nullptr;
    std::array<char, 4096> buffer{};
    if (getpwuid_r(geteuid(), &entry, buffer.data(), buffer.size(), &found) == 0 && found && found->pw_name)
        return QString::fromLocal8Bit(found->pw_name);
#endif
    return {};
}

} // namespace chainsight

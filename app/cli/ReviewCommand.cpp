#include "ReviewCommand.h"

#include "ChainStore.h"
#include "CliCommands.h"
#include "EvidenceBundle.h"
#include "FindingListModel.h"
#include "ReviewLog.h"
#include "SqliteDatabase.h"
#include "UntrustedText.h"
#include "Workspace.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>

#include <exception>

namespace chainsight::cli {
namespace {

QCommandLineOption workspaceOption()
{
    return QCommandLineOption({QStringLiteral("w"), QStringLiteral("workspace")}, QStringLiteral("The workspace file (*.chainsight)."),
                              QStringLiteral("W"));
}

QJsonObject recordJson(const ReviewRecord &record)
{
    return QJsonObject{
        {QStringLiteral("id"), record.id},
        {QStringLiteral("subject_kind"), reviewSubjectKindName(record.subjectKind)},
        {QStringLiteral("subject"), record.subject},
        {QStringLiteral("status"), reviewStatusName(record.status)},
        {QStringLiteral("comment"), record.comment},
        {QStringLiteral("reviewer"), record.reviewer},
        {QStringLiteral("created_at"), record.createdAt},
        {QStringLiteral("expires_at"), record.expiresAt.isEmpty() ? QJsonValue() : QJsonValue(record.expiresAt)},
        {QStringLiteral("remediation_owner"), record.remediationOwner.isEmpty() ? QJsonValue() : QJsonValue(record.remediationOwner)},
        {QStringLiteral("previous_hash"), QString::fromLatin1(record.previousHash)},
        {QStringLiteral("record_hash"), QString::fromLatin1(record.recordHash)},
    };
}

// The stored subject for what the reviewer named, or an error in *problem (exit 2).
QString resolveSubject(Workspace &workspace, ReviewSubjectKind kind, const QString &id, QString *problem)
{
    QString error;
    switch (kind) {
    case ReviewSubjectKind::Finding: {
        const auto findings = storedFindings(workspace, &error);
        if (!findings) {
            *problem = error;
            return {};
        }
        bool numeric = false;
        const qint64 row = id.toLongLong(&numeric);
        for (const Finding &finding : *findings) {
            const QString key = findingReviewKey(finding.rule, finding.subject);
            if ((numeric && finding.id == row) || key == id)
                return key;
        }
        *problem = QStringLiteral("no finding \"%1\" in the latest analysis: give its id or rule:subject as "
                                  "chainsight-cli findings -w W lists them")
                       .arg(visibleText(id));
        return {};
    }
    case ReviewSubjectKind::Chain: {
        const auto chains = ChainStore::chainsOf(workspace, &error);
        if (!chains) {
            *problem = error;
            return {};
        }
        if (chains->find(id))
            return id;
        *problem = QStringLiteral("no chain \"%1\" in this workspace (chainsight-cli chains -w W lists them)").arg(visibleText(id));
        return {};
    }
    case ReviewSubjectKind::Identity: {
        SqliteStatement query(workspace.database(), "SELECT count(*) FROM identities WHERE external_id = ?1");
        query.bind(1, id);
        if (query.step() && query.int64(0) > 0)
            return id;
        *problem = QStringLiteral("no identity \"%1\" in this workspace (chainsight-cli identities -w W lists them)").arg(visibleText(id));
        return {};
    }
    }
    return {};
}

} // namespace

int runReviewCommand(const QStringList &arguments)
{
    try {
        QCommandLineParser parser;
        parser.setApplicationDescription(QStringLiteral(
            "chainsight-cli review: record a reviewer's decision on a chain, finding or identity. Reviews are "
            "append-only and hash-chained: a later review of the same subject supersedes, nothing is edited."));
        const QCommandLineOption help = helpOption();
        const QCommandLineOption workspace = workspaceOption();
        const QCommandLineOption chain(QStringLiteral("chain"), QStringLiteral("Review the chain with this key."), QStringLiteral("KEY"));
        const QCommandLineOption finding(QStringLiteral("finding"),
                                         QStringLiteral("Review this finding: its id, or rule:subject."), QStringLiteral("ID"));
        const QCommandLineOption identity(QStringLiteral("identity"), QStringLiteral("Review this identity (external id)."),
                                          QStringLiteral("ID"));
        const QCommandLineOption status(QStringLiteral("status"),
                                        QStringLiteral("approved, accepted-risk, needs-remediation or false-positive."),
                                        QStringLiteral("S"));
        const QCommandLineOption comment(QStringLiteral("comment"), QStringLiteral("Why (required)."), QStringLiteral("C"));
        const QCommandLineOption reviewer(QStringLiteral("reviewer"), QStringLiteral("Who reviews; default: the OS user."),
                                          QStringLiteral("NAME"));
        const QCommandLineOption expires(QStringLiteral("expires"),
                                         QStringLiteral("For accepted-risk (required): the date the acceptance ends."),
                                         QStringLiteral("YYYY-MM-DD"));
        const QCommandLineOption owner(QStringLiteral("owner"), QStringLiteral("For needs-remediation (required): who fixes it."),
                                       QStringLiteral("NAME"));
        const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print the stored record as JSON."));
        parser.addOptions({help, workspace, chain, finding, identity, status, comment, reviewer, expires, owner, json});
        if (const auto done = parseSubcommand(parser, QStringLiteral("review"), arguments))
            return *done;

        if (parser.value(workspace).isEmpty()) {
            printError(QStringLiteral("review needs a workspace: -w W"));
            return ExitBadInput;
        }
        const int subjects = (parser.isSet(chain) ? 1 : 0) + (parser.isSet(finding) ? 1 : 0) + (parser.isSet(identity) ? 1 : 0);
        if (subjects != 1) {
            printError(QStringLiteral("review takes exactly one of --chain, --finding or --identity"));
            return ExitBadInput;
        }
        ReviewDraft draft;
        draft.subjectKind = parser.isSet(chain) ? ReviewSubjectKind::Chain
                            : parser.isSet(finding) ? ReviewSubjectKind::Finding
                                                    : ReviewSubjectKind::Identity;
        const QString named = parser.value(parser.isSet(chain) ? chain : parser.isSet(finding) ? finding : identity);
        const auto parsedStatus = reviewStatusFromName(parser.value(status));
        if (!parsedStatus) {
            printError(parser.isSet(status) ? QStringLiteral("--status takes approved, accepted-risk, needs-remediation or "
                                                             "false-positive, not \"%1\"").arg(parser.value(status))
                                            : QStringLiteral("review needs --status"));
            return ExitBadInput;
        }
        draft.status = *parsedStatus;
        draft.comment = parser.value(comment);
        draft.reviewer = parser.isSet(reviewer) ? parser.value(reviewer) : defaultReviewerName();
        if (parser.isSet(expires)) {
            draft.expires = QDate::fromString(parser.value(expires), Qt::ISODate);
            if (!draft.expires->isValid()) {
                printError(QStringLiteral("--expires takes a date as YYYY-MM-DD, not \"%1\"").arg(parser.value(expires)));
                return ExitBadInput;
            }
        }
        draft.remediationOwner = parser.value(owner);
        draft.subject = named;
        if (const QString problem = reviewDraftProblem(draft, QDateTime::currentDateTimeUtc().date()); !problem.isEmpty()) {
            printError(problem);
            return ExitBadInput;
        }

        QString error;
        auto opened = Workspace::open(parser.value(workspace), Workspace::OpenMode::OpenExisting, &error);
        if (!opened) {
            printError(error);
            return ExitBadInput;
        }
        QString problem;
        draft.subject = resolveSubject(*opened, draft.subjectKind, named, &problem);
        if (draft.subject.isEmpty()) {
            printError(problem);
            return ExitBadInput;
        }
        const auto record = ReviewLog::append(*opened, draft, &error);
        if (!record) {
            printError(error);
            // A log that does not verify is the workspace's state, not a bug here.
            return error.contains(QStringLiteral("does not verify")) ? ExitGateTripped : ExitInternalError;
        }
        if (parser.isSet(json)) {
            out() << QString::fromUtf8(QJsonDocument(recordJson(*record)).toJson(QJsonDocument::Indented));
        } else {
            out() << "review #" << record->id << ": " << reviewSubjectKindName(record->subjectKind) << ' '
                  << visibleText(record->subject) << ' ' << reviewStatusName(record->status) << " by "
                  << visibleText(record->reviewer) << " at " << record->createdAt;
            if (!record->expiresAt.isEmpty())
                out() << ", until " << record->expiresAt;
            if (!record->remediationOwner.isEmpty())
                out() << ", owner " << visibleText(record->remediationOwner);
            out() << "\nrecord hash " << record->recordHash << '\n';
        }
        out().flush();
        return ExitOk;
    } catch (const SqliteError &e) {
        printError(e.message());
        return ExitInternalError;
    } catch (const std::exception &e) {
        printError(QStringLiteral("internal error: %1").arg(QString::fromUtf8(e.what())));
        return ExitInternalError;
    }
}

namespace {

int verifyWorkspace(const QString &path, const QString &expectedHead, bool json)
{
    QString error;
    auto workspace = Workspace::open(path, Workspace::OpenMode::ReadOnly, &error);
    if (!workspace) {
        printError(error);
        return ExitBadInput;
    }
    const auto records = ReviewLog::records(*workspace, &error);
    if (!records) {
        printError(error);
        return ExitInternalError;
    }
    const ReviewChainVerification verification = verifyReviewChain(*records, expectedHead.toLatin1());
    if (json) {
        QJsonArray problems;
        for (const ReviewChainProblem &problem : verification.problems)
            problems.append(QJsonObject{{QStringLiteral("kind"), reviewChainProblemKindName(problem.kind)},
                                        {QStringLiteral("record"), problem.recordId},
                                        {QStringLiteral("message"), problem.message}});
        out() << QString::fromUtf8(QJsonDocument(QJsonObject{{QStringLiteral("ok"), verification.ok()},
                                                             {QStringLiteral("records"), verification.recordCount},
                                                             {QStringLiteral("head"), QString::fromLatin1(verification.headHash)},
                                                             {QStringLiteral("problems"), problems}})
                                       .toJson(QJsonDocument::Indented));
    } else if (verification.ok()) {
        out() << "review log intact: " << verification.recordCount << " records, head " << verification.headHash << '\n';
    } else {
        out() << "review log BROKEN: " << verification.problems.constFirst().message << '\n';
        for (qsizetype i = 1; i < verification.problems.size(); ++i)
            out() << "  also: " << verification.problems.at(i).message << '\n';
    }
    out().flush();
    return verification.ok() ? ExitOk : ExitGateTripped;
}

QString signatureText(const BundleVerification &verification)
{
    switch (verification.signature) {
    case BundleVerification::Signature::Absent:
        return QStringLiteral("not signed");
    case BundleVerification::Signature::NotChecked:
        return QStringLiteral("signed, not checked (pass --pubkey to check who signed)");
    case BundleVerification::Signature::Valid:
        return QStringLiteral("valid %1 signature by key SHA256:%2")
            .arg(verification.signatureAlgorithm, QString::fromLatin1(verification.signerFingerprint));
    case BundleVerification::Signature::Invalid:
        return QStringLiteral("INVALID");
    }
    return {};
}

int verifyBundle(const QString &folder, const QString &publicKeyPath, bool json)
{
    if (!QFileInfo(folder).isDir()) {
        printError(QStringLiteral("%1: not a folder").arg(folder));
        return ExitBadInput;
    }
    std::optional<QByteArray> publicKey;
    if (!publicKeyPath.isEmpty()) {
        QFile file(publicKeyPath);
        if (!file.open(QIODevice::ReadOnly)) {
            printError(QStringLiteral("%1: cannot read the public key: %2").arg(publicKeyPath, file.errorString()));
            return ExitBadInput;
        }
        publicKey = file.readAll();
    }
    const BundleVerification verification = verifyEvidenceBundle(folder, publicKey);
    if (json) {
        QJsonArray problems;
        for (const BundleProblem &problem : verification.problems)
            problems.append(QJsonObject{{QStringLiteral("file"), problem.file}, {QStringLiteral("message"), problem.message}});
        QJsonArray files;
        for (const ManifestEntry &entry : verification.entries)
            files.append(QJsonObject{{QStringLiteral("name"), entry.fileName}, {QStringLiteral("sha256"), QString::fromLatin1(entry.sha256)}});
        out() << QString::fromUtf8(QJsonDocument(QJsonObject{{QStringLiteral("ok"), verification.ok()},
                                                             {QStringLiteral("files"), files},
                                                             {QStringLiteral("signature"), signatureText(verification)},
                                                             {QStringLiteral("problems"), problems},
                                                             {QStringLiteral("unlisted"), QJsonArray::fromStringList(verification.unlistedFiles)}})
                                       .toJson(QJsonDocument::Indented));
    } else {
        for (const BundleProblem &problem : verification.problems)
            out() << "MISMATCH " << visibleText(problem.message) << '\n';
        if (verification.ok())
            out() << "bundle intact: " << verification.entries.size() << " files match " << EvidenceFileNames::manifest() << '\n';
        else
            out() << "bundle does NOT verify: " << verification.problems.size() << " problem(s)\n";
        out() << "signature: " << signatureText(verification) << '\n';
        if (!verification.unlistedFiles.isEmpty())
            out() << "not covered by the manifest: " << visibleText(verification.unlistedFiles.join(QStringLiteral(", "))) << '\n';
    }
    out().flush();
    return verification.ok() ? ExitOk : ExitGateTripped;
}

} // namespace

int runVerifyCommand(const QStringList &arguments)
{
    try {
        QCommandLineParser parser;
        parser.setApplicationDescription(QStringLiteral(
            "chainsight-cli verify: check a workspace's review hash chain (-w), or an evidence bundle's hashes and "
            "signature (--bundle). Exit 1 when something does not match, naming it."));
        const QCommandLineOption help = helpOption();
        const QCommandLineOption workspace = workspaceOption();
        const QCommandLineOption head(QStringLiteral("head"),
                                      QStringLiteral("With -w: a head hash from an earlier report that must still be in the log."),
                                      QStringLiteral("HASH"));
        const QCommandLineOption bundle(QStringLiteral("bundle"), QStringLiteral("An evidence bundle folder (next to the report PDF)."),
                                        QStringLiteral("DIR"));
        const QCommandLineOption pubkey(QStringLiteral("pubkey"), QStringLiteral("With --bundle: the signer's public key (PEM)."),
                                        QStringLiteral("pub.pem"));
        const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print JSON instead of text."));
        parser.addOptions({help, workspace, head, bundle, pubkey, json});
        if (const auto done = parseSubcommand(parser, QStringLiteral("verify"), arguments))
            return *done;
        const bool hasWorkspace = parser.isSet(workspace);
        const bool hasBundle = parser.isSet(bundle);
        if (hasWorkspace == hasBundle) {
            printError(QStringLiteral("verify takes either -w W (the review log) or --bundle DIR (an evidence bundle)"));
            return ExitBadInput;
        }
        if (hasWorkspace && parser.isSet(pubkey)) {
            printError(QStringLiteral("--pubkey goes with --bundle"));
            return ExitBadInput;
        }
        if (hasBundle && parser.isSet(head)) {
            printError(QStringLiteral("--head goes with -w"));
            return ExitBadInput;
        }
        if (hasWorkspace)
            return verifyWorkspace(parser.value(workspace), parser.value(head), parser.isSet(json));
        return verifyBundle(parser.value(bundle), parser.value(pubkey), parser.isSet(json));
    } catch (const SqliteError &e) {
        printError(e.message());
        return ExitInternalError;
    } catch (const std::exception &e) {
        printError(QStringLiteral("internal error: %1").arg(QString::fromUtf8(e.what())));
        return ExitInternalError;
    }
}

} // namespace chainsight::cli

#include "CloudTrailImporter.h"

#include "LogRecords.h"

#include <QHash>

namespace chainsight {

namespace dom = simdjson::dom;

namespace {

QString accountOfArn(const QString &arn)
{
    const QStringList parts = arn.split(QLatin1Char(':'));
    return parts.size() > 4 ? parts[4] : QString();
}

// arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION -> arn:aws:iam::ACCOUNT:role/NAME (the path is not in the session ARN).
QString roleOfSessionArn(const QString &arn)
{
    const QStringList parts = arn.split(QLatin1Char(':'));
    if (parts.size() < 6 || !parts[5].startsWith(QLatin1String("assumed-role/")))
        return {};
    const QStringList path = parts[5].split(QLatin1Char('/'));
    return QStringLiteral("arn:%1:iam::%2:role/%3").arg(parts[1], parts[4], path.value(1));
}

// "GetObject" -> "get_object": the tool ids the inventory uses for AWS APIs (s3.get_object).
QString snakeCase(const QString &name)
{
    QString out;
    for (qsizetype i = 0; i < name.size(); ++i) {
        const QChar c = name[i];
        if (c.isUpper() && i > 0 && (name[i - 1].isLower() || (i + 1 < name.size() && name[i + 1].isLower())))
            out += QLatin1Char('_');
        out += c.toLower();
    }
    return out;
}

bool isAssumeRole(const QString &eventName)
{
    return eventName.startsWith(QLatin1String("AssumeRole"));
}

QString spiffeTrustDomain(const QString &id)
{
    return id.mid(9).section(QLatin1Char('/'), 0, 0);
}

// What a temporary ASIA key stands for, learned from the AssumeRole response that issued it.
struct RoleSession
{
    QString roleArn;
    QString sourceIdentity;
    QString traceId;
};

class CloudTrailHandler final : public LogRecordHandler
{
public:
    using LogRecordHandler::LogRecordHandler;

    bool read(dom::element record, const LogRecordOrigin &origin, QString *reason) override
    {
        RecordFields fields(record);
        AuditEvent event;
        event.protocol = QStringLiteral("aws");
        event.timeMs = fields.time("/eventTime", true);
        event.kind = fields.requiredText("/eventName");
        const QString eventSource = fields.text("/eventSource");
        const QString identityType = fields.text("/userIdentity/type");
        const QString identityArn = fields.text("/userIdentity/arn");
        const QString identityAccount = fields.textOrNumber("/userIdentity/accountId");
        const QString callerKey = fields.text("/userIdentity/accessKeyId");
        const QString userName = fields.text("/userIdentity/userName");
        const QString invokedBy = fields.text("/userIdentity/invokedBy");
        const QString issuerArn = fields.text("/userIdentity/sessionContext/sessionIssuer/arn");
        const QString issuerAccount = fields.textOrNumber("/userIdentity/sessionContext/sessionIssuer/accountId");
        const QString sessionSourceIdentity = fields.text("/userIdentity/sessionContext/sourceIdentity");
        const QString requestedRole = fields.text("/requestParameters/roleArn");
        const QString roleSessionName = fields.text("/requestParameters/roleSessionName");
        const QString requestSourceIdentity = fields.text("/requestParameters/sourceIdentity");
        const QString issuedKey = fields.text("/responseElements/credentials/accessKeyId");
        const QString errorCode = fields.text("/errorCode");
        const QString errorMessage = fields.text("/errorMessage");
        const QString region = fields.text("/awsRegion");
        const QString sourceIp = fields.text("/sourceIPAddress");
        event.correlationId = fields.text("/requestID");
        const QString eventId = fields.text("/eventID");
        QString resourceArn;
        if (const auto resources = fields.array("/resources")) {
            for (const dom::element resource : *resources) {
                resourceArn = fields.text(resource, "/ARN");
                if (!resourceArn.isEmpty())
                    break;
            }
        }
        QString traceTag;
        if (const auto tags = fields.array("/requestParameters/tags")) {
            for (const dom::element tag : *tags) {
                if (fields.text(tag, "/key") == QLatin1String("TraceId"))
                    traceTag = fields.text(tag, "/value");
            }
        }
        if (traceTag.isEmpty())
            traceTag = fields.text("/requestParameters/principalTags/TraceId");
        if (!fields.object("/userIdentity") && fields.ok())
            fields.fail(QStringLiteral("the record has no \"userIdentity\""));
        if (!fields.ok()) {
            *reason = fields.problems();
            return false;
        }

        const RoleSession callerSession = m_sessions.value(callerKey);
        QString service = eventSource.section(QLatin1Char('.'), 0, 0);
        event.action = service.isEmpty() ? event.kind : service + QLatin1Char(':') + event.kind;
        event.accessKey = callerKey;
        event.originator = !requestSourceIdentity.isEmpty() ? requestSourceIdentity
                         : !sessionSourceIdentity.isEmpty() ? sessionSourceIdentity
                                                            : callerSession.sourceIdentity;

        // Who acted: the role behind a role session, the long-lived key of an IAM user, or the workload or
        // person that federated in (then the role they are becoming is the agent acting).
        QString callerRole;
        if (identityType == QLatin1String("AssumedRole")) {
            callerRole = !issuerArn.isEmpty() ? issuerArn : (!callerSession.roleArn.isEmpty() ? callerSession.roleArn : roleOfSessionArn(identityArn));
            event.actor = AliasRef{AliasFamily::AwsRole, !issuerAccount.isEmpty() ? issuerAccount : accountOfArn(callerRole), callerRole};
        } else if (identityType == QLatin1String("IAMUser")) {
            if (!callerKey.isEmpty())
                event.actor = AliasRef{AliasFamily::AccessKey, identityAccount, callerKey};
        } else if (identityType == QLatin1String("WebIdentityUser") || identityType == QLatin1String("SAMLUser")) {
            if (userName.startsWith(QLatin1String("spiffe://"))) {
                event.actor = AliasRef{AliasFamily::Spiffe, spiffeTrustDomain(userName), userName};
            } else {
                if (event.originator.isEmpty())
                    event.originator = userName;
                if (!requestedRole.isEmpty())
                    event.actor = AliasRef{AliasFamily::AwsRole, accountOfArn(requestedRole), requestedRole};
            }
        }

        event.traceId = !traceTag.isEmpty() ? traceTag : callerSession.traceId; // TraceId is a transitive session tag
        event.resource = isAssumeRole(event.kind) && !requestedRole.isEmpty() ? requestedRole : resourceArn;
        if (errorCode.isEmpty())
            event.outcome = QStringLiteral("ok");
        else if (errorCode.contains(QLatin1String("AccessDenied")) || errorCode.contains(QLatin1String("Unauthorized")))
            event.outcome = QStringLiteral("denied");
        else
            event.outcome = QStringLiteral("error");
        QString tool;
        if (!service.isEmpty() && service != QLatin1String("sts") && eventSource.endsWith(QLatin1String(".amazonaws.com"))) {
            tool = service + QLatin1Char('.') + snakeCase(event.kind);
            noteTool(tool);
        }
        event.attributesJson = attributesJson({{"userIdentityType", identityType},
                                               {"principalArn", identityArn},
                                               {"invokedBy", invokedBy},
                                               {"roleSessionName", roleSessionName},
                                               {"issuedAccessKeyId", issuedKey},
                                               {"callerRoleArn", callerRole},
                                               {"tool", tool},
                                               {"region", region},
                                               {"sourceIPAddress", sourceIp},
                                               {"eventID", eventId},
                                               {"errorCode", errorCode},
                                               {"errorMessage", errorMessage.left(500)}});
        const qint64 writtenId = writeEvent(event, origin);

        if (isAssumeRole(event.kind) && errorCode.isEmpty() && !issuedKey.isEmpty()) {
            m_sessions.insert(issuedKey, RoleSession{requestedRole, event.originator, event.traceId});
            // Role chaining: a role session assuming another role hands its work on.
            if (!callerRole.isEmpty() && !requestedRole.isEmpty() && callerRole != requestedRole) {
                DelegationLink link;
                link.delegator = event.actor;
                link.delegate = AliasRef{AliasFamily::AwsRole, accountOfArn(requestedRole), requestedRole};
                link.protocol = QStringLiteral("aws");
                link.timeMs = event.timeMs;
                link.traceId = event.traceId;
                link.kind = LinkKind::Explicit;
                writeEdge(link, writtenId);
            }
        }
        return true;
    }

private:
    QHash<QString, RoleSession> m_sessions; // temporary access key -> the session it was issued for
};

} // namespace

QString CloudTrailImporter::description() const
{
    return QStringLiteral("AWS CloudTrail records ({\"Records\":[...]} files, gzip too, or one record per line)");
}

int CloudTrailImporter::sniff(const SniffSample &sample) const
{
    const QByteArray head = sniffableHead(sample).left(16 * 1024);
    const bool trailFields = head.contains("\"eventVersion\"") || head.contains("\"eventSource\"");
    if (trailFields && (head.contains("\"userIdentity\"") || head.contains("\"eventName\"")))
        return 90;
    if (head.contains("\"Records\"") && trailFields)
        return 90;
    return 0;
}

qint64 CloudTrailImporter::import(ImportContext &context) const
{
    CloudTrailHandler handler(context);
    return importLogRecords(context, handler, QStringLiteral("CloudTrail"));
}

} // namespace chainsight

#include "EntraSignInLogImporter.h"

#include "LogRecords.h"

#include <QRegularExpression>

namespace chainsight {

namespace dom = simdjson::dom;

namespace {

// Entra writes the W3C trace id as a GUID in correlationId; as 32 hex digits it joins the OTLP trace.
QString traceIdOfGuid(const QString &guid)
{
    QString hex = guid;
    hex.remove(QLatin1Char('-'));
    hex = hex.toLower();
    static const QRegularExpression pattern(QStringLiteral("^[0-9a-f]{32}$"));
    return pattern.match(hex).hasMatch() ? hex : QString();
}

class EntraHandler final : public LogRecordHandler
{
public:
    using LogRecordHandler::LogRecordHandler;

    bool read(dom::element record, const LogRecordOrigin &origin, QString *reason) override
    {
        RecordFields fields(record);
        // Azure Monitor export wraps the sign-in in "properties"; Graph API exports are the sign-in itself.
        const auto wrapped = fields.object("/properties");
        const dom::element properties = wrapped ? fields.value("/properties").value() : record;
        AuditEvent event;
        event.protocol = QStringLiteral("entra");
        QString category = fields.text("/category");
        const QString tenant = !fields.text("/tenantId").isEmpty() ? fields.text("/tenantId") : fields.text(properties, "/tenantId");
        event.timeMs = fields.value("/time") ? fields.time("/time", true) : fields.time("/properties/createdDateTime", false);
        if (!event.timeMs && !wrapped)
            event.timeMs = fields.time("/createdDateTime", true);
        else if (!event.timeMs && fields.ok())
            fields.fail(QStringLiteral("the sign-in has no \"time\" or \"properties.createdDateTime\""));
        const QString appId = fields.text(properties, "/appId");
        const QString principalId = fields.text(properties, "/servicePrincipalId");
        const QString principalName = fields.text(properties, "/servicePrincipalName");
        const QString userPrincipal = fields.text(properties, "/userPrincipalName");
        event.accessKey = fields.text(properties, "/servicePrincipalCredentialKeyId");
        event.tokenId = fields.text(properties, "/uniqueTokenIdentifier");
        event.sessionId = fields.text(properties, "/sessionId");
        event.correlationId = fields.text(properties, "/correlationId");
        if (event.correlationId.isEmpty())
            event.correlationId = fields.text("/correlationId");
        QString errorCode = fields.textOrNumber(properties, "/status/errorCode");
        if (errorCode.isEmpty() && wrapped)
            errorCode = fields.textOrNumber("/resultType"); // Azure Monitor repeats the error code there
        const QString failure = fields.text(properties, "/status/failureReason");
        event.resource = fields.text(properties, "/resourceDisplayName");
        const QString resourceId = fields.text(properties, "/resourceId");
        const QString agentType = fields.text(properties, "/agent/agentType");
        const QString agentSubjectType = fields.text(properties, "/agent/agentSubjectType");
        const QString agentParent = fields.text(properties, "/agent/agentSubjectParentId");
        const QString ipAddress = fields.text(properties, "/ipAddress");
        if (principalId.isEmpty() && appId.isEmpty() && userPrincipal.isEmpty())
            fields.fail(QStringLiteral("the sign-in names no servicePrincipalId, appId or userPrincipalName"));
        if (!fields.ok()) {
            *reason = fields.problems();
            return false;
        }
        if (category.isEmpty())
            category = principalId.isEmpty() ? QStringLiteral("SignInLogs") : QStringLiteral("ServicePrincipalSignInLogs");

        const QString principal = !principalId.isEmpty() ? principalId : appId;
        if (category == QLatin1String("ManagedIdentitySignInLogs"))
            event.actor = AliasRef{AliasFamily::ManagedIdentity, tenant, principal};
        else if (category == QLatin1String("ServicePrincipalSignInLogs"))
            event.actor = AliasRef{AliasFamily::ServicePrincipal, tenant, principal};
        else {
            // A person signing in to an app: the app is the client, the person the originator.
            event.actor = AliasRef{AliasFamily::ServicePrincipal, tenant, appId};
            event.originator = userPrincipal;
        }
        event.kind = category;
        event.action = QStringLiteral("sign-in");
        if (event.resource.isEmpty())
            event.resource = resourceId;
        event.traceId = traceIdOfGuid(event.correlationId);
        event.outcome = errorCode.isEmpty() || errorCode == QLatin1String("0") ? QStringLiteral("ok") : QStringLiteral("error");
        event.attributesJson = attributesJson({{"tenantId", tenant},
                                               {"appId", appId},
                                               {"servicePrincipalName", principalName},
                                               {"resourceId", resourceId},
                                               {"errorCode", errorCode == QLatin1String("0") ? QString() : errorCode},
                                               {"failureReason", failure},
                                               {"agentType", agentType},
                                               {"agentSubjectType", agentSubjectType},
                                               {"agentSubjectParentId", agentParent},
                                               {"ipAddress", ipAddress}});
        writeEvent(event, origin);
        return true;
    }
};

} // namespace

QString EntraSignInLogImporter::description() const
{
    return QStringLiteral("Microsoft Entra sign-in logs (Azure Monitor export or Graph JSON): service principals, managed "
                          "identities, agents");
}

int EntraSignInLogImporter::sniff(const SniffSample &sample) const
{
    const QByteArray head = sniffableHead(sample).left(16 * 1024);
    if (head.contains("SignInLogs\"") && head.contains("\"properties\""))
        return 90;
    if (head.contains("\"servicePrincipalId\"") || (head.contains("\"userPrincipalName\"") && head.contains("\"createdDateTime\"")))
        return 70;
    return 0;
}

qint64 EntraSignInLogImporter::import(ImportContext &context) const
{
    EntraHandler handler(context);
    return importLogRecords(context, handler, QStringLiteral("Entra sign-in"));
}

} // namespace chainsight

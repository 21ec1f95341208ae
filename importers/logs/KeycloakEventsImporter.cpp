#include "KeycloakEventsImporter.h"

#include "LogRecords.h"

#include <QHash>

namespace chainsight {

namespace dom = simdjson::dom;

namespace {

// Keycloak names service accounts "service-account-<clientId>"; they are the client itself, not a person.
bool isPersonName(const QString &username)
{
    return !username.isEmpty() && !username.startsWith(QLatin1String("service-account-"));
}

class KeycloakHandler final : public LogRecordHandler
{
public:
    using LogRecordHandler::LogRecordHandler;

    bool read(dom::element record, const LogRecordOrigin &origin, QString *reason) override
    {
        RecordFields fields(record);
        if (fields.value("/operationType") || fields.value("/authDetails"))
            return readAdminEvent(fields, origin, reason);

        AuditEvent event;
        event.protocol = QStringLiteral("keycloak");
        event.timeMs = fields.time("/time", true, true);
        event.kind = fields.requiredText("/type");
        const QString realm = fields.text("/realmId");
        const QString clientId = fields.text("/clientId");
        const QString userId = fields.text("/userId");
        event.sessionId = fields.text("/sessionId");
        const QString error = fields.text("/error");
        const QString ipAddress = fields.text("/ipAddress");
        if (const auto details = fields.value("/details"); details && !details->is_object())
            fields.fail(QStringLiteral("\"details\" must be an object, not %1").arg(jsonTypeName(*details)));
        const QString username = fields.text("/details/username");
        const QString grantType = fields.text("/details/grant_type");
        const QString scope = fields.text("/details/scope");
        event.tokenId = fields.text("/details/token_id");
        const QString subjectClient = fields.text("/details/subject_token_client_id");
        const QString requestedSubject = fields.text("/details/requested_subject");
        const QString audience = fields.text("/details/audience");
        const QString redirect = fields.text("/details/redirect_uri");
        const QString failure = fields.text("/details/reason");
        if (!fields.ok()) {
            *reason = fields.problems();
            return false;
        }

        if (isPersonName(username) && !userId.isEmpty())
            m_usernames.insert(userId, username);
        event.actor = AliasRef{AliasFamily::OAuthClient, realm, clientId};
        if (isPersonName(username))
            event.originator = username;
        else if (!requestedSubject.isEmpty() && m_usernames.contains(requestedSubject))
            event.originator = m_usernames.value(requestedSubject);
        else
            event.originator = m_usernames.value(userId);
        event.action = grantType.isEmpty() ? event.kind : grantType;
        event.resource = !audience.isEmpty() ? audience : redirect;
        event.scopes = splitScopes(scope);
        const bool failed = event.kind.endsWith(QLatin1String("_ERROR")) || !error.isEmpty();
        event.outcome = failed ? QStringLiteral("error") : QStringLiteral("ok");
        event.attributesJson = attributesJson({{"realmId", realm}, {"userId", userId}, {"ipAddress", ipAddress},
                                               {"error", error}, {"reason", failure},
                                               {"subjectTokenClientId", subjectClient}});
        const qint64 eventId = writeEvent(event, origin);

        // A granted exchange is the hop: the subject token's client handed work to the requesting client.
        if (!failed && event.kind.startsWith(QLatin1String("TOKEN_EXCHANGE")) && !subjectClient.isEmpty() && !clientId.isEmpty()) {
            DelegationLink link;
            link.delegator = AliasRef{AliasFamily::OAuthClient, realm, subjectClient};
            link.delegate = event.actor;
            link.protocol = QStringLiteral("keycloak");
            link.scopes = event.scopes;
            link.timeMs = event.timeMs;
            link.kind = LinkKind::Explicit;
            writeEdge(link, eventId);
        }
        return true;
    }

private:
    bool readAdminEvent(RecordFields &fields, const LogRecordOrigin &origin, QString *reason)
    {
        AuditEvent event;
        event.protocol = QStringLiteral("keycloak");
        event.timeMs = fields.time("/time", true, true);
        const QString operation = fields.requiredText("/operationType");
        const QString resourceType = fields.text("/resourceType");
        const QString realm = fields.text("/authDetails/realmId");
        const QString clientId = fields.text("/authDetails/clientId");
        const QString userId = fields.text("/authDetails/userId");
        const QString ipAddress = fields.text("/authDetails/ipAddress");
        event.resource = fields.text("/resourcePath");
        const QString error = fields.text("/error");
        if (!fields.ok()) {
            *reason = fields.problems();
            return false;
        }
        event.kind = QStringLiteral("ADMIN_") + operation;
        event.action = resourceType.isEmpty() ? operation : resourceType + QLatin1Char(' ') + operation;
        event.actor = AliasRef{AliasFamily::OAuthClient, realm, clientId};
        event.originator = m_usernames.value(userId);
        event.outcome = error.isEmpty() ? QStringLiteral("ok") : QStringLiteral("error");
        event.attributesJson = attributesJson({{"realmId", realm}, {"userId", userId}, {"ipAddress", ipAddress}, {"error", error}});
        writeEvent(event, origin);
        return true;
    }

    QHash<QString, QString> m_usernames; // userId -> username, learned from LOGIN-like events of this file
};

} // namespace

QString KeycloakEventsImporter::description() const
{
    return QStringLiteral("Keycloak user and admin events (JSON array or NDJSON)");
}

int KeycloakEventsImporter::sniff(const SniffSample &sample) const
{
    const QByteArray head = sniffableHead(sample).left(16 * 1024);
    if (!head.contains("\"realmId\""))
        return 0;
    if (head.contains("\"clientId\"") && head.contains("\"type\""))
        return 90;
    if (head.contains("\"authDetails\"") && head.contains("\"operationType\""))
        return 90;
    return 30;
}

qint64 KeycloakEventsImporter::import(ImportContext &context) const
{
    KeycloakHandler handler(context);
    return importLogRecords(context, handler, QStringLiteral("Keycloak event"));
}

} // namespace chainsight

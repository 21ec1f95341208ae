#include "OktaSystemLogImporter.h"

#include "LogRecords.h"

#include <QHash>

namespace chainsight {

namespace dom = simdjson::dom;

namespace {

bool isPersonType(const QString &type)
{
    return type.compare(QLatin1String("User"), Qt::CaseInsensitive) == 0;
}

// A subject that names a person: Okta writes login names (e-mail style) for users and client ids for apps.
bool looksLikePerson(const QString &subject)
{
    return subject.contains(QLatin1Char('@'));
}

class OktaHandler final : public LogRecordHandler
{
public:
    using LogRecordHandler::LogRecordHandler;

    bool read(dom::element record, const LogRecordOrigin &origin, QString *reason) override
    {
        RecordFields fields(record);
        AuditEvent event;
        event.protocol = QStringLiteral("okta");
        event.timeMs = fields.time("/published", true);
        event.kind = fields.requiredText("/eventType");
        const QString actorType = fields.text("/actor/type");
        const QString actorId = fields.text("/actor/id");
        const QString actorLogin = fields.text("/actor/alternateId");
        const QString clientId = fields.text("/client/id");
        QString sessionId = fields.text("/authenticationContext/externalSessionId");
        const QString result = fields.text("/outcome/result");
        const QString outcomeReason = fields.text("/outcome/reason");
        const QString grantType = fields.text("/debugContext/debugData/grantType");
        const QString granted = fields.text("/debugContext/debugData/grantedScopes");
        const QString requested = fields.text("/debugContext/debugData/requestedScopes");
        const QString requestId = fields.text("/debugContext/debugData/requestId");
        QString subjectClient = fields.text("/debugContext/debugData/subjectTokenClientId");
        if (subjectClient.isEmpty())
            subjectClient = fields.text("/debugContext/debugData/subject_token_client_id");
        event.correlationId = fields.text("/transaction/id");
        const QString uuid = fields.text("/uuid");
        QString tokenSubject;
        QString audience;
        QString authorizationServer;
        QString firstTarget;
        if (const auto targets = fields.array("/target")) {
            for (const dom::element target : *targets) {
                const QString type = fields.text(target, "/type");
                const QString id = fields.text(target, "/id");
                if (type == QLatin1String("access_token")) {
                    event.tokenId = id;
                    tokenSubject = fields.text(target, "/detailEntry/subject");
                    audience = fields.text(target, "/detailEntry/audience");
                } else if (type == QLatin1String("AuthorizationServer")) {
                    authorizationServer = id;
                } else if (subjectClient.isEmpty() && (type == QLatin1String("PublicClientApp") || type == QLatin1String("AppInstance"))
                           && !id.isEmpty() && id != clientId && id != actorId) {
                    subjectClient = id; // the other client named in an exchange is the one whose token was exchanged
                }
                if (firstTarget.isEmpty())
                    firstTarget = fields.text(target, "/displayName");
            }
        }
        if (!fields.ok()) {
            *reason = fields.problems();
            return false;
        }
        if (sessionId == QLatin1String("unknown"))
            sessionId.clear();
        event.sessionId = sessionId;

        // A person signs in or authorizes an app; an app (agent) acts for itself or for that person.
        QString person;
        if (isPersonType(actorType))
            person = actorLogin;
        else if (looksLikePerson(tokenSubject))
            person = tokenSubject;
        else
            person = m_sessionPeople.value(sessionId);
        if (isPersonType(actorType) && event.kind == QLatin1String("user.session.start") && !sessionId.isEmpty())
            m_sessionPeople.insert(sessionId, actorLogin);
        event.originator = person;
        const QString agentClient = !clientId.isEmpty() ? clientId : (isPersonType(actorType) ? QString() : actorId);
        if (!agentClient.isEmpty())
            event.actor = AliasRef{AliasFamily::OAuthClient, authorizationServer, agentClient};
        event.action = grantType.isEmpty() ? event.kind : grantType;
        event.resource = !audience.isEmpty() ? audience : firstTarget;
        event.scopes = splitScopes(granted.isEmpty() ? requested : granted);
        if (result.isEmpty() || result == QLatin1String("SUCCESS") || result == QLatin1String("ALLOW"))
            event.outcome = QStringLiteral("ok");
        else if (result == QLatin1String("DENY") || result == QLatin1String("FAILURE") || result == QLatin1String("CHALLENGE"))
            event.outcome = result == QLatin1String("DENY") ? QStringLiteral("denied") : QStringLiteral("error");
        else
            event.outcome = result.toLower();
        event.attributesJson = attributesJson({{"actorType", actorType},
                                               {"actorId", actorId},
                                               {"requestId", requestId},
                                               {"uuid", uuid},
                                               {"reason", outcomeReason},
                                               {"tokenSubject", tokenSubject},
                                               {"requestedScopes", requested},
                                               {"subjectTokenClientId", subjectClient}});
        const qint64 eventId = writeEvent(event, origin);

        if (grantType.endsWith(QLatin1String("token-exchange")) && event.outcome == QLatin1String("ok") && !subjectClient.isEmpty()
            && !agentClient.isEmpty() && subjectClient != agentClient) {
            DelegationLink link;
            link.delegator = AliasRef{AliasFamily::OAuthClient, authorizationServer, subjectClient};
            link.delegate = event.actor;
            link.protocol = QStringLiteral("okta");
            link.scopes = event.scopes;
            link.timeMs = event.timeMs;
            link.kind = LinkKind::Explicit;
            writeEdge(link, eventId);
        }
        return true;
    }

private:
    QHash<QString, QString> m_sessionPeople; // externalSessionId -> the person who started it
};

} // namespace

QString OktaSystemLogImporter::description() const
{
    return QStringLiteral("Okta System Log events (JSON array or NDJSON)");
}

int OktaSystemLogImporter::sniff(const SniffSample &sample) const
{
    const QByteArray head = sniffableHead(sample).left(16 * 1024);
    if (!head.contains("\"eventType\""))
        return 0;
    if (head.contains("\"legacyEventType\"") || head.contains("\"displayMessage\"") || head.contains("\"published\""))
        return 90;
    return 30;
}

qint64 OktaSystemLogImporter::import(ImportContext &context) const
{
    OktaHandler handler(context);
    return importLogRecords(context, handler, QStringLiteral("Okta System Log"));
}

} // namespace chainsight

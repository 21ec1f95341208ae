#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <optional>
#include <string_view>

namespace chainsight {

// Kinds of identifier an actor can be known by; each matches the inventory credential types of its family
// (see aliasFamilyCredentialTypes). Identifiers of different families are never compared.
enum class AliasFamily {
    OAuthClient,     // OAuth client_id / azp / act.sub, Keycloak clientId, Okta client: oauth-client, keycloak-client, okta-app
    OtelAgent,       // gen_ai.agent.id, service.name: otel-agent
    McpClient,       // MCP clientInfo.name: mcp-client
    AwsRole,         // role ARN: aws-role
    AccessKey,       // long-lived key id (AKIA…, Entra key id): api-key
    Spiffe,          // SPIFFE ID: spiffe
    ManagedIdentity, // Entra managed identity: managed-identity
    ServicePrincipal // Entra service principal / app id: service-principal
};

QStringList aliasFamilyCredentialTypes(AliasFamily family);
QString aliasFamilyName(AliasFamily family);

// How an event names its actor: a family, an optional namespace (issuer, tenant, account, trust domain)
// and the identifier itself. An empty namespace on either side matches any namespace.
struct AliasRef
{
    AliasFamily family = AliasFamily::OAuthClient;
    QString ns;
    QString value;

    bool isEmpty() const { return value.isEmpty(); }
};

// One normalized audit event, whatever protocol it came from.
struct AuditEvent
{
    std::optional<qint64> timeMs; // UTC milliseconds since the epoch
    QString protocol;             // otlp, oauth, keycloak, okta, entra, aws, mcp
    QString kind;                 // invoke_agent, execute_tool, chat, TOKEN_EXCHANGE, AssumeRole, tools/call…
    AliasRef actor;               // who acted; resolved to an identity (or a shadow identity) on write
    QString originator;           // the human on whose behalf, when the record says so
    QString action;               // tool name, API operation
    QString resource;
    QStringList scopes;
    QString outcome;              // ok, error, denied…
    // Keys that link this record to records of other protocols.
    QString traceId;
    QString spanId;
    QString parentSpanId;
    QString sessionId;
    QString tokenId;
    QString accessKey;
    QString toolCallId;
    QString correlationId;
    QString attributesJson; // protocol-specific extras worth showing
    qint64 line = 0;
    // Evidence: the record's byte range in the (hashed) source file, or the bytes themselves.
    qint64 rawOffset = -1;
    qint64 rawLength = 0;
    QByteArray raw;
};

// The same row as AuditEvent, as UTF-8 views, for bulk importers that must not allocate per record.
// The actor is already resolved (0 when there is none).
struct AuditEventView
{
    std::optional<qint64> timeMs;
    std::string_view protocol;
    std::string_view kind;
    qint64 actorIdentity = 0;
    std::string_view actorAlias;
    std::string_view originator;
    std::string_view action;
    std::string_view resource;
    std::string_view scopesJson;
    std::string_view outcome;
    std::string_view traceId;
    std::string_view spanId;
    std::string_view parentSpanId;
    std::string_view sessionId;
    std::string_view tokenId;
    std::string_view accessKey;
    std::string_view toolCallId;
    std::string_view correlationId;
    std::string_view attributesJson;
    std::string_view toolArguments; // the tool call's arguments as recorded (JSON text), for policy replay
    qint64 line = 0;
    qint64 rawOffset = -1;
    qint64 rawLength = 0;
    QByteArrayView raw;
};

enum class LinkKind { Explicit, Inferred };

// A delegation hop whose two ends are already resolved, as UTF-8 views, for bulk importers.
struct DelegationEdgeView
{
    qint64 delegatorIdentity = 0;
    std::string_view delegatorAlias;
    qint64 delegateIdentity = 0;
    std::string_view delegateAlias;
    std::string_view protocol;
    std::string_view scopesJson;
    std::optional<qint64> timeMs;
    LinkKind kind = LinkKind::Explicit;
    double confidence = 1.0;
    std::string_view traceId;
};

// delegator handed work (and possibly scopes) to delegate at this hop.
struct DelegationLink
{
    AliasRef delegator;
    AliasRef delegate;
    QString protocol;
    QStringList scopes;
    std::optional<qint64> timeMs;
    LinkKind kind = LinkKind::Explicit;
    double confidence = 1.0;
    QString traceId;
};

} // namespace chainsight

#include "AuditEvent.h"

namespace chainsight {

QStringList aliasFamilyCredentialTypes(AliasFamily family)
{
    switch (family) {
    case AliasFamily::OAuthClient:
        return {QStringLiteral("oauth-client"), QStringLiteral("keycloak-client"), QStringLiteral("okta-app")};
    case AliasFamily::OtelAgent:
        return {QStringLiteral("otel-agent")};
    case AliasFamily::McpClient:
        return {QStringLiteral("mcp-client")};
    case AliasFamily::AwsRole:
        return {QStringLiteral("aws-role")};
    case AliasFamily::AccessKey:
        return {QStringLiteral("api-key")};
    case AliasFamily::Spiffe:
        return {QStringLiteral("spiffe")};
    case AliasFamily::ManagedIdentity:
        return {QStringLiteral("managed-identity")};
    case AliasFamily::ServicePrincipal:
        return {QStringLiteral("service-principal")};
    }
    return {};
}

QString aliasFamilyName(AliasFamily family)
{
    return aliasFamilyCredentialTypes(family).constFirst();
}

} // namespace chainsight

#include "Inventory.h"

#include <QRegularExpression>

namespace chainsight {

const QStringList &CredentialTypes::known()
{
    static const QStringList types = {
        QStringLiteral("oauth-client"),     QStringLiteral("api-key"),      QStringLiteral("spiffe"),
        QStringLiteral("managed-identity"), QStringLiteral("aws-role"),     QStringLiteral("service-principal"),
        QStringLiteral("otel-agent"),       QStringLiteral("mcp-client"),   QStringLiteral("okta-app"),
        QStringLiteral("keycloak-client"),  QStringLiteral("other"),
    };
    return types;
}

const QStringList &AgentRoles::known()
{
    static const QStringList roles = {QStringLiteral("supervisor"), QStringLiteral("worker"),
                                      QStringLiteral("sub-agent"), QStringLiteral("tool-proxy")};
    return roles;
}

std::optional<QDateTime> parseRfc3339(const QString &text)
{
    static const QRegularExpression pattern(QStringLiteral(
        R"(^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$)"));
    if (!pattern.match(text).hasMatch())
        return std::nullopt;
    QString normalized = text;
    normalized[10] = QLatin1Char('T');
    if (normalized.endsWith(QLatin1Char('z')))
        normalized.back() = QLatin1Char('Z');
    // Qt's ISO parser takes at most milliseconds; drop finer digits, which no rule here needs.
    static const QRegularExpression fraction(QStringLiteral(R"(\.(\d{3})\d+)"));
    normalized.replace(fraction, QStringLiteral(".\\1"));
    QDateTime parsed = QDateTime::fromString(normalized, Qt::ISODateWithMs);
    if (!parsed.isValid())
        return std::nullopt;
    return parsed.toUTC();
}

} // namespace chainsight

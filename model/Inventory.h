#pragma once

#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace chainsight {

// Values of the native inventory format (see docs/formats.md). `extraJson` keeps unknown keys verbatim.
struct CredentialRecord
{
    QString type;
    QString id;
    QStringList scopes;
    QString created;     // RFC 3339 as written, empty when absent
    QString lastRotated; // RFC 3339 as written, empty when absent
    QString expires;     // RFC 3339, empty when absent or never
    bool expiresNever = false;
    QString extraJson;

    friend bool operator==(const CredentialRecord &, const CredentialRecord &) = default;
};

struct HumanRecord
{
    QString id;
    QString name;
    QString department;
    QString extraJson;
};

struct AgentRecord
{
    QString id;
    QString name;
    QString role;
    QString owner; // empty: nobody answers for the agent
    QString purpose;
    QStringList intents;
    QStringList mayDelegateTo;
    std::optional<int> maxDelegationDepth;
    QList<CredentialRecord> credentials;
    QString extraJson;
};

struct ToolRecord
{
    QString id;
    QString name;
    QString server;
    QString sensitivity;
    QString category;
    QString extraJson;
};

namespace CredentialTypes {
// The credential types the inventory format names; others are kept but flagged.
const QStringList &known();
} // namespace CredentialTypes

namespace AgentRoles {
const QStringList &known();
} // namespace AgentRoles

// Strict RFC 3339 date-time (with offset or Z); nullopt when the text is not one.
std::optional<QDateTime> parseRfc3339(const QString &text);

} // namespace chainsight

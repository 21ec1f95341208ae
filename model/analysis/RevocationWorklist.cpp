#include "RevocationWorklist.h"

#include "ChainJson.h"
#include "SqliteDatabase.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace chainsight {
namespace {

// arn:aws:iam::111122223333:role/x -> aws:111122223333
QString awsAccountOf(const QString &arn)
{
    const QStringList parts = arn.split(QLatin1Char(':'));
    return parts.size() > 4 && !parts.at(4).isEmpty() ? QStringLiteral("aws:") + parts.at(4) : QString();
}

struct IdentityRow
{
    QString externalId;
    QString owner;
};

IdentityRow identityRow(SqliteDatabase &db, qint64 id)
{
    SqliteStatement query(db, "SELECT external_id, owner FROM identities WHERE id = ?1");
    query.bind(1, id);
    if (!query.step())
        return {};
    return {query.text(0), query.text(1)};
}

qint64 lastSeen(SqliteDatabase &db, std::string_view sql, const QString &value)
{
    SqliteStatement query(db, sql);
    query.bind(1, value);
    return query.step() && !query.isNull(0) ? query.int64(0) : 0;
}

QByteArray csvField(const QString &text)
{
    QByteArray bytes = text.toUtf8();
    // A leading = + - @ would run as a formula in a spreadsheet; quote-prefix it.
    if (!bytes.isEmpty() && QByteArrayView("=+-@").contains(bytes.front()))
        bytes.prepend('\'');
    if (bytes.contains(',') || bytes.contains('"') || bytes.contains('\n') || bytes.contains('\r')) {
        bytes.replace("\"", "\"\"");
        return '"' + bytes + '"';
    }
    return bytes;
}

} // namespace

const QStringList &revocationRules()
{
    static const QStringList rules{QStringLiteral("stale-secret"), QStringLiteral("shared-credential"),
                                   QStringLiteral("unverified-token"), QStringLiteral("shadow-agent")};
    return rules;
}

QList<RevocationEntry> revocationWorklist(SqliteDatabase &db, const QList<Finding> &findings)
{
    QList<RevocationEntry> entries;
    for (const Finding &finding : findings) {
        if (!revocationRules().contains(finding.rule))
            continue;
        RevocationEntry base;
        base.findingId = finding.id;
        base.rule = finding.rule;
        base.severity = severityName(finding.severity);
        base.reason = finding.title;
        if (finding.rule == QLatin1String("stale-secret") || finding.rule == QLatin1String("shared-credential")) {
            // The credential as the inventory lists it, once per identity that holds it.
            const bool role = finding.rule == QLatin1String("shared-credential");
            SqliteStatement holders(db, "SELECT c.type, c.credential_id, c.namespace, c.identity_id, c.extra FROM credentials c "
                                        "WHERE c.credential_id = ?1 AND c.type = ?2 ORDER BY c.identity_id");
            holders.bind(1, finding.subject).bind(2, role ? QStringLiteral("aws-role") : QStringLiteral("api-key"));
            bool any = false;
            while (holders.step()) {
                RevocationEntry entry = base;
                entry.credentialType = holders.text(0);
                entry.credentialId = holders.text(1);
                entry.issuer = holders.text(2);
                const IdentityRow identity = identityRow(db, holders.int64(3));
                entry.identity = identity.externalId;
                entry.identityOwner = identity.owner;
                entries.append(entry);
                any = true;
            }
            if (!any) {
                RevocationEntry entry = base;
                entry.credentialType = role ? QStringLiteral("aws-role") : QStringLiteral("api-key");
                entry.credentialId = finding.subject;
                entry.identity = finding.identity;
                entries.append(entry);
            }
            for (qsizetype i = entries.size() - 1; i >= 0 && entries[i].findingId == finding.id; --i) {
                RevocationEntry &entry = entries[i];
                if (role) {
                    entry.issuer = entry.issuer.isEmpty() ? awsAccountOf(entry.credentialId) : entry.issuer;
                    entry.lastSeenMs = lastSeen(db, "SELECT max(time_ms) FROM events WHERE protocol = 'aws' AND actor_alias = ?1", entry.credentialId);
                } else {
                    entry.lastSeenMs = lastSeen(db, "SELECT max(time_ms) FROM events WHERE access_key = ?1", entry.credentialId);
                    if (entry.issuer.isEmpty()) {
                        // The issuing account or tenant, from an event that used the key.
                        SqliteStatement use(db, "SELECT protocol, attributes FROM events WHERE access_key = ?1 LIMIT 1");
                        use.bind(1, entry.credentialId);
                        if (use.step()) {
                            const QJsonObject attributes = QJsonDocument::fromJson(use.text(1).toUtf8()).object();
                            if (use.text(0) == QLatin1String("entra"))
                                entry.issuer = QStringLiteral("entra:") + attributes.value(QStringLiteral("tenantId")).toString();
                            else
                                entry.issuer = awsAccountOf(attributes.value(QStringLiteral("principalArn")).toString());
                        }
                    }
                }
            }
        } else if (finding.rule == QLatin1String("unverified-token")) {
            RevocationEntry entry = base;
            entry.credentialType = QStringLiteral("oauth-token");
            entry.credentialId = finding.subject;
            SqliteStatement use(db, "SELECT max(e.time_ms), e.actor_identity_id, e.actor_alias FROM events e WHERE e.token_id = ?1 "
                                    "AND e.protocol = 'oauth'");
            use.bind(1, finding.subject);
            if (use.step()) {
                entry.lastSeenMs = use.isNull(0) ? 0 : use.int64(0);
                if (!use.isNull(1)) {
                    const IdentityRow identity = identityRow(db, use.int64(1));
                    entry.identity = identity.externalId;
                    entry.identityOwner = identity.owner;
                    SqliteStatement realm(db, "SELECT namespace FROM aliases WHERE identity_id = ?1 AND alias = ?2 LIMIT 1");
                    realm.bind(1, use.int64(1)).bind(2, use.text(2));
                    if (realm.step())
                        entry.issuer = realm.text(0);
                } else {
                    entry.identity = use.text(2);
                }
            }
            entries.append(entry);
        } else if (finding.rule == QLatin1String("shadow-agent")) {
            // Every alias the unregistered agent used is a credential somebody issued to nobody accountable.
            SqliteStatement aliases(db, "SELECT a.alias_type, a.namespace, a.alias, a.identity_id FROM aliases a "
                                        "JOIN identities i ON i.id = a.identity_id WHERE i.kind = 'shadow' AND i.external_id = ?1 "
                                        "ORDER BY a.alias_type, a.namespace");
            aliases.bind(1, finding.subject);
            while (aliases.step()) {
                RevocationEntry entry = base;
                entry.credentialType = aliases.text(0);
                entry.issuer = aliases.text(1);
                entry.credentialId = aliases.text(2);
                entry.identity = finding.subject;
                SqliteStatement seen(db, "SELECT max(time_ms) FROM events WHERE actor_identity_id = ?1");
                seen.bind(1, aliases.int64(3));
                entry.lastSeenMs = seen.step() && !seen.isNull(0) ? seen.int64(0) : 0;
                entries.append(entry);
            }
        }
    }
    return entries;
}

QByteArray revocationWorklistCsv(const QList<RevocationEntry> &entries)
{
    QByteArray csv = "credential_type,credential_id,issuer,identity,identity_owner,last_seen,finding,rule,severity,reason\r\n";
    for (const RevocationEntry &entry : entries) {
        const QList<QByteArray> fields{csvField(entry.credentialType), csvField(entry.credentialId), csvField(entry.issuer),
                                       csvField(entry.identity), csvField(entry.identityOwner), csvField(timeText(entry.lastSeenMs)),
                                       QByteArray::number(entry.findingId), csvField(entry.rule), csvField(entry.severity),
                                       csvField(entry.reason)};
        csv += fields.join(',') + "\r\n";
    }
    return csv;
}

QByteArray revocationWorklistJson(const QList<RevocationEntry> &entries)
{
    QJsonArray array;
    for (const RevocationEntry &entry : entries) {
        array.append(QJsonObject{
            {QStringLiteral("credential_type"), entry.credentialType},
            {QStringLiteral("credential_id"), entry.credentialId},
            {QStringLiteral("issuer"), entry.issuer.isEmpty() ? QJsonValue() : QJsonValue(entry.issuer)},
            {QStringLiteral("identity"), entry.identity},
            {QStringLiteral("identity_owner"), entry.identityOwner.isEmpty() ? QJsonValue() : QJsonValue(entry.identityOwner)},
            {QStringLiteral("last_seen"), entry.lastSeenMs ? QJsonValue(timeText(entry.lastSeenMs)) : QJsonValue()},
            {QStringLiteral("finding"), entry.findingId},
            {QStringLiteral("rule"), entry.rule},
            {QStringLiteral("severity"), entry.severity},
            {QStringLiteral("reason"), entry.reason},
        });
    }
    return QJsonDocument(array).toJson(QJsonDocument::Indented);
}

} // namespace chainsight

#pragma once

#include "Finding.h"

#include <QList>
#include <QString>

namespace chainsight {

class SqliteDatabase;

// One credential a revocation pipeline should act on, and why.
struct RevocationEntry
{
    QString credentialType; // api-key, aws-role, oauth-token, oauth-client, mcp-client, ...
    QString credentialId;
    QString issuer;         // issuing system: AWS account, Entra tenant, OAuth realm or org, when known
    QString identity;       // the identity the credential belongs to (alias for a shadow agent)
    QString identityOwner;  // the human accountable for that identity; empty when nobody is
    qint64 lastSeenMs = 0;  // last event that used it; 0 when never seen in the logs
    qint64 findingId = 0;
    QString rule;
    QString severity;
    QString reason;
};

// Rules whose findings name a credential to revoke or rotate.
const QStringList &revocationRules();

// Every credential behind a stale-secret, shared-credential, unverified-token or shadow-agent finding.
// Throws SqliteError on a store failure.
QList<RevocationEntry> revocationWorklist(SqliteDatabase &db, const QList<Finding> &findings);

// RFC 4180 CSV with a header row, and a JSON array; both list the fields of RevocationEntry.
QByteArray revocationWorklistCsv(const QList<RevocationEntry> &entries);
QByteArray revocationWorklistJson(const QList<RevocationEntry> &entries);

} // namespace chainsight

#pragma once

#include "Chain.h"
#include "Finding.h"
#include "IdentityGraph.h"
#include "ReviewCoverage.h"
#include "ReviewLog.h"
#include "Workspace.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>

#include <optional>

namespace chainsight {

// Which part of the workspace a report covers.
struct EvidenceScope
{
    enum class Kind {
        All,         // every chain, finding, identity and review
        Chains,      // every chain and the findings about a chain
        Identities,  // the findings about an identity rather than a chain
        OneChain,    // chain:KEY
        OneIdentity, // identity:ID: the chains it takes part in and the findings about it or them
    };
    Kind kind = Kind::All;
    QString subject; // the chain key or identity id of the One… kinds

    // all, chain, identity, chain:KEY or identity:ID; nullopt with *error set otherwise.
    static std::optional<EvidenceScope> parse(const QString &text, QString *error);
    QString toString() const;   // the form parse() reads
    QString describe() const;   // plain words for the cover page
};

// One imported file, with whether the file on disk still has the SHA-256 recorded at import.
struct EvidenceInput
{
    SourceInfo source;
    QString fileName;
    enum class OnDisk { NotChecked, Matches, Changed, Missing };
    OnDisk onDisk = OnDisk::NotChecked;
};
QString onDiskName(EvidenceInput::OnDisk state);

// An event behind a finding: its normalized fields and an excerpt of the raw record.
struct EvidenceEvent
{
    qint64 id = 0;
    qint64 timeMs = 0;
    QString protocol;
    QString kind;
    QString actor;
    QString action;
    QString resource;
    QString outcome;
    QString traceId;
    qint64 sourceId = 0;
    QString sourceFile;
    qint64 line = 0;
    QByteArray excerpt;       // raw bytes of the record, at most the excerpt limit
    qint64 rawLength = 0;     // the whole record's length; more than excerpt.size() when shortened
    QString excerptNote;      // why there is no excerpt, when there is none
};

struct EvidencePolicy
{
    QString name;
    QString origin; // the file it was read from, or "workspace policy version N"
    QString text;
    QByteArray sha256; // lowercase hex of the UTF-8 text
};

struct EvidenceDecision
{
    qint64 eventId = 0;
    qint64 timeMs = 0;
    QString actor;
    QString action;
    QString resource;
    QString chainKey;
    QString decision; // allow or deny
    QString determining; // policy ids, comma-separated
    QString errors;
    QString baselineDecision; // with a baseline run: its decision for the same event (empty when it had none)
};

struct EvidenceSimulation
{
    qint64 runId = 0;
    qint64 policyVersionId = 0;
    QString policyName;
    QByteArray policySha256;
    QString baselinePolicyName;
    QByteArray baselinePolicySha256;
    qint64 baselineRunId = 0;
    QString startedAt;
    QString finishedAt;
    qint64 requestCount = 0;
    qint64 allowCount = 0;
    qint64 denyCount = 0;
    qint64 errorCount = 0;
    QList<EvidenceDecision> decisions; // in scope, by event time
    qint64 changedCount = 0;           // decisions that differ from the baseline run
    bool policyMatchesText = true;     // the run's policy version has the same SHA-256 as the report's policy
};

// Everything a report states, gathered once from the workspace; the PDF, evidence.json and the CSVs are
// written from it, so they agree.
struct EvidenceReport
{
    QString workspacePath;
    QString workspaceName;
    QString generatedAt; // RFC 3339 UTC
    QString generatedBy; // the OS user
    QString chainsightVersion;
    EvidenceScope scope;
    int schemaVersion = 0;

    QList<EvidenceInput> inputs;
    WorkspaceCounts counts;
    QList<Chain> chains;          // in scope
    qint64 chainCountInWorkspace = 0;
    IdentityGraph graph;          // of the chains in scope
    QList<Finding> findings;      // in scope, worst first
    QHash<qint64, EvidenceEvent> events; // evidence events of those findings
    QStringList identityIds;      // identities in scope, for coverage

    QList<ReviewRecord> reviewLog;    // the whole log, as stored
    ReviewChainVerification reviewVerification;
    QList<ReviewRecord> reviewsInScope;
    ReviewCoverage coverage;
    ReviewIndex reviewIndex;

    std::optional<EvidencePolicy> policy;
    std::optional<EvidenceSimulation> simulation;
    QStringList notes; // things the report could not state, in plain words

    int evidenceEventsPerFinding = 3; // how many events the PDF shows for each finding
    qsizetype excerptLimit = 1200;    // bytes of a raw record the PDF and evidence.json show
};

} // namespace chainsight

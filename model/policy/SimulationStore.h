#pragma once

#include "PolicySimulator.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <atomic>
#include <functional>
#include <optional>

namespace chainsight {

class Workspace;

// A policy text as it was saved in the workspace; versions are never changed once written.
struct PolicyVersion
{
    qint64 id = 0;
    QString name;
    QString text;
    QString sha256; // lowercase hex of the UTF-8 text
    QString note;
    QString author;
    QString createdAt; // RFC 3339 UTC
};

struct SimulationRunInfo
{
    qint64 id = 0;
    qint64 policyVersionId = 0;
    QString policyName;
    std::optional<qint64> baselinePolicyVersionId;
    std::optional<qint64> baselineRunId;
    QString startedAt;
    QString finishedAt;
    qint64 requestCount = 0;
    qint64 allowCount = 0;
    qint64 denyCount = 0;
    qint64 errorCount = 0;
    ReplayFilter filter;
};

// One stored decision, as simulation_results holds it.
struct StoredDecision
{
    qint64 eventId = 0;
    PolicyDecision decision = PolicyDecision::Deny;
    QStringList determining;
    QStringList errors;      // "policy: message"
    QString explanation;     // JSON array (ReplayExplainer::explainJson); empty for plain allows
};

// Policy versions and simulation runs in the workspace (policy_versions, simulation_runs, simulation_results).
// Every call returns nullopt with *error set on a store failure.
class SimulationStore final
{
public:
    explicit SimulationStore(Workspace &workspace);

    // A new version; or the newest version of that name when its text and note are the same, so a CI job that
    // replays the same file every time adds nothing.
    std::optional<PolicyVersion> saveVersion(const QString &name, const QString &text, const QString &note,
                                             const QString &author, QString *error);
    std::optional<QList<PolicyVersion>> versions(QString *error) const; // newest first
    std::optional<PolicyVersion> version(qint64 id, QString *error) const;

    using Progress = std::function<void(qint64 done, qint64 total)>;
    // Stores a finished replay and every decision in one transaction; denied and erring actions get their
    // why-not explanation. A cancelled store leaves the workspace unchanged.
    std::optional<qint64> saveRun(const SimulationResult &result, qint64 policyVersionId,
                                  std::optional<qint64> baselinePolicyVersionId, std::optional<qint64> baselineRunId,
                                  const QString &startedAt, QString *error, const Progress &progress = {},
                                  const std::atomic_bool *cancel = nullptr);
    std::optional<QList<SimulationRunInfo>> runs(QString *error) const; // newest first
    std::optional<QList<StoredDecision>> decisions(qint64 runId, QString *error) const;

    static QString sha256Of(const QString &text);
    static QString nowUtc();

private:
    Workspace &m_workspace;
};

} // namespace chainsight

#pragma once

#include "PolicyChecker.h"
#include "PolicyDiff.h"
#include "PolicySimulator.h"
#include "ReplayCorpus.h"
#include "SimulationStore.h"

#include <QObject>
#include <QTimer>

#include <atomic>
#include <memory>
#include <optional>

namespace chainsight {

// A policy text as the editor hands it over for a replay.
struct PolicyDraft
{
    QString name; // file name, or "untitled.cedar"
    QString text;
};

// What one finished replay produced; shared read-only with the views.
struct SimulationOutcome
{
    std::shared_ptr<const SimulationResult> result;
    std::shared_ptr<const SimulationResult> baseline; // null without a diff
    std::shared_ptr<const PolicyDiff> diff;           // null without a diff
    PolicyDraft policy;
    std::optional<PolicyDraft> baselinePolicy;
    QString startedAt;     // RFC 3339 UTC, for the stored run
};

// Where a background replay is, written by the worker and polled by the GUI.
struct ReplayProgress
{
    std::atomic<int> phase{0};
    std::atomic<qint64> done{0};
    std::atomic<qint64> total{0};
};

// The policy side of the open workspace: the replay corpus built once in the background, the checker for the
// editor, policy versions, and replays with progress and Cancel. Every job opens its own connection; only the
// newest replay's outcome is delivered.
class PolicySession final : public QObject
{
    Q_OBJECT
public:
    explicit PolicySession(QObject *parent = nullptr);
    ~PolicySession() override;

    // chains may be null: they are then built from the workspace in the background.
    void setWorkspace(const QString &path, std::shared_ptr<const ChainSet> chains = {});
    QString workspacePath() const { return m_path; }
    std::shared_ptr<const ReplayCorpus> corpus() const { return m_corpus; }
    std::shared_ptr<const PolicyChecker> checker() const { return m_checker; }
    QList<PolicyVersion> versions() const { return m_versions; }
    bool isRunning() const { return m_running; }

    // A replay of the draft, and with a baseline the diff of the two; the run is stored in the workspace.
    void simulate(const PolicyDraft &policy, const std::optional<PolicyDraft> &baseline = std::nullopt,
                  const ReplayFilter &filter = {});
    void cancel();
    void saveVersion(const PolicyDraft &policy, const QString &note);
    void reloadVersions();

Q_SIGNALS:
    void corpusReady(std::shared_ptr<const chainsight::ReplayCorpus> corpus);
    void checkerChanged(std::shared_ptr<const chainsight::PolicyChecker> checker);
    void versionsChanged(const QList<chainsight::PolicyVersion> &versions);
    void versionSaved(const chainsight::PolicyVersion &version);
    void simulationStarted();
    // phase: what is being done; done/total: actions so far (throttled to a few updates a second).
    void simulationProgress(const QString &phase, qint64 done, qint64 total);
    // The results, at once; the run is stored afterwards (simulationStored).
    void simulationFinished(const chainsight::SimulationOutcome &outcome);
    // runId 0 with the reason when the run could not be stored (or the store was cancelled).
    void simulationStored(qint64 runId, const QString &error);
    void simulationFailed(const QString &message);
    void simulationCancelled();

private:
    void pollProgress();
    void store(const SimulationOutcome &outcome, int generation);

    QString m_path;
    int m_generation = 0;
    std::shared_ptr<const ReplayCorpus> m_corpus;
    std::shared_ptr<const PolicyChecker> m_checker;
    QList<PolicyVersion> m_versions;
    bool m_running = false;
    int m_runGeneration = 0;
    std::shared_ptr<std::atomic_bool> m_cancel;
    std::shared_ptr<ReplayProgress> m_progress;
    QTimer m_progressTimer;
};

} // namespace chainsight

Q_DECLARE_METATYPE(chainsight::SimulationOutcome)

#pragma once

#include "Chain.h"
#include "Finding.h"
#include "FindingRule.h"
#include "IdentityGraph.h"
#include "ImportTypes.h"
#include "Workspace.h"

#include <QObject>

#include <atomic>
#include <memory>

namespace chainsight {

// What the views show of one workspace; loaded off the GUI thread and handed over whole.
struct WorkspaceSnapshot
{
    QString path;
    WorkspaceInfo info;
    QList<AgentSummary> agents;
    QList<IdentitySummary> identities;
    QList<Finding> findings;
    // Built from the events on every load; shared, since the graph, the chain inspector and the policy
    // replay all read them and a large workspace holds hundreds of thousands of actions.
    std::shared_ptr<const ChainSet> chains;
    std::shared_ptr<const IdentityGraph> graph; // findings attached
};

// The chains an analysis built and stored, by its run; a load that finds them still current uses them as they
// are instead of reading them back.
struct AnalysedChains
{
    qint64 runId = 0;
    std::shared_ptr<const ChainSet> chains;
};

// Runs every finding rule over the workspace at path and stores the findings (worker threads only).
AnalysedChains analyseWorkspace(const QString &path, const FindingsSettings &settings = {});

// Owns the GUI's current workspace and runs every database job in the background. Each job opens its own
// connection (WAL lets readers and the importer work side by side); only the newest load is applied.
class WorkspaceSession final : public QObject
{
    Q_OBJECT
public:
    explicit WorkspaceSession(QObject *parent = nullptr);
    ~WorkspaceSession() override;

    QString workspacePath() const { return m_path; }
    bool isImporting() const { return m_importing; }

    void openWorkspace(const QString &path, bool createIfMissing = false);
    void reload();
    // As reload(), with the chains the analysis that just ran built.
    void reload(const AnalysedChains &analysed);
    void importFiles(const QStringList &paths, const ImportOptions &options = {});
    void cancelImport();
    // Thresholds for every later analysis; copied into each job when it starts.
    void setFindingsSettings(const FindingsSettings &settings) { m_findingsSettings = settings; }
    FindingsSettings findingsSettings() const { return m_findingsSettings; }
    // Runs the rules again over the open workspace (after a threshold changed), then reloads it.
    void reanalyse();

Q_SIGNALS:
    void workspaceLoaded(const chainsight::WorkspaceSnapshot &snapshot);
    void workspaceFailed(const QString &path, const QString &message);
    void importStarted(const QStringList &paths);
    void importProgressed(const chainsight::ImportProgress &progress);
    void importFinished(const chainsight::ImportResult &result);

private:
    void load(const QString &path, bool createIfMissing, const AnalysedChains &analysed);

    QString m_path;
    int m_loadGeneration = 0;
    bool m_importing = false;
    FindingsSettings m_findingsSettings;
    bool m_reanalyseAfterImport = false;
    std::shared_ptr<std::atomic_bool> m_cancel;
};

} // namespace chainsight

Q_DECLARE_METATYPE(chainsight::WorkspaceSnapshot)
Q_DECLARE_METATYPE(chainsight::ImportProgress)
Q_DECLARE_METATYPE(chainsight::ImportResult)

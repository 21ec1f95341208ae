#include "WorkspaceSession.h"

#include "ChainStore.h"
#include "FindingListModel.h"
#include "FindingsEngine.h"
#include "ImportRunner.h"

#include <QPointer>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>

#include <utility>

namespace chainsight {
namespace {

struct LoadOutcome
{
    std::optional<WorkspaceSnapshot> snapshot;
    QString error;
};

} // namespace

AnalysedChains analyseWorkspace(const QString &path, const FindingsSettings &settings)
{
    QString error;
    if (auto workspace = Workspace::open(path, Workspace::OpenMode::OpenExisting, &error)) {
        if (auto run = FindingsEngine(settings).run(*workspace, {}, &error))
            return {run->runId, std::move(run->chains)};
        qWarning("analysis failed: %s", qUtf8Printable(error));
    }
    return {};
}

namespace {

LoadOutcome loadSnapshot(const QString &path, bool createIfMissing, const AnalysedChains &analysed)
{
    LoadOutcome outcome;
    auto workspace = Workspace::open(path, createIfMissing ? Workspace::OpenMode::CreateIfMissing
                                                           : Workspace::OpenMode::OpenExisting,
                                     &outcome.error);
    if (!workspace)
        return outcome;
    WorkspaceSnapshot snapshot;
    snapshot.path = path;
    auto info = workspace->info(&outcome.error);
    auto agents = workspace->agents(&outcome.error);
    auto identities = workspace->identities(&outcome.error);
    auto findings = storedFindings(*workspace, &outcome.error);
    if (!info || !agents || !identities || !findings)
        return outcome;
    std::shared_ptr<const ChainSet> chains;
    if (analysed.chains && ChainStore::isStoredFresh(workspace->database(), analysed.runId)) {
        chains = analysed.chains;
    } else {
        auto stored = ChainStore::chainsOf(*workspace, &outcome.error);
        if (!stored)
            return outcome;
        chains = std::make_shared<const ChainSet>(std::move(*stored));
    }
    auto graph = std::make_shared<IdentityGraph>(IdentityGraph::fromChains(*chains, *identities));
    graph->attachFindings(*findings);
    snapshot.graph = std::move(graph);
    snapshot.chains = std::move(chains);
    snapshot.findings = std::move(*findings);
    snapshot.info = std::move(*info);
    snapshot.agents = std::move(*agents);
    snapshot.identities = std::move(*identities);
    outcome.snapshot = std::move(snapshot);
    return outcome;
}

} // namespace

WorkspaceSession::WorkspaceSession(QObject *parent)
    : QObject(parent)
    , m_cancel(std::make_shared<std::atomic_bool>(false))
{
    qRegisterMetaType<WorkspaceSnapshot>();
    qRegisterMetaType<ImportProgress>();
    qRegisterMetaType<ImportResult>();
}

WorkspaceSession::~WorkspaceSession()
{
    m_cancel->store(true);
    QThreadPool::globalInstance()->waitForDone();
}

void WorkspaceSession::openWorkspace(const QString &path, bool createIfMissing)
{
    load(path, createIfMissing, {});
}

void WorkspaceSession::load(const QString &path, bool createIfMissing, const AnalysedChains &analysed)
{
    const int generation = ++m_loadGeneration;
    QtConcurrent::run([path, createIfMissing, analysed] { return loadSnapshot(path, createIfMissing, analysed); })
        .then(this, [this, generation, path](const LoadOutcome &outcome) {
            if (generation != m_loadGeneration)
                return; // a newer open or reload superseded this one
            if (!outcome.snapshot) {
                Q_EMIT workspaceFailed(path, outcome.error);
                return;
            }
            m_path = path;
            Q_EMIT workspaceLoaded(*outcome.snapshot);
        });
}

void WorkspaceSession::reload()
{
    reload({});
}

void WorkspaceSession::reload(const AnalysedChains &analysed)
{
    if (!m_path.isEmpty())
        load(m_path, false, analysed);
}

void WorkspaceSession::importFiles(const QStringList &paths, const ImportOptions &options)
{
    if (m_importing || m_path.isEmpty() || paths.isEmpty())
        return;
    m_importing = true;
    m_cancel->store(false);
    Q_EMIT importStarted(paths);
    QPointer<WorkspaceSession> self(this);
    auto cancel = m_cancel;
    const QString workspacePath = m_path;
    const FindingsSettings settings = m_findingsSettings;
    QtConcurrent::run([workspacePath, paths, options, cancel, self, settings] {
        // Progress crosses to the GUI thread as values through queued calls.
        const ImportProgressCallback progress = [self](const ImportProgress &value) {
            if (self)
                QMetaObject::invokeMethod(self.data(), [self, value] {
                    if (self)
                        Q_EMIT self->importProgressed(value);
                }, Qt::QueuedConnection);
        };
        ImportResult result = ImportRunner::run(workspacePath, paths, options, progress, *cancel);
        // New data, new findings: the analysis runs on the same worker, before the views reload.
        AnalysedChains analysed;
        if (result.status == ImportResult::Status::Committed)
            analysed = analyseWorkspace(workspacePath, settings);
        return std::make_pair(result, analysed);
    }).then(this, [this](const std::pair<ImportResult, AnalysedChains> &outcome) {
        const ImportResult &result = outcome.first;
        m_importing = false;
        Q_EMIT importFinished(result);
        if (std::exchange(m_reanalyseAfterImport, false))
            reanalyse();
        else if (result.status == ImportResult::Status::Committed)
            reload(outcome.second);
    });
}

void WorkspaceSession::reanalyse()
{
    if (m_path.isEmpty())
        return;
    // A running import analysed with the thresholds it started with: run again once it ends.
    if (m_importing) {
        m_reanalyseAfterImport = true;
        return;
    }
    const QString path = m_path;
    const FindingsSettings settings = m_findingsSettings;
    QtConcurrent::run([path, settings] { return analyseWorkspace(path, settings); }).then(this, [this, path](const AnalysedChains &analysed) {
        if (path == m_path)
            reload(analysed);
    });
}

void WorkspaceSession::cancelImport()
{
    m_cancel->store(true);
}

} // namespace chainsight

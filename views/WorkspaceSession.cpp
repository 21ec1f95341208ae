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

void analyseWorkspace(const QString &path, const FindingsSettings &settings)
{
    QString error;
    if (auto workspace = Workspace::open(path, Workspace::OpenMode::OpenExisting, &error)) {
        if (!FindingsEngine(settings).run(*workspace, {}, &error))
            qWarning("analysis failed: %s", qUtf8Printable(error));
    }
}

namespace {

LoadOutcome loadSnapshot(const QString &path, bool createIfMissing)
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
    auto chains = ChainStore::chainsOf(*workspace, &outcome.error);
    if (!info || !agents || !identities || !findings || !chains)
        return outcome;
    auto graph = std::make_shared<IdentityGraph>(IdentityGraph::fromChains(*chains, *identities));
    graph->attachFindings(*findings);
    snapshot.graph = std::move(graph);
    snapshot.chains = std::make_shared<const ChainSet>(std::move(*chains));
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
    const int generation = ++m_loadGeneration;
    QtConcurrent::run([path, createIfMissing] { return loadSnapshot(path, createIfMissing); })
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
    if (!m_path.isEmpty())
        openWorkspace(m_path);
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
        if (result.status == ImportResult::Status::Committed)
            analyseWorkspace(workspacePath, settings);
        return result;
    }).then(this, [this](const ImportResult &result) {
        m_importing = false;
        Q_EMIT importFinished(result);
        if (std::exchange(m_reanalyseAfterImport, false))
            reanalyse();
        else if (result.status == ImportResult::Status::Committed)
            reload();
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
    QtConcurrent::run([path, settings] { analyseWorkspace(path, settings); }).then(this, [this, path] {
        if (path == m_path)
            reload();
    });
}

void WorkspaceSession::cancelImport()
{
    m_cancel->store(true);
}

} // namespace chainsight

#include "PolicySession.h"

#include "PolicyResources.h"
#include "ReplaySource.h"
#include "SqliteDatabase.h"
#include "Workspace.h"

#include "cedar/PolicyParser.h"

#include <QPointer>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>

namespace chainsight {
namespace {

struct WorkspacePolicyData
{
    std::shared_ptr<const ReplayCorpus> corpus;
    std::shared_ptr<const PolicyChecker> checker;
    QList<PolicyVersion> versions;
    QString error;
};

std::shared_ptr<const ReplayCorpus> buildCorpus(Workspace &workspace, const ChainSet *chains, QString *error)
{
    try {
        if (chains) // the views' chains, already in memory
            return ReplayCorpus::build(ReplaySource::load(workspace.database(), chains));
        ReplaySource source;
        return ReplayCorpus::load(workspace.database(), &source);
    } catch (const SqliteError &e) {
        *error = e.message();
    }
    return nullptr;
}

WorkspacePolicyData loadPolicyData(const QString &path, std::shared_ptr<const ChainSet> chains)
{
    WorkspacePolicyData data;
    auto workspace = Workspace::open(path, Workspace::OpenMode::OpenExisting, &data.error);
    if (!workspace)
        return data;
    data.corpus = buildCorpus(*workspace, chains.get(), &data.error);
    if (!data.corpus)
        return data;
    data.checker = std::make_shared<const PolicyChecker>(workspacePolicySchema(data.corpus.get()), data.corpus);
    if (auto versions = SimulationStore(*workspace).versions(&data.error))
        data.versions = std::move(*versions);
    return data;
}

std::shared_ptr<const cedar::PolicySet> parseDraft(const PolicyDraft &draft, QString *error)
{
    const QByteArray utf8 = draft.text.toUtf8();
    auto parsed = cedar::PolicyParser::parse(std::string_view(utf8.constData(), size_t(utf8.size())), draft.name.toStdString());
    if (!parsed.ok()) {
        const auto &d = parsed.diagnostics.front();
        *error = QStringLiteral("%1:%2:%3: %4").arg(draft.name).arg(d.location.line).arg(d.location.column).arg(QString::fromStdString(d.message));
        return nullptr;
    }
    return std::make_shared<const cedar::PolicySet>(std::move(parsed.policySet));
}

struct SimulationJob
{
    std::optional<SimulationOutcome> outcome;
    std::shared_ptr<const ReplayCorpus> corpus;
    QString failure;
    bool cancelled = false;
};

enum Phase { Preparing, Replaying, ReplayingBaseline, Storing };

// The replay of a draft (and its baseline) on a worker thread; the diff when there is a baseline.
SimulationJob replayDraft(const QString &path, std::shared_ptr<const ReplayCorpus> corpus, const PolicyDraft &policy,
                          const std::optional<PolicyDraft> &baseline, const ReplayFilter &filter,
                          const std::atomic_bool *cancel, const std::shared_ptr<ReplayProgress> &progress)
{
    SimulationJob job;
    QString error;
    if (!corpus) {
        auto workspace = Workspace::open(path, Workspace::OpenMode::OpenExisting, &error);
        corpus = workspace ? buildCorpus(*workspace, nullptr, &error) : nullptr;
    }
    job.corpus = corpus;
    const auto policies = parseDraft(policy, &error);
    const auto baselinePolicies = baseline ? parseDraft(*baseline, &error) : nullptr;
    if (!corpus || !policies || (baseline && !baselinePolicies)) {
        job.failure = error;
        return job;
    }
    const auto report = [progress](qint64 done, qint64 total) {
        progress->done.store(done);
        progress->total.store(total);
    };
    SimulationOptions options;
    options.filter = filter;
    SimulationOutcome outcome;
    outcome.policy = policy;
    outcome.baselinePolicy = baseline;
    outcome.startedAt = SimulationStore::nowUtc();
    progress->phase.store(Replaying);
    auto result = std::make_shared<SimulationResult>(PolicySimulator::run(corpus, policies, options, report, cancel));
    std::shared_ptr<SimulationResult> before;
    if (baselinePolicies && !result->cancelled) {
        progress->phase.store(ReplayingBaseline);
        before = std::make_shared<SimulationResult>(PolicySimulator::run(corpus, baselinePolicies, options, report, cancel));
    }
    if (result->cancelled || (before && before->cancelled)) {
        job.cancelled = true;
        return job;
    }
    for (const auto &r : {result, before}) {
        if (r && !r->failure.isEmpty()) {
            job.failure = r->failure;
            return job;
        }
    }
    if (before)
        outcome.diff = std::make_shared<const PolicyDiff>(PolicyDiff::compare(*before, *result));
    outcome.result = std::move(result);
    outcome.baseline = std::move(before);
    job.outcome = std::move(outcome);
    return job;
}

// Stores the replayed draft as a version and the run with every decision; the run id, or 0 and why not.
std::pair<qint64, QString> storeOutcome(const QString &path, const SimulationOutcome &outcome, const std::atomic_bool *cancel,
                                        const std::shared_ptr<ReplayProgress> &progress)
{
    QString error;
    auto workspace = Workspace::open(path, Workspace::OpenMode::OpenExisting, &error);
    if (!workspace)
        return {0, error};
    const auto report = [progress](qint64 done, qint64 total) {
        progress->done.store(done);
        progress->total.store(total);
    };
    SimulationStore store(*workspace);
    const QString note = QStringLiteral("replayed in the policy editor");
    const QString author = qEnvironmentVariable("USER");
    const auto version = store.saveVersion(outcome.policy.name, outcome.policy.text, note, author, &error);
    std::optional<PolicyVersion> baselineVersion;
    std::optional<qint64> baselineRun;
    if (version && outcome.baseline) {
        baselineVersion = store.saveVersion(outcome.baselinePolicy->name, outcome.baselinePolicy->text, note, author, &error);
        if (baselineVersion)
            baselineRun = store.saveRun(*outcome.baseline, baselineVersion->id, std::nullopt, std::nullopt, outcome.startedAt, &error,
                                        report, cancel);
    }
    qint64 runId = 0;
    if (version && (!outcome.baseline || baselineRun)) {
        const auto stored = store.saveRun(*outcome.result, version->id,
                                          baselineVersion ? std::optional<qint64>(baselineVersion->id) : std::nullopt, baselineRun,
                                          outcome.startedAt, &error, report, cancel);
        runId = stored.value_or(0);
    }
    if (cancel->load())
        error = QStringLiteral("cancelled");
    return {runId, error};
}

} // namespace

PolicySession::PolicySession(QObject *parent)
    : QObject(parent)
    , m_cancel(std::make_shared<std::atomic_bool>(false))
{
    qRegisterMetaType<SimulationOutcome>();
    m_progressTimer.setInterval(150);
    connect(&m_progressTimer, &QTimer::timeout, this, &PolicySession::pollProgress);
}

PolicySession::~PolicySession()
{
    m_cancel->store(true);
    QThreadPool::globalInstance()->waitForDone();
}

void PolicySession::setWorkspace(const QString &path, std::shared_ptr<const ChainSet> chains)
{
    const int generation = ++m_generation;
    if (path != m_path) {
        cancel();
        m_corpus.reset();
        m_versions.clear();
    }
    m_path = path;
    QtConcurrent::run([path, chains] {
        try {
            return loadPolicyData(path, chains);
        } catch (const std::exception &e) {
            WorkspacePolicyData data;
            data.error = QString::fromUtf8(e.what());
            return data;
        }
    })
        .then(this, [this, generation](const WorkspacePolicyData &data) {
            if (generation != m_generation)
                return; // another workspace (or a reload) superseded this one
            if (!data.corpus) {
                qWarning("policy replay unavailable: %s", qUtf8Printable(data.error));
                return;
            }
            m_corpus = data.corpus;
            m_checker = data.checker;
            m_versions = data.versions;
            Q_EMIT corpusReady(m_corpus);
            Q_EMIT checkerChanged(m_checker);
            Q_EMIT versionsChanged(m_versions);
        });
}

void PolicySession::simulate(const PolicyDraft &policy, const std::optional<PolicyDraft> &baseline, const ReplayFilter &filter)
{
    if (m_path.isEmpty()) {
        Q_EMIT simulationFailed(tr("Open a workspace first"));
        return;
    }
    cancel();
    m_cancel = std::make_shared<std::atomic_bool>(false);
    m_progress = std::make_shared<ReplayProgress>();
    m_running = true;
    const int generation = ++m_runGeneration;
    Q_EMIT simulationStarted();
    m_progressTimer.start();

    const QString path = m_path;
    auto corpus = m_corpus;
    auto cancelFlag = m_cancel;
    auto progress = m_progress;
    QtConcurrent::run([path, corpus, policy, baseline, filter, cancelFlag, progress] {
        // Nothing may escape the worker: an unexpected failure ends the replay with a message.
        try {
            return replayDraft(path, corpus, policy, baseline, filter, cancelFlag.get(), progress);
        } catch (const std::exception &e) {
            SimulationJob job;
            job.failure = QString::fromUtf8(e.what());
            return job;
        }
    }).then(this, [this, generation](const SimulationJob &finishedJob) {
        // A job that ends before this continuation is attached would run it at once, inside simulate(), before a
        // cancel() right after it could drop it: the outcome always goes through the event loop instead.
        QMetaObject::invokeMethod(this, [this, generation, job = finishedJob] {
            if (generation != m_runGeneration)
                return; // a newer replay superseded this one, or it was cancelled
            if (job.corpus && !m_corpus)
                m_corpus = job.corpus;
            if (job.cancelled || !job.outcome) {
                m_running = false;
                m_progressTimer.stop();
                if (job.cancelled)
                    Q_EMIT simulationCancelled();
                else
                    Q_EMIT simulationFailed(job.failure);
                return;
            }
            // The results show now; storing every decision (and explaining the denials) follows in the background.
            Q_EMIT simulationFinished(*job.outcome);
            store(*job.outcome, generation);
        }, Qt::QueuedConnection);
    });
}

void PolicySession::store(const SimulationOutcome &outcome, int generation)
{
    m_progress->phase.store(Storing);
    m_progress->done.store(0);
    const QString path = m_path;
    auto cancelFlag = m_cancel;
    auto progress = m_progress;
    QtConcurrent::run([path, outcome, cancelFlag, progress] {
        try {
            return storeOutcome(path, outcome, cancelFlag.get(), progress);
        } catch (const std::exception &e) {
            return std::make_pair(qint64(0), QString::fromUtf8(e.what()));
        }
    }).then(this, [this, generation](const std::pair<qint64, QString> &stored) {
        if (generation != m_runGeneration)
            return;
        m_running = false;
        m_progressTimer.stop();
        Q_EMIT simulationStored(stored.first, stored.first > 0 ? QString() : stored.second);
        reloadVersions();
    });
}

void PolicySession::cancel()
{
    if (!m_running)
        return;
    m_cancel->store(true);
    m_running = false;
    m_progressTimer.stop();
    ++m_runGeneration;
    Q_EMIT simulationCancelled();
}

void PolicySession::pollProgress()
{
    if (!m_progress)
        return;
    static const char *const phases[] = {
        QT_TR_NOOP("Building requests"), QT_TR_NOOP("Replaying"), QT_TR_NOOP("Replaying the baseline"), QT_TR_NOOP("Storing the run")};
    const int phase = std::clamp(m_progress->phase.load(), 0, 3);
    Q_EMIT simulationProgress(tr(phases[phase]), m_progress->done.load(), m_progress->total.load());
}

void PolicySession::saveVersion(const PolicyDraft &policy, const QString &note)
{
    if (m_path.isEmpty())
        return;
    const QString path = m_path;
    QtConcurrent::run([path, policy, note] {
        QString error;
        std::optional<PolicyVersion> version;
        if (auto workspace = Workspace::open(path, Workspace::OpenMode::OpenExisting, &error))
            version = SimulationStore(*workspace).saveVersion(policy.name, policy.text, note, qEnvironmentVariable("USER"), &error);
        return std::make_pair(version, error);
    }).then(this, [this, path](const std::pair<std::optional<PolicyVersion>, QString> &saved) {
        if (path != m_path)
            return;
        if (!saved.first) {
            Q_EMIT simulationFailed(tr("Cannot save the version: %1").arg(saved.second));
            return;
        }
        Q_EMIT versionSaved(*saved.first);
        reloadVersions();
    });
}

void PolicySession::reloadVersions()
{
    if (m_path.isEmpty())
        return;
    const QString path = m_path;
    QtConcurrent::run([path] {
        QString error;
        QList<PolicyVersion> versions;
        if (auto workspace = Workspace::open(path, Workspace::OpenMode::ReadOnly, &error)) {
            if (auto list = SimulationStore(*workspace).versions(&error))
                versions = std::move(*list);
        }
        return versions;
    }).then(this, [this, path](const QList<PolicyVersion> &versions) {
        if (path != m_path)
            return;
        m_versions = versions;
        Q_EMIT versionsChanged(m_versions);
    });
}

} // namespace chainsight

// Replays 1,000,000 recorded actions against 50 Cedar policies, request building included, then diffs two
// versions, and prints both next to their targets (3 s and 5 s). The actions are the chains of a real generated
// workspace, replicated (shifted in time, with fresh chain keys and event ids) until there are 1,000,000; the
// reference in the same run is the plain engine path: a fresh context and Authorizer::isAuthorized per action.
// The replicated chains are stored as the analysis of a copy of the workspace and read back from it, timed; a
// workspace given as the argument that records 1,000,000 actions or more is replayed as it is.
#include "BenchScratch.h"
#include "ChainStore.h"
#include "ImportRunner.h"
#include "PolicyDiff.h"
#include "PolicySimulator.h"
#include "ReplayCorpus.h"
#include "ReplaySource.h"
#include "SimulationStore.h"
#include "SqliteDatabase.h"
#include "Workspace.h"

#include "cedar/Authorizer.h"
#include "cedar/PolicyParser.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <cstdio>
#include <ctime>
#include <thread>

using namespace chainsight;

namespace {

constexpr qint64 targetActions = 1000000;
constexpr double replayTargetMs = 3000.0;
constexpr double diffTargetMs = 5000.0;

// CPU time of the whole process: on a shared machine, wall time also counts other people's work.
qint64 processCpuMs()
{
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return qint64(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

void say(const QString &line)
{
    std::printf("%s\n", qPrintable(line));
    std::fflush(stdout);
}

// 50 policies: the starter library's kinds of rule over the workspace's own tools, agents and humans.
QString policyText(const ReplayCorpus &corpus, bool candidate)
{
    const QStringList tools = corpus.toolActionNames();
    const QStringList agents = corpus.entityIds(QStringLiteral("Agent"));
    const QStringList humans = corpus.entityIds(QStringLiteral("Human"));
    QString text = QStringLiteral(
        "@id(\"baseline-permit\") permit (principal, action, resource);\n"
        "@id(\"no-shadow\") forbid (principal is Shadow, action, resource);\n"
        "@id(\"intent\") forbid (principal, action, resource) unless { context.intent.match };\n"
        "@id(\"originator\") forbid (principal, action, resource) unless { context.delegation has originator };\n"
        "@id(\"deep-high\") forbid (principal, action in [Action::\"high\", Action::\"critical\"], resource) "
        "when { context.delegation.depth > 2 };\n"
        "@id(\"max-depth\") forbid (principal, action, resource) when { context.delegation has maxDepth && "
        "context.delegation.depth > context.delegation.maxDepth };\n"
        "@id(\"orphan\") forbid (principal is Agent, action, resource) unless { principal has owner };\n"
        "@id(\"token\") forbid (principal, action, resource) when { context.token.checked && !context.token.verified };\n"
        "@id(\"cycle\") forbid (principal, action, resource) when { context.delegation.cycle };\n"
        "@id(\"scopes\") forbid (principal, action, resource) when { !context.scopes.root.isEmpty() && "
        "!context.scopes.root.containsAll(context.scopes.granted) };\n"
        "@id(\"approval\") forbid (principal, action in [Action::\"high\", Action::\"critical\"], resource) "
        "unless { context.approval.human };\n"
        "@id(\"hours\") forbid (principal, action in Action::\"critical\", resource) when { "
        "context.time.toTime() < duration(\"%1h\") || context.time.toTime() >= duration(\"19h\") };\n")
                       .arg(candidate ? 6 : 7);
    int n = 0;
    // Per tool: who may call it at what depth, over which protocol.
    for (int i = 0; n < 16 && i < tools.size(); ++i, ++n) {
        text += QStringLiteral("@id(\"tool-%1\") forbid (principal, action == Action::\"%2\", resource) when { "
                               "context.delegation.depth > %3 && context.protocol != \"aws\" && !context.intent.chain.contains(\"%2\") };\n")
                    .arg(n)
                    .arg(tools[i])
                    .arg(candidate && n % 5 == 0 ? 0 : 1);
    }
    // Per human: acting for them is fine only within their delegation limits.
    for (int i = 0; n < 22 && i < humans.size(); ++i, ++n) {
        text += QStringLiteral("@id(\"human-%1\") forbid (principal in Human::\"%2\", action in Action::\"write\", resource) "
                               "when { context.delegation.depth > %3 };\n")
                    .arg(n)
                    .arg(humans[i])
                    .arg(candidate ? 1 : 2);
    }
    // Per agent: the role's attributes and the chain it is on.
    for (int i = 0; n < 26 && i < agents.size(); ++i, ++n) {
        text += QStringLiteral("@id(\"agent-%1\") forbid (principal == Agent::\"%2\", action, resource) when { "
                               "principal.role == \"sub-agent\" && context.delegation.chain.contains(\"%2\") && "
                               "context.credential.type like \"aws*\" };\n")
                    .arg(n)
                    .arg(agents[i]);
    }
    text += QStringLiteral(
        "@id(\"x-aws-resources\") forbid (principal, action, resource is AwsResource) when { resource.region != \"us-east-1\" };\n"
        "@id(\"x-mcp\") forbid (principal, action, resource is McpServer) when { context.credential.type == \"api-key\" };\n"
        "@id(\"x-input\") forbid (principal, action, resource) when { context has inputText && context.inputText like \"*DROP TABLE*\" };\n"
        "@id(\"x-payment\") forbid (principal, action in Action::\"payment\", resource) when { context.delegation.depth >= 1 && "
        "!context.scopes.granted.contains(\"payments:create\") && context.scopes.granted.containsAny([\"payments:refund\"]) };\n"
        "@id(\"x-admin\") forbid (principal, action in Action::\"admin\", resource) unless { context.approval.human };\n"
        "@id(\"x-weekend\") forbid (principal, action in Action::\"payment\", resource) when { "
        "context.time.toDate() == datetime(\"2026-03-08\") };\n"
        "@id(\"x-read\") permit (principal is Agent, action in Action::\"read\", resource) when { principal.intents.contains(\"crm.read\") };\n"
        "@id(\"x-compute\") permit (principal, action in Action::\"compute\", resource);\n"
        "@id(\"x-root\") forbid (principal, action, resource) when { context.delegation.root == \"nobody\" };\n"
        "@id(\"x-protocol\") forbid (principal, action, resource) when { context.protocol == \"entra\" && context.delegation.depth > 4 };\n"
        "@id(\"x-shadow-chain\") forbid (principal, action, resource) when { context.delegation.chain.containsAny([\"nobody\", \"unknown\"]) };\n"
        "@id(\"x-operation\") forbid (principal, action, resource) when { context.operation like \"iam:*\" };\n");
    return text;
}

std::shared_ptr<const cedar::PolicySet> parse(const QString &text)
{
    const QByteArray utf8 = text.toUtf8();
    auto parsed = cedar::PolicyParser::parse(std::string_view(utf8.constData(), size_t(utf8.size())));
    if (!parsed.ok()) {
        for (const auto &d : parsed.diagnostics)
            say(QStringLiteral("policy %1:%2: %3").arg(d.location.line).arg(d.location.column).arg(QString::fromStdString(d.message)));
        return nullptr;
    }
    return std::make_shared<const cedar::PolicySet>(std::move(parsed.policySet));
}

// Copies of every chain, shifted by whole windows of the recorded time span, until there are `target` actions.
ChainSet replicate(const ChainSet &base, qint64 target, qint64 maxEventId)
{
    qint64 first = std::numeric_limits<qint64>::max();
    qint64 last = 0;
    qint64 actions = 0;
    for (const Chain &chain : base.chains) {
        for (const ChainAction &action : chain.actions) {
            first = std::min(first, action.timeMs);
            last = std::max(last, action.timeMs);
            ++actions;
        }
    }
    ChainSet out;
    if (actions == 0)
        return out;
    const qint64 span = last - first + 1;
    for (qint64 copy = 0, total = 0; total < target; ++copy) {
        for (const Chain &chain : base.chains) {
            if (total >= target)
                break;
            Chain replica = chain;
            replica.key = copy == 0 ? chain.key : chain.key + QStringLiteral("#%1").arg(copy);
            for (ChainAction &action : replica.actions) {
                action.timeMs += copy * span;
                action.eventId += copy * (maxEventId + 1);
            }
            if (total + replica.actions.size() > target)
                replica.actions.resize(target - total);
            total += replica.actions.size();
            out.indexByKey.insert(replica.key, int(out.chains.size()));
            out.chains.append(std::move(replica));
        }
    }
    return out;
}

QString loadAverage()
{
    QFile file(QStringLiteral("/proc/loadavg"));
    return file.open(QIODevice::ReadOnly) ? QString::fromLatin1(file.readAll()).section(QLatin1Char(' '), 0, 0) : QStringLiteral("?");
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QTemporaryDir dir(chainsight::bench::scratchTemplate(QStringLiteral("bench_policy")));
    QString workspacePath = argc > 1 ? QString::fromLocal8Bit(argv[1]) : QString();
    if (workspacePath.isEmpty()) {
        const QString generator = QStringLiteral(CHAINSIGHT_SHARED_DIR "/bench/gen_enterprise.py");
        const QString python = QStandardPaths::findExecutable(QStringLiteral("python3"));
        if (!QFile::exists(generator) || python.isEmpty()) {
            say(QStringLiteral("skipped: needs python3 and gen_enterprise.py, or a workspace as the first argument"));
            return 0;
        }
        const QString world = dir.filePath(QStringLiteral("world"));
        QProcess process;
        process.start(python, {generator, QStringLiteral("--out"), world, QStringLiteral("--agents"), QStringLiteral("200"),
                               QStringLiteral("--events"), QStringLiteral("40000"), QStringLiteral("--seed"), QStringLiteral("3")});
        if (!process.waitForFinished(600000) || process.exitCode() != 0) {
            say(QStringLiteral("gen_enterprise.py failed"));
            return 3;
        }
        workspacePath = dir.filePath(QStringLiteral("world.chainsight"));
        ImportOptions options;
        options.jwksPath = world + QStringLiteral("/jwks.json");
        const std::atomic_bool cancel{false};
        if (ImportRunner::run(workspacePath, {world}, options, {}, cancel).status != ImportResult::Status::Committed) {
            say(QStringLiteral("import failed"));
            return 3;
        }
    }
    QString error;
    auto workspace = Workspace::open(workspacePath, Workspace::OpenMode::OpenExisting, &error);
    if (!workspace) {
        say(error);
        return 2;
    }
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    say(QStringLiteral("machine: %1 cores").arg(cores));

    QElapsedTimer timer;
    timer.start();
    auto source = ReplaySource::load(*workspace, &error);
    if (!source) {
        say(error);
        return 3;
    }
    const qint64 loadMs = timer.elapsed();
    qint64 baseActions = 0;
    for (const Chain &chain : source->chains.chains)
        baseActions += chain.actions.size();
    const qint64 maxEventId = workspace->database().queryInt64("SELECT coalesce(max(id), 0) FROM events");
    say(QStringLiteral("base workspace: %1 events, %2 chains, %3 actions; loading inventory, chains and arguments: %4 ms")
            .arg(workspace->database().queryInt64("SELECT count(*) FROM events"))
            .arg(source->chains.chains.size())
            .arg(baseActions)
            .arg(loadMs));

    // A workspace that already records enough actions is replayed as it is. Otherwise the replicated chains
    // become the stored analysis of a copy of it, as FindingsEngine leaves them, so the timed replay reads
    // them back from a workspace like `simulate` does.
    std::unique_ptr<Workspace> replicaWorkspace;
    if (baseActions >= targetActions) {
        say(QStringLiteral("the workspace records %1 actions: replayed as recorded, without replication; its chains are %2")
                .arg(baseActions)
                .arg(ChainStore::loadFresh(workspace->database()) ? QStringLiteral("read from its analysis")
                                                                   : QStringLiteral("built from its events (no analysis since the last import)")));
    } else {
        const ChainSet replicated = replicate(source->chains, targetActions, maxEventId);
        const QString replicaPath = dir.filePath(QStringLiteral("replica.chainsight"));
        SqliteStatement copy(workspace->database(), "VACUUM INTO ?1");
        copy.bind(1, replicaPath).run();
        replicaWorkspace = Workspace::open(replicaPath, Workspace::OpenMode::OpenExisting, &error);
        if (!replicaWorkspace) {
            say(error);
            return 3;
        }
        timer.restart();
        const QByteArray serialized = ChainStore::serialize(replicated);
        const qint64 serializeMs = timer.elapsed();
        SqliteDatabase &db = replicaWorkspace->database();
        SqliteTransaction transaction(db);
        db.execute("INSERT INTO analysis_runs (started_at, settings) VALUES ('bench', '{}')");
        ChainStore::save(db, db.lastInsertRowId(), serialized);
        transaction.commit();
        say(QStringLiteral("stored the replicated chains as the workspace's analysis: %1 MB, serialized in %2 ms (not timed below)")
                .arg(double(serialized.size()) / 1e6, 0, 'f', 1)
                .arg(serializeMs));
    }
    Workspace &replayed = replicaWorkspace ? *replicaWorkspace : *workspace;
    timer.restart();
    qint64 cpu = processCpuMs();
    // One pass over the stored chains, each decoded in turn and made into requests; the whole set is never held.
    ReplaySource replicaSource;
    std::shared_ptr<const ReplayCorpus> corpus;
    try {
        corpus = ReplayCorpus::load(replayed.database(), &replicaSource);
    } catch (const SqliteError &e) {
        say(e.message());
        return 3;
    }
    const qint64 buildMs = timer.elapsed();
    const qint64 buildCpuMs = processCpuMs() - cpu;
    say(QStringLiteral("requests from the workspace: inventory and arguments read, the stored chains decoded and made into "
                       "requests in one pass: %1 ms (%2 ms CPU)")
            .arg(buildMs)
            .arg(buildCpuMs));
    const auto version1 = parse(policyText(*corpus, false));
    const auto version2 = parse(policyText(*corpus, true));
    if (!version1 || !version2)
        return 3;
    say(QStringLiteral("replay corpus: %1 actions in %2 chains; %3 policies per version")
            .arg(corpus->size())
            .arg(corpus->chains().size())
            .arg(version1->policies.size()));

    // Warm-up on a slice, so first-touch page faults do not count.
    SimulationOptions warm;
    warm.filter.toMs = corpus->action(std::min<size_t>(corpus->size() - 1, 20000)).timeMs;
    (void)PolicySimulator::run(corpus, version1, warm);

    timer.restart();
    cpu = processCpuMs();
    const SimulationResult result = PolicySimulator::run(corpus, version1);
    const qint64 runMs = timer.elapsed();
    const qint64 runCpuMs = processCpuMs() - cpu;
    say(QStringLiteral("replay: requests from the workspace %1 ms + decide %2 ms = %3 ms for %4 actions x %5 policies "
                       "(target %6 ms): %7; allow %8, deny %9, erred on %10")
            .arg(buildMs)
            .arg(runMs)
            .arg(buildMs + runMs)
            .arg(result.size())
            .arg(result.policyIds.size())
            .arg(replayTargetMs)
            .arg(double(buildMs + runMs) <= replayTargetMs ? QStringLiteral("PASS") : QStringLiteral("OVER"))
            .arg(result.allowCount)
            .arg(result.denyCount)
            .arg(result.erroredCount));
    say(QStringLiteral("  CPU time: requests %1 ms (one thread) + decide %2 ms over %3 threads; load average now %4")
            .arg(buildCpuMs)
            .arg(runCpuMs)
            .arg(cores)
            .arg(loadAverage()));
    // Wall time on a shared machine also counts everyone else's work; CPU time shows what an idle one would take.
    const qint64 idleMs = buildCpuMs + runCpuMs / qint64(cores);
    say(QStringLiteral("  on idle cores (requests CPU + decide CPU / %1): %2 ms (target %3 ms): %4")
            .arg(cores)
            .arg(idleMs)
            .arg(replayTargetMs)
            .arg(double(idleMs) <= replayTargetMs ? QStringLiteral("PASS") : QStringLiteral("OVER")));

    SimulationOptions oneCore;
    oneCore.threads = 1;
    timer.restart();
    cpu = processCpuMs();
    const SimulationResult single = PolicySimulator::run(corpus, version1, oneCore);
    const qint64 singleMs = timer.elapsed();
    const qint64 singleCpuMs = processCpuMs() - cpu;
    say(QStringLiteral("decide on one thread: %1 ms wall, %2 ms CPU (%3 decisions per CPU second)")
            .arg(singleMs)
            .arg(singleCpuMs)
            .arg(qint64(1000.0 * double(single.size()) / double(std::max<qint64>(singleCpuMs, 1)))));

    timer.restart();
    cpu = processCpuMs();
    const SimulationResult baseline = PolicySimulator::run(corpus, version2);
    const PolicyDiff diff = PolicyDiff::compare(baseline, result);
    const qint64 diffMs = timer.elapsed();
    const qint64 diffCpuMs = processCpuMs() - cpu;
    say(QStringLiteral("diff: replay of the second version + compare = %1 ms (target %2 ms): %3; %4 flips "
                       "(allow->deny %5, deny->allow %6) over %7 policies and %8 chains")
            .arg(diffMs)
            .arg(diffTargetMs)
            .arg(double(diffMs) <= diffTargetMs ? QStringLiteral("PASS") : QStringLiteral("OVER"))
            .arg(diff.flips.size())
            .arg(diff.allowToDeny)
            .arg(diff.denyToAllow)
            .arg(diff.byPolicy.size())
            .arg(diff.byChain.size()));
    say(QStringLiteral("  CPU time of the diff: %1 ms; on idle cores with request building and both replays: %2 ms "
                       "(target %3 ms): %4")
            .arg(diffCpuMs)
            .arg(buildCpuMs + (runCpuMs + diffCpuMs) / qint64(cores))
            .arg(diffTargetMs)
            .arg(double(buildCpuMs + (runCpuMs + diffCpuMs) / qint64(cores)) <= diffTargetMs ? QStringLiteral("PASS")
                                                                                            : QStringLiteral("OVER")));

    // Reference: the plain engine path on one core, on a sample, with the same decisions expected.
    const size_t sample = std::min<size_t>(corpus->size(), 100000);
    std::vector<cedar::Authorizer> authorizers;
    authorizers.reserve(corpus->partitionCount());
    for (uint32_t p = 0; p < corpus->partitionCount(); ++p)
        authorizers.emplace_back(*version1, corpus->entities(p));
    size_t mismatches = 0;
    timer.restart();
    cpu = processCpuMs();
    for (size_t i = 0; i < sample; ++i) {
        const cedar::Request request = corpus->request(result.rows[i]);
        const cedar::Response response = authorizers[corpus->action(result.rows[i]).partition].isAuthorized(request);
        const bool allow = response.decision == cedar::Decision::Allow;
        mismatches += allow != (result.decisions[i].decision == PolicyDecision::Allow) ? 1 : 0;
        mismatches += response.reasons.size() != result.decisions[i].reasonCount ? 1 : 0;
    }
    const qint64 referenceMs = timer.elapsed();
    const qint64 referenceCpuMs = processCpuMs() - cpu;
    say(QStringLiteral("reference, fresh context + Authorizer::isAuthorized on one thread: %1 decisions per CPU second "
                       "(%2 ms CPU, %3 ms wall for %4); decisions or reason counts differing from the replay: %5")
            .arg(qint64(1000.0 * double(sample) / double(std::max<qint64>(referenceCpuMs, 1))))
            .arg(referenceCpuMs)
            .arg(referenceMs)
            .arg(sample)
            .arg(mismatches));

    // Storing: the base workspace's own actions (real event ids), explanations of every denial included.
    const auto baseCorpus = ReplayCorpus::build(*source);
    const SimulationResult baseResult = PolicySimulator::run(baseCorpus, version1);
    SimulationStore store(*workspace);
    const auto versionRow = store.saveVersion(QStringLiteral("bench.cedar"), policyText(*corpus, false), {}, {}, &error);
    timer.restart();
    const auto runId = versionRow ? store.saveRun(baseResult, versionRow->id, std::nullopt, std::nullopt, SimulationStore::nowUtc(), &error)
                                  : std::nullopt;
    const qint64 storeMs = timer.elapsed();
    if (!runId) {
        say(QStringLiteral("store failed: %1").arg(error));
        return 3;
    }
    say(QStringLiteral("store: %1 decisions (%2 denied, explained) in %3 ms: %4 rows/s")
            .arg(baseResult.size())
            .arg(baseResult.denyCount)
            .arg(storeMs)
            .arg(qint64(1000.0 * double(baseResult.size()) / double(std::max<qint64>(storeMs, 1)))));
    return mismatches == 0 ? 0 : 1;
}

#include "SimulateCommand.h"

#include "CliCommands.h"
#include "PolicyChecker.h"
#include "PolicyDiff.h"
#include "PolicyResources.h"
#include "PolicySimulator.h"
#include "ReplayCorpus.h"
#include "SimulationReport.h"
#include "SimulationStore.h"
#include "SqliteDatabase.h"
#include "Workspace.h"

#include "cedar/PolicyParser.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QTextStream>

#include <exception>
#include <memory>
#include <optional>

namespace chainsight::cli {
namespace {

void printSimulateError(const QString &message)
{
    err() << "chainsight-cli simulate: error: " << message << Qt::endl;
}

struct SimulateOptions
{
    QString workspace;
    QString policyFile;
    QString baselineFile;
    ReplayFilter filter;
    bool json = false;
    QString junitFile;
    bool failOnDeny = false;
    bool failOnFlip = false;
};

// A policy file as read and parsed; diagnostics already printed.
struct LoadedPolicy
{
    QString file;
    QString text;
    std::shared_ptr<const cedar::PolicySet> policies;
};

std::optional<LoadedPolicy> loadPolicy(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        err() << path << ": error: cannot read the file: " << file.errorString() << Qt::endl;
        return std::nullopt;
    }
    const QByteArray bytes = file.readAll();
    cedar::PolicyParseResult parsed =
        cedar::PolicyParser::parse(std::string_view(bytes.constData(), size_t(bytes.size())), path.toStdString());
    bool failed = false;
    for (const auto &d : parsed.diagnostics) {
        err() << path << ':' << d.location.line << ':' << d.location.column << ": "
              << (d.severity == cedar::Severity::Error ? "error" : "warning") << ": " << QString::fromStdString(d.message)
              << '\n';
        failed = failed || d.severity == cedar::Severity::Error;
    }
    err().flush();
    if (failed)
        return std::nullopt;
    LoadedPolicy loaded;
    loaded.file = path;
    loaded.text = QString::fromUtf8(bytes);
    loaded.policies = std::make_shared<const cedar::PolicySet>(std::move(parsed.policySet));
    return loaded;
}

// RFC 3339 date-time (Z or offset), or a bare date: the start of that day for --from, its end for --to (UTC).
std::optional<qint64> parseTime(const QString &text, bool endOfDay)
{
    QDateTime time = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (!time.isValid())
        time = QDateTime::fromString(text, Qt::ISODate);
    if (time.isValid()) {
        if (time.timeSpec() == Qt::LocalTime)
            time.setTimeSpec(Qt::UTC);
        return time.toMSecsSinceEpoch();
    }
    const QDate date = QDate::fromString(text, Qt::ISODate);
    if (!date.isValid())
        return std::nullopt;
    const QDateTime start(date, QTime(0, 0), Qt::UTC);
    return endOfDay ? start.addDays(1).toMSecsSinceEpoch() - 1 : start.toMSecsSinceEpoch();
}

void printSummary(const SimulateOptions &options, const LoadedPolicy &policy, const SimulationResult &result,
                  const SimulationResult *baseline, const PolicyDiff *diff, qint64 runId, qint64 buildMs)
{
    qint64 forbidden = 0;
    for (const ReplayDecision &d : result.decisions)
        forbidden += d.decision == PolicyDecision::Deny && d.reasonCount > 0 ? 1 : 0;
    out() << "replayed " << result.size() << " actions against " << policy.file << " (sha256 "
          << SimulationStore::sha256Of(policy.text).left(16) << "…): " << result.policyIds.size() << " policies, "
          << buildMs << " ms to build the requests, " << result.elapsedMs << " ms to decide\n";
    out() << "allow " << result.allowCount << ", deny " << result.denyCount << " (forbidden " << forbidden
          << ", no permit applies " << (result.denyCount - forbidden) << "), policies erred on " << result.erroredCount
          << " actions\n";
    const auto denied = result.deniedRowsByPolicy();
    for (qsizetype i = 0; i < result.policyIds.size(); ++i) {
        const bool forbid = result.policies->policies[size_t(i)].effect == cedar::Effect::Forbid;
        out() << "  " << (forbid ? "forbid " : "permit ") << result.policyIds[i] << ": ";
        if (forbid)
            out() << "denies or errs on " << denied[size_t(i)].size() << '\n';
        else
            out() << "errs on " << denied[size_t(i)].size() << '\n';
    }
    if (baseline && diff) {
        out() << "baseline " << options.baselineFile << ": allow " << baseline->allowCount << ", deny " << baseline->denyCount
              << '\n';
        out() << "flips: " << diff->flips.size() << " (allow -> deny " << diff->allowToDeny << ", deny -> allow "
              << diff->denyToAllow << ")\n";
        for (const PolicyFlipGroup &group : diff->byPolicy)
            out() << "  policy " << group.name << ": " << group.count() << " (allow -> deny " << group.allowToDeny
                  << ", deny -> allow " << group.denyToAllow << ")\n";
        qsizetype shown = 0;
        for (const PolicyFlipGroup &group : diff->byChain) {
            if (shown++ == 10) {
                out() << "  … and " << (diff->byChain.size() - 10) << " more chains\n";
                break;
            }
            out() << "  chain " << group.name << ": " << group.count() << '\n';
        }
    }
    if (runId > 0)
        out() << "stored as simulation run " << runId << " in " << options.workspace << '\n';
}

int run(const SimulateOptions &options)
{
    const auto policy = loadPolicy(options.policyFile);
    if (!policy)
        return ExitBadInput;
    std::optional<LoadedPolicy> baselinePolicy;
    if (!options.baselineFile.isEmpty()) {
        baselinePolicy = loadPolicy(options.baselineFile);
        if (!baselinePolicy)
            return ExitBadInput;
    }
    QString error;
    auto workspace = Workspace::open(options.workspace, Workspace::OpenMode::OpenExisting, &error);
    bool store = true;
    if (!workspace) {
        // A workspace this user may only read is still replayed; the run is just not kept.
        workspace = Workspace::open(options.workspace, Workspace::OpenMode::ReadOnly, nullptr);
        if (!workspace || !QFileInfo::exists(options.workspace)) {
            printSimulateError(error);
            return ExitBadInput;
        }
        store = false;
        err() << options.workspace << ": warning: the workspace cannot be written; the run is not stored\n";
    }

    QElapsedTimer timer;
    timer.start();
    ReplaySource source;
    std::shared_ptr<const ReplayCorpus> corpus;
    try {
        corpus = ReplayCorpus::load(workspace->database(), &source);
    } catch (const SqliteError &e) {
        printSimulateError(e.message());
        return ExitInternalError;
    }
    const qint64 buildMs = timer.elapsed();

    // Schema warnings (undeclared attributes, unknown entities) help, but never stop a replay.
    const PolicyChecker checker(workspacePolicySchema(corpus.get()), corpus);
    for (const LoadedPolicy *p : {&*policy, baselinePolicy ? &*baselinePolicy : static_cast<const LoadedPolicy *>(nullptr)}) {
        if (!p)
            continue;
        for (const PolicyDiagnostic &d : checker.check(p->text)) {
            if (d.severity == PolicyDiagnostic::Severity::Warning)
                err() << d.toString(p->file) << '\n';
        }
    }
    err().flush();

    SimulationOptions simulation;
    simulation.filter = options.filter;
    const auto startedAt = SimulationStore::nowUtc();
    auto result = std::make_shared<SimulationResult>(PolicySimulator::run(corpus, policy->policies, simulation));
    std::shared_ptr<SimulationResult> baseline;
    std::optional<PolicyDiff> diff;
    if (baselinePolicy) {
        baseline = std::make_shared<SimulationResult>(PolicySimulator::run(corpus, baselinePolicy->policies, simulation));
        diff = PolicyDiff::compare(*baseline, *result);
    }
    for (const SimulationResult *r : {result.get(), baseline.get()}) {
        if (r && !r->failure.isEmpty()) {
            printSimulateError(r->failure);
            return ExitInternalError;
        }
    }

    qint64 runId = 0;
    if (store) {
        SimulationStore runs(*workspace);
        const QString author = qEnvironmentVariable("USER");
        const QString note = QStringLiteral("chainsight-cli simulate");
        const auto version = runs.saveVersion(QFileInfo(policy->file).fileName(), policy->text, note, author, &error);
        std::optional<PolicyVersion> baselineVersion;
        std::optional<qint64> baselineRun;
        if (version && baselinePolicy) {
            baselineVersion = runs.saveVersion(QFileInfo(baselinePolicy->file).fileName(), baselinePolicy->text, note, author, &error);
            if (baselineVersion) {
                const auto stored = runs.saveRun(*baseline, baselineVersion->id, std::nullopt, std::nullopt, startedAt, &error);
                baselineRun = stored ? std::optional<qint64>(*stored) : std::nullopt;
            }
        }
        std::optional<qint64> stored;
        if (version && (!baselinePolicy || baselineRun))
            stored = runs.saveRun(*result, version->id, baselineVersion ? std::optional<qint64>(baselineVersion->id) : std::nullopt,
                                  baselineRun, startedAt, &error);
        if (!stored) {
            printSimulateError(QStringLiteral("cannot store the run: %1").arg(error));
            return ExitInternalError;
        }
        runId = *stored;
    }

    SimulationSource reportSource;
    reportSource.workspace = options.workspace;
    reportSource.policyFile = policy->file;
    reportSource.policySha256 = SimulationStore::sha256Of(policy->text);
    if (baselinePolicy) {
        reportSource.baselineFile = baselinePolicy->file;
        reportSource.baselineSha256 = SimulationStore::sha256Of(baselinePolicy->text);
    }
    reportSource.runId = runId;
    if (!options.junitFile.isEmpty()) {
        QSaveFile junit(options.junitFile);
        if (!junit.open(QIODevice::WriteOnly) || !writeSimulationJUnit(junit, reportSource, *result, diff ? &*diff : nullptr)
            || !junit.commit()) {
            printSimulateError(QStringLiteral("cannot write %1: %2").arg(options.junitFile, junit.errorString()));
            return ExitBadInput;
        }
    }
    if (options.json) {
        out().flush();
        QFile stdoutFile;
        if (!stdoutFile.open(stdout, QIODevice::WriteOnly)
            || !writeSimulationJson(stdoutFile, reportSource, *result, baseline.get(), diff ? &*diff : nullptr)) {
            printSimulateError(QStringLiteral("cannot write the JSON output"));
            return ExitInternalError;
        }
        stdoutFile.flush();
    } else {
        printSummary(options, *policy, *result, baseline.get(), diff ? &*diff : nullptr, runId, buildMs);
        out().flush();
    }

    if (options.failOnDeny && result->denyCount > 0) {
        err() << "chainsight-cli simulate: gate: " << result->denyCount << " actions would be denied\n";
        return ExitGateTripped;
    }
    if (options.failOnFlip && diff && !diff->flips.empty()) {
        err() << "chainsight-cli simulate: gate: " << diff->flips.size() << " decisions flip against the baseline\n";
        return ExitGateTripped;
    }
    return ExitOk;
}

} // namespace

int runSimulateCommand(const QStringList &arguments)
{
    try {
        QCommandLineParser parser;
        parser.setApplicationDescription(QStringLiteral(
            "chainsight-cli simulate: replay every recorded action of a workspace against a Cedar policy file and "
            "report what it would have denied; with --baseline, the decisions that flip between the two versions."));
        const QCommandLineOption help({QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Show this help."));
        const QCommandLineOption workspace({QStringLiteral("w"), QStringLiteral("workspace")},
                                           QStringLiteral("The workspace file (*.chainsight)."), QStringLiteral("W"));
        const QCommandLineOption policy(QStringLiteral("policy"), QStringLiteral("The Cedar policies to replay."),
                                        QStringLiteral("P.cedar"));
        const QCommandLineOption baseline(QStringLiteral("baseline"),
                                          QStringLiteral("Also replay this version and report the decisions that flip."),
                                          QStringLiteral("OLD.cedar"));
        const QCommandLineOption from(QStringLiteral("from"),
                                      QStringLiteral("Only actions at or after this time (RFC 3339, or a date: UTC)."),
                                      QStringLiteral("T"));
        const QCommandLineOption to(QStringLiteral("to"),
                                    QStringLiteral("Only actions at or before this time (RFC 3339, or a date: its end)."),
                                    QStringLiteral("T"));
        const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print the summary and every result as JSON."));
        const QCommandLineOption junit(QStringLiteral("junit"),
                                       QStringLiteral("Write JUnit XML: one test case per policy, failing with the actions it would deny."),
                                       QStringLiteral("OUT.xml"));
        const QCommandLineOption failOnDeny(QStringLiteral("fail-on-deny"), QStringLiteral("Exit 1 when any action would be denied."));
        const QCommandLineOption failOnFlip(QStringLiteral("fail-on-flip"),
                                            QStringLiteral("Exit 1 when any decision differs from the baseline."));
        parser.addOptions({help, workspace, policy, baseline, from, to, json, junit, failOnDeny, failOnFlip});
        if (!parser.parse(QStringList{QStringLiteral("chainsight-cli simulate")} + arguments)) {
            printSimulateError(parser.errorText());
            return ExitBadInput;
        }
        if (parser.isSet(help)) {
            out() << parser.helpText()
                  << "\nExit codes: 0 ok, 1 a requested gate tripped, 2 bad usage or bad input (policy syntax errors as\n"
                     "file:line:col), 3 internal error. The run is stored in the workspace (policy_versions,\n"
                     "simulation_runs, simulation_results).\n";
            out().flush();
            return ExitOk;
        }
        if (!parser.positionalArguments().isEmpty()) {
            printSimulateError(QStringLiteral("unexpected argument \"%1\"").arg(parser.positionalArguments().constFirst()));
            return ExitBadInput;
        }
        SimulateOptions options;
        options.workspace = parser.value(workspace);
        options.policyFile = parser.value(policy);
        if (options.workspace.isEmpty() || options.policyFile.isEmpty()) {
            printSimulateError(QStringLiteral("simulate needs a workspace and a policy file: -w W --policy P.cedar"));
            return ExitBadInput;
        }
        options.baselineFile = parser.value(baseline);
        options.json = parser.isSet(json);
        options.junitFile = parser.value(junit);
        options.failOnDeny = parser.isSet(failOnDeny);
        options.failOnFlip = parser.isSet(failOnFlip);
        if (options.failOnFlip && options.baselineFile.isEmpty()) {
            printSimulateError(QStringLiteral("--fail-on-flip needs a --baseline to compare with"));
            return ExitBadInput;
        }
        for (const auto &[option, endOfDay] : {std::pair{&from, false}, std::pair{&to, true}}) {
            if (!parser.isSet(*option))
                continue;
            const auto ms = parseTime(parser.value(*option), endOfDay);
            if (!ms) {
                printSimulateError(QStringLiteral("--%1 takes an RFC 3339 time or a date (2026-03-02T08:00:00Z, 2026-03-02), not \"%2\"")
                               .arg(option->names().constFirst(), parser.value(*option)));
                return ExitBadInput;
            }
            (endOfDay ? options.filter.toMs : options.filter.fromMs) = ms;
        }
        if (options.filter.fromMs && options.filter.toMs && *options.filter.fromMs > *options.filter.toMs) {
            printSimulateError(QStringLiteral("--from is after --to"));
            return ExitBadInput;
        }
        return run(options);
    } catch (const std::exception &e) {
        printSimulateError(QStringLiteral("internal error: %1").arg(QString::fromUtf8(e.what())));
        return ExitInternalError;
    }
}

} // namespace chainsight::cli

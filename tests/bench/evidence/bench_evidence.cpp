// The evidence report at the size the issue names, beside the budget and a reference, in one run.
//
//   bench_evidence [--chains 100] [--findings 1000] [--nodes 2000] [--runs 3] [--keep DIR]
//
// Workload (built in memory, fixed seed, no workspace): 100 chains of 4 hops and 8 actions; 1,000
// findings with 3 evidence events each and a 900-byte raw JSON excerpt per event; a 2,000-node graph
// (humans, supervisors, workers, sub-agents, tools) with about 3,000 edges; 300 reviews; a simulation of
// 5,000 decisions against a baseline. Measured: the whole export from the gathered report (CSV files,
// the PDF, evidence.json, the manifest and an Ed25519 signature), CPU time (the budget's figure, median of
// --runs; the machine may be shared) beside wall time, and peak
// resident memory above what the process held before the run (/proc/self/status VmHWM, reset through
// /proc/self/clear_refs before each run).
//
// Budget (issue 8): at most 5 s and 20 MB. Reference, same run: Qt's own way to print the same strings to
// a PDF, QTextDocument::print on a QPdfWriter (plain-text paragraphs, no tables, figures or contents).
#include "BenchScratch.h"
#include "EvidenceBundle.h"
#include "EvidenceFiles.h"
#include "EvidencePdfWriter.h"

#include <QCommandLineParser>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QApplication>
#include <QPdfWriter>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTextDocument>
#include <QTextStream>

#include <sys/resource.h>

#include <algorithm>

using namespace chainsight;

namespace {

QTextStream &out()
{
    static QTextStream stream(stdout);
    return stream;
}

// kB from /proc/self/status: VmRSS now, VmHWM the peak since the last reset.
qint64 statusKb(const char *field)
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith(field))
            return line.mid(static_cast<qsizetype>(qstrlen(field))).trimmed().split(' ').value(0).toLongLong();
    }
    return -1;
}

// CPU seconds of the process: the machine is shared, so wall time alone is not a fair clock.
double cpuSeconds()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

void resetPeak()
{
    QFile clear(QStringLiteral("/proc/self/clear_refs"));
    if (clear.open(QIODevice::WriteOnly))
        clear.write("5");
}

EvidenceReport buildReport(int chainCount, int findingCount, int nodeCount)
{
    QRandomGenerator random(8);
    EvidenceReport report;
    report.workspaceName = QStringLiteral("bench.chainsight");
    report.generatedAt = QStringLiteral("2026-03-02T09:30:00.000Z");
    report.generatedBy = QStringLiteral("bench");
    report.chainsightVersion = QStringLiteral(CHAINSIGHT_VERSION);
    for (int i = 0; i < 12; ++i) {
        EvidenceInput input;
        input.fileName = QStringLiteral("source-%1.jsonl").arg(i);
        input.source.format = QStringLiteral("otlp-json");
        input.source.records = 40000 + i;
        input.source.sha256 = QByteArray(64, static_cast<char>('a' + i % 6));
        input.onDisk = EvidenceInput::OnDisk::Matches;
        report.inputs.push_back(input);
    }

    // The graph: columns of humans, supervisors, workers, sub-agents and tools.
    const int humans = nodeCount / 10;
    const int supervisors = nodeCount / 10;
    const int workers = nodeCount * 3 / 10;
    const int subAgents = nodeCount * 2 / 10;
    const int tools = nodeCount - humans - supervisors - workers - subAgents;
    const auto addNode = [&report](const QString &id, ChainPartyKind kind, const QString &role) {
        IdentityGraphNode node;
        node.id = id;
        node.label = id;
        node.kind = kind;
        node.role = role;
        node.owner = kind == ChainPartyKind::Agent ? QStringLiteral("owner@example.test") : QString();
        report.graph.nodeIndex.insert(id, static_cast<int>(report.graph.nodes.size()));
        report.graph.nodes.push_back(node);
    };
    for (int i = 0; i < humans; ++i)
        addNode(QStringLiteral("human-%1@example.test").arg(i), ChainPartyKind::Human, {});
    for (int i = 0; i < supervisors; ++i)
        addNode(QStringLiteral("supervisor-%1").arg(i), ChainPartyKind::Agent, QStringLiteral("supervisor"));
    for (int i = 0; i < workers; ++i)
        addNode(QStringLiteral("worker-%1").arg(i), ChainPartyKind::Agent, QStringLiteral("worker"));
    for (int i = 0; i < subAgents; ++i)
        addNode(QStringLiteral("sub-agent-%1").arg(i), ChainPartyKind::Agent, QStringLiteral("sub-agent"));
    for (int i = 0; i < tools; ++i)
        addNode(QStringLiteral("tool.%1").arg(i), ChainPartyKind::Tool, QStringLiteral("high"));
    const auto addEdge = [&report, &random](int source, int target, IdentityGraphEdgeKind kind) {
        IdentityGraphEdge edge;
        edge.source = source;
        edge.target = target;
        edge.kind = kind;
        edge.count = 1 + static_cast<int>(random.bounded(20));
        edge.retention = random.bounded(100) / 100.0;
        edge.protocols = {QStringLiteral("otlp")};
        report.graph.edges.push_back(edge);
    };
    const int firstSupervisor = humans;
    const int firstWorker = firstSupervisor + supervisors;
    const int firstSub = firstWorker + workers;
    const int firstTool = firstSub + subAgents;
    for (int i = 0; i < humans; ++i)
        addEdge(i, firstSupervisor + i % supervisors, IdentityGraphEdgeKind::Delegates);
    for (int i = 0; i < workers; ++i)
        addEdge(firstSupervisor + i % supervisors, firstWorker + i, IdentityGraphEdgeKind::Delegates);
    for (int i = 0; i < subAgents; ++i)
        addEdge(firstWorker + i % workers, firstSub + i, IdentityGraphEdgeKind::Delegates);
    for (int i = 0; i < workers + subAgents; ++i)
        addEdge(firstWorker + i, firstTool + static_cast<int>(random.bounded(tools)), IdentityGraphEdgeKind::Calls);

    for (int c = 0; c < chainCount; ++c) {
        Chain chain;
        chain.key = QStringLiteral("%1").arg(random.generate64(), 16, 16, QLatin1Char('0')) + QStringLiteral("%1").arg(c, 16, 16, QLatin1Char('0'));
        chain.originator = QStringLiteral("human-%1@example.test").arg(c % humans);
        chain.root = QStringLiteral("supervisor-%1").arg(c % supervisors);
        chain.depth = 3;
        chain.retention = random.bounded(100) / 100.0;
        chain.firstTimeMs = 1772870400000LL + c * 60000LL;
        chain.lastTimeMs = chain.firstTimeMs + 900;
        chain.rootIntents = {QStringLiteral("crm.read"), QStringLiteral("ticket.update")};
        chain.protocols = {QStringLiteral("otlp"), QStringLiteral("mcp")};
        QStringList path{chain.originator, chain.root, QStringLiteral("worker-%1").arg(c), QStringLiteral("sub-agent-%1").arg(c),
                         QStringLiteral("sub-agent-%1").arg(c + 1)};
        for (int h = 0; h < 4; ++h) {
            ChainHop hop;
            hop.delegator = path.at(h);
            hop.delegate = path.at(h + 1);
            hop.protocol = QStringLiteral("otlp");
            hop.scopes = {QStringLiteral("crm.read")};
            hop.level = h;
            hop.timeMs = chain.firstTimeMs + h * 100;
            hop.retention = 1.0 - h * 0.2;
            hop.actionCount = 8 - h * 2;
            chain.hops.push_back(hop);
        }
        for (int a = 0; a < 8; ++a) {
            ChainAction action;
            action.eventId = c * 100 + a;
            action.timeMs = chain.firstTimeMs + 100 + a * 50;
            action.actor = path.at(2 + a % 3);
            action.action = QStringLiteral("tool.%1").arg(a);
            action.resource = QStringLiteral("customer/%1").arg(a * 7);
            action.withinIntent = a % 3 != 0;
            chain.actions.push_back(action);
        }
        report.chains.push_back(chain);
    }

    const QStringList rules{QStringLiteral("shadow-agent"), QStringLiteral("intent-drift"), QStringLiteral("scope-widening"),
                            QStringLiteral("sensitive-without-approval"), QStringLiteral("lost-originator"), QStringLiteral("deep-delegation")};
    qint64 nextEvent = 1;
    for (int f = 0; f < findingCount; ++f) {
        Finding finding;
        finding.id = f + 1;
        finding.rule = rules.at(f % rules.size());
        finding.severity = static_cast<FindingSeverity>(f % 4);
        finding.subject = report.chains.at(f % chainCount).key;
        finding.chainKey = finding.subject;
        finding.title = QStringLiteral("Trace %1 calls a sensitive tool without approval").arg(finding.subject);
        finding.explanation = QStringLiteral("A high-impact action ran with no human approving it: the safeguard meant to catch a "
                                             "mistaken or manipulated agent was skipped.");
        for (int e = 0; e < 3; ++e) {
            EvidenceEvent event;
            event.id = nextEvent++;
            event.timeMs = 1772870400000LL + event.id * 10;
            event.protocol = QStringLiteral("otlp");
            event.kind = QStringLiteral("execute_tool");
            event.actor = QStringLiteral("worker-%1").arg(f % workers);
            event.action = QStringLiteral("payments.refund");
            event.sourceFile = QStringLiteral("source-1.jsonl");
            event.line = event.id;
            QByteArray raw = "{\"traceId\":\"" + finding.subject.toLatin1() + "\",\"spanId\":\"" + QByteArray::number(event.id, 16)
                             + "\",\"name\":\"execute_tool payments.refund\",\"attributes\":[";
            while (raw.size() < 880)
                raw += "{\"key\":\"gen_ai.tool.call.arguments\",\"value\":{\"stringValue\":\"refund 42.00 EUR\"}},";
            raw += "]}";
            event.excerpt = raw;
            event.rawLength = raw.size();
            report.events.insert(event.id, event);
            finding.evidence.push_back(event.id);
        }
        report.findings.push_back(finding);
    }
    std::stable_sort(report.findings.begin(), report.findings.end(), [](const Finding &a, const Finding &b) { return a.severity > b.severity; });

    for (int r = 0; r < 300; ++r) {
        ReviewRecord record;
        record.id = r + 1;
        record.subjectKind = r % 2 ? ReviewSubjectKind::Chain : ReviewSubjectKind::Finding;
        const Finding &reviewed = report.findings.at(r % report.findings.size());
        record.subject = r % 2 ? report.chains.at(r % chainCount).key : findingReviewKey(reviewed.rule, reviewed.subject);
        record.status = static_cast<ReviewStatus>(r % 4);
        if (record.status == ReviewStatus::AcceptedRisk)
            record.expiresAt = QStringLiteral("2026-09-30");
        if (record.status == ReviewStatus::NeedsRemediation)
            record.remediationOwner = QStringLiteral("raj");
        record.comment = QStringLiteral("Checked the hops against the declared intent; decision recorded for the quarterly audit.");
        record.reviewer = QStringLiteral("reviewer-%1").arg(r % 5);
        record.createdAt = QStringLiteral("2026-03-%1T09:30:00.000Z").arg(1 + r % 28, 2, 10, QLatin1Char('0'));
        record.previousHash = r ? report.reviewsInScope.back().recordHash : reviewGenesisHash();
        record.recordHash = computeReviewHash(record);
        report.reviewsInScope.push_back(record);
    }
    report.reviewLog = report.reviewsInScope;
    report.reviewVerification = verifyReviewChain(report.reviewLog);
    report.reviewIndex = ReviewIndex(report.reviewLog);
    QStringList keys;
    for (const Chain &chain : std::as_const(report.chains))
        keys.push_back(chain.key);
    report.coverage = computeReviewCoverage(keys, report.findings, {}, report.reviewIndex, QDate(2026, 3, 30));

    EvidencePolicy policy;
    policy.name = QStringLiteral("agents.cedar");
    for (int p = 0; p < 30; ++p)
        policy.text += QStringLiteral("@id(\"rule-%1\")\nforbid (principal, action, resource)\nwhen { context.delegation.depth > %2 };\n\n").arg(p).arg(p % 5);
    policy.sha256 = QByteArray(64, 'f');
    report.policy = policy;
    EvidenceSimulation simulation;
    simulation.runId = 2;
    simulation.baselineRunId = 1;
    simulation.policyName = policy.name;
    simulation.baselinePolicyName = QStringLiteral("agents-old.cedar");
    for (int d = 0; d < 5000; ++d) {
        EvidenceDecision decision;
        decision.eventId = d + 1;
        decision.timeMs = 1772870400000LL + d * 17280LL;
        decision.actor = QStringLiteral("worker-%1").arg(d % workers);
        decision.action = QStringLiteral("tool.%1").arg(d % 40);
        decision.decision = d % 7 ? QStringLiteral("allow") : QStringLiteral("deny");
        decision.baselineDecision = d % 11 ? decision.decision : QStringLiteral("allow");
        decision.determining = d % 7 ? QStringLiteral("baseline-permit") : QStringLiteral("rule-3");
        simulation.changedCount += decision.baselineDecision != decision.decision ? 1 : 0;
        simulation.decisions.push_back(decision);
    }
    simulation.requestCount = simulation.decisions.size();
    report.simulation = simulation;
    return report;
}

// The export from a gathered report, as EvidenceExporter does after collecting: CSVs, PDF, JSON, seal.
bool exportReport(const EvidenceReport &report, const QString &folder, const QByteArray &key, int *pages)
{
    QDir dir(folder);
    const auto write = [&dir](const QString &name, const QByteArray &bytes) {
        QFile file(dir.filePath(name));
        return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(bytes) == bytes.size();
    };
    if (!write(EvidenceFileNames::findingsCsv(), findingsCsv(report)) || !write(EvidenceFileNames::simulationCsv(), simulationCsv(report)))
        return false;
    QString error;
    if (!EvidencePdfWriter::write(report, dir.filePath(QStringLiteral("evidence.pdf")), {}, &error)) {
        out() << "PDF: " << error << Qt::endl;
        return false;
    }
    QFile pdf(dir.filePath(QStringLiteral("evidence.pdf")));
    if (pdf.open(QIODevice::ReadOnly))
        *pages = static_cast<int>(pdf.readAll().count("/Type /Page\n"));
    if (!write(EvidenceFileNames::json(), evidenceJson(report, {}, QStringLiteral("evidence.pdf"), std::nullopt)))
        return false;
    return sealEvidenceBundle(folder,
                              {EvidenceFileNames::json(), EvidenceFileNames::findingsCsv(), EvidenceFileNames::simulationCsv(),
                               QStringLiteral("evidence.pdf")},
                              key, &error)
        .has_value();
}

// The reference: the same strings as plain paragraphs through QTextDocument::print.
void printReference(const EvidenceReport &report, const QString &path)
{
    QString text;
    for (const Chain &chain : report.chains) {
        text += chain.key + QLatin1Char('\n');
        for (const ChainHop &hop : chain.hops)
            text += hop.delegator + QStringLiteral(" -> ") + hop.delegate + QLatin1Char('\n');
    }
    for (const Finding &finding : report.findings) {
        text += finding.rule + QStringLiteral(" ") + finding.subject + QLatin1Char('\n') + finding.explanation + QLatin1Char('\n');
        for (const qint64 id : finding.evidence)
            text += QString::fromUtf8(report.events.value(id).excerpt) + QLatin1Char('\n');
    }
    for (const ReviewRecord &record : report.reviewsInScope)
        text += record.subject + QLatin1Char(' ') + record.comment + QLatin1Char('\n');
    for (const EvidenceDecision &decision : report.simulation->decisions)
        text += decision.actor + QLatin1Char(' ') + decision.action + QLatin1Char(' ') + decision.decision + QLatin1Char('\n');
    QTextDocument document;
    document.setPlainText(text);
    QPdfWriter writer(path);
    writer.setPageSize(QPageSize(QPageSize::A4));
    document.print(&writer);
}

double median(QList<double> values)
{
    std::sort(values.begin(), values.end());
    return values.isEmpty() ? 0 : values.at(values.size() / 2);
}

} // namespace

int main(int argc, char *argv[])
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QCommandLineParser parser;
    const QCommandLineOption chainsOption(QStringLiteral("chains"), QStringLiteral("Chains."), QStringLiteral("N"), QStringLiteral("100"));
    const QCommandLineOption findingsOption(QStringLiteral("findings"), QStringLiteral("Findings."), QStringLiteral("N"), QStringLiteral("1000"));
    const QCommandLineOption nodesOption(QStringLiteral("nodes"), QStringLiteral("Graph nodes."), QStringLiteral("N"), QStringLiteral("2000"));
    const QCommandLineOption runsOption(QStringLiteral("runs"), QStringLiteral("Runs."), QStringLiteral("N"), QStringLiteral("3"));
    const QCommandLineOption keepOption(QStringLiteral("keep"), QStringLiteral("Keep the bundle in DIR."), QStringLiteral("DIR"));
    parser.addOptions({chainsOption, findingsOption, nodesOption, runsOption, keepOption});
    parser.addHelpOption();
    parser.process(app);

    QFile keyFile(QStringLiteral(CHAINSIGHT_TEST_DATA_DIR "/evidence/ed25519.pem"));
    const QByteArray key = keyFile.open(QIODevice::ReadOnly) ? keyFile.readAll() : QByteArray();
    QTemporaryDir temporary(chainsight::bench::scratchTemplate(QStringLiteral("bench_evidence")));
    const QString folder = parser.isSet(keepOption) ? parser.value(keepOption) : temporary.path();
    QDir().mkpath(folder);

    const int chains = parser.value(chainsOption).toInt();
    const int findings = parser.value(findingsOption).toInt();
    const int nodes = parser.value(nodesOption).toInt();
    const int runs = std::max(1, parser.value(runsOption).toInt());

    // Fonts and the PDF engine are loaded once by a warm-up, as in a running GUI or a CLI report.
    {
        const EvidenceReport small = buildReport(2, 4, 20);
        int pages = 0;
        exportReport(small, folder, key, &pages);
    }
    const EvidenceReport report = buildReport(chains, findings, nodes);
    out() << "workload: " << chains << " chains, " << findings << " findings (" << report.events.size() << " evidence events), "
          << report.graph.nodes.size() << " graph nodes, " << report.graph.edges.size() << " edges, "
          << report.reviewsInScope.size() << " reviews, " << report.simulation->decisions.size() << " decisions" << Qt::endl;

    QList<double> seconds;
    QList<double> cpu;
    QList<double> peaks;
    int pages = 0;
    for (int run = 0; run < runs; ++run) {
        const qint64 before = statusKb("VmRSS:");
        resetPeak();
        QElapsedTimer timer;
        timer.start();
        const double cpuBefore = cpuSeconds();
        if (!exportReport(report, folder, key, &pages)) {
            out() << "export failed" << Qt::endl;
            return 1;
        }
        seconds.push_back(timer.nsecsElapsed() / 1e9);
        cpu.push_back(cpuSeconds() - cpuBefore);
        peaks.push_back((statusKb("VmHWM:") - before) / 1024.0);
    }
    const double pdfMb = QFileInfo(QDir(folder).filePath(QStringLiteral("evidence.pdf"))).size() / 1048576.0;
    const BundleVerification verification = verifyEvidenceBundle(folder, std::nullopt);

    QElapsedTimer reference;
    reference.start();
    const double referenceCpuBefore = cpuSeconds();
    printReference(report, QDir(folder).filePath(QStringLiteral("reference.pdf")));
    const double referenceSeconds = reference.nsecsElapsed() / 1e9;
    const double referenceCpu = cpuSeconds() - referenceCpuBefore;

    const double time = median(cpu);
    const double peak = *std::max_element(peaks.cbegin(), peaks.cend());
    out() << QStringLiteral("evidence export: %1 s CPU, %2 s wall (medians of %3), peak memory +%4 MB, %5 pages, PDF %6 MB, bundle %7")
                 .arg(time, 0, 'f', 2)
                 .arg(median(seconds), 0, 'f', 2)
                 .arg(runs)
                 .arg(peak, 0, 'f', 1)
                 .arg(pages)
                 .arg(pdfMb, 0, 'f', 2)
                 .arg(verification.ok() ? QStringLiteral("verifies") : QStringLiteral("DOES NOT VERIFY"))
          << Qt::endl;
    out() << QStringLiteral("budget (issue 8): 5 s, 20 MB -> %1").arg(time <= 5 && peak <= 20 ? QStringLiteral("within") : QStringLiteral("OVER"))
          << Qt::endl;
    out() << QStringLiteral("reference, QTextDocument::print of the same strings as plain text: %1 s CPU, %2 s wall")
                 .arg(referenceCpu, 0, 'f', 2)
                 .arg(referenceSeconds, 0, 'f', 2)
          << Qt::endl;
    return time <= 5 && peak <= 20 && verification.ok() ? 0 : 1;
}

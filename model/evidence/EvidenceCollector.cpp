#include "EvidenceCollector.h"

#include "ChainStore.h"
#include "FindingListModel.h"
#include "FindingsEngine.h"
#include "Sha256.h"
#include "SqliteDatabase.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

#include <algorithm>
#include <map>
#include <memory>

namespace chainsight {
namespace {

struct Cancelled
{
};

class Collection
{
public:
    Collection(Workspace &workspace, const EvidenceOptions &options, const EvidenceProgress &progress, const std::atomic_bool *cancel)
        : m_workspace(workspace)
        , m_db(workspace.database())
        , m_options(options)
        , m_progress(progress)
        , m_cancel(cancel)
    {
    }

    // Throws SqliteError on a store failure, Cancelled on cancel; returns an error message for bad input.
    QString run(EvidenceReport &report);

private:
    void step(int percent, const QString &stage)
    {
        if (m_cancel && m_cancel->load())
            throw Cancelled{};
        if (m_progress)
            m_progress(percent, stage);
    }
    QString gatherFindings(EvidenceReport &report);
    QString applyScope(EvidenceReport &report, const ChainSet &all);
    void gatherInputs(EvidenceReport &report);
    void gatherEvents(EvidenceReport &report);
    void gatherReviews(EvidenceReport &report);
    QString gatherPolicy(EvidenceReport &report, const ChainSet &all);
    QByteArray readExcerpt(qint64 sourceId, qint64 offset, qint64 length, qsizetype limit, QString *note);

    Workspace &m_workspace;
    SqliteDatabase &m_db;
    const EvidenceOptions &m_options;
    const EvidenceProgress &m_progress;
    const std::atomic_bool *m_cancel;
    QList<Finding> m_allFindings;
    QList<IdentitySummary> m_identities;

    struct OpenSource
    {
        std::unique_ptr<QFile> file;
        QString unavailable; // why excerpts cannot come from this file
    };
    std::map<qint64, OpenSource> m_sources;
    QHash<qint64, EvidenceInput> m_inputById;
};

QString Collection::run(EvidenceReport &report)
{
    step(0, QStringLiteral("Reading the workspace"));
    QString error;
    const auto info = m_workspace.info(&error);
    if (!info)
        throw SqliteError(1, error);
    report.schemaVersion = info->schemaVersion;
    report.counts = info->counts;
    for (const SourceInfo &source : info->sources) {
        EvidenceInput input;
        input.source = source;
        input.fileName = QFileInfo(source.path).fileName();
        report.inputs.push_back(input);
    }
    const auto identities = m_workspace.identities(&error);
    if (!identities)
        throw SqliteError(1, error);
    m_identities = *identities;

    step(5, QStringLiteral("Findings"));
    if (QString problem = gatherFindings(report); !problem.isEmpty())
        return problem;

    step(15, QStringLiteral("Delegation chains"));
    const auto chains = ChainStore::chainsOf(m_workspace, &error);
    if (!chains)
        throw SqliteError(1, error);
    report.chainCountInWorkspace = chains->chains.size();
    if (QString problem = applyScope(report, *chains); !problem.isEmpty())
        return problem;

    step(35, QStringLiteral("Inputs and their digests"));
    gatherInputs(report);
    step(50, QStringLiteral("Evidence events"));
    gatherEvents(report);
    step(65, QStringLiteral("Reviews"));
    gatherReviews(report);
    step(75, QStringLiteral("Policy and simulation"));
    if (QString problem = gatherPolicy(report, *chains); !problem.isEmpty())
        return problem;
    step(80, QStringLiteral("Collected"));
    return {};
}

QString Collection::gatherFindings(EvidenceReport &report)
{
    QString error;
    if (m_db.queryInt64("SELECT count(*) FROM analysis_runs") == 0) {
        if (m_workspace.isReadOnly())
            return QStringLiteral("the workspace was never analysed and is open read-only: run chainsight-cli findings first");
        const auto run = FindingsEngine().run(m_workspace, {}, &error);
        if (!run)
            throw SqliteError(1, error);
        report.notes.push_back(QStringLiteral("The workspace had not been analysed; its findings were computed for this report."));
    }
    const auto findings = storedFindings(m_workspace, &error);
    if (!findings)
        throw SqliteError(1, error);
    m_allFindings = *findings;
    return {};
}

QString Collection::applyScope(EvidenceReport &report, const ChainSet &all)
{
    const EvidenceScope &scope = report.scope;
    QSet<QString> chainKeys;
    ChainSet inScope;
    const auto take = [&](const Chain &chain) {
        inScope.indexByKey.insert(chain.key, static_cast<int>(inScope.chains.size()));
        inScope.chains.push_back(chain);
        chainKeys.insert(chain.key);
    };
    const auto involves = [](const Chain &chain, const QString &id) {
        if (chain.root == id || chain.originator == id)
            return true;
        for (const ChainHop &hop : chain.hops) {
            if (hop.delegator == id || hop.delegate == id)
                return true;
        }
        return std::any_of(chain.actions.cbegin(), chain.actions.cend(), [&id](const ChainAction &action) { return action.actor == id; });
    };

    switch (scope.kind) {
    case EvidenceScope::Kind::All:
    case EvidenceScope::Kind::Chains:
        for (const Chain &chain : all.chains)
            take(chain);
        break;
    case EvidenceScope::Kind::Identities:
        break;
    case EvidenceScope::Kind::OneChain: {
        const Chain *chain = all.find(scope.subject);
        if (!chain)
            return QStringLiteral("--scope chain:%1: no chain with that key in this workspace (chainsight-cli chains lists them)")
                .arg(scope.subject);
        take(*chain);
        break;
    }
    case EvidenceScope::Kind::OneIdentity: {
        const bool known = std::any_of(m_identities.cbegin(), m_identities.cend(),
                                       [&scope](const IdentitySummary &identity) { return identity.id == scope.subject; });
        if (!known)
            return QStringLiteral("--scope identity:%1: no identity with that id in this workspace").arg(scope.subject);
        for (const Chain &chain : all.chains) {
            if (involves(chain, scope.subject))
                take(chain);
        }
        break;
    }
    }

    for (const Finding &finding : std::as_const(m_allFindings)) {
        bool keep = false;
        switch (scope.kind) {
        case EvidenceScope::Kind::All:
            keep = true;
            break;
        case EvidenceScope::Kind::Chains:
            keep = !finding.chainKey.isEmpty();
            break;
        case EvidenceScope::Kind::Identities:
            keep = finding.chainKey.isEmpty();
            break;
        case EvidenceScope::Kind::OneChain:
            keep = finding.chainKey == scope.subject;
            break;
        case EvidenceScope::Kind::OneIdentity:
            keep = finding.identity == scope.subject || (!finding.chainKey.isEmpty() && chainKeys.contains(finding.chainKey));
            break;
        }
        if (keep)
            report.findings.push_back(finding);
    }
    std::stable_sort(report.findings.begin(), report.findings.end(), [](const Finding &a, const Finding &b) {
        if (a.severity != b.severity)
            return a.severity > b.severity;
        if (a.rule != b.rule)
            return a.rule < b.rule;
        return a.subject < b.subject;
    });

    report.chains = inScope.chains;
    const bool wholeGraph = scope.kind == EvidenceScope::Kind::All || scope.kind == EvidenceScope::Kind::Identities;
    report.graph = IdentityGraph::fromChains(wholeGraph ? all : inScope, wholeGraph ? m_identities : QList<IdentitySummary>());
    report.graph.attachFindings(report.findings);

    // Identities whose sign-off counts: agents and shadows in scope.
    if (scope.kind == EvidenceScope::Kind::OneIdentity) {
        report.identityIds = {scope.subject};
    } else if (wholeGraph) {
        for (const IdentitySummary &identity : std::as_const(m_identities)) {
            if (identity.kind == QLatin1String("agent") || identity.kind == QLatin1String("shadow"))
                report.identityIds.push_back(identity.id);
        }
    } else {
        for (const IdentityGraphNode &node : std::as_const(report.graph.nodes)) {
            if (node.kind == ChainPartyKind::Agent || node.kind == ChainPartyKind::Shadow)
                report.identityIds.push_back(node.id);
        }
    }
    return {};
}

void Collection::gatherInputs(EvidenceReport &report)
{
    for (EvidenceInput &input : report.inputs) {
        step(35, QStringLiteral("Checking %1").arg(input.fileName));
        const QFileInfo file(input.source.path);
        if (!file.isFile()) {
            input.onDisk = EvidenceInput::OnDisk::Missing;
        } else if (file.size() != input.source.size) {
            input.onDisk = EvidenceInput::OnDisk::Changed;
        } else {
            QString error;
            const auto digest = sha256OfFile(input.source.path, &error, m_cancel);
            if (m_cancel && m_cancel->load())
                throw Cancelled{};
            input.onDisk = !digest ? EvidenceInput::OnDisk::Missing
                           : digest->sha256Hex == input.source.sha256 ? EvidenceInput::OnDisk::Matches
                                                                      : EvidenceInput::OnDisk::Changed;
        }
        m_inputById.insert(input.source.id, input);
    }
}

QByteArray Collection::readExcerpt(qint64 sourceId, qint64 offset, qint64 length, qsizetype limit, QString *note)
{
    auto found = m_sources.find(sourceId);
    if (found == m_sources.end()) {
        OpenSource open;
        const EvidenceInput input = m_inputById.value(sourceId);
        if (input.onDisk != EvidenceInput::OnDisk::Matches) {
            open.unavailable = QStringLiteral("the source file %1 is %2, so the raw record is not shown")
                                   .arg(input.fileName.isEmpty() ? QStringLiteral("(unknown)") : input.fileName, onDiskName(input.onDisk));
        } else {
            open.file = std::make_unique<QFile>(input.source.path);
            if (!open.file->open(QIODevice::ReadOnly)) {
                open.unavailable = QStringLiteral("the source file %1 cannot be read").arg(input.fileName);
            } else if (open.file->peek(2) == QByteArray("\x1f\x8b", 2)) {
                open.unavailable = QStringLiteral("the record is inside the compressed file %1; see its line number").arg(input.fileName);
            }
        }
        found = m_sources.emplace(sourceId, std::move(open)).first;
    }
    OpenSource &source = found->second;
    if (!source.unavailable.isEmpty()) {
        *note = source.unavailable;
        return {};
    }
    if (!source.file->seek(offset)) {
        *note = QStringLiteral("the record's offset lies outside the source file");
        return {};
    }
    return source.file->read(std::min<qint64>(length, limit));
}

void Collection::gatherEvents(EvidenceReport &report)
{
    SqliteStatement query(m_db, "SELECT e.id, e.time_ms, e.protocol, e.kind, coalesce(i.external_id, e.actor_alias), e.action, "
                                "e.resource, e.outcome, e.trace_id, e.source_id, e.line, e.raw_offset, e.raw_length, "
                                "substr(e.raw, 1, ?2), length(e.raw) "
                                "FROM events e LEFT JOIN identities i ON i.id = e.actor_identity_id WHERE e.id = ?1");
    qsizetype done = 0;
    for (const Finding &finding : std::as_const(report.findings)) {
        if (++done % 64 == 0)
            step(50 + static_cast<int>(15 * done / std::max<qsizetype>(1, report.findings.size())), QStringLiteral("Evidence events"));
        // evidence.json lists every event id; excerpts are read for the events the report shows.
        for (qsizetype k = 0; k < finding.evidence.size() && k < report.evidenceEventsPerFinding; ++k) {
            const qint64 id = finding.evidence.at(k);
            if (report.events.contains(id))
                continue;
            query.reset();
            query.bind(1, id).bind(2, static_cast<qint64>(report.excerptLimit));
            if (!query.step())
                continue;
            EvidenceEvent event;
            event.id = id;
            event.timeMs = query.int64(1);
            event.protocol = query.text(2);
            event.kind = query.text(3);
            event.actor = query.text(4);
            event.action = query.text(5);
            event.resource = query.text(6);
            event.outcome = query.text(7);
            event.traceId = query.text(8);
            event.sourceId = query.int64(9);
            event.sourceFile = m_inputById.value(event.sourceId).fileName;
            event.line = query.int64(10);
            if (!query.isNull(13)) {
                event.excerpt = query.blob(13);
                event.rawLength = query.int64(14);
            } else if (!query.isNull(11) && query.int64(11) >= 0 && query.int64(12) > 0) {
                event.rawLength = query.int64(12);
                event.excerpt = readExcerpt(event.sourceId, query.int64(11), event.rawLength, report.excerptLimit, &event.excerptNote);
            } else {
                event.excerptNote = QStringLiteral("the importer kept no raw record for this event");
            }
            report.events.insert(id, event);
        }
    }
}

void Collection::gatherReviews(EvidenceReport &report)
{
    QString error;
    const auto records = ReviewLog::records(m_db, &error);
    if (!records)
        throw SqliteError(1, error);
    report.reviewLog = *records;
    report.reviewVerification = verifyReviewChain(report.reviewLog);
    report.reviewIndex = ReviewIndex(report.reviewLog);

    QStringList chainKeys;
    QSet<QString> subjects;
    for (const Chain &chain : std::as_const(report.chains)) {
        chainKeys.push_back(chain.key);
        subjects.insert(reviewSubjectKindName(ReviewSubjectKind::Chain) + QLatin1Char('\n') + chain.key);
    }
    for (const Finding &finding : std::as_const(report.findings))
        subjects.insert(reviewSubjectKindName(ReviewSubjectKind::Finding) + QLatin1Char('\n') + findingReviewKey(finding.rule, finding.subject));
    for (const QString &id : std::as_const(report.identityIds))
        subjects.insert(reviewSubjectKindName(ReviewSubjectKind::Identity) + QLatin1Char('\n') + id);
    const bool all = report.scope.kind == EvidenceScope::Kind::All;
    for (const ReviewRecord &record : std::as_const(report.reviewLog)) {
        if (all || subjects.contains(reviewSubjectKindName(record.subjectKind) + QLatin1Char('\n') + record.subject))
            report.reviewsInScope.push_back(record);
    }
    const QDate today = QDateTime::fromString(report.generatedAt, Qt::ISODateWithMs).date();
    report.coverage = computeReviewCoverage(chainKeys, report.findings, report.identityIds, report.reviewIndex, today);
}

QString joinJsonArray(const QString &json)
{
    if (json.isEmpty())
        return {};
    const QJsonDocument document = QJsonDocument::fromJson(json.toUtf8());
    if (!document.isArray())
        return json;
    QStringList items;
    for (const QJsonValue &value : document.array()) {
        if (value.isObject())
            items.push_back(value[QStringLiteral("policy")].toString() + QStringLiteral(": ") + value[QStringLiteral("message")].toString());
        else
            items.push_back(value.toString());
    }
    return items.join(QStringLiteral(", "));
}

bool hasColumn(SqliteDatabase &db, const char *table, const QString &column)
{
    SqliteStatement columns(db, std::string("SELECT name FROM pragma_table_info('") + table + "')");
    while (columns.step()) {
        if (columns.text(0) == column)
            return true;
    }
    return false;
}

QString Collection::gatherPolicy(EvidenceReport &report, const ChainSet &all)
{
    std::optional<QByteArray> wantedSha;
    if (!m_options.policyPath.isEmpty()) {
        QFile file(m_options.policyPath);
        if (!file.open(QIODevice::ReadOnly))
            return QStringLiteral("%1: cannot read the policy: %2").arg(m_options.policyPath, file.errorString());
        const QByteArray bytes = file.readAll();
        EvidencePolicy policy;
        policy.name = QFileInfo(m_options.policyPath).fileName();
        policy.origin = QFileInfo(m_options.policyPath).fileName();
        policy.text = QString::fromUtf8(bytes);
        policy.sha256 = sha256Hex(bytes);
        wantedSha = policy.sha256;
        report.policy = policy;
    }

    const bool baselineRunColumn = hasColumn(m_db, "simulation_runs", QStringLiteral("baseline_run_id"));
    std::string sql = "SELECT r.id, r.policy_version_id, r.started_at, r.finished_at, r.request_count, r.allow_count, "
                      "r.deny_count, r.error_count, v.name, v.sha256, v.text, b.name, b.sha256, r.baseline_policy_version_id, ";
    sql += baselineRunColumn ? "r.baseline_run_id " : "NULL ";
    sql += "FROM simulation_runs r JOIN policy_versions v ON v.id = r.policy_version_id "
           "LEFT JOIN policy_versions b ON b.id = r.baseline_policy_version_id ";
    sql += wantedSha ? "WHERE v.sha256 = ?1 ORDER BY r.id DESC LIMIT 1" : "ORDER BY r.id DESC LIMIT 1";
    SqliteStatement run(m_db, sql);
    if (wantedSha)
        run.bind(1, QString::fromLatin1(*wantedSha));
    if (!run.step()) {
        if (wantedSha)
            report.notes.push_back(QStringLiteral("No simulation of this policy text is recorded in the workspace; "
                                                  "run chainsight-cli simulate with it to see its decisions here."));
        return {};
    }
    EvidenceSimulation simulation;
    simulation.runId = run.int64(0);
    simulation.policyVersionId = run.int64(1);
    simulation.startedAt = run.text(2);
    simulation.finishedAt = run.text(3);
    simulation.requestCount = run.int64(4);
    simulation.allowCount = run.int64(5);
    simulation.denyCount = run.int64(6);
    simulation.errorCount = run.int64(7);
    simulation.policyName = run.text(8);
    simulation.policySha256 = run.text(9).toLatin1();
    const QString versionText = run.text(10);
    simulation.baselinePolicyName = run.text(11);
    simulation.baselinePolicySha256 = run.text(12).toLatin1();
    const auto baselineVersion = run.optionalInt64(13);
    simulation.baselineRunId = run.optionalInt64(14).value_or(0);
    if (!report.policy) {
        EvidencePolicy policy;
        policy.name = simulation.policyName;
        policy.origin = QStringLiteral("workspace policy version %1").arg(simulation.policyVersionId);
        policy.text = versionText;
        policy.sha256 = sha256Hex(versionText.toUtf8());
        report.policy = policy;
    }
    simulation.policyMatchesText = simulation.policySha256 == report.policy->sha256;
    if (!simulation.baselineRunId && baselineVersion) {
        SqliteStatement baseline(m_db, "SELECT id FROM simulation_runs WHERE policy_version_id = ?1 AND id < ?2 ORDER BY id DESC LIMIT 1");
        baseline.bind(1, *baselineVersion).bind(2, simulation.runId);
        if (baseline.step())
            simulation.baselineRunId = baseline.int64(0);
    }

    QHash<qint64, QString> baselineDecisions;
    if (simulation.baselineRunId) {
        SqliteStatement rows(m_db, "SELECT event_id, decision FROM simulation_results WHERE run_id = ?1");
        rows.bind(1, simulation.baselineRunId);
        while (rows.step())
            baselineDecisions.insert(rows.int64(0), rows.text(1));
    }
    QSet<QString> scopeChains;
    for (const Chain &chain : std::as_const(report.chains))
        scopeChains.insert(chain.key);
    const bool everything = report.scope.kind == EvidenceScope::Kind::All;
    SqliteStatement rows(m_db, "SELECT s.event_id, s.decision, s.determining, s.errors, e.time_ms, "
                               "coalesce(i.external_id, e.actor_alias), e.action, e.resource "
                               "FROM simulation_results s JOIN events e ON e.id = s.event_id "
                               "LEFT JOIN identities i ON i.id = e.actor_identity_id "
                               "WHERE s.run_id = ?1 ORDER BY e.time_ms, s.event_id");
    rows.bind(1, simulation.runId);
    qint64 seen = 0;
    while (rows.step()) {
        if (++seen % 4096 == 0)
            step(78, QStringLiteral("Simulation decisions"));
        EvidenceDecision decision;
        decision.eventId = rows.int64(0);
        const int chainIndex = all.chainOfEvent.value(decision.eventId, -1);
        decision.chainKey = chainIndex >= 0 ? all.chains.at(chainIndex).key : QString();
        if (!everything && !scopeChains.contains(decision.chainKey))
            continue;
        decision.decision = rows.text(1);
        decision.determining = joinJsonArray(rows.text(2));
        decision.errors = joinJsonArray(rows.text(3));
        decision.timeMs = rows.int64(4);
        decision.actor = rows.text(5);
        decision.action = rows.text(6);
        decision.resource = rows.text(7);
        if (simulation.baselineRunId) {
            decision.baselineDecision = baselineDecisions.value(decision.eventId);
            simulation.changedCount += decision.baselineDecision != decision.decision ? 1 : 0;
        }
        simulation.decisions.push_back(std::move(decision));
    }
    report.simulation = std::move(simulation);
    return {};
}

} // namespace

std::optional<EvidenceReport> EvidenceCollector::collect(Workspace &workspace, const EvidenceOptions &options, QString *error,
                                                         const EvidenceProgress &progress, const std::atomic_bool *cancel)
{
    EvidenceReport report;
    report.workspacePath = workspace.path();
    report.workspaceName = QFileInfo(workspace.path()).fileName();
    const QDateTime now = options.now.isValid() ? options.now.toUTC() : QDateTime::currentDateTimeUtc();
    report.generatedAt = now.toString(Qt::ISODateWithMs);
    report.generatedBy = options.generatedBy.isEmpty() ? defaultReviewerName() : options.generatedBy;
    report.chainsightVersion = QStringLiteral(CHAINSIGHT_VERSION);
    report.scope = options.scope;
    report.evidenceEventsPerFinding = options.evidenceEventsPerFinding;
    report.excerptLimit = options.excerptLimit;
    try {
        Collection collection(workspace, options, progress, cancel);
        const QString problem = collection.run(report);
        if (!problem.isEmpty()) {
            if (error)
                *error = problem;
            return std::nullopt;
        }
        return report;
    } catch (const SqliteError &e) {
        if (error)
            *error = e.message();
    } catch (const Cancelled &) {
        if (error)
            *error = QStringLiteral("cancelled");
    }
    return std::nullopt;
}

} // namespace chainsight

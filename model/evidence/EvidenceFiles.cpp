#include "EvidenceFiles.h"

#include "UntrustedText.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>

namespace chainsight {
namespace {

void appendCsvRow(QByteArray &out, const QStringList &fields)
{
    QStringList cells;
    cells.reserve(fields.size());
    for (const QString &field : fields)
        cells.push_back(csvField(field));
    out += cells.join(QLatin1Char(',')).toUtf8();
    out += "\r\n";
}

QJsonValue optionalText(const QString &text)
{
    return text.isEmpty() ? QJsonValue() : QJsonValue(text);
}

QJsonObject reviewJson(const ReviewRecord &record)
{
    return QJsonObject{
        {QStringLiteral("id"), record.id},
        {QStringLiteral("subject_kind"), reviewSubjectKindName(record.subjectKind)},
        {QStringLiteral("subject"), record.subject},
        {QStringLiteral("status"), reviewStatusName(record.status)},
        {QStringLiteral("comment"), record.comment},
        {QStringLiteral("reviewer"), record.reviewer},
        {QStringLiteral("created_at"), record.createdAt},
        {QStringLiteral("expires_at"), optionalText(record.expiresAt)},
        {QStringLiteral("remediation_owner"), optionalText(record.remediationOwner)},
        {QStringLiteral("previous_hash"), QString::fromLatin1(record.previousHash)},
        {QStringLiteral("record_hash"), QString::fromLatin1(record.recordHash)},
    };
}

QJsonValue currentReviewJson(const ReviewRecord *record)
{
    if (!record)
        return QJsonValue();
    return QJsonObject{
        {QStringLiteral("record"), record->id},
        {QStringLiteral("status"), reviewStatusName(record->status)},
        {QStringLiteral("reviewer"), record->reviewer},
        {QStringLiteral("at"), record->createdAt},
    };
}

QJsonObject coverageCountJson(const ReviewCoverageCount &count)
{
    QJsonObject byStatus;
    for (const ReviewStatus status : {ReviewStatus::Approved, ReviewStatus::AcceptedRisk, ReviewStatus::NeedsRemediation,
                                      ReviewStatus::FalsePositive})
        byStatus.insert(reviewStatusName(status), count.count(status));
    return QJsonObject{
        {QStringLiteral("total"), count.total},
        {QStringLiteral("reviewed"), count.reviewed},
        {QStringLiteral("expired"), count.expired},
        {QStringLiteral("by_status"), byStatus},
    };
}

QJsonArray stringArray(const QStringList &list)
{
    return QJsonArray::fromStringList(list);
}

QJsonObject chainJson(const Chain &chain, const ReviewIndex &reviews)
{
    QJsonArray hops;
    for (const ChainHop &hop : chain.hops) {
        hops.append(QJsonObject{
            {QStringLiteral("level"), hop.level},
            {QStringLiteral("delegator"), hop.delegator},
            {QStringLiteral("delegator_kind"), partyKindName(hop.delegatorKind)},
            {QStringLiteral("delegate"), hop.delegate},
            {QStringLiteral("delegate_kind"), partyKindName(hop.delegateKind)},
            {QStringLiteral("protocols"), stringArray(hop.protocols.isEmpty() ? QStringList{hop.protocol} : hop.protocols)},
            {QStringLiteral("scopes"), stringArray(hop.scopes)},
            {QStringLiteral("inferred"), hop.inferred},
            {QStringLiteral("confidence"), hop.confidence},
            {QStringLiteral("time"), optionalText(evidenceTimeText(hop.timeMs))},
            {QStringLiteral("event"), hop.eventId ? QJsonValue(hop.eventId) : QJsonValue()},
            {QStringLiteral("retention"), hop.retention},
            {QStringLiteral("actions"), hop.actionCount},
        });
    }
    QJsonArray actions;
    for (const ChainAction &action : chain.actions) {
        actions.append(QJsonObject{
            {QStringLiteral("event"), action.eventId},
            {QStringLiteral("time"), optionalText(evidenceTimeText(action.timeMs))},
            {QStringLiteral("actor"), action.actor},
            {QStringLiteral("protocol"), action.protocol},
            {QStringLiteral("action"), action.action},
            {QStringLiteral("resource"), optionalText(action.resource)},
            {QStringLiteral("depth"), action.depth},
            {QStringLiteral("within_intent"), action.withinIntent},
        });
    }
    return QJsonObject{
        {QStringLiteral("key"), chain.key},
        {QStringLiteral("originator"), optionalText(chain.originator)},
        {QStringLiteral("root"), chain.root},
        {QStringLiteral("depth"), chain.depth},
        {QStringLiteral("retention"), chain.retention},
        {QStringLiteral("first_time"), optionalText(evidenceTimeText(chain.firstTimeMs))},
        {QStringLiteral("last_time"), optionalText(evidenceTimeText(chain.lastTimeMs))},
        {QStringLiteral("root_intents"), stringArray(chain.rootIntents)},
        {QStringLiteral("human_approval"), chain.humanApproval},
        {QStringLiteral("protocols"), stringArray(chain.protocols)},
        {QStringLiteral("hops"), hops},
        {QStringLiteral("actions"), actions},
        {QStringLiteral("review"), currentReviewJson(reviews.latest(ReviewSubjectKind::Chain, chain.key))},
    };
}

// evidence.json is written member by member, arrays element by element, one line each: a report with
// thousands of events never holds a whole JSON tree in memory.
class JsonWriter
{
public:
    void member(const char *key, const QJsonValue &value)
    {
        open(key);
        m_out += text(value);
    }
    void beginArray(const char *key)
    {
        open(key);
        m_out += "[";
        m_first = true;
    }
    void element(const QJsonObject &object)
    {
        m_out += m_first ? "\n" : ",\n";
        m_first = false;
        m_out += QJsonDocument(object).toJson(QJsonDocument::Compact);
    }
    void endArray() { m_out += m_first ? "]" : "\n]"; }
    QByteArray finish()
    {
        m_out += "\n}\n";
        return std::move(m_out);
    }

private:
    void open(const char *key)
    {
        m_out += m_members++ == 0 ? "{\n" : ",\n";
        m_out += '"';
        m_out += key;
        m_out += "\": ";
    }
    static QByteArray text(const QJsonValue &value)
    {
        // QJsonDocument holds only objects and arrays: wrap, then unwrap.
        const QByteArray wrapped = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
        return wrapped.mid(1, wrapped.size() - 2);
    }

    QByteArray m_out;
    int m_members = 0;
    bool m_first = true;
};

} // namespace

QString evidenceTimeText(qint64 timeMs)
{
    if (timeMs == 0)
        return {};
    return QDateTime::fromMSecsSinceEpoch(timeMs, Qt::UTC).toString(Qt::ISODateWithMs);
}

QByteArray findingsCsv(const EvidenceReport &report)
{
    QByteArray out;
    appendCsvRow(out, {QStringLiteral("id"), QStringLiteral("severity"), QStringLiteral("rule"), QStringLiteral("subject"),
                       QStringLiteral("title"), QStringLiteral("chain"), QStringLiteral("identity"), QStringLiteral("events"),
                       QStringLiteral("review_status"), QStringLiteral("reviewer"), QStringLiteral("reviewed_at"),
                       QStringLiteral("review_record"), QStringLiteral("explanation")});
    for (const Finding &finding : report.findings) {
        QStringList events;
        for (const qint64 id : finding.evidence)
            events.push_back(QString::number(id));
        const ReviewRecord *review = report.reviewIndex.latestForFinding(finding);
        appendCsvRow(out, {QString::number(finding.id), severityName(finding.severity), finding.rule, finding.subject,
                           finding.title, finding.chainKey, finding.identity, events.join(QLatin1Char(' ')),
                           review ? reviewStatusName(review->status) : QString(), review ? review->reviewer : QString(),
                           review ? review->createdAt : QString(), review ? QString::number(review->id) : QString(),
                           finding.explanation});
    }
    return out;
}

QByteArray simulationCsv(const EvidenceReport &report)
{
    QByteArray out;
    appendCsvRow(out, {QStringLiteral("run"), QStringLiteral("event"), QStringLiteral("time"), QStringLiteral("actor"),
                       QStringLiteral("action"), QStringLiteral("resource"), QStringLiteral("chain"), QStringLiteral("decision"),
                       QStringLiteral("determining"), QStringLiteral("errors"), QStringLiteral("baseline_decision"),
                       QStringLiteral("changed")});
    if (!report.simulation)
        return out;
    const EvidenceSimulation &simulation = *report.simulation;
    const QString run = QString::number(simulation.runId);
    for (const EvidenceDecision &decision : simulation.decisions) {
        const bool baseline = simulation.baselineRunId != 0;
        appendCsvRow(out, {run, QString::number(decision.eventId), evidenceTimeText(decision.timeMs), decision.actor,
                           decision.action, decision.resource, decision.chainKey, decision.decision, decision.determining,
                           decision.errors, decision.baselineDecision,
                           baseline ? (decision.baselineDecision != decision.decision ? QStringLiteral("yes") : QStringLiteral("no"))
                                    : QString()});
    }
    return out;
}

QByteArray evidenceJson(const EvidenceReport &report, const QList<BundleFileInfo> &files, const QString &reportFileName,
                        const std::optional<SignerInfo> &signer)
{
    JsonWriter root;
    root.member("chainsight_evidence", 1);
    root.member("generated_at", report.generatedAt);
    root.member("generated_by", report.generatedBy);
    root.member("chainsight_version", report.chainsightVersion);
    root.member("workspace", QJsonObject{{QStringLiteral("name"), report.workspaceName},
                                                        {QStringLiteral("schema_version"), report.schemaVersion}});
    root.member("scope", QJsonObject{{QStringLiteral("scope"), report.scope.toString()},
                                                    {QStringLiteral("description"), report.scope.describe()}});

    QJsonArray inputs;
    for (const EvidenceInput &input : report.inputs) {
        inputs.append(QJsonObject{
            {QStringLiteral("name"), input.fileName},
            {QStringLiteral("path"), input.source.path},
            {QStringLiteral("sha256"), QString::fromLatin1(input.source.sha256)},
            {QStringLiteral("format"), input.source.format},
            {QStringLiteral("size"), input.source.size},
            {QStringLiteral("records"), input.source.records},
            {QStringLiteral("errors"), input.source.errors},
            {QStringLiteral("warnings"), input.source.warnings},
            {QStringLiteral("imported_at"), input.source.importedAt},
            {QStringLiteral("on_disk"), onDiskName(input.onDisk)},
        });
    }
    root.member("inputs", inputs);
    const WorkspaceCounts &c = report.counts;
    root.member("counts", QJsonObject{
        {QStringLiteral("humans"), c.humans}, {QStringLiteral("agents"), c.agents}, {QStringLiteral("tools"), c.tools},
        {QStringLiteral("shadows"), c.shadows}, {QStringLiteral("credentials"), c.credentials},
        {QStringLiteral("events"), c.events}, {QStringLiteral("edges"), c.edges}, {QStringLiteral("findings"), c.findings},
        {QStringLiteral("chains"), report.chainCountInWorkspace}});

    QMap<QString, QMap<QString, int>> byRule;
    QMap<QString, int> bySeverity;
    for (const Finding &finding : report.findings) {
        ++byRule[finding.rule][severityName(finding.severity)];
        ++bySeverity[severityName(finding.severity)];
    }
    QJsonObject rules;
    for (auto rule = byRule.cbegin(); rule != byRule.cend(); ++rule) {
        QJsonObject severities;
        for (auto severity = rule->cbegin(); severity != rule->cend(); ++severity)
            severities.insert(severity.key(), severity.value());
        rules.insert(rule.key(), severities);
    }
    QJsonObject severities;
    for (auto severity = bySeverity.cbegin(); severity != bySeverity.cend(); ++severity)
        severities.insert(severity.key(), severity.value());
    root.member("summary", QJsonObject{
        {QStringLiteral("chains"), report.chains.size()},
        {QStringLiteral("findings"), report.findings.size()},
        {QStringLiteral("findings_by_rule"), rules},
        {QStringLiteral("findings_by_severity"), severities},
        {QStringLiteral("graph"), QJsonObject{{QStringLiteral("nodes"), report.graph.nodes.size()},
                                              {QStringLiteral("edges"), report.graph.edges.size()}}}});

    QJsonArray unreviewed;
    for (const Finding &finding : report.coverage.unreviewedHighSeverity)
        unreviewed.append(findingReviewKey(finding.rule, finding.subject));
    root.member("coverage", QJsonObject{
        {QStringLiteral("chains"), coverageCountJson(report.coverage.chains)},
        {QStringLiteral("findings"), coverageCountJson(report.coverage.findings)},
        {QStringLiteral("identities"), coverageCountJson(report.coverage.identities)},
        {QStringLiteral("unreviewed_high_severity"), unreviewed}});

    root.beginArray("graph_nodes");
    for (const IdentityGraphNode &node : report.graph.nodes) {
        root.element(QJsonObject{{QStringLiteral("id"), node.id}, {QStringLiteral("kind"), partyKindName(node.kind)},
                                 {QStringLiteral("label"), node.label}, {QStringLiteral("owner"), optionalText(node.owner)},
                                 {QStringLiteral("chains"), node.chainCount}, {QStringLiteral("findings"), node.findingCount}});
    }
    root.endArray();
    root.beginArray("graph_edges");
    for (const IdentityGraphEdge &edge : report.graph.edges) {
        root.element(QJsonObject{
            {QStringLiteral("source"), report.graph.nodes.value(edge.source).id},
            {QStringLiteral("target"), report.graph.nodes.value(edge.target).id},
            {QStringLiteral("kind"), edge.kind == IdentityGraphEdgeKind::Delegates ? QStringLiteral("delegates") : QStringLiteral("calls")},
            {QStringLiteral("count"), edge.count},
            {QStringLiteral("retention"), edge.retention},
            {QStringLiteral("protocols"), stringArray(edge.protocols)}});
    }
    root.endArray();

    root.beginArray("chains");
    for (const Chain &chain : report.chains)
        root.element(chainJson(chain, report.reviewIndex));
    root.endArray();

    root.beginArray("findings");
    for (const Finding &finding : report.findings) {
        QJsonArray events;
        for (const qint64 id : finding.evidence)
            events.append(id);
        root.element(QJsonObject{
            {QStringLiteral("id"), finding.id},
            {QStringLiteral("review_key"), findingReviewKey(finding.rule, finding.subject)},
            {QStringLiteral("rule"), finding.rule},
            {QStringLiteral("severity"), severityName(finding.severity)},
            {QStringLiteral("subject"), finding.subject},
            {QStringLiteral("title"), finding.title},
            {QStringLiteral("explanation"), finding.explanation},
            {QStringLiteral("chain"), optionalText(finding.chainKey)},
            {QStringLiteral("identity"), optionalText(finding.identity)},
            {QStringLiteral("events"), events},
            {QStringLiteral("review"), currentReviewJson(report.reviewIndex.latestForFinding(finding))},
        });
    }
    root.endArray();

    QList<qint64> eventIds = report.events.keys();
    std::sort(eventIds.begin(), eventIds.end());
    root.beginArray("events");
    for (const qint64 id : eventIds) {
        const EvidenceEvent &event = report.events.value(id);
        QJsonObject object{
            {QStringLiteral("id"), event.id},
            {QStringLiteral("time"), optionalText(evidenceTimeText(event.timeMs))},
            {QStringLiteral("protocol"), event.protocol},
            {QStringLiteral("kind"), event.kind},
            {QStringLiteral("actor"), optionalText(event.actor)},
            {QStringLiteral("action"), optionalText(event.action)},
            {QStringLiteral("resource"), optionalText(event.resource)},
            {QStringLiteral("outcome"), optionalText(event.outcome)},
            {QStringLiteral("trace"), optionalText(event.traceId)},
            {QStringLiteral("source"), event.sourceFile},
            {QStringLiteral("line"), event.line},
            {QStringLiteral("raw_length"), event.rawLength},
        };
        if (!event.excerpt.isEmpty()) {
            object.insert(QStringLiteral("excerpt"), visibleBytes(event.excerpt));
            object.insert(QStringLiteral("excerpt_bytes"), event.excerpt.size());
            object.insert(QStringLiteral("bytes_not_shown"), event.rawLength - event.excerpt.size());
        } else {
            object.insert(QStringLiteral("excerpt_note"), event.excerptNote);
        }
        root.element(object);
    }
    root.endArray();

    if (report.policy) {
        root.member("policy", QJsonObject{{QStringLiteral("name"), report.policy->name},
                                                         {QStringLiteral("origin"), report.policy->origin},
                                                         {QStringLiteral("sha256"), QString::fromLatin1(report.policy->sha256)},
                                                         {QStringLiteral("text"), report.policy->text}});
    }
    if (report.simulation) {
        const EvidenceSimulation &s = *report.simulation;
        root.member("simulation", QJsonObject{
            {QStringLiteral("run"), s.runId},
            {QStringLiteral("policy"), s.policyName},
            {QStringLiteral("policy_sha256"), QString::fromLatin1(s.policySha256)},
            {QStringLiteral("policy_matches_report_text"), s.policyMatchesText},
            {QStringLiteral("baseline_policy"), optionalText(s.baselinePolicyName)},
            {QStringLiteral("baseline_policy_sha256"), optionalText(QString::fromLatin1(s.baselinePolicySha256))},
            {QStringLiteral("baseline_run"), s.baselineRunId ? QJsonValue(s.baselineRunId) : QJsonValue()},
            {QStringLiteral("started_at"), s.startedAt},
            {QStringLiteral("finished_at"), s.finishedAt},
            {QStringLiteral("requests"), s.requestCount},
            {QStringLiteral("allow"), s.allowCount},
            {QStringLiteral("deny"), s.denyCount},
            {QStringLiteral("errors"), s.errorCount},
            {QStringLiteral("decisions_in_scope"), s.decisions.size()},
            {QStringLiteral("changed_from_baseline"), s.changedCount},
            {QStringLiteral("decisions_file"), EvidenceFileNames::simulationCsv()}});
    }

    QJsonArray problems;
    for (const ReviewChainProblem &problem : report.reviewVerification.problems)
        problems.append(QJsonObject{{QStringLiteral("kind"), reviewChainProblemKindName(problem.kind)},
                                    {QStringLiteral("record"), problem.recordId},
                                    {QStringLiteral("message"), problem.message}});
    QJsonArray log;
    for (const ReviewRecord &record : report.reviewLog)
        log.append(reviewJson(record));
    QJsonArray inScope;
    for (const ReviewRecord &record : report.reviewsInScope)
        inScope.append(record.id);
    root.member("reviews", QJsonObject{
        {QStringLiteral("verification"), QJsonObject{{QStringLiteral("ok"), report.reviewVerification.ok()},
                                                     {QStringLiteral("records"), report.reviewVerification.recordCount},
                                                     {QStringLiteral("head"), QString::fromLatin1(report.reviewVerification.headHash)},
                                                     {QStringLiteral("problems"), problems}}},
        {QStringLiteral("log"), log},
        {QStringLiteral("in_scope"), inScope}});
    root.member("notes", stringArray(report.notes));

    QJsonArray bundleFiles;
    for (const BundleFileInfo &file : files)
        bundleFiles.append(QJsonObject{{QStringLiteral("name"), file.name},
                                       {QStringLiteral("sha256"), QString::fromLatin1(file.sha256)},
                                       {QStringLiteral("size"), file.size}});
    QJsonObject bundle{{QStringLiteral("files"), bundleFiles}, {QStringLiteral("report"), reportFileName},
                       {QStringLiteral("manifest"), EvidenceFileNames::manifest()}};
    if (signer)
        bundle.insert(QStringLiteral("signature"), QJsonObject{{QStringLiteral("file"), EvidenceFileNames::signature()},
                                                               {QStringLiteral("algorithm"), signer->algorithm},
                                                               {QStringLiteral("public_key_sha256"), QString::fromLatin1(signer->fingerprint)}});
    root.member("bundle", bundle);
    return root.finish();
}

} // namespace chainsight

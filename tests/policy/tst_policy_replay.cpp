#include "PolicyChecker.h"
#include "PolicyDiff.h"
#include "PolicyResources.h"
#include "PolicySimulator.h"
#include "PolicyTestWorld.h"
#include "ReplayCorpus.h"
#include "SimulationReport.h"
#include "SimulationResultModel.h"

#include "cedar/Authorizer.h"
#include "cedar/PolicyParser.h"
#include "cedar/Schema.h"

#include <QAbstractItemModelTester>
#include <QBuffer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>
#include <QXmlStreamReader>

using namespace chainsight;

Q_DECLARE_METATYPE(chainsight::ReplayFilter)

namespace {

std::shared_ptr<const cedar::PolicySet> parsePolicies(const QString &text)
{
    const QByteArray utf8 = text.toUtf8();
    auto parsed = cedar::PolicyParser::parse(std::string_view(utf8.constData(), size_t(utf8.size())));
    if (!parsed.ok())
        return nullptr;
    return std::make_shared<const cedar::PolicySet>(std::move(parsed.policySet));
}

QString field(const cedar::Value &record, const QString &path)
{
    const cedar::Value *value = &record;
    for (const QString &name : path.split(QLatin1Char('.'))) {
        value = value->field(name.toStdString());
        if (!value)
            return QStringLiteral("<absent>");
    }
    return QString::fromStdString(cedar::toCedar(*value));
}

// Decisions by event id, for readable expectations.
QHash<qint64, QString> decisionsByEvent(const SimulationResult &result)
{
    QHash<qint64, QString> out;
    for (size_t row = 0; row < result.size(); ++row)
        out.insert(result.action(row).eventId, decisionName(result.decisions[row].decision));
    return out;
}

QString allStarterPolicies()
{
    QString text;
    for (const StarterPolicy &policy : starterPolicies())
        text += policy.text + QLatin1Char('\n');
    return text;
}

} // namespace

class PolicyReplayTest final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void requestMapping();
    void contextAttributes_data();
    void contextAttributes();
    void toolArguments();
    void decisions_data();
    void decisions();
    void sameDecisionsAsTheAuthorizer_data();
    void sameDecisionsAsTheAuthorizer();
    void erringPoliciesAreReported();
    void filters_data();
    void filters();
    void cancelledRunKeepsNothing();
    void diffGroupsFlips();
    void jsonReport();
    void junitReport();
    void schemaAndLibrary();
    void checkerDiagnostics_data();
    void checkerDiagnostics();
    void vocabulary();
    void itemModels();

private:
    std::shared_ptr<const ReplayCorpus> m_corpus;
};

void PolicyReplayTest::initTestCase()
{
    m_corpus = ReplayCorpus::build(PolicyTestWorld::chains(), PolicyTestWorld::inventory(), PolicyTestWorld::toolArguments());
    QCOMPARE(m_corpus->size(), size_t(6));
    QCOMPARE(m_corpus->partitionCount(), size_t(3)); // alice, no originator, bob
}

void PolicyReplayTest::requestMapping()
{
    QStringList requests;
    for (size_t i = 0; i < m_corpus->size(); ++i) {
        const ReplayAction &a = m_corpus->action(i);
        requests.append(QStringLiteral("%1 %2 %3 %4").arg(a.eventId).arg(entityText(a.principal), entityText(a.action), entityText(a.resource)));
    }
    const QStringList expected = {
        QStringLiteral("101 Agent::\"sup\" Action::\"crm.read\" Host::\"crm.example\""),
        QStringLiteral("102 Agent::\"worker\" Action::\"crm.update\" Tool::\"crm.update\""),
        QStringLiteral("103 Agent::\"worker\" Action::\"pay.send\" Tool::\"pay.send\""),
        QStringLiteral("201 Agent::\"sup\" Action::\"crm.read\" Tool::\"crm.read\""),
        QStringLiteral("301 Shadow::\"ghost\" Action::\"crm.read\" Tool::\"crm.read\""),
        QStringLiteral("302 Agent::\"orphan\" Action::\"s3.get_object\" AwsResource::\"arn:aws:s3:us-west-2:111122223333:bucket/key\""),
    };
    QCOMPARE(requests, expected);
    // Actions are in the groups of their tool's category and sensitivity.
    const cedar::EntityStore &store = m_corpus->entities(0);
    QVERIFY(store.isIn(cedar::internUid("Action", "pay.send"), cedar::internUid("Action", "critical")));
    QVERIFY(store.isIn(cedar::internUid("Action", "pay.send"), cedar::internUid("Action", "payment")));
    QVERIFY(!store.isIn(cedar::internUid("Action", "crm.read"), cedar::internUid("Action", "critical")));
    const cedar::Entity *aws = m_corpus->entities(m_corpus->action(5).partition).find(m_corpus->action(5).resource);
    QVERIFY(aws);
    QCOMPARE(QString::fromStdString(cedar::toCedar(*aws->attrs.field("region"))), QStringLiteral("\"us-west-2\""));
}

void PolicyReplayTest::contextAttributes_data()
{
    QTest::addColumn<int>("row");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("expected");
    QTest::newRow("depth") << 1 << QStringLiteral("delegation.depth") << QStringLiteral("1");
    QTest::newRow("chain") << 1 << QStringLiteral("delegation.chain") << QStringLiteral("[\"sup\", \"worker\"]");
    QTest::newRow("root") << 1 << QStringLiteral("delegation.root") << QStringLiteral("\"sup\"");
    QTest::newRow("originator") << 1 << QStringLiteral("delegation.originator") << QStringLiteral("Human::\"alice\"");
    QTest::newRow("no originator") << 3 << QStringLiteral("delegation.originator") << QStringLiteral("<absent>");
    QTest::newRow("max depth of the root") << 1 << QStringLiteral("delegation.maxDepth") << QStringLiteral("2");
    QTest::newRow("no max depth") << 4 << QStringLiteral("delegation.maxDepth") << QStringLiteral("<absent>");
    QTest::newRow("no cycle") << 1 << QStringLiteral("delegation.cycle") << QStringLiteral("false");
    QTest::newRow("scopes granted") << 1 << QStringLiteral("scopes.granted") << QStringLiteral("[\"crm\"]");
    QTest::newRow("scopes root") << 1 << QStringLiteral("scopes.root") << QStringLiteral("[\"crm\", \"pay\"]");
    QTest::newRow("declared intent") << 2 << QStringLiteral("intent.declared") << QStringLiteral("[\"crm.read\", \"crm.update\"]");
    QTest::newRow("drift") << 2 << QStringLiteral("intent.match") << QStringLiteral("false");
    QTest::newRow("inside intent") << 1 << QStringLiteral("intent.match") << QStringLiteral("true");
    QTest::newRow("shadow declares nothing") << 4 << QStringLiteral("intent.declared") << QStringLiteral("[]");
    QTest::newRow("chain intent") << 1 << QStringLiteral("intent.withinChain") << QStringLiteral("true");
    QTest::newRow("protocol") << 5 << QStringLiteral("protocol") << QStringLiteral("\"aws\"");
    QTest::newRow("operation") << 5 << QStringLiteral("operation") << QStringLiteral("\"s3:GetObject\"");
    QTest::newRow("credential") << 5 << QStringLiteral("credential.type") << QStringLiteral("\"aws-role-session\"");
    QTest::newRow("token failed") << 1 << QStringLiteral("token.verified") << QStringLiteral("false");
    QTest::newRow("token checked") << 1 << QStringLiteral("token.checked") << QStringLiteral("true");
    QTest::newRow("token not checked") << 0 << QStringLiteral("token.checked") << QStringLiteral("false");
    QTest::newRow("approval") << 0 << QStringLiteral("approval.human") << QStringLiteral("true");
    QTest::newRow("no approval") << 3 << QStringLiteral("approval.human") << QStringLiteral("false");
    QTest::newRow("time") << 0 << QStringLiteral("time") << QStringLiteral("datetime(\"1970-01-01\").offset(duration(\"1772438400000ms\"))");
    QTest::newRow("no input") << 0 << QStringLiteral("input") << QStringLiteral("<absent>");
}

void PolicyReplayTest::contextAttributes()
{
    QFETCH(int, row);
    QFETCH(QString, path);
    QFETCH(QString, expected);
    QCOMPARE(field(m_corpus->context(size_t(row)), path), expected);
}

void PolicyReplayTest::toolArguments()
{
    const cedar::Value context = m_corpus->context(2);
    QCOMPARE(field(context, QStringLiteral("input.amount")), QStringLiteral("1200"));
    QCOMPARE(field(context, QStringLiteral("input.to")), QStringLiteral("\"acct-9\""));
    QCOMPARE(field(context, QStringLiteral("input.memo")), QStringLiteral("<absent>")); // null has no Cedar value
    QCOMPARE(field(context, QStringLiteral("input.rate")), QStringLiteral("decimal(\"0.25\")"));
    QVERIFY(field(context, QStringLiteral("inputText")).contains(QStringLiteral("acct-9")));
    const auto policies = parsePolicies(QStringLiteral(
        "permit (principal, action, resource);\n"
        "@id(\"big-payment\") forbid (principal, action, resource) when { context has input && context.input.amount > 1000 };"));
    QVERIFY(policies);
    const SimulationResult result = PolicySimulator::run(m_corpus, policies);
    QCOMPARE(decisionsByEvent(result).value(103), QStringLiteral("deny"));
    QCOMPARE(result.reasons(2), QStringList{QStringLiteral("big-payment")});
    QCOMPARE(result.denyCount, qint64(1));
}

void PolicyReplayTest::decisions_data()
{
    QTest::addColumn<QString>("policies");
    QTest::addColumn<QString>("denied"); // event ids, sorted
    const QString permit = QStringLiteral("permit (principal, action, resource);\n");
    QTest::newRow("acting for alice")
        << QStringLiteral("permit (principal in Human::\"alice\", action, resource);") << QStringLiteral("201 301 302");
    QTest::newRow("acting for bob, through the worker")
        << QStringLiteral("permit (principal in Human::\"bob\", action, resource);") << QStringLiteral("101 102 103 201");
    QTest::newRow("delegated by sup")
        << QStringLiteral("permit (principal in Agent::\"sup\", action, resource);") << QStringLiteral("301 302");
    QTest::newRow("critical group") << permit + QStringLiteral("forbid (principal, action in Action::\"critical\", resource);")
                                    << QStringLiteral("103");
    QTest::newRow("write group") << permit + QStringLiteral("forbid (principal, action in Action::\"write\", resource);")
                                 << QStringLiteral("102");
    QTest::newRow("intent") << permit + QStringLiteral("forbid (principal, action, resource) unless { context.intent.match };")
                            << QStringLiteral("103 301");
    QTest::newRow("originator") << permit + QStringLiteral("forbid (principal, action, resource) unless { context.delegation has originator };")
                                << QStringLiteral("201");
    QTest::newRow("shadow") << permit + QStringLiteral("forbid (principal is Shadow, action, resource);") << QStringLiteral("301");
    QTest::newRow("orphan") << permit + QStringLiteral("forbid (principal is Agent, action, resource) unless { principal has owner };")
                            << QStringLiteral("302");
    QTest::newRow("token") << permit + QStringLiteral("forbid (principal, action, resource) when { context.token.checked && !context.token.verified };")
                           << QStringLiteral("102");
    QTest::newRow("scopes beyond the root grant")
        << permit + QStringLiteral("forbid (principal, action, resource) when { !context.scopes.root.isEmpty() && !context.scopes.root.containsAll(context.scopes.granted) };")
        << QStringLiteral("103");
    QTest::newRow("aws resources outside us-east-1")
        << permit + QStringLiteral("forbid (principal, action, resource is AwsResource) when { resource.region != \"us-east-1\" };")
        << QStringLiteral("302");
    QTest::newRow("time window")
        << permit + QStringLiteral("forbid (principal, action, resource) when { context.time >= datetime(\"2026-03-02T09:00:00Z\") };")
        << QStringLiteral("201 301 302");
    QTest::newRow("default deny") << QStringLiteral("permit (principal, action == Action::\"crm.read\", resource);")
                                  << QStringLiteral("102 103 302");
}

void PolicyReplayTest::decisions()
{
    QFETCH(QString, policies);
    QFETCH(QString, denied);
    const auto set = parsePolicies(policies);
    QVERIFY(set);
    for (int threads : {1, 2}) {
        SimulationOptions options;
        options.threads = threads;
        const SimulationResult result = PolicySimulator::run(m_corpus, set, options);
        QStringList ids;
        for (size_t row = 0; row < result.size(); ++row) {
            if (result.decisions[row].decision == PolicyDecision::Deny)
                ids.append(QString::number(result.action(row).eventId));
        }
        QCOMPARE(ids.join(QLatin1Char(' ')), denied);
        QCOMPARE(result.allowCount + result.denyCount, qint64(m_corpus->size()));
    }
}

void PolicyReplayTest::sameDecisionsAsTheAuthorizer_data()
{
    QTest::addColumn<QString>("policies");
    QTest::newRow("starter library") << allStarterPolicies();
    QTest::newRow("erring and overlapping")
        << QStringLiteral("permit (principal, action, resource);\n"
                          "permit (principal is Agent, action, resource) when { principal.role == \"worker\" };\n"
                          "forbid (principal, action, resource) when { principal.owner.department == \"Finance\" };\n"
                          "forbid (principal, action, resource) when { context.input.amount > 5 };\n"
                          "permit (principal, action in Action::\"read\", resource) when { resource.name like \"crm*\" };");
}

void PolicyReplayTest::sameDecisionsAsTheAuthorizer()
{
    QFETCH(QString, policies);
    const auto set = parsePolicies(policies);
    QVERIFY(set);
    for (int threads : {1, 2}) {
        SimulationOptions options;
        options.threads = threads;
        const SimulationResult result = PolicySimulator::run(m_corpus, set, options);
        QCOMPARE(result.size(), m_corpus->size());
        for (size_t row = 0; row < result.size(); ++row) {
            const size_t index = result.rows[row];
            const cedar::Authorizer authorizer(*set, m_corpus->entities(m_corpus->action(index).partition));
            const cedar::Response expected = authorizer.isAuthorized(m_corpus->request(index));
            QCOMPARE(result.decisions[row].decision == PolicyDecision::Allow, expected.decision == cedar::Decision::Allow);
            QStringList reasons;
            for (const auto &reason : expected.reasons)
                reasons.append(QString::fromStdString(reason));
            QCOMPARE(result.reasons(row), reasons);
            QStringList errors;
            for (const auto &error : expected.errors)
                errors.append(QString::fromStdString(error.policyId + ": " + error.message));
            QStringList replayed;
            for (const ReplayError *error : result.rowErrors(row))
                replayed.append(result.policyIds[error->policy] + QStringLiteral(": ") + QString::fromStdString(error->message));
            QCOMPARE(replayed, errors);
        }
    }
}

void PolicyReplayTest::erringPoliciesAreReported()
{
    const auto set = parsePolicies(QStringLiteral("@id(\"all\") permit (principal, action, resource);\n"
                                                  "@id(\"needs-input\") forbid (principal, action, resource) when { context.input.amount > 5000 };"));
    QVERIFY(set);
    const SimulationResult result = PolicySimulator::run(m_corpus, set);
    // Every action without arguments errs on the forbid, which Cedar then skips: all are allowed.
    QCOMPARE(result.allowCount, qint64(m_corpus->size()));
    QCOMPARE(result.erroredCount, qint64(m_corpus->size() - 1));
    const auto errors = result.rowErrors(0);
    QCOMPARE(errors.size(), 1);
    QCOMPARE(result.policyIds[errors.front()->policy], QStringLiteral("needs-input"));
    QVERIFY(!errors.front()->message.empty());
    QCOMPARE(result.deniedRowsByPolicy()[1].size(), m_corpus->size() - 1);
}

void PolicyReplayTest::filters_data()
{
    QTest::addColumn<ReplayFilter>("filter");
    QTest::addColumn<QString>("events");
    QTest::newRow("all") << ReplayFilter{} << QStringLiteral("101 102 103 201 301 302");
    ReplayFilter from;
    from.fromMs = PolicyTestWorld::start + PolicyTestWorld::hour;
    QTest::newRow("from") << from << QStringLiteral("201 301 302");
    ReplayFilter range = from;
    range.toMs = PolicyTestWorld::start + 2 * PolicyTestWorld::hour;
    QTest::newRow("range, inclusive") << range << QStringLiteral("201 301");
    ReplayFilter chain;
    chain.chainKey = QStringLiteral("t3");
    QTest::newRow("chain") << chain << QStringLiteral("301 302");
    ReplayFilter identity;
    identity.identity = QStringLiteral("worker");
    QTest::newRow("identity on the path") << identity << QStringLiteral("102 103 301");
    ReplayFilter originator;
    originator.identity = QStringLiteral("alice");
    QTest::newRow("originator") << originator << QStringLiteral("101 102 103");
}

void PolicyReplayTest::filters()
{
    QFETCH(ReplayFilter, filter);
    QFETCH(QString, events);
    SimulationOptions options;
    options.filter = filter;
    const SimulationResult result = PolicySimulator::run(m_corpus, parsePolicies(QStringLiteral("permit (principal, action, resource);")), options);
    QStringList ids;
    for (size_t row = 0; row < result.size(); ++row)
        ids.append(QString::number(result.action(row).eventId));
    QCOMPARE(ids.join(QLatin1Char(' ')), events);
    const ReplayFilter back = ReplayFilter::fromJson(filter.toJson());
    QCOMPARE(back.fromMs, filter.fromMs);
    QCOMPARE(back.toMs, filter.toMs);
    QCOMPARE(back.identity, filter.identity);
    QCOMPARE(back.chainKey, filter.chainKey);
}

void PolicyReplayTest::cancelledRunKeepsNothing()
{
    const std::atomic_bool cancel{true};
    const SimulationResult result =
        PolicySimulator::run(m_corpus, parsePolicies(QStringLiteral("permit (principal, action, resource);")), {}, {}, &cancel);
    QVERIFY(result.cancelled);
    QCOMPARE(result.allowCount + result.denyCount, 0);
}

void PolicyReplayTest::diffGroupsFlips()
{
    const auto baseline = parsePolicies(QStringLiteral("@id(\"all\") permit (principal, action, resource);\n"
                                                       "@id(\"no-shadow\") forbid (principal is Shadow, action, resource);"));
    const auto candidate = parsePolicies(QStringLiteral(
        "@id(\"all\") permit (principal, action, resource);\n"
        "@id(\"intent\") forbid (principal, action, resource) unless { context.intent.match };\n"
        "@id(\"originator\") forbid (principal, action, resource) unless { context.delegation has originator };"));
    const SimulationResult before = PolicySimulator::run(m_corpus, baseline);
    const SimulationResult after = PolicySimulator::run(m_corpus, candidate);
    const PolicyDiff diff = PolicyDiff::compare(before, after);
    QCOMPARE(diff.compared, qint64(m_corpus->size()));
    // 103 (drift) and 201 (no originator) become denied; 301 (shadow) stays denied, now by the intent policy.
    QCOMPARE(diff.flips.size(), size_t(2));
    QCOMPARE(diff.allowToDeny, qint64(2));
    QCOMPARE(diff.denyToAllow, qint64(0));
    QCOMPARE(diff.byPolicy.size(), 2);
    QCOMPARE(diff.byChain.size(), 2);
    QCOMPARE(diff.flips[0].responsible, QStringList{QStringLiteral("intent")});
    QCOMPARE(diff.flips[1].responsible, QStringList{QStringLiteral("originator")});

    // The other way round: the flips are deny -> allow and the removed forbids are responsible.
    const PolicyDiff back = PolicyDiff::compare(after, before);
    QCOMPARE(back.denyToAllow, qint64(2));
    QCOMPARE(back.flips[0].responsible, QStringList{QStringLiteral("intent")});
}

void PolicyReplayTest::jsonReport()
{
    const auto policies = parsePolicies(QStringLiteral("@id(\"all\") permit (principal, action, resource);\n"
                                                       "@id(\"no-shadow\") forbid (principal is Shadow, action, resource);"));
    const SimulationResult result = PolicySimulator::run(m_corpus, policies);
    const SimulationResult baseline = PolicySimulator::run(m_corpus, parsePolicies(QStringLiteral("permit (principal, action, resource);")));
    const PolicyDiff diff = PolicyDiff::compare(baseline, result);
    QBuffer buffer;
    QVERIFY(buffer.open(QIODevice::WriteOnly));
    SimulationSource source;
    source.policyFile = QStringLiteral("p.cedar");
    QVERIFY(writeSimulationJson(buffer, source, result, &baseline, &diff));
    QJsonParseError error;
    const QJsonObject json = QJsonDocument::fromJson(buffer.data(), &error).object();
    QCOMPARE(error.error, QJsonParseError::NoError);
    const QJsonObject summary = json.value(QStringLiteral("summary")).toObject();
    QCOMPARE(summary.value(QStringLiteral("actions")).toInt(), 6);
    QCOMPARE(summary.value(QStringLiteral("deny")).toInt(), 1);
    QCOMPARE(summary.value(QStringLiteral("flips")).toInt(), 1);
    const QJsonArray results = json.value(QStringLiteral("results")).toArray();
    QCOMPARE(results.size(), 6);
    const QJsonObject shadow = results.at(4).toObject();
    QCOMPARE(shadow.value(QStringLiteral("event")).toInteger(), 301);
    QCOMPARE(shadow.value(QStringLiteral("principal")).toString(), QStringLiteral("Shadow::\"ghost\""));
    QCOMPARE(shadow.value(QStringLiteral("action")).toString(), QStringLiteral("Action::\"crm.read\""));
    QCOMPARE(shadow.value(QStringLiteral("resource")).toString(), QStringLiteral("Tool::\"crm.read\""));
    QCOMPARE(shadow.value(QStringLiteral("decision")).toString(), QStringLiteral("deny"));
    QCOMPARE(shadow.value(QStringLiteral("baseline")).toString(), QStringLiteral("allow"));
    QCOMPARE(shadow.value(QStringLiteral("reasons")).toArray(), QJsonArray{QStringLiteral("no-shadow")});
    QCOMPARE(shadow.value(QStringLiteral("errors")).toArray(), QJsonArray{});
    QCOMPARE(shadow.value(QStringLiteral("chain")).toString(), QStringLiteral("t3"));
    QCOMPARE(shadow.value(QStringLiteral("time")).toString(), QStringLiteral("2026-03-02T10:00:00.000Z"));
    for (const char *key : {"event", "time", "principal", "action", "resource", "decision", "reasons", "errors", "chain"})
        QVERIFY2(results.at(0).toObject().contains(QLatin1String(key)), key);
}

void PolicyReplayTest::junitReport()
{
    const auto policies = parsePolicies(QStringLiteral("@id(\"reads\") permit (principal, action in Action::\"read\", resource);\n"
                                                       "@id(\"no-shadow\") forbid (principal is Shadow, action, resource);\n"
                                                       "@id(\"quiet\") forbid (principal, action, resource) when { false };"));
    const SimulationResult result = PolicySimulator::run(m_corpus, policies);
    QBuffer buffer;
    QVERIFY(buffer.open(QIODevice::WriteOnly));
    SimulationSource source;
    source.policyFile = QStringLiteral("p.cedar");
    QVERIFY(writeSimulationJUnit(buffer, source, result, nullptr, 1));
    QXmlStreamReader xml(buffer.data());
    QStringList cases;
    QHash<QString, QString> failures;
    QString current;
    while (!xml.atEnd()) {
        xml.readNext();
        if (xml.isStartElement() && xml.name() == QLatin1String("testcase")) {
            current = xml.attributes().value(QLatin1String("name")).toString();
            cases.append(current);
        } else if (xml.isStartElement() && xml.name() == QLatin1String("failure")) {
            failures.insert(current, xml.readElementText());
        }
    }
    QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
    QCOMPARE(cases, (QStringList{QStringLiteral("reads"), QStringLiteral("no-shadow"), QStringLiteral("quiet"), QStringLiteral("default-deny")}));
    QCOMPARE(failures.size(), 2);
    QVERIFY(failures.value(QStringLiteral("no-shadow")).contains(QStringLiteral("Shadow::\"ghost\"")));
    // listLimit 1: the three default denials show one and a count of the rest.
    QVERIFY(failures.value(QStringLiteral("default-deny")).contains(QStringLiteral("and 2 more")));
}

void PolicyReplayTest::schemaAndLibrary()
{
    std::vector<cedar::Diagnostic> diagnostics;
    QVERIFY(cedar::Schema::parse(shippedPolicySchema().toStdString(), diagnostics));
    QVERIFY(diagnostics.empty());
    const QString workspaceSchema = workspacePolicySchema(m_corpus.get());
    QVERIFY(workspaceSchema.contains(QStringLiteral("action \"pay.send\" in [\"payment\", \"critical\"]")));
    QVERIFY(workspaceSchema.contains(QStringLiteral("action \"s3.get_object\"\n")));
    const PolicyChecker checker(workspaceSchema, m_corpus);
    QVERIFY(checker.hasSchema());
    QVERIFY(checker.schemaDiagnostics().isEmpty());

    const QList<StarterPolicy> library = starterPolicies();
    QVERIFY(library.size() >= 10);
    QStringList rules;
    for (const StarterPolicy &policy : library) {
        QVERIFY2(!policy.id.isEmpty() && !policy.title.isEmpty(), qPrintable(policy.fileName));
        const auto problems = checker.check(policy.text);
        QVERIFY2(problems.isEmpty(), qPrintable(policy.fileName + QStringLiteral(": ") +
                                                (problems.isEmpty() ? QString() : problems.front().message)));
        if (!policy.rule.isEmpty())
            rules.append(policy.rule);
    }
    for (const char *rule : {"intent-drift", "lost-originator", "deep-delegation", "shadow-agent", "orphan-agent",
                             "unverified-token", "delegation-cycle", "scope-widening", "sensitive-without-approval"})
        QVERIFY2(rules.contains(QLatin1String(rule)), rule);
    QVERIFY(findStarterPolicy(library, QStringLiteral("forbid-outside-intent")));
}

void PolicyReplayTest::checkerDiagnostics_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("expected"); // "line:column:length:severity:message part", or empty for none
    QTest::newRow("clean") << QStringLiteral("forbid (principal, action in Action::\"high\", resource)\nwhen { context.delegation.depth > 2 };")
                           << QString();
    QTest::newRow("syntax") << QStringLiteral("permit (principal, action, resource)\nwhen { context.delegation.depth >> 2 };")
                            << QStringLiteral("2:");
    QTest::newRow("nested attribute")
        << QStringLiteral("permit (principal, action, resource)\nwhen { context.delegation.dpth > 2 };")
        << QStringLiteral("2:8:23:warning:`context.delegation` has no attribute `dpth`");
    QTest::newRow("never has") << QStringLiteral("permit (principal, action, resource) when { context.scopes has rooot };")
                               << QStringLiteral("1:45:24:warning:`context.scopes` never has `rooot`");
    QTest::newRow("top-level attribute") << QStringLiteral("permit (principal, action, resource) when { context.depth > 2 };")
                                         << QStringLiteral("1:45:");
    QTest::newRow("unknown agent") << QStringLiteral("permit (principal == Agent::\"nobody\", action, resource);")
                                   << QStringLiteral("1:9:28:warning:Agent::\"nobody\" does not occur in this workspace");
    QTest::newRow("known agent") << QStringLiteral("permit (principal in Agent::\"sup\", action, resource);") << QString();
    QTest::newRow("input is open") << QStringLiteral("permit (principal, action, resource) when { context.input.anything == 1 };")
                                   << QString();
    QTest::newRow("non-ASCII before the problem")
        << QStringLiteral("// é 𝄞\npermit (principal, action, resource) when { context.delegation.dpth };")
        << QStringLiteral("2:45:23:warning:");
}

void PolicyReplayTest::checkerDiagnostics()
{
    QFETCH(QString, text);
    QFETCH(QString, expected);
    const PolicyChecker checker(workspacePolicySchema(m_corpus.get()), m_corpus);
    const QList<PolicyDiagnostic> diagnostics = checker.check(text);
    if (expected.isEmpty()) {
        QVERIFY2(diagnostics.isEmpty(), qPrintable(diagnostics.isEmpty() ? QString() : diagnostics.front().message));
        return;
    }
    QVERIFY(!diagnostics.isEmpty());
    const PolicyDiagnostic &d = diagnostics.front();
    const QString actual = QStringLiteral("%1:%2:%3:%4:%5")
                               .arg(d.line)
                               .arg(d.column)
                               .arg(d.length)
                               .arg(d.severity == PolicyDiagnostic::Severity::Error ? QStringLiteral("error") : QStringLiteral("warning"),
                                    d.message);
    const QStringList parts = expected.split(QLatin1Char(':'));
    QVERIFY2(actual.startsWith(parts.mid(0, std::min<qsizetype>(parts.size(), 4)).join(QLatin1Char(':'))), qPrintable(actual));
    if (parts.size() > 4)
        QVERIFY2(d.message.contains(parts.mid(4).join(QLatin1Char(':'))), qPrintable(actual));
    // The underline covers text that exists.
    QVERIFY(d.position >= 0 && d.position + d.length <= text.size());
}

void PolicyReplayTest::vocabulary()
{
    const PolicyChecker checker(workspacePolicySchema(m_corpus.get()), m_corpus);
    const PolicyVocabulary &words = checker.vocabulary();
    QVERIFY(words.entityTypes.contains(QStringLiteral("Agent")));
    QVERIFY(words.entityTypes.contains(QStringLiteral("Shadow")));
    QVERIFY(words.actions.contains(QStringLiteral("Action::\"pay.send\"")));
    QVERIFY(words.actions.contains(QStringLiteral("Action::\"critical\"")));
    QVERIFY(words.contextPaths.contains(QStringLiteral("context.delegation.depth")));
    QVERIFY(words.contextPaths.contains(QStringLiteral("context.intent.match")));
    QVERIFY(words.entities.contains(QStringLiteral("Human::\"alice\"")));
    QVERIFY(words.entities.contains(QStringLiteral("Shadow::\"ghost\"")));
    QVERIFY(words.attributesOf.value(QStringLiteral("Agent")).contains(QStringLiteral("maxDelegationDepth")));
    QVERIFY(words.words().contains(QStringLiteral("forbid")));
}

void PolicyReplayTest::itemModels()
{
    const auto policies = parsePolicies(QStringLiteral("@id(\"all\") permit (principal, action, resource);\n"
                                                       "@id(\"intent\") forbid (principal, action, resource) unless { context.intent.match };"));
    auto result = std::make_shared<const SimulationResult>(PolicySimulator::run(m_corpus, policies));
    auto baseline = std::make_shared<const SimulationResult>(
        PolicySimulator::run(m_corpus, parsePolicies(QStringLiteral("permit (principal, action, resource);"))));
    SimulationResultModel model;
    QAbstractItemModelTester modelTester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setResult(result, baseline);
    QCOMPARE(model.rowCount(), 6);
    QCOMPARE(model.index(2, SimulationResultModel::Decision).data().toString(), QStringLiteral("deny"));
    QCOMPARE(model.index(2, SimulationResultModel::Baseline).data().toString(), QStringLiteral("allow"));
    QCOMPARE(model.index(2, SimulationResultModel::Reasons).data().toString(), QStringLiteral("intent"));
    QCOMPARE(model.index(2, SimulationResultModel::Principal).data().toString(), QStringLiteral("Agent::\"worker\""));
    QVERIFY(model.index(2, 0).data(SimulationResultModel::FlippedRole).toBool());

    SimulationFilterProxy proxy;
    QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    proxy.setSourceModel(&model);
    proxy.setDecisionFilter(SimulationFilterProxy::DecisionFilter::Deny);
    QCOMPARE(proxy.rowCount(), 2);
    proxy.setSearchText(QStringLiteral("ghost"));
    QCOMPARE(proxy.rowCount(), 1);
    proxy.setSearchText({});
    proxy.setDecisionFilter(SimulationFilterProxy::DecisionFilter::All);
    proxy.setFlipsOnly(true);
    QCOMPARE(proxy.rowCount(), 2);
    proxy.setFlipsOnly(false);
    proxy.setPolicy(QStringLiteral("all"));
    QCOMPARE(proxy.rowCount(), 4);
    proxy.setPolicy({});
    proxy.setTimeRange(PolicyTestWorld::start + PolicyTestWorld::hour, std::nullopt);
    QCOMPARE(proxy.rowCount(), 3);
    proxy.setTimeRange(std::nullopt, std::nullopt);
    proxy.sort(SimulationResultModel::Time, Qt::DescendingOrder);
    QCOMPARE(proxy.index(0, SimulationResultModel::Event).data().toLongLong(), 302);
    proxy.sort(SimulationResultModel::Principal, Qt::AscendingOrder);
    QCOMPARE(proxy.index(0, SimulationResultModel::Principal).data().toString(), QStringLiteral("Agent::\"orphan\""));

    auto diff = std::make_shared<const PolicyDiff>(PolicyDiff::compare(*baseline, *result));
    PolicyDiffModel diffModel;
    QAbstractItemModelTester diffTester(&diffModel, QAbstractItemModelTester::FailureReportingMode::QtTest);
    diffModel.setDiff(diff, result);
    QCOMPARE(diffModel.rowCount(), 1);
    QCOMPARE(diffModel.index(0, PolicyDiffModel::Name).data().toString(), QStringLiteral("intent"));
    QCOMPARE(diffModel.index(0, PolicyDiffModel::Flips).data().toLongLong(), 2);
    const QModelIndex group = diffModel.index(0, 0);
    QCOMPARE(diffModel.rowCount(group), 2);
    QVERIFY(diffModel.index(0, 0, group).data().toString().contains(QStringLiteral("allow → deny")));
    diffModel.setGrouping(PolicyDiffModel::Grouping::ByChain);
    QCOMPARE(diffModel.rowCount(), 2); // t1 and t3
}

QTEST_GUILESS_MAIN(PolicyReplayTest)
#include "tst_policy_replay.moc"

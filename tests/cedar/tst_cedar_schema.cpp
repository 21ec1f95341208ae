// The human schema format: declarations, schema-typed JSON values, and policy checks against a schema.
#include "cedar/EntityStore.h"
#include "cedar/PolicyParser.h"
#include "cedar/Schema.h"
#include "cedar/SchemaCheck.h"
#include "cedar/ValueJson.h"

#include <QtTest>

using namespace chainsight::cedar;

namespace {

const char *const kSchema = R"(
// Agents act for humans.
namespace Corp {
  type Net = { ip: ipaddr, score?: decimal };
  @doc("a person")
  entity Human = { name: String };
  entity Agent in [Human] = { owner: Human, net: Net, tags: Set<String> } tags String;
  entity Tool enum ["search", "mail"];
  action "use" appliesTo { principal: [Agent], resource: [Tool], context: { depth: Long, when: datetime } };
  action send in ["use"] appliesTo { principal: Agent, resource: Tool, context: {} };
}
entity Plain;
)";

} // namespace

class TestCedarSchema final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parsesDeclarations();
    void rejects_data();
    void rejects();
    void schemaTypedJson();
    void policyWarnings_data();
    void policyWarnings();
};

void TestCedarSchema::parsesDeclarations()
{
    std::vector<Diagnostic> diags;
    auto schema = Schema::parse(kSchema, diags);
    QVERIFY(schema.has_value());
    QVERIFY(schema->entityType("Corp::Agent"));
    QCOMPARE(schema->entityType("Corp::Agent")->memberOf.front(), std::string("Corp::Human"));
    QVERIFY(schema->entityType("Corp::Agent")->tags);
    QCOMPARE(schema->entityType("Corp::Tool")->enumIds.size(), size_t(2));
    QVERIFY(schema->entityType("Plain"));
    const SchemaAction *send = schema->action(internUid("Corp::Action", "send"));
    QVERIFY(send);
    QCOMPARE(send->memberOf.front(), internUid("Corp::Action", "use"));
    const auto net = schema->resolve(schema->entityType("Corp::Agent")->shape->attributes.at("net").type);
    QVERIFY(net && net->kind == SchemaTypeKind::Record);
    QVERIFY(!net->attributes.at("score").required);
}

void TestCedarSchema::rejects_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("line");
    QTest::addColumn<int>("column");
    QTest::newRow("missing semicolon") << QStringLiteral("entity A\nentity B;") << 2 << 1;
    QTest::newRow("bad keyword") << QStringLiteral("entity A;\nentiti B;") << 2 << 1;
    QTest::newRow("unclosed namespace") << QStringLiteral("namespace N {\n entity A;\n") << 3 << 1;
    QTest::newRow("duplicate") << QStringLiteral("entity A;\nentity A;") << 2 << 1;
    QTest::newRow("bad appliesTo") << QStringLiteral("action a appliesTo { actor: [A] };") << 1 << 22;
}

void TestCedarSchema::rejects()
{
    QFETCH(QString, text);
    QFETCH(int, line);
    QFETCH(int, column);
    std::vector<Diagnostic> diags;
    QVERIFY(!Schema::parse(text.toStdString(), diags).has_value());
    QCOMPARE(static_cast<int>(diags.front().location.line), line);
    QCOMPARE(static_cast<int>(diags.front().location.column), column);
}

void TestCedarSchema::schemaTypedJson()
{
    std::vector<Diagnostic> diags;
    auto schema = Schema::parse(kSchema, diags);
    QVERIFY(schema.has_value());
    const auto json = nlohmann::json::parse(R"([
        {"uid": {"type": "Corp::Human", "id": "h"}, "attrs": {"name": "Hana"}, "parents": []},
        {"uid": {"type": "Corp::Agent", "id": "a"},
         "attrs": {"owner": {"type": "Corp::Human", "id": "h"}, "net": {"ip": "10.0.0.1", "score": "0.75"}, "tags": ["x"]},
         "parents": [{"type": "Corp::Human", "id": "h"}], "tags": {"team": "blue"}}])");
    EntityStore store;
    std::string error;
    QVERIFY2(EntityStore::fromJson(json, &*schema, store, error), error.c_str());
    const Entity *agent = store.find(internUid("Corp::Agent", "a"));
    QVERIFY(agent);
    QCOMPARE(agent->attrs.field("owner")->kind(), ValueKind::Entity);
    QVERIFY(agent->attrs.field("net")->field("ip")->isExtension(ExtensionKind::IpAddr));
    QVERIFY(agent->attrs.field("net")->field("score")->isExtension(ExtensionKind::Decimal));
    // Schema actions and their groups join the store.
    QVERIFY(store.isIn(internUid("Corp::Action", "send"), internUid("Corp::Action", "use")));

    const auto bad = nlohmann::json::parse(R"([{"uid": {"type": "Corp::Agent", "id": "b"},
        "attrs": {"net": {"ip": "not an ip"}}, "parents": []}])");
    EntityStore badStore;
    QVERIFY(!EntityStore::fromJson(bad, &*schema, badStore, error));
    QVERIFY(QString::fromStdString(error).contains(QStringLiteral("ipaddr")));
}

void TestCedarSchema::policyWarnings_data()
{
    QTest::addColumn<QString>("policy");
    QTest::addColumn<QString>("warning"); // empty: no warning expected
    QTest::newRow("clean") << QStringLiteral(
        "permit(principal is Corp::Agent, action == Corp::Action::\"use\", resource) when { principal.owner.name == \"x\" && context.depth < 3 };")
                           << QString();
    QTest::newRow("unknown type") << QStringLiteral("permit(principal is Corp::Robot, action, resource);")
                                  << QStringLiteral("entity type `Corp::Robot` is not declared");
    QTest::newRow("unknown action") << QStringLiteral("permit(principal, action == Corp::Action::\"fly\", resource);")
                                    << QStringLiteral("action Corp::Action::\"fly\" is not declared");
    QTest::newRow("unknown attribute") << QStringLiteral(
        "permit(principal is Corp::Agent, action, resource) when { principal.salary > 1 };")
                                       << QStringLiteral("has no attribute `salary`");
    QTest::newRow("context via group") << QStringLiteral(
        "permit(principal, action in Corp::Action::\"use\", resource) when { context.nope };")
                                       << QStringLiteral("`context.nope` is not in the context");
}

void TestCedarSchema::policyWarnings()
{
    QFETCH(QString, policy);
    QFETCH(QString, warning);
    std::vector<Diagnostic> diags;
    auto schema = Schema::parse(kSchema, diags);
    QVERIFY(schema.has_value());
    const auto parsed = PolicyParser::parse(policy.toStdString());
    QVERIFY(parsed.ok());
    const auto warnings = checkPoliciesAgainstSchema(parsed.policySet, *schema);
    if (warning.isEmpty()) {
        QVERIFY2(warnings.empty(), warnings.empty() ? "" : warnings.front().message.c_str());
        return;
    }
    QVERIFY(!warnings.empty());
    QVERIFY2(QString::fromStdString(warnings.front().message).contains(warning), warnings.front().message.c_str());
    QCOMPARE(warnings.front().severity, Severity::Warning);
}

QTEST_GUILESS_MAIN(TestCedarSchema)
#include "tst_cedar_schema.moc"

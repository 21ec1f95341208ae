// Why-not explanations name the clause and sub-expression; formatting round-trips through the parser.
#include "cedar/Explanation.h"
#include "cedar/PolicyFormatter.h"
#include "cedar/PolicyParser.h"
#include "cedar/PolicyUsage.h"
#include "cedar/ValueJson.h"

#include <QtTest>

using namespace chainsight::cedar;

class TestCedarExplanation final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void whyNot_data();
    void whyNot();
    void formatRoundTrip_data();
    void formatRoundTrip();
    void usageOverRequests();

private:
    EntityStore m_store;
    Request m_request;
};

void TestCedarExplanation::initTestCase()
{
    std::string error;
    const auto entities = nlohmann::json::parse(R"([
        {"uid": {"type": "Agent", "id": "a1"}, "attrs": {"depth": 4}, "parents": [{"type": "Human", "id": "h"}]},
        {"uid": {"type": "Human", "id": "h"}, "attrs": {}, "parents": []}])");
    QVERIFY(EntityStore::fromJson(entities, nullptr, m_store, error));
    m_request.principal = internUid("Agent", "a1");
    m_request.action = internUid("Action", "tool");
    m_request.resource = internUid("Tool", "t");
    QVERIFY(valueFromJson(nlohmann::json::parse(R"({"scopes": ["read"], "approved": false})"), nullptr, nullptr,
                          m_request.context, error));
}

void TestCedarExplanation::whyNot_data()
{
    QTest::addColumn<QString>("policy");
    QTest::addColumn<QString>("outcome");
    QTest::addColumn<QString>("clause");
    QTest::addColumn<QString>("expression");
    QTest::addColumn<QString>("value");
    QTest::newRow("principal scope") << QStringLiteral("permit(principal == Agent::\"other\", action, resource);")
                                     << QStringLiteral("not-applicable") << QStringLiteral("principal")
                                     << QStringLiteral("principal == Agent::\"other\"") << QStringLiteral("Agent::\"a1\"");
    QTest::newRow("and picks failing side") << QStringLiteral(
        "permit(principal in Human::\"h\", action, resource) when { context.scopes.contains(\"read\") && principal.depth <= 3 };")
                                            << QStringLiteral("not-applicable") << QStringLiteral("when")
                                            << QStringLiteral("principal.depth <= 3") << QStringLiteral("4");
    QTest::newRow("unless true") << QStringLiteral(
        "permit(principal, action, resource) unless { !context.approved };")
                                 << QStringLiteral("not-applicable") << QStringLiteral("unless")
                                 << QStringLiteral("context.approved") << QStringLiteral("false");
    QTest::newRow("error") << QStringLiteral("permit(principal, action, resource) when { resource.owner == principal };")
                           << QStringLiteral("error") << QStringLiteral("when") << QStringLiteral("resource.owner")
                           << QStringLiteral("Tool::\"t\"");
    QTest::newRow("applied") << QStringLiteral("forbid(principal, action, resource);") << QStringLiteral("applied")
                             << QString() << QString() << QString();
}

void TestCedarExplanation::whyNot()
{
    QFETCH(QString, policy);
    QFETCH(QString, outcome);
    QFETCH(QString, clause);
    QFETCH(QString, expression);
    QFETCH(QString, value);
    const auto parsed = PolicyParser::parse(policy.toStdString());
    QVERIFY(parsed.ok());
    Authorizer az(parsed.policySet, m_store);
    const auto xs = explainRequest(az, m_request);
    QCOMPARE(xs.size(), size_t(1));
    const auto j = explanationToJson(xs.front());
    QCOMPARE(QString::fromStdString(j["outcome"].get<std::string>()), outcome);
    QCOMPARE(QString::fromStdString(xs.front().clause), clause);
    QCOMPARE(QString::fromStdString(xs.front().expression), expression);
    if (!value.isEmpty()) {
        bool seen = false;
        for (const auto &v : xs.front().values)
            seen = seen || QString::fromStdString(v.value) == value;
        QVERIFY2(seen, qPrintable(QString::fromStdString(j.dump())));
    }
}

void TestCedarExplanation::formatRoundTrip_data()
{
    QTest::addColumn<QString>("policy");
    QTest::newRow("scopes") << QStringLiteral(
        "@id(\"x\") permit(principal is A in B::\"b\", action in [Action::\"a\"], resource == R::\"r\");");
    QTest::newRow("precedence") << QStringLiteral(
        "permit(principal, action, resource) when { (1 + 2) * 3 == 9 && !(true || false) && -(-1) == 1 && (if true then 1 else 2) < 3 };");
    QTest::newRow("members") << QStringLiteral(
        "permit(principal, action, resource) when { context[\"a b\"].c.contains(1) && context has \"x y\" && \"a*\" like \"a\\**\" && ip(\"1.2.3.4\").isIpv4() };");
    // Found by fuzzing: `!(-x)` printed as `!-x`, which Cedar does not parse (one unary operator repeats only).
    QTest::newRow("not of a negation") << QStringLiteral(
        "forbid(principal, action, resource) when { !(-(-(7953754288172630015))) < 1 && -(!true) == 1 && !!true && --1 == 1 };");
    QTest::newRow("records") << QStringLiteral(
        "permit(principal, action, resource) unless { {a: [1, -2], \"if\": {b: Ns::E::\"\\u{1F600}\"}} == context };");
}

void TestCedarExplanation::formatRoundTrip()
{
    QFETCH(QString, policy);
    const auto first = PolicyParser::parse(policy.toStdString());
    QVERIFY(first.ok());
    const std::string formatted = formatPolicySet(first.policySet);
    const auto second = PolicyParser::parse(formatted);
    QVERIFY2(second.ok(), formatted.c_str());
    QCOMPARE(QString::fromStdString(formatPolicySet(second.policySet)), QString::fromStdString(formatted));
}

void TestCedarExplanation::usageOverRequests()
{
    const auto parsed = PolicyParser::parse(
        "permit(principal, action, resource);\n"
        "forbid(principal, action, resource) when { context.approved == false };\n"
        "permit(principal == Agent::\"nobody\", action, resource);\n"
        "permit(principal, action, resource) when { resource.missing };\n");
    QVERIFY(parsed.ok());
    Authorizer az(parsed.policySet, m_store);
    const auto report = analyzePolicyUsage(az, {m_request, m_request});
    QCOMPARE(report.requests, size_t(2));
    QCOMPARE(report.policies[0].applied, size_t(2));
    QCOMPARE(report.policies[0].determining, size_t(0));
    QCOMPARE(report.policies[1].determining, size_t(2));
    QCOMPARE(report.policies[3].erred, size_t(2));
    QStringList messages;
    for (const auto &d : report.diagnostics)
        messages << QString::fromStdString(d.message);
    QCOMPARE(messages.size(), 3);
    QVERIFY(messages[0].contains(QStringLiteral("policy0` is shadowed")));
    QVERIFY(messages[1].contains(QStringLiteral("policy2` never applied")));
    QVERIFY(messages[2].contains(QStringLiteral("policy3` erred on 2 of 2")));
    QCOMPARE(static_cast<int>(report.diagnostics[1].location.line), 3);
}

QTEST_GUILESS_MAIN(TestCedarExplanation)
#include "tst_cedar_explanation.moc"

// Expression semantics: each row evaluates one expression against a small entity fixture.
#include "cedar/Authorizer.h"
#include "cedar/Evaluator.h"
#include "cedar/Explanation.h"
#include "cedar/PolicyFormatter.h"
#include "cedar/PolicyParser.h"
#include "cedar/ValueJson.h"

#include <QFile>
#include <QThread>
#include <QtTest>

#include <nlohmann/json.hpp>

using namespace chainsight::cedar;

class TestCedarEvaluator final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void expressions_data();
    void expressions();
    void authorization_data();
    void authorization();
    void cyclesTerminate();
    void limitsOfLong();
    void deepestAcceptedExpressionsOnASmallStack_data();
    void deepestAcceptedExpressionsOnASmallStack();

private:
    EntityStore m_store;
    Request m_request;
};

void TestCedarEvaluator::initTestCase()
{
    QFile f(QStringLiteral(CEDAR_TEST_DATA "/entities.json"));
    QVERIFY(f.open(QIODevice::ReadOnly));
    const auto json = nlohmann::json::parse(f.readAll().toStdString());
    std::string error;
    QVERIFY2(EntityStore::fromJson(json, nullptr, m_store, error), error.c_str());
    m_request.principal = internUid("User", "alice");
    m_request.action = internUid("Action", "read");
    m_request.resource = internUid("Doc", "d1");
    Value ctx;
    QVERIFY(valueFromJson(nlohmann::json::parse(R"({"n": 5, "scopes": ["a", "b"], "flag": true,
        "big": 9223372036854775807, "small": -9223372036854775808})"), nullptr, nullptr, ctx, error));
    m_request.context = ctx;
}

void TestCedarEvaluator::expressions_data()
{
    QTest::addColumn<QString>("expr");
    QTest::addColumn<QString>("expected"); // Cedar text of the value, or "error"
    auto row = [](const char *name, const char *e, const char *v) {
        QTest::newRow(name) << QString::fromUtf8(e) << QString::fromUtf8(v);
    };
    row("add", "1 + 2 * 3", "7");
    row("sub", "1 - 5", "-4");
    row("overflow add", "context.big + 1", "error");
    row("overflow mul", "context.big * 2", "error");
    row("overflow neg", "-context.small", "error");
    row("and short circuit", "false && (1 + \"a\")", "false");
    row("or short circuit", "true || (1 + \"a\")", "true");
    row("and type error", "1 && true", "error");
    row("not", "!context.flag", "false");
    row("eq across types", "1 == \"1\"", "false");
    row("eq sets unordered", "[1, 2, 2] == [2, 1]", "true");
    row("eq records", "{a: 1, b: [true]} == {b: [true], a: 1}", "true");
    row("lt", "3 < 4", "true");
    row("lt type error", "\"a\" < \"b\"", "error");
    row("if", "if context.n > 3 then \"big\" else \"small\"", "\"big\"");
    row("if type error", "if 1 then 2 else 3", "error");
    row("attr", "principal.name", "\"Alice\"");
    row("index", "principal[\"address\"][\"city\"]", "\"Paris\"");
    row("missing attr", "principal.nope", "error");
    row("missing entity attr", "resource.x", "error");
    row("has", "principal has name", "true");
    row("has missing entity", "resource has name", "false");
    row("has path", "principal has address.city", "true");
    row("has path missing", "principal has address.country", "false");
    row("has on long", "1 has a", "error");
    row("in direct", "principal in Group::\"eng\"", "true");
    row("in transitive", "principal in Group::\"all\"", "true");
    row("in self", "principal in principal", "true");
    row("in other", "principal in Group::\"leads\"", "false");
    row("in set", "principal in [Group::\"leads\", Group::\"all\"]", "true");
    row("in set non entity", "principal in [Group::\"leads\", 1]", "error");
    row("in non entity", "1 in Group::\"all\"", "error");
    row("in through attr", "principal.manager in Group::\"leads\"", "true");
    row("action in group", "action in Action::\"readOnly\"", "true");
    row("is", "principal is User", "true");
    row("is in", "principal is User in Group::\"all\"", "true");
    row("is wrong type", "principal is Group in Group::\"all\"", "false");
    row("like star", "\"hello world\" like \"hello*\"", "true");
    row("like escaped star", "\"a*b\" like \"a\\*b\"", "true");
    row("like escaped star no match", "\"axb\" like \"a\\*b\"", "false");
    row("like multi", "\"abcabc\" like \"*c*c\"", "true");
    row("like empty", "\"\" like \"*\"", "true");
    row("contains", "context.scopes.contains(\"a\")", "true");
    row("containsAll", "context.scopes.containsAll([\"a\", \"b\"])", "true");
    row("containsAny", "context.scopes.containsAny([\"x\", \"b\"])", "true");
    row("isEmpty", "[].isEmpty()", "true");
    row("contains on string", "\"abc\".contains(\"a\")", "error");
    row("hasTag", "principal.hasTag(\"clearance\")", "true");
    row("getTag", "principal.getTag(\"clearance\")", "\"secret\"");
    row("getTag missing", "principal.getTag(\"nope\")", "error");
    row("hasTag missing entity", "resource.hasTag(\"x\")", "false");
    row("decimal", "decimal(\"1.23\").lessThan(decimal(\"1.3\"))", "true");
    row("decimal eq", "decimal(\"1.0\") == decimal(\"1.0000\")", "true");
    row("decimal bad", "decimal(\"1.23456\")", "error");
    row("decimal lt operator", "decimal(\"1.0\") < decimal(\"2.0\")", "error");
    row("ip range", "principal.ip.isInRange(ip(\"10.0.0.0/8\"))", "true");
    row("ip loopback", "ip(\"127.0.0.1\").isLoopback()", "true");
    row("ip v6", "ip(\"::1\").isIpv6() && ip(\"::1\").isLoopback()", "true");
    row("ip multicast", "ip(\"224.1.2.3\").isMulticast()", "true");
    row("ip bad", "ip(\"1.2.3\")", "error");
    row("datetime compare", "datetime(\"2024-10-15T11:38:02Z\") < datetime(\"2024-10-15T12:00:00+0100\")", "false");
    row("datetime offset", "datetime(\"2024-01-01\").offset(duration(\"1d\")) == datetime(\"2024-01-02\")", "true");
    row("durationSince", "datetime(\"2024-01-02\").durationSince(datetime(\"2024-01-01\")).toHours()", "24");
    row("toDate", "datetime(\"2024-01-01T10:00:00Z\").toDate() == datetime(\"2024-01-01\")", "true");
    row("toTime", "datetime(\"2024-01-01T10:00:00Z\").toTime().toMinutes()", "600");
    row("duration units", "duration(\"1d2h3m4s5ms\").toMilliseconds()", "93784005");
    row("duration negative", "duration(\"-1h\").toSeconds()", "-3600");
    row("duration bad order", "duration(\"1m1h\")", "error");
    row("ext arity", "ip(\"1.2.3.4\", \"x\")", "error");
    row("record literal", "{a: 1}.a", "1");
    row("set of records", "[{a: 1}].contains({a: 1})", "true");
}

void TestCedarEvaluator::expressions()
{
    QFETCH(QString, expr);
    QFETCH(QString, expected);
    std::vector<Diagnostic> diags;
    auto e = PolicyParser::parseExpression(expr.toStdString(), diags);
    QVERIFY2(e.has_value(), diags.empty() ? "" : diags.front().message.c_str());
    Evaluator ev(m_store, m_request);
    Value v;
    EvaluationError err;
    const bool ok = ev.tryEvaluate(*e, v, err);
    const QString got = ok ? QString::fromStdString(toCedar(v)) : QStringLiteral("error");
    QCOMPARE(got, expected);
}

void TestCedarEvaluator::authorization_data()
{
    QTest::addColumn<QString>("policies");
    QTest::addColumn<QString>("decision");
    QTest::addColumn<QString>("reasons");
    QTest::addColumn<QString>("errors");
    QTest::newRow("default deny") << QString() << QStringLiteral("deny") << QString() << QString();
    QTest::newRow("permit") << QStringLiteral("permit(principal in Group::\"eng\", action, resource);")
                            << QStringLiteral("allow") << QStringLiteral("policy0") << QString();
    QTest::newRow("forbid overrides") << QStringLiteral(
        "permit(principal, action, resource);\nforbid(principal, action in Action::\"readOnly\", resource);")
                                      << QStringLiteral("deny") << QStringLiteral("policy1") << QString();
    QTest::newRow("error skipped") << QStringLiteral(
        "@id(\"bad\") forbid(principal, action, resource) when { resource.owner == principal };\n"
        "permit(principal, action, resource) unless { context.n > 10 };")
                                   << QStringLiteral("allow") << QStringLiteral("policy1") << QStringLiteral("bad");
    QTest::newRow("when and unless") << QStringLiteral(
        "permit(principal, action, resource) when { context.flag } unless { context.n == 5 };")
                                     << QStringLiteral("deny") << QString() << QString();
    QTest::newRow("scope mismatch") << QStringLiteral("permit(principal == User::\"bob\", action, resource);")
                                    << QStringLiteral("deny") << QString() << QString();
    QTest::newRow("non bool condition") << QStringLiteral("permit(principal, action, resource) when { 1 };")
                                        << QStringLiteral("deny") << QString() << QStringLiteral("policy0");
}

void TestCedarEvaluator::authorization()
{
    QFETCH(QString, policies);
    QFETCH(QString, decision);
    QFETCH(QString, reasons);
    QFETCH(QString, errors);
    const auto parsed = PolicyParser::parse(policies.toStdString());
    QVERIFY(parsed.ok());
    Authorizer az(parsed.policySet, m_store);
    const Response r = az.isAuthorized(m_request);
    QCOMPARE(QString::fromLatin1(r.decision == Decision::Allow ? "allow" : "deny"), decision);
    QStringList got;
    for (const auto &id : r.reasons)
        got << QString::fromStdString(id);
    QCOMPARE(got.join(QLatin1Char(',')), reasons);
    QStringList gotErrors;
    for (const auto &e : r.errors)
        gotErrors << QString::fromStdString(e.policyId);
    QCOMPARE(gotErrors.join(QLatin1Char(',')), errors);
    QCOMPARE(az.decide(m_request), r.decision);
}

void TestCedarEvaluator::cyclesTerminate()
{
    QVERIFY(m_store.isIn(internUid("Group", "all"), internUid("Group", "cycle")));
    QVERIFY(m_store.isIn(internUid("Group", "cycle"), internUid("Group", "all")));
    QVERIFY(m_store.isIn(internUid("User", "alice"), internUid("Group", "cycle")));
}

void TestCedarEvaluator::limitsOfLong()
{
    std::vector<Diagnostic> diags;
    auto e = PolicyParser::parseExpression("context.big == 9223372036854775807 && context.small == -9223372036854775808", diags);
    QVERIFY(e.has_value());
    Evaluator ev(m_store, m_request);
    QVERIFY(ev.evaluate(*e).asBool());
}

// The evaluator recurses once per expression level; the parser's limits are its recursion bound. In an optimised
// build the deepest policies the parser accepts must evaluate, explain and format within 512 KiB of stack (the
// default of a macOS worker thread); unoptimised and sanitizer frames are several times larger.
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CHAINSIGHT_TEST_SANITIZED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(CHAINSIGHT_TEST_SANITIZED) || !defined(__OPTIMIZE__)
constexpr unsigned kEvaluationStackBytes = 8u << 20;
#else
constexpr unsigned kEvaluationStackBytes = 512u << 10;
#endif

void TestCedarEvaluator::deepestAcceptedExpressionsOnASmallStack_data()
{
    QTest::addColumn<QString>("condition");
    auto chain = [](const QString &term, const QString &op, int count) {
        QStringList terms;
        for (int i = 0; i < count; ++i)
            terms << term;
        return terms.join(op);
    };
    QTest::newRow("sum") << chain(QStringLiteral("1"), QStringLiteral(" + "), kMaxExprTreeDepth - 2) + QStringLiteral(" > 0");
    QTest::newRow("conjunction") << chain(QStringLiteral("context.flag"), QStringLiteral(" && "), kMaxExprTreeDepth - 1);
    const int levels = kMaxNestingDepth / 3 - 1;
    QTest::newRow("nested sets") << QString(levels, QLatin1Char('[')) + QStringLiteral("1") + QString(levels, QLatin1Char(']')) + QStringLiteral(" != []");
    QTest::newRow("nested records") << chain(QStringLiteral("{a: "), QString(), levels) + QStringLiteral("1") + QString(levels, QLatin1Char('}'))
                                           + QStringLiteral(" != {}");
}

void TestCedarEvaluator::deepestAcceptedExpressionsOnASmallStack()
{
    QFETCH(QString, condition);
    const std::string text = "permit(principal, action, resource) when { " + condition.toStdString() + " };";
    const PolicyParseResult parsed = PolicyParser::parse(text);
    QVERIFY2(parsed.ok(), parsed.diagnostics.empty() ? "" : parsed.diagnostics.front().message.c_str());
    Decision decision = Decision::Deny;
    Decision fast = Decision::Deny;
    std::size_t explained = 0;
    std::string formatted;
    QThread *worker = QThread::create([&] {
        const Authorizer authorizer(parsed.policySet, m_store);
        decision = authorizer.isAuthorized(m_request).decision;
        fast = authorizer.decide(m_request);
        explained = explainRequest(authorizer, m_request).size();
        formatted = formatPolicySet(parsed.policySet);
    });
    worker->setStackSize(kEvaluationStackBytes);
    worker->start();
    QVERIFY(worker->wait(QDeadlineTimer(120000)));
    delete worker;
    QCOMPARE(decision, Decision::Allow);
    QCOMPARE(fast, Decision::Allow);
    QCOMPARE(explained, std::size_t(1));
    QVERIFY(PolicyParser::parse(formatted).ok());
}

QTEST_GUILESS_MAIN(TestCedarEvaluator)
#include "tst_cedar_evaluator.moc"

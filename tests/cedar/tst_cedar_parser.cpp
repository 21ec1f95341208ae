// Parser acceptance and rejection, with the line and column of each diagnostic.
#include "cedar/PolicyParser.h"
#include "cedar/Schema.h"

#include <QtTest>

using namespace chainsight::cedar;

class TestCedarParser final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void accepts_data();
    void accepts();
    void rejects_data();
    void rejects();
    void policyIds();
    void scopes();
    void deepNestingIsADiagnostic();
    void longChainIsADiagnostic();
    void invalidUtf8();
    void manyPolicies();
    void oversizedTextIsADiagnostic();
};

void TestCedarParser::accepts_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("policies");
    QTest::newRow("minimal") << QStringLiteral("permit(principal, action, resource);") << 1;
    QTest::newRow("annotations") << QStringLiteral("@id(\"a\") @advice permit(principal, action, resource);") << 1;
    QTest::newRow("scopes") << QStringLiteral(
        "forbid(principal == User::\"alice\", action in [Action::\"a\", Action::\"b\"], resource is Photo in Album::\"x\");")
                            << 1;
    QTest::newRow("is scope") << QStringLiteral("permit(principal is User, action == Action::\"view\", resource);") << 1;
    QTest::newRow("namespaced") << QStringLiteral(
        "permit(principal in Org::Team::\"t\", action == Org::Action::\"go\", resource);") << 1;
    QTest::newRow("conditions") << QStringLiteral(
        "permit(principal, action, resource) when { true } unless { false } when { 1 < 2 };") << 1;
    QTest::newRow("has path") << QStringLiteral(
        "permit(principal, action, resource) when { context has a.b.c && context has \"x y\" };") << 1;
    QTest::newRow("like") << QStringLiteral(
        "permit(principal, action, resource) when { \"a*b\" like \"a\\*b\" && \"abc\" like \"a*\" };") << 1;
    QTest::newRow("extensions") << QStringLiteral(
        "permit(principal, action, resource) when { ip(\"10.0.0.1\").isInRange(ip(\"10.0.0.0/8\")) && "
        "decimal(\"1.5\").lessThan(decimal(\"2.0\")) && datetime(\"2024-01-01\").offset(duration(\"1h\")) > datetime(\"2024-01-01\") };")
                                << 1;
    QTest::newRow("min long") << QStringLiteral(
        "permit(principal, action, resource) when { -9223372036854775808 < 0 };") << 1;
    QTest::newRow("four bangs") << QStringLiteral("permit(principal, action, resource) when { !!!!true };") << 1;
    QTest::newRow("if") << QStringLiteral(
        "permit(principal, action, resource) when { if context.a then principal in Group::\"g\" else false };") << 1;
    QTest::newRow("records sets tags") << QStringLiteral(
        "permit(principal, action, resource) when { {a: [1, 2,], \"b c\": {d: \"e\"}}.a.contains(1) && "
        "resource.hasTag(\"k\") && resource.getTag(\"k\") == \"v\" && [1].isEmpty() == false };") << 1;
    QTest::newRow("escapes") << QStringLiteral(
        "permit(principal, action, resource) when { \"\\n\\t\\\"\\\\\\0\\u{1F600}\\x41\" != \"\" };") << 1;
    QTest::newRow("comments") << QStringLiteral("// c\npermit(principal, action, resource); // d\n") << 1;
    QTest::newRow("two") << QStringLiteral("permit(principal,action,resource);forbid(principal,action,resource);") << 2;
}

void TestCedarParser::accepts()
{
    QFETCH(QString, text);
    QFETCH(int, policies);
    const auto r = PolicyParser::parse(text.toStdString());
    for (const auto &d : r.diagnostics)
        qWarning() << d.location.line << d.location.column << QString::fromStdString(d.message);
    QVERIFY(r.ok());
    QCOMPARE(static_cast<int>(r.policySet.policies.size()), policies);
}

void TestCedarParser::rejects_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("line");
    QTest::addColumn<int>("column");
    QTest::addColumn<QString>("message");
    const QString head = QStringLiteral("permit(principal, action, resource)\nwhen { ");
    QTest::newRow("division") << head + QStringLiteral("1 / 2 == 0 };") << 2 << 10 << QStringLiteral("division");
    QTest::newRow("remainder") << head + QStringLiteral("1 % 2 == 0 };") << 2 << 10 << QStringLiteral("remainder");
    QTest::newRow("chained") << head + QStringLiteral("1 < 2 < 3 };") << 2 << 14 << QStringLiteral("chained");
    QTest::newRow("five bangs") << head + QStringLiteral("!!!!!true };") << 2 << 8 << QStringLiteral("unary");
    QTest::newRow("assign") << head + QStringLiteral("1 = 1 };") << 2 << 10 << QStringLiteral("==");
    QTest::newRow("assign in scope") << QStringLiteral("permit(principal = User::\"a\", action, resource);") << 1 << 18
                                     << QStringLiteral("==");
    QTest::newRow("function as method") << head + QStringLiteral("\"1.0\".decimal() };") << 2 << 14
                                        << QStringLiteral("function, not a method");
    QTest::newRow("method as function") << head + QStringLiteral("lessThan(decimal(\"1.0\"), decimal(\"2.0\")) };")
                                        << 2 << 8 << QStringLiteral("method, not a function");
    QTest::newRow("unknown function") << head + QStringLiteral("foo(1) };") << 2 << 8 << QStringLiteral("not a known function");
    QTest::newRow("long overflow") << head + QStringLiteral("9223372036854775808 > 0 };") << 2 << 8
                                   << QStringLiteral("out of range");
    QTest::newRow("bad escape") << head + QStringLiteral("\"\\q\" == \"\" };") << 2 << 8 << QStringLiteral("escape");
    QTest::newRow("star escape outside like") << head + QStringLiteral("\"\\*\" == \"\" };") << 2 << 8
                                              << QStringLiteral("escape");
    QTest::newRow("unknown variable") << head + QStringLiteral("user == 1 };") << 2 << 8 << QStringLiteral("unknown variable");
    QTest::newRow("missing semicolon") << QStringLiteral("permit(principal, action, resource)") << 1 << 36
                                       << QStringLiteral("expected `;`");
    QTest::newRow("action type") << QStringLiteral("permit(principal, action == User::\"a\", resource);") << 1 << 29
                                 << QStringLiteral("Action");
    QTest::newRow("empty when") << QStringLiteral("permit(principal, action, resource) when { };") << 1 << 44
                                << QStringLiteral("empty");
    QTest::newRow("duplicate key") << head + QStringLiteral("{a: 1, a: 2}.a == 1 };") << 2 << 15
                                   << QStringLiteral("duplicate");
    QTest::newRow("contains arity") << head + QStringLiteral("[1].contains(1, 2) };") << 2 << 12
                                    << QStringLiteral("argument");
    QTest::newRow("template") << QStringLiteral("permit(principal == ?principal, action, resource);") << 1 << 21
                              << QStringLiteral("template");
    QTest::newRow("mixed unary") << head + QStringLiteral("!-1 };") << 2 << 9 << QStringLiteral("unexpected");
}

void TestCedarParser::rejects()
{
    QFETCH(QString, text);
    QFETCH(int, line);
    QFETCH(int, column);
    QFETCH(QString, message);
    const auto r = PolicyParser::parse(text.toStdString(), "p.cedar");
    QVERIFY(!r.ok());
    const Diagnostic &d = r.diagnostics.front();
    const QString msg = QString::fromStdString(d.message);
    QVERIFY2(msg.contains(message), qPrintable(msg));
    QCOMPARE(static_cast<int>(d.location.line), line);
    QCOMPARE(static_cast<int>(d.location.column), column);
}

void TestCedarParser::policyIds()
{
    const auto r = PolicyParser::parse(
        "permit(principal, action, resource);\n@id(\"named\") forbid(principal, action, resource);\n"
        "permit(principal, action, resource);");
    QVERIFY(r.ok());
    QCOMPARE(QString::fromStdString(r.policySet.policies[0].id), QStringLiteral("policy0"));
    QCOMPARE(QString::fromStdString(r.policySet.policies[1].id), QStringLiteral("named"));
    QCOMPARE(QString::fromStdString(r.policySet.policies[1].positionalId), QStringLiteral("policy1"));
    QCOMPARE(QString::fromStdString(r.policySet.policies[2].id), QStringLiteral("policy2"));
}

void TestCedarParser::scopes()
{
    const auto r = PolicyParser::parse(
        "permit(principal is User in Group::\"g\", action in [Action::\"a\", NS::Action::\"b\"], resource == Doc::\"d\");");
    QVERIFY(r.ok());
    const Policy &p = r.policySet.policies.front();
    QCOMPARE(p.principal.op, ScopeOp::IsIn);
    QCOMPARE(QString::fromStdString(p.principal.type->name), QStringLiteral("User"));
    QCOMPARE(p.action.op, ScopeOp::InSet);
    QCOMPARE(p.action.entities.size(), size_t(2));
    QCOMPARE(QString::fromStdString(p.action.entities[1]->type->name), QStringLiteral("NS::Action"));
    QCOMPARE(p.resource.op, ScopeOp::Eq);
    QCOMPARE(QString::fromStdString(p.resource.entity->id), QStringLiteral("d"));
}

void TestCedarParser::deepNestingIsADiagnostic()
{
    std::string text = "permit(principal, action, resource) when { ";
    text += std::string(512 * 1024, '(');
    text += "true";
    text += std::string(512 * 1024, ')');
    text += " };";
    const auto r = PolicyParser::parse(text);
    QVERIFY(!r.ok());
    QVERIFY(QString::fromStdString(r.diagnostics.front().message).contains(QStringLiteral("nesting")));
}

void TestCedarParser::longChainIsADiagnostic()
{
    std::string text = "permit(principal, action, resource) when { 1";
    for (int i = 0; i < 5000; ++i)
        text += " + 1";
    text += " > 0 };";
    const auto r = PolicyParser::parse(text);
    QVERIFY(!r.ok());
    QVERIFY(QString::fromStdString(r.diagnostics.front().message).contains(QStringLiteral("nested")));
}

void TestCedarParser::invalidUtf8()
{
    const std::string text = "permit(principal, action, resource)\nwhen { \"a\xff\" == \"\" };";
    const auto r = PolicyParser::parse(text);
    QVERIFY(!r.ok());
    QCOMPARE(static_cast<int>(r.diagnostics.front().location.line), 2);
    QCOMPARE(static_cast<int>(r.diagnostics.front().location.column), 10);
    QVERIFY(QString::fromStdString(r.diagnostics.front().message).contains(QStringLiteral("UTF-8")));
}

void TestCedarParser::manyPolicies()
{
    std::string text;
    for (int i = 0; i < 100000; ++i)
        text += "permit(principal == User::\"u" + std::to_string(i) + "\", action, resource) when { context.n > "
            + std::to_string(i) + " };\n";
    const auto r = PolicyParser::parse(text);
    QVERIFY(r.ok());
    QCOMPARE(r.policySet.policies.size(), size_t(100000));
    QCOMPARE(QString::fromStdString(r.policySet.policies.back().id), QStringLiteral("policy99999"));
}

// A policy or schema file past kMaxPolicyTextBytes is refused whole, before any of it is read; one just under parses.
void TestCedarParser::oversizedTextIsADiagnostic()
{
    std::string text = "permit(principal, action, resource);\n";
    while (text.size() <= kMaxPolicyTextBytes)
        text += "// a comment line to make the file larger than any policy file people write\n";
    const auto r = PolicyParser::parse(text);
    QVERIFY(!r.ok());
    QVERIFY(r.policySet.policies.empty());
    QVERIFY(QString::fromStdString(r.diagnostics.front().message).contains(QStringLiteral("larger than 16 MB")));
    std::vector<Diagnostic> diagnostics;
    QVERIFY(!PolicyParser::parseExpression(text, diagnostics));
    QVERIFY(!diagnostics.empty());
    diagnostics.clear();
    QVERIFY(!Schema::parse(text, diagnostics));
    QVERIFY(QString::fromStdString(diagnostics.front().message).contains(QStringLiteral("larger than 16 MB")));
    text.resize(kMaxPolicyTextBytes);
    QVERIFY(PolicyParser::parse(text).ok());
}

QTEST_GUILESS_MAIN(TestCedarParser)
#include "tst_cedar_parser.moc"

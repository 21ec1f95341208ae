// Differential test against the reference engine (@cedar-policy/cedar-wasm under Node.js): random
// policies, entities and requests from a fixed seed; decision, reason ids and error ids must agree.
#include "cedar/Authorizer.h"
#include "cedar/PolicyParser.h"
#include "cedar/ValueJson.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <random>
#include <set>

using namespace chainsight::cedar;
using nlohmann::json;

namespace {

// Generates Cedar text that is mostly well-typed, with a share of type errors, overflows and bad
// extension literals so that erroring policies are exercised too.
class CaseGenerator final {
public:
    explicit CaseGenerator(uint64_t seed) : m_rng(seed) {}

    json makeCase()
    {
        json c;
        c["entities"] = entities();
        std::string policies;
        const int count = pick(1, 5);
        for (int i = 0; i < count; ++i)
            policies += policy() + "\n";
        if (chance(25))
            policies = mutate(policies);
        c["policies"] = policies;
        json requests = json::array();
        for (int i = 0; i < 6; ++i)
            requests.push_back(request());
        c["requests"] = requests;
        return c;
    }

private:
    int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(m_rng); }
    bool chance(int percent) { return pick(1, 100) <= percent; }
    template<typename T>
    const T &oneOf(const std::vector<T> &v) { return v[static_cast<size_t>(pick(0, static_cast<int>(v.size()) - 1))]; }

    // Syntax-level noise so that both parsers are compared on text Cedar must reject too.
    std::string mutate(std::string text)
    {
        static const std::vector<std::string> kInserts{"/", "%", "<", "=", "!", "!!!!!", "-", "if", ".in", ".if", "(",
                                                       ")", "[", "]", "{", "}", ",", ";", "\"", "::", "@x", "has",
                                                       "like", "is", "\\*", "9223372036854775808", "- 9223372036854775808",
                                                       "?principal", "&", "|", " == 1 == ", "true", "then", "else"};
        const int edits = pick(1, 2);
        for (int i = 0; i < edits && !text.empty(); ++i) {
            const auto pos = static_cast<size_t>(pick(0, static_cast<int>(text.size()) - 1));
            switch (pick(0, 2)) {
            case 0: text.erase(pos, 1); break;
            case 1: text.insert(pos, " " + oneOf(kInserts) + " "); break;
            default: text.insert(pos, oneOf(kInserts)); break;
            }
        }
        return text;
    }

    std::string user() { return "User::\"" + oneOf(m_users) + "\""; }
    std::string group() { return "Group::\"" + oneOf(m_groups) + "\""; }
    std::string doc() { return "Doc::\"" + oneOf(m_docs) + "\""; }
    std::string actionRef() { return "Action::\"" + oneOf(m_actions) + "\""; }

    static json uid(const std::string &type, const std::string &id) { return json{{"type", type}, {"id", id}}; }

    json entities()
    {
        json out = json::array();
        // Parents only point to later groups, so the hierarchy is acyclic as Cedar requires.
        for (size_t i = 0; i < m_groups.size(); ++i) {
            json parents = json::array();
            for (size_t j = i + 1; j < m_groups.size(); ++j)
                if (chance(30))
                    parents.push_back(uid("Group", m_groups[j]));
            out.push_back({{"uid", uid("Group", m_groups[i])}, {"attrs", json::object()}, {"parents", parents}});
        }
        for (const auto &u : m_users) {
            if (u == "ghost")
                continue; // referenced but absent from the store
            json parents = json::array();
            for (const auto &g : m_groups)
                if (chance(35))
                    parents.push_back(uid("Group", g));
            json attrs = {{"age", pick(-5, 90)}, {"name", oneOf(m_strings)}, {"level", pick(0, 5)}};
            if (chance(70))
                attrs["manager"] = json{{"__entity", uid("User", oneOf(m_users))}};
            if (chance(60))
                attrs["address"] = json{{"city", oneOf(m_strings)}, {"zip", pick(0, 99999)}};
            if (chance(50))
                attrs["ip"] = json{{"__extn", {{"fn", "ip"}, {"arg", oneOf(m_dataIps)}}}};
            if (chance(50))
                attrs["score"] = json{{"__extn", {{"fn", "decimal"}, {"arg", oneOf(m_dataDecimals)}}}};
            if (chance(40))
                attrs["big"] = chance(50) ? 9007199254740991LL : -9007199254740991LL; // JSON numbers Node reads exactly
            json tags = json::object();
            if (chance(50))
                tags[oneOf(m_strings)] = oneOf(m_strings);
            out.push_back({{"uid", uid("User", u)}, {"attrs", attrs}, {"parents", parents}, {"tags", tags}});
        }
        for (const auto &d : m_docs) {
            json parents = json::array();
            if (chance(50))
                parents.push_back(uid("Group", oneOf(m_groups)));
            json attrs = {{"owner", json{{"__entity", uid("User", oneOf(m_users))}}},
                          {"public", chance(50)},
                          {"labels", json::array({oneOf(m_strings), oneOf(m_strings)})}};
            out.push_back({{"uid", uid("Doc", d)}, {"attrs", attrs}, {"parents", parents}});
        }
        out.push_back({{"uid", uid("Action", "read")}, {"attrs", json::object()},
                       {"parents", json::array({uid("Action", "readOnly")})}});
        out.push_back({{"uid", uid("Action", "readOnly")}, {"attrs", json::object()}, {"parents", json::array()}});
        out.push_back({{"uid", uid("Action", "write")}, {"attrs", json::object()},
                       {"parents", json::array({uid("Action", "mutate")})}});
        return out;
    }

    json request()
    {
        json ctx = {{"n", pick(-3, 10)}, {"flag", chance(50)}, {"name", oneOf(m_strings)},
                    {"scopes", json::array({oneOf(m_strings), oneOf(m_strings)})}};
        if (chance(70))
            ctx["ip"] = json{{"__extn", {{"fn", "ip"}, {"arg", oneOf(m_dataIps)}}}};
        if (chance(70))
            ctx["when"] = json{{"__extn", {{"fn", "datetime"}, {"arg", oneOf(m_dataDatetimes)}}}};
        if (chance(50))
            ctx["limit"] = json{{"__extn", {{"fn", "duration"}, {"arg", oneOf(m_dataDurations)}}}};
        if (chance(20))
            ctx["max"] = 9007199254740991LL;
        return json{{"principal", uid("User", oneOf(m_users))},
                    {"action", uid("Action", oneOf(m_actions))},
                    {"resource", chance(80) ? uid("Doc", oneOf(m_docs)) : uid("User", oneOf(m_users))},
                    {"context", ctx}};
    }

    std::string scope(const char *var)
    {
        const bool isAction = std::string(var) == "action";
        switch (pick(0, isAction ? 3 : 5)) {
        case 0: return var;
        case 1: return std::string(var) + " == " + (isAction ? actionRef() : (std::string(var) == "principal" ? user() : doc()));
        case 2: return std::string(var) + " in " + (isAction ? actionRef() : group());
        case 3:
            if (isAction)
                return std::string(var) + " in [" + actionRef() + ", " + actionRef() + "]";
            return std::string(var) + " is " + (chance(50) ? "User" : "Doc");
        default: return std::string(var) + " is " + (chance(50) ? "User" : "Doc") + " in " + group();
        }
    }

    std::string policy()
    {
        std::string p = chance(65) ? "permit" : "forbid";
        p += "(" + scope("principal") + ", " + scope("action") + ", " + scope("resource") + ")";
        const int conditions = pick(0, 2);
        for (int i = 0; i < conditions; ++i)
            p += std::string(chance(70) ? " when { " : " unless { ") + boolExpr(3) + " }";
        return p + ";";
    }

    std::string entityExpr()
    {
        switch (pick(0, 5)) {
        case 0: return "principal";
        case 1: return "resource";
        case 2: return user();
        case 3: return group();
        case 4: return "principal.manager";
        default: return "resource.owner";
        }
    }

    std::string longExpr(int depth)
    {
        if (depth <= 0)
            return oneOf(std::vector<std::string>{"0", "1", "7", "-3", "9223372036854775807", "-9223372036854775808",
                                                  "context.n", "principal.age", "principal.level"});
        switch (pick(0, 8)) {
        case 0: return longExpr(depth - 1) + " + " + longExpr(depth - 1);
        case 1: return longExpr(depth - 1) + " - " + longExpr(depth - 1);
        case 2: return longExpr(depth - 1) + " * " + longExpr(depth - 1);
        case 3: return "-(" + longExpr(depth - 1) + ")";
        case 4: return "(if " + boolExpr(depth - 1) + " then " + longExpr(depth - 1) + " else " + longExpr(depth - 1) + ")";
        case 5: return "principal.big";
        case 6: return "context.max";
        case 7: return "context.limit.toMinutes()";
        default: return longExpr(0);
        }
    }

    std::string stringExpr()
    {
        switch (pick(0, 4)) {
        case 0: return "principal.name";
        case 1: return "context.name";
        case 2: return "principal.address.city";
        case 3: return "principal.getTag(\"" + oneOf(m_strings) + "\")";
        default: return "\"" + oneOf(m_strings) + "\"";
        }
    }

    std::string boolExpr(int depth)
    {
        if (depth <= 0)
            return oneOf(std::vector<std::string>{"true", "false", "context.flag", "resource.public",
                                                  "principal has manager", "principal has address.city"});
        switch (pick(0, 27)) {
        case 0: return boolExpr(depth - 1) + " && " + boolExpr(depth - 1);
        case 1: return boolExpr(depth - 1) + " || " + boolExpr(depth - 1);
        case 2: return "!(" + boolExpr(depth - 1) + ")";
        case 3: return longExpr(depth - 1) + " < " + longExpr(depth - 1);
        case 4: return longExpr(depth - 1) + " >= " + longExpr(depth - 1);
        case 5: return entityExpr() + " == " + entityExpr();
        case 6: return entityExpr() + " in " + entityExpr();
        case 7: return entityExpr() + " in [" + group() + ", " + entityExpr() + "]";
        case 8: return stringExpr() + " like \"" + oneOf(m_patterns) + "\"";
        case 9: return stringExpr() + " == " + stringExpr();
        case 10: return "context.scopes.contains(" + stringExpr() + ")";
        case 11: return "context.scopes.containsAny([\"" + oneOf(m_strings) + "\", " + stringExpr() + "])";
        case 12: return "resource.labels.containsAll(context.scopes)";
        case 13: return "principal.hasTag(" + stringExpr() + ")";
        case 14: return "principal.ip.isInRange(ip(\"" + oneOf(m_ips) + "\"))";
        case 15: return "context.ip." + oneOf(std::vector<std::string>{"isIpv4()", "isIpv6()", "isLoopback()", "isMulticast()"});
        case 16: return "principal.score." + oneOf(std::vector<std::string>{"lessThan", "greaterThanOrEqual"}) + "(decimal(\""
                + oneOf(m_decimals) + "\"))";
        case 17: return "context.when < datetime(\"" + oneOf(m_datetimes) + "\")";
        case 18: return "context.when.offset(duration(\"" + oneOf(m_durations) + "\")) > datetime(\"" + oneOf(m_datetimes) + "\")";
        case 19: return "context.when.toTime() <= context.limit";
        case 20: return "entityIs"[0] == 'e' ? entityExpr() + " is " + (chance(50) ? "User" : "Group") : "true";
        case 21: return "if " + boolExpr(depth - 1) + " then " + boolExpr(depth - 1) + " else " + boolExpr(depth - 1);
        case 22: return "context has " + oneOf(std::vector<std::string>{"ip", "when", "limit", "max", "nope"});
        case 23: return "(" + longExpr(depth - 1) + ") == " + (chance(50) ? longExpr(0) : stringExpr());
        case 24: return "[" + longExpr(0) + ", " + stringExpr() + "] == [" + stringExpr() + ", " + longExpr(0) + "]";
        case 25: return "{a: " + longExpr(0) + ", b: " + boolExpr(0) + "} == {b: " + boolExpr(0) + ", a: " + longExpr(0) + "}";
        case 26: return "context.when.durationSince(datetime(\"" + oneOf(m_datetimes) + "\")) > duration(\"" + oneOf(m_durations) + "\")";
        default: return "principal.address.zip > " + longExpr(depth - 1);
        }
    }

    std::mt19937_64 m_rng;
    const std::vector<std::string> m_users{"alice", "bob", "carol", "dave", "ghost"};
    const std::vector<std::string> m_groups{"g0", "g1", "g2", "g3"};
    const std::vector<std::string> m_docs{"d0", "d1", "d2"};
    const std::vector<std::string> m_actions{"read", "write", "readOnly", "delete"};
    const std::vector<std::string> m_strings{"", "a", "ab", "abc", "read", "write", "Paris", "a*b", "x y", "\\u00e9t\\u00e9"};
    const std::vector<std::string> m_patterns{"*", "a*", "*b*", "a\\\\*b", "", "ab", "*c", "P*s"};
    const std::vector<std::string> m_ips{"10.0.0.1", "10.0.0.0/8", "127.0.0.1", "127.0.0.1/4", "::1", "::1/64",
                                         "224.0.0.9", "ff02::1", "192.168.1.0/24", "1.2.3.4/33", "0.0.0.0/0", "bogus"};
    // Data values must be valid (the reference rejects the whole entity set otherwise); policy literals need not be.
    const std::vector<std::string> m_dataIps{"10.0.0.1", "10.0.0.0/8", "127.0.0.1", "127.0.0.1/4", "::1", "224.0.0.9"};
    const std::vector<std::string> m_dataDecimals{"0.0", "1.5", "-2.25", "922337203685477.5807"};
    const std::vector<std::string> m_dataDatetimes{"2024-01-01", "2024-06-30T12:34:56Z", "1969-12-31T23:59:59.999Z"};
    const std::vector<std::string> m_dataDurations{"1h", "-1d2h", "30m", "0ms", "106751991167d"};
    const std::vector<std::string> m_decimals{"0.0", "1.5", "-2.25", "922337203685477.5807", "1.23456", "12.0001"};
    const std::vector<std::string> m_datetimes{"2024-01-01", "2024-06-30T12:34:56Z", "1969-12-31T23:59:59.999Z",
                                               "2024-02-29T00:00:00+0130", "2023-02-29", "9999-12-31T23:59:59-2359"};
    const std::vector<std::string> m_durations{"1h", "-1d2h", "30m", "1s500ms", "0ms", "106751991167d", "1h1d"};
};

QString findNode()
{
    return QStandardPaths::findExecutable(QStringLiteral("node"));
}

std::set<std::string> idSet(const json &arr)
{
    std::set<std::string> s;
    for (const auto &x : arr)
        s.insert(x.get<std::string>());
    return s;
}

} // namespace

class TestCedarDifferential final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void againstReferenceEngine();
};

void TestCedarDifferential::againstReferenceEngine()
{
    const QString dir = QStringLiteral(CEDAR_DIFFERENTIAL_DIR);
    const QString node = findNode();
    if (node.isEmpty())
        QSKIP("node is not installed");
    if (!QFileInfo::exists(dir + QStringLiteral("/node_modules/@cedar-policy/cedar-wasm/package.json")))
        QSKIP("reference engine missing: run npm ci --prefix tests/cedar/differential");

    const int caseCount = qEnvironmentVariableIntValue("CEDAR_DIFFERENTIAL_CASES") > 0
        ? qEnvironmentVariableIntValue("CEDAR_DIFFERENTIAL_CASES")
        : 1000;
    // Fixed seed for CI; CEDAR_DIFFERENTIAL_SEED explores other corners by hand.
    const uint64_t seed = qEnvironmentVariableIsSet("CEDAR_DIFFERENTIAL_SEED")
        ? qEnvironmentVariable("CEDAR_DIFFERENTIAL_SEED").toULongLong()
        : 20261128;
    CaseGenerator gen(seed);
    json cases = json::array();
    for (int i = 0; i < caseCount; ++i)
        cases.push_back(gen.makeCase());

    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QString casesFile = tmp.filePath(QStringLiteral("cases.json"));
    const QString answersFile = tmp.filePath(QStringLiteral("answers.json"));
    {
        QFile f(casesFile);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray::fromStdString(cases.dump()));
    }
    QProcess proc;
    proc.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    proc.start(node, {dir + QStringLiteral("/run_reference.cjs"), casesFile, answersFile});
    QVERIFY(proc.waitForFinished(300000));
    QCOMPARE(proc.exitCode(), 0);
    QFile f(answersFile);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const json answers = json::parse(f.readAll().toStdString());
    QCOMPARE(answers.size(), cases.size());

    int compared = 0;
    int mismatched = 0;
    int parseDisagreements = 0;
    int allow = 0;
    int withErrors = 0;
    QStringList report;
    for (size_t i = 0; i < cases.size(); ++i) {
        const json &c = cases[i];
        const json &a = answers[i];
        const auto parsed = PolicyParser::parse(c["policies"].get<std::string>());
        const bool refParsed = !a.contains("parseError");
        if (parsed.ok() != refParsed) {
            ++parseDisagreements;
            report << QStringLiteral("parse disagreement (reference %1): %2")
                          .arg(refParsed ? QStringLiteral("accepts") : QString::fromStdString(a.value("message", "")),
                               QString::fromStdString(c["policies"].get<std::string>()));
            continue;
        }
        if (!refParsed)
            continue;
        EntityStore store;
        std::string error;
        const bool loaded = EntityStore::fromJson(c["entities"], nullptr, store, error);
        if (loaded == a.contains("entitiesError")) {
            ++parseDisagreements;
            report << QStringLiteral("entities disagreement: %1").arg(QString::fromStdString(a.value("message", error)));
            continue;
        }
        if (!loaded)
            continue;
        Authorizer az(parsed.policySet, store);
        for (size_t r = 0; r < c["requests"].size(); ++r) {
            const json &req = c["requests"][r];
            const json &want = a["requests"][r];
            if (want.contains("failure"))
                continue;
            Request request;
            QVERIFY(entityUidFromJson(req["principal"], request.principal, error));
            QVERIFY(entityUidFromJson(req["action"], request.action, error));
            QVERIFY(entityUidFromJson(req["resource"], request.resource, error));
            QVERIFY2(valueFromJson(req["context"], nullptr, nullptr, request.context, error), error.c_str());
            const Response got = az.isAuthorized(request);
            std::set<std::string> errors;
            for (const auto &e : got.errors)
                errors.insert(e.policyId);
            const std::string decision = got.decision == Decision::Allow ? "allow" : "deny";
            const std::set<std::string> reasons(got.reasons.begin(), got.reasons.end());
            ++compared;
            allow += decision == "allow";
            withErrors += !errors.empty();
            if (decision != want["decision"].get<std::string>() || reasons != idSet(want["reason"])
                || errors != idSet(want["errors"])) {
                ++mismatched;
                if (report.size() < 20) {
                    QString detail = QStringLiteral("case %1 request %2: reference %3, got %4 reason [%5] errors [%6]\n%7\n%8")
                                         .arg(i)
                                         .arg(r)
                                         .arg(QString::fromStdString(want.dump()), QString::fromStdString(decision))
                                         .arg(QString::fromStdString([&] {
                                                  std::string s;
                                                  for (const auto &x : reasons)
                                                      s += x + " ";
                                                  return s;
                                              }()))
                                         .arg(QString::fromStdString([&] {
                                                  std::string s;
                                                  for (const auto &e : got.errors)
                                                      s += e.policyId + ": " + e.message + "; ";
                                                  return s;
                                              }()))
                                         .arg(QString::fromStdString(c["policies"].get<std::string>()),
                                              QString::fromStdString(req.dump()));
                    report << detail;
                }
            }
        }
    }
    for (const QString &line : report)
        qWarning().noquote() << line;
    qInfo().noquote() << QStringLiteral("%1 requests compared (%2 allow, %3 with errors), %4 mismatched, %5 parse disagreements")
                             .arg(compared)
                             .arg(allow)
                             .arg(withErrors)
                             .arg(mismatched)
                             .arg(parseDisagreements);
    QVERIFY(compared > 1000);
    QCOMPARE(mismatched, 0);
    QCOMPARE(parseDisagreements, 0);
}

QTEST_GUILESS_MAIN(TestCedarDifferential)
#include "tst_cedar_differential.moc"

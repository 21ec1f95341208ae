#include "PolicyCommand.h"

#include "CliCommands.h"

#include "cedar/Authorizer.h"
#include "cedar/Explanation.h"
#include "cedar/IntegrationTest.h"
#include "cedar/PolicyFormatter.h"
#include "cedar/PolicyParser.h"
#include "cedar/PolicyUsage.h"
#include "cedar/Schema.h"
#include "cedar/SchemaCheck.h"
#include "cedar/ValueJson.h"

#include <QCommandLineParser>
#include <QFile>
#include <QFileInfo>
#include <QTextStream>

#include <nlohmann/json.hpp>

#include <exception>
#include <optional>
#include <set>

namespace chainsight::cli {

namespace {

enum PolicyExit : int { Ok = 0, GateTripped = 1, BadInput = 2, InternalError = 3 };

using namespace chainsight::cedar;

void printUsage(QTextStream &s)
{
    s << "Usage: chainsight-cli policy <subcommand> [options]\n\n"
      << "Subcommands:\n"
      << "  check P.cedar [--schema S.cedarschema]   report diagnostics as file:line:col: error|warning: message\n"
      << "  format P.cedar                           print the policies in canonical layout\n"
      << "  eval --policies P.cedar --entities E.json --request R.json [--schema S.cedarschema]\n"
      << "                                           print the decision, reasons, errors and explanations;\n"
      << "                                           with an array of requests: results, per-policy usage and\n"
      << "                                           warnings for policies never applied, shadowed or erring\n"
      << "  eval --corpus-test T.json --root DIR     run one Cedar integration test file\n\n"
      << "Exit codes: 0 ok, 1 a gate tripped (a corpus request mismatched), 2 bad usage or bad input, 3 internal error.\n";
    s.flush();
}

std::optional<std::string> readFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return std::nullopt;
    return f.readAll().toStdString();
}

void printDiagnostic(const QString &file, const Diagnostic &d)
{
    err() << file << ':' << d.location.line << ':' << d.location.column << ": "
          << (d.severity == Severity::Error ? "error" : "warning") << ": " << QString::fromStdString(d.message) << '\n';
}

std::optional<Schema> loadSchema(const QString &path, bool &failed)
{
    failed = false;
    auto text = readFile(path);
    if (!text) {
        err() << path << ": error: cannot read the schema\n";
        failed = true;
        return std::nullopt;
    }
    std::vector<Diagnostic> diags;
    auto schema = Schema::parse(*text, diags);
    for (const auto &d : diags)
        printDiagnostic(path, d);
    failed = !schema.has_value();
    return schema;
}

int runCheck(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("policies"), QStringLiteral("Cedar policy file"));
    parser.addOption({QStringLiteral("schema"), QStringLiteral("Cedar schema (.cedarschema)"), QStringLiteral("file")});
    parser.addHelpOption();
    if (!parser.parse(QStringList{QStringLiteral("policy check")} + args) || parser.positionalArguments().size() != 1) {
        if (parser.isSet(QStringLiteral("help"))) {
            printUsage(out());
            return Ok;
        }
        err() << "chainsight-cli policy check: " << (parser.errorText().isEmpty() ? QStringLiteral("expected one policy file") : parser.errorText()) << '\n';
        printUsage(err());
        return BadInput;
    }
    const QString file = parser.positionalArguments().constFirst();
    auto text = readFile(file);
    if (!text) {
        err() << file << ": error: cannot read the file\n";
        return BadInput;
    }
    PolicyParseResult parsed = PolicyParser::parse(*text, file.toStdString());
    std::vector<Diagnostic> diags = parsed.diagnostics;
    bool schemaFailed = false;
    if (parser.isSet(QStringLiteral("schema"))) {
        auto schema = loadSchema(parser.value(QStringLiteral("schema")), schemaFailed);
        if (schema)
            for (auto &d : checkPoliciesAgainstSchema(parsed.policySet, *schema))
                diags.push_back(std::move(d));
    }
    bool errors = schemaFailed;
    for (const auto &d : diags) {
        printDiagnostic(file, d);
        errors = errors || d.severity == Severity::Error;
    }
    err().flush();
    return errors ? BadInput : Ok;
}

int runFormat(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("policies"), QStringLiteral("Cedar policy file"));
    parser.addHelpOption();
    if (!parser.parse(QStringList{QStringLiteral("policy format")} + args) || parser.positionalArguments().size() != 1) {
        err() << "chainsight-cli policy format: expected one policy file\n";
        printUsage(err());
        return BadInput;
    }
    const QString file = parser.positionalArguments().constFirst();
    auto text = readFile(file);
    if (!text) {
        err() << file << ": error: cannot read the file\n";
        return BadInput;
    }
    PolicyParseResult parsed = PolicyParser::parse(*text, file.toStdString());
    if (!parsed.ok()) {
        for (const auto &d : parsed.diagnostics)
            printDiagnostic(file, d);
        return BadInput;
    }
    out() << QString::fromStdString(formatPolicySet(parsed.policySet));
    out().flush();
    return Ok;
}

int runCorpusTest(const QString &testFile, const QString &root)
{
    const IntegrationTestResult r = runIntegrationTest(testFile.toStdString(), root.toStdString());
    if (!r.loaded) {
        err() << testFile << ": error: " << QString::fromStdString(r.error) << '\n';
        return BadInput;
    }
    for (const auto &q : r.requests) {
        out() << (q.passed ? "PASS " : "FAIL ") << QString::fromStdString(q.description);
        if (!q.passed)
            out() << ": " << QString::fromStdString(q.detail);
        out() << '\n';
    }
    out() << r.passed << " passed, " << r.failed << " failed\n";
    out().flush();
    return r.failed == 0 ? Ok : GateTripped;
}

int runEval(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addOption({QStringLiteral("policies"), QStringLiteral("Cedar policy file"), QStringLiteral("file")});
    parser.addOption({QStringLiteral("entities"), QStringLiteral("entities JSON"), QStringLiteral("file")});
    parser.addOption({QStringLiteral("request"), QStringLiteral("request JSON"), QStringLiteral("file")});
    parser.addOption({QStringLiteral("schema"), QStringLiteral("Cedar schema"), QStringLiteral("file")});
    parser.addOption({QStringLiteral("corpus-test"), QStringLiteral("Cedar integration test file"), QStringLiteral("file")});
    parser.addOption({QStringLiteral("root"), QStringLiteral("directory the test's paths are relative to"), QStringLiteral("dir")});
    parser.addHelpOption();
    if (!parser.parse(QStringList{QStringLiteral("policy eval")} + args)) {
        err() << "chainsight-cli policy eval: " << parser.errorText() << '\n';
        printUsage(err());
        return BadInput;
    }
    if (parser.isSet(QStringLiteral("corpus-test"))) {
        const QString root = parser.isSet(QStringLiteral("root"))
            ? parser.value(QStringLiteral("root"))
            : QFileInfo(parser.value(QStringLiteral("corpus-test"))).absolutePath();
        return runCorpusTest(parser.value(QStringLiteral("corpus-test")), root);
    }
    for (const char *required : {"policies", "entities", "request"}) {
        if (!parser.isSet(QString::fromLatin1(required))) {
            err() << "chainsight-cli policy eval: --" << required << " is required\n";
            printUsage(err());
            return BadInput;
        }
    }
    const QString policyFile = parser.value(QStringLiteral("policies"));
    auto policyText = readFile(policyFile);
    if (!policyText) {
        err() << policyFile << ": error: cannot read the file\n";
        return BadInput;
    }
    PolicyParseResult parsed = PolicyParser::parse(*policyText, policyFile.toStdString());
    if (!parsed.ok()) {
        for (const auto &d : parsed.diagnostics)
            printDiagnostic(policyFile, d);
        return BadInput;
    }
    std::optional<Schema> schema;
    if (parser.isSet(QStringLiteral("schema"))) {
        bool failed = false;
        schema = loadSchema(parser.value(QStringLiteral("schema")), failed);
        if (failed)
            return BadInput;
    }
    const Schema *schemaPtr = schema ? &*schema : nullptr;
    auto readJson = [&](const QString &path, nlohmann::json &json) {
        auto text = readFile(path);
        if (!text) {
            err() << path << ": error: cannot read the file\n";
            return false;
        }
        json = nlohmann::json::parse(*text, nullptr, false);
        if (json.is_discarded()) {
            err() << path << ": error: invalid JSON\n";
            return false;
        }
        return true;
    };
    nlohmann::json entitiesJson;
    nlohmann::json requestJson;
    const QString entitiesFile = parser.value(QStringLiteral("entities"));
    const QString requestFile = parser.value(QStringLiteral("request"));
    if (!readJson(entitiesFile, entitiesJson) || !readJson(requestFile, requestJson))
        return BadInput;
    EntityStore store;
    std::string error;
    if (!EntityStore::fromJson(entitiesJson, schemaPtr, store, error)) {
        err() << entitiesFile << ": error: " << QString::fromStdString(error) << '\n';
        return BadInput;
    }
    auto parseRequest = [&](const nlohmann::json &j, Request &request) {
        if (!j.is_object() || !entityUidFromJson(j.value("principal", nlohmann::json()), request.principal, error)
            || !entityUidFromJson(j.value("action", nlohmann::json()), request.action, error)
            || !entityUidFromJson(j.value("resource", nlohmann::json()), request.resource, error)) {
            if (error.empty())
                error = "a request must be an object with principal, action and resource";
            return false;
        }
        SchemaTypePtr contextType;
        if (schemaPtr)
            if (const SchemaAction *a = schemaPtr->action(request.action))
                contextType = a->context;
        if (j.contains("context")) {
            Value context;
            if (!valueFromJson(j["context"], contextType, schemaPtr, context, error) || context.kind() != ValueKind::Record) {
                error = "context: " + (error.empty() ? std::string("must be an object") : error);
                return false;
            }
            request.context = context;
        }
        return true;
    };
    auto responseJson = [&](const Response &response) {
        nlohmann::json result;
        result["decision"] = response.decision == Decision::Allow ? "allow" : "deny";
        result["reason"] = response.reasons;
        auto errors = nlohmann::json::array();
        for (const auto &e : response.errors)
            errors.push_back({{"policy", e.policyId}, {"message", e.message}});
        result["errors"] = errors;
        return result;
    };
    auto dump = [](const nlohmann::json &j) {
        return QString::fromStdString(j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
    };
    Authorizer authorizer(parsed.policySet, store);
    if (requestJson.is_array()) {
        // A request set: one result per request, then author diagnostics over the whole set.
        std::vector<Request> requests;
        for (size_t i = 0; i < requestJson.size(); ++i) {
            Request request;
            if (!parseRequest(requestJson[i], request)) {
                err() << requestFile << ": error: request #" << i << ": " << QString::fromStdString(error) << '\n';
                return BadInput;
            }
            requests.push_back(request);
        }
        nlohmann::json batch = nlohmann::json::object();
        auto results = nlohmann::json::array();
        for (const Request &r : requests)
            results.push_back(responseJson(authorizer.isAuthorized(r)));
        batch["results"] = results;
        const PolicyUsageReport usage = analyzePolicyUsage(authorizer, requests);
        auto policies = nlohmann::json::array();
        for (const auto &u : usage.policies)
            policies.push_back({{"policy", u.policyId}, {"applied", u.applied}, {"determining", u.determining}, {"erred", u.erred}});
        batch["policies"] = policies;
        for (const auto &d : usage.diagnostics)
            printDiagnostic(policyFile, d);
        err().flush();
        out() << dump(batch) << '\n';
        out().flush();
        return Ok;
    }
    Request request;
    if (!parseRequest(requestJson, request)) {
        err() << requestFile << ": error: " << QString::fromStdString(error) << '\n';
        return BadInput;
    }
    const Response response = authorizer.isAuthorized(request);
    nlohmann::json result = responseJson(response);
    auto explanations = nlohmann::json::array();
    for (const auto &x : explainRequest(authorizer, request))
        explanations.push_back(explanationToJson(x));
    result["explanations"] = explanations;
    out() << dump(result) << '\n';
    out().flush();
    return Ok;
}

} // namespace

int runPolicyCommand(const QStringList &arguments)
{
    try {
        if (arguments.isEmpty()) {
            printUsage(err());
            return BadInput;
        }
        const QString sub = arguments.constFirst();
        const QStringList rest = arguments.mid(1);
        if (sub == QLatin1String("check"))
            return runCheck(rest);
        if (sub == QLatin1String("format"))
            return runFormat(rest);
        if (sub == QLatin1String("eval"))
            return runEval(rest);
        if (sub == QLatin1String("--help") || sub == QLatin1String("-h") || sub == QLatin1String("help")) {
            printUsage(out());
            return Ok;
        }
        err() << "chainsight-cli policy: unknown subcommand '" << sub << "'\n";
        printUsage(err());
        return BadInput;
    } catch (const std::exception &e) {
        err() << "chainsight-cli policy: internal error: " << e.what() << '\n';
        return InternalError;
    }
}

} // namespace chainsight::cli

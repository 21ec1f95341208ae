#include "cedar/IntegrationTest.h"

#include "cedar/Authorizer.h"
#include "cedar/PolicyParser.h"
#include "cedar/Schema.h"
#include "cedar/ValueJson.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

namespace chainsight::cedar {

std::string readTextFile(const std::string &path, bool &ok)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        ok = false;
        return {};
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    ok = true;
    return ss.str();
}

namespace {

std::string joinPath(const std::string &root, const std::string &rel)
{
    if (rel.empty() || rel[0] == '/' || root.empty())
        return rel;
    return root.back() == '/' ? root + rel : root + "/" + rel;
}

std::string joinIds(const std::set<std::string> &ids)
{
    std::string s = "[";
    for (const auto &i : ids)
        s += (s.size() > 1 ? "," : "") + i;
    return s + "]";
}

} // namespace

IntegrationTestResult runIntegrationTest(const std::string &testFile, const std::string &root)
{
    IntegrationTestResult result;
    bool ok = false;
    const std::string text = readTextFile(testFile, ok);
    if (!ok) {
        result.error = "cannot read " + testFile;
        return result;
    }
    const nlohmann::json test = nlohmann::json::parse(text, nullptr, false);
    if (test.is_discarded() || !test.is_object()) {
        result.error = testFile + ": not a JSON object";
        return result;
    }
    const std::string policyText = readTextFile(joinPath(root, test.value("policies", "")), ok);
    if (!ok) {
        result.error = "cannot read policies " + test.value("policies", "");
        return result;
    }
    PolicyParseResult parsed = PolicyParser::parse(policyText, test.value("policies", ""));
    if (!parsed.ok()) {
        const auto &d = parsed.diagnostics.front();
        result.error = "policy parse error " + std::to_string(d.location.line) + ":" + std::to_string(d.location.column)
            + ": " + d.message;
        return result;
    }
    std::optional<Schema> schema;
    if (test.contains("schema") && test["schema"].is_string()) {
        const std::string schemaText = readTextFile(joinPath(root, test["schema"].get<std::string>()), ok);
        if (ok) {
            std::vector<Diagnostic> diags;
            schema = Schema::parse(schemaText, diags);
            if (!schema) {
                result.error = "schema parse error " + std::to_string(diags.front().location.line) + ":"
                    + std::to_string(diags.front().location.column) + ": " + diags.front().message;
                return result;
            }
        }
    }
    const std::string entitiesText = readTextFile(joinPath(root, test.value("entities", "")), ok);
    if (!ok) {
        result.error = "cannot read entities " + test.value("entities", "");
        return result;
    }
    const nlohmann::json entitiesJson = nlohmann::json::parse(entitiesText, nullptr, false);
    EntityStore store;
    std::string error;
    if (entitiesJson.is_discarded() || !EntityStore::fromJson(entitiesJson, schema ? &*schema : nullptr, store, error)) {
        result.error = "entities: " + (error.empty() ? std::string("invalid JSON") : error);
        return result;
    }
    Authorizer authorizer(parsed.policySet, store);
    result.loaded = true;
    int index = 0;
    for (const auto &req : test.value("requests", nlohmann::json::array())) {
        IntegrationRequestResult rr;
        rr.description = req.value("description", "request " + std::to_string(index));
        ++index;
        Request request;
        std::string err;
        if (!entityUidFromJson(req["principal"], request.principal, err)
            || !entityUidFromJson(req["action"], request.action, err)
            || !entityUidFromJson(req["resource"], request.resource, err)) {
            rr.detail = "bad request entity: " + err;
            result.requests.push_back(rr);
            ++result.failed;
            continue;
        }
        SchemaTypePtr contextType;
        if (schema)
            if (const SchemaAction *a = schema->action(request.action))
                contextType = a->context;
        Value context = Value::record({});
        if (req.contains("context") && !valueFromJson(req["context"], contextType, schema ? &*schema : nullptr, context, err)) {
            rr.detail = "bad context: " + err;
            result.requests.push_back(rr);
            ++result.failed;
            continue;
        }
        request.context = context;
        const Response response = authorizer.isAuthorized(request);
        const std::string decision = response.decision == Decision::Allow ? "allow" : "deny";
        std::set<std::string> reasons(response.reasons.begin(), response.reasons.end());
        std::set<std::string> errors;
        for (const auto &e : response.errors)
            errors.insert(e.policyId);
        std::set<std::string> wantReasons;
        for (const auto &r : req.value("reason", nlohmann::json::array()))
            wantReasons.insert(r.get<std::string>());
        std::set<std::string> wantErrors;
        for (const auto &e : req.value("errors", nlohmann::json::array()))
            wantErrors.insert(e.is_string() ? e.get<std::string>() : e.value("policyId", ""));
        const std::string wantDecision = req.value("decision", "");
        rr.passed = decision == wantDecision && reasons == wantReasons && errors == wantErrors;
        if (!rr.passed) {
            rr.detail = "expected " + wantDecision + " reason " + joinIds(wantReasons) + " errors " + joinIds(wantErrors)
                + ", got " + decision + " reason " + joinIds(reasons) + " errors " + joinIds(errors);
            for (const auto &e : response.errors)
                rr.detail += "\n    " + e.policyId + ": " + e.message;
        }
        (rr.passed ? result.passed : result.failed) += 1;
        result.requests.push_back(std::move(rr));
    }
    return result;
}

} // namespace chainsight::cedar

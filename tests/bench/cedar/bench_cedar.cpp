// Replays 1,000,000 agent tool-call requests against 50 Cedar policies over 10,000 entities on one
// core, then times the reference engine (cedar-wasm) on a sample of the same requests.
#include "cedar/Authorizer.h"
#include "cedar/PolicyParser.h"
#include "cedar/ValueJson.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <string>
#include <unistd.h>

// GCC 12 reports a false -Wrestrict inside std::string's operator+ at -O2 (GCC bug 105329).
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ == 12
#pragma GCC diagnostic ignored "-Wrestrict"
#endif

using namespace chainsight::cedar;
using nlohmann::json;

namespace {

// CPU time of this thread: on a shared machine it counts only the time this core spent on our work.
double threadCpuSeconds()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

constexpr int kDepartments = 20;
constexpr int kHumans = 400;
constexpr int kAgents = 7500;
constexpr int kCategories = 12;
constexpr int kToolActions = 60;
constexpr int kTools = 10000 - kDepartments - kHumans - kAgents - kCategories - kToolActions - kCategories;
constexpr int kRequests = 1000000;
constexpr int kContexts = 65536;

const char *const kSensitivity[] = {"low", "medium", "high", "critical"};
const char *const kProtocols[] = {"mcp", "mcp-2026", "a2a", "openai-tools", "bedrock-agentcore"};
const char *const kScopes[] = {"tools:read", "tools:write", "files:read", "files:write", "mail:send", "crm:read",
                               "crm:write", "payments:create", "admin"};

json uid(const std::string &type, const std::string &id)
{
    return json{{"type", type}, {"id", id}};
}

struct World final {
    json entities = json::array();
    std::string policies;
    std::vector<int> agentOwner;         // human index per agent
    std::vector<int> humanDepartment;    // department per human
    std::vector<int> toolCategory;       // category per tool
    std::vector<int> actionCategory;     // category per tool action
    std::vector<std::vector<int>> agentActions;
};

World buildWorld(std::mt19937_64 &rng)
{
    World w;
    auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
    for (int d = 0; d < kDepartments; ++d)
        w.entities.push_back({{"uid", uid("Department", "d" + std::to_string(d))}, {"attrs", json::object()}, {"parents", json::array()}});
    for (int h = 0; h < kHumans; ++h) {
        const int d = h % kDepartments;
        w.humanDepartment.push_back(d);
        w.entities.push_back({{"uid", uid("Human", "h" + std::to_string(h))},
                              {"attrs", {{"clearance", pick(0, 4)}}},
                              {"parents", json::array({uid("Department", "d" + std::to_string(d))})}});
    }
    for (int c = 0; c < kCategories; ++c) {
        w.entities.push_back({{"uid", uid("ToolCategory", "c" + std::to_string(c))}, {"attrs", json::object()}, {"parents", json::array()}});
        w.entities.push_back({{"uid", uid("Action", "category:" + std::to_string(c))}, {"attrs", json::object()}, {"parents", json::array()}});
    }
    for (int a = 0; a < kToolActions; ++a) {
        const int c = a % kCategories;
        w.actionCategory.push_back(c);
        w.entities.push_back({{"uid", uid("Action", "tool" + std::to_string(a))},
                              {"attrs", json::object()},
                              {"parents", json::array({uid("Action", "category:" + std::to_string(c))})}});
    }
    for (int t = 0; t < kTools; ++t) {
        const int c = t % kCategories;
        w.toolCategory.push_back(c);
        w.entities.push_back({{"uid", uid("Tool", "t" + std::to_string(t))},
                              {"attrs", {{"sensitivity", kSensitivity[pick(0, 3)]}, {"protocol", kProtocols[pick(0, 4)]}}},
                              {"parents", json::array({uid("ToolCategory", "c" + std::to_string(c))})}});
    }
    for (int a = 0; a < kAgents; ++a) {
        const int h = pick(0, kHumans - 1);
        w.agentOwner.push_back(h);
        std::vector<int> actions;
        json intents = json::array();
        for (int k = 0; k < 4; ++k) {
            actions.push_back(pick(0, kToolActions - 1));
            intents.push_back("tool" + std::to_string(actions.back()));
        }
        w.agentActions.push_back(actions);
        json parents = json::array({uid("Human", "h" + std::to_string(h))});
        if (a % 3 != 0) // workers and sub-agents also sit under a supervisor agent
            parents.push_back(uid("Agent", "a" + std::to_string(a - a % 3)));
        w.entities.push_back({{"uid", uid("Agent", "a" + std::to_string(a))},
                              {"attrs", {{"risk", pick(0, 9)}, {"maxDepth", pick(2, 5)}, {"intents", intents},
                                         {"tier", a % 3 == 0 ? "supervisor" : (a % 3 == 1 ? "worker" : "sub-agent")}}},
                              {"parents", parents}});
    }
    // 50 policies in the shapes policy authors write for agent tool calls.
    std::string &p = w.policies;
    for (int d = 0; d < kDepartments; ++d) {
        const int c = d % kCategories;
        p += "@id(\"dept-" + std::to_string(d) + "-category-" + std::to_string(c) + "\")\n"
             "permit(principal in Department::\"d" + std::to_string(d) + "\", action in Action::\"category:" + std::to_string(c)
            + "\", resource in ToolCategory::\"c" + std::to_string(c) + "\")\nwhen { context.delegation_depth <= principal.maxDepth"
              " && context.scopes.contains(\"" + kScopes[d % 9] + "\") };\n";
    }
    for (int c = 0; c < kCategories; ++c)
        p += "@id(\"category-" + std::to_string(c) + "-agents\")\n"
             "permit(principal is Agent, action in Action::\"category:" + std::to_string(c) + "\", resource is Tool)\n"
             "when { principal.intents.contains(context.tool_name) && principal.risk < 7 && context.protocol like \"mcp*\" };\n";
    p += "@id(\"critical-needs-approval\")\nforbid(principal, action, resource is Tool)\n"
         "when { resource.sensitivity == \"critical\" && !context.approved };\n";
    p += "@id(\"max-delegation-depth\")\nforbid(principal is Agent, action, resource)\nwhen { context.delegation_depth > 5 };\n";
    p += "@id(\"known-protocols\")\nforbid(principal, action, resource)\n"
         "unless { context.protocol like \"mcp*\" || context.protocol == \"a2a\" || context.protocol == \"bedrock-agentcore\" };\n";
    p += "@id(\"admin-scope-humans-only\")\nforbid(principal is Agent, action, resource)\nwhen { context.scopes.contains(\"admin\") };\n";
    p += "@id(\"corporate-network\")\nforbid(principal, action in Action::\"category:3\", resource)\n"
         "unless { context.source_ip.isInRange(ip(\"10.0.0.0/8\")) };\n";
    p += "@id(\"office-hours-payments\")\nforbid(principal, action == Action::\"tool7\", resource)\n"
         "when { context.time.toTime() < duration(\"7h\") || context.time.toTime() > duration(\"20h\") };\n";
    p += "@id(\"originator-cleared\")\nforbid(principal, action in [Action::\"category:5\", Action::\"category:6\"], resource)\n"
         "when { context has originator && context.originator.clearance < 2 };\n";
    p += "@id(\"high-risk-agents\")\nforbid(principal is Agent, action, resource is Tool)\n"
         "when { principal.risk >= 9 && resource.sensitivity != \"low\" };\n";
    p += "@id(\"sub-agent-write\")\nforbid(principal is Agent, action in Action::\"category:1\", resource)\n"
         "when { principal.tier == \"sub-agent\" && !(context.scopes.containsAny([\"tools:write\", \"files:write\"])) };\n";
    p += "@id(\"chain-includes-supervisor\")\npermit(principal is Agent, action in Action::\"category:0\", resource)\n"
         "when { context.chain.containsAll([principal]) && context.delegation_depth < 3 };\n";
    for (int i = 0; i < 8; ++i)
        p += "@id(\"human-direct-" + std::to_string(i) + "\")\npermit(principal == Human::\"h" + std::to_string(i * 7)
            + "\", action, resource is Tool in ToolCategory::\"c" + std::to_string(i) + "\");\n";
    return w;
}

json makeContext(std::mt19937_64 &rng, const World &w, int agent, int action)
{
    auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
    json scopes = json::array();
    const int n = pick(1, 4);
    for (int i = 0; i < n; ++i)
        scopes.push_back(kScopes[pick(0, 8)]);
    json chain = json::array();
    for (int i = 0; i <= agent % 3; ++i)
        chain.push_back(json{{"__entity", uid("Agent", "a" + std::to_string(agent - agent % 3 + i))}});
    json ctx = {{"delegation_depth", agent % 3 + pick(0, 4)},
                {"scopes", scopes},
                {"protocol", kProtocols[pick(0, 4)]},
                {"approved", pick(0, 3) != 0},
                {"tool_name", "tool" + std::to_string(action)},
                {"chain", chain},
                {"source_ip", json{{"__extn", {{"fn", "ip"}, {"arg", pick(0, 9) ? "10.1.2." + std::to_string(pick(1, 254)) : "203.0.113.7"}}}}},
                {"time", json{{"__extn", {{"fn", "datetime"}, {"arg", "2026-03-" + std::string(pick(0, 1) ? "0" : "1") + std::to_string(pick(1, 9))
                                                                         + "T" + (pick(0, 1) ? "0" : "1") + std::to_string(pick(0, 9)) + ":15:00Z"}}}}}};
    if (pick(0, 4) != 0)
        ctx["originator"] = json{{"__entity", uid("Human", "h" + std::to_string(w.agentOwner[static_cast<size_t>(agent)]))}};
    return ctx;
}

std::string shell(const std::string &cmd, int &status)
{
    std::string out;
    FILE *p = popen(cmd.c_str(), "r");
    if (!p) {
        status = -1;
        return out;
    }
    char buf[65536];
    size_t n = 0;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0)
        out.append(buf, n);
    status = pclose(p);
    return out;
}

} // namespace

int main(int argc, char **argv)
{
    const int wasmSample = argc > 1 ? std::atoi(argv[1]) : 20000;
    std::mt19937_64 rng(42);
    auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };

    const auto setupStart = std::chrono::steady_clock::now();
    World world = buildWorld(rng);
    const auto parsed = PolicyParser::parse(world.policies, "bench.cedar");
    if (!parsed.ok()) {
        std::fprintf(stderr, "policy parse error: %s\n", parsed.diagnostics.front().message.c_str());
        return 3;
    }
    EntityStore store;
    std::string error;
    if (!EntityStore::fromJson(world.entities, nullptr, store, error)) {
        std::fprintf(stderr, "entities: %s\n", error.c_str());
        return 3;
    }
    Authorizer authorizer(parsed.policySet, store);

    // Requests: an agent calls one of its intended tools (sometimes another), on a tool of that category.
    std::vector<Value> contexts;
    std::vector<json> contextJson;
    contexts.reserve(kContexts);
    struct Triple final {
        EntityUid principal;
        EntityUid action;
        EntityUid resource;
        uint32_t context;
        int agent;
    };
    std::vector<Triple> triples;
    triples.reserve(kRequests);
    // Contexts come in workflows, as in a recorded trace: a supervisor and its two delegates make
    // 8 to 24 consecutive tool calls on a handful of tools.
    struct CallShape final {
        int agent;
        int action;
        int tool;
    };
    std::vector<CallShape> shapes;
    shapes.reserve(kContexts);
    while (static_cast<int>(shapes.size()) < kContexts) {
        const int supervisor = pick(0, kAgents / 3 - 1) * 3;
        int tools[3];
        const int calls = pick(8, 24);
        for (int &t : tools)
            t = pick(0, kTools - 1);
        for (int k = 0; k < calls && static_cast<int>(shapes.size()) < kContexts; ++k) {
            const int agent = supervisor + pick(0, 2);
            const auto &acts = world.agentActions[static_cast<size_t>(agent)];
            const int action = pick(0, 9) ? acts[static_cast<size_t>(pick(0, 3))] : pick(0, kToolActions - 1);
            const int category = world.actionCategory[static_cast<size_t>(action)];
            // Mostly a tool of the action's category, sometimes one of the workflow's other tools.
            int tool = tools[pick(0, 2)];
            if (pick(0, 3) != 0)
                tool = (tool / kCategories) * kCategories + category;
            if (tool >= kTools)
                tool = category;
            shapes.push_back({agent, action, tool});
        }
    }
    for (int i = 0; i < kContexts; ++i) {
        const CallShape &shape = shapes[static_cast<size_t>(i)];
        json cj = makeContext(rng, world, shape.agent, shape.action);
        Value v;
        if (!valueFromJson(cj, nullptr, nullptr, v, error)) {
            std::fprintf(stderr, "context: %s\n", error.c_str());
            return 3;
        }
        contexts.push_back(v);
        // Keep JSON only for the reference sample, so the contexts replayed here sit densely in memory.
        if (i < wasmSample)
            contextJson.push_back(std::move(cj));
    }
    // Replay order: a recorded trace is read front to back, so request i carries event i's context.
    for (int i = 0; i < kRequests; ++i) {
        const auto c = static_cast<uint32_t>(i % kContexts);
        const CallShape &shape = shapes[c];
        const bool human = pick(0, 49) == 0;
        triples.push_back({human ? internUid("Human", "h" + std::to_string(pick(0, 63)))
                                 : internUid("Agent", "a" + std::to_string(shape.agent)),
                           internUid("Action", "tool" + std::to_string(shape.action)),
                           internUid("Tool", "t" + std::to_string(shape.tool)), c, shape.agent});
    }
    std::vector<Request> requests(triples.size());
    for (size_t i = 0; i < triples.size(); ++i)
        requests[i] = Request{triples[i].principal, triples[i].action, triples[i].resource, contexts[triples[i].context]};
    const double setupSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - setupStart).count();

    // Warm caches, then time decisions on this one thread.
    size_t allowed = 0;
    for (size_t i = 0; i < 10000; ++i)
        allowed += authorizer.decide(requests[i]) == Decision::Allow;
    allowed = 0;
    auto t0 = std::chrono::steady_clock::now();
    double c0 = threadCpuSeconds();
    for (const Request &r : requests)
        allowed += authorizer.decide(r) == Decision::Allow;
    const double decideSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double decideCpu = threadCpuSeconds() - c0;

    size_t erred = 0;
    size_t allowedFull = 0;
    t0 = std::chrono::steady_clock::now();
    c0 = threadCpuSeconds();
    for (const Request &r : requests) {
        const Response resp = authorizer.isAuthorized(r);
        allowedFull += resp.decision == Decision::Allow;
        erred += !resp.errors.empty();
    }
    const double fullSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double fullCpu = threadCpuSeconds() - c0;

    // Rates per second of CPU time on one core; wall-clock rates are printed beside them.
    const double decideRate = kRequests / decideCpu;
    const double fullRate = kRequests / fullCpu;
    std::printf("world: %zu entities, %zu policies, %d requests (%d distinct contexts), setup %.2f s\n", store.size(),
                parsed.policySet.policies.size(), kRequests, kContexts, setupSeconds);
    std::printf("chainsight decide():       %.0f decisions/s on one core (CPU %.3f s; wall %.3f s = %.0f/s; %zu allowed)\n",
                decideRate, decideCpu, decideSeconds, kRequests / decideSeconds, allowed);
    std::printf("chainsight isAuthorized(): %.0f decisions/s on one core (CPU %.3f s; wall %.3f s = %.0f/s; reasons and "
                "errors collected, %zu with errors)\n",
                fullRate, fullCpu, fullSeconds, kRequests / fullSeconds, erred);
    std::printf("target: 1000000 decisions/s: %s\n", decideRate >= 1e6 ? "met" : "NOT met");
    if (allowed != allowedFull) {
        std::fprintf(stderr, "decide() and isAuthorized() disagree: %zu vs %zu\n", allowed, allowedFull);
        return 3;
    }

    // Reference engine on the first requests, each with the entity slice it needs.
    const std::string modules = std::string(CEDAR_REFERENCE_DIR) + "/node_modules";
    int status = 0;
    const std::string nodePath = shell("command -v node 2>/dev/null", status);
    if (status != 0 || nodePath.empty()) {
        std::printf("cedar-wasm: skipped (node is not installed)\n");
        return 0;
    }
    if (!std::filesystem::exists(modules + "/@cedar-policy/cedar-wasm/package.json")) {
        std::printf("cedar-wasm: skipped (run npm ci --prefix tests/cedar/differential)\n");
        return 0;
    }
    std::string dirTemplate = (std::filesystem::temp_directory_path() / "chainsight-bench-cedar-XXXXXX").string();
    const char *work = mkdtemp(dirTemplate.data());
    if (!work) {
        std::printf("cedar-wasm: skipped (no temporary directory)\n");
        return 0;
    }
    const std::string workDir = work;
    std::ofstream(workDir + "/policies.cedar") << world.policies;
    std::ofstream(workDir + "/entities.json") << world.entities.dump();
    std::unordered_map<std::string, const json *> byUid;
    for (const auto &e : world.entities)
        byUid[e["uid"]["type"].get<std::string>() + "\x1f" + e["uid"]["id"].get<std::string>()] = &e;
    auto slice = [&](const std::vector<json> &roots) {
        json out = json::array();
        std::set<std::string> seen;
        std::vector<json> queue = roots;
        for (size_t i = 0; i < queue.size(); ++i) {
            const std::string key = queue[i]["type"].get<std::string>() + "\x1f" + queue[i]["id"].get<std::string>();
            if (!seen.insert(key).second)
                continue;
            auto it = byUid.find(key);
            if (it == byUid.end())
                continue;
            out.push_back(*it->second);
            for (const auto &p : (*it->second)["parents"])
                queue.push_back(p);
        }
        return out;
    };
    const int sample = std::min<int>(std::min(wasmSample, kContexts), kRequests);
    json sampleJson = json::array();
    for (int i = 0; i < sample; ++i) {
        const Request &r = requests[static_cast<size_t>(i)];
        const json &ctx = contextJson[triples[static_cast<size_t>(i)].context];
        std::vector<json> roots{entityUidToJson(r.principal), entityUidToJson(r.action), entityUidToJson(r.resource)};
        if (ctx.contains("originator"))
            roots.push_back(ctx["originator"]["__entity"]);
        sampleJson.push_back({{"principal", entityUidToJson(r.principal)},
                              {"action", entityUidToJson(r.action)},
                              {"resource", entityUidToJson(r.resource)},
                              {"context", ctx},
                              {"entities", slice(roots)}});
    }
    std::ofstream(workDir + "/requests.json") << sampleJson.dump();

    // Node 20's TurboFan inliner crashes (V8 "unreachable code" in the deoptimizer) on this loop; the
    // flag keeps the optimising compiler and only turns inlining off.
    const std::string out = shell("node --no-turbo-inlining \"" CEDAR_BENCH_SCRIPT "\" \"" + modules + "\" \"" + workDir
                                      + "\" 20",
                                  status);
    if (!std::getenv("CEDAR_BENCH_KEEP"))
        std::filesystem::remove_all(workDir);
    else
        std::printf("kept %s\n", workDir.c_str());
    const json result = json::parse(out, nullptr, false);
    if (status != 0 || result.is_discarded()) {
        std::printf("cedar-wasm: failed to run (status %d)\n", status);
        return 3;
    }
    // Same sample, same decisions: our engine on those requests.
    int mismatches = 0;
    for (int i = 0; i < sample; ++i) {
        const int ours = authorizer.decide(requests[static_cast<size_t>(i)]) == Decision::Allow ? 1 : 0;
        mismatches += ours != result["decisions"][static_cast<size_t>(i)].get<int>();
    }
    const double wasmRate = result["calls"].get<double>() / result["seconds"].get<double>();
    const double wasmFullRate = result["fullStoreCalls"].get<double>() / result["fullStoreSeconds"].get<double>();
    std::printf("cedar-wasm %s statefulIsAuthorized (preparsed policies, per-request entity slice): %.0f decisions/s "
                "(%d requests)\n",
                result["version"].get<std::string>().c_str(), wasmRate, sample);
    std::printf("cedar-wasm statefulIsAuthorized with the whole 10,000-entity store per call: %.1f decisions/s (%d requests)\n",
                wasmFullRate, result["fullStoreCalls"].get<int>());
    std::printf("ratio chainsight decide() / cedar-wasm: %.1fx (isAuthorized(): %.1fx); whole-store ratio: %.0fx\n",
                decideRate / wasmRate, fullRate / wasmRate, decideRate / wasmFullRate);
    std::printf("decisions on the sample: %d of %d differ from cedar-wasm\n", mismatches, sample);
    return mismatches == 0 ? 0 : 1;
}

#pragma once

#include "cedar/EntityStore.h"
#include "cedar/Policy.h"
#include "cedar/Value.h"

#include <string>

namespace chainsight::cedar {

struct Request final {
    EntityUid principal = nullptr;
    EntityUid action = nullptr;
    EntityUid resource = nullptr;
    Value context = Value::record({});
};

// Raised inside the evaluator only; the authorizer turns it into a per-policy error.
struct EvaluationError final {
    std::string message;
    const Expr *expr = nullptr;
};

// Folds constant sub-expressions (literal sets and records, extension constructors of literals)
// so they are built once per policy set instead of once per request.
void compileExpression(Expr &expr);

// Tree-walking evaluator over compiled expressions for one request. Recursion depth is bounded by
// the parser's limit on expression depth.
class Evaluator final {
public:
    Evaluator(const EntityStore &store, const Request &request) : m_store(store), m_request(request) {}

    // Throws EvaluationError on a Cedar evaluation error.
    Value evaluate(const Expr &expr) const;
    // Evaluates a condition or returns the error; no exception escapes.
    bool tryEvaluate(const Expr &expr, Value &out, EvaluationError &error) const;

    bool scopeMatches(const ScopeConstraint &scope, EntityUid uid) const;
    // Evaluates a condition that must be a boolean (type error otherwise), without building Values.
    bool testOperand(const Expr &expr) const;

private:
    // Evaluates without copying when the value already lives in the request, the store or the policy;
    // otherwise the result is built in tmp.
    const Value &ref(const Expr &expr, Value &tmp) const;
    bool test(const Expr &expr) const;
    Value evalExtension(const Expr &expr) const;
    [[noreturn]] static void fail(const Expr &expr, std::string message);
    static void expectKind(const Expr &at, const Value &v, ValueKind kind)
    {
        if (v.kind() != kind) [[unlikely]]
            failKind(at, v, kind);
    }
    [[noreturn]] static void failKind(const Expr &at, const Value &v, ValueKind kind);

    const EntityStore &m_store;
    const Request &m_request;
};

// Applies an extension function to already-evaluated arguments (receiver first).
Value applyExtension(const Expr &expr, const std::vector<Value> &args);
bool matchesPattern(std::string_view text, const std::vector<PatternElement> &pattern);
bool matchesPattern(std::string_view text, const std::vector<int16_t> &flatPattern);
std::vector<int16_t> flattenPattern(const std::vector<PatternElement> &pattern);

} // namespace chainsight::cedar

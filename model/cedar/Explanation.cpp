#include "cedar/Explanation.h"

namespace chainsight::cedar {

namespace {

std::string textOf(const PolicySet &ps, const SourceSpan &span)
{
    if (!ps.source || span.end.offset <= span.begin.offset || span.end.offset > ps.source->size())
        return {};
    std::string s = ps.source->substr(span.begin.offset, span.end.offset - span.begin.offset);
    if (s.size() > 300) {
        size_t cut = 300;
        while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80)
            --cut; // never split a UTF-8 sequence
        s = s.substr(0, cut) + "…";
    }
    return s;
}

std::string render(const Evaluator &ev, const Expr &e)
{
    Value v;
    EvaluationError err;
    if (!ev.tryEvaluate(e, v, err))
        return "error: " + err.message;
    return toCedar(v, 120);
}

bool evalBool(const Evaluator &ev, const Expr &e, bool &out)
{
    Value v;
    EvaluationError err;
    if (!ev.tryEvaluate(e, v, err) || v.kind() != ValueKind::Bool)
        return false;
    out = v.asBool();
    return true;
}

// Finds the sub-expression responsible for `e` not having the value `wanted`. Depth is bounded by the parser.
const Expr &blame(const Evaluator &ev, const Expr &e, bool wanted)
{
    bool l = false;
    switch (e.kind) {
    case ExprKind::And:
        if (wanted && evalBool(ev, e.children[0], l))
            return l ? blame(ev, e.children[1], true) : blame(ev, e.children[0], true);
        return e;
    case ExprKind::Or:
        if (!wanted && evalBool(ev, e.children[0], l))
            return l ? blame(ev, e.children[0], false) : blame(ev, e.children[1], false);
        return e;
    case ExprKind::Not: return blame(ev, e.children[0], !wanted);
    case ExprKind::If:
        if (evalBool(ev, e.children[0], l))
            return blame(ev, e.children[l ? 1 : 2], wanted);
        return e;
    default: return e;
    }
}

void observe(const PolicySet &ps, const Evaluator &ev, const Expr &e, std::vector<ObservedValue> &out)
{
    for (const auto &c : e.children) {
        if (c.kind == ExprKind::Literal)
            continue; // a literal shows its value in the text already
        out.push_back({textOf(ps, c.span), render(ev, c)});
    }
    out.push_back({textOf(ps, e.span), render(ev, e)});
}

std::string scopeValueText(EntityUid uid)
{
    return entityToCedar(uid);
}

} // namespace

std::vector<PolicyExplanation> explainRequest(const Authorizer &authorizer, const Request &request)
{
    const PolicySet &ps = authorizer.policySet();
    Evaluator ev(authorizer.entities(), request);
    std::vector<PolicyExplanation> out;
    for (const Policy &p : ps.policies) {
        PolicyExplanation x;
        x.policyId = p.id;
        x.effect = p.effect;
        struct ScopeCheck final {
            const char *name;
            const ScopeConstraint *scope;
            EntityUid uid;
        };
        const ScopeCheck checks[] = {{"principal", &p.principal, request.principal},
                                     {"action", &p.action, request.action},
                                     {"resource", &p.resource, request.resource}};
        bool scopeFailed = false;
        for (const auto &c : checks) {
            if (ev.scopeMatches(*c.scope, c.uid))
                continue;
            x.outcome = PolicyOutcome::NotApplicable;
            x.clause = c.name;
            x.clauseText = textOf(ps, c.scope->span);
            x.expression = x.clauseText;
            x.span = c.scope->span;
            x.values.push_back({c.name, scopeValueText(c.uid)});
            if (c.scope->op == ScopeOp::In || c.scope->op == ScopeOp::IsIn || c.scope->op == ScopeOp::InSet) {
                // Show what the entity is in, so the author sees why the hierarchy did not reach the target.
                std::string ancestors = "[";
                if (const Entity *ent = authorizer.entities().find(c.uid)) {
                    size_t shown = 0;
                    for (EntityUid p2 : ent->parents) {
                        if (shown++ == 10) {
                            ancestors += ", …";
                            break;
                        }
                        ancestors += (shown > 1 ? ", " : "") + entityToCedar(p2);
                    }
                }
                ancestors += "]";
                x.values.push_back({std::string("parents of ") + c.name, ancestors});
            }
            x.message = std::string("the ") + c.name + " scope `" + x.clauseText + "` does not match " + c.name + " = "
                + scopeValueText(c.uid);
            scopeFailed = true;
            break;
        }
        if (!scopeFailed) {
            x.outcome = PolicyOutcome::Applied;
            for (size_t i = 0; i < p.conditions.size(); ++i) {
                const Condition &c = p.conditions[i];
                Value v;
                EvaluationError err;
                const char *kind = c.isWhen ? "when" : "unless";
                if (!ev.tryEvaluate(c.body, v, err)) {
                    x.outcome = PolicyOutcome::Errored;
                    x.clause = kind;
                    x.conditionIndex = static_cast<int>(i);
                    x.clauseText = textOf(ps, c.span);
                    const Expr &at = err.expr ? *err.expr : c.body;
                    x.expression = textOf(ps, at.span);
                    x.span = at.span;
                    observe(ps, ev, at, x.values);
                    x.message = std::string("the ") + kind + " clause erred at `" + x.expression + "`: " + err.message;
                    break;
                }
                if (v.kind() != ValueKind::Bool) {
                    x.outcome = PolicyOutcome::Errored;
                    x.clause = kind;
                    x.conditionIndex = static_cast<int>(i);
                    x.clauseText = textOf(ps, c.span);
                    x.expression = textOf(ps, c.body.span);
                    x.span = c.body.span;
                    x.values.push_back({x.expression, toCedar(v, 120)});
                    x.message = std::string("the ") + kind + " clause is not a boolean";
                    break;
                }
                if (v.asBool() == c.isWhen)
                    continue;
                const Expr &culprit = blame(ev, c.body, c.isWhen);
                x.outcome = PolicyOutcome::NotApplicable;
                x.clause = kind;
                x.conditionIndex = static_cast<int>(i);
                x.clauseText = textOf(ps, c.span);
                x.expression = textOf(ps, culprit.span);
                x.span = culprit.span;
                observe(ps, ev, culprit, x.values);
                x.message = std::string("the ") + kind + " clause is " + (c.isWhen ? "false" : "true") + " because `"
                    + x.expression + "` is " + render(ev, culprit);
                break;
            }
            if (x.outcome == PolicyOutcome::Applied)
                x.message = p.effect == Effect::Permit ? "the policy applies and permits" : "the policy applies and forbids";
        }
        out.push_back(std::move(x));
    }
    return out;
}

nlohmann::json explanationToJson(const PolicyExplanation &x)
{
    nlohmann::json j;
    j["policy"] = x.policyId;
    j["effect"] = x.effect == Effect::Permit ? "permit" : "forbid";
    j["outcome"] = x.outcome == PolicyOutcome::Applied ? "applied"
        : x.outcome == PolicyOutcome::Errored        ? "error"
                                                     : "not-applicable";
    j["message"] = x.message;
    if (!x.clause.empty()) {
        j["clause"] = x.clause;
        if (x.conditionIndex >= 0)
            j["conditionIndex"] = x.conditionIndex;
        j["clauseText"] = x.clauseText;
        j["expression"] = x.expression;
        j["span"] = {{"line", x.span.begin.line}, {"column", x.span.begin.column},
                     {"endLine", x.span.end.line}, {"endColumn", x.span.end.column}};
        auto values = nlohmann::json::array();
        for (const auto &v : x.values)
            values.push_back({{"expression", v.expression}, {"value", v.value}});
        j["values"] = values;
    }
    return j;
}

} // namespace chainsight::cedar

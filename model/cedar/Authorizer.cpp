#include "cedar/Authorizer.h"

#include <algorithm>

namespace chainsight::cedar {

namespace {

bool actionScopeMatches(const ScopeConstraint &scope, EntityUid action, const EntityStore &store)
{
    switch (scope.op) {
    case ScopeOp::Any: return true;
    case ScopeOp::Eq: return action == scope.entity;
    case ScopeOp::In: return store.isIn(action, scope.entity);
    case ScopeOp::InSet:
        return std::any_of(scope.entities.begin(), scope.entities.end(),
                           [&](EntityUid e) { return store.isIn(action, e); });
    case ScopeOp::Is: return action->type == scope.type;
    case ScopeOp::IsIn: return action->type == scope.type && store.isIn(action, scope.entity);
    }
    return false;
}

void orderForbidsFirst(const PolicySet &ps, std::vector<uint32_t> &list)
{
    std::stable_partition(list.begin(), list.end(),
                          [&](uint32_t i) { return ps.policies[i].effect == Effect::Forbid; });
}

} // namespace

Authorizer::Authorizer(const PolicySet &policies, const EntityStore &store) : m_policies(policies), m_store(store)
{
    // Every action uid known to the store or named in a policy gets its candidate list up front.
    // Only action entities: indexing every entity would cost entities x policies on big stores.
    std::vector<EntityUid> actions;
    for (const auto &e : store.entities()) {
        const std::string &t = e.uid->type->name;
        if (t == "Action" || (t.size() > 8 && t.compare(t.size() - 8, 8, "::Action") == 0))
            actions.push_back(e.uid);
    }
    for (const auto &p : policies.policies) {
        if (p.action.entity)
            actions.push_back(p.action.entity);
        for (EntityUid e : p.action.entities)
            actions.push_back(e);
    }
    for (EntityUid a : actions) {
        if (m_byAction.count(a))
            continue;
        std::vector<uint32_t> list;
        for (uint32_t i = 0; i < policies.policies.size(); ++i)
            if (actionScopeMatches(policies.policies[i].action, a, store))
                list.push_back(i);
        orderForbidsFirst(policies, list);
        m_byAction.emplace(a, std::move(list));
    }
    // unordered_map nodes are stable, so the dense table can point into it.
    for (const auto &[uid, list] : m_byAction) {
        if (uid->index >= m_byActionIndex.size())
            m_byActionIndex.resize(static_cast<size_t>(uid->index) + 1, nullptr);
        m_byActionIndex[uid->index] = &list;
    }
}

const std::vector<uint32_t> &Authorizer::candidates(EntityUid action, std::vector<uint32_t> &scratch) const
{
    if (action->index < m_byActionIndex.size())
        if (const auto *list = m_byActionIndex[action->index])
            return *list;
    scratch.clear();
    for (uint32_t i = 0; i < m_policies.policies.size(); ++i)
        if (actionScopeMatches(m_policies.policies[i].action, action, m_store))
            scratch.push_back(i);
    orderForbidsFirst(m_policies, scratch);
    return scratch;
}

Authorizer::Outcome Authorizer::evaluatePolicy(const Policy &policy, const Evaluator &ev, EvaluationError &error) const
{
    try {
        for (const auto &c : policy.conditions)
            if (ev.testOperand(c.body) != c.isWhen)
                return Outcome::NotSatisfied;
    } catch (const EvaluationError &e) {
        error = e;
        return Outcome::Error;
    }
    return Outcome::Satisfied;
}

Response Authorizer::isAuthorized(const Request &request) const
{
    Response r;
    Evaluator ev(m_store, request);
    std::vector<uint32_t> scratch;
    const auto &list = candidates(request.action, scratch);
    std::vector<size_t> permits;
    std::vector<size_t> forbids;
    std::vector<PolicyError> errors;
    EvaluationError err;
    for (uint32_t i : list) {
        const Policy &p = m_policies.policies[i];
        if (!ev.scopeMatches(p.principal, request.principal) || !ev.scopeMatches(p.resource, request.resource))
            continue;
        switch (evaluatePolicy(p, ev, err)) {
        case Outcome::Satisfied: (p.effect == Effect::Permit ? permits : forbids).push_back(i); break;
        case Outcome::NotSatisfied: break;
        case Outcome::Error: errors.push_back(PolicyError{p.id, err.message, i}); break;
        }
    }
    std::sort(errors.begin(), errors.end(), [](const auto &a, const auto &b) { return a.policyIndex < b.policyIndex; });
    r.errors = std::move(errors);
    const auto &determining = forbids.empty() ? permits : forbids;
    r.decision = (forbids.empty() && !permits.empty()) ? Decision::Allow : Decision::Deny;
    r.reasonIndices.assign(determining.begin(), determining.end());
    std::sort(r.reasonIndices.begin(), r.reasonIndices.end());
    for (size_t i : r.reasonIndices)
        r.reasons.push_back(m_policies.policies[i].id);
    r.satisfiedIndices = permits;
    r.satisfiedIndices.insert(r.satisfiedIndices.end(), forbids.begin(), forbids.end());
    std::sort(r.satisfiedIndices.begin(), r.satisfiedIndices.end());
    return r;
}

Decision Authorizer::decide(const Request &request) const
{
    Evaluator ev(m_store, request);
    std::vector<uint32_t> scratch;
    const auto &list = candidates(request.action, scratch);
    EvaluationError err;
    for (uint32_t i : list) {
        const Policy &p = m_policies.policies[i];
        if (!ev.scopeMatches(p.principal, request.principal) || !ev.scopeMatches(p.resource, request.resource))
            continue;
        if (evaluatePolicy(p, ev, err) == Outcome::Satisfied)
            return p.effect == Effect::Forbid ? Decision::Deny : Decision::Allow; // forbids come first
    }
    return Decision::Deny;
}

} // namespace chainsight::cedar

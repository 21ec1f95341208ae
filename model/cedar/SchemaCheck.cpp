#include "cedar/SchemaCheck.h"

#include <functional>
#include <set>

namespace chainsight::cedar {

namespace {

bool knownEntityType(const Schema &schema, const EntityTypeName *type)
{
    if (schema.entityType(type->name))
        return true;
    for (const auto &a : schema.actions())
        if (a.uid->type == type)
            return true;
    return false;
}

// Entity types a scope allows, or empty when any type may appear.
std::vector<std::string> scopeTypes(const ScopeConstraint &s)
{
    switch (s.op) {
    case ScopeOp::Eq: return {s.entity->type->name};
    case ScopeOp::Is:
    case ScopeOp::IsIn: return {s.type->name};
    default: return {};
    }
}

// Actions the action scope can match, using the schema's action groups.
std::vector<const SchemaAction *> scopeActions(const ScopeConstraint &s, const Schema &schema)
{
    std::vector<const SchemaAction *> out;
    for (const auto &a : schema.actions()) {
        bool match = false;
        auto inGroup = [&](EntityUid target) {
            if (a.uid == target)
                return true;
            // Walk memberOf with a visited set; schemas may contain cycles.
            std::set<EntityUid> seen;
            std::vector<EntityUid> queue(a.memberOf.begin(), a.memberOf.end());
            for (size_t i = 0; i < queue.size(); ++i) {
                if (queue[i] == target)
                    return true;
                if (!seen.insert(queue[i]).second)
                    continue;
                if (const SchemaAction *p = schema.action(queue[i]))
                    queue.insert(queue.end(), p->memberOf.begin(), p->memberOf.end());
            }
            return false;
        };
        switch (s.op) {
        case ScopeOp::Any: match = true; break;
        case ScopeOp::Eq: match = a.uid == s.entity; break;
        case ScopeOp::In: match = inGroup(s.entity); break;
        case ScopeOp::InSet:
            for (EntityUid e : s.entities)
                match = match || inGroup(e);
            break;
        default: break;
        }
        if (match)
            out.push_back(&a);
    }
    return out;
}

bool recordHas(const Schema &schema, const SchemaTypePtr &type, const std::string &attr)
{
    const SchemaTypePtr t = schema.resolve(type);
    return t && t->kind == SchemaTypeKind::Record && t->attributes.count(attr);
}

void walk(const Expr &e, const std::function<void(const Expr &)> &visit)
{
    visit(e);
    for (const auto &c : e.children)
        walk(c, visit); // depth is bounded by the parser
}

} // namespace

std::vector<Diagnostic> checkPoliciesAgainstSchema(const PolicySet &ps, const Schema &schema)
{
    std::vector<Diagnostic> out;
    for (const Policy &p : ps.policies) {
        auto warn = [&](SourceLocation at, std::string message) {
            out.push_back({Severity::Warning, at, "policy `" + p.id + "`: " + std::move(message)});
        };
        auto checkScope = [&](const ScopeConstraint &s, bool isAction) {
            std::vector<EntityUid> uids = s.entities;
            if (s.entity)
                uids.push_back(s.entity);
            for (EntityUid uid : uids) {
                if (isAction && !schema.action(uid))
                    warn(s.span.begin, "action " + entityToCedar(uid) + " is not declared in the schema");
                else if (!isAction && !knownEntityType(schema, uid->type))
                    warn(s.span.begin, "entity type `" + uid->type->name + "` is not declared in the schema");
            }
            if (s.type && !knownEntityType(schema, s.type))
                warn(s.span.begin, "entity type `" + s.type->name + "` is not declared in the schema");
        };
        checkScope(p.principal, false);
        checkScope(p.action, true);
        checkScope(p.resource, false);

        const auto actions = scopeActions(p.action, schema);
        // The types principal and resource can have: from the scope, else from the actions' appliesTo.
        auto typesFor = [&](const ScopeConstraint &s, bool principal) {
            std::vector<std::string> types = scopeTypes(s);
            if (!types.empty())
                return types;
            std::set<std::string> all;
            for (const SchemaAction *a : actions)
                for (const auto &t : principal ? a->principals : a->resources)
                    all.insert(t);
            return std::vector<std::string>(all.begin(), all.end());
        };
        const auto principalTypes = typesFor(p.principal, true);
        const auto resourceTypes = typesFor(p.resource, false);
        for (const auto &c : p.conditions) {
            walk(c.body, [&](const Expr &e) {
                if (e.kind != ExprKind::GetAttr || e.children.empty() || e.children[0].kind != ExprKind::Var)
                    return;
                const Var v = e.children[0].var;
                if (v == Var::Context) {
                    if (actions.empty())
                        return;
                    for (const SchemaAction *a : actions)
                        if (!a->context || recordHas(schema, a->context, e.name))
                            return;
                    warn(e.span.begin, "`context." + e.name + "` is not in the context of any action this policy applies to");
                    return;
                }
                if (v != Var::Principal && v != Var::Resource)
                    return;
                const auto &types = v == Var::Principal ? principalTypes : resourceTypes;
                if (types.empty())
                    return;
                for (const auto &t : types) {
                    const SchemaEntityType *decl = schema.entityType(t);
                    if (!decl || !decl->shape || recordHas(schema, decl->shape, e.name))
                        return;
                }
                std::string list;
                for (const auto &t : types)
                    list += (list.empty() ? "`" : ", `") + t + "`";
                warn(e.span.begin, std::string(v == Var::Principal ? "principal" : "resource") + " of type " + list
                                       + " has no attribute `" + e.name + "`");
            });
        }
    }
    return out;
}

} // namespace chainsight::cedar

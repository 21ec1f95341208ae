#include "cedar/Evaluator.h"

#include <algorithm>

namespace chainsight::cedar {

namespace {

constexpr int64_t kMsPerDay = 86400000;

std::string describeValue(const Value &v)
{
    return std::string(typeName(v)) + " " + toCedar(v, 80);
}

bool ipContains(const IpAddrData &range, const uint8_t *addr)
{
    const int bits = range.prefix;
    for (int i = 0; i < 16; ++i) {
        const int remaining = bits - i * 8;
        if (remaining <= 0)
            break;
        const uint8_t mask = remaining >= 8 ? 0xff : static_cast<uint8_t>(0xff << (8 - remaining));
        if ((range.bytes[i] & mask) != (addr[i] & mask))
            return false;
    }
    return true;
}

bool ipInRange(const IpAddrData &self, const IpAddrData &other)
{
    if (self.v6 != other.v6)
        return false;
    uint8_t network[16];
    uint8_t broadcast[16];
    for (int i = 0; i < 16; ++i) {
        const int remaining = self.prefix - i * 8;
        uint8_t mask = 0;
        if (remaining >= 8)
            mask = 0xff;
        else if (remaining > 0)
            mask = static_cast<uint8_t>(0xff << (8 - remaining));
        network[i] = self.bytes[i] & mask;
        broadcast[i] = static_cast<uint8_t>(self.bytes[i] | static_cast<uint8_t>(~mask));
    }
    if (!self.v6)
        for (int i = 4; i < 16; ++i)
            network[i] = broadcast[i] = 0;
    return ipContains(other, network) && ipContains(other, broadcast);
}

} // namespace

bool matchesPattern(std::string_view text, const std::vector<PatternElement> &pattern)
{
    // Iterative wildcard matching with backtracking to the last star: linear in practice, no recursion.
    size_t t = 0;
    size_t p = 0;
    size_t starP = std::string_view::npos;
    size_t starT = 0;
    // Flatten literal elements into per-character steps.
    std::string lits;
    std::vector<bool> isStar;
    for (const auto &el : pattern) {
        if (el.wildcard) {
            lits.push_back('\0');
            isStar.push_back(true);
        } else {
            for (char c : el.text) {
                lits.push_back(c);
                isStar.push_back(false);
            }
        }
    }
    const size_t n = lits.size();
    while (t < text.size()) {
        if (p < n && !isStar[p] && lits[p] == text[t]) {
            ++p;
            ++t;
        } else if (p < n && isStar[p]) {
            starP = p++;
            starT = t;
        } else if (starP != std::string_view::npos) {
            p = starP + 1;
            t = ++starT;
        } else {
            return false;
        }
    }
    while (p < n && isStar[p])
        ++p;
    return p == n;
}

void Evaluator::fail(const Expr &expr, std::string message)
{
    throw EvaluationError{std::move(message), &expr};
}

void Evaluator::expectKind(const Expr &at, const Value &v, ValueKind kind)
{
    if (v.kind() != kind)
        fail(at, "type error: expected " + typeName(kind) + ", got " + describeValue(v));
}

bool Evaluator::scopeMatches(const ScopeConstraint &scope, EntityUid uid) const
{
    switch (scope.op) {
    case ScopeOp::Any: return true;
    case ScopeOp::Eq: return uid == scope.entity;
    case ScopeOp::In: return m_store.isIn(uid, scope.entity);
    case ScopeOp::Is: return uid->type == scope.type;
    case ScopeOp::IsIn: return uid->type == scope.type && m_store.isIn(uid, scope.entity);
    case ScopeOp::InSet:
        for (EntityUid e : scope.entities)
            if (m_store.isIn(uid, e))
                return true;
        return false;
    }
    return false;
}

bool Evaluator::tryEvaluate(const Expr &expr, Value &out, EvaluationError &error) const
{
    try {
        out = evaluate(expr);
        return true;
    } catch (const EvaluationError &e) {
        error = e;
        return false;
    }
}

Value Evaluator::evaluate(const Expr &e) const
{
    if (e.constant)
        return e.literal;
    switch (e.kind) {
    case ExprKind::Literal: return e.literal;
    case ExprKind::Var:
        switch (e.var) {
        case Var::Principal: return Value::entity(m_request.principal);
        case Var::Action: return Value::entity(m_request.action);
        case Var::Resource: return Value::entity(m_request.resource);
        case Var::Context: return m_request.context;
        }
        return Value();
    case ExprKind::And: {
        Value l = evaluate(e.children[0]);
        expectKind(e.children[0], l, ValueKind::Bool);
        if (!l.asBool())
            return l;
        Value r = evaluate(e.children[1]);
        expectKind(e.children[1], r, ValueKind::Bool);
        return r;
    }
    case ExprKind::Or: {
        Value l = evaluate(e.children[0]);
        expectKind(e.children[0], l, ValueKind::Bool);
        if (l.asBool())
            return l;
        Value r = evaluate(e.children[1]);
        expectKind(e.children[1], r, ValueKind::Bool);
        return r;
    }
    case ExprKind::Not: {
        Value v = evaluate(e.children[0]);
        expectKind(e, v, ValueKind::Bool);
        return Value::boolean(!v.asBool());
    }
    case ExprKind::Neg: {
        Value v = evaluate(e.children[0]);
        expectKind(e, v, ValueKind::Long);
        if (v.asLong() == INT64_MIN)
            fail(e, "integer overflow: cannot negate " + std::to_string(v.asLong()));
        return Value::integer(-v.asLong());
    }
    case ExprKind::If: {
        Value c = evaluate(e.children[0]);
        expectKind(e.children[0], c, ValueKind::Bool);
        return evaluate(e.children[c.asBool() ? 1 : 2]);
    }
    case ExprKind::Eq:
    case ExprKind::NotEq: {
        Value l = evaluate(e.children[0]);
        Value r = evaluate(e.children[1]);
        const bool eq = l == r;
        return Value::boolean(e.kind == ExprKind::Eq ? eq : !eq);
    }
    case ExprKind::Less:
    case ExprKind::LessEq:
    case ExprKind::Greater:
    case ExprKind::GreaterEq: {
        Value l = evaluate(e.children[0]);
        Value r = evaluate(e.children[1]);
        int64_t a = 0;
        int64_t b = 0;
        if (l.kind() == ValueKind::Long && r.kind() == ValueKind::Long) {
            a = l.asLong();
            b = r.asLong();
        } else if (l.kind() == ValueKind::Extension && r.kind() == ValueKind::Extension && l.extension() == r.extension()
                   && (l.extension() == ExtensionKind::Datetime || l.extension() == ExtensionKind::Duration)) {
            a = l.extensionNumber();
            b = r.extensionNumber();
        } else {
            fail(e, "type error: comparison needs two longs (or two datetimes, or two durations), got "
                        + describeValue(l) + " and " + describeValue(r));
        }
        switch (e.kind) {
        case ExprKind::Less: return Value::boolean(a < b);
        case ExprKind::LessEq: return Value::boolean(a <= b);
        case ExprKind::Greater: return Value::boolean(a > b);
        default: return Value::boolean(a >= b);
        }
    }
    case ExprKind::Add:
    case ExprKind::Sub:
    case ExprKind::Mul: {
        Value l = evaluate(e.children[0]);
        Value r = evaluate(e.children[1]);
        expectKind(e, l, ValueKind::Long);
        expectKind(e, r, ValueKind::Long);
        int64_t out = 0;
        bool overflow = false;
        const char *op = "+";
        if (e.kind == ExprKind::Add) {
            overflow = __builtin_add_overflow(l.asLong(), r.asLong(), &out);
        } else if (e.kind == ExprKind::Sub) {
            overflow = __builtin_sub_overflow(l.asLong(), r.asLong(), &out);
            op = "-";
        } else {
            overflow = __builtin_mul_overflow(l.asLong(), r.asLong(), &out);
            op = "*";
        }
        if (overflow)
            fail(e, "integer overflow: " + std::to_string(l.asLong()) + " " + op + " " + std::to_string(r.asLong()));
        return Value::integer(out);
    }
    case ExprKind::In: {
        Value l = evaluate(e.children[0]);
        Value r = evaluate(e.children[1]);
        expectKind(e, l, ValueKind::Entity);
        if (r.kind() == ValueKind::Entity)
            return Value::boolean(m_store.isIn(l.asEntity(), r.asEntity()));
        if (r.kind() != ValueKind::Set)
            fail(e, "type error: `in` needs an entity or a set of entities on the right, got " + describeValue(r));
        for (const auto &el : r.asSet())
            if (el.kind() != ValueKind::Entity)
                fail(e, "type error: `in` set holds a non-entity " + describeValue(el));
        for (const auto &el : r.asSet())
            if (m_store.isIn(l.asEntity(), el.asEntity()))
                return Value::boolean(true);
        return Value::boolean(false);
    }
    case ExprKind::Has: {
        Value v = evaluate(e.children[0]);
        if (v.kind() == ValueKind::Record)
            return Value::boolean(v.field(e.name) != nullptr);
        if (v.kind() == ValueKind::Entity) {
            const Entity *ent = m_store.find(v.asEntity());
            return Value::boolean(ent && ent->attrs.field(e.name) != nullptr);
        }
        fail(e, "type error: `has` needs an entity or record, got " + describeValue(v));
    }
    case ExprKind::GetAttr: {
        Value v = evaluate(e.children[0]);
        if (v.kind() == ValueKind::Record) {
            const Value *f = v.field(e.name);
            if (!f)
                fail(e, "record does not have the attribute `" + e.name + "`");
            return *f;
        }
        if (v.kind() == ValueKind::Entity) {
            const Entity *ent = m_store.find(v.asEntity());
            if (!ent)
                fail(e, "entity " + entityToCedar(v.asEntity()) + " does not exist");
            const Value *f = ent->attrs.field(e.name);
            if (!f)
                fail(e, "entity " + entityToCedar(v.asEntity()) + " does not have the attribute `" + e.name + "`");
            return *f;
        }
        fail(e, "type error: attribute access needs an entity or record, got " + describeValue(v));
    }
    case ExprKind::Like: {
        Value v = evaluate(e.children[0]);
        expectKind(e, v, ValueKind::String);
        return Value::boolean(matchesPattern(v.asString(), e.pattern));
    }
    case ExprKind::Is: {
        Value v = evaluate(e.children[0]);
        expectKind(e, v, ValueKind::Entity);
        if (e.children.size() == 1)
            return Value::boolean(v.asEntity()->type == e.type);
        // `e is T in x`: `in` is only evaluated when the type matches.
        if (v.asEntity()->type != e.type)
            return Value::boolean(false);
        Value r = evaluate(e.children[1]);
        if (r.kind() == ValueKind::Entity)
            return Value::boolean(m_store.isIn(v.asEntity(), r.asEntity()));
        if (r.kind() != ValueKind::Set)
            fail(e, "type error: `in` needs an entity or a set of entities on the right, got " + describeValue(r));
        for (const auto &el : r.asSet())
            if (el.kind() != ValueKind::Entity)
                fail(e, "type error: `in` set holds a non-entity " + describeValue(el));
        for (const auto &el : r.asSet())
            if (m_store.isIn(v.asEntity(), el.asEntity()))
                return Value::boolean(true);
        return Value::boolean(false);
    }
    case ExprKind::SetLit: {
        std::vector<Value> els;
        els.reserve(e.children.size());
        for (const auto &c : e.children)
            els.push_back(evaluate(c));
        return Value::set(std::move(els));
    }
    case ExprKind::RecordLit: {
        std::vector<std::pair<std::string, Value>> fields;
        fields.reserve(e.children.size());
        for (size_t i = 0; i < e.children.size(); ++i)
            fields.emplace_back(e.names[i], evaluate(e.children[i]));
        return Value::record(std::move(fields));
    }
    case ExprKind::Contains: {
        Value s = evaluate(e.children[0]);
        Value x = evaluate(e.children[1]);
        expectKind(e, s, ValueKind::Set);
        return Value::boolean(s.setContains(x));
    }
    case ExprKind::ContainsAll:
    case ExprKind::ContainsAny: {
        Value s = evaluate(e.children[0]);
        Value x = evaluate(e.children[1]);
        expectKind(e, s, ValueKind::Set);
        expectKind(e, x, ValueKind::Set);
        if (e.kind == ExprKind::ContainsAll) {
            for (const auto &el : x.asSet())
                if (!s.setContains(el))
                    return Value::boolean(false);
            return Value::boolean(true);
        }
        for (const auto &el : x.asSet())
            if (s.setContains(el))
                return Value::boolean(true);
        return Value::boolean(false);
    }
    case ExprKind::IsEmpty: {
        Value s = evaluate(e.children[0]);
        expectKind(e, s, ValueKind::Set);
        return Value::boolean(s.asSet().empty());
    }
    case ExprKind::HasTag:
    case ExprKind::GetTag: {
        Value v = evaluate(e.children[0]);
        Value tag = evaluate(e.children[1]);
        expectKind(e, v, ValueKind::Entity);
        expectKind(e, tag, ValueKind::String);
        const Entity *ent = m_store.find(v.asEntity());
        if (e.kind == ExprKind::HasTag)
            return Value::boolean(ent && ent->tags.field(tag.asString()) != nullptr);
        if (!ent)
            fail(e, "entity " + entityToCedar(v.asEntity()) + " does not exist");
        const Value *t = ent->tags.field(tag.asString());
        if (!t)
            fail(e, "entity " + entityToCedar(v.asEntity()) + " does not have the tag " + quoteCedarString(tag.asString()));
        return *t;
    }
    case ExprKind::ExtCall: return evalExtension(e);
    }
    fail(e, "unsupported expression");
}

Value Evaluator::evalExtension(const Expr &e) const
{
    std::vector<Value> args;
    args.reserve(e.children.size());
    for (const auto &c : e.children)
        args.push_back(evaluate(c));
    return applyExtension(e, args);
}

Value applyExtension(const Expr &e, const std::vector<Value> &args)
{
    auto fail = [&](std::string message) -> void { throw EvaluationError{std::move(message), &e}; };
    auto need = [&](size_t i, ExtensionKind k, const char *what) {
        if (!args[i].isExtension(k))
            fail("type error: `" + e.name + "` expects " + what + ", got " + describeValue(args[i]));
    };
    static constexpr int kArity[] = {1, 1, 1, 1, 2, 2, 2, 2, 1, 1, 1, 1, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1};
    const auto arity = static_cast<size_t>(kArity[static_cast<int>(e.function)]);
    if (args.size() != arity)
        fail("`" + e.name + "` expects " + std::to_string(arity) + " argument(s) including the receiver, got "
             + std::to_string(args.size()));
    auto needString = [&]() -> const std::string & {
        if (args[0].kind() != ValueKind::String)
            fail("type error: `" + e.name + "` expects a string, got " + describeValue(args[0]));
        return args[0].asString();
    };
    switch (e.function) {
    case ExtFunction::Decimal: {
        const std::string &s = needString();
        auto v = parseDecimal(s);
        if (!v)
            fail("invalid decimal literal " + quoteCedarString(s));
        return Value::decimal(*v);
    }
    case ExtFunction::Ip: {
        const std::string &s = needString();
        auto v = parseIp(s);
        if (!v)
            fail("invalid IP address " + quoteCedarString(s));
        return Value::ipaddr(*v);
    }
    case ExtFunction::Datetime: {
        const std::string &s = needString();
        auto v = parseDatetime(s);
        if (!v)
            fail("invalid datetime " + quoteCedarString(s));
        return Value::datetime(*v);
    }
    case ExtFunction::Duration: {
        const std::string &s = needString();
        auto v = parseDuration(s);
        if (!v)
            fail("invalid duration " + quoteCedarString(s));
        return Value::duration(*v);
    }
    case ExtFunction::LessThan:
    case ExtFunction::LessThanOrEqual:
    case ExtFunction::GreaterThan:
    case ExtFunction::GreaterThanOrEqual: {
        need(0, ExtensionKind::Decimal, "a decimal");
        need(1, ExtensionKind::Decimal, "a decimal");
        const int64_t a = args[0].extensionNumber();
        const int64_t b = args[1].extensionNumber();
        switch (e.function) {
        case ExtFunction::LessThan: return Value::boolean(a < b);
        case ExtFunction::LessThanOrEqual: return Value::boolean(a <= b);
        case ExtFunction::GreaterThan: return Value::boolean(a > b);
        default: return Value::boolean(a >= b);
        }
    }
    case ExtFunction::IsIpv4:
    case ExtFunction::IsIpv6:
    case ExtFunction::IsLoopback:
    case ExtFunction::IsMulticast: {
        need(0, ExtensionKind::IpAddr, "an ipaddr");
        const IpAddrData &ip = args[0].asIp();
        switch (e.function) {
        case ExtFunction::IsIpv4: return Value::boolean(!ip.v6);
        case ExtFunction::IsIpv6: return Value::boolean(ip.v6);
        case ExtFunction::IsLoopback: {
            // The whole range must be loopback: 127.0.0.0/8 at /8 or longer, ::1 only as /128.
            if (!ip.v6)
                return Value::boolean(ip.bytes[0] == 127 && ip.prefix >= 8);
            bool loop = ip.bytes[15] == 1 && ip.prefix == 128;
            for (int i = 0; i < 15; ++i)
                loop = loop && ip.bytes[i] == 0;
            return Value::boolean(loop);
        }
        default:
            if (!ip.v6)
                return Value::boolean((ip.bytes[0] & 0xF0) == 0xE0 && ip.prefix >= 4);
            return Value::boolean(ip.bytes[0] == 0xff && ip.prefix >= 8);
        }
    }
    case ExtFunction::IsInRange:
        need(0, ExtensionKind::IpAddr, "an ipaddr");
        need(1, ExtensionKind::IpAddr, "an ipaddr");
        return Value::boolean(ipInRange(args[0].asIp(), args[1].asIp()));
    case ExtFunction::Offset: {
        need(0, ExtensionKind::Datetime, "a datetime");
        need(1, ExtensionKind::Duration, "a duration");
        int64_t out = 0;
        if (__builtin_add_overflow(args[0].extensionNumber(), args[1].extensionNumber(), &out))
            fail("overflow in `offset`");
        return Value::datetime(out);
    }
    case ExtFunction::DurationSince: {
        need(0, ExtensionKind::Datetime, "a datetime");
        need(1, ExtensionKind::Datetime, "a datetime");
        int64_t out = 0;
        if (__builtin_sub_overflow(args[0].extensionNumber(), args[1].extensionNumber(), &out))
            fail("overflow in `durationSince`");
        return Value::duration(out);
    }
    case ExtFunction::ToDate: {
        need(0, ExtensionKind::Datetime, "a datetime");
        const int64_t ms = args[0].extensionNumber();
        if (ms >= 0)
            return Value::datetime(ms / kMsPerDay * kMsPerDay);
        if (ms % kMsPerDay == 0)
            return Value::datetime(ms);
        int64_t out = 0;
        if (__builtin_mul_overflow(ms / kMsPerDay - 1, kMsPerDay, &out))
            fail("overflow in `toDate`");
        return Value::datetime(out);
    }
    case ExtFunction::ToTime: {
        need(0, ExtensionKind::Datetime, "a datetime");
        const int64_t ms = args[0].extensionNumber();
        int64_t r = ms % kMsPerDay;
        if (r < 0)
            r += kMsPerDay;
        return Value::duration(r);
    }
    case ExtFunction::ToMilliseconds:
    case ExtFunction::ToSeconds:
    case ExtFunction::ToMinutes:
    case ExtFunction::ToHours:
    case ExtFunction::ToDays: {
        need(0, ExtensionKind::Duration, "a duration");
        const int64_t ms = args[0].extensionNumber();
        int64_t unit = 1;
        switch (e.function) {
        case ExtFunction::ToSeconds: unit = 1000; break;
        case ExtFunction::ToMinutes: unit = 60000; break;
        case ExtFunction::ToHours: unit = 3600000; break;
        case ExtFunction::ToDays: unit = kMsPerDay; break;
        default: break;
        }
        return Value::integer(ms / unit);
    }
    }
    fail("unknown extension function `" + e.name + "`");
    return Value();
}

void compileExpression(Expr &e)
{
    // Children first; depth is bounded by the parser.
    bool allConstant = true;
    for (auto &c : e.children) {
        compileExpression(c);
        allConstant = allConstant && c.constant;
    }
    if (e.constant || !allConstant)
        return;
    switch (e.kind) {
    case ExprKind::SetLit:
    case ExprKind::RecordLit:
    case ExprKind::ExtCall: {
        // Folding must not change behaviour: an erroring constructor stays for run time.
        try {
            static const EntityStore empty;
            static const Request none;
            Evaluator ev(empty, none);
            e.literal = ev.evaluate(e);
            e.constant = true;
        } catch (const EvaluationError &) {
        }
        break;
    }
    default:
        break;
    }
}

} // namespace chainsight::cedar

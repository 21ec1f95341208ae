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

std::vector<int16_t> flattenPattern(const std::vector<PatternElement> &pattern)
{
    std::vector<int16_t> flat;
    for (const auto &el : pattern) {
        if (el.wildcard)
            flat.push_back(-1);
        else
            for (char c : el.text)
                flat.push_back(static_cast<int16_t>(static_cast<unsigned char>(c)));
    }
    return flat;
}

bool matchesPattern(std::string_view text, const std::vector<PatternElement> &pattern)
{
    return matchesPattern(text, flattenPattern(pattern));
}

bool matchesPattern(std::string_view text, const std::vector<int16_t> &lits)
{
    // Iterative wildcard matching that backtracks to the last star: no recursion, O(n*m) worst case.
    size_t t = 0;
    size_t p = 0;
    size_t starP = std::string_view::npos;
    size_t starT = 0;
    const size_t n = lits.size();
    while (t < text.size()) {
        if (p < n && lits[p] >= 0 && lits[p] == static_cast<unsigned char>(text[t])) {
            ++p;
            ++t;
        } else if (p < n && lits[p] < 0) {
            starP = p++;
            starT = t;
        } else if (starP != std::string_view::npos) {
            p = starP + 1;
            t = ++starT;
        } else {
            return false;
        }
    }
    while (p < n && lits[p] < 0)
        ++p;
    return p == n;
}

void Evaluator::fail(const Expr &expr, std::string message)
{
    throw EvaluationError{std::move(message), &expr};
}

void Evaluator::failKind(const Expr &at, const Value &v, ValueKind kind)
{
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

namespace {

// Expressions built outside the parser may not be compiled; fall back to interning on the spot.
inline AttrKey keyOf(const Expr &e)
{
    return e.key ? e.key : internKey(e.name);
}

// A child's value that lives in a caller-local slot must be moved out before that slot dies.
inline const Value &pass(const Value &v, Value &local, Value &tmp)
{
    if (&v == &local) {
        tmp = std::move(local);
        return tmp;
    }
    return v;
}

} // namespace

Value Evaluator::evaluate(const Expr &e) const
{
    Value tmp;
    const Value &v = ref(e, tmp);
    if (&v == &tmp)
        return tmp;
    return v;
}

const Value &Evaluator::ref(const Expr &e, Value &tmp) const
{
    if (e.constant)
        return e.literal;
    switch (e.kind) {
    case ExprKind::Literal: return e.literal;
    case ExprKind::Var:
        switch (e.var) {
        case Var::Principal: return tmp = Value::entity(m_request.principal);
        case Var::Action: return tmp = Value::entity(m_request.action);
        case Var::Resource: return tmp = Value::entity(m_request.resource);
        case Var::Context: return m_request.context;
        }
        return tmp = Value();
    case ExprKind::And:
    case ExprKind::Or:
    case ExprKind::Not:
    case ExprKind::Eq:
    case ExprKind::NotEq:
    case ExprKind::Less:
    case ExprKind::LessEq:
    case ExprKind::Greater:
    case ExprKind::GreaterEq:
    case ExprKind::In:
    case ExprKind::Has:
    case ExprKind::Like:
    case ExprKind::Is:
    case ExprKind::Contains:
    case ExprKind::ContainsAll:
    case ExprKind::ContainsAny:
    case ExprKind::IsEmpty:
        return tmp = Value::boolean(test(e));
    case ExprKind::Neg: {
        Value vLocal;
        const Value &v = ref(e.children[0], vLocal);
        expectKind(e, v, ValueKind::Long);
        if (v.asLong() == INT64_MIN)
            fail(e, "integer overflow: cannot negate " + std::to_string(v.asLong()));
        return tmp = Value::integer(-v.asLong());
    }
    case ExprKind::If: {
        Value cLocal;
        const Value &c = ref(e.children[0], cLocal);
        expectKind(e.children[0], c, ValueKind::Bool);
        return ref(e.children[c.asBool() ? 1 : 2], tmp);
    }
    case ExprKind::Add:
    case ExprKind::Sub:
    case ExprKind::Mul: {
        Value lLocal;
        const Value &l = ref(e.children[0], lLocal);
        Value rLocal;
        const Value &r = ref(e.children[1], rLocal);
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
        return tmp = Value::integer(out);
    }
    case ExprKind::GetAttr: {
        Value vLocal;
        const Value &v = ref(e.children[0], vLocal);
        if (v.kind() == ValueKind::Record) {
            const Value *f = v.field(keyOf(e));
            if (!f)
                fail(e, "record does not have the attribute `" + e.name + "`");
            if (&v == &vLocal)
                return tmp = *f; // the record dies with vLocal
            return *f;
        }
        if (v.kind() == ValueKind::Entity) {
            const Entity *ent = m_store.findIndex(v.entityIndex());
            if (!ent)
                fail(e, "entity " + entityToCedar(v.asEntity()) + " does not exist");
            const Value *f = ent->attr(keyOf(e));
            if (!f)
                fail(e, "entity " + entityToCedar(v.asEntity()) + " does not have the attribute `" + e.name + "`");
            return *f;
        }
        fail(e, "type error: attribute access needs an entity or record, got " + describeValue(v));
    }
    case ExprKind::SetLit: {
        std::vector<Value> els;
        els.reserve(e.children.size());
        for (const auto &c : e.children)
            els.push_back(evaluate(c));
        return tmp = Value::set(std::move(els));
    }
    case ExprKind::RecordLit: {
        std::vector<std::pair<std::string, Value>> fields;
        fields.reserve(e.children.size());
        for (size_t i = 0; i < e.children.size(); ++i)
            fields.emplace_back(e.names[i], evaluate(e.children[i]));
        return tmp = Value::record(std::move(fields));
    }
    case ExprKind::HasTag:
    case ExprKind::GetTag: {
        Value vLocal;
        const Value &v = ref(e.children[0], vLocal);
        Value tagLocal;
        const Value &tag = ref(e.children[1], tagLocal);
        expectKind(e, v, ValueKind::Entity);
        expectKind(e, tag, ValueKind::String);
        const Entity *ent = m_store.find(v.asEntity());
        if (e.kind == ExprKind::HasTag)
            return tmp = Value::boolean(ent && ent->tags.field(tag.asString()) != nullptr);
        if (!ent)
            fail(e, "entity " + entityToCedar(v.asEntity()) + " does not exist");
        const Value *t = ent->tags.field(tag.asString());
        if (!t)
            fail(e, "entity " + entityToCedar(v.asEntity()) + " does not have the tag " + quoteCedarString(tag.asString()));
        return *t;
    }
    case ExprKind::ExtCall: return tmp = evalExtension(e);
    }
    fail(e, "unsupported expression");
}


bool Evaluator::testOperand(const Expr &c) const
{
    switch (c.kind) {
    case ExprKind::And:
    case ExprKind::Or:
    case ExprKind::Not:
    case ExprKind::Eq:
    case ExprKind::NotEq:
    case ExprKind::Less:
    case ExprKind::LessEq:
    case ExprKind::Greater:
    case ExprKind::GreaterEq:
    case ExprKind::In:
    case ExprKind::Has:
    case ExprKind::Like:
    case ExprKind::Is:
    case ExprKind::Contains:
    case ExprKind::ContainsAll:
    case ExprKind::ContainsAny:
    case ExprKind::IsEmpty:
        if (!c.constant)
            return test(c);
        break;
    default:
        break;
    }
    Value local;
    const Value &v = ref(c, local);
    expectKind(c, v, ValueKind::Bool);
    return v.asBool();
}

bool Evaluator::test(const Expr &e) const
{
    // Boolean-valued forms evaluate here without building Values; ref() wraps them when a Value is needed.
    if (e.constant) {
        expectKind(e, e.literal, ValueKind::Bool);
        return e.literal.asBool();
    }
    switch (e.kind) {
    case ExprKind::And:
        return testOperand(e.children[0]) && testOperand(e.children[1]);
    case ExprKind::Or:
        return testOperand(e.children[0]) || testOperand(e.children[1]);
    case ExprKind::Not: {
        Value vLocal;
        const Value &v = ref(e.children[0], vLocal);
        expectKind(e, v, ValueKind::Bool);
        return !v.asBool();
    }
    case ExprKind::Eq:
    case ExprKind::NotEq: {
        Value lLocal;
        const Value &l = ref(e.children[0], lLocal);
        Value rLocal;
        const Value &r = ref(e.children[1], rLocal);
        const bool eq = l == r;
        return e.kind == ExprKind::Eq ? eq : !eq;
    }
    case ExprKind::Less:
    case ExprKind::LessEq:
    case ExprKind::Greater:
    case ExprKind::GreaterEq: {
        Value lLocal;
        const Value &l = ref(e.children[0], lLocal);
        Value rLocal;
        const Value &r = ref(e.children[1], rLocal);
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
        case ExprKind::Less: return a < b;
        case ExprKind::LessEq: return a <= b;
        case ExprKind::Greater: return a > b;
        default: return a >= b;
        }
    }
    case ExprKind::In: {
        Value lLocal;
        const Value &l = ref(e.children[0], lLocal);
        Value rLocal;
        const Value &r = ref(e.children[1], rLocal);
        expectKind(e, l, ValueKind::Entity);
        if (r.kind() == ValueKind::Entity)
            return m_store.isInIndex(l.entityIndex(), r.asEntity());
        if (r.kind() != ValueKind::Set)
            fail(e, "type error: `in` needs an entity or a set of entities on the right, got " + describeValue(r));
        for (const auto &el : r.asSet())
            if (el.kind() != ValueKind::Entity)
                fail(e, "type error: `in` set holds a non-entity " + describeValue(el));
        for (const auto &el : r.asSet())
            if (m_store.isInIndex(l.entityIndex(), el.asEntity()))
                return true;
        return false;
    }
    case ExprKind::Has: {
        Value vLocal;
        const Value &v = ref(e.children[0], vLocal);
        if (v.kind() == ValueKind::Record)
            return v.field(keyOf(e)) != nullptr;
        if (v.kind() == ValueKind::Entity) {
            const Entity *ent = m_store.findIndex(v.entityIndex());
            return ent && ent->attr(keyOf(e)) != nullptr;
        }
        fail(e, "type error: `has` needs an entity or record, got " + describeValue(v));
    }
    case ExprKind::Like: {
        Value vLocal;
        const Value &v = ref(e.children[0], vLocal);
        expectKind(e, v, ValueKind::String);
        return matchesPattern(v.asString(), e.flatPattern);
    }
    case ExprKind::Is: {
        Value vLocal;
        const Value &v = ref(e.children[0], vLocal);
        expectKind(e, v, ValueKind::Entity);
        if (e.children.size() == 1)
            return v.asEntity()->type == e.type;
        // `e is T in x`: `in` is only evaluated when the type matches.
        if (v.asEntity()->type != e.type)
            return false;
        Value rLocal;
        const Value &r = ref(e.children[1], rLocal);
        if (r.kind() == ValueKind::Entity)
            return m_store.isInIndex(v.entityIndex(), r.asEntity());
        if (r.kind() != ValueKind::Set)
            fail(e, "type error: `in` needs an entity or a set of entities on the right, got " + describeValue(r));
        for (const auto &el : r.asSet())
            if (el.kind() != ValueKind::Entity)
                fail(e, "type error: `in` set holds a non-entity " + describeValue(el));
        for (const auto &el : r.asSet())
            if (m_store.isInIndex(v.entityIndex(), el.asEntity()))
                return true;
        return false;
    }
    case ExprKind::Contains: {
        Value sLocal;
        const Value &s = ref(e.children[0], sLocal);
        Value xLocal;
        const Value &x = ref(e.children[1], xLocal);
        expectKind(e, s, ValueKind::Set);
        return s.setContains(x);
    }
    case ExprKind::ContainsAll:
    case ExprKind::ContainsAny: {
        Value sLocal;
        const Value &s = ref(e.children[0], sLocal);
        Value xLocal;
        const Value &x = ref(e.children[1], xLocal);
        expectKind(e, s, ValueKind::Set);
        expectKind(e, x, ValueKind::Set);
        if (e.kind == ExprKind::ContainsAll) {
            for (const auto &el : x.asSet())
                if (!s.setContains(el))
                    return false;
            return true;
        }
        for (const auto &el : x.asSet())
            if (s.setContains(el))
                return true;
        return false;
    }
    case ExprKind::IsEmpty: {
        Value sLocal;
        const Value &s = ref(e.children[0], sLocal);
        expectKind(e, s, ValueKind::Set);
        return s.asSet().empty();
    }
    default: {
        Value local;
        const Value &v = ref(e, local);
        expectKind(e, v, ValueKind::Bool);
        return v.asBool();
    }
    }
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
    if (e.kind == ExprKind::Like)
        e.flatPattern = flattenPattern(e.pattern);
    if (e.kind == ExprKind::GetAttr || e.kind == ExprKind::Has)
        e.key = internKey(e.name);
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

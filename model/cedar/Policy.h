#pragma once

#include "cedar/Value.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace chainsight::cedar {

// A place in a source text: byte offset plus 1-based line and column (in characters).
struct SourceLocation final {
    uint32_t offset = 0;
    uint32_t line = 1;
    uint32_t column = 1;
};

struct SourceSpan final {
    SourceLocation begin;
    SourceLocation end;
};

enum class Severity : uint8_t { Error, Warning };

struct Diagnostic final {
    Severity severity = Severity::Error;
    SourceLocation location;
    std::string message;
};

enum class ExprKind : uint8_t {
    Literal,
    Var,
    And,
    Or,
    Not,
    Neg,
    If,
    Eq,
    NotEq,
    Less,
    LessEq,
    Greater,
    GreaterEq,
    In,
    Add,
    Sub,
    Mul,
    Has,       // child0 has name
    GetAttr,   // child0.name
    Like,      // child0 like pattern
    Is,        // child0 is type [in child1]
    SetLit,
    RecordLit, // names[i] : children[i]
    Contains,
    ContainsAll,
    ContainsAny,
    IsEmpty,
    HasTag,
    GetTag,
    ExtCall,   // extension function or method, children are the arguments (receiver first)
};

enum class Var : uint8_t { Principal, Action, Resource, Context };

enum class ExtFunction : uint8_t {
    Decimal,
    Ip,
    Datetime,
    Duration,
    LessThan,
    LessThanOrEqual,
    GreaterThan,
    GreaterThanOrEqual,
    IsIpv4,
    IsIpv6,
    IsLoopback,
    IsMulticast,
    IsInRange,
    Offset,
    DurationSince,
    ToDate,
    ToTime,
    ToMilliseconds,
    ToSeconds,
    ToMinutes,
    ToHours,
    ToDays,
};

// One element of a like pattern: literal text or a wildcard.
struct PatternElement final {
    bool wildcard = false;
    std::string text;
};

struct Expr final {
    ExprKind kind = ExprKind::Literal;
    Var var = Var::Principal;
    ExtFunction function = ExtFunction::Decimal;
    Value literal;
    std::string name;                 // attribute, tag-free field name
    AttrKey key = nullptr;            // interned name for GetAttr and Has, set by compileExpression
    const EntityTypeName *type = nullptr; // for Is
    std::vector<std::string> names;   // record literal keys
    std::vector<PatternElement> pattern;
    std::vector<int16_t> flatPattern; // bytes, -1 for a wildcard; built by compileExpression
    std::vector<Expr> children;
    SourceSpan span;
    bool constant = false;            // literal subtree folded at compile time
    int depth = 1;                    // height of this subtree, bounded by the parser
};

enum class Effect : uint8_t { Permit, Forbid };

enum class ScopeOp : uint8_t { Any, Eq, In, Is, IsIn, InSet };

struct ScopeConstraint final {
    ScopeOp op = ScopeOp::Any;
    EntityUid entity = nullptr;
    std::vector<EntityUid> entities; // action in [...]
    const EntityTypeName *type = nullptr;
    SourceSpan span;
};

struct Condition final {
    bool isWhen = true;
    Expr body;
    SourceSpan span;
};

struct Policy final {
    std::string id;                    // @id annotation, else policyN
    std::string positionalId;          // always policyN
    Effect effect = Effect::Permit;
    std::vector<std::pair<std::string, std::string>> annotations;
    ScopeConstraint principal;
    ScopeConstraint action;
    ScopeConstraint resource;
    std::vector<Condition> conditions;
    SourceSpan span;
};

// A parsed policy file. Policies keep the text they came from, for explanations and formatting.
struct PolicySet final {
    std::vector<Policy> policies;
    std::shared_ptr<const std::string> source;
    std::string fileName;
};

struct PolicyParseResult final {
    PolicySet policySet;
    std::vector<Diagnostic> diagnostics;
    bool ok() const;
};

} // namespace chainsight::cedar

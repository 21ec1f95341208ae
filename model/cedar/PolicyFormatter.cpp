#include "cedar/PolicyFormatter.h"

#include <cctype>

namespace chainsight::cedar {

namespace {

// Binding strength of each expression form, loosest first, as in Cedar's grammar.
int precedence(const Expr &e)
{
    switch (e.kind) {
    case ExprKind::If: return 0;
    case ExprKind::Or: return 1;
    case ExprKind::And: return 2;
    case ExprKind::Eq:
    case ExprKind::NotEq:
    case ExprKind::Less:
    case ExprKind::LessEq:
    case ExprKind::Greater:
    case ExprKind::GreaterEq:
    case ExprKind::In:
    case ExprKind::Has:
    case ExprKind::Like:
    case ExprKind::Is: return 3;
    case ExprKind::Add:
    case ExprKind::Sub: return 4;
    case ExprKind::Mul: return 5;
    case ExprKind::Not:
    case ExprKind::Neg: return 6;
    case ExprKind::Literal:
        return e.literal.kind() == ValueKind::Long && e.literal.asLong() < 0 ? 6 : 8;
    default: return 7;
    }
}

bool isIdentifier(const std::string &s)
{
    if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_'))
        return false;
    for (char c : s)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_'))
            return false;
    static const char *const kReserved[] = {"true", "false", "if", "then", "else", "in", "is", "like", "has", "__cedar"};
    for (const char *r : kReserved)
        if (s == r)
            return false;
    return true;
}

void print(std::string &out, const Expr &e);

void printAt(std::string &out, const Expr &e, int minPrecedence)
{
    const bool parens = precedence(e) < minPrecedence;
    if (parens)
        out += '(';
    print(out, e);
    if (parens)
        out += ')';
}

void binary(std::string &out, const Expr &e, const char *op, int p, bool rightAssocSafe)
{
    printAt(out, e.children[0], p);
    out += ' ';
    out += op;
    out += ' ';
    printAt(out, e.children[1], rightAssocSafe ? p : p + 1);
}

void args(std::string &out, const Expr &e, size_t from)
{
    out += '(';
    for (size_t i = from; i < e.children.size(); ++i) {
        if (i > from)
            out += ", ";
        print(out, e.children[i]);
    }
    out += ')';
}

void method(std::string &out, const Expr &e, const std::string &name)
{
    printAt(out, e.children[0], 7);
    out += '.' + name;
    args(out, e, 1);
}

void print(std::string &out, const Expr &e)
{
    switch (e.kind) {
    case ExprKind::Literal: out += toCedar(e.literal, 1 << 30); return;
    case ExprKind::Var:
        switch (e.var) {
        case Var::Principal: out += "principal"; return;
        case Var::Action: out += "action"; return;
        case Var::Resource: out += "resource"; return;
        case Var::Context: out += "context"; return;
        }
        return;
    case ExprKind::And: binary(out, e, "&&", 2, false); return;
    case ExprKind::Or: binary(out, e, "||", 1, false); return;
    case ExprKind::Not:
        out += '!';
    {
        // Cedar repeats one unary operator only: `!-x` does not parse, `!(-x)` does; a negative literal is a `-` too.
        const Expr &operand = e.children[0];
        const bool negative = operand.kind == ExprKind::Neg
                              || (operand.kind == ExprKind::Literal && operand.literal.kind() == ValueKind::Long && operand.literal.asLong() < 0);
        printAt(out, operand, negative ? 7 : 6);
    }
        return;
    case ExprKind::Neg:
        out += '-';
        // `- -1` must not print as `--1`, which would fold differently.
        if (e.children[0].kind == ExprKind::Literal && e.children[0].literal.kind() == ValueKind::Long)
            out += '(' + toCedar(e.children[0].literal) + ')';
        else
            printAt(out, e.children[0], 7);
        return;
    case ExprKind::If:
        out += "if ";
        print(out, e.children[0]);
        out += " then ";
        print(out, e.children[1]);
        out += " else ";
        print(out, e.children[2]);
        return;
    case ExprKind::Eq: binary(out, e, "==", 4, true); return;
    case ExprKind::NotEq: binary(out, e, "!=", 4, true); return;
    case ExprKind::Less: binary(out, e, "<", 4, true); return;
    case ExprKind::LessEq: binary(out, e, "<=", 4, true); return;
    case ExprKind::Greater: binary(out, e, ">", 4, true); return;
    case ExprKind::GreaterEq: binary(out, e, ">=", 4, true); return;
    case ExprKind::In: binary(out, e, "in", 4, true); return;
    case ExprKind::Add: binary(out, e, "+", 4, false); return;
    case ExprKind::Sub: binary(out, e, "-", 4, false); return;
    case ExprKind::Mul: binary(out, e, "*", 5, false); return;
    case ExprKind::Has:
        printAt(out, e.children[0], 4);
        out += " has ";
        out += isIdentifier(e.name) ? e.name : quoteCedarString(e.name);
        return;
    case ExprKind::GetAttr:
        printAt(out, e.children[0], 7);
        if (isIdentifier(e.name))
            out += '.' + e.name;
        else
            out += '[' + quoteCedarString(e.name) + ']';
        return;
    case ExprKind::Like: {
        printAt(out, e.children[0], 4);
        out += " like \"";
        for (const auto &el : e.pattern) {
            if (el.wildcard) {
                out += '*';
                continue;
            }
            std::string q = quoteCedarString(el.text);
            q = q.substr(1, q.size() - 2);
            for (char c : q) {
                if (c == '*')
                    out += "\\*";
                else
                    out += c;
            }
        }
        out += '"';
        return;
    }
    case ExprKind::Is:
        printAt(out, e.children[0], 4);
        out += " is " + e.type->name;
        if (e.children.size() > 1) {
            out += " in ";
            printAt(out, e.children[1], 4);
        }
        return;
    case ExprKind::SetLit:
        out += '[';
        for (size_t i = 0; i < e.children.size(); ++i) {
            if (i)
                out += ", ";
            print(out, e.children[i]);
        }
        out += ']';
        return;
    case ExprKind::RecordLit:
        out += '{';
        for (size_t i = 0; i < e.children.size(); ++i) {
            if (i)
                out += ", ";
            out += isIdentifier(e.names[i]) ? e.names[i] : quoteCedarString(e.names[i]);
            out += ": ";
            print(out, e.children[i]);
        }
        out += '}';
        return;
    case ExprKind::Contains: method(out, e, "contains"); return;
    case ExprKind::ContainsAll: method(out, e, "containsAll"); return;
    case ExprKind::ContainsAny: method(out, e, "containsAny"); return;
    case ExprKind::IsEmpty: method(out, e, "isEmpty"); return;
    case ExprKind::HasTag: method(out, e, "hasTag"); return;
    case ExprKind::GetTag: method(out, e, "getTag"); return;
    case ExprKind::ExtCall:
        switch (e.function) {
        case ExtFunction::Decimal:
        case ExtFunction::Ip:
        case ExtFunction::Datetime:
        case ExtFunction::Duration:
            out += e.name;
            args(out, e, 0);
            return;
        default:
            if (e.children.empty()) {
                out += e.name + "()";
                return;
            }
            method(out, e, e.name);
            return;
        }
    }
}

std::string scopeText(const char *var, const ScopeConstraint &s)
{
    std::string out = var;
    switch (s.op) {
    case ScopeOp::Any: break;
    case ScopeOp::Eq: out += " == " + entityToCedar(s.entity); break;
    case ScopeOp::In: out += " in " + entityToCedar(s.entity); break;
    case ScopeOp::Is: out += " is " + s.type->name; break;
    case ScopeOp::IsIn: out += " is " + s.type->name + " in " + entityToCedar(s.entity); break;
    case ScopeOp::InSet:
        out += " in [";
        for (size_t i = 0; i < s.entities.size(); ++i)
            out += (i ? ", " : "") + entityToCedar(s.entities[i]);
        out += ']';
        break;
    }
    return out;
}

} // namespace

std::string formatExpression(const Expr &expr)
{
    std::string out;
    print(out, expr);
    return out;
}

std::string formatPolicy(const Policy &p)
{
    std::string out;
    for (const auto &[k, v] : p.annotations)
        out += '@' + k + '(' + quoteCedarString(v) + ")\n";
    out += p.effect == Effect::Permit ? "permit (\n" : "forbid (\n";
    out += "  " + scopeText("principal", p.principal) + ",\n";
    out += "  " + scopeText("action", p.action) + ",\n";
    out += "  " + scopeText("resource", p.resource) + "\n)";
    for (const auto &c : p.conditions) {
        out += c.isWhen ? "\nwhen { " : "\nunless { ";
        out += formatExpression(c.body);
        out += " }";
    }
    out += ";\n";
    return out;
}

std::string formatPolicySet(const PolicySet &policies)
{
    std::string out;
    for (size_t i = 0; i < policies.policies.size(); ++i) {
        if (i)
            out += '\n';
        out += formatPolicy(policies.policies[i]);
    }
    return out;
}

} // namespace chainsight::cedar

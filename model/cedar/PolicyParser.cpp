#include "cedar/PolicyParser.h"

#include "cedar/Evaluator.h"

#include <algorithm>
#include <cstring>
#include <set>

namespace chainsight::cedar {

bool PolicyParseResult::ok() const
{
    return std::none_of(diagnostics.begin(), diagnostics.end(),
                        [](const Diagnostic &d) { return d.severity == Severity::Error; });
}

size_t findInvalidUtf8(std::string_view s)
{
    size_t i = 0;
    const size_t n = s.size();
    while (i < n) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            ++i;
            continue;
        }
        size_t len = 0;
        uint32_t cp = 0;
        if ((c & 0xE0) == 0xC0) {
            len = 2;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4;
            cp = c & 0x07;
        } else {
            return i;
        }
        if (i + len > n)
            return i;
        for (size_t k = 1; k < len; ++k) {
            auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0) != 0x80)
                return i;
            cp = (cp << 6) | (cc & 0x3F);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF
            || (cp >= 0xD800 && cp <= 0xDFFF))
            return i;
        i += len;
    }
    return std::string_view::npos;
}

SourceLocation locationAt(std::string_view text, size_t offset)
{
    SourceLocation loc;
    offset = std::min(offset, text.size());
    for (size_t i = 0; i < offset; ++i) {
        auto c = static_cast<unsigned char>(text[i]);
        if (c == '\n') {
            ++loc.line;
            loc.column = 1;
        } else if ((c & 0xC0) != 0x80) {
            ++loc.column;
        }
    }
    loc.offset = static_cast<uint32_t>(offset);
    return loc;
}

namespace {

enum class Tok : uint8_t {
    End,
    Ident,
    Int,
    Str,
    LParen,
    RParen,
    LBracket,
    RBracket,
    LBrace,
    RBrace,
    Comma,
    Semi,
    Dot,
    Colon,
    ColonColon,
    At,
    Question,
    EqEq,
    NotEq,
    Lt,
    Le,
    Gt,
    Ge,
    AndAnd,
    OrOr,
    Bang,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    Assign,
    Amp,
    Pipe,
};

struct Token final {
    Tok kind = Tok::End;
    std::string_view text;
    SourceLocation begin;
    SourceLocation end;
};

struct ParseError final {
    SourceLocation location;
    std::string message;
};

bool isIdentStart(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

bool isIdentChar(char c)
{
    return isIdentStart(c) || (c >= '0' && c <= '9');
}

bool isReserved(std::string_view s)
{
    return s == "true" || s == "false" || s == "if" || s == "then" || s == "else" || s == "in" || s == "is"
        || s == "like" || s == "has" || s == "__cedar";
}

class Lexer final {
public:
    explicit Lexer(std::string_view text) : m_text(text) {}

    Token next()
    {
        skipTrivia();
        Token t;
        t.begin = here();
        if (m_pos >= m_text.size()) {
            t.kind = Tok::End;
            t.end = t.begin;
            return t;
        }
        const size_t start = m_pos;
        const char c = m_text[m_pos];
        auto single = [&](Tok k, size_t len = 1) {
            advance(len);
            t.kind = k;
        };
        if (isIdentStart(c)) {
            while (m_pos < m_text.size() && isIdentChar(m_text[m_pos]))
                advance(1);
            t.kind = Tok::Ident;
        } else if (c >= '0' && c <= '9') {
            while (m_pos < m_text.size() && m_text[m_pos] >= '0' && m_text[m_pos] <= '9')
                advance(1);
            t.kind = Tok::Int;
        } else if (c == '"') {
            advance(1);
            bool closed = false;
            while (m_pos < m_text.size()) {
                char d = m_text[m_pos];
                if (d == '\\') {
                    advance(std::min<size_t>(2, m_text.size() - m_pos));
                    continue;
                }
                advance(1);
                if (d == '"') {
                    closed = true;
                    break;
                }
            }
            if (!closed)
                throw ParseError{t.begin, "unterminated string literal"};
            t.kind = Tok::Str;
        } else {
            const char d = m_pos + 1 < m_text.size() ? m_text[m_pos + 1] : '\0';
            switch (c) {
            case '(': single(Tok::LParen); break;
            case ')': single(Tok::RParen); break;
            case '[': single(Tok::LBracket); break;
            case ']': single(Tok::RBracket); break;
            case '{': single(Tok::LBrace); break;
            case '}': single(Tok::RBrace); break;
            case ',': single(Tok::Comma); break;
            case ';': single(Tok::Semi); break;
            case '.': single(Tok::Dot); break;
            case ':': d == ':' ? single(Tok::ColonColon, 2) : single(Tok::Colon); break;
            case '@': single(Tok::At); break;
            case '?': single(Tok::Question); break;
            case '=': d == '=' ? single(Tok::EqEq, 2) : single(Tok::Assign); break;
            case '!': d == '=' ? single(Tok::NotEq, 2) : single(Tok::Bang); break;
            case '<': d == '=' ? single(Tok::Le, 2) : single(Tok::Lt); break;
            case '>': d == '=' ? single(Tok::Ge, 2) : single(Tok::Gt); break;
            case '&': d == '&' ? single(Tok::AndAnd, 2) : single(Tok::Amp); break;
            case '|': d == '|' ? single(Tok::OrOr, 2) : single(Tok::Pipe); break;
            case '+': single(Tok::Plus); break;
            case '-': single(Tok::Minus); break;
            case '*': single(Tok::Star); break;
            case '/': single(Tok::Slash); break;
            case '%': single(Tok::Percent); break;
            default: throw ParseError{t.begin, "unexpected character `" + std::string(1, c) + "`"};
            }
        }
        t.text = m_text.substr(start, m_pos - start);
        t.end = here();
        return t;
    }

private:
    SourceLocation here() const { return SourceLocation{static_cast<uint32_t>(m_pos), m_line, m_column}; }

    void advance(size_t n)
    {
        for (size_t i = 0; i < n && m_pos < m_text.size(); ++i) {
            auto c = static_cast<unsigned char>(m_text[m_pos++]);
            if (c == '\n') {
                ++m_line;
                m_column = 1;
            } else if ((c & 0xC0) != 0x80) {
                ++m_column;
            }
        }
    }

    void skipTrivia()
    {
        while (m_pos < m_text.size()) {
            char c = m_text[m_pos];
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
                advance(1);
            } else if (c == '/' && m_pos + 1 < m_text.size() && m_text[m_pos + 1] == '/') {
                while (m_pos < m_text.size() && m_text[m_pos] != '\n')
                    advance(1);
            } else {
                break;
            }
        }
    }

    std::string_view m_text;
    size_t m_pos = 0;
    uint32_t m_line = 1;
    uint32_t m_column = 1;
};

void appendUtf8(std::string &out, uint32_t cp)
{
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

int hexDigit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// Unescapes the body of a string token. With pattern set, `\*` yields a literal star marker.
// Returns an error message (empty on success).
std::string unescape(std::string_view body, std::string &out, std::vector<PatternElement> *pattern)
{
    auto emit = [&](char ch) {
        if (pattern) {
            if (pattern->empty() || pattern->back().wildcard)
                pattern->push_back(PatternElement{false, {}});
            pattern->back().text += ch;
        } else {
            out += ch;
        }
    };
    auto emitStr = [&](const std::string &s) {
        for (char ch : s)
            emit(ch);
    };
    for (size_t i = 0; i < body.size(); ++i) {
        char c = body[i];
        if (pattern && c == '*') {
            if (pattern->empty() || !pattern->back().wildcard)
                pattern->push_back(PatternElement{true, {}});
            continue;
        }
        if (c != '\\') {
            emit(c);
            continue;
        }
        if (i + 1 >= body.size())
            return "invalid escape `\\` at end of string";
        char e = body[++i];
        switch (e) {
        case 'n': emit('\n'); break;
        case 'r': emit('\r'); break;
        case 't': emit('\t'); break;
        case '\\': emit('\\'); break;
        case '0': emit('\0'); break;
        case '\'': emit('\''); break;
        case '"': emit('"'); break;
        case '*':
            if (!pattern)
                return "invalid escape `\\*` outside a `like` pattern";
            emit('*');
            break;
        case 'x': {
            if (i + 2 >= body.size())
                return "invalid `\\x` escape";
            int h1 = i + 1 < body.size() ? hexDigit(body[i + 1]) : -1;
            int h2 = i + 2 < body.size() ? hexDigit(body[i + 2]) : -1;
            if (h1 < 0 || h2 < 0 || h1 > 7)
                return "invalid `\\x` escape: expected two hex digits up to 7f";
            emit(static_cast<char>(h1 * 16 + h2));
            i += 2;
            break;
        }
        case 'u': {
            if (i + 1 >= body.size() || body[i + 1] != '{')
                return "invalid `\\u` escape: expected `{`";
            size_t j = i + 2;
            uint32_t cp = 0;
            size_t digits = 0;
            while (j < body.size() && body[j] != '}') {
                int h = hexDigit(body[j]);
                if (h < 0 || digits >= 6)
                    return "invalid `\\u{...}` escape";
                cp = cp * 16 + static_cast<uint32_t>(h);
                ++digits;
                ++j;
            }
            if (j >= body.size() || digits == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
                return "invalid `\\u{...}` escape";
            std::string enc;
            appendUtf8(enc, cp);
            emitStr(enc);
            i = j;
            break;
        }
        default: return std::string("invalid escape `\\") + e + "`";
        }
    }
    return {};
}

struct FunctionInfo final {
    const char *name;
    ExtFunction function;
    bool method;
    int arity; // arguments besides the receiver
};

constexpr FunctionInfo kFunctions[] = {
    {"decimal", ExtFunction::Decimal, false, 1},
    {"ip", ExtFunction::Ip, false, 1},
    {"datetime", ExtFunction::Datetime, false, 1},
    {"duration", ExtFunction::Duration, false, 1},
    {"lessThan", ExtFunction::LessThan, true, 1},
    {"lessThanOrEqual", ExtFunction::LessThanOrEqual, true, 1},
    {"greaterThan", ExtFunction::GreaterThan, true, 1},
    {"greaterThanOrEqual", ExtFunction::GreaterThanOrEqual, true, 1},
    {"isIpv4", ExtFunction::IsIpv4, true, 0},
    {"isIpv6", ExtFunction::IsIpv6, true, 0},
    {"isLoopback", ExtFunction::IsLoopback, true, 0},
    {"isMulticast", ExtFunction::IsMulticast, true, 0},
    {"isInRange", ExtFunction::IsInRange, true, 1},
    {"offset", ExtFunction::Offset, true, 1},
    {"durationSince", ExtFunction::DurationSince, true, 1},
    {"toDate", ExtFunction::ToDate, true, 0},
    {"toTime", ExtFunction::ToTime, true, 0},
    {"toMilliseconds", ExtFunction::ToMilliseconds, true, 0},
    {"toSeconds", ExtFunction::ToSeconds, true, 0},
    {"toMinutes", ExtFunction::ToMinutes, true, 0},
    {"toHours", ExtFunction::ToHours, true, 0},
    {"toDays", ExtFunction::ToDays, true, 0},
};

const FunctionInfo *findFunction(std::string_view name)
{
    for (const auto &f : kFunctions)
        if (name == f.name)
            return &f;
    return nullptr;
}

struct BuiltinMethod final {
    const char *name;
    ExprKind kind;
    int arity;
};

constexpr BuiltinMethod kBuiltinMethods[] = {
    {"contains", ExprKind::Contains, 1},       {"containsAll", ExprKind::ContainsAll, 1},
    {"containsAny", ExprKind::ContainsAny, 1}, {"isEmpty", ExprKind::IsEmpty, 0},
    {"hasTag", ExprKind::HasTag, 1},           {"getTag", ExprKind::GetTag, 1},
};

class Parser final {
public:
    Parser(std::string_view text, std::vector<Diagnostic> &diags)
        : m_text(text), m_lexer(text), m_diags(diags)
    {
    }

    void start()
    {
        m_tok = m_lexer.next();
        m_peek = m_lexer.next();
    }

    bool atEnd() const { return m_tok.kind == Tok::End; }

    Policy parsePolicy()
    {
        Policy p;
        p.span.begin = m_tok.begin;
        std::set<std::string> seen;
        while (m_tok.kind == Tok::At) {
            const Token at = m_tok;
            bump();
            std::string key = expectIdent("annotation name");
            std::string value;
            if (m_tok.kind == Tok::LParen) {
                bump();
                value = stringLiteral();
                expect(Tok::RParen, "`)`");
            }
            if (!seen.insert(key).second)
                throw ParseError{at.begin, "duplicate annotation `@" + key + "`"};
            p.annotations.emplace_back(key, value);
        }
        const Token effect = m_tok;
        if (effect.kind != Tok::Ident || (effect.text != "permit" && effect.text != "forbid"))
            throw ParseError{effect.begin, "expected `permit` or `forbid`, found " + describe(effect)};
        p.effect = effect.text == "permit" ? Effect::Permit : Effect::Forbid;
        bump();
        expect(Tok::LParen, "`(`");
        p.principal = parseScope("principal");
        expect(Tok::Comma, "`,`");
        p.action = parseScope("action");
        expect(Tok::Comma, "`,`");
        p.resource = parseScope("resource");
        if (m_tok.kind == Tok::Comma && m_peek.kind != Tok::RParen)
            throw ParseError{m_tok.begin, "unexpected extra scope element"};
        if (m_tok.kind == Tok::Comma)
            bump();
        expect(Tok::RParen, "`)`");
        while (m_tok.kind == Tok::Ident && (m_tok.text == "when" || m_tok.text == "unless")) {
            Condition c;
            c.isWhen = m_tok.text == "when";
            c.span.begin = m_tok.begin;
            bump();
            expect(Tok::LBrace, "`{`");
            if (m_tok.kind == Tok::RBrace)
                throw ParseError{m_tok.begin, "empty condition body"};
            c.body = parseExpr();
            expect(Tok::RBrace, "`}`");
            c.span.end = m_prevEnd;
            p.conditions.push_back(std::move(c));
        }
        if (m_tok.kind != Tok::Semi)
            throw ParseError{m_tok.begin, "expected `;`, `when` or `unless`, found " + describe(m_tok)};
        bump();
        p.span.end = m_prevEnd;
        return p;
    }

    // Skips to just after the next `;` so later policies still get parsed.
    void recover()
    {
        try {
            while (m_tok.kind != Tok::End && m_tok.kind != Tok::Semi)
                bump();
            if (m_tok.kind == Tok::Semi)
                bump();
        } catch (const ParseError &) {
            m_tok.kind = Tok::End;
        }
    }

    Expr parseExpr()
    {
        DepthGuard guard(*this);
        if (m_tok.kind == Tok::Ident && m_tok.text == "if") {
            const SourceLocation begin = m_tok.begin;
            bump();
            Expr c = parseExpr();
            expectKeyword("then");
            Expr t = parseExpr();
            expectKeyword("else");
            Expr e = parseExpr();
            return make(ExprKind::If, begin, {std::move(c), std::move(t), std::move(e)});
        }
        return parseOr();
    }

    void expectEnd()
    {
        if (m_tok.kind != Tok::End)
            throw ParseError{m_tok.begin, "unexpected " + describe(m_tok) + " after expression"};
    }

private:
    struct DepthGuard final {
        explicit DepthGuard(Parser &p) : m_p(p)
        {
            if (++m_p.m_depth > kMaxNestingDepth)
                throw ParseError{m_p.m_tok.begin, "expression nesting exceeds the limit of "
                                                      + std::to_string(kMaxNestingDepth) + " levels"};
        }
        ~DepthGuard() { --m_p.m_depth; }
        DepthGuard(const DepthGuard &) = delete;
        DepthGuard &operator=(const DepthGuard &) = delete;
        Parser &m_p;
    };

    static std::string describe(const Token &t)
    {
        if (t.kind == Tok::End)
            return "end of input";
        std::string s(t.text.substr(0, 40));
        return "`" + s + "`";
    }

    void bump()
    {
        m_prevEnd = m_tok.end;
        m_tok = m_peek;
        if (m_peek.kind != Tok::End)
            m_peek = m_lexer.next();
    }

    void expect(Tok k, const char *what)
    {
        if (m_tok.kind != k)
            throw ParseError{m_tok.begin, std::string("expected ") + what + ", found " + describe(m_tok)};
        bump();
    }

    void expectKeyword(const char *kw)
    {
        if (m_tok.kind != Tok::Ident || m_tok.text != kw)
            throw ParseError{m_tok.begin, std::string("expected `") + kw + "`, found " + describe(m_tok)};
        bump();
    }

    std::string expectIdent(const char *what)
    {
        if (m_tok.kind != Tok::Ident)
            throw ParseError{m_tok.begin, std::string("expected ") + what + ", found " + describe(m_tok)};
        std::string s(m_tok.text);
        bump();
        return s;
    }

    std::string stringLiteral()
    {
        if (m_tok.kind != Tok::Str)
            throw ParseError{m_tok.begin, "expected a string literal, found " + describe(m_tok)};
        std::string out;
        std::string err = unescape(m_tok.text.substr(1, m_tok.text.size() - 2), out, nullptr);
        if (!err.empty())
            throw ParseError{m_tok.begin, err};
        bump();
        return out;
    }

    Expr make(ExprKind kind, SourceLocation begin, std::vector<Expr> children)
    {
        Expr e;
        e.kind = kind;
        e.children = std::move(children);
        e.span.begin = begin;
        e.span.end = m_prevEnd;
        int depth = 0;
        for (const auto &c : e.children)
            depth = std::max(depth, c.depth);
        if (depth + 1 > kMaxExprTreeDepth)
            throw ParseError{begin, "expression is nested more than " + std::to_string(kMaxExprTreeDepth)
                                        + " levels deep"};
        e.depth = depth + 1;
        return e;
    }

    // Path = IDENT ('::' IDENT)*; stops before `::"` so entity refs can be recognised.
    std::string parsePathAfterFirst(std::string first)
    {
        std::string path = std::move(first);
        while (m_tok.kind == Tok::ColonColon && m_peek.kind == Tok::Ident) {
            bump();
            path += "::";
            path += std::string(m_tok.text);
            bump();
        }
        return path;
    }

    EntityUid parseEntityRef()
    {
        const Token first = m_tok;
        if (first.kind != Tok::Ident)
            throw ParseError{first.begin, "expected an entity reference, found " + describe(first)};
        if (isReserved(first.text))
            throw ParseError{first.begin, "`" + std::string(first.text) + "` is a reserved word"};
        bump();
        std::string path = parsePathAfterFirst(std::string(first.text));
        if (m_tok.kind != Tok::ColonColon || m_peek.kind != Tok::Str)
            throw ParseError{m_tok.begin, "expected `::\"id\"` after entity type `" + path + "`"};
        bump();
        std::string id = stringLiteral();
        return internUid(path, id);
    }

    ScopeConstraint parseScope(const char *var)
    {
        ScopeConstraint sc;
        sc.span.begin = m_tok.begin;
        if (m_tok.kind == Tok::Question)
            throw ParseError{m_tok.begin, "policy templates (`?principal`, `?resource`) are not supported"};
        if (m_tok.kind != Tok::Ident || m_tok.text != var)
            throw ParseError{m_tok.begin, std::string("expected `") + var + "`, found " + describe(m_tok)};
        bump();
        const bool isAction = std::strcmp(var, "action") == 0;
        auto checkAction = [&](EntityUid uid, SourceLocation at) {
            if (!isAction)
                return;
            const std::string &t = uid->type->name;
            if (t != "Action" && (t.size() < 8 || t.compare(t.size() - 8, 8, "::Action") != 0))
                throw ParseError{at, "expected an entity of type `Action` in the action scope, found `" + t + "`"};
        };
        if (m_tok.kind == Tok::EqEq) {
            bump();
            if (m_tok.kind == Tok::Question)
                throw ParseError{m_tok.begin, "policy templates are not supported"};
            const SourceLocation at = m_tok.begin;
            sc.op = ScopeOp::Eq;
            sc.entity = parseEntityRef();
            checkAction(sc.entity, at);
        } else if (m_tok.kind == Tok::Ident && m_tok.text == "in") {
            bump();
            if (m_tok.kind == Tok::Question)
                throw ParseError{m_tok.begin, "policy templates are not supported"};
            if (m_tok.kind == Tok::LBracket) {
                if (!isAction)
                    throw ParseError{m_tok.begin, std::string("`") + var + " in [...]` is not allowed; only `action` may be in a list"};
                bump();
                sc.op = ScopeOp::InSet;
                while (m_tok.kind != Tok::RBracket) {
                    const SourceLocation at = m_tok.begin;
                    EntityUid uid = parseEntityRef();
                    checkAction(uid, at);
                    sc.entities.push_back(uid);
                    if (m_tok.kind == Tok::Comma)
                        bump();
                    else if (m_tok.kind != Tok::RBracket)
                        throw ParseError{m_tok.begin, "expected `,` or `]`, found " + describe(m_tok)};
                }
                bump();
            } else {
                const SourceLocation at = m_tok.begin;
                sc.op = ScopeOp::In;
                sc.entity = parseEntityRef();
                checkAction(sc.entity, at);
            }
        } else if (m_tok.kind == Tok::Ident && m_tok.text == "is") {
            if (isAction)
                throw ParseError{m_tok.begin, "`is` is not allowed in the action scope"};
            bump();
            const std::string first = expectIdent("an entity type");
            sc.type = internType(parsePathAfterFirst(first));
            sc.op = ScopeOp::Is;
            if (m_tok.kind == Tok::Ident && m_tok.text == "in") {
                bump();
                if (m_tok.kind == Tok::Question)
                    throw ParseError{m_tok.begin, "policy templates are not supported"};
                sc.op = ScopeOp::IsIn;
                sc.entity = parseEntityRef();
            }
        } else if (m_tok.kind == Tok::Assign) {
            throw ParseError{m_tok.begin, "invalid operator `=`; did you mean `==`?"};
        } else if (m_tok.kind != Tok::Comma && m_tok.kind != Tok::RParen) {
            throw ParseError{m_tok.begin, std::string("unexpected ") + describe(m_tok) + " in the " + var + " scope"};
        }
        sc.span.end = m_prevEnd;
        return sc;
    }

    Expr parseOr()
    {
        const SourceLocation begin = m_tok.begin;
        Expr lhs = parseAnd();
        while (m_tok.kind == Tok::OrOr || m_tok.kind == Tok::Pipe) {
            if (m_tok.kind == Tok::Pipe)
                throw ParseError{m_tok.begin, "invalid operator `|`; did you mean `||`?"};
            bump();
            Expr rhs = parseAnd();
            lhs = make(ExprKind::Or, begin, vec(std::move(lhs), std::move(rhs)));
        }
        return lhs;
    }

    Expr parseAnd()
    {
        const SourceLocation begin = m_tok.begin;
        Expr lhs = parseRelation();
        while (m_tok.kind == Tok::AndAnd || m_tok.kind == Tok::Amp) {
            if (m_tok.kind == Tok::Amp)
                throw ParseError{m_tok.begin, "invalid operator `&`; did you mean `&&`?"};
            bump();
            Expr rhs = parseRelation();
            lhs = make(ExprKind::And, begin, vec(std::move(lhs), std::move(rhs)));
        }
        return lhs;
    }

    static std::vector<Expr> vec(Expr a, Expr b)
    {
        std::vector<Expr> v;
        v.reserve(2);
        v.push_back(std::move(a));
        v.push_back(std::move(b));
        return v;
    }

    static std::vector<Expr> vec(Expr a)
    {
        std::vector<Expr> v;
        v.push_back(std::move(a));
        return v;
    }

    bool atRelOp() const
    {
        switch (m_tok.kind) {
        case Tok::EqEq:
        case Tok::NotEq:
        case Tok::Lt:
        case Tok::Le:
        case Tok::Gt:
        case Tok::Ge:
        case Tok::Assign:
            return true;
        case Tok::Ident:
            return m_tok.text == "in" || m_tok.text == "has" || m_tok.text == "like" || m_tok.text == "is";
        default:
            return false;
        }
    }

    Expr parseRelation()
    {
        const SourceLocation begin = m_tok.begin;
        Expr lhs = parseAdd();
        if (!atRelOp())
            return lhs;
        Expr result = parseRelationTail(begin, std::move(lhs));
        if (atRelOp())
            throw ParseError{m_tok.begin, "chained comparison: " + describe(m_tok)
                                              + " cannot follow another relation without parentheses"};
        return result;
    }

    Expr parseRelationTail(SourceLocation begin, Expr lhs)
    {
        const Token op = m_tok;
        if (op.kind == Tok::Assign)
            throw ParseError{op.begin, "invalid operator `=`; did you mean `==`?"};
        if (op.kind == Tok::Ident && op.text == "has") {
            bump();
            if (m_tok.kind == Tok::Str) {
                Expr e = make(ExprKind::Has, begin, vec(std::move(lhs)));
                e.name = stringLiteral();
                e.span.end = m_prevEnd;
                return e;
            }
            if (m_tok.kind != Tok::Ident || isReserved(m_tok.text))
                throw ParseError{m_tok.begin, "expected an attribute name or string after `has`, found " + describe(m_tok)};
            // `e has a.b.c` means `e has a && e.a has b && e.a.b has c`.
            std::vector<std::string> path{std::string(m_tok.text)};
            bump();
            while (m_tok.kind == Tok::Dot && m_peek.kind == Tok::Ident) {
                bump();
                if (isReserved(m_tok.text))
                    throw ParseError{m_tok.begin, "`" + std::string(m_tok.text) + "` is a reserved word"};
                path.emplace_back(m_tok.text);
                bump();
            }
            Expr base = lhs;
            Expr result = make(ExprKind::Has, begin, vec(base));
            result.name = path[0];
            Expr access = std::move(base);
            for (size_t i = 1; i < path.size(); ++i) {
                Expr get = make(ExprKind::GetAttr, begin, vec(std::move(access)));
                get.name = path[i - 1];
                Expr has = make(ExprKind::Has, begin, vec(get));
                has.name = path[i];
                access = std::move(get);
                result = make(ExprKind::And, begin, vec(std::move(result), std::move(has)));
            }
            return result;
        }
        if (op.kind == Tok::Ident && op.text == "like") {
            bump();
            if (m_tok.kind != Tok::Str)
                throw ParseError{m_tok.begin, "expected a string pattern after `like`, found " + describe(m_tok)};
            Expr e = make(ExprKind::Like, begin, vec(std::move(lhs)));
            std::string unused;
            std::string err = unescape(m_tok.text.substr(1, m_tok.text.size() - 2), unused, &e.pattern);
            if (!err.empty())
                throw ParseError{m_tok.begin, err};
            bump();
            e.span.end = m_prevEnd;
            return e;
        }
        if (op.kind == Tok::Ident && op.text == "is") {
            bump();
            const std::string first = expectIdent("an entity type after `is`");
            if (isReserved(first))
                throw ParseError{op.end, "`" + first + "` is a reserved word"};
            const std::string path = parsePathAfterFirst(first);
            if (m_tok.kind == Tok::Ident && m_tok.text == "in") {
                bump();
                Expr rhs = parseAdd();
                Expr e = make(ExprKind::Is, begin, vec(std::move(lhs), std::move(rhs)));
                e.type = internType(path);
                return e;
            }
            Expr e = make(ExprKind::Is, begin, vec(std::move(lhs)));
            e.type = internType(path);
            return e;
        }
        ExprKind kind = ExprKind::Eq;
        switch (op.kind) {
        case Tok::EqEq: kind = ExprKind::Eq; break;
        case Tok::NotEq: kind = ExprKind::NotEq; break;
        case Tok::Lt: kind = ExprKind::Less; break;
        case Tok::Le: kind = ExprKind::LessEq; break;
        case Tok::Gt: kind = ExprKind::Greater; break;
        case Tok::Ge: kind = ExprKind::GreaterEq; break;
        default: kind = ExprKind::In; break;
        }
        bump();
        Expr rhs = parseAdd();
        return make(kind, begin, vec(std::move(lhs), std::move(rhs)));
    }

    Expr parseAdd()
    {
        const SourceLocation begin = m_tok.begin;
        Expr lhs = parseMul();
        while (m_tok.kind == Tok::Plus || m_tok.kind == Tok::Minus) {
            const ExprKind kind = m_tok.kind == Tok::Plus ? ExprKind::Add : ExprKind::Sub;
            bump();
            Expr rhs = parseMul();
            lhs = make(kind, begin, vec(std::move(lhs), std::move(rhs)));
        }
        return lhs;
    }

    Expr parseMul()
    {
        const SourceLocation begin = m_tok.begin;
        Expr lhs = parseUnary();
        while (m_tok.kind == Tok::Star || m_tok.kind == Tok::Slash || m_tok.kind == Tok::Percent) {
            if (m_tok.kind == Tok::Slash)
                throw ParseError{m_tok.begin, "division `/` is not supported by Cedar"};
            if (m_tok.kind == Tok::Percent)
                throw ParseError{m_tok.begin, "remainder `%` is not supported by Cedar"};
            bump();
            Expr rhs = parseUnary();
            lhs = make(ExprKind::Mul, begin, vec(std::move(lhs), std::move(rhs)));
        }
        return lhs;
    }

    Expr parseUnary()
    {
        DepthGuard guard(*this);
        const SourceLocation begin = m_tok.begin;
        if (m_tok.kind != Tok::Bang && m_tok.kind != Tok::Minus)
            return parseMember();
        const Tok op = m_tok.kind;
        std::vector<SourceLocation> opLocs;
        while (m_tok.kind == op) {
            opLocs.push_back(m_tok.begin);
            bump();
        }
        if (opLocs.size() > 4)
            throw ParseError{begin, "too many unary operators: at most four `" + std::string(op == Tok::Bang ? "!" : "-")
                                        + "` may be chained"};
        Expr inner;
        size_t remaining = opLocs.size();
        if (op == Tok::Minus && m_tok.kind == Tok::Int && m_peek.kind != Tok::Dot && m_peek.kind != Tok::LBracket) {
            // `-N` is a literal, so the most negative Long can be written.
            const Token num = m_tok;
            bump();
            uint64_t mag = 0;
            bool overflow = false;
            for (char c : num.text) {
                if (__builtin_mul_overflow(mag, 10, &mag) || __builtin_add_overflow(mag, static_cast<uint64_t>(c - '0'), &mag))
                    overflow = true;
            }
            if (overflow || mag > static_cast<uint64_t>(INT64_MAX) + 1)
                throw ParseError{num.begin, "integer literal `-" + std::string(num.text) + "` is out of range"};
            int64_t v = mag == static_cast<uint64_t>(INT64_MAX) + 1 ? INT64_MIN : -static_cast<int64_t>(mag);
            inner.kind = ExprKind::Literal;
            inner.literal = Value::integer(v);
            inner.constant = true;
            inner.span.begin = opLocs.back();
            inner.span.end = m_prevEnd;
            --remaining;
        } else {
            inner = parseMember();
        }
        for (size_t i = remaining; i-- > 0;) {
            Expr e = make(op == Tok::Bang ? ExprKind::Not : ExprKind::Neg, opLocs[i], vec(std::move(inner)));
            inner = std::move(e);
        }
        return inner;
    }

    Expr parseMember()
    {
        const SourceLocation begin = m_tok.begin;
        Expr e = parsePrimary();
        for (;;) {
            if (m_tok.kind == Tok::Dot) {
                bump();
                if (m_tok.kind != Tok::Ident)
                    throw ParseError{m_tok.begin, "expected an attribute or method name after `.`, found " + describe(m_tok)};
                const Token name = m_tok;
                if (isReserved(name.text))
                    throw ParseError{name.begin, "`" + std::string(name.text) + "` is a reserved word; write `[\""
                                                     + std::string(name.text) + "\"]`"};
                bump();
                if (m_tok.kind == Tok::LParen) {
                    e = parseMethodCall(begin, name, std::move(e));
                } else {
                    Expr get = make(ExprKind::GetAttr, begin, vec(std::move(e)));
                    get.name = std::string(name.text);
                    e = std::move(get);
                }
            } else if (m_tok.kind == Tok::LBracket) {
                bump();
                if (m_tok.kind != Tok::Str)
                    throw ParseError{m_tok.begin, "expected a string literal index, found " + describe(m_tok)};
                std::string attr = stringLiteral();
                expect(Tok::RBracket, "`]`");
                Expr get = make(ExprKind::GetAttr, begin, vec(std::move(e)));
                get.name = std::move(attr);
                e = std::move(get);
            } else {
                return e;
            }
        }
    }

    std::vector<Expr> parseArgs()
    {
        expect(Tok::LParen, "`(`");
        std::vector<Expr> args;
        while (m_tok.kind != Tok::RParen) {
            args.push_back(parseExpr());
            if (m_tok.kind == Tok::Comma)
                bump();
            else if (m_tok.kind != Tok::RParen)
                throw ParseError{m_tok.begin, "expected `,` or `)`, found " + describe(m_tok)};
        }
        bump();
        return args;
    }

    Expr parseMethodCall(SourceLocation begin, const Token &name, Expr receiver)
    {
        const std::string method(name.text);
        std::vector<Expr> args = parseArgs();
        for (const auto &b : kBuiltinMethods) {
            if (method == b.name) {
                if (static_cast<int>(args.size()) != b.arity)
                    throw ParseError{name.begin, "`" + method + "` takes " + std::to_string(b.arity) + " argument(s), got "
                                                     + std::to_string(args.size())};
                std::vector<Expr> children = vec(std::move(receiver));
                for (auto &a : args)
                    children.push_back(std::move(a));
                return make(b.kind, begin, std::move(children));
            }
        }
        const FunctionInfo *f = findFunction(method);
        if (!f)
            throw ParseError{name.begin, "`" + method + "` is not a known method"};
        if (!f->method)
            throw ParseError{name.begin, "`" + method + "` is a function, not a method; write `" + method + "(...)`"};
        // Cedar reports a wrong extension arity when evaluating, not when parsing.
        std::vector<Expr> children = vec(std::move(receiver));
        for (auto &a : args)
            children.push_back(std::move(a));
        Expr e = make(ExprKind::ExtCall, begin, std::move(children));
        e.function = f->function;
        e.name = method;
        return e;
    }

    Expr parsePrimary()
    {
        DepthGuard guard(*this);
        const Token t = m_tok;
        switch (t.kind) {
        case Tok::Int: {
            bump();
            uint64_t mag = 0;
            bool overflow = false;
            for (char c : t.text)
                if (__builtin_mul_overflow(mag, 10, &mag) || __builtin_add_overflow(mag, static_cast<uint64_t>(c - '0'), &mag))
                    overflow = true;
            if (overflow || mag > static_cast<uint64_t>(INT64_MAX))
                throw ParseError{t.begin, "integer literal `" + std::string(t.text) + "` is out of range"};
            Expr e = make(ExprKind::Literal, t.begin, {});
            e.literal = Value::integer(static_cast<int64_t>(mag));
            e.constant = true;
            return e;
        }
        case Tok::Str: {
            std::string s = stringLiteral();
            Expr e = make(ExprKind::Literal, t.begin, {});
            e.literal = Value::string(std::move(s));
            e.constant = true;
            return e;
        }
        case Tok::LParen: {
            bump();
            Expr inner = parseExpr();
            expect(Tok::RParen, "`)`");
            return inner;
        }
        case Tok::LBracket: {
            bump();
            std::vector<Expr> elements;
            while (m_tok.kind != Tok::RBracket) {
                elements.push_back(parseExpr());
                if (m_tok.kind == Tok::Comma)
                    bump();
                else if (m_tok.kind != Tok::RBracket)
                    throw ParseError{m_tok.begin, "expected `,` or `]`, found " + describe(m_tok)};
            }
            bump();
            return make(ExprKind::SetLit, t.begin, std::move(elements));
        }
        case Tok::LBrace: {
            bump();
            std::vector<Expr> values;
            std::vector<std::string> keys;
            std::set<std::string> seen;
            while (m_tok.kind != Tok::RBrace) {
                const Token keyTok = m_tok;
                std::string key;
                if (keyTok.kind == Tok::Str) {
                    key = stringLiteral();
                } else if (keyTok.kind == Tok::Ident) {
                    if (isReserved(keyTok.text))
                        throw ParseError{keyTok.begin, "`" + std::string(keyTok.text) + "` is a reserved word; quote it"};
                    key = std::string(keyTok.text);
                    bump();
                } else {
                    throw ParseError{keyTok.begin, "expected a record key, found " + describe(keyTok)};
                }
                if (!seen.insert(key).second)
                    throw ParseError{keyTok.begin, "duplicate record key `" + key + "`"};
                expect(Tok::Colon, "`:`");
                values.push_back(parseExpr());
                keys.push_back(std::move(key));
                if (m_tok.kind == Tok::Comma)
                    bump();
                else if (m_tok.kind != Tok::RBrace)
                    throw ParseError{m_tok.begin, "expected `,` or `}`, found " + describe(m_tok)};
            }
            bump();
            Expr e = make(ExprKind::RecordLit, t.begin, std::move(values));
            e.names = std::move(keys);
            return e;
        }
        case Tok::Ident: {
            if (t.text == "true" || t.text == "false") {
                bump();
                Expr e = make(ExprKind::Literal, t.begin, {});
                e.literal = Value::boolean(t.text == "true");
                e.constant = true;
                return e;
            }
            if (t.text == "if")
                throw ParseError{t.begin, "`if` must be parenthesised here"};
            if (isReserved(t.text))
                throw ParseError{t.begin, "unexpected reserved word `" + std::string(t.text) + "`"};
            bump();
            std::string path = parsePathAfterFirst(std::string(t.text));
            if (m_tok.kind == Tok::ColonColon && m_peek.kind == Tok::Str) {
                bump();
                std::string id = stringLiteral();
                Expr e = make(ExprKind::Literal, t.begin, {});
                e.literal = Value::entity(internUid(path, id));
                e.constant = true;
                return e;
            }
            if (m_tok.kind == Tok::ColonColon)
                throw ParseError{m_tok.begin, "expected an identifier or `\"id\"` after `::`"};
            if (m_tok.kind == Tok::LParen) {
                std::vector<Expr> args = parseArgs();
                for (const auto &b : kBuiltinMethods)
                    if (path == b.name)
                        throw ParseError{t.begin, "`" + path + "` is a method, not a function; write `e." + path + "(...)`"};
                const FunctionInfo *f = findFunction(path);
                if (!f)
                    throw ParseError{t.begin, "`" + path + "` is not a known function"};
                if (f->method)
                    throw ParseError{t.begin, "`" + path + "` is a method, not a function; write `e." + path + "(...)`"};
                Expr e = make(ExprKind::ExtCall, t.begin, std::move(args));
                e.function = f->function;
                e.name = path;
                return e;
            }
            Expr e = make(ExprKind::Var, t.begin, {});
            if (path == "principal")
                e.var = Var::Principal;
            else if (path == "action")
                e.var = Var::Action;
            else if (path == "resource")
                e.var = Var::Resource;
            else if (path == "context")
                e.var = Var::Context;
            else
                throw ParseError{t.begin, "unknown variable `" + path
                                              + "`; expected `principal`, `action`, `resource` or `context`"};
            return e;
        }
        case Tok::Question:
            throw ParseError{t.begin, "template slots are not supported"};
        default:
            throw ParseError{t.begin, "unexpected " + describe(t)};
        }
    }

    std::string_view m_text;
    Lexer m_lexer;
    std::vector<Diagnostic> &m_diags;
    Token m_tok;
    Token m_peek;
    SourceLocation m_prevEnd;
    int m_depth = 0;
};

} // namespace

bool unescapeCedarString(std::string_view body, std::string &out, std::string &error)
{
    error = unescape(body, out, nullptr);
    return error.empty();
}

PolicyParseResult PolicyParser::parse(std::string_view text, std::string fileName)
{
    PolicyParseResult result;
    result.policySet.fileName = std::move(fileName);
    if (text.size() > kMaxPolicyTextBytes) {
        result.policySet.source = std::make_shared<const std::string>();
        result.diagnostics.push_back({Severity::Error, {}, "the policy text is larger than " + std::to_string(kMaxPolicyTextBytes >> 20)
                                                             + " MB; split it into several files"});
        return result;
    }
    result.policySet.source = std::make_shared<const std::string>(text);
    const std::string_view src = *result.policySet.source;
    if (size_t bad = findInvalidUtf8(src); bad != std::string_view::npos) {
        result.diagnostics.push_back({Severity::Error, locationAt(src, bad), "invalid UTF-8 in policy text"});
        return result;
    }
    Parser parser(src, result.diagnostics);
    try {
        parser.start();
    } catch (const ParseError &e) {
        result.diagnostics.push_back({Severity::Error, e.location, e.message});
        return result;
    }
    int index = 0;
    std::set<std::string> ids;
    while (!parser.atEnd()) {
        try {
            Policy p = parser.parsePolicy();
            p.positionalId = "policy" + std::to_string(index);
            p.id = p.positionalId;
            for (const auto &[k, v] : p.annotations)
                if (k == "id")
                    p.id = v;
            if (!ids.insert(p.id).second)
                result.diagnostics.push_back({Severity::Error, p.span.begin, "duplicate policy id `" + p.id + "`"});
            for (auto &c : p.conditions)
                compileExpression(c.body);
            result.policySet.policies.push_back(std::move(p));
        } catch (const ParseError &e) {
            result.diagnostics.push_back({Severity::Error, e.location, e.message});
            parser.recover();
        }
        ++index;
    }
    return result;
}

std::optional<Expr> PolicyParser::parseExpression(std::string_view text, std::vector<Diagnostic> &diagnostics)
{
    if (text.size() > kMaxPolicyTextBytes) {
        diagnostics.push_back({Severity::Error, {}, "the expression is larger than " + std::to_string(kMaxPolicyTextBytes >> 20) + " MB"});
        return std::nullopt;
    }
    if (size_t bad = findInvalidUtf8(text); bad != std::string_view::npos) {
        diagnostics.push_back({Severity::Error, locationAt(text, bad), "invalid UTF-8 in expression"});
        return std::nullopt;
    }
    Parser parser(text, diagnostics);
    try {
        parser.start();
        Expr e = parser.parseExpr();
        parser.expectEnd();
        compileExpression(e);
        return e;
    } catch (const ParseError &err) {
        diagnostics.push_back({Severity::Error, err.location, err.message});
        return std::nullopt;
    }
}

} // namespace chainsight::cedar

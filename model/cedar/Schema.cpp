#include "cedar/Schema.h"

#include "cedar/PolicyParser.h"

#include <set>

namespace chainsight::cedar {

namespace {

struct SchemaError final {
    SourceLocation location;
    std::string message;
};

enum class STok : uint8_t { End, Ident, Str, Punct };

struct SToken final {
    STok kind = STok::End;
    std::string text; // identifier, unescaped string, or punctuation
    SourceLocation at;
};

class SchemaLexer final {
public:
    explicit SchemaLexer(std::string_view t) : m_text(t) {}

    std::vector<SToken> all()
    {
        std::vector<SToken> out;
        for (;;) {
            skip();
            SToken tok;
            tok.at = SourceLocation{static_cast<uint32_t>(m_pos), m_line, m_col};
            if (m_pos >= m_text.size()) {
                out.push_back(tok);
                return out;
            }
            const char c = m_text[m_pos];
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') {
                size_t s = m_pos;
                while (m_pos < m_text.size()
                       && ((m_text[m_pos] >= 'a' && m_text[m_pos] <= 'z') || (m_text[m_pos] >= 'A' && m_text[m_pos] <= 'Z')
                           || (m_text[m_pos] >= '0' && m_text[m_pos] <= '9') || m_text[m_pos] == '_'))
                    adv();
                tok.kind = STok::Ident;
                tok.text = std::string(m_text.substr(s, m_pos - s));
            } else if (c == '"') {
                adv();
                size_t s = m_pos;
                bool closed = false;
                while (m_pos < m_text.size()) {
                    if (m_text[m_pos] == '\\') {
                        adv();
                        adv();
                        continue;
                    }
                    if (m_text[m_pos] == '"') {
                        closed = true;
                        break;
                    }
                    adv();
                }
                if (!closed)
                    throw SchemaError{tok.at, "unterminated string literal"};
                std::string err;
                if (!unescapeCedarString(m_text.substr(s, m_pos - s), tok.text, err))
                    throw SchemaError{tok.at, err};
                adv();
                tok.kind = STok::Str;
            } else if (c == ':' && m_pos + 1 < m_text.size() && m_text[m_pos + 1] == ':') {
                adv();
                adv();
                tok.kind = STok::Punct;
                tok.text = "::";
            } else if (std::string_view("{}[]<>(),;:=?@").find(c) != std::string_view::npos) {
                adv();
                tok.kind = STok::Punct;
                tok.text = std::string(1, c);
            } else {
                throw SchemaError{tok.at, std::string("unexpected character `") + c + "`"};
            }
            out.push_back(std::move(tok));
        }
    }

private:
    void adv()
    {
        if (m_pos >= m_text.size())
            return;
        auto c = static_cast<unsigned char>(m_text[m_pos++]);
        if (c == '\n') {
            ++m_line;
            m_col = 1;
        } else if ((c & 0xC0) != 0x80) {
            ++m_col;
        }
    }
    void skip()
    {
        while (m_pos < m_text.size()) {
            char c = m_text[m_pos];
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
                adv();
            else if (c == '/' && m_pos + 1 < m_text.size() && m_text[m_pos + 1] == '/')
                while (m_pos < m_text.size() && m_text[m_pos] != '\n')
                    adv();
            else
                break;
        }
    }
    std::string_view m_text;
    size_t m_pos = 0;
    uint32_t m_line = 1;
    uint32_t m_col = 1;
};

std::string qualify(const std::string &ns, const std::string &name)
{
    return ns.empty() ? name : ns + "::" + name;
}

} // namespace

class SchemaParser final {
public:
    SchemaParser(std::vector<SToken> toks, Schema &schema) : m_toks(std::move(toks)), m_schema(schema) {}

    void parse()
    {
        while (!atEnd()) {
            skipAnnotations();
            if (isIdent("namespace")) {
                next();
                std::string ns = path();
                expect("{");
                while (!isPunct("}")) {
                    if (atEnd())
                        throw SchemaError{cur().at, "expected `}` to close the namespace"};
                    decl(ns);
                }
                next();
            } else {
                decl({});
            }
        }
        // Actions: resolve memberOf after all are known, then index.
        for (size_t i = 0; i < m_schema.m_actions.size(); ++i)
            m_schema.m_actionIndex[m_schema.m_actions[i].uid] = i;
    }

private:
    const SToken &cur() const { return m_toks[m_pos]; }
    bool atEnd() const { return cur().kind == STok::End; }
    void next()
    {
        if (!atEnd())
            ++m_pos;
    }
    bool isIdent(const char *s) const { return cur().kind == STok::Ident && cur().text == s; }
    bool isPunct(const char *s) const { return cur().kind == STok::Punct && cur().text == s; }
    void expect(const char *s)
    {
        if (!isPunct(s))
            throw SchemaError{cur().at, std::string("expected `") + s + "`, found " + describe()};
        next();
    }
    std::string describe() const
    {
        if (atEnd())
            return "end of input";
        return "`" + cur().text + "`";
    }
    std::string ident()
    {
        if (cur().kind != STok::Ident)
            throw SchemaError{cur().at, "expected an identifier, found " + describe()};
        std::string s = cur().text;
        next();
        return s;
    }
    std::string name() // IDENT or STR
    {
        if (cur().kind != STok::Ident && cur().kind != STok::Str)
            throw SchemaError{cur().at, "expected a name, found " + describe()};
        std::string s = cur().text;
        next();
        return s;
    }
    std::string path()
    {
        std::string p = ident();
        while (isPunct("::") && m_toks[m_pos + 1].kind == STok::Ident) {
            next();
            p += "::" + ident();
        }
        return p;
    }
    void skipAnnotations()
    {
        while (isPunct("@")) {
            next();
            ident();
            if (isPunct("(")) {
                next();
                if (cur().kind != STok::Str)
                    throw SchemaError{cur().at, "expected a string annotation value"};
                next();
                expect(")");
            }
        }
    }

    std::vector<std::string> pathList(const std::string &ns)
    {
        std::vector<std::string> out;
        if (isPunct("[")) {
            next();
            while (!isPunct("]")) {
                out.push_back(typeRefName(path(), ns));
                if (isPunct(","))
                    next();
                else if (!isPunct("]"))
                    throw SchemaError{cur().at, "expected `,` or `]`, found " + describe()};
            }
            next();
        } else {
            out.push_back(typeRefName(path(), ns));
        }
        return out;
    }

    // Entity type references: qualified if declared in this namespace.
    std::string typeRefName(const std::string &p, const std::string &ns) { return p.find("::") == std::string::npos ? qualify(ns, p) : p; }

    SchemaTypePtr type(const std::string &ns, int depth = 0)
    {
        if (depth > 64)
            throw SchemaError{cur().at, "type nesting is too deep"};
        if (isPunct("{"))
            return recordType(ns, depth);
        const SourceLocation at = cur().at;
        std::string p = path();
        if (p == "Set" && isPunct("<")) {
            next();
            auto t = std::make_shared<SchemaType>();
            t->kind = SchemaTypeKind::Set;
            t->element = type(ns, depth + 1);
            expect(">");
            return t;
        }
        (void)at;
        auto t = std::make_shared<SchemaType>();
        t->kind = SchemaTypeKind::Named;
        t->name = p;
        t->ns = ns;
        return t;
    }

    SchemaTypePtr recordType(const std::string &ns, int depth)
    {
        expect("{");
        auto t = std::make_shared<SchemaType>();
        t->kind = SchemaTypeKind::Record;
        while (!isPunct("}")) {
            skipAnnotations();
            std::string key = name();
            bool required = true;
            if (isPunct("?")) {
                required = false;
                next();
            }
            expect(":");
            t->attributes[key] = SchemaAttribute{type(ns, depth + 1), required};
            if (isPunct(","))
                next();
            else if (!isPunct("}"))
                throw SchemaError{cur().at, "expected `,` or `}`, found " + describe()};
        }
        next();
        return t;
    }

    void decl(const std::string &ns)
    {
        skipAnnotations();
        const SourceLocation at = cur().at;
        if (isIdent("entity")) {
            next();
            std::vector<std::string> names{ident()};
            while (isPunct(",")) {
                next();
                names.push_back(ident());
            }
            SchemaEntityType proto;
            proto.location = at;
            if (isIdent("enum")) {
                next();
                expect("[");
                while (!isPunct("]")) {
                    if (cur().kind != STok::Str)
                        throw SchemaError{cur().at, "expected a string in the enum list"};
                    proto.enumIds.push_back(cur().text);
                    next();
                    if (isPunct(","))
                        next();
                }
                next();
            } else {
                if (isIdent("in")) {
                    next();
                    proto.memberOf = pathList(ns);
                }
                if (isPunct("="))
                    next();
                if (isPunct("{"))
                    proto.shape = recordType(ns, 0);
                if (isIdent("tags")) {
                    next();
                    proto.tags = type(ns);
                }
            }
            expect(";");
            for (const auto &n : names) {
                SchemaEntityType et = proto;
                et.name = qualify(ns, n);
                if (m_schema.m_entityTypes.count(et.name))
                    throw SchemaError{at, "duplicate entity type `" + et.name + "`"};
                m_schema.m_entityTypes[et.name] = std::move(et);
            }
        } else if (isIdent("action")) {
            next();
            std::vector<std::string> names{name()};
            while (isPunct(",")) {
                next();
                names.push_back(name());
            }
            const std::string actionType = qualify(ns, "Action");
            std::vector<EntityUid> memberOf;
            if (isIdent("in")) {
                next();
                auto ref = [&]() {
                    // Either Path::"id" or a bare name of an action in this namespace.
                    if (cur().kind == STok::Str) {
                        std::string id = cur().text;
                        next();
                        return internUid(actionType, id);
                    }
                    std::string p = ident();
                    while (isPunct("::")) {
                        next();
                        if (cur().kind == STok::Str) {
                            std::string id = cur().text;
                            next();
                            return internUid(p, id);
                        }
                        p += "::" + ident();
                    }
                    return internUid(actionType, p);
                };
                if (isPunct("[")) {
                    next();
                    while (!isPunct("]")) {
                        memberOf.push_back(ref());
                        if (isPunct(","))
                            next();
                        else if (!isPunct("]"))
                            throw SchemaError{cur().at, "expected `,` or `]`, found " + describe()};
                    }
                    next();
                } else {
                    memberOf.push_back(ref());
                }
            }
            SchemaAction proto;
            proto.memberOf = memberOf;
            proto.location = at;
            if (isIdent("appliesTo")) {
                next();
                expect("{");
                while (!isPunct("}")) {
                    const SourceLocation keyAt = cur().at;
                    const std::string key = ident();
                    if (key != "principal" && key != "resource" && key != "context")
                        throw SchemaError{keyAt, "unknown appliesTo element `" + key + "`"};
                    expect(":");
                    if (key == "principal")
                        proto.principals = pathList(ns);
                    else if (key == "resource")
                        proto.resources = pathList(ns);
                    else if (key == "context")
                        proto.context = type(ns);
                    else
                        throw SchemaError{cur().at, "unknown appliesTo element `" + key + "`"};
                    if (isPunct(","))
                        next();
                    else if (!isPunct("}"))
                        throw SchemaError{cur().at, "expected `,` or `}`, found " + describe()};
                }
                next();
            }
            expect(";");
            for (const auto &n : names) {
                SchemaAction a = proto;
                a.uid = internUid(actionType, n);
                m_schema.m_actions.push_back(std::move(a));
            }
        } else if (isIdent("type")) {
            next();
            std::string n = ident();
            expect("=");
            auto t = type(ns);
            expect(";");
            m_schema.m_commonTypes[qualify(ns, n)] = t;
        } else {
            throw SchemaError{cur().at, "expected `entity`, `action`, `type` or `namespace`, found " + describe()};
        }
    }

    std::vector<SToken> m_toks;
    size_t m_pos = 0;
    Schema &m_schema;
};

std::optional<Schema> Schema::parse(std::string_view text, std::vector<Diagnostic> &diagnostics)
{
    if (text.size() > kMaxPolicyTextBytes) {
        diagnostics.push_back({Severity::Error, {}, "the schema is larger than " + std::to_string(kMaxPolicyTextBytes >> 20) + " MB"});
        return std::nullopt;
    }
    if (size_t bad = findInvalidUtf8(text); bad != std::string_view::npos) {
        diagnostics.push_back({Severity::Error, locationAt(text, bad), "invalid UTF-8 in schema"});
        return std::nullopt;
    }
    Schema schema;
    try {
        SchemaLexer lexer(text);
        SchemaParser parser(lexer.all(), schema);
        parser.parse();
    } catch (const SchemaError &e) {
        diagnostics.push_back({Severity::Error, e.location, e.message});
        return std::nullopt;
    }
    return schema;
}

const SchemaEntityType *Schema::entityType(std::string_view name) const
{
    auto it = m_entityTypes.find(std::string(name));
    return it == m_entityTypes.end() ? nullptr : &it->second;
}

const SchemaAction *Schema::action(EntityUid uid) const
{
    auto it = m_actionIndex.find(uid);
    return it == m_actionIndex.end() ? nullptr : &m_actions[it->second];
}

SchemaTypePtr Schema::resolve(const SchemaTypePtr &type) const
{
    SchemaTypePtr t = type;
    for (int guard = 0; t && t->kind == SchemaTypeKind::Named; ++guard) {
        if (guard > 32)
            return nullptr; // common types that refer to each other in a cycle
        const std::string &n = t->name;
        std::string builtin = n;
        bool forceBuiltin = false;
        if (n.rfind("__cedar::", 0) == 0) {
            builtin = n.substr(9);
            forceBuiltin = true;
        }
        if (!forceBuiltin) {
            auto common = m_commonTypes.find(qualify(t->ns, n));
            if (common == m_commonTypes.end())
                common = m_commonTypes.find(n);
            if (common != m_commonTypes.end()) {
                t = common->second;
                continue;
            }
            const std::string q = qualify(t->ns, n);
            if (m_entityTypes.count(q) || m_entityTypes.count(n)) {
                auto e = std::make_shared<SchemaType>();
                e->kind = SchemaTypeKind::Entity;
                e->name = m_entityTypes.count(q) ? q : n;
                return e;
            }
        }
        auto b = std::make_shared<SchemaType>();
        if (builtin == "Long") {
            b->kind = SchemaTypeKind::Long;
        } else if (builtin == "String") {
            b->kind = SchemaTypeKind::String;
        } else if (builtin == "Bool" || builtin == "Boolean") {
            b->kind = SchemaTypeKind::Bool;
        } else if (builtin == "ipaddr") {
            b->kind = SchemaTypeKind::Extension;
            b->extension = ExtensionKind::IpAddr;
            b->name = builtin;
        } else if (builtin == "decimal") {
            b->kind = SchemaTypeKind::Extension;
            b->extension = ExtensionKind::Decimal;
            b->name = builtin;
        } else if (builtin == "datetime") {
            b->kind = SchemaTypeKind::Extension;
            b->extension = ExtensionKind::Datetime;
            b->name = builtin;
        } else if (builtin == "duration") {
            b->kind = SchemaTypeKind::Extension;
            b->extension = ExtensionKind::Duration;
            b->name = builtin;
        } else {
            // An entity type declared elsewhere or not at all: treat as entity reference.
            b->kind = SchemaTypeKind::Entity;
            b->name = n;
        }
        return b;
    }
    return t;
}

} // namespace chainsight::cedar

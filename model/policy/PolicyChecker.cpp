#include "PolicyChecker.h"

#include "ReplayCorpus.h"

#include "cedar/PolicyParser.h"
#include "cedar/Schema.h"
#include "cedar/SchemaCheck.h"

#include <QSet>

#include <functional>

namespace chainsight {

using cedar::Expr;
using cedar::ExprKind;
using cedar::SchemaTypeKind;
using cedar::SchemaTypePtr;

QString PolicyDiagnostic::toString(const QString &file) const
{
    return QStringLiteral("%1:%2:%3: %4: %5")
        .arg(file)
        .arg(line)
        .arg(column)
        .arg(severity == Severity::Error ? QStringLiteral("error") : QStringLiteral("warning"), message);
}

QStringList PolicyVocabulary::words() const
{
    QStringList all = keywords + entityTypes + actions + contextPaths + entities;
    for (auto it = attributesOf.cbegin(); it != attributesOf.cend(); ++it)
        all += *it;
    all.sort();
    all.removeDuplicates();
    return all;
}

namespace {

constexpr int maximumEntitiesPerType = 5000; // completion lists stay responsive on big workspaces

// Byte offsets of the UTF-8 text -> positions in the QString it came from.
class PositionMap
{
public:
    explicit PositionMap(const QByteArray &utf8)
    {
        m_positions.reserve(size_t(utf8.size()) + 1);
        int position = 0;
        for (qsizetype i = 0; i < utf8.size(); ++i) {
            m_positions.push_back(position);
            const auto c = static_cast<unsigned char>(utf8[i]);
            if ((c & 0xC0) != 0x80) {
                // A lead byte: four-byte sequences are two UTF-16 units; continuation bytes add nothing.
                position += c >= 0xF0 ? 2 : 1;
            }
        }
        m_positions.push_back(position);
        // Continuation bytes belong to the character their lead byte started.
        for (qsizetype i = 1; i < utf8.size(); ++i) {
            if ((static_cast<unsigned char>(utf8[i]) & 0xC0) == 0x80)
                m_positions[size_t(i)] = m_positions[size_t(i - 1)];
        }
    }

    int at(uint32_t offset) const { return m_positions[std::min<size_t>(offset, m_positions.size() - 1)]; }

private:
    std::vector<int> m_positions;
};

bool isWordChar(QChar c)
{
    return c.isLetterOrNumber() || c == QLatin1Char('_');
}

void walk(const Expr &e, const std::function<void(const Expr &)> &visit)
{
    visit(e);
    for (const auto &child : e.children)
        walk(child, visit); // depth is bounded by the parser
}

void collectContextPaths(const cedar::Schema &schema, const SchemaTypePtr &type, const QString &prefix, QStringList &out,
                         int depth)
{
    const SchemaTypePtr resolved = schema.resolve(type);
    if (!resolved || resolved->kind != SchemaTypeKind::Record || depth > 8)
        return;
    for (const auto &[name, attribute] : resolved->attributes) {
        const QString path = prefix + QLatin1Char('.') + QString::fromStdString(name);
        out.append(path);
        collectContextPaths(schema, attribute.type, path, out, depth + 1);
    }
}

} // namespace

PolicyChecker::PolicyChecker(const QString &schemaText, std::shared_ptr<const ReplayCorpus> corpus)
    : m_corpus(std::move(corpus))
{
    m_vocabulary.keywords = {
        QStringLiteral("permit"), QStringLiteral("forbid"),   QStringLiteral("when"),     QStringLiteral("unless"),
        QStringLiteral("principal"), QStringLiteral("action"), QStringLiteral("resource"), QStringLiteral("context"),
        QStringLiteral("in"),     QStringLiteral("is"),       QStringLiteral("has"),      QStringLiteral("like"),
        QStringLiteral("if"),     QStringLiteral("then"),     QStringLiteral("else"),     QStringLiteral("true"),
        QStringLiteral("false"),  QStringLiteral("contains"), QStringLiteral("containsAll"), QStringLiteral("containsAny"),
        QStringLiteral("isEmpty"), QStringLiteral("datetime"), QStringLiteral("duration"), QStringLiteral("decimal"),
        QStringLiteral("ip"),
    };
    if (!schemaText.isEmpty()) {
        const QByteArray utf8 = schemaText.toUtf8();
        std::vector<cedar::Diagnostic> diagnostics;
        auto parsed = cedar::Schema::parse(std::string_view(utf8.constData(), size_t(utf8.size())), diagnostics);
        const PositionMap positions(utf8);
        for (const auto &d : diagnostics) {
            PolicyDiagnostic diagnostic;
            diagnostic.severity = d.severity == cedar::Severity::Error ? PolicyDiagnostic::Severity::Error
                                                                      : PolicyDiagnostic::Severity::Warning;
            diagnostic.line = int(d.location.line);
            diagnostic.column = int(d.location.column);
            diagnostic.position = positions.at(d.location.offset);
            diagnostic.message = QString::fromStdString(d.message);
            m_schemaDiagnostics.append(diagnostic);
        }
        if (parsed)
            m_schema = std::make_unique<cedar::Schema>(std::move(*parsed));
    }
    if (m_schema) {
        for (const auto &[name, type] : m_schema->entityTypes()) {
            const QString typeName = QString::fromStdString(name);
            m_vocabulary.entityTypes.append(typeName);
            const SchemaTypePtr shape = m_schema->resolve(type.shape);
            if (shape && shape->kind == SchemaTypeKind::Record) {
                for (const auto &attribute : shape->attributes)
                    m_vocabulary.attributesOf[typeName].append(QString::fromStdString(attribute.first));
            }
        }
        SchemaTypePtr context;
        for (const auto &action : m_schema->actions()) {
            m_vocabulary.actions.append(QString::fromStdString(cedar::entityToCedar(action.uid)));
            if (!context && action.context)
                context = action.context;
        }
        if (context)
            collectContextPaths(*m_schema, context, QStringLiteral("context"), m_vocabulary.contextPaths, 0);
    }
    m_vocabulary.entityTypes.append(QStringLiteral("Action"));
    if (m_corpus) {
        for (const QString &type : {QStringLiteral("Agent"), QStringLiteral("Human"), QStringLiteral("Shadow"),
                                    QStringLiteral("Tool"), QStringLiteral("Host"), QStringLiteral("McpServer"),
                                    QStringLiteral("AwsResource")}) {
            const QStringList ids = m_corpus->entityIds(type);
            m_knownIds.insert(type, ids);
            int shown = 0;
            for (const QString &id : ids) {
                if (shown++ == maximumEntitiesPerType)
                    break;
                m_vocabulary.entities.append(type + QStringLiteral("::")
                                             + QString::fromStdString(cedar::quoteCedarString(id.toStdString())));
            }
        }
        for (const QString &action : m_corpus->toolActionNames() + m_corpus->actionGroups()) {
            const QString text = QStringLiteral("Action::") + QString::fromStdString(cedar::quoteCedarString(action.toStdString()));
            if (!m_vocabulary.actions.contains(text))
                m_vocabulary.actions.append(text);
        }
    }
    m_vocabulary.entityTypes.sort();
    m_vocabulary.actions.sort();
}

PolicyChecker::~PolicyChecker() = default;

bool PolicyChecker::hasSchema() const
{
    return m_schema != nullptr;
}

QList<PolicyDiagnostic> PolicyChecker::check(const QString &text) const
{
    QList<PolicyDiagnostic> out;
    const QByteArray utf8 = text.toUtf8();
    const PositionMap positions(utf8);
    auto add = [&](cedar::Severity severity, const cedar::SourceLocation &at, std::optional<cedar::SourceLocation> end,
                   QString message) {
        PolicyDiagnostic d;
        d.severity = severity == cedar::Severity::Error ? PolicyDiagnostic::Severity::Error : PolicyDiagnostic::Severity::Warning;
        d.line = int(at.line);
        d.column = int(at.column);
        d.position = positions.at(at.offset);
        if (end && end->offset > at.offset) {
            d.length = positions.at(end->offset) - d.position;
        } else {
            // Only a point is known: underline the word that starts there.
            int stop = d.position;
            while (stop < text.size() && isWordChar(text.at(stop)))
                ++stop;
            d.length = stop - d.position;
        }
        d.length = std::max(1, d.length);
        d.message = std::move(message);
        out.append(d);
    };

    const cedar::PolicyParseResult parsed = cedar::PolicyParser::parse(std::string_view(utf8.constData(), size_t(utf8.size())));
    for (const auto &d : parsed.diagnostics)
        add(d.severity, d.location, std::nullopt, QString::fromStdString(d.message));
    if (m_schema) {
        for (const auto &d : cedar::checkPoliciesAgainstSchema(parsed.policySet, *m_schema))
            add(d.severity, d.location, std::nullopt, QString::fromStdString(d.message));
    }

    SchemaTypePtr contextType;
    if (m_schema) {
        for (const auto &action : m_schema->actions()) {
            if (action.context) {
                contextType = action.context;
                break;
            }
        }
    }
    for (const cedar::Policy &policy : parsed.policySet.policies) {
        const QString policyName = QString::fromStdString(policy.id);
        auto warnEntity = [&](cedar::EntityUid uid, const cedar::SourceSpan &span) {
            if (!m_corpus || !uid)
                return;
            const QString type = QString::fromStdString(uid->type->name);
            const auto known = m_knownIds.constFind(type);
            if (known == m_knownIds.cend() || known->contains(QString::fromStdString(uid->id)))
                return;
            add(cedar::Severity::Warning, span.begin, span.end,
                QStringLiteral("policy `%1`: %2 does not occur in this workspace")
                    .arg(policyName, QString::fromStdString(cedar::entityToCedar(uid))));
        };
        for (const cedar::ScopeConstraint *scope : {&policy.principal, &policy.resource}) {
            warnEntity(scope->entity, scope->span);
            for (cedar::EntityUid uid : scope->entities)
                warnEntity(uid, scope->span);
        }
        std::function<void(const cedar::Value &, const cedar::SourceSpan &)> warnValue =
            [&](const cedar::Value &value, const cedar::SourceSpan &span) {
                if (value.kind() == cedar::ValueKind::Entity)
                    warnEntity(value.asEntity(), span);
                else if (value.kind() == cedar::ValueKind::Set)
                    for (const cedar::Value &element : value.asSet())
                        warnValue(element, span);
            };
        for (const auto &condition : policy.conditions) {
            walk(condition.body, [&](const Expr &e) {
                if (e.kind == ExprKind::Literal) {
                    warnValue(e.literal, e.span);
                    return;
                }
                if (!contextType || (e.kind != ExprKind::GetAttr && e.kind != ExprKind::Has))
                    return;
                // The attribute path below `context`, outermost last: context.delegation.depth -> delegation, depth.
                QStringList path{QString::fromStdString(e.name)};
                const Expr *base = &e.children[0];
                while (base->kind == ExprKind::GetAttr) {
                    path.prepend(QString::fromStdString(base->name));
                    base = &base->children[0];
                }
                if (base->kind != ExprKind::Var || base->var != cedar::Var::Context || path.size() < 2)
                    return;
                // Walk the declared records; the top level is checked by the schema check above.
                SchemaTypePtr type = m_schema->resolve(contextType);
                for (qsizetype i = 0; i + 1 < path.size(); ++i) {
                    if (!type || type->kind != SchemaTypeKind::Record)
                        return;
                    const auto attribute = type->attributes.find(path[i].toStdString());
                    if (attribute == type->attributes.end())
                        return;
                    type = m_schema->resolve(attribute->second.type);
                }
                // A record declared without attributes (the tool arguments) is open: anything may be read.
                if (!type || type->kind != SchemaTypeKind::Record || type->attributes.empty())
                    return;
                if (type->attributes.count(path.last().toStdString()))
                    return;
                const QString owner = QStringLiteral("context.") + path.mid(0, path.size() - 1).join(QLatin1Char('.'));
                QStringList declared;
                for (const auto &attribute : type->attributes)
                    declared.append(QString::fromStdString(attribute.first));
                add(cedar::Severity::Warning, e.span.begin, e.span.end,
                    e.kind == ExprKind::Has
                        ? QStringLiteral("policy `%1`: `%2` never has `%3` (it has %4)")
                              .arg(policyName, owner, path.last(), declared.join(QStringLiteral(", ")))
                        : QStringLiteral("policy `%1`: `%2` has no attribute `%3` (it has %4)")
                              .arg(policyName, owner, path.last(), declared.join(QStringLiteral(", "))));
            });
        }
    }
    std::stable_sort(out.begin(), out.end(), [](const PolicyDiagnostic &a, const PolicyDiagnostic &b) {
        return a.position < b.position;
    });
    return out;
}

} // namespace chainsight

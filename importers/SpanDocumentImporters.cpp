#include "SpanDocumentImporters.h"

#include "Inventory.h"
#include "Workspace.h"

#include <QFile>
#include <QHash>
#include <QRegularExpression>

#include <nlohmann/json.hpp>

namespace chainsight {
namespace {

using json = nlohmann::json;

constexpr qint64 maximumDocumentBytes = 256ll * 1024 * 1024;
constexpr int maximumParentWalk = 128;
// nlohmann parses any depth, but copying, dumping and walking the result recurse once per level.
constexpr int maximumNestingDepth = 256;

// One span of a small trace document, before its acting agent is known.
struct DocumentSpan
{
    QString traceId;
    QString spanId;
    QString parentSpanId;
    QString name;
    QString operation;
    QString ownAgent;
    QString agentName;
    QString tool;
    QString toolCallId;
    QString model;
    QString originator;
    QString sessionId;
    QString service;
    bool error = false;
    std::optional<qint64> timeMs;
    QByteArray raw;
};

QString text(const json &object, const char *key)
{
    const auto it = object.find(key);
    if (it == object.end() || it->is_null())
        return {};
    if (it->is_string())
        return QString::fromStdString(it->get<std::string>());
    if (it->is_number_integer() || it->is_number_unsigned() || it->is_boolean())
        return QString::fromStdString(it->dump());
    return {};
}

std::optional<QByteArray> readDocument(ImportContext &context)
{
    QFile file(context.path());
    if (!file.open(QIODevice::ReadOnly)) {
        context.error({}, QStringLiteral("cannot read the file: %1").arg(file.errorString()));
        return std::nullopt;
    }
    if (file.size() > maximumDocumentBytes) {
        context.error({}, QStringLiteral("the document is over %1 MB").arg(maximumDocumentBytes >> 20));
        return std::nullopt;
    }
    return file.readAll();
}

// Offset of the first bracket that opens a level deeper than maximumNestingDepth, if any.
std::optional<std::size_t> tooDeepAt(std::string_view text)
{
    int depth = 0;
    bool inString = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (inString) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                inString = false;
        } else if (c == '"') {
            inString = true;
        } else if (c == '{' || c == '[') {
            if (++depth > maximumNestingDepth)
                return i;
        } else if (c == '}' || c == ']') {
            --depth;
        }
    }
    return std::nullopt;
}

std::optional<json> parseDocument(ImportContext &context, const QByteArray &bytes)
{
    const std::string_view text(bytes.constData(), static_cast<std::size_t>(bytes.size()));
    if (const auto deep = tooDeepAt(text)) {
        context.error(positionOfOffset(text, *deep),
                      QStringLiteral("JSON nested more than %1 levels deep; a trace document never is").arg(maximumNestingDepth));
        return std::nullopt;
    }
    try {
        return json::parse(bytes.constBegin(), bytes.constEnd());
    } catch (const json::parse_error &e) {
        const std::size_t offset = e.byte > 0 ? e.byte - 1 : 0;
        QString reason = QString::fromUtf8(e.what());
        if (const auto at = reason.indexOf(QStringLiteral("syntax error")); at >= 0)
            reason = reason.mid(at);
        context.error(positionOfOffset(std::string_view(bytes.constData(), static_cast<std::size_t>(bytes.size())), offset),
                      QStringLiteral("invalid JSON: %1").arg(reason));
    } catch (const json::exception &e) {
        context.error({}, QStringLiteral("invalid JSON: %1").arg(QString::fromUtf8(e.what())));
    }
    return std::nullopt;
}

// Decimal 128-bit ids (Python's int) as OTLP hex: 32 digits for traces, 16 for spans.
QString decimalIdToHex(const QString &decimal, int hexDigits)
{
    if (decimal.isEmpty())
        return {};
    __extension__ using Unsigned128 = unsigned __int128; // GCC and Clang; ids are 128-bit
    Unsigned128 value = 0;
    for (const QChar c : decimal) {
        if (!c.isDigit())
            return decimal; // already hex or some other form: keep as written
        value = value * 10 + static_cast<unsigned>(c.digitValue());
    }
    QString hex(hexDigits, QLatin1Char('0'));
    for (int i = hexDigits - 1; i >= 0 && value != 0; --i) {
        hex[i] = QLatin1Char("0123456789abcdef"[static_cast<int>(value & 0xf)]);
        value >>= 4;
    }
    return hex;
}

bool isAgentOperation(const QString &operation)
{
    return operation == QLatin1String("invoke_agent") || operation == QLatin1String("create_agent")
           || operation == QLatin1String("invoke_workflow");
}

// Resolves each span's acting agent (its own, else the nearest agent above it, else the service), each
// trace's originator, and an explicit edge for every agent span below another agent; then writes them.
qint64 writeSpans(ImportContext &context, const QString &protocol, QList<DocumentSpan> &spans)
{
    QHash<QString, qsizetype> indexOf;
    QHash<QString, QString> originatorOfTrace;
    for (qsizetype i = 0; i < spans.size(); ++i) {
        indexOf.insert(spans[i].traceId + QLatin1Char('/') + spans[i].spanId, i);
        if (!spans[i].originator.isEmpty())
            originatorOfTrace.insert(spans[i].traceId, spans[i].originator);
    }
    auto ancestorAgent = [&](const DocumentSpan &span) -> QString {
        QString parent = span.parentSpanId;
        for (int step = 0; step < maximumParentWalk && !parent.isEmpty(); ++step) {
            const auto it = indexOf.constFind(span.traceId + QLatin1Char('/') + parent);
            if (it == indexOf.cend())
                return {};
            const DocumentSpan &ancestor = spans[*it];
            if (isAgentOperation(ancestor.operation) && !ancestor.ownAgent.isEmpty())
                return ancestor.ownAgent;
            parent = ancestor.parentSpanId;
        }
        return {};
    };
    WorkspaceWriter &writer = context.writer();
    qint64 written = 0;
    for (const DocumentSpan &span : std::as_const(spans)) {
        if (context.isCancelled())
            return written;
        const QString above = ancestorAgent(span);
        AuditEvent event;
        event.timeMs = span.timeMs;
        event.protocol = protocol;
        // A span with neither a name nor an operation is still something an actor did; the store requires a kind.
        event.kind = span.operation.isEmpty() ? QStringLiteral("span") : span.operation;
        event.actor = AliasRef{AliasFamily::OtelAgent, QString(), !span.ownAgent.isEmpty() ? span.ownAgent : !above.isEmpty() ? above : span.service};
        event.originator = span.originator.isEmpty() ? originatorOfTrace.value(span.traceId) : span.originator;
        event.action = !span.tool.isEmpty() ? span.tool : span.operation == QLatin1String("chat") && !span.model.isEmpty() ? span.model
                       : !span.agentName.isEmpty()                                                                    ? span.agentName
                                                                                                                       : span.name;
        event.outcome = span.error ? QStringLiteral("error") : QStringLiteral("ok");
        event.traceId = span.traceId;
        event.spanId = span.spanId;
        event.parentSpanId = span.parentSpanId;
        event.sessionId = span.sessionId;
        event.toolCallId = span.toolCallId;
        event.raw = span.raw;
        writer.resolveHuman(event.originator, context.sourceId());
        if (span.operation == QLatin1String("execute_tool") && !span.tool.isEmpty())
            writer.resolveTool(span.tool, context.sourceId());
        const qint64 eventId = writer.addEvent(event, context.sourceId());
        if (isAgentOperation(span.operation) && !span.ownAgent.isEmpty() && !above.isEmpty() && above != span.ownAgent) {
            DelegationLink link;
            link.delegator = AliasRef{AliasFamily::OtelAgent, QString(), above};
            link.delegate = AliasRef{AliasFamily::OtelAgent, QString(), span.ownAgent};
            link.protocol = protocol;
            link.timeMs = span.timeMs;
            link.traceId = span.traceId;
            writer.addDelegationEdge(link, context.sourceId(), eventId);
        }
        ++written;
        context.reportProgress(0, written);
    }
    return written;
}

// GenAI attributes shared by both formats.
void readGenAiAttributes(const json &attributes, DocumentSpan &span)
{
    if (!attributes.is_object())
        return;
    const QString operation = text(attributes, "gen_ai.operation.name");
    if (!operation.isEmpty())
        span.operation = operation;
    span.ownAgent = text(attributes, "gen_ai.agent.id");
    span.agentName = text(attributes, "gen_ai.agent.name");
    span.tool = text(attributes, "gen_ai.tool.name");
    if (span.tool.isEmpty())
        span.tool = text(attributes, "tool.name");
    span.toolCallId = text(attributes, "gen_ai.tool.call.id");
    span.model = text(attributes, "gen_ai.request.model");
    span.originator = text(attributes, "enduser.id");
    if (span.originator.isEmpty())
        span.originator = text(attributes, "user.id");
    span.sessionId = text(attributes, "session.id");
    if (span.sessionId.isEmpty())
        span.sessionId = text(attributes, "gen_ai.conversation.id");
}

QString operationFromName(const QString &name)
{
    return name.section(QLatin1Char(' '), 0, 0);
}

std::optional<qint64> millisFromNanos(const json &value)
{
    if (value.is_number_integer() || value.is_number_unsigned())
        return value.get<long long>() / 1000000;
    if (value.is_string()) {
        if (const auto parsed = parseRfc3339(QString::fromStdString(value.get<std::string>())))
            return parsed->toMSecsSinceEpoch();
    }
    return std::nullopt;
}

} // namespace

int OtelSdkJsonImporter::sniff(const SniffSample &sample) const
{
    const QByteArray head = sample.head.left(16384);
    return head.contains("\"context\"") && head.contains("\"trace_id\"") && head.contains("\"span_id\"") ? 90 : 0;
}

qint64 OtelSdkJsonImporter::import(ImportContext &context) const
{
    auto bytes = readDocument(context);
    if (!bytes)
        return -1;
    // Python writes 128-bit ids as bare integers, beyond what JSON libraries keep exactly: quote them first.
    static const QRegularExpression bareId(QStringLiteral(R"re(("(?:trace_id|span_id)"\s*:\s*)(\d+))re"));
    const QString quoted = QString::fromUtf8(*bytes).replace(bareId, QStringLiteral("\\1\"\\2\""));
    const QByteArray text8 = quoted.toUtf8();
    const auto document = parseDocument(context, text8);
    if (!document)
        return -1;
    const json *list = &*document;
    json single = json::array();
    if (document->is_object() && document->contains("spans"))
        list = &(*document)["spans"];
    else if (document->is_object()) {
        single.push_back(*document);
        list = &single;
    }
    if (!list->is_array()) {
        context.error({1, 1}, QStringLiteral("expected a list of spans"));
        return -1;
    }
    QList<DocumentSpan> spans;
    int index = 0;
    for (const json &item : *list) {
        ++index;
        if (!item.is_object() || !item.contains("context") || !item["context"].is_object()) {
            context.error({}, QStringLiteral("span %1 skipped: it has no \"context\" with trace_id and span_id").arg(index));
            continue;
        }
        DocumentSpan span;
        span.traceId = decimalIdToHex(text(item["context"], "trace_id"), 32);
        span.spanId = decimalIdToHex(text(item["context"], "span_id"), 16);
        if (item.contains("parent") && item["parent"].is_object())
            span.parentSpanId = decimalIdToHex(text(item["parent"], "span_id"), 16);
        span.name = text(item, "name");
        span.operation = operationFromName(span.name);
        if (item.contains("attributes"))
            readGenAiAttributes(item["attributes"], span);
        if (item.contains("start_time"))
            span.timeMs = millisFromNanos(item["start_time"]);
        if (item.contains("status") && item["status"].is_object()) {
            const QString code = text(item["status"], "status_code").toLower();
            span.error = code.contains(QLatin1String("error"));
        }
        if (item.contains("resource") && item["resource"].is_object() && item["resource"].contains("attributes"))
            span.service = text(item["resource"]["attributes"], "service.name");
        if (span.service == QLatin1String("unknown_service"))
            span.service.clear();
        // Without gen_ai.agent.id the self-reported agent name is the only handle; it can only match an
        // inventory alias written the same way, and otherwise shows up as a shadow identity.
        if (isAgentOperation(span.operation) && span.ownAgent.isEmpty())
            span.ownAgent = !span.agentName.isEmpty() ? span.agentName : span.name.section(QLatin1Char(' '), 1);
        span.raw = QByteArray::fromStdString(item.dump());
        if (span.spanId.isEmpty()) {
            context.error({}, QStringLiteral("span %1 skipped: no span_id").arg(index));
            continue;
        }
        spans.push_back(span);
    }
    return writeSpans(context, QStringLiteral("otel"), spans);
}

int LangfuseTraceImporter::sniff(const SniffSample &sample) const
{
    const QByteArray head = sample.head.left(16384);
    return head.contains("\"observations\"") && (head.contains("\"trace\"") || head.contains("\"traceId\"")) ? 85 : 0;
}

qint64 LangfuseTraceImporter::import(ImportContext &context) const
{
    const auto bytes = readDocument(context);
    if (!bytes)
        return -1;
    const auto document = parseDocument(context, *bytes);
    if (!document)
        return -1;
    if (!document->is_object() || !document->contains("observations") || !(*document)["observations"].is_array()) {
        context.error({1, 1}, QStringLiteral("a Langfuse export has \"trace\" and an \"observations\" list"));
        return -1;
    }
    const json trace = document->value("trace", json::object());
    const QString traceUser = trace.is_object() ? text(trace, "userId") : QString();
    const QString traceSession = trace.is_object() ? text(trace, "sessionId") : QString();
    QList<DocumentSpan> spans;
    int index = 0;
    for (const json &item : (*document)["observations"]) {
        ++index;
        if (!item.is_object() || text(item, "id").isEmpty()) {
            context.error({}, QStringLiteral("observation %1 skipped: it has no \"id\"").arg(index));
            continue;
        }
        DocumentSpan span;
        span.traceId = text(item, "traceId");
        span.spanId = text(item, "id");
        span.parentSpanId = text(item, "parentObservationId");
        if (span.parentSpanId == QLatin1String("None"))
            span.parentSpanId.clear();
        span.name = text(item, "name");
        const QString type = text(item, "type");
        span.operation = type == QLatin1String("AGENT")        ? QStringLiteral("invoke_agent")
                         : type == QLatin1String("TOOL")       ? QStringLiteral("execute_tool")
                         : type == QLatin1String("GENERATION") ? QStringLiteral("chat")
                                                               : operationFromName(span.name);
        // Langfuse keeps the span's OTel attributes inside metadata, as an object or a JSON string.
        json metadata = item.value("metadata", json());
        if (metadata.is_string()) {
            const std::string &embedded = metadata.get_ref<const std::string &>();
            if (tooDeepAt(embedded)) {
                context.warning({}, QStringLiteral("observation %1: its metadata is JSON nested more than %2 levels deep; "
                                                   "its attributes are ignored")
                                        .arg(index)
                                        .arg(maximumNestingDepth));
                metadata = json();
            } else {
                metadata = json::parse(embedded, nullptr, false);
            }
        }
        if (metadata.is_object()) {
            if (metadata.contains("attributes"))
                readGenAiAttributes(metadata["attributes"], span);
            if (metadata.contains("resourceAttributes") && metadata["resourceAttributes"].is_object())
                span.service = text(metadata["resourceAttributes"], "service.name");
        }
        if (span.operation == QLatin1String("invoke_agent") && span.ownAgent.isEmpty())
            span.ownAgent = span.agentName.isEmpty() ? span.name : span.agentName;
        if (span.operation == QLatin1String("execute_tool") && span.tool.isEmpty())
            span.tool = span.name.startsWith(QLatin1String("execute_tool ")) ? span.name.mid(13) : span.name;
        if (span.originator.isEmpty())
            span.originator = traceUser;
        if (span.sessionId.isEmpty())
            span.sessionId = traceSession;
        if (item.contains("startTime"))
            span.timeMs = millisFromNanos(item["startTime"]);
        span.error = text(item, "level") == QLatin1String("ERROR");
        if (span.service == QLatin1String("unknown_service"))
            span.service.clear();
        span.raw = QByteArray::fromStdString(item.dump());
        spans.push_back(span);
    }
    return writeSpans(context, QStringLiteral("langfuse"), spans);
}

} // namespace chainsight

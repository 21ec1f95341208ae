#include "McpLogImporter.h"

#include "LogRecords.h"

#include <QHash>
#include <QList>
#include <QRegularExpression>

#include <algorithm>
#include <vector>

namespace chainsight {

namespace dom = simdjson::dom;

namespace {

// Requests a server sends to its client; everything else with a method goes client to server.
bool isServerToClientMethod(const QString &method)
{
    return method == QLatin1String("elicitation/create") || method == QLatin1String("sampling/createMessage")
        || method == QLatin1String("roots/list") || method == QLatin1String("notifications/message")
        || method.startsWith(QLatin1String("notifications/tools/")) || method.startsWith(QLatin1String("notifications/resources/"))
        || method.startsWith(QLatin1String("notifications/prompts/"));
}

// A request waiting for its response; its event is written once the outcome is known.
struct PendingRequest
{
    AuditEvent event;
    TextPosition position;
    qint64 offset = 0;
    qint64 length = 0;
    QByteArray raw;
};

class McpHandler final : public LogRecordHandler
{
public:
    using LogRecordHandler::LogRecordHandler;

    bool read(dom::element record, const LogRecordOrigin &origin, QString *reason) override
    {
        RecordFields fields(record);
        dom::element message = record;
        std::optional<qint64> time;
        QString direction;
        const auto envelope = fields.value("/message");
        // An error object also has a "message" (a string); only the gateway envelope has ts/direction around it.
        if (envelope && (envelope->is_object() || fields.value("/direction") || fields.value("/ts"))) {
            // gen_enterprise / gateway style: {"ts","direction","message"}
            if (!envelope->is_object()) {
                *reason = QStringLiteral("\"message\" must be a JSON-RPC object, not %1").arg(jsonTypeName(*envelope));
                return false;
            }
            message = *envelope;
            time = fields.time("/ts", false);
            direction = fields.text("/direction").toLower();
            // Streamable HTTP gateways log the Mcp-Session-Id beside the message.
            for (const char *pointer : {"/sessionId", "/session_id", "/mcpSessionId"}) {
                if (const QString session = fields.text(pointer); !session.isEmpty())
                    m_sessionId = session;
            }
            if (!direction.isEmpty() && direction != QLatin1String("in") && direction != QLatin1String("out")) {
                *reason = QStringLiteral("\"direction\" must be \"in\" or \"out\", not \"%1\"").arg(direction.left(40));
                return false;
            }
        }
        const QString method = fields.text(message, "/method");
        const auto id = fields.value(message, "/id");
        const bool hasResult = fields.value(message, "/result").has_value();
        const bool hasError = fields.value(message, "/error").has_value();
        const QString version = fields.text(message, "/jsonrpc");
        if (!fields.ok()) {
            *reason = fields.problems();
            return false;
        }
        if (version.isEmpty() && method.isEmpty() && !hasResult && !hasError)
            return readBarePayload(fields, message, time, origin, reason);
        if (version != QLatin1String("2.0")) {
            *reason = QStringLiteral("not a JSON-RPC 2.0 message (\"jsonrpc\" must be \"2.0\")");
            return false;
        }
        if (method.isEmpty() && !hasResult && !hasError) {
            *reason = QStringLiteral("a JSON-RPC message needs a \"method\", a \"result\" or an \"error\"");
            return false;
        }
        if (id && !id->is_string() && !id->is_int64() && !id->is_uint64()) {
            *reason = QStringLiteral("a JSON-RPC \"id\" must be a string or a whole number, not %1").arg(jsonTypeName(*id));
            return false;
        }
        const QString key = id ? idKey(*id) : QString();
        if (!method.isEmpty()) {
            const bool fromServer = direction.isEmpty() ? isServerToClientMethod(method) : direction == QLatin1String("out");
            return readRequest(fields, message, method, key, fromServer, time, origin, reason);
        }
        const bool fromClient = direction.isEmpty() ? m_serverRequests.contains(key) && !m_clientRequests.contains(key)
                                                    : direction == QLatin1String("in");
        return readResponse(fields, message, key, fromClient, time, origin, reason);
    }

    void finish() override
    {
        // In file order, so the same file always gives the same workspace.
        std::vector<PendingRequest *> unanswered;
        for (auto &pending : m_clientRequests) {
            for (PendingRequest &request : pending)
                unanswered.push_back(&request);
        }
        std::sort(unanswered.begin(), unanswered.end(),
                  [](const PendingRequest *a, const PendingRequest *b) { return a->offset < b->offset; });
        for (PendingRequest *request : unanswered) {
            request->event.outcome = QStringLiteral("no response");
            writeEvent(request->event, request->position, request->offset, request->length, request->raw);
        }
        m_clientRequests.clear();
    }

private:
    QString clientNameOf(RecordFields &fields, dom::element message)
    {
        QString name = fields.text(message, "/params/_meta/io.modelcontextprotocol~1clientInfo/name");
        if (name.isEmpty())
            name = fields.text(message, "/params/clientInfo/name");
        return name;
    }

    QString serverNameOf(RecordFields &fields, dom::element message)
    {
        QString name = fields.text(message, "/result/_meta/io.modelcontextprotocol~1serverInfo/name");
        if (name.isEmpty())
            name = fields.text(message, "/result/serverInfo/name");
        return name;
    }

    bool readRequest(RecordFields &fields, dom::element message, const QString &method, const QString &key, bool fromServer,
                     std::optional<qint64> time, const LogRecordOrigin &origin, QString *reason)
    {
        QString traceId;
        QString spanId;
        const QString traceparent = fields.text(message, "/params/_meta/traceparent");
        if (!traceparent.isEmpty() && !parseTraceparent(traceparent, &traceId, &spanId))
            fields.fail(QStringLiteral("\"params._meta.traceparent\" is not a W3C traceparent: \"%1\"").arg(traceparent.left(80)));
        if (fromServer) {
            if (!fields.ok()) {
                *reason = fields.problems();
                return false;
            }
            if (!key.isEmpty() && method == QLatin1String("elicitation/create"))
                m_serverRequests.insert(key, ServerRequest{method, traceId, spanId});
            return true; // server notifications and requests are context, not agent actions
        }
        const QString clientName = clientNameOf(fields, message);
        const QString protocolVersion = fields.text(message, method == QLatin1String("initialize")
                                                                 ? std::string_view("/params/protocolVersion")
                                                                 : std::string_view("/params/_meta/io.modelcontextprotocol~1protocolVersion"));
        const QString toolName = method == QLatin1String("tools/call") ? fields.text(message, "/params/name") : QString();
        const QString resourceUri = fields.text(message, "/params/uri");
        const QString promptName = method == QLatin1String("prompts/get") ? fields.text(message, "/params/name") : QString();
        if (method == QLatin1String("tools/call") && toolName.isEmpty())
            fields.fail(QStringLiteral("a tools/call request has no \"params.name\""));
        if (!fields.ok()) {
            *reason = fields.problems();
            return false;
        }
        if (!clientName.isEmpty() && (method == QLatin1String("initialize") || m_clientName.isEmpty()))
            m_clientName = clientName;
        if (!protocolVersion.isEmpty())
            m_protocolVersion = protocolVersion;
        if (method.startsWith(QLatin1String("notifications/")))
            return true;

        AuditEvent event;
        event.timeMs = time;
        event.protocol = QStringLiteral("mcp");
        event.kind = method;
        event.actor = AliasRef{AliasFamily::McpClient, {}, clientName.isEmpty() ? m_clientName : clientName};
        event.action = !toolName.isEmpty() ? toolName : (!promptName.isEmpty() ? promptName : QString());
        event.resource = !resourceUri.isEmpty() ? resourceUri : m_serverName;
        event.traceId = traceId;
        event.spanId = spanId;
        event.sessionId = m_sessionId;
        event.attributesJson = attributesJson({{"jsonrpcId", key.mid(1)}, {"protocolVersion", m_protocolVersion},
                                               {"server", m_serverName}});
        noteTool(toolName);

        // 2026-07-28: the retry after input_required carries the human's answer.
        if (const auto responses = fields.object(message, "/params/inputResponses")) {
            for (const dom::key_value_pair response : *responses) {
                const QString action = fields.text(response.value, "/action");
                writeApproval(fields, response.value, action, event, time, origin.position, origin.offset,
                              static_cast<qint64>(origin.text.size()), origin.compressed ? rawOf(origin) : QByteArray());
            }
        }
        PendingRequest pending{event, origin.position, origin.offset, static_cast<qint64>(origin.text.size()),
                               origin.compressed ? rawOf(origin) : QByteArray()};
        if (key.isEmpty()) {
            pending.event.outcome = QStringLiteral("sent");
            writeEvent(pending.event, pending.position, pending.offset, pending.length, pending.raw);
        } else {
            m_clientRequests[key].push_back(std::move(pending));
        }
        return true;
    }

    bool readResponse(RecordFields &fields, dom::element message, const QString &key, bool fromClient,
                      std::optional<qint64> time, const LogRecordOrigin &origin, QString *reason)
    {
        if (fromClient) {
            const ServerRequest request = m_serverRequests.take(key);
            const QString action = fields.text(message, "/result/action");
            if (!fields.ok()) {
                *reason = fields.problems();
                return false;
            }
            if (request.method == QLatin1String("elicitation/create")) {
                AuditEvent context;
                context.actor = AliasRef{AliasFamily::McpClient, {}, m_clientName};
                context.traceId = request.traceId;
                context.spanId = request.spanId;
                context.resource = m_serverName;
                // The approval is for the tool call in flight on the same span.
                for (const auto &pending : std::as_const(m_clientRequests)) {
                    for (const PendingRequest &call : pending) {
                        if (!request.spanId.isEmpty() && call.event.spanId == request.spanId) {
                            context.action = call.event.action;
                            context.actor = call.event.actor;
                        }
                    }
                }
                if (const auto result = fields.value(message, "/result"))
                    writeApproval(fields, *result, action, context, time, origin.position, origin.offset,
                                  static_cast<qint64>(origin.text.size()), origin.compressed ? rawOf(origin) : QByteArray());
            }
            return true;
        }

        QString outcome = QStringLiteral("ok");
        QString errorText;
        if (const auto error = fields.object(message, "/error")) {
            outcome = QStringLiteral("error");
            errorText = fields.textOrNumber(message, "/error/code") + QLatin1Char(' ') + fields.text(message, "/error/message");
        } else if (fields.boolean(message, "/result/isError").value_or(false)) {
            outcome = QStringLiteral("error");
        } else if (fields.text(message, "/result/resultType") == QLatin1String("input_required")) {
            outcome = QStringLiteral("input_required");
        }
        const QString serverName = serverNameOf(fields, message);
        if (!fields.ok()) {
            *reason = fields.problems();
            return false;
        }
        if (!serverName.isEmpty())
            m_serverName = serverName;

        auto pending = m_clientRequests.find(key);
        if (pending == m_clientRequests.end() || pending->isEmpty()) {
            // A response whose request is not in this file (a single-message sample, a log cut at the start).
            AuditEvent event;
            event.timeMs = time;
            event.protocol = QStringLiteral("mcp");
            event.kind = QStringLiteral("response");
            event.actor = AliasRef{AliasFamily::McpClient, {}, m_clientName};
            event.resource = m_serverName;
            event.outcome = outcome;
            event.attributesJson = attributesJson({{"jsonrpcId", key.mid(1)}, {"error", errorText.trimmed()}});
            writeEvent(event, origin);
            return true;
        }
        PendingRequest request = pending->takeFirst();
        if (pending->isEmpty())
            m_clientRequests.erase(pending);
        request.event.outcome = outcome;
        if (request.event.resource.isEmpty())
            request.event.resource = m_serverName;
        if (request.event.actor.value.isEmpty())
            request.event.actor.value = m_clientName;
        if (!errorText.trimmed().isEmpty() || time) {
            request.event.attributesJson = attributesJson(
                {{"jsonrpcId", key.mid(1)}, {"protocolVersion", m_protocolVersion}, {"server", m_serverName},
                 {"error", errorText.trimmed()}, {"responseLine", QString::number(origin.position.line)},
                 {"durationMs", time && request.event.timeMs ? QString::number(*time - *request.event.timeMs) : QString()}});
        }
        writeEvent(request.event, request.position, request.offset, request.length, request.raw);
        return true;
    }

    // A result or error object on its own (the specification's examples): recorded as a response.
    bool readBarePayload(RecordFields &fields, dom::element message, std::optional<qint64> time, const LogRecordOrigin &origin, QString *reason)
    {
        QString outcome;
        QString errorText;
        const auto code = fields.value(message, "/code");
        const QString errorMessage = fields.text(message, "/message");
        if (code && code->is_int64() && code->get_int64().value_unsafe() >= -32768 && code->get_int64().value_unsafe() <= -32000
            && !errorMessage.isEmpty()) {
            outcome = QStringLiteral("error");
            errorText = QString::number(code->get_int64().value_unsafe()) + QLatin1Char(' ') + errorMessage;
        } else if (fields.value(message, "/resultType") || fields.value(message, "/isError") || fields.array(message, "/content")) {
            const QString resultType = fields.text(message, "/resultType");
            if (fields.boolean(message, "/isError").value_or(false))
                outcome = QStringLiteral("error");
            else if (resultType == QLatin1String("input_required"))
                outcome = QStringLiteral("input_required");
            else
                outcome = QStringLiteral("ok");
        }
        if (!fields.ok() || outcome.isEmpty()) {
            *reason = fields.ok() ? QStringLiteral("not a JSON-RPC message: it has no \"jsonrpc\", \"method\", \"result\" or "
                                                   "\"error\"")
                                  : fields.problems();
            return false;
        }
        AuditEvent event;
        event.timeMs = time;
        event.protocol = QStringLiteral("mcp");
        event.kind = QStringLiteral("response");
        event.actor = AliasRef{AliasFamily::McpClient, {}, m_clientName};
        event.resource = m_serverName;
        event.outcome = outcome;
        event.attributesJson = attributesJson({{"error", errorText}});
        writeEvent(event, origin);
        return true;
    }

    void writeApproval(RecordFields &fields, dom::element answer, const QString &action, const AuditEvent &context,
                       std::optional<qint64> time, TextPosition position, qint64 offset, qint64 length, const QByteArray &raw)
    {
        // Only an accepted elicitation is a human approval; declined or cancelled ones are kept as what they are.
        AuditEvent event;
        event.timeMs = time;
        event.protocol = QStringLiteral("mcp");
        event.kind = action == QLatin1String("accept") ? QStringLiteral("approval") : QStringLiteral("elicitation");
        event.outcome = action == QLatin1String("accept") ? QStringLiteral("ok")
                                                          : (action.isEmpty() ? QStringLiteral("unknown") : action + QLatin1Char('d'));
        if (action == QLatin1String("cancel"))
            event.outcome = QStringLiteral("cancelled");
        event.actor = context.actor;
        event.action = context.action;
        event.resource = context.resource;
        event.traceId = context.traceId;
        event.spanId = context.spanId;
        event.sessionId = m_sessionId;
        for (const char *pointer : {"/content/approver", "/content/approved_by", "/content/user", "/content/email",
                                    "/_meta/approver"}) {
            if (const auto value = fields.value(answer, pointer); value && value->is_string()) {
                event.originator = fromJson(value->get_string().value_unsafe());
                break;
            }
        }
        writeEvent(event, position, offset, length, raw);
    }

    static QByteArray rawOf(const LogRecordOrigin &origin)
    {
        return QByteArray(origin.text.data(), static_cast<qsizetype>(origin.text.size()));
    }

    struct ServerRequest
    {
        QString method;
        QString traceId;
        QString spanId;
    };

    QString m_clientName;
    QString m_serverName;
    QString m_protocolVersion;
    QString m_sessionId;
    QHash<QString, QList<PendingRequest>> m_clientRequests;
    QHash<QString, ServerRequest> m_serverRequests;
};

} // namespace

QString McpLogImporter::description() const
{
    return QStringLiteral("MCP JSON-RPC message log (2025-11-25 sessions and 2026-07-28 stateless requests)");
}

int McpLogImporter::sniff(const SniffSample &sample) const
{
    const QByteArray head = sniffableHead(sample).left(16 * 1024);
    if (!head.contains("\"jsonrpc\"")) {
        // Bare result or error objects, as the specification's examples are written.
        static const QRegularExpression rpcError(QStringLiteral("^\\s*\\{\\s*\"code\"\\s*:\\s*-32[0-9]{3}\\s*,\\s*\"message\""));
        if (head.contains("\"resultType\""))
            return 60;
        if (head.contains("\"isError\"") && head.contains("\"content\""))
            return 50;
        if (rpcError.match(QString::fromUtf8(head.left(200))).hasMatch())
            return 45;
        return 0;
    }
    if (head.contains("\"method\"") || head.contains("\"result\"") || head.contains("\"error\""))
        return 90;
    return 50;
}

qint64 McpLogImporter::import(ImportContext &context) const
{
    McpHandler handler(context);
    return importLogRecords(context, handler, QStringLiteral("MCP"));
}

} // namespace chainsight

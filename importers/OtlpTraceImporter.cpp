#include "OtlpTraceImporter.h"

#include "FlatIdMap.h"
#include "HandOff.h"
#include "JsonText.h"
#include "LineChunkReader.h"
#include "Sha256.h"
#include "Workspace.h"

#include <QFile>

#include <nlohmann/json.hpp>
#include <simdjson.h>

#include <charconv>
#include <cstring>
#include <optional>
#include <thread>
#include <unordered_map>
#include <utility>

namespace chainsight {
namespace {

namespace od = simdjson::ondemand;
using namespace std::string_view_literals; // comparisons against literals must not call strlen per record
using json_text::is;
using json_text::keyOf;
using json_text::stringOf;

constexpr std::size_t maximumLineBytes = 256u << 20;
constexpr std::size_t batchRows = 1024;
constexpr int maximumParentWalk = 128;

// A string stored in a batch's arena.
struct ArenaString
{
    std::uint32_t offset = 0;
    std::uint32_t length = 0;
    bool empty() const { return length == 0; }
};

struct SpanRow
{
    ArenaString kind;
    ArenaString ownAgent; // gen_ai.agent.id on the span itself
    ArenaString agent;    // the acting agent after inheritance from ancestor spans
    ArenaString service;  // resource service.name
    ArenaString originator;
    ArenaString action;
    ArenaString resource;
    ArenaString traceId;
    ArenaString spanId;
    ArenaString parentSpanId;
    ArenaString sessionId;
    ArenaString toolCallId;
    ArenaString correlationId;
    ArenaString attributes;
    ArenaString toolArguments;
    bool error = false;
    bool isAgentSpan = false;
    std::optional<qint64> timeMs;
    qint64 line = 0;
    qint64 rawOffset = 0;
    qint64 rawLength = 0;
};

struct EdgeRow
{
    ArenaString delegator;
    ArenaString delegate;
    ArenaString traceId;
    std::optional<qint64> timeMs;
};

// Parsed spans handed from the parsing thread to the writing thread; recycled, never freed mid-import.
struct SpanBatch
{
    std::string arena;
    std::vector<SpanRow> rows;
    std::vector<EdgeRow> edges;
    std::vector<Diagnostic> diagnostics;
    qint64 bytesDone = 0;

    void clear()
    {
        arena.clear();
        rows.clear();
        edges.clear();
        diagnostics.clear();
    }
    std::string_view view(ArenaString s) const { return std::string_view(arena.data() + s.offset, s.length); }
    ArenaString store(std::string_view text)
    {
        ArenaString s{static_cast<std::uint32_t>(arena.size()), static_cast<std::uint32_t>(text.size())};
        arena.append(text);
        return s;
    }
};

// The batches between the parsing thread (producer) and the writer (consumer).
class BatchPipe final
{
public:
    // Batches are sized for the file: a small file does not pay for buffers meant for gigabytes.
    BatchPipe(int batches, qint64 fileBytes)
    {
        const auto bytes = static_cast<std::size_t>(std::max<qint64>(fileBytes, 0));
        for (int i = 0; i < batches; ++i) {
            m_storage.push_back(std::make_unique<SpanBatch>());
            m_storage.back()->arena.reserve(std::min<std::size_t>(4u << 20, bytes + 4096));
            m_storage.back()->rows.reserve(std::min<std::size_t>(batchRows + 1024, bytes / 64 + 64));
            m_handOff.addFree(m_storage.back().get());
        }
    }

    SpanBatch *takeFree()
    {
        SpanBatch *batch = m_handOff.takeFree();
        if (batch)
            batch->clear();
        return batch;
    }
    void pushFull(SpanBatch *batch) { m_handOff.pushFull(batch); }
    SpanBatch *takeFull() { return m_handOff.takeFull(); }
    void giveBack(SpanBatch *batch) { m_handOff.giveBack(batch); }
    void producerDone() { m_handOff.finish(); }
    // The writer stopped early (error or cancel): wake the parser so it can finish.
    void close() { m_handOff.close(); }

private:
    std::vector<std::unique_ptr<SpanBatch>> m_storage;
    HandOff<SpanBatch> m_handOff;
};

[[gnu::always_inline]] inline std::optional<qint64> parseUnixNanos(od::value &value)
{
    od::json_type type;
    if (value.type().get(type) != simdjson::SUCCESS)
        return std::nullopt;
    std::int64_t nanos = 0;
    if (type == od::json_type::string) {
        std::string_view text;
        if (!stringOf(value, &text))
            return std::nullopt;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), nanos);
        if (ec != std::errc() || end != text.data() + text.size())
            return std::nullopt;
    } else if (type == od::json_type::number) {
        double asDouble = 0;
        if (value.get_int64().get(nanos) != simdjson::SUCCESS) {
            if (value.get_double().get(asDouble) != simdjson::SUCCESS)
                return std::nullopt;
            if (!(asDouble >= 0 && asDouble < 9.2e18)) // NaN, negative or past 64 bits: no time
                return std::nullopt;
            nanos = static_cast<std::int64_t>(asDouble);
        }
    } else {
        return std::nullopt;
    }
    // Some exporters write seconds or milliseconds; OTLP says nanoseconds. Scale what is clearly not (straight to
    // milliseconds: scaling up to nanoseconds first overflows for milliseconds past the year 2250).
    if (nanos < 0)
        return std::nullopt;
    if (nanos > 0 && nanos < 100'000'000'000LL)
        return nanos * 1'000LL; // seconds
    if (nanos > 0 && nanos < 100'000'000'000'000LL)
        return nanos; // milliseconds
    return nanos / 1'000'000;
}

void appendJsonEscaped(std::string &out, std::string_view text)
{
    out.push_back('"');
    // Runs of characters that need no escape (nearly all of them) are copied whole.
    std::size_t plain = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c != '"' && c != '\\' && static_cast<unsigned char>(c) >= 0x20)
            continue;
        out.append(text.data() + plain, i - plain);
        plain = i + 1;
        switch (c) {
        case '"':
            out.append("\\\"");
            break;
        case '\\':
            out.append("\\\\");
            break;
        case '\n':
            out.append("\\n");
            break;
        case '\r':
            out.append("\\r");
            break;
        case '\t':
            out.append("\\t");
            break;
        default: {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
            out.append(escaped);
        }
        }
    }
    out.append(text.data() + plain, text.size() - plain);
    out.push_back('"');
}

// The scalar of an OTLP AnyValue as text: stringValue, or the literal of intValue/boolValue/doubleValue.
[[gnu::always_inline]] inline bool anyValueText(od::value &value, std::string_view *text)
{
    od::object object;
    if (value.get_object().get(object) != simdjson::SUCCESS)
        return false;
    for (auto field : object) {
        std::string_view key;
        if (!keyOf(field, &key))
            return false;
        od::value inner;
        if (field.value().get(inner) != simdjson::SUCCESS)
            return false;
        if (is(key, "stringValue")) {
            return stringOf(inner, text);
        }
        if (is(key, "intValue") || is(key, "boolValue") || is(key, "doubleValue")) {
            od::json_type type;
            if (inner.type().get(type) != simdjson::SUCCESS)
                return false;
            if (type == od::json_type::string)
                return stringOf(inner, text);
            *text = inner.raw_json_token();
            while (!text->empty() && (text->back() == ' ' || text->back() == '\n' || text->back() == '\r' || text->back() == '\t'))
                text->remove_suffix(1);
            return true;
        }
    }
    return false;
}

// The span attributes the import reads. Told apart by length first: most keys of a span are none of them, and
// one length test and at most three comparisons settle each, where a chain of twenty comparisons ran before.
enum class SpanAttribute {
    Other,
    Operation,      // gen_ai.operation.name
    AgentId,        // gen_ai.agent.id
    AgentName,      // gen_ai.agent.name
    ToolName,       // gen_ai.tool.name
    ToolCallId,     // gen_ai.tool.call.id
    ConversationId, // gen_ai.conversation.id
    SessionId,      // session.id
    User,           // enduser.id, user.id
    Model,          // gen_ai.request.model
    Server,         // server.address
    AwsRequestId,   // aws.request_id: also the correlation id
    ToolArguments,  // gen_ai.tool.call.arguments: also filed for the policy replay
    Kept,           // protocol attributes kept as they are in the event's attributes
};

[[gnu::always_inline]] inline SpanAttribute spanAttribute(std::string_view key)
{
    switch (key.size()) {
    case 7:
        return is(key, "user.id") ? SpanAttribute::User : SpanAttribute::Other;
    case 10:
        if (is(key, "session.id"))
            return SpanAttribute::SessionId;
        if (is(key, "enduser.id"))
            return SpanAttribute::User;
        return is(key, "rpc.method") ? SpanAttribute::Kept : SpanAttribute::Other;
    case 11:
        return is(key, "rpc.service") ? SpanAttribute::Kept : SpanAttribute::Other;
    case 12:
        return is(key, "az.namespace") ? SpanAttribute::Kept : SpanAttribute::Other;
    case 14:
        if (is(key, "server.address"))
            return SpanAttribute::Server;
        if (is(key, "aws.request_id"))
            return SpanAttribute::AwsRequestId;
        return is(key, "mcp.session.id") ? SpanAttribute::Kept : SpanAttribute::Other;
    case 15:
        if (is(key, "gen_ai.agent.id"))
            return SpanAttribute::AgentId;
        return is(key, "mcp.method.name") ? SpanAttribute::Kept : SpanAttribute::Other;
    case 16:
        if (is(key, "gen_ai.tool.name"))
            return SpanAttribute::ToolName;
        return is(key, "gen_ai.tool.type") ? SpanAttribute::Kept : SpanAttribute::Other;
    case 17:
        return is(key, "gen_ai.agent.name") ? SpanAttribute::AgentName : SpanAttribute::Other;
    case 18:
        return is(key, "jsonrpc.request.id") ? SpanAttribute::Kept : SpanAttribute::Other;
    case 19:
        return is(key, "gen_ai.tool.call.id") ? SpanAttribute::ToolCallId : SpanAttribute::Other;
    case 20:
        return is(key, "gen_ai.request.model") ? SpanAttribute::Model : SpanAttribute::Other;
    case 21:
        return is(key, "gen_ai.operation.name") ? SpanAttribute::Operation : SpanAttribute::Other;
    case 22:
        return is(key, "gen_ai.conversation.id") ? SpanAttribute::ConversationId : SpanAttribute::Other;
    case 26:
        return is(key, "gen_ai.tool.call.arguments") ? SpanAttribute::ToolArguments : SpanAttribute::Other;
    default:
        return SpanAttribute::Other;
    }
}

// The fields of a span the import reads, told apart by length first (most spans also carry flags, kind, the end
// time, events and links, which are skipped).
enum class SpanField { Other, TraceId, SpanId, ParentSpanId, Name, StartTime, Status, Attributes };

[[gnu::always_inline]] inline SpanField spanField(std::string_view key)
{
    switch (key.size()) {
    case 4:
        return is(key, "name") ? SpanField::Name : SpanField::Other;
    case 6:
        if (is(key, "spanId"))
            return SpanField::SpanId;
        return is(key, "status") ? SpanField::Status : SpanField::Other;
    case 7:
        return is(key, "traceId") ? SpanField::TraceId : SpanField::Other;
    case 10:
        return is(key, "attributes") ? SpanField::Attributes : SpanField::Other;
    case 12:
        return is(key, "parentSpanId") ? SpanField::ParentSpanId : SpanField::Other;
    case 17:
        return is(key, "startTimeUnixNano") ? SpanField::StartTime : SpanField::Other;
    default:
        return SpanField::Other;
    }
}

// Parses OTLP text into batches on its own thread, then resolves each span's acting agent and the
// agent-to-agent hops inside each request.
class OtlpParser final
{
public:
    OtlpParser(BatchPipe &pipe, const std::atomic_bool &cancel, const QString &path, Sha256Stream *digest)
        : m_pipe(pipe)
        , m_digest(digest)
        , m_cancel(cancel)
        , m_path(path)
    {
    }

    // NDJSON: one request a line.
    void parseLines(QFile &file)
    {
        m_batch = m_pipe.takeFree();
        qint64 lineNumber = 1;
        {
            LineChunkReader reader(file, m_digest, m_cancel, maximumLineBytes, simdjson::SIMDJSON_PADDING);
            while (m_batch && !m_cancel.load(std::memory_order_relaxed)) {
                LineChunkReader::Chunk *chunk = reader.next();
                if (!chunk) {
                    if (const QString failure = reader.failure(); !failure.isEmpty()) {
                        report(Diagnostic{Severity::Error, m_path, {lineNumber, 1}, failure});
                        m_failed = true;
                    }
                    break;
                }
                const char *data = chunk->buffer.data();
                std::size_t start = 0;
                while (start < chunk->length && m_batch && !m_cancel.load(std::memory_order_relaxed)) {
                    const void *newline = std::memchr(data + start, '\n', chunk->length - start);
                    const std::size_t end = newline ? static_cast<std::size_t>(static_cast<const char *>(newline) - data) : chunk->length;
                    std::size_t lineEnd = end;
                    if (lineEnd > start && data[lineEnd - 1] == '\r')
                        --lineEnd;
                    if (lineEnd > start)
                        parseRequest(data + start, lineEnd - start, chunk->buffer.size() - start, chunk->fileOffset + static_cast<qint64>(start), lineNumber, true);
                    ++lineNumber;
                    start = end + 1;
                }
                if (m_batch)
                    m_batch->bytesDone = chunk->fileOffset + static_cast<qint64>(chunk->length);
                reader.recycle(chunk);
            }
        }
        flush();
    }

    // One (pretty-printed) ExportTraceServiceRequest document.
    void parseDocument(const QByteArray &text)
    {
        m_batch = m_pipe.takeFree();
        if (!m_batch)
            return;
        if (m_digest)
            m_digest->update(text.constData(), static_cast<std::size_t>(text.size()));
        const simdjson::padded_string padded(text.constData(), static_cast<std::size_t>(text.size()));
        m_document = std::string_view(padded.data(), padded.size());
        parseRequest(padded.data(), padded.size(), padded.size() + simdjson::SIMDJSON_PADDING, 0, 0, false);
        m_batch->bytesDone = text.size();
        flush();
    }

    bool failed() const { return m_failed; }

private:
    void report(Diagnostic diagnostic)
    {
        if (m_batch)
            m_batch->diagnostics.push_back(std::move(diagnostic));
    }

    void flush()
    {
        if (m_batch)
            m_pipe.pushFull(m_batch);
        m_batch = nullptr;
        m_pipe.producerDone();
    }

    TextPosition positionIn(const char *base, const char *at, qint64 lineNumber, bool ndjson)
    {
        if (ndjson)
            return {lineNumber, static_cast<qint64>(at - base) + 1};
        return m_lines.positionOf(m_document, static_cast<std::size_t>(at - m_document.data()));
    }

    void badRequest(const char *data, std::size_t length, qint64 lineNumber, bool ndjson, const QString &fallback)
    {
        // A whole document has no line number of its own: its problems start on its first line.
        Diagnostic diagnostic{Severity::Error, m_path, {ndjson ? lineNumber : 1, 1}, fallback};
        try {
            [[maybe_unused]] const auto parsed = nlohmann::json::parse(data, data + length);
        } catch (const nlohmann::json::parse_error &e) {
            const std::size_t offset = e.byte > 0 ? e.byte - 1 : 0;
            diagnostic.position = ndjson ? TextPosition{lineNumber, static_cast<qint64>(offset) + 1}
                                         : positionOfOffset(std::string_view(data, length), offset);
            QString reason = QString::fromUtf8(e.what());
            if (const auto at = reason.indexOf(QStringLiteral("syntax error")); at >= 0)
                reason = reason.mid(at);
            diagnostic.message = QStringLiteral("request skipped: invalid JSON: %1").arg(reason);
        } catch (const nlohmann::json::exception &e) {
            // Out-of-range numbers and the like: valid syntax, unusable values.
            QString reason = QString::fromUtf8(e.what());
            if (const auto at = reason.indexOf(QLatin1String("] ")); at >= 0)
                reason = reason.mid(at + 2);
            diagnostic.message = QStringLiteral("request skipped: %1").arg(reason);
        }
        report(diagnostic);
    }

    void parseRequest(const char *data, std::size_t length, std::size_t capacity, qint64 fileOffset, qint64 lineNumber, bool ndjson)
    {
        const std::size_t firstRow = m_batch->rows.size();
        const std::size_t arenaBefore = m_batch->arena.size();
        od::document document;
        od::object root;
        auto rollback = [&] {
            m_batch->rows.resize(firstRow);
            m_batch->arena.resize(arenaBefore);
        };
        if (m_parser.iterate(data, length, capacity).get(document) != simdjson::SUCCESS
            || document.get_object().get(root) != simdjson::SUCCESS) {
            badRequest(data, length, lineNumber, ndjson, QStringLiteral("request skipped: not a JSON object"));
            return;
        }
        bool ok = true;
        bool sawSpans = false;
        for (auto field : root) {
            std::string_view key;
            od::value value;
            if (!keyOf(field, &key) || field.value().get(value) != simdjson::SUCCESS) {
                ok = false;
                break;
            }
            if (!is(key, "resourceSpans"))
                continue;
            sawSpans = true;
            od::array resources;
            if (value.get_array().get(resources) != simdjson::SUCCESS) {
                ok = false;
                break;
            }
            for (auto resource : resources) {
                od::value resourceValue;
                if (resource.get(resourceValue) != simdjson::SUCCESS || !parseResourceSpans(resourceValue, data, fileOffset, lineNumber, ndjson)) {
                    ok = false;
                    break;
                }
            }
            if (!ok)
                break;
        }
        if (ok && document.current_location().error() == simdjson::SUCCESS) {
            // Trailing content after the request object.
            ok = false;
        }
        if (!ok) {
            rollback();
            badRequest(data, length, lineNumber, ndjson, QStringLiteral("request skipped: not an OTLP ExportTraceServiceRequest"));
            return;
        }
        if (!sawSpans) {
            report(Diagnostic{Severity::Error, m_path, {ndjson ? lineNumber : 1, 1},
                              QStringLiteral("request skipped: no \"resourceSpans\"; not an OTLP trace request")});
            return;
        }
        linkRequest(firstRow);
        if (m_batch->rows.size() >= batchRows || m_batch->arena.size() > (3u << 20)) {
            m_batch->bytesDone = fileOffset + static_cast<qint64>(length);
            m_pipe.pushFull(m_batch);
            m_batch = m_pipe.takeFree();
        }
    }

    [[gnu::always_inline]] bool parseResourceSpans(od::value &value, const char *base, qint64 fileOffset, qint64 lineNumber, bool ndjson)
    {
        od::object object;
        if (value.get_object().get(object) != simdjson::SUCCESS)
            return false;
        const std::size_t firstRow = m_batch->rows.size();
        ArenaString service;
        for (auto field : object) {
            std::string_view key;
            od::value inner;
            if (!keyOf(field, &key) || field.value().get(inner) != simdjson::SUCCESS)
                return false;
            if (is(key, "resource")) {
                od::object resource;
                if (inner.get_object().get(resource) != simdjson::SUCCESS)
                    return false;
                for (auto resourceField : resource) {
                    std::string_view resourceKey;
                    od::value attributes;
                    if (!keyOf(resourceField, &resourceKey)
                        || resourceField.value().get(attributes) != simdjson::SUCCESS)
                        return false;
                    if (!is(resourceKey, "attributes"))
                        continue;
                    od::array list;
                    if (attributes.get_array().get(list) != simdjson::SUCCESS)
                        return false;
                    for (auto attribute : list) {
                        std::string_view attributeKey;
                        std::string_view text;
                        od::object pair;
                        if (attribute.get_object().get(pair) != simdjson::SUCCESS)
                            return false;
                        bool isService = false;
                        for (auto pairField : pair) {
                            std::string_view pairKey;
                            if (!keyOf(pairField, &pairKey))
                                return false;
                            od::value pairValue;
                            if (pairField.value().get(pairValue) != simdjson::SUCCESS)
                                return false;
                            if (is(pairKey, "key")) {
                                if (!stringOf(pairValue, &attributeKey))
                                    return false;
                                isService = is(attributeKey, "service.name");
                            } else if (is(pairKey, "value") && isService) {
                                if (anyValueText(pairValue, &text))
                                    service = m_batch->store(text);
                            }
                        }
                        // service.name is all the import reads of the resource (and SDKs write it first): the
                        // other attributes are skipped unread.
                        if (!service.empty())
                            break;
                    }
                }
            } else if (is(key, "scopeSpans") || is(key, "instrumentationLibrarySpans")) {
                od::array scopes;
                if (inner.get_array().get(scopes) != simdjson::SUCCESS)
                    return false;
                for (auto scope : scopes) {
                    od::object scopeObject;
                    if (scope.get_object().get(scopeObject) != simdjson::SUCCESS)
                        return false;
                    for (auto scopeField : scopeObject) {
                        std::string_view scopeKey;
                        od::value spans;
                        if (!keyOf(scopeField, &scopeKey) || scopeField.value().get(spans) != simdjson::SUCCESS)
                            return false;
                        if (!is(scopeKey, "spans"))
                            continue;
                        od::array spanList;
                        if (spans.get_array().get(spanList) != simdjson::SUCCESS)
                            return false;
                        for (auto span : spanList) {
                            od::value spanValue;
                            if (span.get(spanValue) != simdjson::SUCCESS || !parseSpan(spanValue, base, fileOffset, lineNumber, ndjson))
                                return false;
                        }
                    }
                }
            }
        }
        // service.name may come after the spans in the object; patch it in afterwards.
        for (std::size_t row = firstRow; row < m_batch->rows.size(); ++row)
            m_batch->rows[row].service = service;
        return true;
    }

    [[gnu::always_inline]] bool parseSpan(od::value &value, const char *base, qint64 fileOffset, qint64 lineNumber, bool ndjson)
    {
        od::object span;
        if (value.get_object().get(span) != simdjson::SUCCESS)
            return false;
        const char *start = nullptr;
        if (value.current_location().get(start) != simdjson::SUCCESS)
            start = nullptr;
        SpanRow row;
        std::string_view name;
        std::string_view operation;
        std::string_view model;
        std::string_view agentName;
        std::string_view server;
        std::string_view tool;
        std::string &attributes = m_attributes;
        attributes.clear();
        auto addAttribute = [&attributes](std::string_view key, std::string_view text) {
            attributes.push_back(attributes.empty() ? '{' : ',');
            appendJsonEscaped(attributes, key);
            attributes.push_back(':');
            appendJsonEscaped(attributes, text);
        };
        for (auto field : span) {
            std::string_view key;
            od::value inner;
            if (!keyOf(field, &key) || field.value().get(inner) != simdjson::SUCCESS)
                return false;
            std::string_view text;
            const SpanField fieldKind = spanField(key);
            if (fieldKind == SpanField::Other)
                continue;
            if (fieldKind == SpanField::TraceId) {
                if (!stringOf(inner, &text))
                    return false;
                row.traceId = m_batch->store(text);
            } else if (fieldKind == SpanField::SpanId) {
                if (!stringOf(inner, &text))
                    return false;
                row.spanId = m_batch->store(text);
            } else if (fieldKind == SpanField::ParentSpanId) {
                if (!stringOf(inner, &text))
                    return false;
                row.parentSpanId = m_batch->store(text);
            } else if (fieldKind == SpanField::Name) {
                if (!stringOf(inner, &name))
                    return false;
            } else if (fieldKind == SpanField::StartTime) {
                row.timeMs = parseUnixNanos(inner);
            } else if (fieldKind == SpanField::Status) {
                od::object status;
                if (inner.get_object().get(status) != simdjson::SUCCESS)
                    return false;
                for (auto statusField : status) {
                    std::string_view statusKey;
                    od::value code;
                    if (!keyOf(statusField, &statusKey) || statusField.value().get(code) != simdjson::SUCCESS)
                        return false;
                    if (!is(statusKey, "code"))
                        continue;
                    std::int64_t number = 0;
                    std::string_view label;
                    if (code.get_int64().get(number) == simdjson::SUCCESS)
                        row.error = number == 2;
                    else if (stringOf(code, &label))
                        row.error = is(label, "STATUS_CODE_ERROR") || is(label, "ERROR");
                }
            } else if (fieldKind == SpanField::Attributes) {
                od::array list;
                if (inner.get_array().get(list) != simdjson::SUCCESS)
                    return false;
                for (auto attribute : list) {
                    od::object pair;
                    if (attribute.get_object().get(pair) != simdjson::SUCCESS)
                        return false;
                    std::string_view attributeKey;
                    for (auto pairField : pair) {
                        std::string_view pairKey;
                        od::value pairValue;
                        if (!keyOf(pairField, &pairKey) || pairField.value().get(pairValue) != simdjson::SUCCESS)
                            return false;
                        if (is(pairKey, "key")) {
                            if (!stringOf(pairValue, &attributeKey))
                                return false;
                            continue;
                        }
                        if (!is(pairKey, "value"))
                            continue;
                        // Only the attributes the analysis uses are read; the rest stay in the raw record.
                        const SpanAttribute which = spanAttribute(attributeKey);
                        std::string_view valueText;
                        if (which == SpanAttribute::Other || !anyValueText(pairValue, &valueText))
                            continue;
                        switch (which) {
                        case SpanAttribute::Operation:
                            operation = valueText;
                            break;
                        case SpanAttribute::AgentId:
                            row.ownAgent = m_batch->store(valueText);
                            break;
                        case SpanAttribute::AgentName:
                            agentName = valueText;
                            break;
                        case SpanAttribute::ToolName:
                            tool = valueText;
                            break;
                        case SpanAttribute::ToolCallId:
                            row.toolCallId = m_batch->store(valueText);
                            break;
                        case SpanAttribute::ConversationId: // session.id wins over the conversation
                            if (row.sessionId.empty())
                                row.sessionId = m_batch->store(valueText);
                            break;
                        case SpanAttribute::SessionId:
                            row.sessionId = m_batch->store(valueText);
                            break;
                        case SpanAttribute::User:
                            if (row.originator.empty())
                                row.originator = m_batch->store(valueText);
                            break;
                        case SpanAttribute::Model:
                            model = valueText;
                            break;
                        case SpanAttribute::Server:
                            server = valueText;
                            break;
                        case SpanAttribute::AwsRequestId:
                            row.correlationId = m_batch->store(valueText);
                            addAttribute(attributeKey, valueText);
                            break;
                        case SpanAttribute::ToolArguments:
                            addAttribute(attributeKey, valueText);
                            row.toolArguments = m_batch->store(valueText);
                            break;
                        case SpanAttribute::Kept:
                            addAttribute(attributeKey, valueText);
                            break;
                        case SpanAttribute::Other:
                            break;
                        }
                    }
                }
            }
        }
        if (row.spanId.empty())
            return true; // a span without an id cannot be linked; nothing to keep
        // Kind: the GenAI operation, else the span name's first word ("elicitation/create", "invoke_agent X").
        if (operation.empty())
            operation = name.substr(0, name.find(' '));
        // A span with neither is still something an actor did; the store requires a kind.
        if (operation.empty())
            operation = "span"sv;
        row.kind = m_batch->store(operation);
        row.isAgentSpan = is(operation, "invoke_agent") || is(operation, "create_agent") || is(operation, "invoke_workflow");
        // "invoke_agent Support supervisor" names the agent after the operation when no attribute does.
        if (row.isAgentSpan && agentName.empty() && name.find(' ') != std::string_view::npos)
            agentName = name.substr(name.find(' ') + 1);
        const std::string_view action = !tool.empty()               ? tool
                                        : is(operation, "chat")       ? model
                                        : row.isAgentSpan && !agentName.empty() ? agentName
                                                                    : name;
        row.action = m_batch->store(action);
        if (!server.empty())
            row.resource = m_batch->store(server);
        if (!attributes.empty()) {
            attributes.push_back('}');
            row.attributes = m_batch->store(attributes);
        }
        row.line = ndjson ? lineNumber : 0;
        if (start) {
            std::string_view raw;
            if (span.raw_json().get(raw) == simdjson::SUCCESS) {
                row.rawOffset = fileOffset + (raw.data() - base);
                row.rawLength = static_cast<qint64>(raw.size());
            } else {
                row.rawOffset = fileOffset + (start - base);
            }
            if (!ndjson)
                row.line = positionIn(base, start, lineNumber, ndjson).line;
        }
        m_batch->rows.push_back(row);
        return true;
    }

    // Within one request: the acting agent of every span (its own, or its nearest agent ancestor's, or the
    // resource's service.name), the originator of the trace, and an edge for every agent below another agent.
    void linkRequest(std::size_t firstRow)
    {
        SpanBatch &batch = *m_batch;
        // Span id to row within this request, by hash; a request holds a few dozen spans at most, so a scan of
        // the hashes beats a hash table (the first of a repeated id wins).
        m_spanIndex.clear();
        for (std::size_t row = firstRow; row < batch.rows.size(); ++row) {
            const SpanRow &span = batch.rows[row];
            m_spanIndex.push_back({idHash(batch.view(span.spanId)), row});
            m_agentOfSpan.prefetch(spanKey(batch.view(span.traceId), batch.view(span.spanId)));
            if (!span.parentSpanId.empty())
                m_agentOfSpan.prefetch(spanKey(batch.view(span.traceId), batch.view(span.parentSpanId)));
        }
        const auto rowOfSpan = [&](ArenaString id) -> std::optional<std::size_t> {
            const std::uint64_t hash = idHash(batch.view(id));
            for (const auto &[spanHash, row] : m_spanIndex)
                if (spanHash == hash && batch.view(batch.rows[row].spanId) == batch.view(id))
                    return row;
            return std::nullopt;
        };
        // The originator of each trace in this request (a request usually holds one trace).
        ArenaString requestTrace;
        ArenaString requestOriginator;
        for (std::size_t row = firstRow; row < batch.rows.size(); ++row) {
            const SpanRow &span = batch.rows[row];
            if (span.originator.empty())
                continue;
            requestTrace = span.traceId;
            requestOriginator = span.originator;
            m_key.assign(batch.view(span.traceId));
            if (const auto it = m_originatorOfTrace.find(m_key); it != m_originatorOfTrace.end())
                it->second.assign(batch.view(span.originator));
            else
                m_originatorOfTrace.emplace(m_key, std::string(batch.view(span.originator)));
        }
        auto agentOfAncestors = [&](const SpanRow &span, ArenaString *found, std::string *foundAcrossRequests) {
            ArenaString parent = span.parentSpanId;
            for (int step = 0; step < maximumParentWalk && !parent.empty(); ++step) {
                const std::optional<std::size_t> ancestorRow = rowOfSpan(parent);
                if (!ancestorRow) {
                    // The parent was in an earlier request of this file: its acting agent was remembered.
                    if (const std::uint32_t *earlier = m_agentOfSpan.find(spanKey(batch.view(span.traceId), batch.view(parent)))) {
                        *foundAcrossRequests = m_agentNames[*earlier];
                        return true;
                    }
                    return false;
                }
                const SpanRow &ancestor = batch.rows[*ancestorRow];
                if (ancestor.isAgentSpan && !ancestor.ownAgent.empty()) {
                    *found = ancestor.ownAgent;
                    return true;
                }
                parent = ancestor.parentSpanId;
            }
            return false;
        };
        for (std::size_t row = firstRow; row < batch.rows.size(); ++row) {
            SpanRow &span = batch.rows[row];
            ArenaString ancestorAgent;
            std::string ancestorAcross;
            const bool hasAncestor = agentOfAncestors(span, &ancestorAgent, &ancestorAcross);
            if (!span.ownAgent.empty())
                span.agent = span.ownAgent;
            else if (hasAncestor)
                span.agent = ancestorAgent.empty() ? batch.store(ancestorAcross) : ancestorAgent;
            else
                span.agent = span.service;
            if (span.originator.empty()) {
                if (!requestOriginator.empty() && batch.view(requestTrace) == batch.view(span.traceId)) {
                    span.originator = requestOriginator;
                } else {
                    m_key.assign(batch.view(span.traceId));
                    if (const auto it = m_originatorOfTrace.find(m_key); it != m_originatorOfTrace.end())
                        span.originator = batch.store(it->second);
                }
            }
            if (!span.agent.empty())
                m_agentOfSpan.assign(spanKey(batch.view(span.traceId), batch.view(span.spanId)), agentNumber(batch.view(span.agent)));
            if (span.isAgentSpan && !span.ownAgent.empty()) {
                if (hasAncestor) {
                    const ArenaString delegator = ancestorAgent.empty() ? batch.store(ancestorAcross) : ancestorAgent;
                    if (batch.view(delegator) != batch.view(span.ownAgent))
                        batch.edges.push_back(EdgeRow{delegator, span.ownAgent, span.traceId, span.timeMs});
                }
            }
        }
    }

    BatchPipe &m_pipe;
    Sha256Stream *m_digest; // hashed here, on the parsing thread, while the bytes are in cache
    const std::atomic_bool &m_cancel;
    QString m_path;
    SpanBatch *m_batch = nullptr;
    od::parser m_parser;
    std::string m_attributes;
    std::string m_key; // reused lookup key: no allocation per span
    std::string_view m_document;
    LineCounter m_lines;
    std::vector<std::pair<std::uint64_t, std::size_t>> m_spanIndex; // of the request being linked
    // Across requests: the acting agent of every span and each trace's originator, so a trace split over
    // lines still links up. Spans are keyed by a 64-bit hash and agents by number: no allocation per span.
    static std::uint64_t spanKey(std::string_view trace, std::string_view span)
    {
        const std::uint64_t a = idHash(trace);
        return a ^ (idHash(span) + 0x9e3779b97f4a7c15ULL + (a << 6) + (a >> 2));
    }
    std::uint32_t agentNumber(std::string_view agent)
    {
        // Consecutive spans mostly act for the same agent.
        if (m_lastAgentNumber < m_agentNames.size() && m_agentNames[m_lastAgentNumber] == agent)
            return m_lastAgentNumber;
        m_key.assign(agent);
        if (const auto it = m_agentNumbers.find(m_key); it != m_agentNumbers.end()) {
            m_lastAgentNumber = it->second;
            return it->second;
        }
        const auto number = static_cast<std::uint32_t>(m_agentNames.size());
        m_agentNames.push_back(m_key);
        m_agentNumbers.emplace(m_key, number);
        m_lastAgentNumber = number;
        return number;
    }
    FlatIdMap m_agentOfSpan;
    std::unordered_map<std::string, std::uint32_t> m_agentNumbers;
    std::uint32_t m_lastAgentNumber = 0;
    std::vector<std::string> m_agentNames;
    std::unordered_map<std::string, std::string> m_originatorOfTrace;
    bool m_failed = false;
};

// Per-import caches in front of the writer's resolution, keyed by the UTF-8 text.
class IdentityCache final
{
public:
    explicit IdentityCache(WorkspaceWriter &writer, qint64 sourceId)
        : m_writer(writer)
        , m_sourceId(sourceId)
    {
    }

    qint64 agent(std::string_view alias)
    {
        return lookup(m_agents, alias, [this](const QString &value) {
            return m_writer.resolveActor(AliasRef{AliasFamily::OtelAgent, QString(), value}, m_sourceId);
        });
    }
    void human(std::string_view id)
    {
        lookup(m_humans, id, [this](const QString &value) { return m_writer.resolveHuman(value, m_sourceId); });
    }
    void tool(std::string_view id)
    {
        lookup(m_tools, id, [this](const QString &value) { return m_writer.resolveTool(value, m_sourceId); });
    }

private:
    struct TextHash
    {
        using is_transparent = void;
        std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>()(text); }
    };
    struct Cache
    {
        // Looked up by view, no key built per record; the last hit is checked first, as consecutive spans mostly
        // share their agent and originator (node-based, so the pointer to its key stays valid).
        std::unordered_map<std::string, qint64, TextHash, std::equal_to<>> ids;
        const std::pair<const std::string, qint64> *last = nullptr;
    };

    template<typename Resolve>
    qint64 lookup(Cache &cache, std::string_view key, Resolve resolve)
    {
        if (key.empty())
            return 0;
        if (cache.last && cache.last->first == key)
            return cache.last->second;
        auto it = cache.ids.find(key);
        if (it == cache.ids.end())
            it = cache.ids.emplace(std::string(key), resolve(QString::fromUtf8(key.data(), static_cast<qsizetype>(key.size())))).first;
        cache.last = &*it;
        return it->second;
    }

    WorkspaceWriter &m_writer;
    qint64 m_sourceId;
    Cache m_agents;
    Cache m_humans;
    Cache m_tools;
};

bool looksLikeNdjson(QFile &file)
{
    // NDJSON when the first line alone is a complete JSON value.
    const QByteArray head = file.peek(1 << 20);
    const qsizetype newline = head.indexOf('\n');
    if (newline < 0)
        return file.size() <= head.size(); // a single line holding the whole file: parse it as a line
    const QByteArray first = head.left(newline).trimmed();
    return !first.isEmpty() && nlohmann::json::accept(first.constData(), first.constData() + first.size());
}

// One file's reading, hashing and parsing, on threads of their own. import() starts it for its file, or takes over
// the one it started for this file while the file before was still being written (the workspace writer is the
// slower half; without this the parsing threads sat idle while it finished each file).
class OtlpFileParse final : public ImportReadAhead
{
public:
    OtlpFileParse(const QString &path, Sha256Stream *digest)
        : m_path(path)
        , m_file(path)
    {
        if (!m_file.open(QIODevice::ReadOnly)) {
            m_openError = QStringLiteral("cannot read the file: %1").arg(m_file.errorString());
            return;
        }
        m_pipe = std::make_unique<BatchPipe>(16, m_file.size());
        m_parser = std::make_unique<OtlpParser>(*m_pipe, m_cancel, path, digest);
        m_thread = std::thread([this] { run(); });
    }
    ~OtlpFileParse() override { stop(); }
    OtlpFileParse(const OtlpFileParse &) = delete;
    OtlpFileParse &operator=(const OtlpFileParse &) = delete;

    const QString &path() const { return m_path; }
    const QString &openError() const { return m_openError; }
    BatchPipe &pipe() { return *m_pipe; }
    // The parsing thread is done with the file: what is left is writing it.
    bool parsed() const { return m_parsed.load(std::memory_order_acquire); }
    bool failed() const { return m_parser->failed(); }
    // Read after stop(): the file could not be parsed at all.
    const std::optional<Diagnostic> &fatal() const { return m_fatal; }
    void cancel() { m_cancel = true; }

    // Stops the threads (the writer gave up, or is done) and waits for them.
    void stop()
    {
        if (!m_thread.joinable())
            return;
        m_cancel = true;
        m_pipe->close();
        while (SpanBatch *batch = m_pipe->takeFull())
            m_pipe->giveBack(batch);
        m_thread.join();
    }

private:
    void run()
    {
        if (looksLikeNdjson(m_file)) {
            m_parser->parseLines(m_file);
        } else if (m_file.size() > qint64(maximumLineBytes)) {
            m_fatal = Diagnostic{Severity::Error, m_path, {1, 1},
                                 QStringLiteral("a single OTLP document over %1 MB; export NDJSON instead").arg(maximumLineBytes >> 20)};
        } else {
            const QByteArray document = m_file.readAll();
            m_parser->parseDocument(document);
        }
        m_pipe->producerDone(); // also when the parser stopped before taking a batch
        m_parsed.store(true, std::memory_order_release);
    }

    QString m_path;
    QFile m_file;
    QString m_openError;
    std::atomic_bool m_cancel{false};
    std::atomic_bool m_parsed{false};
    std::optional<Diagnostic> m_fatal;
    std::unique_ptr<BatchPipe> m_pipe;
    std::unique_ptr<OtlpParser> m_parser;
    std::thread m_thread;
};

} // namespace

int OtlpTraceImporter::sniff(const SniffSample &sample) const
{
    const QByteArray head = sample.head.left(8192);
    if (head.contains("\"resourceSpans\""))
        return 95;
    return 0;
}

qint64 OtlpTraceImporter::import(ImportContext &context) const
{
    std::unique_ptr<OtlpFileParse> work;
    if (std::unique_ptr<ImportReadAhead> ahead = context.takeReadAhead()) {
        if (auto *mine = dynamic_cast<OtlpFileParse *>(ahead.get()); mine && mine->path() == context.path()) {
            ahead.release();
            work.reset(mine);
        }
    }
    if (!work)
        work = std::make_unique<OtlpFileParse>(context.path(), context.contentDigest());
    if (!work->openError().isEmpty()) {
        context.error({}, work->openError());
        return -1;
    }
    BatchPipe &pipe = work->pipe();
    // The next file of the import is read and parsed as soon as this one's parsing is done.
    std::unique_ptr<OtlpFileParse> next;
    bool nextStarted = false;
    auto startNextWhenParsed = [&] {
        if (nextStarted || !work->parsed())
            return;
        nextStarted = true;
        if (const QString nextPath = context.nextPath(); !nextPath.isEmpty())
            next = std::make_unique<OtlpFileParse>(nextPath, context.nextContentDigest());
    };

    WorkspaceWriter &writer = context.writer();
    IdentityCache identities(writer, context.sourceId());
    qint64 spans = 0;
    std::exception_ptr failure;
    try {
        while (SpanBatch *batch = pipe.takeFull()) {
            for (Diagnostic &diagnostic : batch->diagnostics)
                context.report(std::move(diagnostic));
            for (const SpanRow &row : batch->rows) {
                AuditEventView event;
                event.timeMs = row.timeMs;
                event.protocol = "otlp"sv;
                event.kind = batch->view(row.kind);
                event.actorAlias = batch->view(row.agent);
                event.actorIdentity = identities.agent(event.actorAlias);
                event.originator = batch->view(row.originator);
                identities.human(event.originator);
                event.action = batch->view(row.action);
                if (is(event.kind, "execute_tool"))
                    identities.tool(event.action);
                event.resource = batch->view(row.resource);
                event.outcome = row.error ? "error"sv : "ok"sv;
                event.traceId = batch->view(row.traceId);
                event.spanId = batch->view(row.spanId);
                event.parentSpanId = batch->view(row.parentSpanId);
                event.sessionId = batch->view(row.sessionId);
                event.toolCallId = batch->view(row.toolCallId);
                event.correlationId = batch->view(row.correlationId);
                event.attributesJson = batch->view(row.attributes);
                event.toolArguments = batch->view(row.toolArguments);
                event.line = row.line;
                event.rawOffset = row.rawOffset;
                event.rawLength = row.rawLength;
                writer.addEvent(event, context.sourceId());
            }
            for (const EdgeRow &edge : batch->edges) {
                DelegationEdgeView link;
                link.delegatorAlias = batch->view(edge.delegator);
                link.delegatorIdentity = identities.agent(link.delegatorAlias);
                link.delegateAlias = batch->view(edge.delegate);
                link.delegateIdentity = identities.agent(link.delegateAlias);
                link.protocol = "otlp"sv;
                link.timeMs = edge.timeMs;
                link.traceId = batch->view(edge.traceId);
                writer.addDelegationEdge(link, context.sourceId(), std::nullopt);
            }
            spans += static_cast<qint64>(batch->rows.size());
            context.reportProgress(batch->bytesDone, spans);
            pipe.giveBack(batch);
            if (context.isCancelled()) {
                work->cancel();
                break;
            }
            startNextWhenParsed();
        }
    } catch (...) {
        failure = std::current_exception();
    }
    work->stop();
    if (failure)
        std::rethrow_exception(failure);
    if (context.isCancelled())
        return spans;
    if (const auto &fatal = work->fatal()) {
        context.report(*fatal);
        return -1;
    }
    if (work->failed() && spans == 0)
        return -1;
    startNextWhenParsed();
    if (next)
        context.setNextReadAhead(std::move(next));
    return spans;
}

} // namespace chainsight

#include "OtlpTraceImporter.h"

#include "Sha256.h"
#include "Workspace.h"

#include <QFile>

#include <nlohmann/json.hpp>
#include <simdjson.h>

#include <charconv>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>

namespace chainsight {
namespace {

namespace od = simdjson::ondemand;
using namespace std::string_view_literals; // comparisons against literals must not call strlen per record

constexpr std::size_t chunkBytes = 8u << 20;
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

// Two-way hand-off: the parser fills free batches, the writer drains full ones.
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
            m_free.push_back(m_storage.back().get());
        }
    }

    SpanBatch *takeFree()
    {
        std::unique_lock lock(m_mutex);
        m_changed.wait(lock, [this] { return !m_free.empty() || m_closed; });
        if (m_free.empty())
            return nullptr;
        SpanBatch *batch = m_free.front();
        m_free.pop_front();
        batch->clear();
        return batch;
    }
    void pushFull(SpanBatch *batch)
    {
        std::lock_guard lock(m_mutex);
        m_full.push_back(batch);
        m_changed.notify_all();
    }
    SpanBatch *takeFull()
    {
        std::unique_lock lock(m_mutex);
        m_changed.wait(lock, [this] { return !m_full.empty() || m_producerDone; });
        if (m_full.empty())
            return nullptr;
        SpanBatch *batch = m_full.front();
        m_full.pop_front();
        return batch;
    }
    void giveBack(SpanBatch *batch)
    {
        std::lock_guard lock(m_mutex);
        m_free.push_back(batch);
        m_changed.notify_all();
    }
    void producerDone()
    {
        std::lock_guard lock(m_mutex);
        m_producerDone = true;
        m_changed.notify_all();
    }
    // The consumer stopped early (error or cancel): wake the producer so it can finish.
    void close()
    {
        std::lock_guard lock(m_mutex);
        m_closed = true;
        m_changed.notify_all();
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::vector<std::unique_ptr<SpanBatch>> m_storage;
    std::deque<SpanBatch *> m_free;
    std::deque<SpanBatch *> m_full;
    bool m_producerDone = false;
    bool m_closed = false;
};

std::optional<qint64> parseUnixNanos(od::value value)
{
    od::json_type type;
    if (value.type().get(type) != simdjson::SUCCESS)
        return std::nullopt;
    std::int64_t nanos = 0;
    if (type == od::json_type::string) {
        std::string_view text;
        if (value.get_string().get(text) != simdjson::SUCCESS)
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
    for (const char c : text) {
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
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                char escaped[8];
                std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
                out.append(escaped);
            } else {
                out.push_back(c);
            }
        }
    }
    out.push_back('"');
}

// The scalar of an OTLP AnyValue as text: stringValue, or the literal of intValue/boolValue/doubleValue.
bool anyValueText(od::value value, std::string_view *text)
{
    od::object object;
    if (value.get_object().get(object) != simdjson::SUCCESS)
        return false;
    for (auto field : object) {
        std::string_view key;
        if (field.unescaped_key().get(key) != simdjson::SUCCESS)
            return false;
        od::value inner;
        if (field.value().get(inner) != simdjson::SUCCESS)
            return false;
        if (key == "stringValue"sv) {
            return inner.get_string().get(*text) == simdjson::SUCCESS;
        }
        if (key == "intValue"sv || key == "boolValue"sv || key == "doubleValue"sv) {
            od::json_type type;
            if (inner.type().get(type) != simdjson::SUCCESS)
                return false;
            if (type == od::json_type::string)
                return inner.get_string().get(*text) == simdjson::SUCCESS;
            *text = inner.raw_json_token();
            while (!text->empty() && (text->back() == ' ' || text->back() == '\n' || text->back() == '\r' || text->back() == '\t'))
                text->remove_suffix(1);
            return true;
        }
    }
    return false;
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

    // NDJSON: one request a line. Returns false when the file could not be read.
    void parseLines(QFile &file)
    {
        std::string buffer;
        buffer.resize(std::min<std::size_t>(chunkBytes, static_cast<std::size_t>(std::max<qint64>(file.size(), 0)) + 1)
                      + simdjson::SIMDJSON_PADDING);
        std::size_t filled = 0;
        qint64 fileOffsetOfBuffer = 0;
        qint64 lineNumber = 1;
        m_batch = m_pipe.takeFree();
        bool atEnd = false;
        while (m_batch && !atEnd && !m_cancel.load(std::memory_order_relaxed)) {
            const qint64 read = file.read(buffer.data() + filled, static_cast<qint64>(buffer.size() - simdjson::SIMDJSON_PADDING - filled));
            if (read < 0) {
                report(Diagnostic{Severity::Error, m_path, {}, QStringLiteral("read error: %1").arg(file.errorString())});
                m_failed = true;
                break;
            }
            if (m_digest && read > 0)
                m_digest->update(buffer.data() + filled, static_cast<std::size_t>(read));
            filled += static_cast<std::size_t>(read);
            atEnd = read == 0;
            std::size_t start = 0;
            while (start < filled) {
                const void *newline = std::memchr(buffer.data() + start, '\n', filled - start);
                std::size_t end = newline ? static_cast<std::size_t>(static_cast<const char *>(newline) - buffer.data()) : filled;
                if (!newline && !atEnd)
                    break; // incomplete line: read more
                std::size_t lineEnd = end;
                if (lineEnd > start && buffer[lineEnd - 1] == '\r')
                    --lineEnd;
                if (lineEnd > start)
                    parseRequest(buffer.data() + start, lineEnd - start, buffer.size() - start, fileOffsetOfBuffer + static_cast<qint64>(start), lineNumber, true);
                ++lineNumber;
                start = newline ? end + 1 : filled;
                if (m_cancel.load(std::memory_order_relaxed) || !m_batch)
                    break;
            }
            // Keep the unfinished line at the front of the buffer; grow only for lines longer than a chunk.
            std::memmove(buffer.data(), buffer.data() + start, filled - start);
            fileOffsetOfBuffer += static_cast<qint64>(start);
            filled -= start;
            if (filled + simdjson::SIMDJSON_PADDING >= buffer.size()) {
                if (buffer.size() >= maximumLineBytes) {
                    report(Diagnostic{Severity::Error, m_path, {lineNumber, 1},
                                      QStringLiteral("line longer than %1 MB; skipped").arg(maximumLineBytes >> 20)});
                    m_failed = true;
                    break;
                }
                buffer.resize(buffer.size() * 2);
            }
            if (m_batch)
                m_batch->bytesDone = fileOffsetOfBuffer + static_cast<qint64>(filled);
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
            if (field.unescaped_key().get(key) != simdjson::SUCCESS || field.value().get(value) != simdjson::SUCCESS) {
                ok = false;
                break;
            }
            if (key != "resourceSpans"sv)
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

    bool parseResourceSpans(od::value value, const char *base, qint64 fileOffset, qint64 lineNumber, bool ndjson)
    {
        od::object object;
        if (value.get_object().get(object) != simdjson::SUCCESS)
            return false;
        const std::size_t firstRow = m_batch->rows.size();
        ArenaString service;
        for (auto field : object) {
            std::string_view key;
            od::value inner;
            if (field.unescaped_key().get(key) != simdjson::SUCCESS || field.value().get(inner) != simdjson::SUCCESS)
                return false;
            if (key == "resource"sv) {
                od::object resource;
                if (inner.get_object().get(resource) != simdjson::SUCCESS)
                    return false;
                for (auto resourceField : resource) {
                    std::string_view resourceKey;
                    od::value attributes;
                    if (resourceField.unescaped_key().get(resourceKey) != simdjson::SUCCESS
                        || resourceField.value().get(attributes) != simdjson::SUCCESS)
                        return false;
                    if (resourceKey != "attributes"sv)
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
                            if (pairField.unescaped_key().get(pairKey) != simdjson::SUCCESS)
                                return false;
                            od::value pairValue;
                            if (pairField.value().get(pairValue) != simdjson::SUCCESS)
                                return false;
                            if (pairKey == "key"sv) {
                                if (pairValue.get_string().get(attributeKey) != simdjson::SUCCESS)
                                    return false;
                                isService = attributeKey == "service.name"sv;
                            } else if (pairKey == "value"sv && isService) {
                                if (anyValueText(pairValue, &text))
                                    service = m_batch->store(text);
                            }
                        }
                    }
                }
            } else if (key == "scopeSpans"sv || key == "instrumentationLibrarySpans"sv) {
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
                        if (scopeField.unescaped_key().get(scopeKey) != simdjson::SUCCESS || scopeField.value().get(spans) != simdjson::SUCCESS)
                            return false;
                        if (scopeKey != "spans"sv)
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

    bool parseSpan(od::value value, const char *base, qint64 fileOffset, qint64 lineNumber, bool ndjson)
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
            if (field.unescaped_key().get(key) != simdjson::SUCCESS || field.value().get(inner) != simdjson::SUCCESS)
                return false;
            std::string_view text;
            if (key == "traceId"sv) {
                if (inner.get_string().get(text) != simdjson::SUCCESS)
                    return false;
                row.traceId = m_batch->store(text);
            } else if (key == "spanId"sv) {
                if (inner.get_string().get(text) != simdjson::SUCCESS)
                    return false;
                row.spanId = m_batch->store(text);
            } else if (key == "parentSpanId"sv) {
                if (inner.get_string().get(text) != simdjson::SUCCESS)
                    return false;
                row.parentSpanId = m_batch->store(text);
            } else if (key == "name"sv) {
                if (inner.get_string().get(name) != simdjson::SUCCESS)
                    return false;
            } else if (key == "startTimeUnixNano"sv) {
                row.timeMs = parseUnixNanos(inner);
            } else if (key == "status"sv) {
                od::object status;
                if (inner.get_object().get(status) != simdjson::SUCCESS)
                    return false;
                for (auto statusField : status) {
                    std::string_view statusKey;
                    od::value code;
                    if (statusField.unescaped_key().get(statusKey) != simdjson::SUCCESS || statusField.value().get(code) != simdjson::SUCCESS)
                        return false;
                    if (statusKey != "code"sv)
                        continue;
                    std::int64_t number = 0;
                    std::string_view label;
                    if (code.get_int64().get(number) == simdjson::SUCCESS)
                        row.error = number == 2;
                    else if (code.get_string().get(label) == simdjson::SUCCESS)
                        row.error = label == "STATUS_CODE_ERROR"sv || label == "ERROR"sv;
                }
            } else if (key == "attributes"sv) {
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
                        if (pairField.unescaped_key().get(pairKey) != simdjson::SUCCESS || pairField.value().get(pairValue) != simdjson::SUCCESS)
                            return false;
                        if (pairKey == "key"sv) {
                            if (pairValue.get_string().get(attributeKey) != simdjson::SUCCESS)
                                return false;
                            continue;
                        }
                        if (pairKey != "value"sv)
                            continue;
                        // Only the attributes the analysis uses are read; the rest stay in the raw record.
                        std::string_view valueText;
                        const std::string_view k = attributeKey;
                        if (k == "gen_ai.operation.name"sv) {
                            if (anyValueText(pairValue, &valueText))
                                operation = valueText;
                        } else if (k == "gen_ai.agent.id"sv) {
                            if (anyValueText(pairValue, &valueText))
                                row.ownAgent = m_batch->store(valueText);
                        } else if (k == "gen_ai.agent.name"sv) {
                            if (anyValueText(pairValue, &valueText))
                                agentName = valueText;
                        } else if (k == "gen_ai.tool.name"sv) {
                            if (anyValueText(pairValue, &valueText))
                                tool = valueText;
                        } else if (k == "gen_ai.tool.call.id"sv) {
                            if (anyValueText(pairValue, &valueText))
                                row.toolCallId = m_batch->store(valueText);
                        } else if (k == "gen_ai.conversation.id"sv || k == "session.id"sv) {
                            if (anyValueText(pairValue, &valueText) && (row.sessionId.empty() || k == "session.id"sv))
                                row.sessionId = m_batch->store(valueText);
                        } else if (k == "enduser.id"sv || k == "user.id"sv) {
                            if (anyValueText(pairValue, &valueText) && row.originator.empty())
                                row.originator = m_batch->store(valueText);
                        } else if (k == "gen_ai.request.model"sv) {
                            if (anyValueText(pairValue, &valueText))
                                model = valueText;
                        } else if (k == "server.address"sv) {
                            if (anyValueText(pairValue, &valueText))
                                server = valueText;
                        } else if (k == "aws.request_id"sv) {
                            if (anyValueText(pairValue, &valueText)) {
                                row.correlationId = m_batch->store(valueText);
                                addAttribute(k, valueText);
                            }
                        } else if (k == "gen_ai.tool.call.arguments"sv) {
                            if (anyValueText(pairValue, &valueText)) {
                                addAttribute(k, valueText);
                                row.toolArguments = m_batch->store(valueText);
                            }
                        } else if (k == "mcp.session.id"sv || k == "jsonrpc.request.id"sv || k == "rpc.service"sv || k == "rpc.method"sv
                                   || k == "gen_ai.tool.type"sv || k == "mcp.method.name"sv || k == "az.namespace"sv) {
                            if (anyValueText(pairValue, &valueText))
                                addAttribute(k, valueText);
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
        row.isAgentSpan = operation == "invoke_agent"sv || operation == "create_agent"sv || operation == "invoke_workflow"sv;
        // "invoke_agent Support supervisor" names the agent after the operation when no attribute does.
        if (row.isAgentSpan && agentName.empty() && name.find(' ') != std::string_view::npos)
            agentName = name.substr(name.find(' ') + 1);
        const std::string_view action = !tool.empty()               ? tool
                                        : operation == "chat"sv       ? model
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
        m_indexedBatch = m_batch;
        m_spanIndex.clear();
        for (std::size_t row = firstRow; row < batch.rows.size(); ++row)
            m_spanIndex.emplace(batch.rows[row].spanId, row);
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
                const auto it = m_spanIndex.find(parent);
                if (it == m_spanIndex.end()) {
                    // The parent was in an earlier request of this file: its acting agent was remembered.
                    if (const auto earlier = m_agentOfSpan.find(spanKey(batch.view(span.traceId), batch.view(parent)));
                        earlier != m_agentOfSpan.end()) {
                        *foundAcrossRequests = m_agentNames[earlier->second];
                        return true;
                    }
                    return false;
                }
                const SpanRow &ancestor = batch.rows[it->second];
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
                m_agentOfSpan.insert_or_assign(spanKey(batch.view(span.traceId), batch.view(span.spanId)), agentNumber(batch.view(span.agent)));
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
    // Keyed by arena offsets, hashed by content: the arena may grow (and move) while the index is in use.
    struct ArenaKeyHash
    {
        const SpanBatch *const *batch;
        std::size_t operator()(ArenaString s) const { return std::hash<std::string_view>()((*batch)->view(s)); }
    };
    struct ArenaKeyEqual
    {
        const SpanBatch *const *batch;
        bool operator()(ArenaString a, ArenaString b) const { return (*batch)->view(a) == (*batch)->view(b); }
    };
    const SpanBatch *m_indexedBatch = nullptr;
    std::unordered_map<ArenaString, std::size_t, ArenaKeyHash, ArenaKeyEqual> m_spanIndex{
        64, ArenaKeyHash{&m_indexedBatch}, ArenaKeyEqual{&m_indexedBatch}};
    // Across requests: the acting agent of every span and each trace's originator, so a trace split over
    // lines still links up. Spans are keyed by a 64-bit hash and agents by number: no allocation per span.
    static std::uint64_t spanKey(std::string_view trace, std::string_view span)
    {
        const std::uint64_t a = std::hash<std::string_view>()(trace);
        const std::uint64_t b = std::hash<std::string_view>()(span);
        return a ^ (b + 0x9e3779b97f4a7c15ULL + (a << 6) + (a >> 2));
    }
    std::uint32_t agentNumber(std::string_view agent)
    {
        m_key.assign(agent);
        if (const auto it = m_agentNumbers.find(m_key); it != m_agentNumbers.end())
            return it->second;
        const auto number = static_cast<std::uint32_t>(m_agentNames.size());
        m_agentNames.push_back(m_key);
        m_agentNumbers.emplace(m_key, number);
        return number;
    }
    std::unordered_map<std::uint64_t, std::uint32_t> m_agentOfSpan = [] {
        std::unordered_map<std::uint64_t, std::uint32_t> map;
        map.reserve(1u << 18);
        return map;
    }();
    std::unordered_map<std::string, std::uint32_t> m_agentNumbers;
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
    struct Cache
    {
        std::unordered_map<std::string, qint64> ids;
        std::string lastKey; // consecutive spans mostly share their agent and originator
        qint64 lastId = 0;
    };

    template<typename Resolve>
    qint64 lookup(Cache &cache, std::string_view key, Resolve resolve)
    {
        if (key.empty())
            return 0;
        if (key == cache.lastKey)
            return cache.lastId;
        cache.lastKey.assign(key);
        if (const auto it = cache.ids.find(cache.lastKey); it != cache.ids.end()) {
            cache.lastId = it->second;
            return cache.lastId;
        }
        cache.lastId = resolve(QString::fromUtf8(key.data(), static_cast<qsizetype>(key.size())));
        cache.ids.emplace(cache.lastKey, cache.lastId);
        return cache.lastId;
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
    QFile file(context.path());
    if (!file.open(QIODevice::ReadOnly)) {
        context.error({}, QStringLiteral("cannot read the file: %1").arg(file.errorString()));
        return -1;
    }
    const bool ndjson = looksLikeNdjson(file);
    QByteArray wholeDocument;
    if (!ndjson) {
        if (file.size() > qint64(maximumLineBytes)) {
            context.error({1, 1}, QStringLiteral("a single OTLP document over %1 MB; export NDJSON instead").arg(maximumLineBytes >> 20));
            return -1;
        }
        wholeDocument = file.readAll();
    }

    BatchPipe pipe(4, file.size());
    // The parser stops on the user's cancel or when the writer gives up.
    std::atomic_bool parserCancel{false};
    OtlpParser parser(pipe, parserCancel, context.path(), context.contentDigest());
    std::thread parsing([&] {
        if (ndjson)
            parser.parseLines(file);
        else
            parser.parseDocument(wholeDocument);
    });

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
                if (event.kind == "execute_tool"sv)
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
                parserCancel = true;
                break;
            }
        }
    } catch (...) {
        failure = std::current_exception();
        parserCancel = true;
    }
    pipe.close();
    // Drain so the parser never blocks on a full pipe while we join it.
    parserCancel = true;
    while (SpanBatch *batch = pipe.takeFull())
        pipe.giveBack(batch);
    parsing.join();
    if (failure)
        std::rethrow_exception(failure);
    if (parser.failed() && spans == 0)
        return -1;
    return spans;
}

} // namespace chainsight

#pragma once

#include "AuditEvent.h"
#include "Diagnostic.h"
#include "SourceImporter.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <simdjson.h>

#include <optional>
#include <string_view>

namespace chainsight {

// Where one record sits in its file: for diagnostics and for the evidence kept with each event.
struct LogRecordOrigin
{
    std::string_view text; // the record's bytes, valid while the record is read
    TextPosition position;
    qint64 offset = 0;
    bool compressed = false; // gzip file: offsets mean nothing on disk, so the bytes are kept instead
};

// Reads the fields of one record and collects, in plain words, why any of them is unusable.
class RecordFields final
{
public:
    explicit RecordFields(simdjson::dom::element root)
        : m_root(root)
    {
    }

    simdjson::dom::element root() const { return m_root; }

    // A string at a JSON pointer ("/details/scope"); empty when absent or null; a wrong type is a problem.
    QString text(std::string_view pointer) { return text(m_root, pointer); }
    QString text(simdjson::dom::element from, std::string_view pointer);
    // A string or a number written as text (ids that exporters write either way).
    QString textOrNumber(std::string_view pointer) { return textOrNumber(m_root, pointer); }
    QString textOrNumber(simdjson::dom::element from, std::string_view pointer);
    std::optional<simdjson::dom::element> value(std::string_view pointer) { return value(m_root, pointer); }
    std::optional<simdjson::dom::element> value(simdjson::dom::element from, std::string_view pointer);
    std::optional<simdjson::dom::object> object(std::string_view pointer) { return object(m_root, pointer); }
    std::optional<simdjson::dom::object> object(simdjson::dom::element from, std::string_view pointer);
    std::optional<simdjson::dom::array> array(std::string_view pointer) { return array(m_root, pointer); }
    std::optional<simdjson::dom::array> array(simdjson::dom::element from, std::string_view pointer);
    std::optional<bool> boolean(std::string_view pointer) { return boolean(m_root, pointer); }
    std::optional<bool> boolean(simdjson::dom::element from, std::string_view pointer);
    // RFC 3339 text (or epoch milliseconds when numbersAreEpochMs) as UTC milliseconds; required when asked.
    std::optional<qint64> time(std::string_view pointer, bool required, bool numbersAreEpochMs = false);
    // A required string: a missing or empty value is a problem.
    QString requiredText(std::string_view pointer);

    void fail(const QString &problem) { m_problems.push_back(problem); }
    bool ok() const { return m_problems.isEmpty(); }
    QString problems() const { return m_problems.join(QStringLiteral("; ")); }

private:
    simdjson::dom::element m_root;
    QStringList m_problems;
};

QString jsonTypeName(simdjson::dom::element value);
QString fromJson(std::string_view text);
// A key for an element (string or number) that compares as JSON-RPC ids do.
QString idKey(simdjson::dom::element value);
// RFC 3339 / ISO 8601 date-time in UTC milliseconds; nullopt with *problem when malformed or out of range.
std::optional<qint64> parseTimestamp(std::string_view text, QString *problem);
// Scopes written as a space- or comma-separated string, or as a JSON array of strings.
QStringList splitScopes(const QString &scopes);
// W3C traceparent "00-<trace>-<span>-<flags>"; false when malformed.
bool parseTraceparent(const QString &traceparent, QString *traceId, QString *spanId);
// A small JSON object of extra attributes, for AuditEvent::attributesJson; empty values are left out.
QString attributesJson(std::initializer_list<std::pair<const char *, QString>> attributes);

// What one format does with each record of a file; state that spans records (sessions, pending requests) lives here.
class LogRecordHandler
{
public:
    explicit LogRecordHandler(ImportContext &context)
        : m_context(context)
    {
    }
    virtual ~LogRecordHandler() = default;
    LogRecordHandler(const LogRecordHandler &) = delete;
    LogRecordHandler &operator=(const LogRecordHandler &) = delete;

    // Reads one record and writes its events; false with *reason when it is skipped (nothing was written).
    virtual bool read(simdjson::dom::element record, const LogRecordOrigin &origin, QString *reason) = 0;
    // After the last record: events still waiting for a record that never came.
    virtual void finish() {}

    qint64 events() const { return m_events; }

protected:
    // Fills the evidence fields of the event (line, byte range or bytes) and writes it; returns its id.
    qint64 writeEvent(AuditEvent &event, const LogRecordOrigin &origin);
    qint64 writeEvent(AuditEvent &event, const TextPosition &position, qint64 offset, qint64 length, const QByteArray &raw);
    void writeEdge(const DelegationLink &link, std::optional<qint64> eventId);
    void noteHuman(const QString &id);
    void noteTool(const QString &id);

    ImportContext &m_context;
    qint64 m_events = 0;
};

// Runs a handler over every record of the file in context: layout detection, streaming, JSON validation with
// exact positions, duplicate keys, progress and cancel, and the file's digest when the context asks for it.
// Returns events written, or -1 when the file is unreadable.
qint64 importLogRecords(ImportContext &context, LogRecordHandler &handler, const QString &formatLabel);

// The sample decompressed when it is gzip, for sniffing.
QByteArray sniffableHead(const SniffSample &sample);

} // namespace chainsight

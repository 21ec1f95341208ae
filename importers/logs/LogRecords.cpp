#include "LogRecords.h"

#include "JsonRecordReader.h"
#include "Workspace.h"

#include <QRegularExpression>

#include <nlohmann/json.hpp>
#include <zlib.h>

#include <unordered_set>
#include <vector>

namespace chainsight {

static_assert(simdjson::SIMDJSON_PADDING <= 64, "JsonRecordReader keeps 64 bytes of padding after every record");

namespace dom = simdjson::dom;

QString fromJson(std::string_view text)
{
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

QString jsonTypeName(dom::element value)
{
    switch (value.type()) {
    case dom::element_type::ARRAY:
        return QStringLiteral("a list");
    case dom::element_type::OBJECT:
        return QStringLiteral("an object");
    case dom::element_type::INT64:
    case dom::element_type::UINT64:
    case dom::element_type::DOUBLE:
        return QStringLiteral("a number");
    case dom::element_type::STRING:
        return QStringLiteral("a string");
    case dom::element_type::BOOL:
        return QStringLiteral("true or false");
    case dom::element_type::NULL_VALUE:
        return QStringLiteral("null");
    }
    return QStringLiteral("an unknown value");
}

QString idKey(dom::element value)
{
    switch (value.type()) {
    case dom::element_type::STRING:
        return QLatin1Char('s') + fromJson(value.get_string().value_unsafe());
    case dom::element_type::INT64:
        return QLatin1Char('n') + QString::number(value.get_int64().value_unsafe());
    case dom::element_type::UINT64:
        return QLatin1Char('n') + QString::number(value.get_uint64().value_unsafe());
    case dom::element_type::DOUBLE:
        return QLatin1Char('n') + QString::number(value.get_double().value_unsafe());
    default:
        return {};
    }
}

namespace {

QString pointerName(std::string_view pointer)
{
    QString name = fromJson(pointer);
    if (name.startsWith(QLatin1Char('/')))
        name.remove(0, 1);
    return QLatin1Char('"') + name.replace(QLatin1Char('/'), QLatin1Char('.')) + QLatin1Char('"');
}

// days_from_civil (H. Hinnant): days since 1970-01-01 of a proleptic Gregorian date.
qint64 daysFromCivil(qint64 year, unsigned month, unsigned day)
{
    year -= month <= 2 ? 1 : 0;
    const qint64 era = (year >= 0 ? year : year - 399) / 400;
    const auto yearOfEra = static_cast<unsigned>(year - era * 400);
    const unsigned dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    const unsigned dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
    return era * 146097 + static_cast<qint64>(dayOfEra) - 719468;
}

constexpr qint64 earliestMs = 0;                  // 1970-01-01
constexpr qint64 latestMs = 7258118400000ll - 1; // before 2200-01-01

} // namespace

std::optional<qint64> parseTimestamp(std::string_view text, QString *problem)
{
    auto bad = [&] {
        *problem = QStringLiteral("\"%1\" is not an RFC 3339 date-time such as 2026-03-02T08:00:00Z")
                       .arg(fromJson(text.substr(0, 60)));
        return std::nullopt;
    };
    std::size_t at = 0;
    auto number = [&](int digits, int *out) {
        int value = 0;
        for (int i = 0; i < digits; ++i, ++at) {
            if (at >= text.size() || text[at] < '0' || text[at] > '9')
                return false;
            value = value * 10 + (text[at] - '0');
        }
        *out = value;
        return true;
    };
    auto expect = [&](char c) {
        if (at < text.size() && text[at] == c) {
            ++at;
            return true;
        }
        return false;
    };
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    if (!number(4, &year) || !expect('-') || !number(2, &month) || !expect('-') || !number(2, &day))
        return bad();
    if (at >= text.size() || (text[at] != 'T' && text[at] != 't' && text[at] != ' '))
        return bad();
    ++at;
    if (!number(2, &hour) || !expect(':') || !number(2, &minute) || !expect(':') || !number(2, &second))
        return bad();
    int millis = 0;
    if (expect('.')) {
        int digits = 0;
        while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
            if (digits < 3)
                millis = millis * 10 + (text[at] - '0');
            ++digits;
            ++at;
        }
        if (digits == 0)
            return bad();
        for (int i = digits; i < 3; ++i)
            millis *= 10;
    }
    int offsetMinutes = 0;
    if (at < text.size()) {
        if (text[at] == 'Z' || text[at] == 'z') {
            ++at;
        } else if (text[at] == '+' || text[at] == '-') {
            const int sign = text[at] == '-' ? -1 : 1;
            ++at;
            int offsetHours = 0, offsetMins = 0;
            if (!number(2, &offsetHours))
                return bad();
            expect(':'); // +0000 and +00:00 are both seen
            if (!number(2, &offsetMins) || offsetHours > 23 || offsetMins > 59)
                return bad();
            offsetMinutes = sign * (offsetHours * 60 + offsetMins);
        }
    }
    if (at != text.size())
        return bad();
    static constexpr int daysInMonth[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12 || day < 1 || day > daysInMonth[month - 1] || hour > 23 || minute > 59 || second > 60) {
        *problem = QStringLiteral("\"%1\" is not a valid date and time").arg(fromJson(text.substr(0, 60)));
        return std::nullopt;
    }
    const qint64 days = daysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
    const qint64 ms = ((days * 86400 + hour * 3600 + minute * 60 + std::min(second, 59)) - offsetMinutes * 60ll) * 1000 + millis;
    if (ms < earliestMs || ms > latestMs) {
        *problem = QStringLiteral("the time %1 is out of range (1970 to 2199)").arg(fromJson(text.substr(0, 60)));
        return std::nullopt;
    }
    return ms;
}

QStringList splitScopes(const QString &scopes)
{
    static const QRegularExpression separators(QStringLiteral("[\\s,]+"));
    return scopes.split(separators, Qt::SkipEmptyParts);
}

bool parseTraceparent(const QString &traceparent, QString *traceId, QString *spanId)
{
    const QStringList parts = traceparent.trimmed().split(QLatin1Char('-'));
    if (parts.size() < 4 || parts[0].size() != 2 || parts[1].size() != 32 || parts[2].size() != 16)
        return false;
    static const QRegularExpression hex(QStringLiteral("^[0-9a-f]+$"));
    if (!hex.match(parts[1]).hasMatch() || !hex.match(parts[2]).hasMatch())
        return false;
    if (parts[1] == QString(32, QLatin1Char('0')) || parts[2] == QString(16, QLatin1Char('0')))
        return false;
    *traceId = parts[1];
    *spanId = parts[2];
    return true;
}

QString attributesJson(std::initializer_list<std::pair<const char *, QString>> attributes)
{
    nlohmann::json object = nlohmann::json::object();
    for (const auto &[key, value] : attributes) {
        if (!value.isEmpty())
            object[key] = value.toStdString();
    }
    return object.empty() ? QString() : QString::fromStdString(object.dump());
}

// ---- RecordFields --------------------------------------------------------------------------------------

std::optional<dom::element> RecordFields::value(dom::element from, std::string_view pointer)
{
    dom::element found;
    if (from.at_pointer(pointer).get(found) != simdjson::SUCCESS || found.is_null())
        return std::nullopt;
    return found;
}

QString RecordFields::text(dom::element from, std::string_view pointer)
{
    const auto found = value(from, pointer);
    if (!found)
        return {};
    std::string_view text;
    if (found->get_string().get(text) != simdjson::SUCCESS) {
        fail(QStringLiteral("%1 must be a string, not %2").arg(pointerName(pointer), jsonTypeName(*found)));
        return {};
    }
    return fromJson(text);
}

QString RecordFields::textOrNumber(dom::element from, std::string_view pointer)
{
    const auto found = value(from, pointer);
    if (!found)
        return {};
    if (found->is_int64())
        return QString::number(found->get_int64().value_unsafe());
    if (found->is_uint64())
        return QString::number(found->get_uint64().value_unsafe());
    return text(from, pointer);
}

std::optional<dom::object> RecordFields::object(dom::element from, std::string_view pointer)
{
    const auto found = value(from, pointer);
    if (!found)
        return std::nullopt;
    dom::object object;
    if (found->get_object().get(object) != simdjson::SUCCESS) {
        fail(QStringLiteral("%1 must be an object, not %2").arg(pointerName(pointer), jsonTypeName(*found)));
        return std::nullopt;
    }
    return object;
}

std::optional<dom::array> RecordFields::array(dom::element from, std::string_view pointer)
{
    const auto found = value(from, pointer);
    if (!found)
        return std::nullopt;
    dom::array array;
    if (found->get_array().get(array) != simdjson::SUCCESS) {
        fail(QStringLiteral("%1 must be a list, not %2").arg(pointerName(pointer), jsonTypeName(*found)));
        return std::nullopt;
    }
    return array;
}

std::optional<bool> RecordFields::boolean(dom::element from, std::string_view pointer)
{
    const auto found = value(from, pointer);
    if (!found)
        return std::nullopt;
    bool flag = false;
    if (found->get_bool().get(flag) != simdjson::SUCCESS) {
        fail(QStringLiteral("%1 must be true or false, not %2").arg(pointerName(pointer), jsonTypeName(*found)));
        return std::nullopt;
    }
    return flag;
}

std::optional<qint64> RecordFields::time(std::string_view pointer, bool required, bool numbersAreEpochMs)
{
    const auto found = value(pointer);
    if (!found) {
        if (required)
            fail(QStringLiteral("the record has no %1 time").arg(pointerName(pointer)));
        return std::nullopt;
    }
    if (numbersAreEpochMs && (found->is_int64() || found->is_uint64() || found->is_double())) {
        const double ms = found->is_double() ? found->get_double().value_unsafe()
                                             : (found->is_int64() ? static_cast<double>(found->get_int64().value_unsafe())
                                                                  : static_cast<double>(found->get_uint64().value_unsafe()));
        if (!(ms >= static_cast<double>(earliestMs) && ms <= static_cast<double>(latestMs))) {
            fail(QStringLiteral("%1 = %2 ms since 1970 is out of range (1970 to 2199)").arg(pointerName(pointer)).arg(ms, 0, 'f', 0));
            return std::nullopt;
        }
        return static_cast<qint64>(ms);
    }
    std::string_view text;
    if (found->get_string().get(text) != simdjson::SUCCESS) {
        fail(QStringLiteral("%1 must be a date-time string, not %2").arg(pointerName(pointer), jsonTypeName(*found)));
        return std::nullopt;
    }
    QString problem;
    const auto ms = parseTimestamp(text, &problem);
    if (!ms)
        fail(QStringLiteral("%1: %2").arg(pointerName(pointer), problem));
    return ms;
}

QString RecordFields::requiredText(std::string_view pointer)
{
    const qsizetype before = m_problems.size();
    const QString value = text(pointer);
    if (value.isEmpty() && m_problems.size() == before)
        fail(QStringLiteral("the record has no %1").arg(pointerName(pointer)));
    return value;
}

// ---- LogRecordHandler ------------------------------------------------------------------------------------

qint64 LogRecordHandler::writeEvent(AuditEvent &event, const LogRecordOrigin &origin)
{
    QByteArray raw;
    if (origin.compressed)
        raw = QByteArray(origin.text.data(), static_cast<qsizetype>(origin.text.size()));
    return writeEvent(event, origin.position, origin.offset, static_cast<qint64>(origin.text.size()), raw);
}

qint64 LogRecordHandler::writeEvent(AuditEvent &event, const TextPosition &position, qint64 offset, qint64 length,
                                    const QByteArray &raw)
{
    event.line = position.line;
    if (!raw.isEmpty()) {
        event.raw = raw;
        event.rawOffset = -1;
        event.rawLength = 0;
    } else {
        event.rawOffset = offset;
        event.rawLength = length;
    }
    noteHuman(event.originator);
    ++m_events;
    return m_context.writer().addEvent(event, m_context.sourceId());
}

void LogRecordHandler::writeEdge(const DelegationLink &link, std::optional<qint64> eventId)
{
    if (link.delegator.isEmpty() || link.delegate.isEmpty())
        return;
    m_context.writer().addDelegationEdge(link, m_context.sourceId(), eventId);
}

void LogRecordHandler::noteHuman(const QString &id)
{
    if (!id.isEmpty())
        m_context.writer().resolveHuman(id, m_context.sourceId());
}

void LogRecordHandler::noteTool(const QString &id)
{
    if (!id.isEmpty())
        m_context.writer().resolveTool(id, m_context.sourceId());
}

// ---- the record loop -------------------------------------------------------------------------------------

namespace {

// Records only where nlohmann's parser stopped; builds nothing, so any nesting depth costs no stack.
class SyntaxLocator final : public nlohmann::json_sax<nlohmann::json>
{
public:
    bool null() override { return true; }
    bool boolean(bool) override { return true; }
    bool number_integer(number_integer_t) override { return true; }
    bool number_unsigned(number_unsigned_t) override { return true; }
    bool number_float(number_float_t, const string_t &) override { return true; }
    bool string(string_t &) override { return true; }
    bool binary(binary_t &) override { return true; }
    bool start_object(std::size_t) override { return true; }
    bool key(string_t &) override { return true; }
    bool end_object() override { return true; }
    bool start_array(std::size_t) override { return true; }
    bool end_array() override { return true; }
    bool parse_error(std::size_t position, const std::string &, const nlohmann::detail::exception &error) override
    {
        m_failed = true;
        m_position = position;
        m_message = QString::fromUtf8(error.what());
        return false;
    }

    bool m_failed = false;
    std::size_t m_position = 0;
    QString m_message;
};

TextPosition combine(TextPosition recordStart, TextPosition inside)
{
    if (inside.line <= 1)
        return {recordStart.line, recordStart.column + inside.column - 1};
    return {recordStart.line + inside.line - 1, inside.column};
}

// nlohmann reports where the offending token ends; people look for where it starts.
std::size_t tokenStart(std::string_view text, std::size_t offset)
{
    if (offset >= text.size())
        return offset;
    const auto isWordChar = [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '+' || c == '.';
    };
    if (text[offset] == '"') {
        for (std::size_t i = offset; i-- > 0;) {
            if (text[i] != '"')
                continue;
            std::size_t backslashes = 0;
            while (i >= backslashes + 1 && text[i - backslashes - 1] == '\\')
                ++backslashes;
            if (backslashes % 2 == 0)
                return i;
        }
        return offset;
    }
    if (!isWordChar(text[offset]))
        return offset;
    while (offset > 0 && isWordChar(text[offset - 1]))
        --offset;
    return offset;
}

Diagnostic locateSyntaxError(std::string_view text, TextPosition recordStart, simdjson::error_code code)
{
    SyntaxLocator locator;
    nlohmann::json::sax_parse(text.begin(), text.end(), &locator);
    Diagnostic diagnostic;
    if (!locator.m_failed) {
        diagnostic.position = recordStart;
        diagnostic.message = QStringLiteral("the record is not valid JSON (%1)").arg(QString::fromUtf8(simdjson::error_message(code)));
        if (code == simdjson::UTF8_ERROR)
            diagnostic.message = QStringLiteral("the record is not valid UTF-8");
        return diagnostic;
    }
    std::size_t offset = std::min(locator.m_position > 0 ? locator.m_position - 1 : 0, text.size());
    offset = tokenStart(text, offset);
    diagnostic.position = combine(recordStart, positionOfOffset(text, offset));
    QString reason = locator.m_message;
    if (const auto at = reason.indexOf(QStringLiteral(": syntax error")); at >= 0)
        reason = reason.mid(at + 2);
    else if (const auto bracket = reason.lastIndexOf(QStringLiteral("]: ")); bracket >= 0)
        reason = reason.mid(bracket + 3);
    if (code == simdjson::UTF8_ERROR || reason.contains(QLatin1String("UTF-8")))
        diagnostic.message = QStringLiteral("invalid UTF-8 in a string (%1)").arg(reason);
    else
        diagnostic.message = QStringLiteral("invalid JSON: %1").arg(reason);
    return diagnostic;
}

// The first key that appears twice in one object: such a record means different things to different readers.
bool findDuplicateKey(dom::element value, std::string_view *duplicate)
{
    if (value.is_array()) {
        const dom::array array = value.get_array().value_unsafe(); // a copy: the result object is a temporary
        for (const dom::element item : array) {
            if (findDuplicateKey(item, duplicate))
                return true;
        }
        return false;
    }
    if (!value.is_object())
        return false;
    const dom::object object = value.get_object().value_unsafe();
    if (object.size() <= 24) {
        std::string_view keys[24];
        std::size_t count = 0;
        for (const dom::key_value_pair field : object) {
            for (std::size_t i = 0; i < count; ++i) {
                if (keys[i] == field.key) {
                    *duplicate = field.key;
                    return true;
                }
            }
            keys[count++] = field.key;
        }
    } else {
        std::unordered_set<std::string_view> keys;
        for (const dom::key_value_pair field : object) {
            if (!keys.insert(field.key).second) {
                *duplicate = field.key;
                return true;
            }
        }
    }
    for (const dom::key_value_pair field : object) {
        if (findDuplicateKey(field.value, duplicate))
            return true;
    }
    return false;
}

} // namespace

qint64 importLogRecords(ImportContext &context, LogRecordHandler &handler, const QString &formatLabel)
{
    JsonRecordReader reader;
    QString error;
    if (!reader.open(context.path(), &error, context.contentDigest())) {
        context.error({}, error);
        return -1;
    }
    dom::parser parser;
    qint64 goodRecords = 0;
    qint64 skippedRecords = 0;
    JsonRecordSpan span;
    for (;;) {
        if (context.isCancelled())
            return handler.events();
        const JsonRecordReader::Step step = reader.next(&span);
        if (step == JsonRecordReader::Step::End)
            break;
        if (step == JsonRecordReader::Step::Failed) {
            context.error(reader.problem().position, reader.problem().message);
            return -1;
        }
        if (step == JsonRecordReader::Step::Skipped) {
            context.error(reader.problem().position, QStringLiteral("record skipped: %1").arg(reader.problem().message));
            ++skippedRecords;
            continue;
        }
        const LogRecordOrigin origin{span.text, span.position, span.offset, reader.isCompressed()};
        dom::element root;
        if (const auto code = parser.parse(span.text.data(), span.text.size(), false).get(root); code != simdjson::SUCCESS) {
            const Diagnostic diagnostic = locateSyntaxError(span.text, span.position, code);
            if (reader.isSingleDocument()) {
                context.error(diagnostic.position, QStringLiteral("%1; the file is not valid JSON, nothing in it was imported")
                                                       .arg(diagnostic.message));
                return -1;
            }
            context.error(diagnostic.position, QStringLiteral("record skipped: %1").arg(diagnostic.message));
            ++skippedRecords;
            continue;
        }
        QString reason;
        std::string_view duplicate;
        if (findDuplicateKey(root, &duplicate))
            reason = QStringLiteral("the key \"%1\" appears twice in one object").arg(fromJson(duplicate.substr(0, 80)));
        else if (!root.is_object())
            reason = QStringLiteral("a %1 record must be a JSON object, not %2").arg(formatLabel, jsonTypeName(root));
        if (reason.isEmpty() && handler.read(root, origin, &reason)) {
            ++goodRecords;
        } else {
            context.error(span.position, QStringLiteral("record skipped: %1").arg(reason));
            ++skippedRecords;
        }
        context.reportProgress(reader.bytesConsumed(), handler.events());
    }
    if (context.isCancelled())
        return handler.events();
    handler.finish();
    if (goodRecords == 0 && skippedRecords > 0) {
        context.error({}, QStringLiteral("no record in the file could be read as %1").arg(formatLabel));
        return -1;
    }
    return handler.events();
}

QByteArray sniffableHead(const SniffSample &sample)
{
    const QByteArray &head = sample.head;
    if (head.size() < 2 || static_cast<unsigned char>(head[0]) != 0x1f || static_cast<unsigned char>(head[1]) != 0x8b)
        return head;
    QByteArray out(256 * 1024, Qt::Uninitialized);
    z_stream stream{};
    if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK)
        return {};
    stream.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(head.constData()));
    stream.avail_in = static_cast<uInt>(head.size());
    stream.next_out = reinterpret_cast<Bytef *>(out.data());
    stream.avail_out = static_cast<uInt>(out.size());
    inflate(&stream, Z_SYNC_FLUSH); // a truncated head is expected: take what came out
    out.truncate(static_cast<qsizetype>(stream.total_out));
    inflateEnd(&stream);
    return out;
}

} // namespace chainsight

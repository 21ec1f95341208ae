#include "JsonRecordReader.h"

#include "Sha256.h"

#include <QFile>

#include <zlib.h>

#include <cstring>
#include <vector>

namespace chainsight {

namespace {
constexpr std::size_t chunkBytes = 1024 * 1024;
// simdjson reads up to this many bytes past a record; the buffer always has them.
constexpr std::size_t parserPadding = 64;

bool isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}
} // namespace

// The bytes of the file, decompressed when it is gzip.
class JsonRecordReader::Source
{
public:
    virtual ~Source() = default;
    // Bytes read, 0 at the end, -1 on a read or decompression error (*error says why).
    virtual qint64 read(char *into, qint64 maximum, QString *error) = 0;
    virtual qint64 consumed() const = 0;
};

namespace {

class PlainSource final : public JsonRecordReader::Source
{
public:
    PlainSource(const QString &path, Sha256Stream *digest)
        : m_file(path)
        , m_digest(digest)
    {
    }
    bool open(QString *error)
    {
        if (m_file.open(QIODevice::ReadOnly))
            return true;
        *error = QStringLiteral("cannot read the file: %1").arg(m_file.errorString());
        return false;
    }
    qint64 read(char *into, qint64 maximum, QString *error) override
    {
        const qint64 got = m_file.read(into, maximum);
        if (got < 0)
            *error = QStringLiteral("cannot read the file: %1").arg(m_file.errorString());
        if (got > 0 && m_digest)
            m_digest->update(into, static_cast<std::size_t>(got));
        m_consumed += std::max<qint64>(got, 0);
        return got;
    }
    qint64 consumed() const override { return m_consumed; }

private:
    QFile m_file;
    Sha256Stream *m_digest;
    qint64 m_consumed = 0;
};

// zlib does not show the compressed bytes it reads, so a gzip file is hashed in one pass of its own.
bool digestWholeFile(const QString &path, Sha256Stream *digest, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read the file: %1").arg(file.errorString());
        return false;
    }
    std::vector<char> chunk(1024 * 1024);
    for (;;) {
        const qint64 got = file.read(chunk.data(), static_cast<qint64>(chunk.size()));
        if (got < 0) {
            *error = QStringLiteral("cannot read the file: %1").arg(file.errorString());
            return false;
        }
        if (got == 0)
            return true;
        digest->update(chunk.data(), static_cast<std::size_t>(got));
    }
}

class GzipSource final : public JsonRecordReader::Source
{
public:
    explicit GzipSource(const QString &path)
        : m_path(path)
    {
    }
    ~GzipSource() override
    {
        if (m_file)
            gzclose(m_file);
    }
    bool open(QString *error)
    {
        m_file = gzopen(QFile::encodeName(m_path).constData(), "rb");
        if (!m_file) {
            *error = QStringLiteral("cannot open the gzip file");
            return false;
        }
        gzbuffer(m_file, 256 * 1024);
        return true;
    }
    qint64 read(char *into, qint64 maximum, QString *error) override
    {
        const int got = gzread(m_file, into, static_cast<unsigned>(std::min<qint64>(maximum, 1 << 30)));
        if (got < 0) {
            int code = 0;
            const char *message = gzerror(m_file, &code);
            *error = QStringLiteral("the gzip data is corrupt: %1").arg(QString::fromUtf8(message ? message : "unknown error"));
            return -1;
        }
        if (got == 0) {
            int code = 0;
            gzerror(m_file, &code);
            if (code != Z_OK && code != Z_STREAM_END) {
                *error = QStringLiteral("the gzip data is cut off or corrupt");
                return -1;
            }
        }
        return got;
    }
    qint64 consumed() const override { return gzoffset(m_file); }

private:
    QString m_path;
    gzFile m_file = nullptr;
};

} // namespace

JsonRecordReader::JsonRecordReader() = default;
JsonRecordReader::~JsonRecordReader() = default;

bool JsonRecordReader::open(const QString &path, QString *error, Sha256Stream *digest)
{
    {
        QFile probe(path);
        if (!probe.open(QIODevice::ReadOnly)) {
            *error = QStringLiteral("cannot read the file: %1").arg(probe.errorString());
            return false;
        }
        const QByteArray magic = probe.read(2);
        m_compressed = magic.size() == 2 && static_cast<unsigned char>(magic[0]) == 0x1f
            && static_cast<unsigned char>(magic[1]) == 0x8b;
    }
    if (m_compressed) {
        if (digest && !digestWholeFile(path, digest, error))
            return false;
        auto source = std::make_unique<GzipSource>(path);
        if (!source->open(error))
            return false;
        m_source = std::move(source);
    } else {
        auto source = std::make_unique<PlainSource>(path, digest);
        if (!source->open(error))
            return false;
        m_source = std::move(source);
    }
    m_buffer.resize(chunkBytes + parserPadding);
    fill();
    if (!m_problem.message.isEmpty()) {
        *error = m_problem.message;
        return false;
    }
    if (m_end >= 3 && std::memcmp(m_buffer.data(), "\xEF\xBB\xBF", 3) == 0)
        m_scan = 3; // a byte order mark some exporters write
    std::size_t first = m_scan;
    while (first < m_end && isSpace(m_buffer[first]))
        ++first;
    const std::string_view head(m_buffer.data() + first, m_end - first);
    if (!head.empty() && head.front() == '[') {
        m_layout = Layout::Array;
        m_containerDepth = 1;
    } else if (!head.empty() && head.front() == '{') {
        // {"Records": [ — CloudTrail's wrapper, recognised before any record is read.
        std::size_t at = 1;
        auto skipSpace = [&] {
            while (at < head.size() && isSpace(head[at]))
                ++at;
        };
        skipSpace();
        if (head.substr(at, 9) == "\"Records\"") {
            at += 9;
            skipSpace();
            if (at < head.size() && head[at] == ':') {
                ++at;
                skipSpace();
                if (at < head.size() && head[at] == '[') {
                    m_layout = Layout::RecordsWrapper;
                    m_containerDepth = 2;
                }
            }
        }
        if (m_layout != Layout::RecordsWrapper) {
            // One value per line when the first line holds a complete value; otherwise pretty-printed documents.
            int depth = 0;
            bool inString = false;
            bool escape = false;
            bool complete = false;
            bool sawNewline = false;
            for (std::size_t i = 0; i < head.size(); ++i) {
                const char c = head[i];
                if (c == '\n') {
                    sawNewline = true;
                    break;
                }
                if (inString) {
                    if (escape)
                        escape = false;
                    else if (c == '\\')
                        escape = true;
                    else if (c == '"')
                        inString = false;
                } else if (c == '"') {
                    inString = true;
                } else if (c == '{' || c == '[') {
                    ++depth;
                } else if (c == '}' || c == ']') {
                    if (--depth == 0)
                        complete = true;
                }
            }
            m_layout = complete || !sawNewline ? Layout::Lines : Layout::Documents;
        }
    }
    return true;
}

qint64 JsonRecordReader::bytesConsumed() const
{
    return m_compressed ? (m_source ? m_source->consumed() : 0) : m_bufferBase + static_cast<qint64>(m_scan);
}

bool JsonRecordReader::fill()
{
    if (m_eof)
        return false;
    if (m_recordStart >= 0 && m_end - static_cast<std::size_t>(m_recordStart) >= static_cast<std::size_t>(maximumRecordBytes)) {
        // Too big to be a log record: keep scanning for its end but stop keeping its bytes.
        m_skippingRecord = true;
        m_recordStart = -1;
    }
    const std::size_t keepFrom = m_recordStart >= 0 ? static_cast<std::size_t>(m_recordStart) : m_scan;
    if (keepFrom > 0) {
        std::memmove(m_buffer.data(), m_buffer.data() + keepFrom, m_end - keepFrom);
        m_bufferBase += static_cast<qint64>(keepFrom);
        m_end -= keepFrom;
        m_scan -= keepFrom;
        if (m_recordStart >= 0)
            m_recordStart -= static_cast<qint64>(keepFrom);
    }
    if (m_buffer.size() < m_end + chunkBytes + parserPadding)
        m_buffer.resize(m_end + chunkBytes + parserPadding);
    QString error;
    const qint64 got = m_source->read(m_buffer.data() + m_end, static_cast<qint64>(chunkBytes), &error);
    if (got < 0) {
        m_eof = true;
        m_readFailed = true;
        m_problem = Diagnostic{Severity::Error, {}, positionAt(m_end), error};
        return false;
    }
    if (got == 0) {
        m_eof = true;
        return false;
    }
    m_end += static_cast<std::size_t>(got);
    std::memset(m_buffer.data() + m_end, 0, parserPadding);
    return true;
}

TextPosition JsonRecordReader::positionAt(std::size_t index) const
{
    return TextPosition{m_line, m_bufferBase + static_cast<qint64>(index) - m_lineStart + 1};
}

JsonRecordReader::Step JsonRecordReader::fail(TextPosition position, const QString &message)
{
    m_problem = Diagnostic{Severity::Error, {}, position, message};
    m_eof = true;
    m_scan = m_end;
    return Step::Failed;
}

JsonRecordReader::Step JsonRecordReader::skip(TextPosition position, const QString &message)
{
    m_problem = Diagnostic{Severity::Error, {}, position, message};
    return Step::Skipped;
}

void JsonRecordReader::resetRecordState()
{
    m_depth = m_containerDepth;
    m_inString = false;
    m_escape = false;
    m_scalar = false;
    m_recordStart = -1;
    m_skippingRecord = false;
}

JsonRecordReader::Step JsonRecordReader::next(JsonRecordSpan *record)
{
    const int level = m_containerDepth;
    const bool lines = m_layout == Layout::Lines;
    const bool listed = m_layout == Layout::Array || m_layout == Layout::RecordsWrapper;
    auto emit = [&](std::size_t start, std::size_t end) {
        record->text = std::string_view(m_buffer.data() + start, end - start);
        record->offset = m_bufferBase + static_cast<qint64>(start);
        record->position = m_recordPosition;
        m_recordStart = -1;
        m_scalar = false;
        m_expectSeparator = true;
        return Step::Record;
    };
    auto startRecord = [&](std::size_t at, bool scalar) -> bool {
        if (listed && m_expectSeparator)
            return false;
        m_recordStart = static_cast<qint64>(at);
        m_recordPosition = positionAt(at);
        m_scalar = scalar;
        m_afterComma = false;
        return true;
    };
    auto tooLarge = [&] {
        return QStringLiteral("the record is larger than %1 MB and was skipped").arg(maximumRecordBytes / (1024 * 1024));
    };

    for (;;) {
        if (m_scan >= m_end) {
            if (fill())
                continue;
            if (m_readFailed)
                return Step::Failed;
            if (m_skippingLine) {
                m_skippingLine = false;
                resetRecordState();
                return Step::End;
            }
            if (m_recordStart >= 0 && m_scalar && !m_inString)
                return emit(static_cast<std::size_t>(m_recordStart), m_end);
            if (m_recordStart >= 0 || m_skippingRecord || m_depth > level) {
                const bool wasSkipping = m_skippingRecord;
                const TextPosition where = m_recordPosition;
                resetRecordState();
                if (wasSkipping)
                    return skip(where, tooLarge());
                if (lines)
                    return skip(where, QStringLiteral("the record is cut off: the file ends before its closing bracket"));
                return fail(where, QStringLiteral("the file ends inside the record that starts here (the file is cut off)"));
            }
            if (listed && !m_containerClosed)
                return fail(positionAt(m_end), m_containerOpened || m_layout == Layout::Array
                                                   ? QStringLiteral("the file ends before the closing ] of the list of records (the file is cut off)")
                                                   : QStringLiteral("the file ends before the list of records"));
            return Step::End;
        }

        const std::size_t i = m_scan++;
        const char c = m_buffer[i];
        if (c == '\n') {
            ++m_line;
            m_lineStart = m_bufferBase + static_cast<qint64>(i) + 1;
            if (m_skippingLine) {
                m_skippingLine = false;
                resetRecordState();
                continue;
            }
            if (m_recordStart >= 0 && m_scalar && !m_inString)
                return emit(static_cast<std::size_t>(m_recordStart), i);
            if (lines && (m_recordStart >= 0 || m_skippingRecord)) {
                const bool wasSkipping = m_skippingRecord;
                const TextPosition where = m_recordPosition;
                resetRecordState();
                if (wasSkipping)
                    return skip(where, tooLarge());
                return skip(where, QStringLiteral("the line ends before the record's closing bracket; the record is cut off or spans lines"));
            }
            continue;
        }
        if (m_skippingLine)
            continue;
        if (m_inString) {
            if (m_escape)
                m_escape = false;
            else if (c == '\\')
                m_escape = true;
            else if (c == '"') {
                m_inString = false;
                if (m_scalar && m_recordStart >= 0 && m_depth == level)
                    return emit(static_cast<std::size_t>(m_recordStart), i + 1);
            }
            continue;
        }
        if (m_scalar && m_recordStart >= 0) {
            if (isSpace(c) || c == ',' || c == ']' || c == '}') {
                m_scan = i; // the delimiter belongs to the surrounding structure
                return emit(static_cast<std::size_t>(m_recordStart), i);
            }
            continue;
        }
        switch (c) {
        case ' ':
        case '\t':
        case '\r':
            continue;
        case '"':
            m_inString = true;
            if (m_depth == level && m_recordStart < 0 && !m_skippingRecord) {
                if (!startRecord(i, true))
                    return fail(positionAt(i), QStringLiteral("a comma is missing between two records"));
            }
            continue;
        case '{':
        case '[':
            if (m_depth == level && m_recordStart < 0 && !m_skippingRecord) {
                if (!startRecord(i, false))
                    return fail(positionAt(i), QStringLiteral("a comma is missing between two records"));
            } else if (m_depth < level) {
                if (m_containerClosed)
                    return fail(positionAt(i), QStringLiteral("unexpected text after the list of records"));
                if (m_depth == level - 1)
                    m_containerOpened = true;
            }
            if (++m_depth - level > maximumDepth) {
                const TextPosition where = m_recordStart >= 0 ? m_recordPosition : positionAt(i);
                const QString message = QStringLiteral("JSON nested more than %1 levels deep (at line %2, column %3); log "
                                                       "records never are")
                                            .arg(maximumDepth)
                                            .arg(positionAt(i).line)
                                            .arg(positionAt(i).column);
                if (!lines)
                    return fail(where, message);
                resetRecordState();
                m_skippingLine = true;
                return skip(where, message);
            }
            continue;
        case '}':
        case ']':
            if (--m_depth < 0 || (m_depth < level && !listed)) {
                if (!lines)
                    return fail(positionAt(i), QStringLiteral("unexpected closing %1 with nothing open").arg(QLatin1Char(c)));
                const TextPosition where = positionAt(i);
                resetRecordState();
                m_skippingLine = true;
                return skip(where, QStringLiteral("unexpected closing %1 with nothing open").arg(QLatin1Char(c)));
            }
            if (m_depth == level && (m_recordStart >= 0 || m_skippingRecord)) {
                if (m_skippingRecord) {
                    const TextPosition where = m_recordPosition;
                    resetRecordState();
                    m_expectSeparator = true;
                    return skip(where, tooLarge());
                }
                return emit(static_cast<std::size_t>(m_recordStart), i + 1);
            }
            if (listed && m_depth == level - 1 && m_containerOpened && !m_containerClosed) {
                if (c != ']')
                    return fail(positionAt(i), QStringLiteral("the list of records is closed with } instead of ]"));
                if (!m_expectSeparator && m_afterComma)
                    return fail(positionAt(i), QStringLiteral("a comma after the last record is not allowed in JSON"));
                m_containerClosed = true;
            }
            continue;
        case ',':
            if (m_depth == level && m_recordStart < 0) {
                if (!listed) {
                    const TextPosition where = positionAt(i);
                    if (!lines)
                        return fail(where, QStringLiteral("unexpected comma between documents"));
                    m_skippingLine = true;
                    return skip(where, QStringLiteral("unexpected comma after the record; NDJSON has one value per line"));
                }
                if (!m_expectSeparator)
                    return fail(positionAt(i), QStringLiteral("a comma without a record before it"));
                m_expectSeparator = false;
                m_afterComma = true;
            }
            continue;
        default:
            if (m_depth == level && m_recordStart < 0 && !m_skippingRecord) {
                if (!startRecord(i, true))
                    return fail(positionAt(i), QStringLiteral("a comma is missing between two records"));
            } else if (m_depth < level && m_layout == Layout::Array) {
                return fail(positionAt(i), m_containerClosed ? QStringLiteral("unexpected text after the list of records")
                                                             : QStringLiteral("unexpected text before the list of records"));
            }
            continue;
        }
    }
}

} // namespace chainsight

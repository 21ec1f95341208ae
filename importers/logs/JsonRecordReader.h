#pragma once

#include "Diagnostic.h"

#include <QByteArray>
#include <QString>

#include <memory>
#include <string_view>
#include <vector>

namespace chainsight {

class Sha256Stream;

// One JSON value found at record level, with where it starts in the (decompressed) file.
struct JsonRecordSpan
{
    std::string_view text; // valid until the next call to JsonRecordReader::next()
    qint64 offset = 0;     // byte offset of the first byte in the decompressed stream
    TextPosition position; // where the record starts
};

// Splits a log file into records without loading it whole: NDJSON (one value per line, bad lines skipped),
// a JSON array of records, a `{"Records":[...]}` wrapper (CloudTrail), or one pretty-printed document.
// gzip files are decompressed on the fly. One buffer is reused; a record may be at most maximumRecordBytes.
class JsonRecordReader final
{
public:
    enum class Layout {
        Lines,          // values separated by white space, each alone on its line (NDJSON)
        Documents,      // values separated by white space that span lines (pretty-printed documents)
        Array,          // [ record, record, ... ]
        RecordsWrapper, // { "Records": [ record, ... ] }
    };
    enum class Step {
        Record,  // *record holds the next record
        Skipped, // a malformed record was skipped; problem() says why and where
        End,     // no more records
        Failed,  // the file as a whole is malformed; problem() says why and where
    };

    static constexpr qint64 maximumRecordBytes = 16ll * 1024 * 1024;
    static constexpr int maximumDepth = 256;

    // Where the bytes come from: the file itself or its decompressed gzip stream.
    class Source;

    JsonRecordReader();
    ~JsonRecordReader();
    JsonRecordReader(const JsonRecordReader &) = delete;
    JsonRecordReader &operator=(const JsonRecordReader &) = delete;

    // Opens the file and decides its layout from its first bytes; false with *error when unreadable.
    // With a digest, every byte of the file on disk is fed to it as it is read, so the file is read once.
    bool open(const QString &path, QString *error, Sha256Stream *digest = nullptr);
    Layout layout() const { return m_layout; }
    bool isCompressed() const { return m_compressed; }
    // Whether a syntax error inside one record makes the whole file invalid (everything but NDJSON).
    bool isSingleDocument() const { return m_layout != Layout::Lines; }

    Step next(JsonRecordSpan *record);
    const Diagnostic &problem() const { return m_problem; }
    // Bytes of the file on disk consumed so far, for progress.
    qint64 bytesConsumed() const;

private:
    bool fill();
    Step fail(TextPosition position, const QString &message);
    Step skip(TextPosition position, const QString &message);
    TextPosition positionAt(std::size_t index) const;
    void resetRecordState();

    std::unique_ptr<Source> m_source;
    std::vector<char> m_buffer;
    std::size_t m_end = 0;       // bytes of m_buffer filled
    std::size_t m_scan = 0;      // next byte to look at
    qint64 m_bufferBase = 0;     // stream offset of m_buffer[0]
    bool m_eof = false;
    bool m_readFailed = false;
    bool m_compressed = false;
    Layout m_layout = Layout::Lines;
    int m_containerDepth = 0; // depth at which records start
    Diagnostic m_problem;

    // Scanner state
    int m_depth = 0;
    bool m_inString = false;
    bool m_escape = false;
    bool m_scalar = false;        // the current record is a bare scalar
    qint64 m_recordStart = -1;    // index into m_buffer; -1: between records
    bool m_skippingRecord = false; // an oversized record is being skipped
    bool m_skippingLine = false;   // the rest of a bad line is being skipped (NDJSON)
    TextPosition m_recordPosition;
    bool m_expectSeparator = false; // array layouts: a record was just read, a comma or the closing bracket comes next
    bool m_afterComma = false;
    bool m_containerOpened = false;
    bool m_containerClosed = false;
    qint64 m_line = 1;
    qint64 m_lineStart = 0; // stream offset of the current line's first byte
};

} // namespace chainsight

#pragma once

#include <QList>
#include <QString>

#include <string_view>

namespace chainsight {

enum class Severity { Error, Warning, Note };

// 1-based line and column; 0 means "not known" (a whole-file problem).
struct TextPosition
{
    qint64 line = 0;
    qint64 column = 0;
};

struct Diagnostic
{
    Severity severity = Severity::Error;
    QString file;
    TextPosition position;
    QString message;

    // The compiler-style form every tool understands: `file:line:col: error: message`.
    QString toString() const;
};

using Diagnostics = QList<Diagnostic>;

QString severityName(Severity severity);

// Line and column (1-based, column counted in bytes of UTF-8) of a byte offset into text.
TextPosition positionOfOffset(std::string_view text, std::size_t offset);

// Counts line breaks incrementally so streaming readers can locate records cheaply.
class LineCounter final
{
public:
    // Positions must be asked for in increasing offset order.
    TextPosition positionOf(std::string_view text, std::size_t offset);

private:
    std::size_t m_scannedUpTo = 0;
    qint64 m_line = 1;
    std::size_t m_lineStart = 0;
};

} // namespace chainsight

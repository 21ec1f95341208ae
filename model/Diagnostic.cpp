#include "Diagnostic.h"

#include <algorithm>

namespace chainsight {

QString severityName(Severity severity)
{
    switch (severity) {
    case Severity::Error:
        return QStringLiteral("error");
    case Severity::Warning:
        return QStringLiteral("warning");
    case Severity::Note:
        return QStringLiteral("note");
    }
    return QStringLiteral("error");
}

QString Diagnostic::toString() const
{
    QString location = file.isEmpty() ? QStringLiteral("<input>") : file;
    if (position.line > 0) {
        location += QLatin1Char(':') + QString::number(position.line);
        if (position.column > 0)
            location += QLatin1Char(':') + QString::number(position.column);
    }
    // Messages may quote untrusted input; keep them on one line so the output stays parseable.
    QString oneLine = message;
    oneLine.replace(QLatin1Char('\n'), QLatin1Char(' ')).replace(QLatin1Char('\r'), QLatin1Char(' '));
    return location + QStringLiteral(": ") + severityName(severity) + QStringLiteral(": ") + oneLine;
}

TextPosition positionOfOffset(std::string_view text, std::size_t offset)
{
    LineCounter counter;
    return counter.positionOf(text, offset);
}

TextPosition LineCounter::positionOf(std::string_view text, std::size_t offset)
{
    offset = std::min(offset, text.size());
    if (offset < m_scannedUpTo) { // out of order: start again rather than answer wrongly
        m_scannedUpTo = 0;
        m_line = 1;
        m_lineStart = 0;
    }
    for (std::size_t i = m_scannedUpTo; i < offset; ++i) {
        if (text[i] == '\n') {
            ++m_line;
            m_lineStart = i + 1;
        }
    }
    m_scannedUpTo = offset;
    return {m_line, static_cast<qint64>(offset - m_lineStart) + 1};
}

} // namespace chainsight

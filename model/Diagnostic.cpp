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

namespace {

// Text that may come from input (a message quoting a record, a file name from a dropped folder), made safe to
// print: one line, and no character that would act on a terminal or reorder the text (escape sequences,
// bidirectional overrides, lone surrogates) instead of printing as itself.
QString printable(QStringView text)
{
    QString out;
    out.reserve(text.size());
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text[i];
        if (c.isHighSurrogate() && i + 1 < text.size() && text[i + 1].isLowSurrogate()) {
            out += c;
            out += text[++i];
        } else if (c == QLatin1Char('\n') || c == QLatin1Char('\r') || c == QLatin1Char('\t')) {
            out += QLatin1Char(' ');
        } else if (c.category() == QChar::Other_Control || c.category() == QChar::Other_Format || c.isSurrogate()) {
            out += QStringLiteral("\\u%1").arg(c.unicode(), 4, 16, QLatin1Char('0'));
        } else {
            out += c;
        }
    }
    return out;
}

} // namespace

QString Diagnostic::toString() const
{
    QString location = file.isEmpty() ? QStringLiteral("<input>") : printable(file);
    if (position.line > 0) {
        location += QLatin1Char(':') + QString::number(position.line);
        if (position.column > 0)
            location += QLatin1Char(':') + QString::number(position.column);
    }
    return location + QStringLiteral(": ") + severityName(severity) + QStringLiteral(": ") + printable(message);
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

#include "UntrustedText.h"

namespace chainsight {
namespace {

bool isInvisible(char32_t c)
{
    if (c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f))
        return true;
    // Bidirectional marks, embeddings, overrides and isolates: they reorder what a reader sees.
    if (c == 0x061c || c == 0x200e || c == 0x200f || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069))
        return true;
    // Zero-width and other invisible format characters.
    if ((c >= 0x200b && c <= 0x200d) || c == 0x2060 || c == 0xfeff || c == 0x00ad || c == 0x180e)
        return true;
    if ((c >= 0xfff9 && c <= 0xfffb) || (c & 0xfffe) == 0xfffe || (c >= 0xfdd0 && c <= 0xfdef))
        return true;
    if (c >= 0xe0000 && c <= 0xe007f) // tag characters
        return true;
    return false;
}

void appendEscape(QString &out, char32_t c)
{
    if (c > 0xffff)
        out += QStringLiteral("\\U%1").arg(static_cast<uint>(c), 8, 16, QLatin1Char('0'));
    else
        out += QStringLiteral("\\u%1").arg(static_cast<uint>(c), 4, 16, QLatin1Char('0'));
}

void appendCodePoint(QString &out, char32_t c, LineBreaks lineBreaks)
{
    if (c == U'\n' && lineBreaks == LineBreaks::Keep) {
        out += QLatin1Char('\n');
    } else if (c == U'\r' && lineBreaks == LineBreaks::Keep) {
        // A CR before LF is the line break itself; alone it shows.
        out += QStringLiteral("\\r");
    } else if (c == U'\t') {
        out += QStringLiteral("    ");
    } else if (isInvisible(c)) {
        appendEscape(out, c);
    } else {
        out += QString::fromUcs4(&c, 1);
    }
}

} // namespace

QString visibleText(QStringView text, LineBreaks lineBreaks)
{
    QString out;
    out.reserve(text.size());
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (c.isHighSurrogate() && i + 1 < text.size() && text.at(i + 1).isLowSurrogate()) {
            appendCodePoint(out, QChar::surrogateToUcs4(c, text.at(i + 1)), lineBreaks);
            ++i;
        } else if (c.isSurrogate()) {
            appendEscape(out, c.unicode());
        } else if (c == QLatin1Char('\r') && lineBreaks == LineBreaks::Keep && i + 1 < text.size() && text.at(i + 1) == QLatin1Char('\n')) {
            continue;
        } else {
            appendCodePoint(out, c.unicode(), lineBreaks);
        }
    }
    return out;
}

QString visibleBytes(QByteArrayView bytes, LineBreaks lineBreaks)
{
    QString out;
    out.reserve(bytes.size());
    const auto *data = reinterpret_cast<const unsigned char *>(bytes.data());
    const qsizetype size = bytes.size();
    qsizetype i = 0;
    while (i < size) {
        const unsigned char lead = data[i];
        int length = 0;
        char32_t c = 0;
        if (lead < 0x80) {
            length = 1;
            c = lead;
        } else if (lead >= 0xc2 && lead <= 0xdf) {
            length = 2;
            c = lead & 0x1f;
        } else if (lead >= 0xe0 && lead <= 0xef) {
            length = 3;
            c = lead & 0x0f;
        } else if (lead >= 0xf0 && lead <= 0xf4) {
            length = 4;
            c = lead & 0x07;
        }
        bool valid = length > 0 && i + length <= size;
        for (int k = 1; valid && k < length; ++k) {
            const unsigned char next = data[i + k];
            if ((next & 0xc0) != 0x80)
                valid = false;
            c = (c << 6) | (next & 0x3f);
        }
        // Overlong forms, surrogates and values past U+10FFFF are not UTF-8 either.
        if (valid && ((length == 3 && c < 0x800) || (length == 4 && (c < 0x10000 || c > 0x10ffff)) || (c >= 0xd800 && c <= 0xdfff)))
            valid = false;
        if (!valid) {
            out += QStringLiteral("\\x%1").arg(lead, 2, 16, QLatin1Char('0'));
            ++i;
            continue;
        }
        if (c == U'\r' && lineBreaks == LineBreaks::Keep && i + 1 < size && data[i + 1] == '\n') {
            ++i;
            continue;
        }
        appendCodePoint(out, c, lineBreaks);
        i += length;
    }
    return out;
}

QString csvField(const QString &text)
{
    QString value = text;
    if (!value.isEmpty()) {
        const QChar first = value.front();
        if (first == QLatin1Char('=') || first == QLatin1Char('+') || first == QLatin1Char('-') || first == QLatin1Char('@')
            || first == QLatin1Char('\t') || first == QLatin1Char('\r'))
            value.prepend(QLatin1Char('\''));
    }
    const bool quote = value.contains(QLatin1Char(',')) || value.contains(QLatin1Char('"')) || value.contains(QLatin1Char('\n'))
                       || value.contains(QLatin1Char('\r'));
    if (!quote)
        return value;
    value.replace(QLatin1Char('"'), QLatin1String("\"\""));
    return QLatin1Char('"') + value + QLatin1Char('"');
}

} // namespace chainsight

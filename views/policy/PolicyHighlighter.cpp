#include "PolicyHighlighter.h"

namespace chainsight {

PolicyHighlighter::PolicyHighlighter(QTextDocument *document)
    : QSyntaxHighlighter(document)
    , m_string(QStringLiteral("\"(?:[^\"\\\\]|\\\\.)*\"?"))
    , m_comment(QStringLiteral("//[^\\n]*"))
{
    setDarkBackground(false);
}

void PolicyHighlighter::setDarkBackground(bool dark)
{
    auto format = [](const QColor &color, bool bold = false, bool italic = false) {
        QTextCharFormat f;
        f.setForeground(color);
        if (bold)
            f.setFontWeight(QFont::Bold);
        f.setFontItalic(italic);
        return f;
    };
    const QColor keyword = dark ? QColor(0x8a, 0xb4, 0xf8) : QColor(0x1a, 0x4f, 0xa8);
    const QColor scope = dark ? QColor(0xc5, 0x94, 0xf0) : QColor(0x7b, 0x2c, 0xa8);
    const QColor type = dark ? QColor(0x5f, 0xd3, 0xb4) : QColor(0x0b, 0x73, 0x5c);
    const QColor annotation = dark ? QColor(0xe0, 0xb0, 0x60) : QColor(0x9a, 0x5b, 0x00);
    const QColor number = dark ? QColor(0xf0, 0x9a, 0x7a) : QColor(0xa6, 0x3d, 0x1c);
    m_stringFormat = format(dark ? QColor(0xa8, 0xd8, 0x8a) : QColor(0x2f, 0x7d, 0x1e));
    m_commentFormat = format(dark ? QColor(0x90, 0x96, 0x9e) : QColor(0x6a, 0x70, 0x78), false, true);
    m_rules = {
        {QRegularExpression(QStringLiteral("\\b(permit|forbid|when|unless|if|then|else|in|is|has|like)\\b")), format(keyword, true)},
        {QRegularExpression(QStringLiteral("\\b(principal|action|resource|context)\\b")), format(scope, true)},
        {QRegularExpression(QStringLiteral("\\b(true|false)\\b")), format(number)},
        {QRegularExpression(QStringLiteral("\\b[A-Za-z_][A-Za-z0-9_]*(?=::)")), format(type)},
        {QRegularExpression(QStringLiteral("@[A-Za-z_][A-Za-z0-9_]*")), format(annotation)},
        {QRegularExpression(QStringLiteral("(?<![A-Za-z_])-?\\d+\\b")), format(number)},
        {QRegularExpression(QStringLiteral("\\b(datetime|duration|decimal|ip|contains|containsAll|containsAny|isEmpty|"
                                           "toTime|toDate|offset|durationSince|lessThan|greaterThan|isInRange)\\b")),
         format(type)},
    };
    rehighlight();
}

void PolicyHighlighter::highlightBlock(const QString &text)
{
    for (const Rule &rule : std::as_const(m_rules)) {
        for (auto it = rule.pattern.globalMatch(text); it.hasNext();) {
            const auto match = it.next();
            setFormat(int(match.capturedStart()), int(match.capturedLength()), rule.format);
        }
    }
    // Strings and comments last: a keyword inside either is not a keyword. A // inside a string is no comment.
    qsizetype commentAt = -1;
    for (qsizetype i = 0; i < text.size(); ++i) {
        if (text.at(i) == QLatin1Char('"')) {
            const auto match = m_string.match(text, i, QRegularExpression::NormalMatch, QRegularExpression::AnchorAtOffsetMatchOption);
            const qsizetype length = match.hasMatch() ? match.capturedLength() : text.size() - i;
            setFormat(int(i), int(length), m_stringFormat);
            i += length - 1;
        } else if (text.at(i) == QLatin1Char('/') && i + 1 < text.size() && text.at(i + 1) == QLatin1Char('/')) {
            commentAt = i;
            break;
        }
    }
    if (commentAt >= 0)
        setFormat(int(commentAt), int(text.size() - commentAt), m_commentFormat);
}

} // namespace chainsight

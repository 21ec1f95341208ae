#pragma once

#include <QRegularExpression>
#include <QSyntaxHighlighter>
#include <QTextCharFormat>

namespace chainsight {

// Cedar syntax colours: keywords, entity types, annotations, strings, numbers and comments, in shades that
// read on light and dark palettes alike.
class PolicyHighlighter final : public QSyntaxHighlighter
{
    Q_OBJECT
public:
    explicit PolicyHighlighter(QTextDocument *document);

    // Picks the colours for the palette in use; call again when the colour scheme changes.
    void setDarkBackground(bool dark);

protected:
    void highlightBlock(const QString &text) override;

private:
    struct Rule
    {
        QRegularExpression pattern;
        QTextCharFormat format;
    };
    QList<Rule> m_rules;
    QRegularExpression m_string;
    QRegularExpression m_comment;
    QTextCharFormat m_stringFormat;
    QTextCharFormat m_commentFormat;
};

} // namespace chainsight

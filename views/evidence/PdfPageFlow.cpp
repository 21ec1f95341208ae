#include "PdfPageFlow.h"

#include <QFontMetricsF>
#include <QHash>
#include <QPainter>
#include <QTextLayout>

#include <algorithm>
#include <cmath>

namespace chainsight {
namespace {

const QColor textColour(0x1b, 0x1b, 0x1b);
const QColor mutedColour(0x5f, 0x63, 0x68);
const QColor ruleColour(0xd0, 0xd4, 0xda);
const QColor headerFill(0xee, 0xf1, 0xf5);
const QColor stripeFill(0xf8, 0xf9, 0xfb);
const QColor codeFill(0xf4, 0xf6, 0xf8);
const QColor accentColour(0x15, 0x65, 0xc0);

constexpr double cellPadding = 3.0;

QFont makeFont(const QString &family, QFont::StyleHint hint, double points, bool bold = false)
{
    QFont font(family);
    font.setStyleHint(hint);
    font.setPointSizeF(points);
    font.setBold(bold);
    // Glyph outlines, not hinted bitmaps: the PDF is read at any zoom.
    font.setHintingPreference(QFont::PreferNoHinting);
    return font;
}

void drawLine(QPainter &painter, const QFont &font, const QColor &colour, QPointF baseline, const QString &text)
{
    painter.setFont(font);
    painter.setPen(colour);
    painter.drawText(baseline, text);
}

} // namespace

PdfPageFlow::PdfPageFlow(QPaintDevice *device, QSizeF pageSize, QMarginsF margins)
    : m_device(device)
    , m_pageSize(pageSize)
    , m_content(QRectF(QPointF(0, 0), pageSize).marginsRemoved(margins))
    , m_body(makeFont(QStringLiteral("DejaVu Sans"), QFont::SansSerif, 9))
    , m_bold(makeFont(QStringLiteral("DejaVu Sans"), QFont::SansSerif, 9, true))
    , m_mono(makeFont(QStringLiteral("DejaVu Sans Mono"), QFont::TypeWriter, 7.5))
{
    newPage();
}

void PdfPageFlow::newPage()
{
    if (m_sink && !m_pages.isEmpty())
        m_sink(static_cast<int>(m_pages.size()) - 1, m_pages.back());
    m_pages.push_back(Page{});
    m_y = m_content.top();
}

void PdfPageFlow::finish()
{
    if (m_sink && !m_pages.isEmpty())
        m_sink(static_cast<int>(m_pages.size()) - 1, m_pages.back());
}

void PdfPageFlow::ensureSpace(double height)
{
    if (m_y + height > m_content.bottom() && m_y > m_content.top())
        newPage();
}

void PdfPageFlow::skip(double points)
{
    m_y += points;
    if (m_y > m_content.bottom())
        newPage();
}

double PdfPageFlow::lineHeight(const QFont &font) const
{
    return QFontMetricsF(font, m_device).lineSpacing();
}

QStringList PdfPageFlow::wrap(const QString &text, const QFont &font, double width) const
{
    QStringList lines;
    const QStringList paragraphs = text.split(QLatin1Char('\n'));
    for (const QString &paragraph : paragraphs) {
        if (paragraph.isEmpty()) {
            lines.push_back(QString());
            continue;
        }
        QTextLayout layout(paragraph, font, m_device);
        QTextOption option;
        option.setWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
        layout.setTextOption(option);
        layout.beginLayout();
        for (QTextLine line = layout.createLine(); line.isValid(); line = layout.createLine()) {
            line.setLineWidth(width);
            QString piece = paragraph.mid(line.textStart(), line.textLength());
            // A space that ends a wrapped line belongs to the break, not to the text shown.
            while (piece.endsWith(QLatin1Char(' ')) && line.textStart() + line.textLength() < paragraph.size())
                piece.chop(1);
            lines.push_back(piece);
        }
        layout.endLayout();
    }
    return lines;
}

QStringList PdfPageFlow::wrapAnywhere(const QString &text, const QFont &font, double width) const
{
    const QFontMetricsF metrics(font, m_device);
    QHash<char32_t, double> advances;
    QStringList lines;
    const QStringList paragraphs = text.split(QLatin1Char('\n'));
    for (const QString &paragraph : paragraphs) {
        QString line;
        double used = 0;
        for (qsizetype i = 0; i < paragraph.size(); ++i) {
            qsizetype length = 1;
            char32_t code = paragraph.at(i).unicode();
            if (paragraph.at(i).isHighSurrogate() && i + 1 < paragraph.size() && paragraph.at(i + 1).isLowSurrogate()) {
                code = QChar::surrogateToUcs4(paragraph.at(i), paragraph.at(i + 1));
                length = 2;
            }
            const QString glyph = paragraph.mid(i, length);
            auto advance = advances.constFind(code);
            if (advance == advances.cend())
                advance = advances.insert(code, metrics.horizontalAdvance(glyph));
            if (used + *advance > width && !line.isEmpty()) {
                lines.push_back(line);
                line.clear();
                used = 0;
            }
            line += glyph;
            used += *advance;
            i += length - 1;
        }
        lines.push_back(line);
    }
    return lines;
}

void PdfPageFlow::heading(const QString &title, int level, bool inContents)
{
    QString numbered = title;
    if (inContents) {
        if (level == 1) {
            ++m_sectionNumber;
            m_subsectionNumber = 0;
            numbered = QStringLiteral("%1  %2").arg(m_sectionNumber).arg(title);
        } else {
            ++m_subsectionNumber;
            numbered = QStringLiteral("%1.%2  %3").arg(m_sectionNumber).arg(m_subsectionNumber).arg(title);
        }
    }
    const QFont font = makeFont(m_body.family(), QFont::SansSerif, level == 1 ? 16 : 11.5, true);
    const double width = m_content.width();
    const QStringList lines = wrap(numbered, font, width);
    const double lh = lineHeight(font);
    if (level == 1 && m_y > m_content.top())
        newPage();
    else
        ensureSpace(lh * lines.size() + lineHeight(m_body) * 4); // no heading alone at a page foot
    if (level > 1 && m_y > m_content.top())
        m_y += 6;
    if (inContents)
        m_contents.push_back({numbered, level, static_cast<int>(m_pages.size()) - 1});
    const QFontMetricsF metrics(font, m_device);
    for (const QString &line : lines) {
        const QPointF baseline(m_content.left(), m_y + metrics.ascent());
        add([font, line, baseline](QPainter &painter) { drawLine(painter, font, textColour, baseline, line); });
        m_y += lh;
    }
    if (level == 1) {
        const double ruleY = m_y + 2;
        const QLineF rule(m_content.left(), ruleY, m_content.right(), ruleY);
        add([rule](QPainter &painter) {
            painter.setPen(QPen(accentColour, 1.2));
            painter.drawLine(rule);
        });
        m_y += 10;
    } else {
        m_y += 3;
    }
}

void PdfPageFlow::paragraph(const QString &text, const QFont &font, const QColor &colour, double indent)
{
    const QColor pen = colour.isValid() ? colour : textColour;
    const double lh = lineHeight(font);
    const QFontMetricsF metrics(font, m_device);
    for (const QString &line : wrap(text, font, m_content.width() - indent)) {
        ensureSpace(lh);
        const QPointF baseline(m_content.left() + indent, m_y + metrics.ascent());
        add([font, pen, line, baseline](QPainter &painter) { drawLine(painter, font, pen, baseline, line); });
        m_y += lh;
    }
    m_y += lh * 0.35;
}

void PdfPageFlow::keyValues(const QList<std::pair<QString, QString>> &rows, double labelWidth)
{
    const double lh = lineHeight(m_body);
    const QFontMetricsF metrics(m_body, m_device);
    const QFont bold = m_bold;
    const QFont body = m_body;
    for (const auto &[label, value] : rows) {
        const QStringList labelLines = wrap(label, bold, labelWidth - 6);
        const QStringList valueLines = wrap(value, body, m_content.width() - labelWidth);
        const qsizetype count = std::max(labelLines.size(), valueLines.size());
        for (qsizetype i = 0; i < count; ++i) {
            ensureSpace(lh);
            const double baseline = m_y + metrics.ascent();
            if (i < labelLines.size()) {
                const QString line = labelLines.at(i);
                const QPointF at(m_content.left(), baseline);
                add([bold, line, at](QPainter &painter) { drawLine(painter, bold, mutedColour, at, line); });
            }
            if (i < valueLines.size()) {
                const QString line = valueLines.at(i);
                const QPointF at(m_content.left() + labelWidth, baseline);
                add([body, line, at](QPainter &painter) { drawLine(painter, body, textColour, at, line); });
            }
            m_y += lh;
        }
    }
    m_y += lh * 0.35;
}

void PdfPageFlow::codeBlock(const QString &text, bool lineNumbers)
{
    const QFont mono = m_mono;
    const QFont gutterFont = makeFont(m_body.family(), QFont::SansSerif, 6.5);
    const double lh = lineHeight(mono);
    const QFontMetricsF metrics(mono, m_device);
    const double gutter = lineNumbers ? 26 : 12;
    const double left = m_content.left();
    const double textLeft = left + gutter;
    const double width = m_content.right() - textLeft - 4;
    const QStringList sourceLines = text.split(QLatin1Char('\n'));
    m_y += 2;
    for (qsizetype number = 0; number < sourceLines.size(); ++number) {
        const QStringList pieces = wrapAnywhere(sourceLines.at(number), mono, width);
        for (qsizetype k = 0; k < pieces.size(); ++k) {
            ensureSpace(lh);
            const QRectF band(left, m_y, m_content.width(), lh);
            const QString piece = pieces.at(k);
            const QPointF baseline(textLeft, m_y + metrics.ascent());
            QString mark;
            if (k > 0)
                mark = QStringLiteral("↪");
            else if (lineNumbers)
                mark = QString::number(number + 1);
            const QPointF markAt(left + 2, m_y + metrics.ascent());
            add([band, mono, gutterFont, piece, baseline, mark, markAt](QPainter &painter) {
                painter.fillRect(band, codeFill);
                if (!mark.isEmpty())
                    drawLine(painter, gutterFont, mutedColour, markAt, mark);
                drawLine(painter, mono, textColour, baseline, piece);
            });
            m_y += lh;
        }
    }
    m_y += lineHeight(m_body) * 0.5;
}

double PdfPageFlow::drawTableHeader(const QList<Column> &columns, const QList<double> &widths)
{
    const QFont bold = makeFont(m_body.family(), QFont::SansSerif, 8, true);
    const double lh = lineHeight(bold);
    const QFontMetricsF metrics(bold, m_device);
    QList<QStringList> lines;
    qsizetype most = 1;
    for (qsizetype c = 0; c < columns.size(); ++c) {
        lines.push_back(wrap(columns.at(c).header, bold, widths.at(c) - 2 * cellPadding));
        most = std::max(most, lines.back().size());
    }
    const double height = most * lh + 2 * cellPadding;
    const QRectF band(m_content.left(), m_y, m_content.width(), height);
    add([band](QPainter &painter) {
        painter.fillRect(band, headerFill);
        painter.setPen(QPen(ruleColour, 0.8));
        painter.drawLine(band.bottomLeft(), band.bottomRight());
    });
    double x = m_content.left();
    for (qsizetype c = 0; c < columns.size(); ++c) {
        for (qsizetype i = 0; i < lines.at(c).size(); ++i) {
            const QString line = lines.at(c).at(i);
            const QPointF at(x + cellPadding, m_y + cellPadding + i * lh + metrics.ascent());
            add([bold, line, at](QPainter &painter) { drawLine(painter, bold, textColour, at, line); });
        }
        x += widths.at(c);
    }
    m_y += height;
    return height;
}

void PdfPageFlow::table(const QList<Column> &columns, const QList<QList<Cell>> &rows)
{
    double totalWeight = 0;
    for (const Column &column : columns)
        totalWeight += column.weight;
    QList<double> widths;
    for (const Column &column : columns)
        widths.push_back(m_content.width() * column.weight / totalWeight);

    const QFont cellFont = makeFont(m_body.family(), QFont::SansSerif, 8);
    const QFont cellBold = makeFont(m_body.family(), QFont::SansSerif, 8, true);
    const QFont cellMono = makeFont(m_mono.family(), QFont::TypeWriter, 7);
    const double bodyLine = lineHeight(cellFont);
    const double monoLine = lineHeight(cellMono);
    const double lh = std::max(bodyLine, monoLine);
    const double ascent = QFontMetricsF(cellFont, m_device).ascent();

    ensureSpace(lh * 4);
    drawTableHeader(columns, widths);
    for (qsizetype r = 0; r < rows.size(); ++r) {
        const QList<Cell> &row = rows.at(r);
        QList<QStringList> lines;
        qsizetype most = 1;
        for (qsizetype c = 0; c < columns.size(); ++c) {
            const Cell cell = c < row.size() ? row.at(c) : Cell{};
            const double inner = widths.at(c) - 2 * cellPadding;
            lines.push_back(columns.at(c).monospace ? wrapAnywhere(cell.text, cellMono, inner)
                                                    : wrap(cell.text, cell.bold ? cellBold : cellFont, inner));
            most = std::max(most, lines.back().size());
        }
        qsizetype first = 0;
        while (first < most) {
            // Lines of this row that fit on the page; a row taller than a page continues on the next.
            qsizetype fit = static_cast<qsizetype>(std::floor((m_content.bottom() - m_y - 2 * cellPadding) / lh));
            if (fit < std::min<qsizetype>(most - first, 3)) {
                newPage();
                drawTableHeader(columns, widths);
                continue;
            }
            const qsizetype count = std::min(fit, most - first);
            const double height = count * lh + 2 * cellPadding;
            const QRectF band(m_content.left(), m_y, m_content.width(), height);
            const bool stripe = r % 2 == 1;
            add([band, stripe](QPainter &painter) {
                if (stripe)
                    painter.fillRect(band, stripeFill);
                painter.setPen(QPen(ruleColour, 0.4));
                painter.drawLine(band.bottomLeft(), band.bottomRight());
            });
            double x = m_content.left();
            for (qsizetype c = 0; c < columns.size(); ++c) {
                const Cell cell = c < row.size() ? row.at(c) : Cell{};
                const QFont font = columns.at(c).monospace ? cellMono : cell.bold ? cellBold : cellFont;
                const QColor colour = cell.colour.isValid() ? cell.colour : textColour;
                const QFontMetricsF metrics(font, m_device);
                for (qsizetype i = first; i < first + count && i < lines.at(c).size(); ++i) {
                    const QString line = lines.at(c).at(i);
                    double left = x + cellPadding;
                    if (columns.at(c).alignment & Qt::AlignRight)
                        left = x + widths.at(c) - cellPadding - metrics.horizontalAdvance(line);
                    const QPointF at(left, m_y + cellPadding + (i - first) * lh + ascent);
                    add([font, colour, line, at](QPainter &painter) { drawLine(painter, font, colour, at, line); });
                }
                x += widths.at(c);
            }
            m_y += height;
            first += count;
        }
    }
    m_y += lineHeight(m_body) * 0.6;
}

void PdfPageFlow::figure(double height, PaintOp paint)
{
    const double fitted = std::min(height, m_content.height());
    ensureSpace(fitted);
    const QPointF origin(m_content.left(), m_y);
    add([origin, paint = std::move(paint)](QPainter &painter) {
        painter.save();
        painter.translate(origin);
        paint(painter);
        painter.restore();
    });
    m_y += fitted + 6;
}

} // namespace chainsight

#pragma once

#include <QColor>
#include <QFont>
#include <QList>
#include <QRectF>
#include <QString>
#include <QStringList>

#include <functional>
#include <vector>

class QPaintDevice;
class QPainter;

namespace chainsight {

// Lays a long document out on fixed-size pages before anything is painted, so the table of contents
// knows every page number and the footer knows the page count. Coordinates are points (the writer runs
// at 72 dpi). All text is drawn as plain text, wrapped to the column: nothing runs off a page, and a
// table that breaks across pages repeats its header row.
class PdfPageFlow final
{
public:
    using PaintOp = std::function<void(QPainter &)>;

    struct Page
    {
        std::vector<PaintOp> ops;
    };

    struct TocEntry
    {
        QString title;
        int level = 1;
        int page = 0; // index into pages()
    };

    struct Column
    {
        QString header;
        double weight = 1.0;   // share of the table width
        bool monospace = false;
        Qt::Alignment alignment = Qt::AlignLeft;
    };

    struct Cell
    {
        QString text;
        QColor colour; // invalid = the body colour
        bool bold = false;
    };

    // Called with each page once it is complete (and with the last one by finish()); the sink may paint
    // and clear it, so a long document never holds more than one page of drawing in memory.
    using PageSink = std::function<void(int pageIndex, Page &page)>;

    PdfPageFlow(QPaintDevice *device, QSizeF pageSize, QMarginsF margins);

    // Measuring only: positions, pages and contents are computed, nothing is kept to draw.
    void setRecording(bool recording) { m_recording = recording; }
    void setPageSink(PageSink sink) { m_sink = std::move(sink); }
    // Hands the last page to the sink.
    void finish();
    int pageCount() const { return static_cast<int>(m_pages.size()); }

    const QFont &bodyFont() const { return m_body; }
    const QFont &monoFont() const { return m_mono; }
    QRectF contentRect() const { return m_content; }
    double y() const { return m_y; }
    double remaining() const { return m_content.bottom() - m_y; }

    void newPage();
    // Starts a new page unless `height` points still fit on this one.
    void ensureSpace(double height);
    void skip(double points);

    // A numbered section heading (level 1 starts a new page) that goes into the table of contents.
    void heading(const QString &title, int level, bool inContents = true);
    // Wrapped paragraph in the body font (or the given one).
    void paragraph(const QString &text, const QFont &font, const QColor &colour = {}, double indent = 0);
    void paragraph(const QString &text) { paragraph(text, m_body); }
    // "Label: value" lines, labels bold, values wrapped beside them.
    void keyValues(const QList<std::pair<QString, QString>> &rows, double labelWidth = 120);
    // Monospace block inside a light box, wrapped at any character; a continuation mark in the margin
    // shows where a line was wrapped, so nothing is cut and nothing is joined silently.
    void codeBlock(const QString &text, bool lineNumbers = false);
    // A table across the content width; rows split across pages only when a row is taller than a page.
    void table(const QList<Column> &columns, const QList<QList<Cell>> &rows);
    // Reserves a box of the given height on the current page (new page when it does not fit) and paints into it.
    void figure(double height, PaintOp paint);

    // Wraps text to a width in a font: word boundaries first, anywhere in a word too long for a line.
    QStringList wrap(const QString &text, const QFont &font, double width) const;
    // Fast wrapping for monospace blocks: by glyph advance, at any character.
    QStringList wrapAnywhere(const QString &text, const QFont &font, double width) const;
    double lineHeight(const QFont &font) const;

    QList<Page> &pages() { return m_pages; }
    const QList<TocEntry> &contents() const { return m_contents; }

private:
    void add(PaintOp op)
    {
        if (m_recording)
            m_pages.back().ops.push_back(std::move(op));
    }
    double drawTableHeader(const QList<Column> &columns, const QList<double> &widths);

    QPaintDevice *m_device;
    QSizeF m_pageSize;
    QRectF m_content;
    QFont m_body;
    QFont m_bold;
    QFont m_mono;
    QList<Page> m_pages;
    QList<TocEntry> m_contents;
    double m_y = 0;
    int m_sectionNumber = 0;
    int m_subsectionNumber = 0;
    bool m_recording = true;
    PageSink m_sink;
};

} // namespace chainsight

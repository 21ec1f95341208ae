#include "PolicyEditor.h"

#include "PolicyHighlighter.h"

#include "cedar/PolicyFormatter.h"
#include "cedar/PolicyParser.h"

#include <QAbstractItemView>
#include <QCompleter>
#include <QFontDatabase>
#include <QHelpEvent>
#include <QPainter>
#include <QScrollBar>
#include <QStringListModel>
#include <QTextBlock>
#include <QToolTip>

namespace chainsight {

class LineNumberArea final : public QWidget
{
public:
    explicit LineNumberArea(PolicyEditor *editor)
        : QWidget(editor)
        , m_editor(editor)
    {
    }

    QSize sizeHint() const override { return {m_editor->lineNumberWidth(), 0}; }

protected:
    void paintEvent(QPaintEvent *event) override { m_editor->paintLineNumbers(event); }

private:
    PolicyEditor *m_editor;
};

namespace {

bool isCompletionChar(QChar c)
{
    return c.isLetterOrNumber() || c == QLatin1Char('_') || c == QLatin1Char('.') || c == QLatin1Char(':')
           || c == QLatin1Char('"') || c == QLatin1Char('-') || c == QLatin1Char('@');
}

// Words for `principal.` and `resource.`: the attributes of every type they can have.
QStringList scopedAttributes(const PolicyVocabulary &vocabulary)
{
    QStringList words;
    for (const char *type : {"Agent", "Human", "Shadow"}) {
        for (const QString &attribute : vocabulary.attributesOf.value(QLatin1String(type)))
            words.append(QStringLiteral("principal.") + attribute);
    }
    for (const char *type : {"Tool", "Host", "McpServer", "AwsResource"}) {
        for (const QString &attribute : vocabulary.attributesOf.value(QLatin1String(type)))
            words.append(QStringLiteral("resource.") + attribute);
    }
    return words;
}

} // namespace

PolicyEditor::PolicyEditor(QWidget *parent)
    : QPlainTextEdit(parent)
    , m_lineNumbers(new LineNumberArea(this))
    , m_highlighter(new PolicyHighlighter(document()))
    , m_completer(new QCompleter(this))
    , m_words(new QStringListModel(this))
{
    setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    setLineWrapMode(QPlainTextEdit::NoWrap);
    setTabStopDistance(fontMetrics().horizontalAdvance(QLatin1Char(' ')) * 4);
    setAccessibleName(tr("Policy text"));
    setMouseTracking(true);

    m_completer->setModel(m_words);
    m_completer->setWidget(this);
    m_completer->setCompletionMode(QCompleter::PopupCompletion);
    m_completer->setCaseSensitivity(Qt::CaseInsensitive);
    m_completer->setModelSorting(QCompleter::CaseInsensitivelySortedModel);
    m_completer->setMaxVisibleItems(12);
    connect(m_completer, qOverload<const QString &>(&QCompleter::activated), this, &PolicyEditor::insertCompletion);

    m_checkTimer.setSingleShot(true);
    m_checkTimer.setInterval(250);
    connect(&m_checkTimer, &QTimer::timeout, this, &PolicyEditor::checkNow);
    connect(document(), &QTextDocument::contentsChanged, this, [this] { m_checkTimer.start(); });
    connect(this, &QPlainTextEdit::blockCountChanged, this, [this] { setViewportMargins(lineNumberWidth(), 0, 0, 0); });
    connect(this, &QPlainTextEdit::updateRequest, this, &PolicyEditor::updateLineNumberArea);
    setViewportMargins(lineNumberWidth(), 0, 0, 0);
    applyPalette();
    setChecker(nullptr);
}

PolicyEditor::~PolicyEditor() = default;

void PolicyEditor::setChecker(std::shared_ptr<const PolicyChecker> checker)
{
    m_checker = std::move(checker);
    if (!m_checker)
        m_checker = std::make_shared<const PolicyChecker>(QString(), nullptr);
    m_words->setStringList(completionWords());
    checkNow();
}

QStringList PolicyEditor::completionWords() const
{
    QStringList words = m_checker->vocabulary().words() + scopedAttributes(m_checker->vocabulary());
    words.append({QStringLiteral("@id(\"\")"), QStringLiteral("@title(\"\")")});
    words.sort(Qt::CaseInsensitive);
    words.removeDuplicates();
    return words;
}

bool PolicyEditor::hasErrors() const
{
    for (const PolicyDiagnostic &d : m_diagnostics) {
        if (d.severity == PolicyDiagnostic::Severity::Error)
            return true;
    }
    return false;
}

void PolicyEditor::checkNow()
{
    m_checkTimer.stop();
    m_diagnostics = m_checker->check(toPlainText());
    showDiagnostics();
    Q_EMIT diagnosticsChanged(m_diagnostics);
}

void PolicyEditor::showDiagnostics()
{
    QList<QTextEdit::ExtraSelection> selections;
    const int length = document()->characterCount() - 1;
    for (const PolicyDiagnostic &d : std::as_const(m_diagnostics)) {
        QTextEdit::ExtraSelection selection;
        selection.cursor = QTextCursor(document());
        const int begin = std::clamp(d.position, 0, std::max(0, length - 1));
        selection.cursor.setPosition(begin);
        selection.cursor.setPosition(std::clamp(begin + d.length, begin, length), QTextCursor::KeepAnchor);
        if (!selection.cursor.hasSelection() && begin > 0) {
            // A problem at the very end (a missing `;`): underline the last character instead of nothing.
            selection.cursor.setPosition(begin - 1);
            selection.cursor.setPosition(begin, QTextCursor::KeepAnchor);
        }
        selection.format.setUnderlineStyle(QTextCharFormat::WaveUnderline);
        selection.format.setUnderlineColor(d.severity == PolicyDiagnostic::Severity::Error ? QColor(0xd0, 0x2b, 0x2b)
                                                                                          : QColor(0xd8, 0x8a, 0x00));
        selection.format.setToolTip(d.message);
        selections.append(selection);
    }
    setExtraSelections(selections);
}

bool PolicyEditor::formatPolicies(QString *error)
{
    const QByteArray utf8 = toPlainText().toUtf8();
    const auto parsed = cedar::PolicyParser::parse(std::string_view(utf8.constData(), size_t(utf8.size())));
    if (!parsed.ok()) {
        const auto &d = parsed.diagnostics.front();
        *error = tr("Cannot format: line %1, column %2: %3")
                     .arg(d.location.line)
                     .arg(d.location.column)
                     .arg(QString::fromStdString(d.message));
        return false;
    }
    const QString formatted = QString::fromStdString(cedar::formatPolicySet(parsed.policySet));
    if (formatted == toPlainText())
        return true;
    // One edit block: a single undo brings the text back.
    QTextCursor cursor(document());
    cursor.beginEditBlock();
    cursor.select(QTextCursor::Document);
    cursor.insertText(formatted);
    cursor.endEditBlock();
    checkNow();
    return true;
}

void PolicyEditor::insertPolicy(const QString &text)
{
    QTextCursor cursor = textCursor();
    cursor.beginEditBlock();
    cursor.movePosition(QTextCursor::EndOfBlock);
    QString insert = text.trimmed() + QLatin1Char('\n');
    if (!cursor.block().text().isEmpty() || cursor.position() > 0)
        insert.prepend(QStringLiteral("\n"));
    cursor.insertText(insert);
    cursor.endEditBlock();
    setTextCursor(cursor);
    checkNow();
}

void PolicyEditor::moveCursorTo(int position)
{
    QTextCursor cursor = textCursor();
    cursor.setPosition(std::clamp(position, 0, document()->characterCount() - 1));
    setTextCursor(cursor);
    ensureCursorVisible();
    setFocus();
}

bool PolicyEditor::viewportEvent(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const int position = cursorForPosition(help->pos()).position();
        QStringList messages;
        for (const PolicyDiagnostic &d : std::as_const(m_diagnostics)) {
            if (position >= d.position && position <= d.position + d.length)
                messages.append(d.message);
        }
        if (messages.isEmpty())
            QToolTip::hideText();
        else
            QToolTip::showText(help->globalPos(), messages.join(QLatin1Char('\n')), viewport());
        return true;
    }
    return QPlainTextEdit::viewportEvent(event);
}

QString PolicyEditor::completionPrefix() const
{
    const QTextCursor cursor = textCursor();
    const QString line = cursor.block().text().left(cursor.positionInBlock());
    qsizetype start = line.size();
    while (start > 0 && isCompletionChar(line.at(start - 1)))
        --start;
    return line.mid(start);
}

void PolicyEditor::complete(bool explicitly)
{
    const QString prefix = completionPrefix();
    if (!explicitly && (prefix.size() < 2 || prefix.startsWith(QLatin1Char('"')))) {
        m_completer->popup()->hide();
        return;
    }
    if (prefix != m_completer->completionPrefix()) {
        m_completer->setCompletionPrefix(prefix);
        m_completer->popup()->setCurrentIndex(m_completer->completionModel()->index(0, 0));
    }
    const int matches = m_completer->completionCount();
    if (matches == 0 || (matches == 1 && m_completer->currentCompletion() == prefix)) {
        m_completer->popup()->hide();
        return;
    }
    QRect rect = cursorRect();
    rect.moveLeft(rect.left() + viewportMargins().left());
    rect.setWidth(m_completer->popup()->sizeHintForColumn(0) + m_completer->popup()->verticalScrollBar()->sizeHint().width() + 8);
    m_completer->complete(rect);
}

void PolicyEditor::insertCompletion(const QString &completion)
{
    QTextCursor cursor = textCursor();
    const QString prefix = completionPrefix();
    cursor.movePosition(QTextCursor::Left, QTextCursor::KeepAnchor, int(prefix.size()));
    cursor.insertText(completion);
    // Annotations are completed with the cursor between their quotes.
    if (completion.endsWith(QLatin1String("(\"\")")))
        cursor.movePosition(QTextCursor::Left, QTextCursor::MoveAnchor, 2);
    setTextCursor(cursor);
}

void PolicyEditor::keyPressEvent(QKeyEvent *event)
{
    if (m_completer->popup()->isVisible()) {
        switch (event->key()) {
        case Qt::Key_Enter:
        case Qt::Key_Return:
        case Qt::Key_Escape:
        case Qt::Key_Tab:
        case Qt::Key_Backtab:
            event->ignore(); // the completer takes these
            return;
        default: break;
        }
    }
    const bool explicitly = event->key() == Qt::Key_Space && (event->modifiers() & Qt::ControlModifier);
    if (!explicitly)
        QPlainTextEdit::keyPressEvent(event);
    const QString typed = event->text();
    if (explicitly || (!typed.isEmpty() && isCompletionChar(typed.back())))
        complete(explicitly);
    else if (m_completer->popup()->isVisible())
        m_completer->popup()->hide();
}

int PolicyEditor::lineNumberWidth() const
{
    int digits = 2;
    for (int max = std::max(1, blockCount()); max >= 100; max /= 10)
        ++digits;
    return 10 + fontMetrics().horizontalAdvance(QLatin1Char('9')) * digits;
}

void PolicyEditor::updateLineNumberArea(const QRect &rect, int dy)
{
    if (dy)
        m_lineNumbers->scroll(0, dy);
    else
        m_lineNumbers->update(0, rect.y(), m_lineNumbers->width(), rect.height());
}

void PolicyEditor::resizeEvent(QResizeEvent *event)
{
    QPlainTextEdit::resizeEvent(event);
    const QRect area = contentsRect();
    m_lineNumbers->setGeometry(QRect(area.left(), area.top(), lineNumberWidth(), area.height()));
}

void PolicyEditor::changeEvent(QEvent *event)
{
    QPlainTextEdit::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        applyPalette();
}

void PolicyEditor::applyPalette()
{
    m_highlighter->setDarkBackground(palette().color(QPalette::Base).lightness() < 128);
}

void PolicyEditor::paintLineNumbers(QPaintEvent *event)
{
    QPainter painter(m_lineNumbers);
    painter.fillRect(event->rect(), palette().color(QPalette::AlternateBase));
    QSet<int> flagged;
    QSet<int> errors;
    for (const PolicyDiagnostic &d : std::as_const(m_diagnostics)) {
        flagged.insert(d.line);
        if (d.severity == PolicyDiagnostic::Severity::Error)
            errors.insert(d.line);
    }
    QTextBlock block = firstVisibleBlock();
    int top = qRound(blockBoundingGeometry(block).translated(contentOffset()).top());
    int bottom = top + qRound(blockBoundingRect(block).height());
    while (block.isValid() && top <= event->rect().bottom()) {
        if (block.isVisible() && bottom >= event->rect().top()) {
            const int line = block.blockNumber() + 1;
            QColor color = palette().color(QPalette::PlaceholderText);
            if (flagged.contains(line))
                color = errors.contains(line) ? QColor(0xd0, 0x2b, 0x2b) : QColor(0xd8, 0x8a, 0x00);
            painter.setPen(color);
            painter.drawText(0, top, m_lineNumbers->width() - 5, fontMetrics().height(), Qt::AlignRight, QString::number(line));
        }
        block = block.next();
        top = bottom;
        bottom = top + qRound(blockBoundingRect(block).height());
    }
}

} // namespace chainsight

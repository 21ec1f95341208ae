#pragma once

#include "PolicyChecker.h"

#include <QPlainTextEdit>
#include <QTimer>

#include <memory>

class QCompleter;
class QStringListModel;

namespace chainsight {

class PolicyHighlighter;

// A Cedar policy editor: syntax colours, line numbers, completion of entity types, actions, context attributes
// and workspace entities (Ctrl+Space, or as one types), diagnostics checked as one types and underlined with their
// message as tooltip, and formatting as one undoable step. Undo and redo are the document's own.
class PolicyEditor final : public QPlainTextEdit
{
    Q_OBJECT
public:
    explicit PolicyEditor(QWidget *parent = nullptr);
    ~PolicyEditor() override;

    // The schema and workspace the text is checked and completed against; null checks syntax only.
    void setChecker(std::shared_ptr<const PolicyChecker> checker);
    QList<PolicyDiagnostic> diagnostics() const { return m_diagnostics; }
    bool hasErrors() const;
    // Rewrites the text in Cedar's canonical layout (comments are dropped, as `policy format` does); false with
    // *error set when the text does not parse.
    bool formatPolicies(QString *error);
    // Inserts policy text at the cursor, on lines of its own.
    void insertPolicy(const QString &text);
    void moveCursorTo(int position);
    // The words completion offers, for tests.
    QStringList completionWords() const;
    void checkNow();

Q_SIGNALS:
    void diagnosticsChanged(const QList<chainsight::PolicyDiagnostic> &diagnostics);

protected:
    bool viewportEvent(QEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    friend class LineNumberArea;
    int lineNumberWidth() const;
    void paintLineNumbers(QPaintEvent *event);
    void updateLineNumberArea(const QRect &rect, int dy);
    void showDiagnostics();
    QString completionPrefix() const;
    void complete(bool explicitly);
    void insertCompletion(const QString &completion);
    void applyPalette();

    QWidget *m_lineNumbers;
    PolicyHighlighter *m_highlighter;
    QCompleter *m_completer;
    QStringListModel *m_words;
    QTimer m_checkTimer;
    std::shared_ptr<const PolicyChecker> m_checker;
    QList<PolicyDiagnostic> m_diagnostics;
};

} // namespace chainsight

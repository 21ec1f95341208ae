#pragma once

#include "Review.h"

#include <QDialog>

class QComboBox;
class QDateEdit;
class QLabel;
class QLineEdit;
class QPlainTextEdit;

namespace chainsight {

// Asks for one review: subject, status, comment, reviewer (the OS user by default), and the expiry or owner
// the status needs. OK stays refused until the draft is complete.
class ReviewDialog final : public QDialog
{
    Q_OBJECT
public:
    explicit ReviewDialog(QWidget *parent = nullptr);

    void setSubject(ReviewSubjectKind kind, const QString &subject);
    ReviewDraft draft() const;

    QComboBox *statusBox() const { return m_status; }
    QPlainTextEdit *commentEdit() const { return m_comment; }

    void accept() override;

private:
    void updateFields();

    QComboBox *m_kind;
    QLineEdit *m_subject;
    QComboBox *m_status;
    QPlainTextEdit *m_comment;
    QLineEdit *m_reviewer;
    QDateEdit *m_expires;
    QLineEdit *m_owner;
    QLabel *m_problem;
};

} // namespace chainsight

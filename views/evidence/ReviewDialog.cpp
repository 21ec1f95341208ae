#include "ReviewDialog.h"

#include <QComboBox>
#include <QDateEdit>
#include <QDateTime>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace chainsight {

ReviewDialog::ReviewDialog(QWidget *parent)
    : QDialog(parent)
    , m_kind(new QComboBox(this))
    , m_subject(new QLineEdit(this))
    , m_status(new QComboBox(this))
    , m_comment(new QPlainTextEdit(this))
    , m_reviewer(new QLineEdit(this))
    , m_expires(new QDateEdit(this))
    , m_owner(new QLineEdit(this))
    , m_problem(new QLabel(this))
{
    setWindowTitle(tr("Review"));
    for (const ReviewSubjectKind kind : {ReviewSubjectKind::Chain, ReviewSubjectKind::Finding, ReviewSubjectKind::Identity})
        m_kind->addItem(reviewSubjectKindName(kind), static_cast<int>(kind));
    for (const ReviewStatus status : {ReviewStatus::Approved, ReviewStatus::AcceptedRisk, ReviewStatus::NeedsRemediation,
                                      ReviewStatus::FalsePositive})
        m_status->addItem(reviewStatusLabel(status), static_cast<int>(status));
    m_subject->setAccessibleName(tr("Subject"));
    m_comment->setAccessibleName(tr("Comment"));
    m_comment->setPlaceholderText(tr("Why: what you checked and what you decided"));
    m_comment->setTabChangesFocus(true);
    m_reviewer->setText(defaultReviewerName());
    m_reviewer->setAccessibleName(tr("Reviewer"));
    m_expires->setCalendarPopup(true);
    m_expires->setDisplayFormat(QStringLiteral("yyyy-MM-dd"));
    m_expires->setDate(QDate::currentDate().addDays(90));
    m_expires->setMinimumDate(QDate::currentDate().addDays(1));
    m_owner->setPlaceholderText(tr("Who fixes it"));
    m_problem->setTextFormat(Qt::PlainText);
    m_problem->setWordWrap(true);
    m_problem->setStyleSheet(QStringLiteral("color: #c62828"));

    auto *form = new QFormLayout;
    form->addRow(tr("Kind"), m_kind);
    form->addRow(tr("Subject"), m_subject);
    form->addRow(tr("Status"), m_status);
    form->addRow(tr("Accepted until"), m_expires);
    form->addRow(tr("Remediation owner"), m_owner);
    form->addRow(tr("Reviewer"), m_reviewer);
    form->addRow(tr("Comment"), m_comment);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Record review"));
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(new QLabel(tr("Reviews are append-only: a later review of the same subject supersedes this one."), this));
    layout->addWidget(m_problem);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &ReviewDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &ReviewDialog::reject);
    connect(m_status, &QComboBox::currentIndexChanged, this, &ReviewDialog::updateFields);
    updateFields();
    resize(460, 380);
}

void ReviewDialog::setSubject(ReviewSubjectKind kind, const QString &subject)
{
    m_kind->setCurrentIndex(m_kind->findData(static_cast<int>(kind)));
    m_subject->setText(subject);
    m_comment->setFocus();
}

ReviewDraft ReviewDialog::draft() const
{
    ReviewDraft draft;
    draft.subjectKind = static_cast<ReviewSubjectKind>(m_kind->currentData().toInt());
    draft.subject = m_subject->text().trimmed();
    draft.status = static_cast<ReviewStatus>(m_status->currentData().toInt());
    draft.comment = m_comment->toPlainText().trimmed();
    draft.reviewer = m_reviewer->text().trimmed();
    if (draft.status == ReviewStatus::AcceptedRisk)
        draft.expires = m_expires->date();
    if (draft.status == ReviewStatus::NeedsRemediation)
        draft.remediationOwner = m_owner->text().trimmed();
    return draft;
}

void ReviewDialog::accept()
{
    const QString problem = reviewDraftProblem(draft(), QDateTime::currentDateTimeUtc().date());
    if (!problem.isEmpty()) {
        m_problem->setText(problem);
        return;
    }
    QDialog::accept();
}

void ReviewDialog::updateFields()
{
    const auto status = static_cast<ReviewStatus>(m_status->currentData().toInt());
    m_expires->setEnabled(status == ReviewStatus::AcceptedRisk);
    m_owner->setEnabled(status == ReviewStatus::NeedsRemediation);
    m_problem->clear();
}

} // namespace chainsight

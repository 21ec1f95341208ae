#pragma once

#include "Finding.h"
#include "Review.h"

#include <QWidget>

class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;

namespace chainsight {

class ReviewLogModel;

// The review log of the open workspace with its coverage (chains and findings reviewed, by status; high
// findings nobody reviewed) and whether the hash chain verifies. Loads and appends off the GUI thread.
class ReviewPanel final : public QWidget
{
    Q_OBJECT
public:
    explicit ReviewPanel(QWidget *parent = nullptr);

    // The workspace and its current findings; reloads the log, the chains and the coverage.
    void setWorkspace(const QString &path, const QList<Finding> &findings);
    void reload();
    // Opens the review dialog for this subject (from a context menu on a finding, chain or identity).
    void requestReview(ReviewSubjectKind kind, const QString &subject);
    void requestFindingReview(const Finding &finding);

    ReviewLogModel *model() const { return m_model; }
    QString coverageText() const;
    QString verificationText() const;

Q_SIGNALS:
    void reviewAdded(qint64 recordId);
    void reviewFailed(const QString &message);
    void loaded();

private:
    void append(const ReviewDraft &draft);
    void updateSummary();
    void showDetails();

    QString m_path;
    QList<Finding> m_findings;
    QStringList m_chainKeys;
    QStringList m_identityIds;
    int m_generation = 0;
    ReviewLogModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QLabel *m_coverage;
    QLabel *m_verification;
    QLineEdit *m_filter;
    QPushButton *m_add;
    QTableView *m_view;
    QPlainTextEdit *m_details;
};

} // namespace chainsight

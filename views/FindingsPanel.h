#pragma once

#include "Finding.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTableView;

namespace chainsight {

class FindingFilterProxyModel;
class FindingListModel;

// The findings of the latest analysis: sortable, filterable by text and minimum severity, with the
// selected finding's explanation and evidence below.
class FindingsPanel final : public QWidget
{
    Q_OBJECT
public:
    explicit FindingsPanel(QWidget *parent = nullptr);

    void setFindings(QList<Finding> findings);

    FindingListModel *model() const { return m_model; }
    FindingFilterProxyModel *proxy() const { return m_proxy; }
    QComboBox *severityFilter() const { return m_severity; }
    QComboBox *ruleFilter() const { return m_rule; }
    QComboBox *timeFilter() const { return m_time; }
    // Selects the first finding of that rule and subject; false when there is none.
    bool selectFinding(const QString &rule, const QString &subject);

Q_SIGNALS:
    // The reviewer moved to another finding: its chain and evidence should be shown everywhere.
    void findingSelected(const chainsight::Finding &finding);
    void revocationListRequested();
    // "Review…" from the context menu: the reviewer wants to record a decision on this finding.
    void reviewRequested(const chainsight::Finding &finding);

private:
    void showDetails();
    void updateSummary();
    void applyTimeRange();

    FindingListModel *m_model;
    FindingFilterProxyModel *m_proxy;
    QLineEdit *m_filter;
    QComboBox *m_severity;
    QComboBox *m_rule;
    QComboBox *m_time;
    qint64 m_latestMs = 0; // last seen of the newest finding: time ranges count back from it

    QPushButton *m_revocation;
    QLabel *m_summary;
    QTableView *m_view;
    QPlainTextEdit *m_details;
};

} // namespace chainsight

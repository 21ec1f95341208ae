#pragma once

#include "Finding.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
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

private:
    void showDetails();
    void updateSummary();

    FindingListModel *m_model;
    FindingFilterProxyModel *m_proxy;
    QLineEdit *m_filter;
    QComboBox *m_severity;
    QLabel *m_summary;
    QTableView *m_view;
    QPlainTextEdit *m_details;
};

} // namespace chainsight

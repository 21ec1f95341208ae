#pragma once

#include "Workspace.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QTableView;

namespace chainsight {

class IdentityFilterProxyModel;
class IdentityListModel;

// Every identity with the protocols it was seen in and its aliases; shadow identities stand out.
class IdentitiesPanel final : public QWidget
{
    Q_OBJECT
public:
    explicit IdentitiesPanel(QWidget *parent = nullptr);

    void setIdentities(QList<IdentitySummary> identities);

    IdentityListModel *model() const { return m_model; }
    IdentityFilterProxyModel *proxy() const { return m_proxy; }
    QComboBox *kindFilter() const { return m_kind; }

private:
    void showDetails();
    void updateSummary();

    IdentityListModel *m_model;
    IdentityFilterProxyModel *m_proxy;
    QLineEdit *m_filter;
    QComboBox *m_kind;
    QLabel *m_summary;
    QTableView *m_view;
    QPlainTextEdit *m_details;
};

} // namespace chainsight

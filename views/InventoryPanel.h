#pragma once

#include "Workspace.h"

#include <QWidget>

class QCheckBox;
class QLabel;
class QLineEdit;
class QTableView;

namespace chainsight {

class AgentCredentialsModel;
class AgentFilterProxyModel;
class AgentInventoryModel;

// The agents of the workspace: role, owner ("no owner" stands out), purpose, intents, credentials;
// sortable, filterable, with the selected agent's credentials below.
class InventoryPanel final : public QWidget
{
    Q_OBJECT
public:
    explicit InventoryPanel(QWidget *parent = nullptr);

    void setAgents(QList<AgentSummary> agents);

    AgentInventoryModel *model() const { return m_model; }
    AgentFilterProxyModel *proxy() const { return m_proxy; }
    QTableView *view() const { return m_view; }
    QLineEdit *filterEdit() const { return m_filter; }

private:
    void showDetails();
    void updateSummary();

    AgentInventoryModel *m_model;
    AgentFilterProxyModel *m_proxy;
    AgentCredentialsModel *m_credentials;
    QLineEdit *m_filter;
    QCheckBox *m_onlyOrphans;
    QLabel *m_summary;
    QTableView *m_view;
    QLabel *m_detailTitle;
    QTableView *m_credentialView;
};

} // namespace chainsight

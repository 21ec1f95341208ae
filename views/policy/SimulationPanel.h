#pragma once

#include "PolicySession.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QTabWidget;
class QTableView;
class QTreeView;

namespace chainsight {

class PolicyDiffModel;
class SimulationCharts;
class SimulationFilterProxy;
class SimulationResultModel;
class ReplayExplainer;

// The results of the latest replay: a table of actions with decision and determining policies (filter by
// decision, policy and flips, search, sort) with the selected action's why-not explanation; charts of decisions
// over time and denials per principal and policy; and for a diff, the flips grouped by policy or by chain.
// Progress and Cancel while a replay runs.
class SimulationPanel final : public QWidget
{
    Q_OBJECT
public:
    explicit SimulationPanel(PolicySession *session, QWidget *parent = nullptr);
    ~SimulationPanel() override;

    void showOutcome(const SimulationOutcome &outcome);
    const SimulationOutcome &outcome() const { return m_outcome; }
    // Brings a tab to the front: "actions", "charts" or "diff".
    bool showTab(const QString &name);

    SimulationResultModel *model() const { return m_model; }
    SimulationFilterProxy *proxy() const { return m_proxy; }
    PolicyDiffModel *diffModel() const { return m_diffModel; }
    SimulationCharts *charts() const { return m_charts; }
    QLabel *summary() const { return m_summary; }

Q_SIGNALS:
    // A replay finished: the graph can mark what would have been denied and what flipped.
    void outcomeShown(const chainsight::SimulationOutcome &outcome);

private:
    void showExplanation();
    void applyFilters();
    void setRunning(bool running);

    PolicySession *m_session;
    SimulationOutcome m_outcome;
    QString m_summaryText;
    std::unique_ptr<ReplayExplainer> m_explainer;
    SimulationResultModel *m_model;
    SimulationFilterProxy *m_proxy;
    PolicyDiffModel *m_diffModel;
    QLabel *m_summary;
    QProgressBar *m_progress;
    QPushButton *m_cancel;
    QTabWidget *m_tabs;
    QComboBox *m_decision;
    QComboBox *m_policy;
    QCheckBox *m_flipsOnly;
    QLineEdit *m_search;
    QTableView *m_table;
    QPlainTextEdit *m_explanation;
    SimulationCharts *m_charts;
    QComboBox *m_grouping;
    QTreeView *m_diffTree;
};

} // namespace chainsight

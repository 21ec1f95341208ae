#pragma once

#include "Chain.h"
#include "Finding.h"
#include "IdentityGraph.h"

#include <QWidget>

#include <memory>

class QComboBox;
class QDateTimeEdit;
class QLabel;
class QLineEdit;
class QMenu;
class QScrollArea;
class QToolButton;

namespace chainsight {

class DelegationGraphData;
class DelegationGraphScene;
class DelegationGraphView;
class GraphDetailsPanel;
class GraphLegend;

// The delegation graph page of the main window: search, filters and export above, the graph, and beside
// it the details of the current node or edge over the legend. Layout runs in the background; a reload keeps the places
// of the nodes that were already there.
class DelegationGraphPage final : public QWidget
{
    Q_OBJECT
public:
    explicit DelegationGraphPage(QWidget *parent = nullptr);
    ~DelegationGraphPage() override;

    void setGraph(std::shared_ptr<const IdentityGraph> graph, std::shared_ptr<const ChainSet> chains, QList<Finding> findings);
    // For the GUI's own data, or a test: shows an already built graph now.
    void showGraph(std::shared_ptr<const DelegationGraphData> graph);

    // A finding, a chain or an action picked elsewhere: mark its path here and bring it into view.
    void showFinding(const Finding &finding);
    void showChain(const QString &chainKey);
    void showAction(const QString &chainKey, qint64 eventId);

    void focusSearch();
    void findNext();
    void findPrevious();
    bool exportView(const QString &path, QString *error);

    DelegationGraphScene *scene() const { return m_scene; }
    DelegationGraphView *view() const { return m_view; }
    GraphDetailsPanel *details() const { return m_details; }
    GraphLegend *legend() const { return m_legendPanel; }
    QLineEdit *searchField() const { return m_search; }
    QComboBox *protocolFilter() const { return m_protocol; }
    QComboBox *ruleFilter() const { return m_rule; }
    QComboBox *severityFilter() const { return m_severity; }
    QComboBox *periodFilter() const { return m_period; }

    // The context menu of a node, an edge (node -1) or the background (both -1).
    void fillContextMenu(QMenu &menu, int node, int edge);

Q_SIGNALS:
    // The graph of the latest setGraph() is laid out and shown.
    void graphShown();
    // "Review…" from the context menu: the reviewer wants to record a decision on this identity or chain.
    void identityReviewRequested(const QString &identityId);
    void chainReviewRequested(const QString &chainKey);

private:
    void applyFilter();
    void updatePeriodBounds();
    void updateSearchSummary();
    void goToMatch(int step);
    void showContextMenu(int node, int edge, const QPoint &globalPos);
    void chooseExport();
    void updateStatus();
    void showMarks();
    void fitLegendScroll();

    DelegationGraphScene *m_scene;
    DelegationGraphView *m_view;
    GraphDetailsPanel *m_details;
    QLineEdit *m_search;
    QLabel *m_matches;
    QComboBox *m_period;
    QDateTimeEdit *m_from;
    QDateTimeEdit *m_to;
    QComboBox *m_protocol;
    QComboBox *m_rule;
    QComboBox *m_severity;
    QToolButton *m_legend;
    GraphLegend *m_legendPanel;
    QScrollArea *m_legendScroll;
    QLabel *m_status;
    int m_match = -1;
    int m_generation = 0;
    bool m_fitPending = true;
};

} // namespace chainsight

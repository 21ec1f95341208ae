#pragma once

#include "DelegationGraphData.h"

#include <QFont>
#include <QGraphicsScene>
#include <QStaticText>

#include <memory>
#include <optional>
#include <vector>

namespace chainsight {

class GraphCanvasItem;

// What the filters of the graph keep. Time bounds are epoch milliseconds; 0 leaves that end open.
struct GraphFilter
{
    qint64 fromMs = 0;
    qint64 toMs = 0;
    QString protocol;
    QString rule;
    std::optional<FindingSeverity> minimumSeverity;

    bool isActive() const { return fromMs > 0 || toMs > 0 || !protocol.isEmpty() || hasFindingTerms(); }
    bool hasFindingTerms() const { return !rule.isEmpty() || minimumSeverity.has_value(); }
};

// The delegation graph with what the reviewer does to it: the current node or edge, collapsed subtrees,
// filters, a highlighted path and search matches. Node and edge numbers are those of the identity graph.
// Free of widgets, so that the painter also serves exports made with only a QGuiApplication.
class DelegationGraphState
{
public:
    DelegationGraphState();
    virtual ~DelegationGraphState();
    DelegationGraphState(const DelegationGraphState &) = delete;
    DelegationGraphState &operator=(const DelegationGraphState &) = delete;

    // Keeps the current node, collapsed nodes and search by node id across a reload.
    void setGraph(std::shared_ptr<const DelegationGraphData> graph);
    const DelegationGraphData *graph() const { return m_graph.get(); }
    std::shared_ptr<const DelegationGraphData> sharedGraph() const { return m_graph; }
    bool isEmpty() const { return !m_graph || m_graph->nodeCount() == 0; }
    QRectF graphBounds() const;

    int currentNode() const { return m_currentNode; }
    int currentEdge() const { return m_currentEdge; }
    void setCurrentNode(int node);
    void setCurrentEdge(int edge);
    void clearCurrent();

    void setFilter(const GraphFilter &filter);
    const GraphFilter &filter() const { return m_filter; }
    bool isNodeVisible(int node) const { return node >= 0 && static_cast<size_t>(node) < m_nodeVisible.size() && m_nodeVisible[static_cast<size_t>(node)]; }
    bool isEdgeVisible(int edge) const { return edge >= 0 && static_cast<size_t>(edge) < m_edgeVisible.size() && m_edgeVisible[static_cast<size_t>(edge)]; }
    int visibleNodeCount() const { return m_visibleNodes; }
    int visibleEdgeCount() const { return m_visibleEdges; }

    // Collapsing hides what only this node leads to; nothing else moves.
    void setCollapsed(int node, bool collapsed);
    void toggleCollapsed(int node) { setCollapsed(node, !isCollapsed(node)); }
    bool isCollapsed(int node) const;
    bool canCollapse(int node) const;
    int hiddenBelow(int node) const; // nodes hidden because this one is collapsed

    void setHighlight(GraphMarks marks);
    void clearHighlight() { setHighlight({}); }
    const GraphMarks &highlight() const { return m_highlight; }
    bool hasHighlight() const { return !m_highlight.isEmpty(); }
    void highlightPathToOriginators(int node);
    void highlightFinding(const Finding &finding);
    void highlightAction(const QString &chainKey, qint64 eventId);
    void highlightChain(const QString &chainKey);

    // Case-insensitive on id, label and owner; matches run top to bottom, column by column.
    int setSearchText(const QString &text);
    const std::vector<int> &searchMatches() const { return m_matches; }
    bool isSearchMatch(int node) const { return node >= 0 && static_cast<size_t>(node) < m_isMatch.size() && m_isMatch[static_cast<size_t>(node)]; }

    int nodeAt(const QPointF &scenePos) const;
    int edgeAt(const QPointF &scenePos, double tolerance) const;
    enum class Step { Up, Down, Left, Right };
    // The visible node a key press moves to: above or below in the column, a delegator or a delegate.
    int stepFrom(int node, Step step) const;

    // Labels fitted to their boxes, built once per node when first drawn in detail.
    const QStaticText &labelText(int node) const;
    const QStaticText &ownerText(int node) const;
    QFont labelFont() const { return m_labelFont; }
    QFont ownerFont() const { return m_ownerFont; }

protected:
    enum class Change {
        Graph,   // a new graph: new bounds
        Current, // the current node or edge moved
        Content, // what is visible or marked
        Looks,   // only how it is drawn (search matches)
    };
    virtual void stateChanged(Change) {}

private:
    void recomputeVisibility();

    std::shared_ptr<const DelegationGraphData> m_graph;
    int m_currentNode = -1;
    int m_currentEdge = -1;
    GraphFilter m_filter;
    std::vector<char> m_collapsed;
    std::vector<int> m_hiddenBelow;
    std::vector<char> m_nodeVisible;
    std::vector<char> m_edgeVisible;
    int m_visibleNodes = 0;
    int m_visibleEdges = 0;
    GraphMarks m_highlight;
    QString m_searchText;
    std::vector<int> m_matches;
    std::vector<char> m_isMatch;
    QFont m_labelFont;
    QFont m_ownerFont;
    mutable std::vector<QStaticText> m_labels;
    mutable std::vector<QStaticText> m_owners;
    mutable std::vector<char> m_labelReady;
};

// The graph on one canvas item (no item per node or edge: a large workspace has tens of thousands).
class DelegationGraphScene final : public QGraphicsScene, public DelegationGraphState
{
    Q_OBJECT
public:
    explicit DelegationGraphScene(QObject *parent = nullptr);
    ~DelegationGraphScene() override;

    // On screen, repaints and scrolling reuse what was drawn (device pixels); off by default so that
    // render() into SVG or PDF stays vector.
    void setDeviceCacheEnabled(bool enabled);

Q_SIGNALS:
    void currentChanged();
    void contentChanged(); // the graph, what is visible, or what is marked: repaint and refresh the overview

protected:
    void stateChanged(Change change) override;
    void dropDeviceCache();

private:
    GraphCanvasItem *m_canvas;
};

} // namespace chainsight

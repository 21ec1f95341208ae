#include "DelegationGraphScene.h"

#include "GraphPainter.h"

#include <QFontMetricsF>
#include <QGraphicsItem>
#include <QPainter>
#include <QStyleOptionGraphicsItem>

#include <algorithm>
#include <cmath>

namespace chainsight {
namespace {

size_t at(int index)
{
    return static_cast<size_t>(index);
}

constexpr double sceneMargin = 80;

double distanceToSegment(const QPointF &p, const QPointF &a, const QPointF &b)
{
    const QPointF ab = b - a;
    const double length = QPointF::dotProduct(ab, ab);
    const double t = length > 0 ? std::clamp(QPointF::dotProduct(p - a, ab) / length, 0.0, 1.0) : 0.0;
    const QPointF closest = a + ab * t;
    return std::hypot(p.x() - closest.x(), p.y() - closest.y());
}

} // namespace

// The whole graph as one item: it culls to the exposed area and picks the level of detail from the zoom.
class GraphCanvasItem final : public QGraphicsItem
{
public:
    explicit GraphCanvasItem(const DelegationGraphState &state)
        : m_state(state)
    {
        setFlag(ItemUsesExtendedStyleOption);
    }

    void setBounds(const QRectF &bounds)
    {
        prepareGeometryChange();
        m_bounds = bounds;
    }

    QRectF boundingRect() const override { return m_bounds; }

    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *) override
    {
        // A fresh device cache is handed the whole item as exposed; only what lands on the device matters.
        QRectF exposed = option->exposedRect;
        if (const QPaintDevice *device = painter->device()) {
            bool invertible = false;
            const QTransform inverse = painter->worldTransform().inverted(&invertible);
            if (invertible)
                exposed &= inverse.mapRect(QRectF(0, 0, device->width(), device->height()));
        }
        paintDelegationGraph(painter, m_state, exposed);
    }

private:
    const DelegationGraphState &m_state;
    QRectF m_bounds;
};

DelegationGraphState::DelegationGraphState()
{
    m_labelFont.setPixelSize(12);
    m_labelFont.setWeight(QFont::DemiBold);
    m_ownerFont.setPixelSize(10);
}

DelegationGraphState::~DelegationGraphState() = default;

DelegationGraphScene::DelegationGraphScene(QObject *parent)
    : QGraphicsScene(parent)
    , m_canvas(new GraphCanvasItem(*this))
{
    // Rebuilt wholesale and drawn by one item: an index would only cost time.
    setItemIndexMethod(NoIndex);
    addItem(m_canvas);
}

DelegationGraphScene::~DelegationGraphScene() = default;

void DelegationGraphScene::setDeviceCacheEnabled(bool enabled)
{
    // Repaints without a change (an overlay moved, the window was exposed) and scrolling reuse what was
    // drawn: Qt keeps the visible part in device pixels and paints only newly exposed strips.
    m_canvas->setCacheMode(enabled ? QGraphicsItem::DeviceCoordinateCache : QGraphicsItem::NoCache);
}

void DelegationGraphScene::dropDeviceCache()
{
    // What changed is drawn everywhere at once: drop every cached pixel rather than trust update() alone,
    // which left strips of the previous state when the view scrolled to the change in the same event.
    const QGraphicsItem::CacheMode mode = m_canvas->cacheMode();
    if (mode != QGraphicsItem::NoCache) {
        m_canvas->setCacheMode(QGraphicsItem::NoCache);
        m_canvas->setCacheMode(mode);
    }
    m_canvas->update();
}

void DelegationGraphScene::stateChanged(Change change)
{
    if (change == Change::Graph) {
        const QRectF bounds = graphBounds().adjusted(-sceneMargin, -sceneMargin, sceneMargin, sceneMargin);
        m_canvas->setBounds(bounds);
        setSceneRect(bounds);
        dropDeviceCache();
        return;
    }
    dropDeviceCache();
    if (change == Change::Current)
        Q_EMIT currentChanged();
    else if (change == Change::Content)
        Q_EMIT contentChanged();
}

QRectF DelegationGraphState::graphBounds() const
{
    return m_graph ? m_graph->layout().bounds : QRectF();
}

void DelegationGraphState::setGraph(std::shared_ptr<const DelegationGraphData> graph)
{
    // Carry what the reviewer did over to the new graph by node id.
    QStringList collapsedIds;
    QString currentId;
    if (m_graph) {
        for (int v = 0; v < m_graph->nodeCount(); ++v) {
            if (m_collapsed[at(v)])
                collapsedIds.append(m_graph->node(v).id);
        }
        if (m_currentNode >= 0)
            currentId = m_graph->node(m_currentNode).id;
    }
    m_graph = std::move(graph);
    const int nodeCount = m_graph ? m_graph->nodeCount() : 0;
    m_collapsed.assign(at(nodeCount), 0);
    for (const QString &id : std::as_const(collapsedIds)) {
        const int v = m_graph->nodeIndex(id);
        if (v >= 0)
            m_collapsed[at(v)] = 1;
    }
    m_labels.assign(at(nodeCount), QStaticText());
    m_owners.assign(at(nodeCount), QStaticText());
    m_labelReady.assign(at(nodeCount), 0);
    m_highlight = {};
    m_currentEdge = -1;
    m_currentNode = currentId.isEmpty() || !m_graph ? -1 : m_graph->nodeIndex(currentId);
    stateChanged(Change::Graph);
    recomputeVisibility();
    setSearchText(m_searchText);
    stateChanged(Change::Content);
    stateChanged(Change::Current);
}

void DelegationGraphState::setCurrentNode(int node)
{
    if (!m_graph || node < 0 || node >= m_graph->nodeCount())
        node = -1;
    if (node == m_currentNode && m_currentEdge < 0)
        return;
    m_currentNode = node;
    m_currentEdge = -1;
    stateChanged(Change::Current);
}

void DelegationGraphState::setCurrentEdge(int edge)
{
    if (!m_graph || edge < 0 || edge >= m_graph->edgeCount())
        edge = -1;
    if (edge == m_currentEdge && m_currentNode < 0)
        return;
    m_currentEdge = edge;
    m_currentNode = -1;
    stateChanged(Change::Current);
}

void DelegationGraphState::clearCurrent()
{
    if (m_currentNode < 0 && m_currentEdge < 0)
        return;
    m_currentNode = -1;
    m_currentEdge = -1;
    stateChanged(Change::Current);
}

void DelegationGraphState::setFilter(const GraphFilter &filter)
{
    m_filter = filter;
    recomputeVisibility();
    setSearchText(m_searchText);
    stateChanged(Change::Content);
}

bool DelegationGraphState::isCollapsed(int node) const
{
    return node >= 0 && at(node) < m_collapsed.size() && m_collapsed[at(node)];
}

bool DelegationGraphState::canCollapse(int node) const
{
    return m_graph && !m_graph->outEdges(node).empty();
}

int DelegationGraphState::hiddenBelow(int node) const
{
    return node >= 0 && at(node) < m_hiddenBelow.size() ? m_hiddenBelow[at(node)] : 0;
}

void DelegationGraphState::setCollapsed(int node, bool collapsed)
{
    if (!m_graph || node < 0 || node >= m_graph->nodeCount() || isCollapsed(node) == collapsed)
        return;
    m_collapsed[at(node)] = collapsed ? 1 : 0;
    recomputeVisibility();
    setSearchText(m_searchText);
    if (m_currentNode >= 0 && !isNodeVisible(m_currentNode))
        setCurrentNode(node);
    stateChanged(Change::Content);
}

void DelegationGraphState::recomputeVisibility()
{
    const int nodeCount = m_graph ? m_graph->nodeCount() : 0;
    const int edgeCount = m_graph ? m_graph->edgeCount() : 0;
    m_nodeVisible.assign(at(nodeCount), 1);
    m_edgeVisible.assign(at(edgeCount), 1);
    m_hiddenBelow.assign(at(nodeCount), 0);
    if (!m_graph)
        return;
    const DelegationGraphData &graph = *m_graph;

    // Collapsed subtrees: what is reachable below a collapsed node and not reachable around it.
    if (std::find(m_collapsed.begin(), m_collapsed.end(), 1) != m_collapsed.end()) {
        std::vector<char> below(at(nodeCount), 0);
        std::vector<int> stack;
        for (int v = 0; v < nodeCount; ++v) {
            if (!m_collapsed[at(v)])
                continue;
            for (int e : graph.outEdges(v)) {
                const int w = graph.edge(e).target;
                if (!below[at(w)]) {
                    below[at(w)] = 1;
                    stack.push_back(w);
                }
            }
        }
        while (!stack.empty()) {
            const int v = stack.back();
            stack.pop_back();
            for (int e : graph.outEdges(v)) {
                const int w = graph.edge(e).target;
                if (!below[at(w)]) {
                    below[at(w)] = 1;
                    stack.push_back(w);
                }
            }
        }
        std::vector<char> reached(at(nodeCount), 0);
        for (int v = 0; v < nodeCount; ++v) {
            if (!below[at(v)]) {
                reached[at(v)] = 1;
                stack.push_back(v);
            }
        }
        while (!stack.empty()) {
            const int v = stack.back();
            stack.pop_back();
            if (m_collapsed[at(v)])
                continue;
            for (int e : graph.outEdges(v)) {
                const int w = graph.edge(e).target;
                if (!reached[at(w)]) {
                    reached[at(w)] = 1;
                    stack.push_back(w);
                }
            }
        }
        for (int v = 0; v < nodeCount; ++v)
            m_nodeVisible[at(v)] = reached[at(v)];
        // How much each collapsed node hides, for its "+N" marker.
        std::vector<int> seen(at(nodeCount), -1);
        for (int c = 0; c < nodeCount; ++c) {
            if (!m_collapsed[at(c)] || !reached[at(c)])
                continue;
            int hidden = 0;
            stack.assign(1, c);
            while (!stack.empty()) {
                const int v = stack.back();
                stack.pop_back();
                for (int e : graph.outEdges(v)) {
                    const int w = graph.edge(e).target;
                    if (!reached[at(w)] && seen[at(w)] != c) {
                        seen[at(w)] = c;
                        ++hidden;
                        stack.push_back(w);
                    }
                }
            }
            m_hiddenBelow[at(c)] = hidden;
        }
    }

    if (m_filter.isActive()) {
        std::vector<char> findingEdges;
        std::vector<char> findingNodes;
        if (m_filter.hasFindingTerms()) {
            findingEdges.assign(at(edgeCount), 0);
            findingNodes.assign(at(nodeCount), 0);
            for (const Finding &finding : graph.findings()) {
                if (!m_filter.rule.isEmpty() && finding.rule != m_filter.rule)
                    continue;
                if (m_filter.minimumSeverity && finding.severity < *m_filter.minimumSeverity)
                    continue;
                const GraphMarks marks = graph.pathOfFinding(finding);
                for (size_t i = 0; i < marks.nodes.size(); ++i)
                    findingNodes[i] |= marks.nodes[i];
                for (size_t i = 0; i < marks.edges.size(); ++i)
                    findingEdges[i] |= marks.edges[i];
            }
        }
        std::vector<char> touched(at(nodeCount), 0);
        for (int e = 0; e < edgeCount; ++e) {
            const IdentityGraphEdge &edge = graph.edge(e);
            bool keep = true;
            // An edge with no recorded time cannot be shown to fall inside a time range.
            if ((m_filter.fromMs > 0 || m_filter.toMs > 0) && edge.lastTimeMs <= 0)
                keep = false;
            if (m_filter.fromMs > 0 && edge.lastTimeMs < m_filter.fromMs)
                keep = false;
            if (m_filter.toMs > 0 && edge.firstTimeMs > m_filter.toMs)
                keep = false;
            if (!m_filter.protocol.isEmpty() && !edge.protocols.contains(m_filter.protocol))
                keep = false;
            if (!findingEdges.empty() && !findingEdges[at(e)])
                keep = false;
            m_edgeVisible[at(e)] = keep ? 1 : 0;
            if (keep) {
                touched[at(edge.source)] = 1;
                touched[at(edge.target)] = 1;
            }
        }
        for (int v = 0; v < nodeCount; ++v) {
            const bool named = !findingNodes.empty() && findingNodes[at(v)];
            if (!touched[at(v)] && !named)
                m_nodeVisible[at(v)] = 0;
        }
    }
    m_visibleNodes = 0;
    m_visibleEdges = 0;
    for (int v = 0; v < nodeCount; ++v)
        m_visibleNodes += m_nodeVisible[at(v)];
    for (int e = 0; e < edgeCount; ++e) {
        const IdentityGraphEdge &edge = graph.edge(e);
        const bool valid = edge.source >= 0 && edge.target >= 0 && edge.source < nodeCount && edge.target < nodeCount;
        m_edgeVisible[at(e)] = valid && m_edgeVisible[at(e)] && m_nodeVisible[at(edge.source)] && m_nodeVisible[at(edge.target)];
        m_visibleEdges += m_edgeVisible[at(e)];
    }
}

void DelegationGraphState::setHighlight(GraphMarks marks)
{
    m_highlight = std::move(marks);
    stateChanged(Change::Content);
}

void DelegationGraphState::highlightPathToOriginators(int node)
{
    if (m_graph)
        setHighlight(m_graph->pathToOriginators(node));
}

void DelegationGraphState::highlightFinding(const Finding &finding)
{
    if (!m_graph)
        return;
    GraphMarks marks = m_graph->pathOfFinding(finding);
    const int focus = marks.focusNode;
    setHighlight(std::move(marks));
    if (focus >= 0)
        setCurrentNode(focus);
}

void DelegationGraphState::highlightAction(const QString &chainKey, qint64 eventId)
{
    if (m_graph)
        setHighlight(m_graph->pathOfAction(chainKey, eventId));
}

void DelegationGraphState::highlightChain(const QString &chainKey)
{
    if (m_graph)
        setHighlight(m_graph->chainMarks(chainKey));
}

int DelegationGraphState::setSearchText(const QString &text)
{
    m_searchText = text.trimmed();
    m_matches.clear();
    const int nodeCount = m_graph ? m_graph->nodeCount() : 0;
    m_isMatch.assign(at(nodeCount), 0);
    if (!m_searchText.isEmpty()) {
        for (int v = 0; v < nodeCount; ++v) {
            if (!m_nodeVisible[at(v)])
                continue;
            const IdentityGraphNode &node = m_graph->node(v);
            if (node.id.contains(m_searchText, Qt::CaseInsensitive) || node.label.contains(m_searchText, Qt::CaseInsensitive)
                || node.owner.contains(m_searchText, Qt::CaseInsensitive)) {
                m_matches.push_back(v);
                m_isMatch[at(v)] = 1;
            }
        }
        const LayoutResult &layout = m_graph->layout();
        std::sort(m_matches.begin(), m_matches.end(), [&layout](int a, int b) {
            const int la = layout.nodeLayer[at(a)];
            const int lb = layout.nodeLayer[at(b)];
            return la != lb ? la < lb : layout.nodeBoxes[at(a)].top() < layout.nodeBoxes[at(b)].top();
        });
    }
    stateChanged(Change::Looks);
    return static_cast<int>(m_matches.size());
}

int DelegationGraphState::nodeAt(const QPointF &scenePos) const
{
    if (!m_graph)
        return -1;
    for (int v = 0; v < m_graph->nodeCount(); ++v) {
        if (m_nodeVisible[at(v)] && m_graph->box(v).contains(scenePos))
            return v;
    }
    return -1;
}

int DelegationGraphState::edgeAt(const QPointF &scenePos, double tolerance) const
{
    if (!m_graph)
        return -1;
    int best = -1;
    double bestDistance = tolerance;
    for (int e = 0; e < m_graph->edgeCount(); ++e) {
        if (!m_edgeVisible[at(e)] || !m_graph->edgeBounds(e).adjusted(-tolerance, -tolerance, tolerance, tolerance).contains(scenePos))
            continue;
        // The drawn curve between two points stays between them; its polyline is close enough to pick.
        const auto route = m_graph->layout().route(e);
        for (size_t i = 1; i < route.size(); ++i) {
            const QPointF a = route[i - 1];
            const QPointF b = route[i];
            const double mid = (a.x() + b.x()) / 2;
            const double distance = std::min({distanceToSegment(scenePos, a, QPointF(mid, a.y())),
                                              distanceToSegment(scenePos, QPointF(mid, a.y()), QPointF(mid, b.y())),
                                              distanceToSegment(scenePos, QPointF(mid, b.y()), b),
                                              distanceToSegment(scenePos, a, b)});
            if (distance < bestDistance) {
                bestDistance = distance;
                best = e;
            }
        }
    }
    return best;
}

int DelegationGraphState::stepFrom(int node, Step step) const
{
    if (!m_graph || node < 0 || node >= m_graph->nodeCount())
        return -1;
    const LayoutResult &layout = m_graph->layout();
    const QPointF centre = layout.centre(node);
    int best = -1;
    double bestDistance = 0;
    const auto consider = [&](int v, double distance) {
        if (v != node && isNodeVisible(v) && (best < 0 || distance < bestDistance)) {
            best = v;
            bestDistance = distance;
        }
    };
    switch (step) {
    case Step::Up:
    case Step::Down:
        for (int v = 0; v < m_graph->nodeCount(); ++v) {
            if (layout.nodeLayer[at(v)] != layout.nodeLayer[at(node)])
                continue;
            const double dy = layout.centre(v).y() - centre.y();
            if ((step == Step::Up && dy < 0) || (step == Step::Down && dy > 0))
                consider(v, std::abs(dy));
        }
        break;
    case Step::Left:
        for (int e : m_graph->inEdges(node)) {
            if (isEdgeVisible(e))
                consider(m_graph->edge(e).source, std::abs(layout.centre(m_graph->edge(e).source).y() - centre.y()));
        }
        break;
    case Step::Right:
        for (int e : m_graph->outEdges(node)) {
            if (isEdgeVisible(e))
                consider(m_graph->edge(e).target, std::abs(layout.centre(m_graph->edge(e).target).y() - centre.y()));
        }
        break;
    }
    return best;
}

const QStaticText &DelegationGraphState::labelText(int node) const
{
    if (!m_labelReady[at(node)]) {
        const QRectF &box = m_graph->box(node);
        const double room = box.width() - 20;
        const QString label = QFontMetricsF(m_labelFont).elidedText(m_graph->label(node), Qt::ElideMiddle, room);
        m_labels[at(node)] = QStaticText(label);
        m_labels[at(node)].setTextFormat(Qt::PlainText);
        m_labels[at(node)].prepare(QTransform(), m_labelFont);
        const GraphNodeKind kind = m_graph->kind(node);
        QString owner;
        if (kind == GraphNodeKind::Shadow)
            owner = QObject::tr("shadow: not in the inventory");
        else if (isAgentKind(kind))
            owner = m_graph->node(node).owner.isEmpty() ? QObject::tr("NO OWNER") : QObject::tr("owner: %1").arg(m_graph->node(node).owner);
        owner = QFontMetricsF(m_ownerFont).elidedText(owner, Qt::ElideRight, room);
        m_owners[at(node)] = QStaticText(owner);
        m_owners[at(node)].setTextFormat(Qt::PlainText);
        m_owners[at(node)].prepare(QTransform(), m_ownerFont);
        m_labelReady[at(node)] = 1;
    }
    return m_labels[at(node)];
}

const QStaticText &DelegationGraphState::ownerText(int node) const
{
    labelText(node);
    return m_owners[at(node)];
}

} // namespace chainsight

#include "GraphDetailsPanel.h"

#include "DelegationGraphScene.h"
#include "GraphPainter.h"

#include <QDateTime>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QTextBrowser>
#include <QUrl>
#include <QVBoxLayout>

#include <algorithm>

namespace chainsight {
namespace {

constexpr int listedNeighbours = 40; // a tool called by thousands lists the busiest few

QString escaped(const QString &text)
{
    return text.toHtmlEscaped();
}

QString percent(double share)
{
    return QStringLiteral("%1 %").arg(share * 100, 0, 'f', 0);
}

QString timeText(qint64 ms)
{
    return ms > 0 ? QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(QStringLiteral("yyyy-MM-dd HH:mm 'UTC'")) : QString();
}

QString colourName(std::uint32_t rgb)
{
    return graphColour(rgb).name();
}

} // namespace

GraphDetailsPanel::GraphDetailsPanel(DelegationGraphScene *scene, QWidget *parent)
    : QWidget(parent)
    , m_scene(scene)
    , m_title(new QLabel(this))
    , m_text(new QTextBrowser(this))
    , m_path(new QPushButton(tr("&Path"), this))
    , m_collapse(new QPushButton(tr("C&ollapse"), this))
    , m_centre(new QPushButton(tr("&Centre"), this))
{
    m_title->setTextFormat(Qt::PlainText);
    m_title->setWordWrap(true);
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.15);
    m_title->setFont(titleFont);
    m_text->setOpenLinks(false);
    m_text->setAccessibleName(tr("Details of the selected node or edge"));
    m_path->setAccessibleName(tr("Highlight the path from the originating human"));
    m_path->setToolTip(m_path->accessibleName() + tr(" (P in the graph)"));
    m_collapse->setToolTip(tr("Hide or show what only this node leads to (Space in the graph)"));
    setMinimumWidth(220);
    // A few lines are enough to start reading (it scrolls); its preferred height is ignored so that the
    // legend below is shown whole first and the details take the rest.
    m_text->setMinimumHeight(3 * m_text->fontMetrics().lineSpacing() + 2 * m_text->frameWidth());
    m_text->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Ignored);
    m_collapse->setAccessibleName(tr("Collapse or expand the subtree"));
    m_centre->setAccessibleName(tr("Centre the graph on the selection"));
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_path);
    buttons->addWidget(m_collapse);
    buttons->addWidget(m_centre);
    buttons->addStretch();
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(m_title);
    layout->addLayout(buttons);
    layout->addWidget(m_text, 1);

    connect(m_text, &QTextBrowser::anchorClicked, this, [this](const QUrl &url) {
        if (url.scheme() == QLatin1String("node"))
            Q_EMIT nodeRequested(url.path().toInt());
    });
    connect(m_path, &QPushButton::clicked, this, [this] {
        if (m_scene->currentNode() >= 0)
            m_scene->highlightPathToOriginators(m_scene->currentNode());
        else if (m_scene->currentEdge() >= 0 && m_scene->graph())
            m_scene->setHighlight(m_scene->graph()->pathOfEdge(m_scene->currentEdge()));
    });
    connect(m_collapse, &QPushButton::clicked, this, [this] {
        if (m_scene->currentNode() >= 0)
            m_scene->toggleCollapsed(m_scene->currentNode());
    });
    connect(m_centre, &QPushButton::clicked, this, [this] {
        if (m_scene->currentNode() >= 0)
            Q_EMIT centreRequested(m_scene->currentNode());
        else if (m_scene->currentEdge() >= 0 && m_scene->graph())
            Q_EMIT centreRequested(m_scene->graph()->edge(m_scene->currentEdge()).source);
    });
    connect(m_scene, &DelegationGraphScene::currentChanged, this, &GraphDetailsPanel::refresh);
    connect(m_scene, &DelegationGraphScene::contentChanged, this, &GraphDetailsPanel::refresh);
    refresh();
}

void GraphDetailsPanel::refresh()
{
    const DelegationGraphData *graph = m_scene->graph();
    const int node = m_scene->currentNode();
    const int edge = m_scene->currentEdge();
    m_collapse->setEnabled(node >= 0 && (m_scene->isCollapsed(node) || m_scene->canCollapse(node)));
    m_collapse->setText(node >= 0 && m_scene->isCollapsed(node) ? tr("&Expand") : tr("C&ollapse"));
    m_path->setEnabled(node >= 0 || edge >= 0);
    m_centre->setEnabled(node >= 0 || edge >= 0);
    if (!graph || (node < 0 && edge < 0)) {
        m_title->setText(graph && graph->nodeCount() > 0 ? tr("Nothing selected") : tr("No delegation graph yet"));
        m_text->setHtml(graph && graph->nodeCount() > 0
                            ? tr("<p>Click a node or an edge, or use the arrow keys in the graph, to see its details here. "
                                 "Double-click a node to bring it close.</p>")
                            : tr("<p>Import audit trails to see who delegated to whom.</p>"));
        return;
    }
    if (node >= 0) {
        m_title->setText(QStringLiteral("%1 — %2").arg(graph->label(node), graphNodeKindName(graph->kind(node))));
        m_text->setHtml(nodeHtml(node));
    } else {
        const IdentityGraphEdge &e = graph->edge(edge);
        m_title->setText(QStringLiteral("%1 → %2").arg(graph->label(e.source), graph->label(e.target)));
        m_text->setHtml(edgeHtml(edge));
    }
}

QString GraphDetailsPanel::nodeHtml(int node) const
{
    const DelegationGraphData &graph = *m_scene->graph();
    const IdentityGraphNode &n = graph.node(node);
    const GraphNodeKind kind = graph.kind(node);
    QString html;
    html += QStringLiteral("<table cellspacing='2'>");
    const auto row = [&html](const QString &name, const QString &value) {
        html += QStringLiteral("<tr><td><b>%1</b></td><td>%2</td></tr>").arg(name, value);
    };
    row(tr("Id"), escaped(n.id));
    row(tr("Kind"), escaped(graphNodeKindName(kind)) + (n.role.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(escaped(n.role))));
    if (isAgentKind(kind)) {
        row(tr("Owner"), n.owner.isEmpty() ? QStringLiteral("<span style='color:%1'><b>%2</b></span>").arg(colourName(graphstyle::noOwner), tr("no owner"))
                                           : escaped(n.owner));
    }
    row(tr("Chains"), QString::number(n.chainCount));
    if (n.findingCount > 0) {
        row(tr("Findings"), QStringLiteral("<span style='color:%1'><b>%2</b></span> (%3)")
                                .arg(colourName(graphstyle::badge)).arg(n.findingCount).arg(escaped(n.findingRules.join(QStringLiteral(", ")))));
    }
    if (m_scene->isCollapsed(node))
        row(tr("Collapsed"), tr("%n node(s) hidden below", nullptr, m_scene->hiddenBelow(node)));
    html += QStringLiteral("</table>");

    const auto neighbours = [&](const QString &heading, std::span<const int> edges, bool outgoing) {
        if (edges.empty())
            return;
        std::vector<int> sorted(edges.begin(), edges.end());
        std::sort(sorted.begin(), sorted.end(), [&graph](int a, int b) { return graph.edge(a).count > graph.edge(b).count; });
        html += QStringLiteral("<h4>%1 (%2)</h4><ul>").arg(heading).arg(sorted.size());
        for (size_t i = 0; i < sorted.size() && i < listedNeighbours; ++i) {
            const IdentityGraphEdge &e = graph.edge(sorted[i]);
            const int other = outgoing ? e.target : e.source;
            const QString hidden = m_scene->isNodeVisible(other) ? QString() : tr(" <i>(hidden)</i>");
            html += QStringLiteral("<li><a href='node:%1'>%2</a>%3 — %4 × %5, retention <span style='color:%6'>%7</span>%8</li>")
                        .arg(other)
                        .arg(escaped(graph.label(other)), hidden)
                        .arg(e.count)
                        .arg(escaped(e.protocols.join(QStringLiteral("/"))), colourName(graphstyle::retentionColour(e.retention)),
                             percent(e.retention),
                             e.findingCount > 0 ? tr(", <b>%n finding(s)</b>", nullptr, e.findingCount) : QString());
        }
        if (sorted.size() > listedNeighbours)
            html += QStringLiteral("<li>%1</li>").arg(tr("and %n more", nullptr, static_cast<int>(sorted.size() - listedNeighbours)));
        html += QStringLiteral("</ul>");
    };
    neighbours(tr("Delegated by"), graph.inEdges(node), false);
    std::vector<int> delegates;
    std::vector<int> calls;
    for (int e : graph.outEdges(node))
        (graph.edge(e).kind == IdentityGraphEdgeKind::Calls ? calls : delegates).push_back(e);
    neighbours(tr("Delegates to"), delegates, true);
    neighbours(tr("Calls"), calls, true);
    return html;
}

QString GraphDetailsPanel::edgeHtml(int edge) const
{
    const DelegationGraphData &graph = *m_scene->graph();
    const IdentityGraphEdge &e = graph.edge(edge);
    QString html = QStringLiteral("<table cellspacing='2'>");
    const auto row = [&html](const QString &name, const QString &value) {
        html += QStringLiteral("<tr><td><b>%1</b></td><td>%2</td></tr>").arg(name, value);
    };
    row(tr("From"), QStringLiteral("<a href='node:%1'>%2</a>").arg(e.source).arg(escaped(graph.label(e.source))));
    row(tr("To"), QStringLiteral("<a href='node:%1'>%2</a>").arg(e.target).arg(escaped(graph.label(e.target))));
    row(tr("Kind"), e.kind == IdentityGraphEdgeKind::Delegates ? tr("delegates") : tr("calls a tool"));
    row(tr("Protocols"), escaped(e.protocols.join(QStringLiteral(", "))));
    row(e.kind == IdentityGraphEdgeKind::Delegates ? tr("Hops") : tr("Calls"), QString::number(e.count));
    row(tr("Retention"), QStringLiteral("<span style='color:%1'><b>%2</b></span>").arg(colourName(graphstyle::retentionColour(e.retention)), percent(e.retention)));
    if (e.firstTimeMs > 0)
        row(tr("Seen"), tr("%1 to %2").arg(timeText(e.firstTimeMs), timeText(e.lastTimeMs)));
    if (e.findingCount > 0)
        row(tr("Findings"), QStringLiteral("<span style='color:%1'><b>%2</b></span>").arg(colourName(graphstyle::badge)).arg(e.findingCount));
    html += QStringLiteral("</table>");
    if (!e.chainKeys.isEmpty()) {
        html += QStringLiteral("<h4>%1</h4><ul>").arg(tr("Chains through it"));
        for (const QString &key : e.chainKeys)
            html += QStringLiteral("<li><code>%1</code></li>").arg(escaped(key));
        html += QStringLiteral("</ul>");
    }
    return html;
}

} // namespace chainsight

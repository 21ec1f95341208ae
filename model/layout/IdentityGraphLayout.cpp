#include "IdentityGraphLayout.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <cmath>

namespace chainsight {
namespace {

double rounded(double value)
{
    return std::round(value * 10) / 10;
}

} // namespace

GraphNodeKind graphNodeKind(const IdentityGraphNode &node)
{
    switch (node.kind) {
    case ChainPartyKind::Human:
        return GraphNodeKind::Human;
    case ChainPartyKind::Tool:
        return GraphNodeKind::Tool;
    case ChainPartyKind::Shadow:
        return GraphNodeKind::Shadow;
    case ChainPartyKind::Unknown:
        return GraphNodeKind::UnknownOriginator;
    case ChainPartyKind::Agent:
        break;
    }
    if (node.role == QLatin1String("supervisor"))
        return GraphNodeKind::Supervisor;
    if (node.role == QLatin1String("worker"))
        return GraphNodeKind::Worker;
    if (node.role == QLatin1String("sub-agent"))
        return GraphNodeKind::SubAgent;
    return GraphNodeKind::Agent;
}

QString graphNodeKindName(GraphNodeKind kind)
{
    switch (kind) {
    case GraphNodeKind::Human:
        return QStringLiteral("human");
    case GraphNodeKind::Supervisor:
        return QStringLiteral("supervisor");
    case GraphNodeKind::Worker:
        return QStringLiteral("worker");
    case GraphNodeKind::SubAgent:
        return QStringLiteral("sub-agent");
    case GraphNodeKind::Agent:
        return QStringLiteral("agent");
    case GraphNodeKind::Tool:
        return QStringLiteral("tool");
    case GraphNodeKind::Shadow:
        return QStringLiteral("shadow");
    case GraphNodeKind::UnknownOriginator:
        return QStringLiteral("unknown");
    }
    return QString();
}

int graphRankClass(GraphNodeKind kind)
{
    switch (kind) {
    case GraphNodeKind::Human:
    case GraphNodeKind::UnknownOriginator:
        return 0;
    case GraphNodeKind::Supervisor:
    case GraphNodeKind::Agent:
    case GraphNodeKind::Shadow:
        return 1;
    case GraphNodeKind::Worker:
        return 2;
    case GraphNodeKind::SubAgent:
        return 3;
    case GraphNodeKind::Tool:
        return 4;
    }
    return 1;
}

QSizeF graphNodeSize(GraphNodeKind kind)
{
    switch (kind) {
    case GraphNodeKind::Human:
    case GraphNodeKind::UnknownOriginator:
        return {168, 34};
    case GraphNodeKind::Tool:
        return {168, 30};
    case GraphNodeKind::Supervisor:
    case GraphNodeKind::Worker:
    case GraphNodeKind::SubAgent:
    case GraphNodeKind::Agent:
    case GraphNodeKind::Shadow:
        return {184, 46}; // name, then the owner
    }
    return {168, 34};
}

bool isAgentKind(GraphNodeKind kind)
{
    return kind == GraphNodeKind::Supervisor || kind == GraphNodeKind::Worker || kind == GraphNodeKind::SubAgent
           || kind == GraphNodeKind::Agent || kind == GraphNodeKind::Shadow;
}

namespace graphstyle {

std::uint32_t fill(GraphNodeKind kind)
{
    switch (kind) {
    case GraphNodeKind::Human:
        return 0xe3f2fd;
    case GraphNodeKind::Supervisor:
        return 0xede7f6;
    case GraphNodeKind::Worker:
        return 0xe0f2f1;
    case GraphNodeKind::SubAgent:
        return 0xf1f8e9;
    case GraphNodeKind::Agent:
        return 0xf5f5f5;
    case GraphNodeKind::Tool:
        return 0xfff3e0;
    case GraphNodeKind::Shadow:
        return 0x424242;
    case GraphNodeKind::UnknownOriginator:
        return 0xfafafa;
    }
    return 0xffffff;
}

std::uint32_t stroke(GraphNodeKind kind)
{
    switch (kind) {
    case GraphNodeKind::Human:
        return 0x1e88e5;
    case GraphNodeKind::Supervisor:
        return 0x5e35b1;
    case GraphNodeKind::Worker:
        return 0x00897b;
    case GraphNodeKind::SubAgent:
        return 0x7cb342;
    case GraphNodeKind::Agent:
        return 0x757575;
    case GraphNodeKind::Tool:
        return 0xef6c00;
    case GraphNodeKind::Shadow:
        return 0x000000;
    case GraphNodeKind::UnknownOriginator:
        return 0x9e9e9e;
    }
    return 0x000000;
}

std::uint32_t retentionColour(double retention)
{
    // The chain inspector's bands: the work stayed on intent, was diluted, or was lost.
    if (retention >= 0.9)
        return 0x2e7d32;
    if (retention >= 0.5)
        return 0xb26a00;
    return 0xc62828;
}

std::vector<double> protocolDashes(const QString &protocol)
{
    if (protocol == QLatin1String("mcp"))
        return {1.5, 2.5};
    if (protocol == QLatin1String("oauth") || protocol == QLatin1String("keycloak") || protocol == QLatin1String("okta")
        || protocol == QLatin1String("tokens") || protocol == QLatin1String("jwt"))
        return {6, 3};
    if (protocol == QLatin1String("aws") || protocol == QLatin1String("cloudtrail"))
        return {8, 3, 2, 3};
    if (protocol == QLatin1String("entra"))
        return {8, 3, 2, 3, 2, 3};
    return {};
}

double edgeWidth(int count)
{
    return std::clamp(1.0 + std::log2(std::max(1, count)) * 0.7, 1.0, 6.0);
}

} // namespace graphstyle

LayoutGraph layoutGraphOf(const IdentityGraph &graph)
{
    LayoutGraph input;
    input.nodes.reserve(static_cast<size_t>(graph.nodes.size()));
    for (const IdentityGraphNode &node : graph.nodes) {
        const GraphNodeKind kind = graphNodeKind(node);
        const QSizeF size = graphNodeSize(kind);
        input.nodes.push_back({graphRankClass(kind), size.width(), size.height()});
    }
    input.edges.reserve(static_cast<size_t>(graph.edges.size()));
    for (const IdentityGraphEdge &edge : graph.edges)
        input.edges.push_back({edge.source, edge.target});
    return input;
}

QByteArray layoutJson(const IdentityGraph &graph, const LayoutResult &layout)
{
    QJsonArray nodes;
    for (qsizetype i = 0; i < graph.nodes.size() && i < layout.nodeCount(); ++i) {
        const IdentityGraphNode &node = graph.nodes.at(i);
        const QRectF &box = layout.nodeBoxes[static_cast<size_t>(i)];
        const GraphNodeKind kind = graphNodeKind(node);
        QJsonObject object{
            {QStringLiteral("id"), node.id},
            {QStringLiteral("kind"), graphNodeKindName(kind)},
            {QStringLiteral("label"), node.label.isEmpty() ? node.id : node.label},
            {QStringLiteral("x"), rounded(box.x())},
            {QStringLiteral("y"), rounded(box.y())},
            {QStringLiteral("w"), rounded(box.width())},
            {QStringLiteral("h"), rounded(box.height())},
            {QStringLiteral("layer"), layout.nodeLayer[static_cast<size_t>(i)]},
            {QStringLiteral("findings"), node.findingCount},
        };
        if (isAgentKind(kind))
            object.insert(QStringLiteral("owner"), node.owner.isEmpty() ? QJsonValue() : QJsonValue(node.owner));
        nodes.append(object);
    }
    QJsonArray edges;
    for (qsizetype i = 0; i < graph.edges.size() && i < layout.edgeCount(); ++i) {
        const IdentityGraphEdge &edge = graph.edges.at(i);
        if (edge.source < 0 || edge.target < 0 || edge.source >= graph.nodes.size() || edge.target >= graph.nodes.size())
            continue;
        QJsonArray points;
        for (const QPointF &point : layout.route(static_cast<int>(i)))
            points.append(QJsonArray{rounded(point.x()), rounded(point.y())});
        edges.append(QJsonObject{
            {QStringLiteral("source"), graph.nodes.at(edge.source).id},
            {QStringLiteral("target"), graph.nodes.at(edge.target).id},
            {QStringLiteral("kind"), edge.kind == IdentityGraphEdgeKind::Delegates ? QStringLiteral("delegates") : QStringLiteral("calls")},
            {QStringLiteral("protocols"), QJsonArray::fromStringList(edge.protocols)},
            {QStringLiteral("count"), edge.count},
            {QStringLiteral("retention"), std::round(edge.retention * 1000) / 1000},
            {QStringLiteral("findings"), edge.findingCount},
            {QStringLiteral("points"), points},
        });
    }
    const QRectF bounds = layout.bounds;
    const QJsonObject document{
        {QStringLiteral("width"), rounded(bounds.right())},
        {QStringLiteral("height"), rounded(bounds.bottom())},
        {QStringLiteral("nodes"), nodes},
        {QStringLiteral("edges"), edges},
    };
    return QJsonDocument(document).toJson(QJsonDocument::Indented);
}

} // namespace chainsight

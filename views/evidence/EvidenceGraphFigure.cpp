#include "EvidenceGraphFigure.h"

#include "IdentityGraphLayout.h"
#include "UntrustedText.h"

#include <QFontMetricsF>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>

namespace chainsight {
namespace {

QColor rgb(std::uint32_t value)
{
    return QColor::fromRgb(value);
}

void drawArrowHead(QPainter &painter, QPointF from, QPointF to, double size)
{
    const QLineF line(to, from);
    if (line.length() < 0.01)
        return;
    const double angle = std::atan2(-line.dy(), line.dx());
    const QPointF left = to + QPointF(std::cos(angle + 0.45) * size, -std::sin(angle + 0.45) * size);
    const QPointF right = to + QPointF(std::cos(angle - 0.45) * size, -std::sin(angle - 0.45) * size);
    painter.drawPolygon(QPolygonF{to, left, right});
}

} // namespace

void paintEvidenceGraph(QPainter &painter, const QRectF &bounds, const IdentityGraph &graph)
{
    painter.save();
    painter.setPen(QPen(QColor(0xd0, 0xd4, 0xda), 0.6));
    painter.setBrush(Qt::NoBrush);
    painter.drawRect(bounds);
    if (graph.nodes.isEmpty()) {
        painter.setPen(QColor(0x5f, 0x63, 0x68));
        painter.drawText(bounds, Qt::AlignCenter, QStringLiteral("No identity in scope."));
        painter.restore();
        return;
    }
    const LayoutResult layout = LayeredLayout::compute(layoutGraphOf(graph));
    const QRectF scene = layout.bounds.adjusted(-12, -12, 12, 12);
    const QRectF area = bounds.adjusted(6, 6, -6, -6);
    // A wide graph turned a quarter fills a portrait page better.
    const double upright = std::min(area.width() / scene.width(), area.height() / scene.height());
    const double turned = std::min(area.width() / scene.height(), area.height() / scene.width());
    const bool turn = turned > upright * 1.15;
    const double scale = std::min(1.0, turn ? turned : upright);
    painter.translate(area.center());
    if (turn)
        painter.rotate(-90);
    painter.scale(scale, scale);
    painter.translate(-scene.center());

    // Edges first, under the boxes: colour by retention, width by count, dashed for inferred protocols.
    for (int e = 0; e < layout.edgeCount() && e < graph.edges.size(); ++e) {
        const IdentityGraphEdge &edge = graph.edges.at(e);
        const auto route = layout.route(e);
        if (route.size() < 2)
            continue;
        QPainterPath path(route.front());
        for (std::size_t i = 1; i < route.size(); ++i)
            path.lineTo(route[i]);
        const QColor colour = rgb(graphstyle::retentionColour(edge.retention));
        QPen pen(colour, graphstyle::edgeWidth(edge.count));
        if (edge.kind == IdentityGraphEdgeKind::Calls)
            pen.setStyle(Qt::DashLine);
        pen.setCapStyle(Qt::FlatCap);
        painter.setPen(pen);
        painter.setBrush(Qt::NoBrush);
        painter.drawPath(path);
        painter.setPen(Qt::NoPen);
        painter.setBrush(colour);
        drawArrowHead(painter, route[route.size() - 2], route.back(), 7 + pen.widthF());
    }

    // Labels only where they would be at least 3 pt on the page.
    const bool labels = 10 * scale >= 3.0;
    QFont font(QStringLiteral("DejaVu Sans"));
    font.setPointSizeF(10);
    font.setHintingPreference(QFont::PreferNoHinting);
    QFont small = font;
    small.setPointSizeF(8);
    const QFontMetricsF metrics(font, painter.device());
    for (int n = 0; n < layout.nodeCount() && n < graph.nodes.size(); ++n) {
        const IdentityGraphNode &node = graph.nodes.at(n);
        const GraphNodeKind kind = graphNodeKind(node);
        const QRectF box = layout.nodeBoxes[static_cast<std::size_t>(n)];
        const bool ownerless = isAgentKind(kind) && node.owner.isEmpty();
        painter.setPen(QPen(rgb(ownerless ? graphstyle::noOwner : graphstyle::stroke(kind)), ownerless ? 2.2 : 1.2));
        painter.setBrush(rgb(graphstyle::fill(kind)));
        if (kind == GraphNodeKind::Human)
            painter.drawEllipse(box);
        else
            painter.drawRoundedRect(box, 6, 6);
        if (node.findingCount > 0) {
            const QRectF badge(box.right() - 9, box.top() - 7, 16, 16);
            painter.setPen(Qt::NoPen);
            painter.setBrush(rgb(graphstyle::badge));
            painter.drawEllipse(badge);
            if (labels) {
                painter.setPen(Qt::white);
                painter.setFont(small);
                painter.drawText(badge, Qt::AlignCenter, QString::number(node.findingCount));
            }
        }
        if (!labels)
            continue;
        // Dark boxes (shadow identities) take light text.
        const bool dark = rgb(graphstyle::fill(kind)).lightnessF() < 0.45;
        const QColor textColour = dark ? QColor(Qt::white) : rgb(graphstyle::text);
        painter.setPen(textColour);
        painter.setFont(font);
        const QString label = visibleText(node.label.isEmpty() ? node.id : node.label);
        const QRectF text = box.adjusted(6, 2, -6, -2);
        if (box.height() >= 40 && isAgentKind(kind)) {
            painter.drawText(QRectF(text.left(), text.top(), text.width(), text.height() / 2), Qt::AlignCenter,
                             metrics.elidedText(label, Qt::ElideMiddle, text.width()));
            painter.setFont(small);
            painter.setPen(ownerless && !dark ? rgb(graphstyle::noOwner) : textColour);
            const QString owner = ownerless ? QStringLiteral("no owner") : visibleText(node.owner);
            painter.drawText(QRectF(text.left(), text.center().y(), text.width(), text.height() / 2), Qt::AlignCenter,
                             QFontMetricsF(small, painter.device()).elidedText(owner, Qt::ElideMiddle, text.width()));
        } else {
            painter.drawText(text, Qt::AlignCenter, metrics.elidedText(label, Qt::ElideMiddle, text.width()));
        }
    }
    painter.restore();
}

} // namespace chainsight

#include "EvidenceGraphFigure.h"

#include "DelegationGraphData.h"
#include "DelegationGraphScene.h"
#include "GraphPainter.h"

#include <QPainter>

#include <algorithm>
#include <cmath>

namespace chainsight {
namespace {

const QColor frameColour(0xd0, 0xd4, 0xda);

double fitScale(const QRectF &area, const QRectF &source, bool turned)
{
    return turned ? std::min(area.width() / source.height(), area.height() / source.width())
                  : std::min(area.width() / source.width(), area.height() / source.height());
}

// Draws the source rectangle of the graph into area, a quarter turn anticlockwise when turned. A scene of its
// own on the painting thread: nothing is shared with the window's graph.
void renderRegion(QPainter &painter, const std::shared_ptr<const DelegationGraphData> &data, const QRectF &area,
                  const QRectF &source, bool turned)
{
    DelegationGraphScene scene;
    scene.setGraph(data);
    painter.save();
    painter.setClipRect(area);
    if (turned) {
        painter.translate(area.center());
        painter.rotate(-90);
        scene.render(&painter, QRectF(-area.height() / 2, -area.width() / 2, area.height(), area.width()), source, Qt::KeepAspectRatio);
    } else {
        scene.render(&painter, area, source, Qt::KeepAspectRatio);
    }
    painter.restore();
}

} // namespace

EvidenceGraphFigure::EvidenceGraphFigure(const IdentityGraph &graph)
    : m_data(DelegationGraphData::build(std::make_shared<const IdentityGraph>(graph), nullptr, {}))
{
    for (const IdentityGraphEdge &edge : graph.edges) {
        for (const QString &protocol : edge.protocols) {
            if (!m_protocols.contains(protocol))
                m_protocols.push_back(protocol);
        }
    }
    std::sort(m_protocols.begin(), m_protocols.end());
}

bool EvidenceGraphFigure::isEmpty() const
{
    return m_data->nodeCount() == 0;
}

QRectF EvidenceGraphFigure::sceneBounds() const
{
    return m_data->layout().bounds.adjusted(-16, -16, 16, 16);
}

bool EvidenceGraphFigure::tilesTurned() const
{
    return sceneBounds().width() > sceneBounds().height();
}

void EvidenceGraphFigure::render(QPainter &painter, const QRectF &area, const QRectF &source, bool allowTurn) const
{
    const bool turn = allowTurn && fitScale(area, source, true) > fitScale(area, source, false) * 1.15;
    renderRegion(painter, m_data, area, source, turn);
}

void EvidenceGraphFigure::paintOverview(QPainter &painter, const QRectF &bounds) const
{
    painter.save();
    painter.setPen(QPen(frameColour, 0.6));
    painter.setBrush(Qt::NoBrush);
    painter.drawRect(bounds);
    if (isEmpty()) {
        painter.setPen(QColor(0x5f, 0x63, 0x68));
        painter.drawText(bounds, Qt::AlignCenter, QStringLiteral("No identity in scope."));
        painter.restore();
        return;
    }
    // The legend in the top-left corner; the graph takes the rest of the box.
    const QSizeF legend = graphLegendSize(m_protocols, 1);
    const double legendScale = std::min({1.0, bounds.width() * 0.3 / legend.width(), bounds.height() * 0.45 / legend.height()});
    render(painter, bounds.adjusted(12 + legend.width() * legendScale, 6, -6, -6), sceneBounds(), true);
    painter.translate(bounds.topLeft() + QPointF(6, 6));
    painter.scale(legendScale, legendScale);
    paintGraphLegend(&painter, QPointF(0, 0), m_protocols, 1);
    painter.restore();
}

QList<QRectF> EvidenceGraphFigure::detailTiles(QSizeF pageArea, int maxTiles) const
{
    if (isEmpty())
        return {};
    const QRectF scene = sceneBounds();
    const bool turned = tilesTurned();
    const QSizeF area = turned ? pageArea.transposed() : pageArea;
    if (std::max(fitScale(QRectF(QPointF(), pageArea), scene, true), fitScale(QRectF(QPointF(), pageArea), scene, false)) >= labelScale)
        return {}; // the overview already draws labels
    // As few pieces as keep the scale at or above labelScale, then equal pieces: each is drawn a little larger.
    const int columns = static_cast<int>(std::ceil(scene.width() * labelScale / area.width()));
    const int rows = static_cast<int>(std::ceil(scene.height() * labelScale / area.height()));
    if (columns * rows > maxTiles)
        return {};
    const double tileWidth = scene.width() / columns;
    const double tileHeight = scene.height() / rows;
    QList<QRectF> tiles;
    for (int row = 0; row < rows; ++row) {
        for (int column = 0; column < columns; ++column)
            tiles.push_back(QRectF(scene.left() + column * tileWidth, scene.top() + row * tileHeight, tileWidth, tileHeight));
    }
    return tiles;
}

void EvidenceGraphFigure::paintTile(QPainter &painter, const QRectF &bounds, const QRectF &tile) const
{
    painter.save();
    painter.setPen(QPen(frameColour, 0.6));
    painter.setBrush(Qt::NoBrush);
    painter.drawRect(bounds);
    painter.restore();
    renderRegion(painter, m_data, bounds, tile, tilesTurned());
}

} // namespace chainsight

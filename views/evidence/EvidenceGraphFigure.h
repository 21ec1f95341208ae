#pragma once

#include "IdentityGraph.h"

#include <QList>
#include <QRectF>
#include <QStringList>

#include <memory>

class QPainter;

namespace chainsight {

class DelegationGraphData;

// The delegation graph of a report's scope, drawn by the graph view's own scene (views/graph) through
// QGraphicsScene::render, so the PDF holds the same vector shapes and text as the screen. Laid out once;
// each paint builds a scene on the painting thread.
class EvidenceGraphFigure final
{
public:
    explicit EvidenceGraphFigure(const IdentityGraph &graph);

    bool isEmpty() const;
    QRectF sceneBounds() const;
    // The whole graph fitted into `bounds` (turned a quarter when that makes it larger), legend in a corner.
    void paintOverview(QPainter &painter, const QRectF &bounds) const;
    // Pieces of the graph at a scale where the view draws labels, each filling a page area of `pageArea`
    // (turned when the graph is wider than tall); empty when the overview already shows labels or more
    // than `maxTiles` would be needed.
    QList<QRectF> detailTiles(QSizeF pageArea, int maxTiles) const;
    bool tilesTurned() const;
    void paintTile(QPainter &painter, const QRectF &bounds, const QRectF &tile) const;

    // The view draws labels from this scene-to-page scale on.
    static constexpr double labelScale = 0.52;

private:
    void render(QPainter &painter, const QRectF &bounds, const QRectF &source, bool allowTurn) const;

    std::shared_ptr<const DelegationGraphData> m_data;
    QStringList m_protocols;
};

} // namespace chainsight

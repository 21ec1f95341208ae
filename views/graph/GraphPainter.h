#pragma once

#include "DelegationGraphData.h"
#include "IdentityGraphLayout.h"

#include <QColor>
#include <QPainterPath>
#include <QPointF>
#include <QRectF>
#include <QTransform>

#include <cstdint>
#include <optional>
#include <span>

class QPainter;

namespace chainsight {

class DelegationGraphState;

// How much of the graph is drawn at a zoom: from far away only coloured marks, from mid range boxes and
// lines, close up shapes, curves, dashes, labels, owners and badges.
enum class GraphDetail { Overview, Structure, Full };
GraphDetail graphDetail(const QTransform &sceneToDevice);

// Paints what is visible of the state's graph inside `exposed` (scene coordinates) at the painter's transform.
void paintDelegationGraph(QPainter *painter, const DelegationGraphState &state, const QRectF &exposed);

QColor graphColour(std::uint32_t rgb, int alpha = 255);
QPainterPath graphNodeShape(GraphNodeKind kind, const QRectF &box);
// Straight runs through columns, S-curves with level ends between them.
QPainterPath graphEdgePath(std::span<const QPointF> route);

// The legend: node kinds, edge protocols, retention colours, width by count, finding badge, missing owner;
// in two columns (nodes, edges) or one. Painted at `topLeft` in the painter's coordinates; returns its area.
// With `marked`, one more entry says what the marked paths are (a path, denied actions, flips of a diff).
QRectF paintGraphLegend(QPainter *painter, const QPointF &topLeft, const QStringList &protocols, int columns = 2,
                        std::optional<GraphMarkKind> marked = std::nullopt);
QSizeF graphLegendSize(const QStringList &protocols, int columns = 2, std::optional<GraphMarkKind> marked = std::nullopt);
// The colour of marks of this kind.
std::uint32_t graphMarkColour(GraphMarkKind kind);

} // namespace chainsight

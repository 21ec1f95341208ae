#pragma once

#include "IdentityGraph.h"

#include <QRectF>

class QPainter;

namespace chainsight {

// The delegation graph of a report's scope as vector shapes and text: the layered layout and the colours
// the graph view and `chainsight-cli layout` use (model/layout), fitted into `bounds`, turned a quarter when
// that makes it larger. Labels are drawn only where they stay legible; the PDF zooms as far as one likes.
void paintEvidenceGraph(QPainter &painter, const QRectF &bounds, const IdentityGraph &graph);

} // namespace chainsight

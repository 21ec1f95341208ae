#pragma once

#include <QString>

namespace chainsight {

class DelegationGraphState;
class DelegationGraphView;

enum class GraphImageFormat { Svg, Png };
// From the file name's suffix (case-insensitive); false for anything else.
bool graphImageFormatFor(const QString &path, GraphImageFormat *format);

// The part of the graph the view shows, as drawn there, with the legend left of it when asked. SVG through
// QSvgGenerator, PNG at the screen's pixel ratio.
bool exportGraphView(DelegationGraphView *view, const QString &path, bool withLegend, QString *error);

// The whole graph at `scale` (scene units to pixels), the legend left of it; PNG is scaled down to stay
// within 16384 pixels a side. Needs a QGuiApplication (no widgets).
bool exportWholeGraph(const DelegationGraphState &state, const QString &path, double scale, QString *error);

} // namespace chainsight

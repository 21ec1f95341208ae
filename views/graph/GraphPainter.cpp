#include "GraphPainter.h"

#include "DelegationGraphScene.h"

#include <QFontMetricsF>
#include <QLine>
#include <QPainter>
#include <QPolygonF>

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

namespace chainsight {
namespace {

size_t at(int index)
{
    return static_cast<size_t>(index);
}

constexpr double fullDetailScale = 0.5;   // labels are at least 6 px tall from here
constexpr double structureScale = 0.12;   // boxes are at least 5 px tall from here
constexpr int dimmedAlpha = 45;
constexpr int denseEdgeCount = 400;     // visible edges beyond which close-ups draw passing edges faint
constexpr int denseAttachedCount = 150; // edges of boxes in view beyond which they are drawn plain too

QColor faded(const QColor &colour, double towardsWhite)
{
    return QColor::fromRgbF(static_cast<float>(colour.redF() + (1 - colour.redF()) * towardsWhite),
                            static_cast<float>(colour.greenF() + (1 - colour.greenF()) * towardsWhite),
                            static_cast<float>(colour.blueF() + (1 - colour.blueF()) * towardsWhite));
}

int retentionBand(double retention)
{
    return retention >= 0.9 ? 0 : retention >= 0.5 ? 1 : 2;
}

const std::array<double, 3> bandRetention{1.0, 0.7, 0.0};

QPen edgePen(const IdentityGraphEdge &edge, QColor colour, double width)
{
    QPen pen(colour, width);
    pen.setCapStyle(Qt::FlatCap);
    pen.setJoinStyle(Qt::RoundJoin);
    const std::vector<double> dashes = graphstyle::protocolDashes(edge.protocols.value(0));
    if (!dashes.empty())
        pen.setDashPattern(QList<qreal>(dashes.begin(), dashes.end()));
    return pen;
}

void drawArrowhead(QPainter *painter, std::span<const QPointF> route, const QColor &colour, double width, bool open)
{
    if (route.size() < 2)
        return;
    const QPointF tip = route.back();
    QPointF from = route[route.size() - 2];
    if (std::abs(from.x() - tip.x()) < 0.5 && route.size() > 2)
        from = route[route.size() - 3];
    const double direction = tip.x() >= from.x() ? 1.0 : -1.0; // routes end level: the arrow points along x
    const double length = 7 + width * 1.5;
    const double half = 3.5 + width;
    const QPolygonF head{tip, QPointF(tip.x() - direction * length, tip.y() - half), QPointF(tip.x() - direction * length, tip.y() + half)};
    painter->setPen(QPen(colour, 1.2));
    painter->setBrush(open ? QBrush(Qt::white) : QBrush(colour));
    painter->drawPolygon(head);
}

void drawBadge(QPainter *painter, const QPointF &centre, int count, const QFont &font)
{
    const QString text = count > 99 ? QStringLiteral("99+") : QString::number(count);
    const double radius = text.size() > 1 ? 10.5 : 9;
    painter->setPen(QPen(Qt::white, 1.5));
    painter->setBrush(graphColour(graphstyle::badge));
    painter->drawEllipse(centre, radius + (text.size() > 2 ? 3 : 0), radius);
    painter->setPen(Qt::white);
    painter->setFont(font);
    painter->drawText(QRectF(centre.x() - 14, centre.y() - radius, 28, 2 * radius), Qt::AlignCenter, text);
}

// Liang-Barsky: cuts the line to the rectangle; false when nothing of it is inside.
bool clipLine(QLineF &line, const QRectF &clip)
{
    const double dx = line.dx();
    const double dy = line.dy();
    double t0 = 0;
    double t1 = 1;
    const std::array<std::pair<double, double>, 4> bounds{{{-dx, line.x1() - clip.left()},
                                                          {dx, clip.right() - line.x1()},
                                                          {-dy, line.y1() - clip.top()},
                                                          {dy, clip.bottom() - line.y1()}}};
    for (const auto &[p, q] : bounds) {
        if (p == 0) {
            if (q < 0)
                return false;
            continue;
        }
        const double r = q / p;
        if (p < 0)
            t0 = std::max(t0, r);
        else
            t1 = std::min(t1, r);
        if (t0 > t1)
            return false;
    }
    const QPointF start = line.p1();
    line = QLineF(start + QPointF(dx, dy) * t0, start + QPointF(dx, dy) * t1);
    return true;
}

// Edges as straight lines in device pixels (the painter's transform already reset), batched by colour and
// width; the marked ones (path, current edge) on top in the highlight colour when `marked` says so.
void drawEdgeLines(QPainter *painter, const DelegationGraphState &state, const std::vector<int> &edges, const QTransform &toDevice,
                   double scale, bool marked, const QRectF &exposed, bool faint = false)
{
    const DelegationGraphData &graph = *state.graph();
    const bool dim = state.hasHighlight();
    const GraphMarks &marks = state.highlight();
    // Lines are cut to what is on screen: a wide pen strokes the whole length it is given.
    const QRectF deviceClip = toDevice.mapRect(exposed).adjusted(-8, -8, 8, 8);
    struct Bucket
    {
        QColor colour;
        int width;
        std::vector<QLineF> lines;
    };
    std::vector<Bucket> buckets;
    const auto bucketFor = [&](QColor colour, int width) -> std::vector<QLineF> & {
        for (Bucket &bucket : buckets) {
            if (bucket.colour == colour && bucket.width == width)
                return bucket.lines;
        }
        buckets.push_back({colour, width, {}});
        return buckets.back().lines;
    };
    std::vector<int> markedEdges;
    for (int e : edges) {
        if ((dim && marks.edges[at(e)]) || state.currentEdge() == e) {
            markedEdges.push_back(e);
            continue;
        }
        const IdentityGraphEdge &edge = graph.edge(e);
        const QColor colour = faint ? faded(graphColour(graphstyle::retentionColour(edge.retention)), dim ? 0.9 : 0.7)
                                    : graphColour(graphstyle::retentionColour(edge.retention), dim ? dimmedAlpha : 255);
        const int width = faint ? 1 : std::max(1, static_cast<int>(std::lround(graphstyle::edgeWidth(edge.count) * scale)));
        auto &lines = bucketFor(colour, width);
        const auto route = graph.layout().route(e);
        for (size_t i = 1; i < route.size(); ++i) {
            if (!QRectF(route[i - 1], route[i]).normalized().adjusted(-1, -1, 1, 1).intersects(exposed))
                continue;
            QLineF line(toDevice.map(route[i - 1]), toDevice.map(route[i]));
            if (clipLine(line, deviceClip))
                lines.push_back(line);
        }
    }
    for (const Bucket &bucket : buckets) {
        QPen pen(bucket.colour, bucket.width);
        pen.setCosmetic(true); // device pixels already: the fast line path
        painter->setPen(pen);
        painter->drawLines(bucket.lines.data(), static_cast<int>(bucket.lines.size()));
    }
    if (!marked)
        return;
    for (int e : markedEdges) {
        const auto route = graph.layout().route(e);
        std::vector<QLineF> lines;
        for (size_t i = 1; i < route.size(); ++i) {
            QLineF line(toDevice.map(route[i - 1]), toDevice.map(route[i]));
            if (clipLine(line, deviceClip))
                lines.push_back(line);
        }
        QPen pen(state.currentEdge() == e ? graphColour(graphstyle::highlight) : graphColour(graphMarkColour(marks.kind)), state.currentEdge() == e ? 4 : 3);
        pen.setCosmetic(true);
        painter->setPen(pen);
        painter->drawLines(lines.data(), static_cast<int>(lines.size()));
    }
}

// The part of a route inside `clip`, as drawn: a long edge from the far end of a tall column is mostly
// off screen, and stroking (and dashing) all of it would cost more than everything visible.
QPainterPath clippedEdgePath(std::span<const QPointF> route, const QRectF &clip)
{
    QPainterPath path;
    bool open = false;
    const auto cubicAt = [](double a, double b, double c, double d, double t) {
        const double u = 1 - t;
        return u * u * u * a + 3 * u * u * t * b + 3 * u * t * t * c + t * t * t * d;
    };
    // The S-curves are monotonic in x and in y: find where one coordinate reaches a value by bisection.
    const auto solve = [&cubicAt](double a, double b, double c, double d, double value) {
        const bool rising = d >= a;
        double low = 0, high = 1;
        for (int i = 0; i < 40; ++i) {
            const double middle = (low + high) / 2;
            if ((cubicAt(a, b, c, d, middle) < value) == rising)
                low = middle;
            else
                high = middle;
        }
        return (low + high) / 2;
    };
    for (size_t i = 1; i < route.size(); ++i) {
        const QPointF from = route[i - 1];
        const QPointF to = route[i];
        const QRectF box = QRectF(from, to).normalized().adjusted(-1, -1, 1, 1);
        if (!box.intersects(clip)) {
            open = false;
            continue;
        }
        if (std::abs(from.y() - to.y()) < 0.5) {
            const double left = std::max(std::min(from.x(), to.x()), clip.left());
            const double right = std::min(std::max(from.x(), to.x()), clip.right());
            const bool forward = to.x() >= from.x();
            const QPointF start(forward ? left : right, from.y());
            const QPointF end(forward ? right : left, to.y());
            if (!open || path.currentPosition() != start)
                path.moveTo(start);
            path.lineTo(end);
            open = end == to;
            continue;
        }
        const double middle = (from.x() + to.x()) / 2;
        const std::array<double, 4> xs{from.x(), middle, middle, to.x()};
        const std::array<double, 4> ys{from.y(), from.y(), to.y(), to.y()};
        double t0 = 0, t1 = 1;
        if (box.height() > 3 * clip.height() || box.width() > 3 * clip.width()) {
            // Keep the stretch of the curve inside the clip (with the bounds crossed in either direction).
            const auto limit = [&](const std::array<double, 4> &v, double low, double high) {
                const double a = v[0] <= v[3] ? solve(v[0], v[1], v[2], v[3], low) : solve(v[0], v[1], v[2], v[3], high);
                const double b = v[0] <= v[3] ? solve(v[0], v[1], v[2], v[3], high) : solve(v[0], v[1], v[2], v[3], low);
                t0 = std::max(t0, std::min(a, b));
                t1 = std::min(t1, std::max(a, b));
            };
            limit(xs, clip.left(), clip.right());
            limit(ys, clip.top(), clip.bottom());
            if (t0 >= t1) {
                open = false;
                continue;
            }
        }
        if (t0 <= 0 && t1 >= 1) {
            if (!open || path.currentPosition() != from)
                path.moveTo(from);
            path.cubicTo(QPointF(middle, from.y()), QPointF(middle, to.y()), to);
            open = true;
            continue;
        }
        // The stretch [t0, t1] of the cubic as a cubic of its own (de Casteljau, both ends).
        const auto split = [](std::array<QPointF, 4> p, double t, bool keepEnd) {
            const QPointF ab = p[0] + (p[1] - p[0]) * t, bc = p[1] + (p[2] - p[1]) * t, cd = p[2] + (p[3] - p[2]) * t;
            const QPointF abc = ab + (bc - ab) * t, bcd = bc + (cd - bc) * t;
            const QPointF point = abc + (bcd - abc) * t;
            return keepEnd ? std::array<QPointF, 4>{point, bcd, cd, p[3]} : std::array<QPointF, 4>{p[0], ab, abc, point};
        };
        std::array<QPointF, 4> curve{from, QPointF(middle, from.y()), QPointF(middle, to.y()), to};
        curve = split(curve, t1, false);
        curve = split(curve, t1 > 0 ? t0 / t1 : 0, true);
        path.moveTo(curve[0]);
        path.cubicTo(curve[1], curve[2], curve[3]);
        open = t1 >= 1;
    }
    return path;
}

void paintFull(QPainter *painter, const DelegationGraphState &state, const QRectF &exposed)
{
    const DelegationGraphData &graph = *state.graph();
    const bool dim = state.hasHighlight();
    const GraphMarks &marks = state.highlight();
    painter->setRenderHint(QPainter::Antialiasing, true);
    painter->setRenderHint(QPainter::TextAntialiasing, true);
    QFont badgeFont = state.ownerFont();
    badgeFont.setBold(true);

    std::vector<int> edges;
    for (int e = 0; e < graph.edgeCount(); ++e) {
        if (state.isEdgeVisible(e) && graph.edgeBounds(e).intersects(exposed))
            edges.push_back(e);
    }
    // Where thousands of edges run through the view, the ones that merely pass through are faint plain
    // lines; those of the boxes in view stay in full (plain too when even they are too many to tell apart).
    if (static_cast<int>(edges.size()) > denseEdgeCount) {
        std::vector<int> passing;
        std::vector<int> attached;
        std::vector<int> full;
        for (int e : edges) {
            const IdentityGraphEdge &edge = graph.edge(e);
            if ((dim && marks.edges[at(e)]) || state.currentEdge() == e)
                full.push_back(e);
            else if (graph.box(edge.source).intersects(exposed) || graph.box(edge.target).intersects(exposed))
                attached.push_back(e);
            else
                passing.push_back(e);
        }
        const QTransform toDevice = painter->worldTransform();
        const double scale = std::min(std::abs(toDevice.m11()), std::abs(toDevice.m22()));
        painter->save();
        painter->resetTransform();
        painter->setRenderHint(QPainter::Antialiasing, false);
        drawEdgeLines(painter, state, passing, toDevice, scale, false, exposed, true);
        if (static_cast<int>(attached.size()) > denseAttachedCount)
            drawEdgeLines(painter, state, attached, toDevice, scale, false, exposed);
        else
            full.insert(full.end(), attached.begin(), attached.end());
        painter->restore();
        edges.swap(full);
    }
    // Marked edges go last so that the path reads on top of the rest.
    for (int pass = 0; pass < 2; ++pass) {
        for (int e : edges) {
            const bool marked = dim && marks.edges[at(e)];
            const bool current = state.currentEdge() == e;
            if ((marked || current) != (pass == 1))
                continue;
            const IdentityGraphEdge &edge = graph.edge(e);
            const auto route = graph.layout().route(e);
            const double width = graphstyle::edgeWidth(edge.count);
            const QPainterPath path = clippedEdgePath(route, exposed.adjusted(-width - 10, -width - 10, width + 10, width + 10));
            if (path.isEmpty())
                continue;
            QColor colour = graphColour(graphstyle::retentionColour(edge.retention));
            if (dim && !marked && !current)
                colour.setAlpha(dimmedAlpha);
            painter->setBrush(Qt::NoBrush);
            if (marked || current) {
                painter->setPen(QPen(current ? graphColour(graphstyle::highlight) : graphColour(graphMarkColour(marks.kind), 110),
                                     width + (current ? 7 : 5), Qt::SolidLine, Qt::RoundCap));
                painter->drawPath(path);
            }
            painter->setPen(edgePen(edge, colour, width));
            painter->drawPath(path);
            if (exposed.adjusted(-20, -20, 20, 20).contains(route.back()))
                drawArrowhead(painter, route, colour, width, edge.kind == IdentityGraphEdgeKind::Calls);
            if (edge.findingCount > 0 && route.size() >= 2) {
                const QPointF middle = (route[route.size() / 2 - (route.size() % 2 == 0 ? 1 : 0)] + route[route.size() / 2]) / 2;
                if (exposed.adjusted(-20, -20, 20, 20).contains(middle)) {
                    painter->setOpacity(dim && !marked && !current ? 0.3 : 1.0);
                    drawBadge(painter, middle, edge.findingCount, badgeFont);
                    painter->setOpacity(1.0);
                }
            }
        }
    }

    for (int v = 0; v < graph.nodeCount(); ++v) {
        const QRectF &box = graph.box(v);
        if (!state.isNodeVisible(v) || !box.adjusted(-14, -14, 14, 14).intersects(exposed))
            continue;
        const GraphNodeKind kind = graph.kind(v);
        const IdentityGraphNode &node = graph.node(v);
        const bool marked = dim && marks.nodes[at(v)];
        const bool faded = dim && !marked && state.currentNode() != v;
        const bool noOwner = isAgentKind(kind) && kind != GraphNodeKind::Shadow && node.owner.isEmpty();
        painter->setOpacity(faded ? 0.3 : 1.0);
        const QPainterPath shape = graphNodeShape(kind, box);
        if (state.isSearchMatch(v)) {
            painter->setPen(QPen(QColor(0xff, 0x98, 0x00), 7));
            painter->setBrush(Qt::NoBrush);
            painter->drawPath(shape);
        }
        if (state.currentNode() == v || marked) {
            painter->setPen(QPen(state.currentNode() == v ? graphColour(graphstyle::highlight) : graphColour(graphMarkColour(marks.kind), 140),
                                 state.currentNode() == v ? 8 : 5));
            painter->setBrush(Qt::NoBrush);
            painter->drawPath(shape);
        }
        QPen outline(graphColour(noOwner ? graphstyle::noOwner : graphstyle::stroke(kind)), noOwner ? 2.5 : kind == GraphNodeKind::Supervisor ? 2.2 : 1.4);
        if (kind == GraphNodeKind::Shadow || kind == GraphNodeKind::UnknownOriginator)
            outline.setStyle(Qt::DashLine);
        painter->setPen(outline);
        painter->setBrush(graphColour(graphstyle::fill(kind)));
        painter->drawPath(shape);

        const bool twoLines = isAgentKind(kind);
        const QColor textColour = kind == GraphNodeKind::Shadow ? QColor(Qt::white) : graphColour(graphstyle::text);
        const QStaticText &label = state.labelText(v);
        painter->setPen(textColour);
        painter->setFont(state.labelFont());
        const double labelTop = twoLines ? box.top() + 6 : box.center().y() - label.size().height() / 2;
        painter->drawStaticText(QPointF(box.center().x() - label.size().width() / 2, labelTop), label);
        if (twoLines) {
            const QStaticText &owner = state.ownerText(v);
            painter->setPen(noOwner ? graphColour(graphstyle::noOwner) : kind == GraphNodeKind::Shadow ? QColor(0xee, 0xee, 0xee) : QColor(0x5f, 0x63, 0x68));
            QFont ownerFont = state.ownerFont();
            ownerFont.setBold(noOwner);
            painter->setFont(ownerFont);
            painter->drawStaticText(QPointF(box.center().x() - owner.size().width() / 2, box.bottom() - 6 - owner.size().height()), owner);
        }
        if (state.isCollapsed(v)) {
            const QString more = QStringLiteral("+%1").arg(state.hiddenBelow(v));
            const QRectF pill(box.right() - 2, box.center().y() - 9, 10 + 7.0 * more.size(), 18);
            painter->setPen(QPen(graphColour(graphstyle::stroke(kind)), 1.2));
            painter->setBrush(Qt::white);
            painter->drawRoundedRect(pill, 9, 9);
            painter->setPen(graphColour(graphstyle::text));
            painter->setFont(badgeFont);
            painter->drawText(pill, Qt::AlignCenter, more);
        }
        if (node.findingCount > 0)
            drawBadge(painter, QPointF(box.right() - 4, box.top() + 2), node.findingCount, badgeFont);
    }
    painter->setOpacity(1.0);
}

// Boxes and straight lines in device pixels, batched by colour; no text.
void paintStructure(QPainter *painter, const DelegationGraphState &state, const QRectF &exposed)
{
    const DelegationGraphData &graph = *state.graph();
    const QTransform toDevice = painter->worldTransform();
    const double scale = std::min(std::abs(toDevice.m11()), std::abs(toDevice.m22()));
    const bool dim = state.hasHighlight();
    const GraphMarks &marks = state.highlight();
    painter->save();
    painter->resetTransform();
    painter->setRenderHint(QPainter::Antialiasing, false);

    std::vector<int> edges;
    for (int e = 0; e < graph.edgeCount(); ++e) {
        if (state.isEdgeVisible(e) && graph.edgeBounds(e).intersects(exposed))
            edges.push_back(e);
    }
    drawEdgeLines(painter, state, edges, toDevice, scale, true, exposed);

    std::array<std::vector<QRectF>, 8> boxes;
    std::vector<QRectF> badges;
    std::vector<QRectF> unowned;
    std::vector<QRectF> outlined;
    std::vector<QRectF> matches;
    for (int v = 0; v < graph.nodeCount(); ++v) {
        if (!state.isNodeVisible(v) || !graph.box(v).intersects(exposed))
            continue;
        const QRectF box = toDevice.mapRect(graph.box(v));
        const GraphNodeKind kind = graph.kind(v);
        boxes[static_cast<size_t>(kind)].push_back(box);
        if (graph.node(v).findingCount > 0)
            badges.emplace_back(box.right() - 4, box.top() - 1, 5, 5);
        if (isAgentKind(kind) && kind != GraphNodeKind::Shadow && graph.node(v).owner.isEmpty())
            unowned.push_back(box);
        if ((dim && marks.nodes[at(v)]) || state.currentNode() == v)
            outlined.push_back(box.adjusted(-2, -2, 2, 2));
        if (state.isSearchMatch(v))
            matches.push_back(box.adjusted(-3, -3, 3, 3));
    }
    for (size_t k = 0; k < boxes.size(); ++k) {
        const auto kind = static_cast<GraphNodeKind>(k);
        painter->setPen(graphColour(graphstyle::stroke(kind), dim ? 90 : 255));
        painter->setBrush(graphColour(graphstyle::fill(kind), dim ? 90 : 255));
        painter->drawRects(boxes[k].data(), static_cast<int>(boxes[k].size()));
    }
    painter->setBrush(Qt::NoBrush);
    painter->setPen(QPen(graphColour(graphstyle::noOwner), 2));
    painter->drawRects(unowned.data(), static_cast<int>(unowned.size()));
    painter->setPen(QPen(QColor(0xff, 0x98, 0x00), 3));
    painter->drawRects(matches.data(), static_cast<int>(matches.size()));
    painter->setPen(QPen(graphColour(dim ? graphMarkColour(marks.kind) : graphstyle::highlight), 2));
    painter->drawRects(outlined.data(), static_cast<int>(outlined.size()));
    painter->setPen(Qt::NoPen);
    painter->setBrush(graphColour(graphstyle::badge));
    painter->drawRects(badges.data(), static_cast<int>(badges.size()));
    painter->restore();
}

// From far away: every segment once per pixel path, every node a mark in its kind's colour.
void paintOverview(QPainter *painter, const DelegationGraphState &state, const QRectF &exposed)
{
    const DelegationGraphData &graph = *state.graph();
    const QTransform toDevice = painter->worldTransform();
    const bool dim = state.hasHighlight();
    const GraphMarks &marks = state.highlight();
    painter->save();
    painter->resetTransform();
    painter->setRenderHint(QPainter::Antialiasing, false);

    // Segments keyed by their pixel ends: thousands of edges collapse onto a few hundred distinct lines.
    const auto key = [](const QPoint &a, const QPoint &b) {
        const auto part = [](int value) { return static_cast<quint64>(static_cast<quint16>(std::clamp(value, -32768, 32767))); };
        return (part(a.x()) << 48) | (part(a.y()) << 32) | (part(b.x()) << 16) | part(b.y());
    };
    std::array<std::vector<quint64>, 4> bands; // three retention bands and the marked path
    for (int e = 0; e < graph.edgeCount(); ++e) {
        if (!state.isEdgeVisible(e) || !graph.edgeBounds(e).intersects(exposed))
            continue;
        const bool marked = (dim && marks.edges[at(e)]) || state.currentEdge() == e;
        auto &band = bands[marked ? 3 : static_cast<size_t>(retentionBand(graph.edge(e).retention))];
        const auto route = graph.layout().route(e);
        if (route.empty())
            continue;
        QPoint previous = toDevice.map(route.front()).toPoint();
        for (size_t i = 1; i < route.size(); ++i) {
            const QPoint next = toDevice.map(route[i]).toPoint();
            if (next != previous)
                band.push_back(key(previous, next));
            previous = next;
        }
    }
    std::vector<QLine> lines;
    for (size_t b = 0; b < bands.size(); ++b) {
        auto &band = bands[b];
        std::sort(band.begin(), band.end());
        band.erase(std::unique(band.begin(), band.end()), band.end());
        lines.clear();
        lines.reserve(band.size());
        for (quint64 k : band) {
            const auto part = [k](int shift) { return static_cast<int>(static_cast<qint16>(static_cast<quint16>((k >> shift) & 0xffff))); };
            lines.emplace_back(part(48), part(32), part(16), part(0));
        }
        // Opaque, lightened colours: blending tens of thousands of lines costs more than drawing them.
        const QColor colour = b == 3 ? graphColour(graphMarkColour(marks.kind))
                                     : faded(graphColour(graphstyle::retentionColour(bandRetention[b])), dim ? 0.85 : 0.45);
        QPen pen(colour, b == 3 ? 2 : 1);
        pen.setCosmetic(true);
        painter->setPen(pen);
        painter->drawLines(lines.data(), static_cast<int>(lines.size()));
    }

    std::array<std::vector<QRect>, 8> marksByKind;
    std::vector<QRect> outlined;
    for (int v = 0; v < graph.nodeCount(); ++v) {
        if (!state.isNodeVisible(v) || !graph.box(v).intersects(exposed))
            continue;
        QRect box = toDevice.mapRect(graph.box(v)).toAlignedRect();
        box.setWidth(std::max(box.width(), 2));
        box.setHeight(std::max(box.height(), 1));
        if ((dim && marks.nodes[at(v)]) || state.currentNode() == v || state.isSearchMatch(v))
            outlined.push_back(box.adjusted(-2, -2, 2, 2));
        marksByKind[static_cast<size_t>(graph.kind(v))].push_back(box);
    }
    painter->setPen(Qt::NoPen);
    for (size_t k = 0; k < marksByKind.size(); ++k) {
        const QColor colour = graphColour(graphstyle::stroke(static_cast<GraphNodeKind>(k)));
        painter->setBrush(dim ? faded(colour, 0.7) : colour);
        painter->drawRects(marksByKind[k].data(), static_cast<int>(marksByKind[k].size()));
    }
    painter->setBrush(graphColour(dim ? graphMarkColour(marks.kind) : graphstyle::highlight));
    painter->drawRects(outlined.data(), static_cast<int>(outlined.size()));
    painter->restore();
}

} // namespace

QColor graphColour(std::uint32_t rgb, int alpha)
{
    return QColor(static_cast<int>((rgb >> 16) & 0xff), static_cast<int>((rgb >> 8) & 0xff), static_cast<int>(rgb & 0xff), alpha);
}

GraphDetail graphDetail(const QTransform &sceneToDevice)
{
    const double scale = std::min(std::hypot(sceneToDevice.m11(), sceneToDevice.m12()), std::hypot(sceneToDevice.m21(), sceneToDevice.m22()));
    return scale >= fullDetailScale ? GraphDetail::Full : scale >= structureScale ? GraphDetail::Structure : GraphDetail::Overview;
}

void paintDelegationGraph(QPainter *painter, const DelegationGraphState &state, const QRectF &exposed)
{
    if (state.isEmpty())
        return;
    switch (graphDetail(painter->worldTransform())) {
    case GraphDetail::Full:
        paintFull(painter, state, exposed);
        break;
    case GraphDetail::Structure:
        paintStructure(painter, state, exposed);
        break;
    case GraphDetail::Overview:
        paintOverview(painter, state, exposed);
        break;
    }
}

QPainterPath graphNodeShape(GraphNodeKind kind, const QRectF &box)
{
    QPainterPath path;
    const double l = box.left(), r = box.right(), t = box.top(), b = box.bottom(), cy = box.center().y();
    switch (kind) {
    case GraphNodeKind::Human:
    case GraphNodeKind::UnknownOriginator:
        path.addRoundedRect(box, box.height() / 2, box.height() / 2);
        break;
    case GraphNodeKind::Supervisor: {
        const double cut = 9;
        path.addPolygon(QPolygonF{QPointF(l + cut, t), QPointF(r - cut, t), QPointF(r, t + cut), QPointF(r, b - cut), QPointF(r - cut, b),
                                  QPointF(l + cut, b), QPointF(l, b - cut), QPointF(l, t + cut), QPointF(l + cut, t)});
        break;
    }
    case GraphNodeKind::SubAgent: {
        const double slant = 9;
        path.addPolygon(QPolygonF{QPointF(l + slant, t), QPointF(r, t), QPointF(r - slant, b), QPointF(l, b), QPointF(l + slant, t)});
        break;
    }
    case GraphNodeKind::Tool: {
        const double point = 11;
        path.addPolygon(QPolygonF{QPointF(l + point, t), QPointF(r - point, t), QPointF(r, cy), QPointF(r - point, b), QPointF(l + point, b),
                                  QPointF(l, cy), QPointF(l + point, t)});
        break;
    }
    case GraphNodeKind::Agent:
        path.addRect(box);
        break;
    case GraphNodeKind::Worker:
    case GraphNodeKind::Shadow:
        path.addRoundedRect(box, 7, 7);
        break;
    }
    return path;
}

QPainterPath graphEdgePath(std::span<const QPointF> route)
{
    QPainterPath path;
    if (route.empty())
        return path;
    path.moveTo(route.front());
    for (size_t i = 1; i < route.size(); ++i) {
        const QPointF &from = route[i - 1];
        const QPointF &to = route[i];
        if (std::abs(from.y() - to.y()) < 0.5) {
            path.lineTo(to);
        } else {
            const double middle = (from.x() + to.x()) / 2;
            path.cubicTo(QPointF(middle, from.y()), QPointF(middle, to.y()), to);
        }
    }
    return path;
}

namespace {

struct LegendEntry
{
    enum Type { Node, Edge, Swatch, Badge, Width, NoOwner } type;
    QString text;
    GraphNodeKind kind = GraphNodeKind::Human;
    QString protocol;
    std::uint32_t colour = 0;
    bool calls = false;
};

QList<LegendEntry> legendEntries(const QStringList &protocols, std::optional<GraphMarkKind> marked)
{
    QList<LegendEntry> entries{
        {LegendEntry::Node, QObject::tr("Human"), GraphNodeKind::Human},
        {LegendEntry::Node, QObject::tr("Supervisor"), GraphNodeKind::Supervisor},
        {LegendEntry::Node, QObject::tr("Worker"), GraphNodeKind::Worker},
        {LegendEntry::Node, QObject::tr("Sub-agent"), GraphNodeKind::SubAgent},
        {LegendEntry::Node, QObject::tr("Tool"), GraphNodeKind::Tool},
        {LegendEntry::Node, QObject::tr("Shadow"), GraphNodeKind::Shadow},
        {LegendEntry::Node, QObject::tr("Unknown originator"), GraphNodeKind::UnknownOriginator},
        {LegendEntry::NoOwner, QObject::tr("No owner")},
        {LegendEntry::Badge, QObject::tr("Findings")},
        {LegendEntry::Edge, QObject::tr("Delegates")},
        {LegendEntry::Edge, QObject::tr("Calls a tool"), GraphNodeKind::Human, QString(), 0, true},
    };
    for (const QString &protocol : protocols)
        entries.append({LegendEntry::Edge, QObject::tr("via %1").arg(protocol), GraphNodeKind::Human, protocol});
    entries.append({LegendEntry::Swatch, QObject::tr("Retained ≥ 90 %"), GraphNodeKind::Human, QString(), graphstyle::retentionColour(1.0)});
    entries.append({LegendEntry::Swatch, QObject::tr("Retained 50–90 %"), GraphNodeKind::Human, QString(), graphstyle::retentionColour(0.7)});
    entries.append({LegendEntry::Swatch, QObject::tr("Retained < 50 %"), GraphNodeKind::Human, QString(), graphstyle::retentionColour(0.0)});
    entries.append({LegendEntry::Width, QObject::tr("Width: count")});
    if (marked) {
        const QString meaning = *marked == GraphMarkKind::Denied    ? QObject::tr("Denied by the policy")
                                : *marked == GraphMarkKind::Flipped ? QObject::tr("Flips between versions")
                                                                    : QObject::tr("Marked path");
        // First in the edge column: while a replay is marked, that is what the reader looks for.
        const auto firstEdge = std::find_if(entries.begin(), entries.end(), [](const LegendEntry &entry) { return entry.type == LegendEntry::Edge; });
        entries.insert(firstEdge, {LegendEntry::Swatch, meaning, GraphNodeKind::Human, QString(), graphMarkColour(*marked)});
    }
    return entries;
}

QFont legendFont()
{
    QFont font;
    font.setPixelSize(11);
    return font;
}

constexpr double legendRow = 18;
constexpr double legendSymbol = 32;
constexpr double legendPadding = 8;

// Two columns: what the nodes are, then what the edges say.
struct LegendColumns
{
    std::array<QList<LegendEntry>, 2> entries;
    std::array<double, 2> width{0, 0};
    double height = 0;
};

LegendColumns legendColumns(const QStringList &protocols, int count, std::optional<GraphMarkKind> marked)
{
    LegendColumns columns;
    const QFontMetricsF metrics(legendFont());
    const QList<LegendEntry> entries = legendEntries(protocols, marked);
    for (const LegendEntry &entry : entries) {
        const bool nodes = entry.type == LegendEntry::Node || entry.type == LegendEntry::NoOwner || entry.type == LegendEntry::Badge;
        const size_t column = count > 1 && !nodes ? 1 : 0;
        columns.entries[column].append(entry);
        columns.width[column] = std::max(columns.width[column], legendSymbol + 6 + metrics.horizontalAdvance(entry.text));
    }
    columns.height = legendRow * static_cast<double>(std::max(columns.entries[0].size(), columns.entries[1].size()));
    return columns;
}

constexpr double legendColumnGap = 12;

} // namespace

std::uint32_t graphMarkColour(GraphMarkKind kind)
{
    switch (kind) {
    case GraphMarkKind::Denied:
        return graphstyle::denied;
    case GraphMarkKind::Flipped:
        return graphstyle::flipped;
    case GraphMarkKind::Path:
        break;
    }
    return graphstyle::highlight;
}

QSizeF graphLegendSize(const QStringList &protocols, int count, std::optional<GraphMarkKind> marked)
{
    const LegendColumns columns = legendColumns(protocols, count, marked);
    const double gap = columns.entries[1].isEmpty() ? 0 : legendColumnGap;
    return {legendPadding * 2 + columns.width[0] + gap + columns.width[1], legendPadding * 2 + columns.height};
}

QRectF paintGraphLegend(QPainter *painter, const QPointF &topLeft, const QStringList &protocols, int count,
                        std::optional<GraphMarkKind> marked)
{
    const QSizeF size = graphLegendSize(protocols, count, marked);
    const QRectF area(topLeft, size);
    const LegendColumns columns = legendColumns(protocols, count, marked);
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing, true);
    painter->setPen(QPen(QColor(0xc8, 0xc8, 0xc8), 1));
    painter->setBrush(QColor(0xff, 0xff, 0xff, 235));
    painter->drawRoundedRect(area, 5, 5);
    painter->setFont(legendFont());
    for (size_t column = 0; column < 2; ++column) {
        double y = area.top() + legendPadding;
        const double symbolLeft = area.left() + legendPadding + (column == 0 ? 0 : columns.width[0] + legendColumnGap);
        const double textLeft = symbolLeft + legendSymbol + 6;
        const double textRight = symbolLeft + columns.width[column];
        for (const LegendEntry &entry : columns.entries[column]) {
            const QRectF symbol(symbolLeft, y + 2, legendSymbol, legendRow - 4);
            const double cy = symbol.center().y();
            switch (entry.type) {
            case LegendEntry::Node: {
                QPen pen(graphColour(graphstyle::stroke(entry.kind)), 1.4);
                if (entry.kind == GraphNodeKind::Shadow || entry.kind == GraphNodeKind::UnknownOriginator)
                    pen.setStyle(Qt::DashLine);
                painter->setPen(pen);
                painter->setBrush(graphColour(graphstyle::fill(entry.kind)));
                painter->drawPath(graphNodeShape(entry.kind, symbol.adjusted(2, 0, -2, 0)));
                break;
            }
            case LegendEntry::NoOwner:
                painter->setPen(QPen(graphColour(graphstyle::noOwner), 2.5));
                painter->setBrush(graphColour(graphstyle::fill(GraphNodeKind::Worker)));
                painter->drawRoundedRect(symbol.adjusted(2, 0, -2, 0), 4, 4);
                break;
            case LegendEntry::Badge:
                painter->setPen(Qt::NoPen);
                painter->setBrush(graphColour(graphstyle::badge));
                painter->drawEllipse(QPointF(symbol.center().x(), cy), 7, 7);
                break;
            case LegendEntry::Edge: {
                IdentityGraphEdge edge;
                edge.protocols = entry.protocol.isEmpty() ? QStringList() : QStringList{entry.protocol};
                const QColor colour(0x45, 0x45, 0x45);
                painter->setPen(edgePen(edge, colour, 1.6));
                painter->drawLine(QPointF(symbol.left(), cy), QPointF(symbol.right() - 6, cy));
                if (entry.protocol.isEmpty()) {
                    const std::array<QPointF, 2> route{QPointF(symbol.left(), cy), QPointF(symbol.right(), cy)};
                    drawArrowhead(painter, route, colour, 1.0, entry.calls);
                }
                break;
            }
            case LegendEntry::Swatch:
                painter->setPen(QPen(graphColour(entry.colour), 3));
                painter->drawLine(QPointF(symbol.left(), cy), QPointF(symbol.right(), cy));
                break;
            case LegendEntry::Width:
                painter->setPen(QPen(QColor(0x45, 0x45, 0x45), 1));
                painter->drawLine(QPointF(symbol.left(), cy - 3), QPointF(symbol.right(), cy - 3));
                painter->setPen(QPen(QColor(0x45, 0x45, 0x45), 4));
                painter->drawLine(QPointF(symbol.left(), cy + 3), QPointF(symbol.right(), cy + 3));
                break;
            }
            painter->setPen(graphColour(graphstyle::text));
            painter->drawText(QRectF(textLeft, y, textRight - textLeft + 2, legendRow), Qt::AlignVCenter | Qt::AlignLeft, entry.text);
            y += legendRow;
        }
    }
    painter->restore();
    return area;
}

} // namespace chainsight

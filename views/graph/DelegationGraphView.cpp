#include "DelegationGraphView.h"

#include "DelegationGraphScene.h"
#include "GraphPainter.h"

#include <QApplication>
#include <QContextMenuEvent>
#include <QGestureEvent>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QNativeGestureEvent>
#include <QPainter>
#include <QPinchGesture>
#include <QScrollBar>
#include <QVariantAnimation>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace chainsight {
namespace {

constexpr double maximumZoom = 4.0;
constexpr double anisotropyCap = 0.45; // below the zoom where text is drawn
constexpr double readableZoom = 1.0;
constexpr double keyZoomStep = 1.35;
constexpr int overlayMargin = 10;

} // namespace

GraphMinimap::GraphMinimap(DelegationGraphView *view)
    : QWidget(view)
    , m_view(view)
{
    setAccessibleName(tr("Graph overview"));
    setAccessibleDescription(tr("The whole graph; the frame is the visible part. Click to move there."));
    setCursor(Qt::PointingHandCursor);
    setAttribute(Qt::WA_OpaquePaintEvent);
}

QSize GraphMinimap::sizeHint() const
{
    return {190, 150};
}

void GraphMinimap::invalidate()
{
    m_stale = true;
    update();
}

void GraphMinimap::render()
{
    m_stale = false;
    const QSize size = this->size();
    m_picture = QImage(size * devicePixelRatioF(), QImage::Format_ARGB32_Premultiplied);
    m_picture.setDevicePixelRatio(devicePixelRatioF());
    m_picture.fill(QColor(0xfa, 0xfa, 0xfa));
    const DelegationGraphScene *scene = m_view->graphScene();
    const QRectF bounds = scene->graphBounds();
    if (scene->isEmpty() || bounds.width() <= 0 || bounds.height() <= 0)
        return;
    // Each axis fills the frame: a tall layered graph still shows its columns side by side.
    const double inset = 4;
    const double sx = (size.width() - 2 * inset) / bounds.width();
    const double sy = (size.height() - 2 * inset) / bounds.height();
    m_sceneToPicture = QTransform::fromTranslate(-bounds.left(), -bounds.top()) * QTransform::fromScale(sx, sy)
                       * QTransform::fromTranslate(inset, inset);
    QPainter painter(&m_picture);
    painter.setTransform(m_sceneToPicture);
    paintDelegationGraph(&painter, *scene, bounds);
}

void GraphMinimap::paintEvent(QPaintEvent *)
{
    if (m_stale || m_picture.size() != size() * devicePixelRatioF())
        render();
    QPainter painter(this);
    painter.drawImage(0, 0, m_picture);
    const QRectF visible = m_view->mapToScene(m_view->viewport()->rect()).boundingRect();
    QRectF frame = m_sceneToPicture.mapRect(visible).intersected(QRectF(rect()).adjusted(1, 1, -1, -1));
    if (frame.width() < 4)
        frame.adjust(-2, 0, 2, 0);
    if (frame.height() < 4)
        frame.adjust(0, -2, 0, 2);
    painter.setPen(QPen(graphColour(graphstyle::highlight), 1.5));
    painter.setBrush(graphColour(graphstyle::highlight, 30));
    painter.drawRect(frame);
    painter.setPen(QColor(0xb0, 0xb0, 0xb0));
    painter.setBrush(Qt::NoBrush);
    painter.drawRect(rect().adjusted(0, 0, -1, -1));
}

QPointF GraphMinimap::toScene(const QPointF &point) const
{
    return m_sceneToPicture.inverted().map(point);
}

void GraphMinimap::moveViewTo(const QPointF &point)
{
    m_view->centerOn(toScene(point));
}

void GraphMinimap::mousePressEvent(QMouseEvent *event)
{
    moveViewTo(event->position());
}

void GraphMinimap::mouseMoveEvent(QMouseEvent *event)
{
    if (event->buttons() & Qt::LeftButton)
        moveViewTo(event->position());
}

GraphLegend::GraphLegend(int columns, QWidget *parent)
    : QWidget(parent)
    , m_columns(columns)
{
    setAccessibleName(tr("Graph legend"));
    setSizePolicy(QSizePolicy::Minimum, QSizePolicy::Fixed);
    setProtocols({});
}

void GraphLegend::setProtocols(const QStringList &protocols)
{
    m_protocols = protocols;
    QStringList description;
    description << tr("Humans are pills, supervisors octagons, workers rounded boxes, sub-agents slanted boxes, tools "
                      "hexagons, shadow identities dark; a red outline is an agent with no owner; red badges count findings.")
                << tr("Edge colour is intent retention (green, amber, red), width the number of calls or hops, dashes the protocol.");
    setAccessibleDescription(description.join(QLatin1Char(' ')));
    setFixedHeight(sizeHint().height());
    updateGeometry();
    update();
}

void GraphLegend::setMarked(std::optional<GraphMarkKind> marked)
{
    if (marked == m_marked)
        return;
    m_marked = marked;
    setFixedHeight(sizeHint().height());
    updateGeometry();
    update();
}

QSize GraphLegend::sizeHint() const
{
    return graphLegendSize(m_protocols, m_columns, m_marked).toSize() + QSize(1, 1);
}

void GraphLegend::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    // Centred when the scroll area around it is wider than the legend.
    const double left = std::max(0, (width() - sizeHint().width()) / 2);
    paintGraphLegend(&painter, QPointF(left, 0), m_protocols, m_columns, m_marked);
}

DelegationGraphView::DelegationGraphView(DelegationGraphScene *scene, QWidget *parent)
    : QGraphicsView(scene, parent)
    , m_scene(scene)
    , m_minimap(new GraphMinimap(this))
    , m_zoomAnimation(new QVariantAnimation(this))
{
    m_scene->setDeviceCacheEnabled(true);
    setAccessibleName(tr("Delegation graph"));
    setAccessibleDescription(tr("Arrow keys move between nodes, plus and minus zoom, 0 fits the graph, Space collapses or "
                                "expands, P highlights the path to the originating human."));
    setFocusPolicy(Qt::StrongFocus);
    setTransformationAnchor(NoAnchor);
    setResizeAnchor(NoAnchor);
    setDragMode(NoDrag);
    setViewportUpdateMode(MinimalViewportUpdate);
    setOptimizationFlags(DontSavePainterState | DontAdjustForAntialiasing);
    setBackgroundBrush(Qt::white);
    setFrameShape(QFrame::NoFrame);
    viewport()->grabGesture(Qt::PinchGesture);
    viewport()->setCursor(Qt::ArrowCursor);
    m_zoomAnimation->setDuration(160);
    m_zoomAnimation->setEasingCurve(QEasingCurve::OutCubic);
    connect(m_zoomAnimation, &QVariantAnimation::valueChanged, this, [this](const QVariant &value) { setZoom(value.toDouble(), m_zoomAnchor); });
    connect(m_scene, &DelegationGraphScene::contentChanged, m_minimap, &GraphMinimap::invalidate);
    connect(this, &DelegationGraphView::viewMoved, m_minimap, &GraphMinimap::updateFrame);
    connect(this, &DelegationGraphView::viewMoved, this, &DelegationGraphView::placeOverlays);
    connect(m_scene, &DelegationGraphScene::contentChanged, this, &DelegationGraphView::placeOverlays);
    m_minimap->resize(m_minimap->sizeHint());
    placeOverlays();
}

double DelegationGraphView::fitZoom() const
{
    const QRectF bounds = m_scene->graphBounds().adjusted(-30, -30, 30, 30);
    if (bounds.width() <= 0 || bounds.height() <= 0)
        return 1.0;
    const QSizeF room = viewport()->size();
    return std::min({room.width() / bounds.width(), room.height() / bounds.height(), readableZoom});
}

double DelegationGraphView::horizontalScaleFor(double zoom) const
{
    const QRectF bounds = m_scene->graphBounds().adjusted(-30, -30, 30, 30);
    if (bounds.width() <= 0 || bounds.height() <= 0)
        return zoom;
    const double widthFit = viewport()->width() / bounds.width();
    const double heightFit = viewport()->height() / bounds.height();
    if (heightFit >= widthFit)
        return zoom; // not taller than the window: plain scaling
    return std::max(zoom, std::min(widthFit, anisotropyCap));
}

void DelegationGraphView::setZoom(double zoom, const QPointF &viewportAnchor)
{
    const double minimum = std::min(fitZoom() * 0.5, 0.05);
    zoom = std::clamp(zoom, minimum, maximumZoom);
    const QPointF sceneAnchor = viewportTransform().inverted().map(viewportAnchor);
    m_zoom = zoom;
    setTransform(QTransform::fromScale(horizontalScaleFor(zoom), zoom));
    // Keep the point under the anchor where it was.
    const QPointF drift = viewportTransform().map(sceneAnchor) - viewportAnchor;
    horizontalScrollBar()->setValue(horizontalScrollBar()->value() + static_cast<int>(std::lround(drift.x())));
    verticalScrollBar()->setValue(verticalScrollBar()->value() + static_cast<int>(std::lround(drift.y())));
    Q_EMIT zoomChanged(m_zoom);
    Q_EMIT viewMoved();
}

void DelegationGraphView::animateZoom(double target, const QPointF &viewportAnchor)
{
    m_zoomAnimation->stop();
    m_zoomAnchor = viewportAnchor;
    m_zoomAnimation->setStartValue(m_zoom);
    m_zoomAnimation->setEndValue(target);
    m_zoomAnimation->start();
}

void DelegationGraphView::zoomBy(double factor, bool animated)
{
    const QPointF centre = QRectF(viewport()->rect()).center();
    if (animated)
        animateZoom(m_zoom * factor, centre);
    else
        setZoom(m_zoom * factor, centre);
}

void DelegationGraphView::fitToView(bool animated)
{
    m_zoomAnimation->stop();
    const double target = fitZoom();
    if (animated && std::abs(target - m_zoom) > 1e-6) {
        animateZoom(target, QRectF(viewport()->rect()).center());
        connect(m_zoomAnimation, &QVariantAnimation::finished, this, [this] { centerOn(m_scene->graphBounds().center()); },
                Qt::SingleShotConnection);
        return;
    }
    setZoom(target, QRectF(viewport()->rect()).center());
    centerOn(m_scene->graphBounds().center());
}

void DelegationGraphView::showNode(int node, bool readable)
{
    const DelegationGraphData *graph = m_scene->graph();
    if (!graph || node < 0 || node >= graph->nodeCount())
        return;
    const QRectF box = graph->box(node);
    if (readable && m_zoom < readableZoom * 0.99)
        setZoom(readableZoom, QRectF(viewport()->rect()).center());
    const QRectF visible = mapToScene(viewport()->rect()).boundingRect();
    if (!visible.adjusted(20 / horizontalScale(), 20 / m_zoom, -20 / horizontalScale(), -20 / m_zoom).contains(box))
        centerOn(box.center());
    Q_EMIT viewMoved();
}

void DelegationGraphView::panBy(double dx, double dy)
{
    horizontalScrollBar()->setValue(horizontalScrollBar()->value() + static_cast<int>(std::lround(dx)));
    verticalScrollBar()->setValue(verticalScrollBar()->value() + static_cast<int>(std::lround(dy)));
}

void DelegationGraphView::wheelEvent(QWheelEvent *event)
{
    // Trackpads scroll with pixel deltas: pan, unless Ctrl asks for zoom. Wheels zoom around the pointer.
    if (!event->pixelDelta().isNull() && !(event->modifiers() & Qt::ControlModifier)) {
        panBy(-event->pixelDelta().x(), -event->pixelDelta().y());
        event->accept();
        return;
    }
    const int delta = event->angleDelta().y() != 0 ? event->angleDelta().y() : event->angleDelta().x();
    if (delta == 0)
        return;
    m_zoomAnimation->stop();
    setZoom(m_zoom * std::pow(1.0015, delta), event->position());
    event->accept();
}

void DelegationGraphView::mousePressEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton) {
        QGraphicsView::mousePressEvent(event);
        return;
    }
    m_pressed = true;
    m_dragging = false;
    m_pressPos = event->position().toPoint();
    m_lastDragPos = m_pressPos;
    event->accept();
}

void DelegationGraphView::mouseMoveEvent(QMouseEvent *event)
{
    if (!m_pressed) {
        QGraphicsView::mouseMoveEvent(event);
        return;
    }
    const QPoint position = event->position().toPoint();
    if (!m_dragging && (position - m_pressPos).manhattanLength() >= QApplication::startDragDistance()) {
        m_dragging = true;
        viewport()->setCursor(Qt::ClosedHandCursor);
    }
    if (m_dragging) {
        const QPoint delta = position - m_lastDragPos;
        panBy(-delta.x(), -delta.y());
        m_lastDragPos = position;
    }
    event->accept();
}

void DelegationGraphView::mouseReleaseEvent(QMouseEvent *event)
{
    if (!m_pressed || event->button() != Qt::LeftButton) {
        QGraphicsView::mouseReleaseEvent(event);
        return;
    }
    m_pressed = false;
    viewport()->setCursor(Qt::ArrowCursor);
    if (!m_dragging) {
        const QPointF scenePos = mapToScene(event->position().toPoint());
        const int node = m_scene->nodeAt(scenePos);
        if (node >= 0) {
            m_scene->setCurrentNode(node);
        } else {
            const int edge = m_scene->edgeAt(scenePos, 5.0 / m_zoom);
            if (edge >= 0)
                m_scene->setCurrentEdge(edge);
            else
                m_scene->clearCurrent();
        }
    }
    m_dragging = false;
    event->accept();
}

void DelegationGraphView::mouseDoubleClickEvent(QMouseEvent *event)
{
    const int node = m_scene->nodeAt(mapToScene(event->position().toPoint()));
    if (node >= 0) {
        m_scene->setCurrentNode(node);
        Q_EMIT nodeActivated(node);
        event->accept();
        return;
    }
    QGraphicsView::mouseDoubleClickEvent(event);
}

void DelegationGraphView::keyPressEvent(QKeyEvent *event)
{
    const int current = m_scene->currentNode();
    const bool control = event->modifiers() & Qt::ControlModifier;
    const double step = 0.15;
    const auto move = [&](DelegationGraphScene::Step direction, double dx, double dy) {
        const int next = current >= 0 && !control ? m_scene->stepFrom(current, direction) : -1;
        if (next >= 0) {
            m_scene->setCurrentNode(next);
            showNode(next, false);
        } else if (current < 0 || control) {
            panBy(dx * viewport()->width(), dy * viewport()->height());
        }
    };
    switch (event->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal:
        zoomBy(keyZoomStep);
        break;
    case Qt::Key_Minus:
        zoomBy(1 / keyZoomStep);
        break;
    case Qt::Key_0:
    case Qt::Key_Home:
        fitToView(true);
        break;
    case Qt::Key_Up:
        move(DelegationGraphScene::Step::Up, 0, -step);
        break;
    case Qt::Key_Down:
        move(DelegationGraphScene::Step::Down, 0, step);
        break;
    case Qt::Key_Left:
        move(DelegationGraphScene::Step::Left, -step, 0);
        break;
    case Qt::Key_Right:
        move(DelegationGraphScene::Step::Right, step, 0);
        break;
    case Qt::Key_PageUp:
        panBy(0, -0.8 * viewport()->height());
        break;
    case Qt::Key_PageDown:
        panBy(0, 0.8 * viewport()->height());
        break;
    case Qt::Key_Space:
        if (current >= 0 && (m_scene->isCollapsed(current) || m_scene->canCollapse(current)))
            m_scene->toggleCollapsed(current);
        break;
    case Qt::Key_P:
        if (current >= 0)
            m_scene->highlightPathToOriginators(current);
        break;
    case Qt::Key_Return:
    case Qt::Key_Enter:
        if (current >= 0) {
            showNode(current, true);
            Q_EMIT nodeActivated(current);
        }
        break;
    case Qt::Key_Escape:
        if (m_scene->hasHighlight())
            m_scene->clearHighlight();
        else
            m_scene->clearCurrent();
        break;
    default:
        QGraphicsView::keyPressEvent(event);
        return;
    }
    event->accept();
}

void DelegationGraphView::contextMenuEvent(QContextMenuEvent *event)
{
    const QPointF scenePos = mapToScene(event->pos());
    const int node = m_scene->nodeAt(scenePos);
    const int edge = node < 0 ? m_scene->edgeAt(scenePos, 5.0 / m_zoom) : -1;
    if (node >= 0)
        m_scene->setCurrentNode(node);
    else if (edge >= 0)
        m_scene->setCurrentEdge(edge);
    Q_EMIT contextMenuRequested(node, edge, event->globalPos());
    event->accept();
}

bool DelegationGraphView::viewportEvent(QEvent *event)
{
    if (event->type() == QEvent::Gesture) {
        auto *gestures = static_cast<QGestureEvent *>(event);
        if (auto *pinch = static_cast<QPinchGesture *>(gestures->gesture(Qt::PinchGesture))) {
            if (pinch->changeFlags() & QPinchGesture::ScaleFactorChanged)
                setZoom(m_zoom * pinch->scaleFactor(), viewport()->mapFromGlobal(pinch->centerPoint().toPoint()));
            gestures->accept(pinch);
            return true;
        }
    }
    if (event->type() == QEvent::NativeGesture) {
        auto *gesture = static_cast<QNativeGestureEvent *>(event);
        if (gesture->gestureType() == Qt::ZoomNativeGesture) {
            setZoom(m_zoom * (1 + gesture->value()), gesture->position());
            return true;
        }
    }
    return QGraphicsView::viewportEvent(event);
}

void DelegationGraphView::resizeEvent(QResizeEvent *event)
{
    QGraphicsView::resizeEvent(event);
    // Keep the horizontal scale in step with the new width.
    setTransform(QTransform::fromScale(horizontalScaleFor(m_zoom), m_zoom));
    placeOverlays();
    m_minimap->invalidate();
}

void DelegationGraphView::scrollContentsBy(int dx, int dy)
{
    QGraphicsView::scrollContentsBy(dx, dy);
    Q_EMIT viewMoved();
}

void DelegationGraphView::placeOverlays()
{
    // A scene being destroyed detaches itself from the view first, scrolling it: nothing to place then.
    if (scene() != m_scene)
        return;
    const QRect area = viewport()->geometry();
    m_minimap->move(area.right() - m_minimap->width() - overlayMargin, area.bottom() - m_minimap->height() - overlayMargin);
    // Only while part of the graph is out of view, and never taking over a small view.
    const QRectF visible = mapToScene(viewport()->rect()).boundingRect();
    const bool allVisible = m_scene->isEmpty() || visible.contains(m_scene->graphBounds());
    m_minimap->setVisible(!allVisible && area.width() >= 3 * m_minimap->width() && area.height() >= 2 * m_minimap->height());
    m_minimap->raise();
}

} // namespace chainsight

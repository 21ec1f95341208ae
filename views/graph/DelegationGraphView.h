#pragma once

#include "DelegationGraphData.h"

#include <QGraphicsView>
#include <QWidget>

#include <optional>

class QVariantAnimation;

namespace chainsight {

class DelegationGraphScene;
class DelegationGraphView;

// A small picture of the whole graph with the visible part framed; click or drag to move there.
class GraphMinimap final : public QWidget
{
    Q_OBJECT
public:
    explicit GraphMinimap(DelegationGraphView *view);

    void invalidate();     // the graph or what is visible changed: draw the picture again
    void updateFrame() { update(); }
    QSize sizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;

private:
    void render();
    QPointF toScene(const QPointF &point) const;
    void moveViewTo(const QPointF &point);

    DelegationGraphView *m_view;
    QImage m_picture;
    QTransform m_sceneToPicture;
    bool m_stale = true;
};

// The legend beside the graph, never over it (the exports carry the same one).
class GraphLegend final : public QWidget
{
    Q_OBJECT
public:
    explicit GraphLegend(int columns, QWidget *parent = nullptr);
    void setProtocols(const QStringList &protocols);
    QStringList protocols() const { return m_protocols; }
    // What the marked paths on the graph are, if any: one more legend entry in their colour.
    void setMarked(std::optional<GraphMarkKind> marked);
    QSize sizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    QStringList m_protocols;
    int m_columns;
    std::optional<GraphMarkKind> m_marked;
};

// Pan and zoom over the delegation graph: wheel and pinch zoom around the pointer, drag to pan, keys for
// everything (arrows walk the graph from the current node), fit to view, and a minimap in the corner while
// part of the graph is out of view.
// Very tall graphs are fitted wider than their aspect allows while no text is drawn, so the columns stay
// apart; from the zoom where labels appear, both axes scale alike.
class DelegationGraphView final : public QGraphicsView
{
    Q_OBJECT
public:
    explicit DelegationGraphView(DelegationGraphScene *scene, QWidget *parent = nullptr);

    DelegationGraphScene *graphScene() const { return m_scene; }
    GraphMinimap *minimap() const { return m_minimap; }

    double zoom() const { return m_zoom; } // vertical scale; the horizontal one follows it
    double horizontalScale() const { return horizontalScaleFor(m_zoom); }
    void setZoom(double zoom, const QPointF &viewportAnchor);
    void zoomBy(double factor, bool animated = true);
    void fitToView(bool animated = false);
    // Scrolls the node into view; readable zooms in far enough for its label.
    void showNode(int node, bool readable);
    void panBy(double dx, double dy);

Q_SIGNALS:
    void zoomChanged(double zoom);
    void viewMoved();
    void nodeActivated(int node); // Enter or double-click: the reviewer wants to act on it
    void contextMenuRequested(int node, int edge, const QPoint &globalPos);

protected:
    void wheelEvent(QWheelEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void contextMenuEvent(QContextMenuEvent *event) override;
    bool viewportEvent(QEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void scrollContentsBy(int dx, int dy) override;

private:
    double horizontalScaleFor(double zoom) const;
    double fitZoom() const;
    void animateZoom(double target, const QPointF &viewportAnchor);
    void placeOverlays();

    DelegationGraphScene *m_scene;
    GraphMinimap *m_minimap;
    QVariantAnimation *m_zoomAnimation;
    double m_zoom = 1.0;
    QPointF m_zoomAnchor;
    QPoint m_pressPos;
    QPoint m_lastDragPos;
    bool m_dragging = false;
    bool m_pressed = false;
};

} // namespace chainsight

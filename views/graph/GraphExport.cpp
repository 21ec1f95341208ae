#include "GraphExport.h"

#include "DelegationGraphScene.h"
#include "DelegationGraphView.h"
#include "GraphPainter.h"

#include <QFileInfo>
#include <QImage>
#include <QPainter>
#include <QSvgGenerator>

#include <algorithm>
#include <cmath>

namespace chainsight {
namespace {

constexpr int maximumImageSide = 16384;
constexpr double legendGap = 24;

bool finish(QPainter &painter, const QString &path, QString *error)
{
    if (!painter.end()) {
        *error = QObject::tr("cannot write %1").arg(path);
        return false;
    }
    return true;
}

} // namespace

bool graphImageFormatFor(const QString &path, GraphImageFormat *format)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("svg"))
        *format = GraphImageFormat::Svg;
    else if (suffix == QLatin1String("png"))
        *format = GraphImageFormat::Png;
    else
        return false;
    return true;
}

bool exportGraphView(DelegationGraphView *view, const QString &path, bool withLegend, QString *error)
{
    GraphImageFormat format;
    if (!graphImageFormatFor(path, &format)) {
        *error = QObject::tr("%1: export writes .svg or .png").arg(path);
        return false;
    }
    const QSize viewSize = view->viewport()->size();
    const QStringList protocols = view->graphScene()->graph() ? view->graphScene()->graph()->protocols() : QStringList();
    const QSizeF legend = withLegend ? graphLegendSize(protocols) + QSizeF(legendGap, legendGap) : QSizeF(0, 0);
    const QSize size(viewSize.width() + static_cast<int>(std::ceil(legend.width())),
                     std::max(viewSize.height(), static_cast<int>(std::ceil(legend.height()))));
    const auto paint = [&](QPainter &painter) {
        painter.fillRect(QRect(QPoint(0, 0), size), Qt::white);
        // Painted afresh rather than through the view: the view's device cache would land in an SVG as a picture.
        painter.save();
        painter.translate(legend.width(), 0);
        painter.setClipRect(QRect(QPoint(0, 0), viewSize));
        painter.setTransform(view->viewportTransform(), true);
        paintDelegationGraph(&painter, *view->graphScene(), view->mapToScene(view->viewport()->rect()).boundingRect());
        painter.restore();
        if (withLegend)
            paintGraphLegend(&painter, QPointF(legendGap / 2, legendGap / 2), protocols);
    };
    if (format == GraphImageFormat::Svg) {
        QSvgGenerator svg;
        svg.setFileName(path);
        svg.setSize(size);
        svg.setViewBox(QRect(QPoint(0, 0), size));
        svg.setTitle(QObject::tr("Delegation graph"));
        svg.setDescription(QObject::tr("Chainsight delegation graph: humans, agents and tools, who delegated to whom"));
        QPainter painter;
        if (!painter.begin(&svg)) {
            *error = QObject::tr("cannot write %1").arg(path);
            return false;
        }
        paint(painter);
        return finish(painter, path, error);
    }
    const double ratio = view->devicePixelRatioF();
    QImage image(size * ratio, QImage::Format_ARGB32_Premultiplied);
    image.setDevicePixelRatio(ratio);
    QPainter painter(&image);
    paint(painter);
    painter.end();
    if (!image.save(path, "PNG")) {
        *error = QObject::tr("cannot write %1").arg(path);
        return false;
    }
    return true;
}

bool exportWholeGraph(const DelegationGraphState &state, const QString &path, double scale, QString *error)
{
    GraphImageFormat format;
    if (!graphImageFormatFor(path, &format)) {
        *error = QObject::tr("%1: the graph is written as .svg, .png or .json").arg(path);
        return false;
    }
    const QRectF bounds = state.graphBounds().adjusted(-20, -20, 20, 20);
    const QStringList protocols = state.graph() ? state.graph()->protocols() : QStringList();
    const QSizeF legend = graphLegendSize(protocols);
    // The legend keeps its size; the graph is scaled beside it.
    const auto canvasSize = [&](double s) {
        return QSizeF(legend.width() + legendGap + bounds.width() * s, std::max(legend.height() + 2 * legendGap, bounds.height() * s));
    };
    if (format == GraphImageFormat::Png) {
        const QSizeF wanted = canvasSize(scale);
        const double shrink = std::min(1.0, maximumImageSide / std::max(wanted.width(), wanted.height()));
        scale *= shrink;
    }
    const QSizeF size = canvasSize(scale);
    const QRectF target(legend.width() + legendGap, 0, bounds.width() * scale, bounds.height() * scale);
    const auto paint = [&](QPainter &painter) {
        painter.fillRect(QRectF(QPointF(0, 0), size), Qt::white);
        painter.save();
        painter.translate(target.topLeft());
        painter.scale(scale, scale);
        painter.translate(-bounds.topLeft());
        painter.setClipRect(bounds);
        paintDelegationGraph(&painter, state, bounds);
        painter.restore();
        paintGraphLegend(&painter, QPointF(legendGap / 2, legendGap), protocols);
    };
    if (format == GraphImageFormat::Svg) {
        QSvgGenerator svg;
        svg.setFileName(path);
        svg.setSize(size.toSize());
        svg.setViewBox(QRectF(QPointF(0, 0), size));
        svg.setTitle(QObject::tr("Delegation graph"));
        QPainter painter;
        if (!painter.begin(&svg)) {
            *error = QObject::tr("cannot write %1").arg(path);
            return false;
        }
        paint(painter);
        return finish(painter, path, error);
    }
    QImage image(size.toSize(), QImage::Format_ARGB32_Premultiplied);
    if (image.isNull()) {
        *error = QObject::tr("the image of %1 × %2 pixels is too large; try a smaller --scale").arg(size.width()).arg(size.height());
        return false;
    }
    QPainter painter(&image);
    paint(painter);
    painter.end();
    if (!image.save(path, "PNG")) {
        *error = QObject::tr("cannot write %1").arg(path);
        return false;
    }
    return true;
}

} // namespace chainsight

// Renders the scalable application icon as a square PNG (or ICO on Windows) of one size, at build time.
// Usage: chainsight-render-icon ICON.svg SIZE OUT.png
#include <QCoreApplication>
#include <QImage>
#include <QImageWriter>
#include <QPainter>
#include <QSvgRenderer>
#include <QTextStream>

#include <cstdio>

int main(int argc, char *argv[])
{
    // No QGuiApplication: painting an SVG without text into a QImage needs no platform plugin or display.
    QCoreApplication app(argc, argv);
    const QStringList arguments = QCoreApplication::arguments();
    QTextStream err(stderr);
    bool sizeOk = false;
    const int size = arguments.size() == 4 ? arguments.at(2).toInt(&sizeOk) : 0;
    if (!sizeOk || size < 8 || size > 4096) {
        err << "usage: chainsight-render-icon ICON.svg SIZE OUT.png (SIZE from 8 to 4096)\n";
        return 2;
    }
    QSvgRenderer renderer(arguments.at(1));
    if (!renderer.isValid()) {
        err << arguments.at(1) << ": error: not a readable SVG image\n";
        return 2;
    }
    QImage image(size, size, QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::transparent);
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    renderer.render(&painter, QRectF(0, 0, size, size));
    painter.end();

    QImageWriter writer(arguments.at(3));
    if (!writer.write(image)) {
        err << arguments.at(3) << ": error: " << writer.errorString() << '\n';
        return 3;
    }
    return 0;
}

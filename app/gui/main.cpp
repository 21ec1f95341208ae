#include "MainWindow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QScreen>
#include <QTimer>

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Chainsight"));
    QApplication::setOrganizationName(QStringLiteral("Chainsight"));
    QApplication::setApplicationVersion(QStringLiteral(CHAINSIGHT_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("chainsight"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Chainsight: governance console for AI agent delegation chains"));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption demo(QStringLiteral("demo"), QStringLiteral("Open the bundled demo workspace."));
    const QCommandLineOption screenshot(QStringLiteral("screenshot"),
                                        QStringLiteral("Save a picture of the window once the workspace is shown, then quit."),
                                        QStringLiteral("PNG"));
    const QCommandLineOption panel(QStringLiteral("panel"), QStringLiteral("Bring this panel to the front: inventory, identities, findings, chains, import-log."),
                                   QStringLiteral("NAME"));
    parser.addOptions({demo, screenshot, panel});
    parser.addPositionalArgument(QStringLiteral("workspace"), QStringLiteral("A workspace to open (*.chainsight)."),
                                 QStringLiteral("[W.chainsight]"));
    parser.process(app);

    chainsight::MainWindow window;
    if (parser.isSet(screenshot)) {
        const QString target = parser.value(screenshot);
        QObject::connect(&window, &chainsight::MainWindow::workspaceShown, &window, [&window, target] {
            // Let the layout settle (column sizes, dock geometry) before the picture is taken.
            QTimer::singleShot(300, &window, [&window, target] {
                const bool saved = window.grab().save(target);
                QApplication::exit(saved ? 0 : 3);
            });
        });
    }
    window.show();
    if (parser.isSet(panel))
        window.showPanel(parser.value(panel));
    if (!parser.positionalArguments().isEmpty())
        window.openWorkspace(parser.positionalArguments().constFirst());
    else if (parser.isSet(demo))
        window.openDemoWorkspace();
    else
        window.openStartupWorkspace();
    return QApplication::exec();
}

#include "MainWindow.h"
#include "Preferences.h"
#include "Theme.h"

#include <QApplication>
#include <QByteArrayView>
#include <QCommandLineParser>
#include <QFileOpenEvent>
#include <QScreen>
#include <QTimer>

namespace {

void setApplicationNames()
{
    QCoreApplication::setApplicationName(QStringLiteral("Chainsight"));
    QCoreApplication::setOrganizationName(QStringLiteral("Chainsight"));
    QCoreApplication::setApplicationVersion(QStringLiteral(CHAINSIGHT_VERSION));
}

struct CommandLine
{
    QCommandLineParser parser;
    QCommandLineOption demo{QStringLiteral("demo"), QStringLiteral("Open the bundled demo workspace.")};
    QCommandLineOption screenshot{QStringLiteral("screenshot"),
                                  QStringLiteral("Save a picture of the window once the workspace is shown, then quit."),
                                  QStringLiteral("PNG")};
    QCommandLineOption panel{QStringLiteral("panel"),
                             QStringLiteral("Bring this panel to the front: graph, overview, inventory, identities, findings, chains, reviews, "
                                            "import-log, policy; simulation, simulation-charts, simulation-diff also replay the "
                                            "policy in the editor."),
                             QStringLiteral("NAME")};

    CommandLine()
    {
        parser.setApplicationDescription(QStringLiteral("Chainsight: governance console for AI agent delegation chains"));
        parser.addHelpOption();
        parser.addVersionOption();
        parser.addOptions({demo, screenshot, panel});
        parser.addPositionalArgument(QStringLiteral("workspace"), QStringLiteral("A workspace to open (*.chainsight)."),
                                     QStringLiteral("[W.chainsight]"));
    }
};

bool asksForHelpOrVersion(int argc, char *argv[])
{
    for (int i = 1; i < argc; ++i) {
        const QByteArrayView argument(argv[i]);
        if (argument == "--help" || argument == "-h" || argument == "-?" || argument == "--help-all"
            || argument == "--version" || argument == "-v")
            return true;
    }
    return false;
}

// macOS hands a double-clicked workspace to the running application as an event, not as an argument.
class FileOpenHandler final : public QObject
{
public:
    explicit FileOpenHandler(chainsight::MainWindow &window)
        : QObject(&window)
        , m_window(window)
    {
    }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() != QEvent::FileOpen)
            return QObject::eventFilter(watched, event);
        const QString path = static_cast<QFileOpenEvent *>(event)->file();
        if (!path.isEmpty())
            m_window.openWorkspace(path);
        return true;
    }

private:
    chainsight::MainWindow &m_window;
};

} // namespace

int main(int argc, char *argv[])
{
    // --help and --version answer without a display: in a terminal over ssh, in a package check.
    if (asksForHelpOrVersion(argc, argv)) {
        QCoreApplication app(argc, argv);
        setApplicationNames();
        CommandLine commandLine;
        commandLine.parser.process(app); // prints and exits
    }

    QApplication app(argc, argv);
    setApplicationNames();
    QApplication::setDesktopFileName(QStringLiteral("example.chainsight.Chainsight"));
    chainsight::applyColorScheme(chainsight::Preferences::load().colorScheme);

    CommandLine commandLine;
    QCommandLineParser &parser = commandLine.parser;
    parser.process(app);

    chainsight::MainWindow window;
    app.installEventFilter(new FileOpenHandler(window));
    if (parser.isSet(commandLine.screenshot)) {
        const QString target = parser.value(commandLine.screenshot);
        // The policy panels fill themselves after the workspace is shown: the picture waits for them.
        const QString panel = parser.value(commandLine.panel);
        const bool later = panel == QLatin1String("policy") || panel.startsWith(QLatin1String("simulation"));
        QObject::connect(&window, later ? &chainsight::MainWindow::panelReady : &chainsight::MainWindow::workspaceShown, &window,
                         [&window, target] {
            // Let the layout settle (column sizes, dock geometry) before the picture is taken.
            QTimer::singleShot(300, &window, [&window, target] {
                const bool saved = window.grab().save(target);
                QApplication::exit(saved ? 0 : 3);
            });
        });
    }
    window.show();
    if (parser.isSet(commandLine.panel))
        window.showPanel(parser.value(commandLine.panel));
    if (!parser.positionalArguments().isEmpty())
        window.openWorkspace(parser.positionalArguments().constFirst());
    else if (parser.isSet(commandLine.demo))
        window.openDemoWorkspace();
    else
        window.openStartupWorkspace();
    return QApplication::exec();
}

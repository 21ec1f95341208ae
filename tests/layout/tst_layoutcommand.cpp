#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

// `chainsight-cli layout` end to end on the demo workspace the CLI writes itself.
class LayoutCommandTest final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void writesJsonForScripts();
    void writesPicturesWhenItCan_data();
    void writesPicturesWhenItCan();
    void refusesBadUsage_data();
    void refusesBadUsage();

private:
    int cli(const QStringList &arguments, QByteArray *output = nullptr, QByteArray *errors = nullptr);

    QTemporaryDir m_dir;
    QString m_workspace;
};

int LayoutCommandTest::cli(const QStringList &arguments, QByteArray *output, QByteArray *errors)
{
    QProcess process;
    process.start(QStringLiteral(CHAINSIGHT_CLI), arguments);
    if (!process.waitForFinished(120000))
        return -1;
    if (output)
        *output = process.readAllStandardOutput();
    if (errors)
        *errors = process.readAllStandardError();
    return process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
}

void LayoutCommandTest::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QCOMPARE(cli({QStringLiteral("demo"), QStringLiteral("--out"), m_dir.path()}), 0);
    m_workspace = m_dir.filePath(QStringLiteral("demo.chainsight"));
    QVERIFY(QFile::exists(m_workspace));
    QCOMPARE(cli({QStringLiteral("findings"), QStringLiteral("-w"), m_workspace}), 0);
}

void LayoutCommandTest::writesJsonForScripts()
{
    const QString path = m_dir.filePath(QStringLiteral("graph.json"));
    QByteArray output;
    QCOMPARE(cli({QStringLiteral("layout"), QStringLiteral("-w"), m_workspace, QStringLiteral("--out"), path}, &output), 0);
    QVERIFY(output.contains("nodes"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QJsonObject document = QJsonDocument::fromJson(file.readAll()).object();
    const QJsonArray nodes = document.value(QStringLiteral("nodes")).toArray();
    const QJsonArray edges = document.value(QStringLiteral("edges")).toArray();
    QVERIFY(nodes.size() > 10);
    QVERIFY(edges.size() > 10);
    QSet<QString> ids;
    QSet<QString> kinds;
    for (const QJsonValue &value : nodes) {
        const QJsonObject node = value.toObject();
        ids.insert(node.value(QStringLiteral("id")).toString());
        kinds.insert(node.value(QStringLiteral("kind")).toString());
        QVERIFY(node.value(QStringLiteral("w")).toDouble() > 0 && node.value(QStringLiteral("h")).toDouble() > 0);
    }
    // Node ids are the identities' ids, as `chains --json` names them; the demo has each kind.
    QVERIFY(ids.contains(QStringLiteral("care-supervisor")));
    QVERIFY(ids.contains(QStringLiteral("unknown-originator")));
    for (const char *kind : {"human", "supervisor", "worker", "sub-agent", "tool", "shadow", "unknown"})
        QVERIFY2(kinds.contains(QLatin1String(kind)), kind);
    for (const QJsonValue &value : edges) {
        const QJsonObject edge = value.toObject();
        QVERIFY(ids.contains(edge.value(QStringLiteral("source")).toString()));
        QVERIFY(ids.contains(edge.value(QStringLiteral("target")).toString()));
        QVERIFY(edge.value(QStringLiteral("points")).toArray().size() >= 2);
    }
}

void LayoutCommandTest::writesPicturesWhenItCan_data()
{
    QTest::addColumn<QString>("name");
    QTest::newRow("svg") << QStringLiteral("graph.svg");
    QTest::newRow("png") << QStringLiteral("graph.png");
}

void LayoutCommandTest::writesPicturesWhenItCan()
{
    QFETCH(QString, name);
    const QString path = m_dir.filePath(name);
    QByteArray errors;
    const int code = cli({QStringLiteral("layout"), QStringLiteral("-w"), m_workspace, QStringLiteral("--out"), path}, nullptr, &errors);
    // Pictures need a GUI application object; a run without one says so instead of crashing.
    if (code == 3) {
        QVERIFY(errors.contains("font database"));
        QVERIFY(!QFile::exists(path));
        QSKIP("this chainsight-cli runs `layout` without a GUI application object");
    }
    QCOMPARE(code, 0);
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray head = file.read(64);
    QVERIFY(name.endsWith(QLatin1String(".svg")) ? head.contains("<?xml") || head.contains("<svg") : head.startsWith("\x89PNG"));
}

void LayoutCommandTest::refusesBadUsage_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("message");
    QTest::newRow("no output") << QStringList{QStringLiteral("-w"), QStringLiteral("W.chainsight")} << 2 << QStringLiteral("--out");
    QTest::newRow("unknown format") << QStringList{QStringLiteral("-w"), QStringLiteral("W.chainsight"), QStringLiteral("--out"), QStringLiteral("g.gif")}
                                    << 2 << QStringLiteral(".json, .svg or .png");
    QTest::newRow("bad scale") << QStringList{QStringLiteral("-w"), QStringLiteral("W.chainsight"), QStringLiteral("--out"), QStringLiteral("g.json"),
                                              QStringLiteral("--scale"), QStringLiteral("zero")}
                               << 2 << QStringLiteral("--scale");
    QTest::newRow("missing workspace") << QStringList{QStringLiteral("-w"), QStringLiteral("/nonexistent/W.chainsight"), QStringLiteral("--out"), QStringLiteral("g.json")}
                                       << 2 << QStringLiteral("no such workspace");
}

void LayoutCommandTest::refusesBadUsage()
{
    QFETCH(QStringList, arguments);
    QFETCH(int, code);
    QFETCH(QString, message);
    QByteArray errors;
    QCOMPARE(cli(QStringList{QStringLiteral("layout")} + arguments, nullptr, &errors), code);
    QVERIFY2(QString::fromUtf8(errors).contains(message), errors.constData());
}

QTEST_GUILESS_MAIN(LayoutCommandTest)
#include "tst_layoutcommand.moc"

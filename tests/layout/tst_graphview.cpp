#include "ChainBuilder.h"
#include "DelegationGraphData.h"
#include "DelegationGraphPage.h"
#include "DelegationGraphScene.h"
#include "DelegationGraphView.h"
#include "DemoData.h"
#include "EnterpriseShape.h"
#include "FindingListModel.h"
#include "GraphDetailsPanel.h"
#include "GraphExport.h"
#include "GraphPainter.h"
#include "Workspace.h"
#include "WorkspaceSession.h"

#include <QAbstractButton>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QPainter>
#include <QSvgGenerator>
#include <QLineEdit>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>

using namespace chainsight;
using namespace chainsight::testing;

namespace {

// alice -> care-supervisor -> refund-worker -> ledger-agent -> ledger.post (the finding's evidence, event 42),
// and in a second chain bob -> care-supervisor -> ticket-worker -> crm.read; a third chain has no originator.
ChainSet handMadeChains()
{
    ChainSet set;
    Chain first;
    first.key = QStringLiteral("trace-a");
    first.originator = QStringLiteral("alice@corp.example");
    first.root = QStringLiteral("care-supervisor");
    first.rootKind = ChainPartyKind::Agent;
    const auto hop = [](const QString &from, ChainPartyKind fromKind, const QString &to, int level, int parent, qint64 eventId) {
        ChainHop h;
        h.delegator = from;
        h.delegatorKind = fromKind;
        h.delegate = to;
        h.delegateKind = ChainPartyKind::Agent;
        h.protocol = QStringLiteral("otlp");
        h.protocols = {QStringLiteral("otlp")};
        h.level = level;
        h.parentHop = parent;
        h.eventId = eventId;
        h.timeMs = 1772438400000 + level * 1000;
        return h;
    };
    first.hops = {hop(QStringLiteral("alice@corp.example"), ChainPartyKind::Human, QStringLiteral("care-supervisor"), 0, -1, 1),
                  hop(QStringLiteral("care-supervisor"), ChainPartyKind::Agent, QStringLiteral("refund-worker"), 1, 0, 2),
                  hop(QStringLiteral("refund-worker"), ChainPartyKind::Agent, QStringLiteral("ledger-agent"), 2, 1, 3)};
    ChainAction post;
    post.eventId = 42;
    post.actor = QStringLiteral("ledger-agent");
    post.actorKind = ChainPartyKind::Agent;
    post.protocol = QStringLiteral("otlp");
    post.tool = QStringLiteral("ledger.post");
    post.hop = 2;
    first.actions = {post};
    first.protocols = {QStringLiteral("otlp")};

    Chain second;
    second.key = QStringLiteral("trace-b");
    second.originator = QStringLiteral("bob@corp.example");
    second.root = QStringLiteral("care-supervisor");
    second.rootKind = ChainPartyKind::Agent;
    second.hops = {hop(QStringLiteral("bob@corp.example"), ChainPartyKind::Human, QStringLiteral("care-supervisor"), 0, -1, 10),
                   hop(QStringLiteral("care-supervisor"), ChainPartyKind::Agent, QStringLiteral("ticket-worker"), 1, 0, 11)};
    ChainAction read;
    read.eventId = 50;
    read.actor = QStringLiteral("ticket-worker");
    read.actorKind = ChainPartyKind::Agent;
    read.protocol = QStringLiteral("mcp");
    read.tool = QStringLiteral("crm.read");
    read.hop = 1;
    read.withinIntent = true;
    second.actions = {read};
    second.protocols = {QStringLiteral("otlp"), QStringLiteral("mcp")};

    Chain third;
    third.key = QStringLiteral("trace-c");
    third.root = QStringLiteral("report-worker");
    third.rootKind = ChainPartyKind::Agent;
    ChainAction draft;
    draft.eventId = 60;
    draft.actor = QStringLiteral("report-worker");
    draft.actorKind = ChainPartyKind::Agent;
    draft.protocol = QStringLiteral("otlp");
    draft.tool = QStringLiteral("doc.write");
    third.actions = {draft};

    for (const Chain &chain : {first, second, third}) {
        set.indexByKey.insert(chain.key, static_cast<int>(set.chains.size()));
        set.chains.append(chain);
    }
    return set;
}

QList<IdentitySummary> handMadeIdentities()
{
    const auto identity = [](const QString &kind, const QString &id, const QString &role, const QString &owner) {
        IdentitySummary summary;
        summary.kind = kind;
        summary.id = id;
        summary.role = role;
        summary.owner = owner;
        return summary;
    };
    return {identity(QStringLiteral("human"), QStringLiteral("alice@corp.example"), {}, {}),
            identity(QStringLiteral("human"), QStringLiteral("bob@corp.example"), {}, {}),
            identity(QStringLiteral("agent"), QStringLiteral("care-supervisor"), QStringLiteral("supervisor"), QStringLiteral("alice@corp.example")),
            identity(QStringLiteral("agent"), QStringLiteral("refund-worker"), QStringLiteral("worker"), QStringLiteral("bob@corp.example")),
            identity(QStringLiteral("agent"), QStringLiteral("ticket-worker"), QStringLiteral("worker"), QStringLiteral("bob@corp.example")),
            identity(QStringLiteral("agent"), QStringLiteral("ledger-agent"), QStringLiteral("sub-agent"), {}),
            identity(QStringLiteral("agent"), QStringLiteral("report-worker"), QStringLiteral("worker"), {})};
}

Finding ledgerFinding()
{
    Finding finding;
    finding.rule = QStringLiteral("intent-drift");
    finding.severity = FindingSeverity::High;
    finding.subject = QStringLiteral("ledger-agent:ledger.post");
    finding.chainKey = QStringLiteral("trace-a");
    finding.identity = QStringLiteral("ledger-agent");
    finding.evidence = {42};
    return finding;
}

std::shared_ptr<const DelegationGraphData> handMadeGraph()
{
    auto chains = std::make_shared<const ChainSet>(handMadeChains());
    auto graph = std::make_shared<IdentityGraph>(IdentityGraph::fromChains(*chains, handMadeIdentities()));
    const QList<Finding> findings{ledgerFinding()};
    graph->attachFindings(findings);
    return DelegationGraphData::build(graph, chains, findings);
}

std::shared_ptr<const DelegationGraphData> enterpriseGraph(int agents)
{
    return DelegationGraphData::build(std::make_shared<const IdentityGraph>(identityGraphOf(synthesizeEnterprise(agents))), nullptr, {});
}

int edgeBetween(const DelegationGraphData &graph, const QString &from, const QString &to)
{
    return graph.edgeBetween(graph.nodeIndex(from), graph.nodeIndex(to));
}

} // namespace

class GraphViewTest final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sceneShowsEveryNode();
    void findingPathReachesItsOriginator();
    void identityFindingWithoutChainReachesHumans();
    void chainWithoutOriginatorEndsAtUnknownOriginator();
    void collapsingHidesOnlyTheSubtreeAndMovesNothing();
    void reloadKeepsPlacesOfNodesThatStay();
    void filters_data();
    void filters();
    void searchWalksThroughMatches();
    void arrowKeysWalkTheGraph();
    void clickSelectsAndDetailsFollow();
    void levelOfDetail_data();
    void levelOfDetail();
    void exportsSvgAndPng();
    void everyControlHasAnAccessibleName();
    void demoWorkspaceRendersReadably();
    void largeWorkspaceRendersReadably();

private:
    QTemporaryDir m_dir;
};

void GraphViewTest::sceneShowsEveryNode()
{
    DelegationGraphScene scene;
    const auto graph = enterpriseGraph(120);
    scene.setGraph(graph);
    QCOMPARE(scene.visibleNodeCount(), graph->nodeCount());
    QCOMPARE(scene.visibleEdgeCount(), graph->edgeCount());
    QVERIFY(scene.sceneRect().contains(graph->layout().bounds));
    // One item draws everything: no item per node or edge.
    QCOMPARE(scene.items().size(), 1);
}

void GraphViewTest::findingPathReachesItsOriginator()
{
    const auto graph = handMadeGraph();
    DelegationGraphScene scene;
    scene.setGraph(graph);
    scene.highlightFinding(ledgerFinding());
    const GraphMarks &marks = scene.highlight();
    QVERIFY(!marks.isEmpty());
    const int alice = graph->nodeIndex(QStringLiteral("alice@corp.example"));
    QVERIFY(alice >= 0);
    QVERIFY(marks.nodes[static_cast<size_t>(alice)]);
    for (const auto &[from, to] : {std::pair{QStringLiteral("alice@corp.example"), QStringLiteral("care-supervisor")},
                                   std::pair{QStringLiteral("care-supervisor"), QStringLiteral("refund-worker")},
                                   std::pair{QStringLiteral("refund-worker"), QStringLiteral("ledger-agent")},
                                   std::pair{QStringLiteral("ledger-agent"), QStringLiteral("ledger.post")}}) {
        const int edge = edgeBetween(*graph, from, to);
        QVERIFY2(edge >= 0, qPrintable(from + QStringLiteral(" -> ") + to));
        QVERIFY2(marks.edges[static_cast<size_t>(edge)], qPrintable(from + QStringLiteral(" -> ") + to));
    }
    // The other chain through the same supervisor is not part of this finding's path.
    QVERIFY(!marks.nodes[static_cast<size_t>(graph->nodeIndex(QStringLiteral("bob@corp.example")))]);
    QVERIFY(!marks.edges[static_cast<size_t>(edgeBetween(*graph, QStringLiteral("care-supervisor"), QStringLiteral("ticket-worker")))]);
    // The finding's actor becomes the current node; its badge counts the finding.
    QCOMPARE(scene.currentNode(), graph->nodeIndex(QStringLiteral("ledger-agent")));
    QCOMPARE(graph->node(scene.currentNode()).findingCount, 1);
}

void GraphViewTest::identityFindingWithoutChainReachesHumans()
{
    const auto graph = handMadeGraph();
    Finding orphan;
    orphan.rule = QStringLiteral("orphan-agent");
    orphan.identity = QStringLiteral("ledger-agent");
    const GraphMarks marks = graph->pathOfFinding(orphan);
    QVERIFY(marks.nodes[static_cast<size_t>(graph->nodeIndex(QStringLiteral("alice@corp.example")))]);
    QVERIFY(marks.edges[static_cast<size_t>(edgeBetween(*graph, QStringLiteral("refund-worker"), QStringLiteral("ledger-agent")))]);
    QCOMPARE(marks.focusNode, graph->nodeIndex(QStringLiteral("ledger-agent")));
}

void GraphViewTest::chainWithoutOriginatorEndsAtUnknownOriginator()
{
    const auto graph = handMadeGraph();
    const int unknown = graph->nodeIndex(QStringLiteral("unknown-originator"));
    QVERIFY(unknown >= 0);
    QCOMPARE(graph->kind(unknown), GraphNodeKind::UnknownOriginator);
    const GraphMarks marks = graph->pathOfAction(QStringLiteral("trace-c"), 60);
    QVERIFY(marks.nodes[static_cast<size_t>(unknown)]);
    QVERIFY(marks.edges[static_cast<size_t>(edgeBetween(*graph, QStringLiteral("report-worker"), QStringLiteral("doc.write")))]);
    QVERIFY(marks.edges[static_cast<size_t>(edgeBetween(*graph, QStringLiteral("unknown-originator"), QStringLiteral("report-worker")))]);
}

void GraphViewTest::collapsingHidesOnlyTheSubtreeAndMovesNothing()
{
    const auto graph = handMadeGraph();
    DelegationGraphScene scene;
    scene.setGraph(graph);
    std::vector<QRectF> before;
    for (int v = 0; v < graph->nodeCount(); ++v)
        before.push_back(graph->box(v));
    const int refund = graph->nodeIndex(QStringLiteral("refund-worker"));
    QSignalSpy changed(&scene, &DelegationGraphScene::contentChanged);
    scene.setCollapsed(refund, true);
    QCOMPARE(changed.count(), 1);
    // ledger-agent and ledger.post are reached only through refund-worker.
    QCOMPARE(scene.hiddenBelow(refund), 2);
    QVERIFY(!scene.isNodeVisible(graph->nodeIndex(QStringLiteral("ledger-agent"))));
    QVERIFY(!scene.isNodeVisible(graph->nodeIndex(QStringLiteral("ledger.post"))));
    QVERIFY(!scene.isEdgeVisible(edgeBetween(*graph, QStringLiteral("refund-worker"), QStringLiteral("ledger-agent"))));
    QVERIFY(scene.isNodeVisible(refund));
    QCOMPARE(scene.visibleNodeCount(), graph->nodeCount() - 2);
    // Every node that stays keeps its place: collapsing hides, it does not lay out again.
    const DelegationGraphData *shown = scene.graph();
    for (int v = 0; v < shown->nodeCount(); ++v) {
        if (scene.isNodeVisible(v))
            QCOMPARE(shown->box(v), before[static_cast<size_t>(v)]);
    }
    // The supervisor leads to both workers; collapsing it hides what only it reaches.
    const int supervisor = graph->nodeIndex(QStringLiteral("care-supervisor"));
    scene.setCollapsed(supervisor, true);
    QVERIFY(!scene.isNodeVisible(graph->nodeIndex(QStringLiteral("ticket-worker"))));
    QVERIFY(scene.isNodeVisible(graph->nodeIndex(QStringLiteral("alice@corp.example"))));
    QVERIFY(scene.isNodeVisible(graph->nodeIndex(QStringLiteral("report-worker"))));
    scene.setCollapsed(supervisor, false);
    scene.setCollapsed(refund, false);
    QCOMPARE(scene.visibleNodeCount(), graph->nodeCount());
}

void GraphViewTest::reloadKeepsPlacesOfNodesThatStay()
{
    // An import adds a department's worth of agents: the nodes that were there do not move.
    const EnterpriseShape before = synthesizeEnterprise(150);
    EnterpriseShape after = before;
    const int human = 51;
    const int supervisor = after.add(QStringLiteral("new-supervisor"), QStringLiteral("supervisor"), after.nodes[static_cast<size_t>(human)].id);
    const int worker = after.add(QStringLiteral("new-worker"), QStringLiteral("worker"));
    after.edges.push_back({human, supervisor, false});
    after.edges.push_back({supervisor, worker, false});
    after.edges.push_back({worker, 0, true});
    const auto first = DelegationGraphData::build(std::make_shared<const IdentityGraph>(identityGraphOf(before)), nullptr, {});
    const auto second = DelegationGraphData::build(std::make_shared<const IdentityGraph>(identityGraphOf(after)), nullptr, {}, first.get());
    QVERIFY(second->wasUpdatedInPlace());
    for (int v = 0; v < first->nodeCount(); ++v) {
        const int now = second->nodeIndex(first->node(v).id);
        QVERIFY(now >= 0);
        QCOMPARE(second->box(now), first->box(v));
    }
    // The new ones are placed, right of who delegates to them.
    const QRectF newSupervisor = second->box(second->nodeIndex(QStringLiteral("new-supervisor")));
    QVERIFY(newSupervisor.left() > second->box(human).right());
    QVERIFY(second->box(second->nodeIndex(QStringLiteral("new-worker"))).left() > newSupervisor.right());
}

void GraphViewTest::filters_data()
{
    QTest::addColumn<QString>("protocol");
    QTest::addColumn<QString>("rule");
    QTest::addColumn<QStringList>("shown");
    QTest::addColumn<QStringList>("hidden");
    QTest::newRow("mcp calls") << QStringLiteral("mcp") << QString() << QStringList{QStringLiteral("ticket-worker"), QStringLiteral("crm.read")}
                               << QStringList{QStringLiteral("ledger-agent"), QStringLiteral("alice@corp.example")};
    QTest::newRow("intent-drift findings") << QString() << QStringLiteral("intent-drift")
                                           << QStringList{QStringLiteral("alice@corp.example"), QStringLiteral("ledger-agent"), QStringLiteral("ledger.post")}
                                           << QStringList{QStringLiteral("ticket-worker"), QStringLiteral("bob@corp.example")};
}

void GraphViewTest::filters()
{
    QFETCH(QString, protocol);
    QFETCH(QString, rule);
    QFETCH(QStringList, shown);
    QFETCH(QStringList, hidden);
    const auto graph = handMadeGraph();
    DelegationGraphScene scene;
    scene.setGraph(graph);
    GraphFilter filter;
    filter.protocol = protocol;
    filter.rule = rule;
    scene.setFilter(filter);
    for (const QString &id : std::as_const(shown))
        QVERIFY2(scene.isNodeVisible(graph->nodeIndex(id)), qPrintable(id));
    for (const QString &id : std::as_const(hidden))
        QVERIFY2(!scene.isNodeVisible(graph->nodeIndex(id)), qPrintable(id));
    scene.setFilter({});
    QCOMPARE(scene.visibleNodeCount(), graph->nodeCount());

    // A time range that ends before everything hides every edge.
    GraphFilter early;
    early.toMs = 1000;
    scene.setFilter(early);
    QCOMPARE(scene.visibleEdgeCount(), 0);
}

void GraphViewTest::searchWalksThroughMatches()
{
    DelegationGraphPage page;
    page.resize(1200, 800);
    page.showGraph(handMadeGraph());
    page.searchField()->setText(QStringLiteral("worker"));
    const std::vector<int> matches = page.scene()->searchMatches();
    QCOMPARE(matches.size(), size_t(3)); // refund-worker, ticket-worker, report-worker
    QTest::keyClick(page.searchField(), Qt::Key_Return);
    QCOMPARE(page.scene()->currentNode(), matches[0]);
    QTest::keyClick(page.searchField(), Qt::Key_Return);
    QCOMPARE(page.scene()->currentNode(), matches[1]);
    QTest::keyClick(page.searchField(), Qt::Key_Return, Qt::ShiftModifier);
    QCOMPARE(page.scene()->currentNode(), matches[0]);
    page.findPrevious();
    QCOMPARE(page.scene()->currentNode(), matches[2]); // wraps round
    // Search is case-insensitive and also finds owners.
    page.searchField()->setText(QStringLiteral("BOB@"));
    QVERIFY(page.scene()->searchMatches().size() >= 3);
}

void GraphViewTest::arrowKeysWalkTheGraph()
{
    DelegationGraphPage page;
    page.resize(1200, 800);
    page.showGraph(handMadeGraph());
    const DelegationGraphData *graph = page.scene()->graph();
    DelegationGraphView *view = page.view();
    page.scene()->setCurrentNode(graph->nodeIndex(QStringLiteral("care-supervisor")));
    QTest::keyClick(view, Qt::Key_Right);
    const int delegate = page.scene()->currentNode();
    QVERIFY(delegate == graph->nodeIndex(QStringLiteral("refund-worker")) || delegate == graph->nodeIndex(QStringLiteral("ticket-worker")));
    QTest::keyClick(view, Qt::Key_Left);
    QCOMPARE(page.scene()->currentNode(), graph->nodeIndex(QStringLiteral("care-supervisor")));
    QTest::keyClick(view, Qt::Key_Left);
    const QString human = graph->node(page.scene()->currentNode()).id;
    QVERIFY(human == QLatin1String("alice@corp.example") || human == QLatin1String("bob@corp.example"));
    QTest::keyClick(view, Qt::Key_Down);
    QTest::keyClick(view, Qt::Key_Up);
    QCOMPARE(graph->node(page.scene()->currentNode()).id, human);
    // P marks the way from the originators, Space collapses, Escape clears.
    page.scene()->setCurrentNode(graph->nodeIndex(QStringLiteral("refund-worker")));
    QTest::keyClick(view, Qt::Key_P);
    QVERIFY(page.scene()->hasHighlight());
    QTest::keyClick(view, Qt::Key_Space);
    QVERIFY(page.scene()->isCollapsed(graph->nodeIndex(QStringLiteral("refund-worker"))));
    QTest::keyClick(view, Qt::Key_Escape);
    QVERIFY(!page.scene()->hasHighlight());
    // Zoom keys change the zoom; 0 fits again.
    const double fitted = view->zoom();
    QTest::keyClick(view, Qt::Key_Minus);
    QTRY_VERIFY(view->zoom() < fitted);
}

void GraphViewTest::clickSelectsAndDetailsFollow()
{
    DelegationGraphPage page;
    page.resize(1300, 800);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    page.showGraph(handMadeGraph());
    const DelegationGraphData *graph = page.scene()->graph();
    DelegationGraphView *view = page.view();
    const int refund = graph->nodeIndex(QStringLiteral("refund-worker"));
    view->showNode(refund, true);
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, view->mapFromScene(graph->box(refund).center()));
    QCOMPARE(page.scene()->currentNode(), refund);
    QVERIFY(page.details()->text()->toPlainText().contains(QStringLiteral("bob@corp.example")));
    QVERIFY(page.details()->text()->toPlainText().contains(QStringLiteral("ledger-agent")));
    // A click on an edge selects the edge.
    const int edge = edgeBetween(*graph, QStringLiteral("refund-worker"), QStringLiteral("ledger-agent"));
    // Between two columns the drawn curve passes through the middle of its two points.
    const auto route = graph->layout().route(edge);
    size_t widest = 1;
    for (size_t i = 1; i < route.size(); ++i) {
        if (route[i].x() - route[i - 1].x() > route[widest].x() - route[widest - 1].x())
            widest = i;
    }
    const QPointF onEdge = (route[widest - 1] + route[widest]) / 2;
    view->centerOn(onEdge);
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, view->mapFromScene(onEdge));
    QCOMPARE(page.scene()->currentEdge(), edge);
    QVERIFY(page.details()->text()->toPlainText().contains(QStringLiteral("Retention")));
    // The graph stays on screen while details show.
    QVERIFY(view->isVisible());
    QVERIFY(page.details()->isVisible());
}

void GraphViewTest::levelOfDetail_data()
{
    QTest::addColumn<double>("scale");
    QTest::addColumn<int>("detail");
    QTest::newRow("far") << 0.02 << int(GraphDetail::Overview);
    QTest::newRow("mid") << 0.3 << int(GraphDetail::Structure);
    QTest::newRow("near") << 1.0 << int(GraphDetail::Full);
    QTest::newRow("wide but short") << 0.3 << int(GraphDetail::Structure);
}

void GraphViewTest::levelOfDetail()
{
    QFETCH(double, scale);
    QFETCH(int, detail);
    QCOMPARE(int(graphDetail(QTransform::fromScale(scale, scale))), detail);
    // Text needs both axes: a view stretched sideways stays at the detail of its smaller scale.
    QCOMPARE(int(graphDetail(QTransform::fromScale(scale * 3, scale))), detail);
}

void GraphViewTest::exportsSvgAndPng()
{
    QVERIFY(m_dir.isValid());
    DelegationGraphPage page;
    page.resize(1000, 700);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    page.showGraph(handMadeGraph());
    // Close enough for labels: the SVG carries them as text.
    page.view()->setZoom(1.0, QRectF(page.view()->viewport()->rect()).center());
    page.view()->centerOn(page.scene()->graph()->box(page.scene()->graph()->nodeIndex(QStringLiteral("care-supervisor"))).center());
    QString error;
    const QString svgPath = m_dir.filePath(QStringLiteral("view.svg"));
    QVERIFY2(page.exportView(svgPath, &error), qPrintable(error));
    QFile svg(svgPath);
    QVERIFY(svg.open(QIODevice::ReadOnly));
    const QByteArray text = svg.readAll();
    QVERIFY(text.contains("<svg"));
    QVERIFY(text.contains("care-supervisor"));
    const QString pngPath = m_dir.filePath(QStringLiteral("view.png"));
    QVERIFY2(page.exportView(pngPath, &error), qPrintable(error));
    const QImage png(pngPath);
    QVERIFY(!png.isNull());
    // The visible graph, and the legend left of it.
    QVERIFY(png.width() / png.devicePixelRatio() > page.view()->viewport()->width());
    QVERIFY(png.height() / png.devicePixelRatio() >= page.view()->viewport()->height());
    QVERIFY(!page.exportView(m_dir.filePath(QStringLiteral("view.gif")), &error));
    QVERIFY(error.contains(QStringLiteral(".svg")));

    // A scene drawn with render() (the evidence report does) stays vector: no cached picture of it.
    DelegationGraphScene standalone;
    standalone.setGraph(handMadeGraph());
    const QString renderedPath = m_dir.filePath(QStringLiteral("rendered.svg"));
    {
        QSvgGenerator generator;
        generator.setFileName(renderedPath);
        generator.setSize(QSize(1600, 800));
        QPainter painter(&generator);
        standalone.render(&painter, QRectF(0, 0, 1600, 800), standalone.graphBounds(), Qt::KeepAspectRatio);
    }
    QFile rendered(renderedPath);
    QVERIFY(rendered.open(QIODevice::ReadOnly));
    const QByteArray renderedText = rendered.readAll();
    QVERIFY(renderedText.contains("ledger-agent"));
    QVERIFY(!renderedText.contains("<image"));

    const QString wholePath = m_dir.filePath(QStringLiteral("whole.png"));
    QVERIFY2(exportWholeGraph(*page.scene(), wholePath, 1.0, &error), qPrintable(error));
    const QImage whole(wholePath);
    QVERIFY(whole.width() > page.scene()->graphBounds().width());
    // The command line's whole-graph SVG: vector, labels as text, with the legend.
    const QString wholeSvg = m_dir.filePath(QStringLiteral("whole.svg"));
    QVERIFY2(exportWholeGraph(*page.scene(), wholeSvg, 1.0, &error), qPrintable(error));
    QFile wholeFile(wholeSvg);
    QVERIFY(wholeFile.open(QIODevice::ReadOnly));
    const QByteArray wholeText = wholeFile.readAll();
    QVERIFY(wholeText.contains("ledger-agent"));
    QVERIFY(wholeText.contains("Calls a tool"));
    QVERIFY(!wholeText.contains("<image"));
}

void GraphViewTest::everyControlHasAnAccessibleName()
{
    DelegationGraphPage page;
    page.showGraph(handMadeGraph());
    const QList<QWidget *> widgets = page.findChildren<QWidget *>();
    for (QWidget *widget : widgets) {
        const bool interactive = widget->focusPolicy() != Qt::NoFocus && (qobject_cast<QAbstractButton *>(widget) || qobject_cast<QComboBox *>(widget)
                                                                          || qobject_cast<QLineEdit *>(widget) || qobject_cast<QAbstractScrollArea *>(widget));
        if (!interactive || qobject_cast<QLineEdit *>(widget->parentWidget()) || qobject_cast<QComboBox *>(widget->parentWidget()))
            continue;
        if (widget->parentWidget() && widget->parentWidget()->inherits("QAbstractSpinBox"))
            continue;
        const QString name = widget->accessibleName().isEmpty() && qobject_cast<QAbstractButton *>(widget)
                                 ? qobject_cast<QAbstractButton *>(widget)->text()
                                 : widget->accessibleName();
        QVERIFY2(!name.isEmpty(), widget->metaObject()->className());
    }
    QVERIFY(!page.view()->accessibleDescription().isEmpty());
}

void GraphViewTest::demoWorkspaceRendersReadably()
{
    QVERIFY(m_dir.isValid());
    QString error;
    const auto path = DemoData::buildWorkspace(m_dir.filePath(QStringLiteral("demo")), &error);
    QVERIFY2(path, qPrintable(error));
    analyseWorkspace(*path);
    auto workspace = Workspace::open(*path, Workspace::OpenMode::ReadOnly, &error);
    QVERIFY2(workspace, qPrintable(error));
    const auto identities = workspace->identities(&error);
    const auto findings = storedFindings(*workspace, &error);
    auto chains = ChainBuilder::build(*workspace, &error);
    QVERIFY2(identities && findings && chains, qPrintable(error));
    auto graph = std::make_shared<IdentityGraph>(IdentityGraph::fromChains(*chains, *identities));
    graph->attachFindings(*findings);
    const auto data = DelegationGraphData::build(graph, std::make_shared<const ChainSet>(std::move(*chains)), *findings);
    QVERIFY(data->nodeCount() > 10);
    int badges = 0;
    for (int v = 0; v < data->nodeCount(); ++v)
        badges += data->node(v).findingCount > 0 ? 1 : 0;
    QVERIFY(badges > 0);
    // The demo has humans, agents of every role, tools, a shadow identity and a chain with no originator.
    QSet<int> kinds;
    for (int v = 0; v < data->nodeCount(); ++v)
        kinds.insert(int(data->kind(v)));
    for (GraphNodeKind kind : {GraphNodeKind::Human, GraphNodeKind::Supervisor, GraphNodeKind::Worker, GraphNodeKind::Tool,
                               GraphNodeKind::Shadow, GraphNodeKind::UnknownOriginator})
        QVERIFY2(kinds.contains(int(kind)), qPrintable(graphNodeKindName(kind)));
    // Labels sit inside their boxes and no two boxes overlap, so no two labels do.
    for (int a = 0; a < data->nodeCount(); ++a) {
        for (int b = a + 1; b < data->nodeCount(); ++b)
            QVERIFY(!data->box(a).intersects(data->box(b)));
    }

    DelegationGraphPage page;
    page.resize(1400, 860);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    page.showGraph(data);
    page.view()->fitToView();
    // At the fitted zoom the demo is close enough to read.
    QCOMPARE(graphDetail(page.view()->transform()), GraphDetail::Full);
    // The legend is beside the graph, not over it.
    QVERIFY(page.legend()->isVisible());
    const QRect legendArea(page.legend()->mapTo(&page, QPoint(0, 0)), page.legend()->size());
    const QRect graphArea(page.view()->mapTo(&page, QPoint(0, 0)), page.view()->size());
    QVERIFY(!legendArea.intersects(graphArea));
#ifdef CHAINSIGHT_ARTEFACT_DIR
    QDir().mkpath(QStringLiteral(CHAINSIGHT_ARTEFACT_DIR));
    QVERIFY(page.grab().save(QStringLiteral(CHAINSIGHT_ARTEFACT_DIR "/graph-demo.png")));
#endif
    // A finding picked: its path from the originating human is marked and its actor's details show beside.
    const Finding *withChain = nullptr;
    for (const Finding &finding : *findings) {
        if (!finding.chainKey.isEmpty() && !finding.identity.isEmpty() && (!withChain || finding.rule == QLatin1String("intent-drift")))
            withChain = &finding;
    }
    QVERIFY(withChain);
    page.showFinding(*withChain);
    QVERIFY(page.scene()->hasHighlight());
    QVERIFY(page.scene()->currentNode() >= 0);
    const Chain *chain = page.scene()->graph()->chains()->find(withChain->chainKey);
    QVERIFY(chain);
    if (!chain->originator.isEmpty())
        QVERIFY(page.scene()->highlight().nodes[static_cast<size_t>(page.scene()->graph()->nodeIndex(chain->originator))]);
#ifdef CHAINSIGHT_ARTEFACT_DIR
    page.view()->fitToView();
    QVERIFY(page.grab().save(QStringLiteral(CHAINSIGHT_ARTEFACT_DIR "/graph-demo-finding.png")));
#endif
}

// A large imported world (CHAINSIGHT_GRAPH_WORKSPACE, e.g. a 3,000-node gen_enterprise.py world): laid out
// without overlaps, fitted, zoomed in, and with a finding's path; pictures go to the artefacts folder.
void GraphViewTest::largeWorkspaceRendersReadably()
{
    const QString path = qEnvironmentVariable("CHAINSIGHT_GRAPH_WORKSPACE");
    if (path.isEmpty())
        QSKIP("set CHAINSIGHT_GRAPH_WORKSPACE to an imported workspace to render it");
    QString error;
    auto workspace = Workspace::open(path, Workspace::OpenMode::ReadOnly, &error);
    QVERIFY2(workspace, qPrintable(error));
    const auto identities = workspace->identities(&error);
    const auto findings = storedFindings(*workspace, &error);
    auto chains = ChainBuilder::build(*workspace, &error);
    QVERIFY2(identities && findings && chains, qPrintable(error));
    auto graph = std::make_shared<IdentityGraph>(IdentityGraph::fromChains(*chains, *identities));
    graph->attachFindings(*findings);
    const auto data = DelegationGraphData::build(graph, std::make_shared<const ChainSet>(std::move(*chains)), *findings);
    qInfo("%d nodes, %d edges, %d columns, %lld crossings, laid out in %.0f ms", data->nodeCount(), data->edgeCount(),
          data->layout().stats.layers, data->layout().stats.crossings, data->layout().stats.milliseconds);
    // No two boxes of a column overlap, so no two labels do (labels sit inside their boxes).
    std::vector<std::vector<int>> columns(static_cast<size_t>(data->layout().stats.layers));
    for (int v = 0; v < data->nodeCount(); ++v)
        columns[static_cast<size_t>(data->layout().nodeLayer[static_cast<size_t>(v)])].push_back(v);
    for (auto &column : columns) {
        std::sort(column.begin(), column.end(), [&](int a, int b) { return data->box(a).top() < data->box(b).top(); });
        for (size_t i = 1; i < column.size(); ++i)
            QVERIFY(data->box(column[i - 1]).bottom() < data->box(column[i]).top());
    }
    DelegationGraphPage page;
    page.resize(1600, 1000);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    page.showGraph(data);
    page.view()->fitToView();
    QDir().mkpath(QStringLiteral(CHAINSIGHT_ARTEFACT_DIR));
    QVERIFY(page.grab().save(QStringLiteral(CHAINSIGHT_ARTEFACT_DIR "/graph-large-fitted.png")));
    // Close up on the supervisor with the most findings.
    int busiest = -1;
    for (int v = 0; v < data->nodeCount(); ++v) {
        if (data->kind(v) == GraphNodeKind::Supervisor && (busiest < 0 || data->node(v).findingCount > data->node(busiest).findingCount))
            busiest = v;
    }
    QVERIFY(busiest >= 0);
    page.scene()->setCurrentNode(busiest);
    page.view()->showNode(busiest, true);
    QVERIFY(page.grab().save(QStringLiteral(CHAINSIGHT_ARTEFACT_DIR "/graph-large-zoomed.png")));
    // A finding with a chain, its path marked.
    for (const Finding &finding : *findings) {
        if (!finding.chainKey.isEmpty() && finding.rule == QLatin1String("deep-delegation")) {
            page.showFinding(finding);
            break;
        }
    }
    QVERIFY(page.scene()->hasHighlight());
    QVERIFY(page.grab().save(QStringLiteral(CHAINSIGHT_ARTEFACT_DIR "/graph-large-finding.png")));
}

QTEST_MAIN(GraphViewTest)
#include "tst_graphview.moc"

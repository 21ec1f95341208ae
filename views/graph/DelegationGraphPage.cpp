#include "DelegationGraphPage.h"

#include "DelegationGraphData.h"
#include "DelegationGraphScene.h"
#include "DelegationGraphView.h"
#include "GraphDetailsPanel.h"
#include "GraphExport.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QScrollArea>
#include <QScrollBar>
#include <QSplitter>
#include <QStandardPaths>
#include <QTimeZone>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace chainsight {
namespace {

enum Period { AllTime, LastDay, LastWeek, LastMonth, CustomPeriod };

QToolButton *toolButton(const QString &text, const QString &tip, QWidget *parent)
{
    auto *button = new QToolButton(parent);
    button->setText(text);
    button->setToolTip(tip);
    button->setAccessibleName(tip);
    button->setAutoRaise(true);
    return button;
}

// Shift+Enter in the search field goes back through the matches.
class SearchKeys final : public QObject
{
public:
    SearchKeys(DelegationGraphPage *page, QObject *parent)
        : QObject(parent)
        , m_page(page)
    {
    }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() == QEvent::KeyPress) {
            auto *key = static_cast<QKeyEvent *>(event);
            if (key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter) {
                if (key->modifiers() & Qt::ShiftModifier)
                    m_page->findPrevious();
                else
                    m_page->findNext();
                return true;
            }
            if (key->key() == Qt::Key_Escape || key->key() == Qt::Key_Down) {
                m_page->view()->setFocus(Qt::ShortcutFocusReason);
                return true;
            }
        }
        return QObject::eventFilter(watched, event);
    }

private:
    DelegationGraphPage *m_page;
};

} // namespace

DelegationGraphPage::DelegationGraphPage(QWidget *parent)
    : QWidget(parent)
    , m_scene(new DelegationGraphScene(this))
    , m_view(new DelegationGraphView(m_scene, this))
    , m_details(new GraphDetailsPanel(m_scene, this))
    , m_search(new QLineEdit(this))
    , m_matches(new QLabel(this))
    , m_period(new QComboBox(this))
    , m_from(new QDateTimeEdit(this))
    , m_to(new QDateTimeEdit(this))
    , m_protocol(new QComboBox(this))
    , m_rule(new QComboBox(this))
    , m_severity(new QComboBox(this))
    , m_legend(toolButton(tr("Legend"), tr("Show or hide the legend"), this))
    , m_legendPanel(new GraphLegend(2, this))
    , m_legendScroll(new QScrollArea(this))
    , m_status(new QLabel(this))
{
    m_search->setPlaceholderText(tr("Find a human, agent or tool (Ctrl+F)…"));
    m_search->setClearButtonEnabled(true);
    m_search->setAccessibleName(tr("Search the graph"));
    m_search->installEventFilter(new SearchKeys(this, m_search));
    m_matches->setMinimumWidth(70);
    m_matches->setAccessibleName(tr("Search matches"));
    QToolButton *previous = toolButton(QStringLiteral("▲"), tr("Previous match (Shift+F3)"), this);
    QToolButton *next = toolButton(QStringLiteral("▼"), tr("Next match (F3)"), this);
    QToolButton *fit = toolButton(tr("Fit"), tr("Fit the graph to the view (0)"), this);
    QToolButton *zoomIn = toolButton(QStringLiteral("+"), tr("Zoom in (+)"), this);
    QToolButton *zoomOut = toolButton(QStringLiteral("−"), tr("Zoom out (−)"), this);
    QToolButton *exportButton = toolButton(tr("Export…"), tr("Export the visible graph as SVG or PNG"), this);
    QToolButton *clear = toolButton(tr("Clear marks"), tr("Clear the highlighted path (Esc)"), this);
    m_legend->setCheckable(true);
    m_legend->setChecked(true);

    m_period->addItems({tr("All time"), tr("Last 24 hours"), tr("Last 7 days"), tr("Last 30 days"), tr("Custom range")});
    m_period->setAccessibleName(tr("Time range"));
    for (QDateTimeEdit *edit : {m_from, m_to}) {
        edit->setTimeSpec(Qt::UTC);
        edit->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm"));
        edit->setCalendarPopup(true);
        edit->setEnabled(false);
    }
    m_from->setAccessibleName(tr("From (UTC)"));
    m_to->setAccessibleName(tr("To (UTC)"));
    m_protocol->setAccessibleName(tr("Protocol"));
    m_rule->setAccessibleName(tr("Finding rule"));
    m_severity->setAccessibleName(tr("Minimum finding severity"));
    m_severity->addItem(tr("Any severity"), -1);
    m_severity->addItem(tr("Medium and above"), static_cast<int>(FindingSeverity::Medium));
    m_severity->addItem(tr("High and above"), static_cast<int>(FindingSeverity::High));
    m_severity->addItem(tr("Critical"), static_cast<int>(FindingSeverity::Critical));
    m_protocol->addItem(tr("All protocols"));
    m_rule->addItem(tr("All rules"));
    m_status->setTextFormat(Qt::PlainText);
    m_status->setAccessibleName(tr("Graph status"));

    auto *searchRow = new QHBoxLayout;
    searchRow->addWidget(m_search, 2);
    searchRow->addWidget(previous);
    searchRow->addWidget(next);
    searchRow->addWidget(m_matches);
    searchRow->addSpacing(12);
    searchRow->addWidget(zoomOut);
    searchRow->addWidget(zoomIn);
    searchRow->addWidget(fit);
    searchRow->addWidget(clear);
    searchRow->addWidget(m_legend);
    searchRow->addWidget(exportButton);
    auto *filterRow = new QHBoxLayout;
    filterRow->addWidget(new QLabel(tr("Show:"), this));
    filterRow->addWidget(m_period);
    filterRow->addWidget(m_from);
    filterRow->addWidget(new QLabel(QStringLiteral("–"), this));
    filterRow->addWidget(m_to);
    filterRow->addWidget(m_protocol);
    filterRow->addWidget(m_rule);
    filterRow->addWidget(m_severity);
    filterRow->addStretch();
    auto *side = new QWidget(this);
    auto *sideLayout = new QVBoxLayout(side);
    sideLayout->setContentsMargins(0, 0, 0, 0);
    sideLayout->addWidget(m_details, 1);
    // The legend scrolls when the window is short (many protocols make it tall) instead of pushing the
    // window's minimum height past the screen; given room, it shows whole.
    m_legendScroll->setWidget(m_legendPanel);
    m_legendScroll->setAccessibleName(tr("Graph legend, scrollable"));
    m_legendScroll->setWidgetResizable(true);
    m_legendScroll->setFrameShape(QFrame::NoFrame);
    m_legendScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_legendScroll->setMinimumHeight(std::min(m_legendPanel->height(), 4 * m_legendPanel->fontMetrics().height() + 24));
    fitLegendScroll();
    sideLayout->addWidget(m_legendScroll);
    auto *splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(m_view);
    splitter->addWidget(side);
    splitter->setStretchFactor(0, 4);
    splitter->setStretchFactor(1, 1);
    splitter->setChildrenCollapsible(false);
    splitter->setSizes({900, 300});
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 2);
    layout->setSpacing(3);
    layout->addLayout(searchRow);
    layout->addLayout(filterRow);
    layout->addWidget(splitter, 1);
    layout->addWidget(m_status);

    const auto addShortcut = [this](const QKeySequence &keys, auto slot) {
        auto *action = new QAction(this);
        action->setShortcut(keys);
        action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        connect(action, &QAction::triggered, this, slot);
        addAction(action);
    };
    addShortcut(QKeySequence::Find, &DelegationGraphPage::focusSearch);
    addShortcut(QKeySequence::FindNext, &DelegationGraphPage::findNext);
    addShortcut(QKeySequence::FindPrevious, &DelegationGraphPage::findPrevious);

    connect(m_search, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_scene->setSearchText(text);
        m_match = -1;
        updateSearchSummary();
    });
    connect(previous, &QToolButton::clicked, this, &DelegationGraphPage::findPrevious);
    connect(next, &QToolButton::clicked, this, &DelegationGraphPage::findNext);
    connect(fit, &QToolButton::clicked, this, [this] { m_view->fitToView(true); });
    connect(zoomIn, &QToolButton::clicked, this, [this] { m_view->zoomBy(1.35); });
    connect(zoomOut, &QToolButton::clicked, this, [this] { m_view->zoomBy(1 / 1.35); });
    connect(clear, &QToolButton::clicked, this, [this] { m_scene->clearHighlight(); });
    connect(m_legend, &QToolButton::toggled, m_legendScroll, &QWidget::setVisible);
    connect(exportButton, &QToolButton::clicked, this, &DelegationGraphPage::chooseExport);
    connect(m_period, &QComboBox::currentIndexChanged, this, [this] {
        updatePeriodBounds();
        applyFilter();
    });
    connect(m_from, &QDateTimeEdit::dateTimeChanged, this, &DelegationGraphPage::applyFilter);
    connect(m_to, &QDateTimeEdit::dateTimeChanged, this, &DelegationGraphPage::applyFilter);
    connect(m_protocol, &QComboBox::currentIndexChanged, this, &DelegationGraphPage::applyFilter);
    connect(m_rule, &QComboBox::currentIndexChanged, this, &DelegationGraphPage::applyFilter);
    connect(m_severity, &QComboBox::currentIndexChanged, this, &DelegationGraphPage::applyFilter);
    connect(m_details, &GraphDetailsPanel::nodeRequested, this, [this](int node) {
        m_scene->setCurrentNode(node);
        m_view->showNode(node, false);
    });
    connect(m_details, &GraphDetailsPanel::centreRequested, this, [this](int node) { m_view->showNode(node, true); });
    connect(m_view, &DelegationGraphView::nodeActivated, this, [this](int node) { m_view->showNode(node, true); });
    connect(m_view, &DelegationGraphView::contextMenuRequested, this, &DelegationGraphPage::showContextMenu);
    connect(m_scene, &DelegationGraphScene::contentChanged, this, &DelegationGraphPage::updateStatus);
    connect(m_scene, &DelegationGraphScene::currentChanged, this, [this] {
        // The selection is read out to assistive technology through the view's description.
        const DelegationGraphData *graph = m_scene->graph();
        const int node = m_scene->currentNode();
        if (graph && node >= 0) {
            const IdentityGraphNode &n = graph->node(node);
            m_view->setAccessibleDescription(tr("Selected %1 %2; %3 delegators, %4 delegates or tools; %5 findings")
                                                 .arg(graphNodeKindName(graph->kind(node)), graph->label(node))
                                                 .arg(graph->inEdges(node).size())
                                                 .arg(graph->outEdges(node).size())
                                                 .arg(n.findingCount));
        }
    });
    updateStatus();
}

DelegationGraphPage::~DelegationGraphPage() = default;

void DelegationGraphPage::setGraph(std::shared_ptr<const IdentityGraph> graph, std::shared_ptr<const ChainSet> chains, QList<Finding> findings)
{
    const int generation = ++m_generation;
    std::shared_ptr<const DelegationGraphData> previous = m_scene->sharedGraph();
    m_status->setText(tr("Laying out the delegation graph…"));
    QtConcurrent::run([graph = std::move(graph), chains = std::move(chains), findings = std::move(findings), previous] {
        return DelegationGraphData::build(graph, chains, findings, previous.get());
    }).then(this, [this, generation](std::shared_ptr<const DelegationGraphData> built) {
        // Only the newest load is shown.
        if (generation == m_generation)
            showGraph(std::move(built));
    });
}

void DelegationGraphPage::showGraph(std::shared_ptr<const DelegationGraphData> graph)
{
    const bool inPlace = graph && graph->wasUpdatedInPlace();
    const QString protocol = m_protocol->currentIndex() > 0 ? m_protocol->currentText() : QString();
    const QString rule = m_rule->currentIndex() > 0 ? m_rule->currentText() : QString();
    {
        const QSignalBlocker blockProtocol(m_protocol);
        const QSignalBlocker blockRule(m_rule);
        m_protocol->clear();
        m_protocol->addItem(tr("All protocols"));
        m_protocol->addItems(graph ? graph->protocols() : QStringList());
        m_protocol->setCurrentIndex(std::max(0, m_protocol->findText(protocol)));
        m_rule->clear();
        m_rule->addItem(tr("All rules"));
        m_rule->addItems(graph ? graph->rules() : QStringList());
        m_rule->setCurrentIndex(std::max(0, m_rule->findText(rule)));
    }
    m_legendPanel->setProtocols(graph ? graph->protocols() : QStringList());
    fitLegendScroll();
    m_scene->setGraph(std::move(graph));
    updatePeriodBounds();
    applyFilter();
    if (m_fitPending || !inPlace) {
        m_fitPending = false;
        m_view->fitToView();
        // The first show may come before the window has its size.
        QTimer::singleShot(0, this, [this] { m_view->fitToView(); });
    }
    updateSearchSummary();
    Q_EMIT graphShown();
}

void DelegationGraphPage::updatePeriodBounds()
{
    const DelegationGraphData *graph = m_scene->graph();
    const qint64 last = graph && graph->lastTimeMs() > 0 ? graph->lastTimeMs() : QDateTime::currentMSecsSinceEpoch();
    const qint64 first = graph && graph->firstTimeMs() > 0 ? graph->firstTimeMs() : last;
    const QSignalBlocker blockFrom(m_from);
    const QSignalBlocker blockTo(m_to);
    const bool custom = m_period->currentIndex() == CustomPeriod;
    m_from->setEnabled(custom);
    m_to->setEnabled(custom);
    if (custom)
        return;
    constexpr qint64 day = 24 * 3600 * 1000LL;
    const qint64 span = m_period->currentIndex() == LastDay ? day : m_period->currentIndex() == LastWeek ? 7 * day
                        : m_period->currentIndex() == LastMonth                                        ? 30 * day
                                                                                                        : last - first;
    m_from->setDateTime(QDateTime::fromMSecsSinceEpoch(std::max(first, last - span), Qt::UTC));
    m_to->setDateTime(QDateTime::fromMSecsSinceEpoch(last, Qt::UTC));
}

void DelegationGraphPage::applyFilter()
{
    GraphFilter filter;
    if (m_period->currentIndex() != AllTime) {
        filter.fromMs = m_from->dateTime().toMSecsSinceEpoch();
        filter.toMs = m_to->dateTime().toMSecsSinceEpoch() + 59999; // the whole last minute shown
    }
    if (m_protocol->currentIndex() > 0)
        filter.protocol = m_protocol->currentText();
    if (m_rule->currentIndex() > 0)
        filter.rule = m_rule->currentText();
    if (m_severity->currentData().toInt() >= 0)
        filter.minimumSeverity = static_cast<FindingSeverity>(m_severity->currentData().toInt());
    m_scene->setFilter(filter);
    updateSearchSummary();
}

void DelegationGraphPage::focusSearch()
{
    m_search->setFocus(Qt::ShortcutFocusReason);
    m_search->selectAll();
}

void DelegationGraphPage::findNext()
{
    goToMatch(1);
}

void DelegationGraphPage::findPrevious()
{
    goToMatch(-1);
}

void DelegationGraphPage::goToMatch(int step)
{
    const std::vector<int> &matches = m_scene->searchMatches();
    if (matches.empty()) {
        updateSearchSummary();
        return;
    }
    const int count = static_cast<int>(matches.size());
    m_match = m_match < 0 ? (step > 0 ? 0 : count - 1) : ((m_match + step) % count + count) % count;
    const int node = matches[static_cast<size_t>(m_match)];
    m_scene->setCurrentNode(node);
    m_view->showNode(node, true);
    updateSearchSummary();
}

void DelegationGraphPage::updateSearchSummary()
{
    const int count = static_cast<int>(m_scene->searchMatches().size());
    if (m_search->text().trimmed().isEmpty())
        m_matches->clear();
    else if (count == 0)
        m_matches->setText(tr("no match"));
    else
        m_matches->setText(m_match >= 0 ? tr("%1 of %2").arg(m_match + 1).arg(count) : tr("%n match(es)", nullptr, count));
}

void DelegationGraphPage::showMarks()
{
    const GraphMarks &marks = m_scene->highlight();
    const DelegationGraphData *graph = m_scene->graph();
    if (!graph || marks.isEmpty())
        return;
    QRectF area;
    for (int v = 0; v < graph->nodeCount(); ++v) {
        if (marks.nodes[static_cast<size_t>(v)] && m_scene->isNodeVisible(v))
            area = area.isNull() ? graph->box(v) : area.united(graph->box(v));
    }
    if (area.isNull())
        return;
    // The whole path in view, as close as reading allows.
    const QSizeF room = m_view->viewport()->size();
    const double zoom = std::min({1.0, room.width() / (area.width() + 80), room.height() / (area.height() + 80)});
    m_view->setZoom(zoom, QRectF(m_view->viewport()->rect()).center());
    m_view->centerOn(area.center());
}

void DelegationGraphPage::showFinding(const Finding &finding)
{
    m_scene->highlightFinding(finding);
    showMarks();
}

void DelegationGraphPage::showChain(const QString &chainKey)
{
    m_scene->highlightChain(chainKey);
    showMarks();
}

void DelegationGraphPage::showAction(const QString &chainKey, qint64 eventId)
{
    m_scene->highlightAction(chainKey, eventId);
    showMarks();
}

bool DelegationGraphPage::exportView(const QString &path, QString *error)
{
    return exportGraphView(m_view, path, m_legend->isChecked(), error);
}

void DelegationGraphPage::chooseExport()
{
    QString selected;
    const QString path = QFileDialog::getSaveFileName(this, tr("Export the graph"),
                                                      QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation),
                                                      tr("SVG image (*.svg);;PNG image (*.png)"), &selected);
    if (path.isEmpty())
        return;
    QString target = path;
    GraphImageFormat format;
    if (!graphImageFormatFor(target, &format))
        target += selected.contains(QLatin1String("png")) ? QStringLiteral(".png") : QStringLiteral(".svg");
    QString error;
    m_status->setText(exportView(target, &error) ? tr("Exported the visible graph to %1").arg(target) : error);
}

void DelegationGraphPage::showContextMenu(int node, int edge, const QPoint &globalPos)
{
    QMenu menu(this);
    fillContextMenu(menu, node, edge);
    menu.exec(globalPos);
}

void DelegationGraphPage::fillContextMenu(QMenu &menu, int node, int edge)
{
    if (node >= 0) {
        menu.addAction(tr("Highlight the path from the originator"), this, [this, node] { m_scene->highlightPathToOriginators(node); });
        if (m_scene->isCollapsed(node))
            menu.addAction(tr("Expand"), this, [this, node] { m_scene->setCollapsed(node, false); });
        else if (m_scene->canCollapse(node))
            menu.addAction(tr("Collapse what only this leads to"), this, [this, node] { m_scene->setCollapsed(node, true); });
        menu.addAction(tr("Bring close"), this, [this, node] { m_view->showNode(node, true); });
        menu.addAction(tr("Copy id"), this, [this, node] { QApplication::clipboard()->setText(m_scene->graph()->node(node).id); });
        if (m_scene->graph()->kind(node) != GraphNodeKind::UnknownOriginator) {
            menu.addSeparator();
            const QString id = m_scene->graph()->node(node).id;
            menu.addAction(tr("Review this identity…"), this, [this, id] { Q_EMIT identityReviewRequested(id); });
        }
    } else if (edge >= 0) {
        menu.addAction(tr("Highlight the path from the originator"), this, [this, edge] { m_scene->setHighlight(m_scene->graph()->pathOfEdge(edge)); });
        // The chains through this edge (the graph keeps a bounded number of them), each reviewable.
        const QStringList chains = m_scene->graph()->edge(edge).chainKeys;
        if (!chains.isEmpty()) {
            QMenu *review = menu.addMenu(tr("Review a chain through this edge"));
            for (const QString &key : chains.mid(0, 20))
                review->addAction(key, this, [this, key] { Q_EMIT chainReviewRequested(key); });
        }
    } else {
        menu.addAction(tr("Fit to view"), this, [this] { m_view->fitToView(true); });
    }
    if (m_scene->hasHighlight())
        menu.addAction(tr("Clear the highlight"), this, [this] { m_scene->clearHighlight(); });
}

void DelegationGraphPage::updateStatus()
{
    m_legendPanel->setMarked(m_scene->hasHighlight() ? std::optional<GraphMarkKind>(m_scene->highlight().kind) : std::nullopt);
    fitLegendScroll();
    const DelegationGraphData *graph = m_scene->graph();
    if (!graph) {
        m_status->setText(tr("No workspace"));
        return;
    }
    m_status->setText(tr("%1 of %2 nodes, %3 of %4 edges shown · %5 columns, laid out in %6 ms")
                          .arg(m_scene->visibleNodeCount())
                          .arg(graph->nodeCount())
                          .arg(m_scene->visibleEdgeCount())
                          .arg(graph->edgeCount())
                          .arg(graph->layout().stats.layers)
                          .arg(graph->layout().stats.milliseconds, 0, 'f', 0));
}

void DelegationGraphPage::fitLegendScroll()
{
    // Never taller than the legend (the details above get the rest), and always as wide as it, with room for
    // the scroll bar it may need.
    const QSize legend = m_legendPanel->sizeHint();
    m_legendScroll->setMaximumHeight(legend.height() + 2 * m_legendScroll->frameWidth());
    m_legendScroll->setMinimumWidth(legend.width() + m_legendScroll->verticalScrollBar()->sizeHint().width()
                                    + 2 * m_legendScroll->frameWidth());
}

} // namespace chainsight

#include "ChainInspector.h"

#include "ChainJson.h"
#include "ChainListModel.h"
#include "ElidedLabel.h"
#include "RecordTable.h"

#include <QCheckBox>
#include <QDateTime>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QSpinBox>
#include <QSplitter>
#include <QTableView>
#include <QTreeWidget>

namespace chainsight {
namespace {

enum HopColumn { StepColumn, ProtocolColumn, ScopesColumn, RetentionColumn, TimeColumn, HopColumnCount };
constexpr int eventRole = Qt::UserRole + 1;

QString percent(double share)
{
    return QStringLiteral("%1 %").arg(qRound(share * 100.0));
}

// Hops of one chain happen within seconds: the clock time reads faster, the full stamp is in the tooltip.
void setTime(QTreeWidgetItem *item, qint64 timeMs)
{
    if (!timeMs)
        return;
    item->setText(TimeColumn, QDateTime::fromMSecsSinceEpoch(timeMs, Qt::UTC).toString(QStringLiteral("HH:mm:ss.zzz")));
    item->setToolTip(TimeColumn, timeText(timeMs));
}

QString partyText(const QString &name, ChainPartyKind kind)
{
    if (name.isEmpty())
        return QObject::tr("(unknown)");
    return kind == ChainPartyKind::Shadow ? QObject::tr("%1 (shadow)").arg(name) : name;
}

} // namespace

QColor retentionColor(double retention)
{
    if (retention >= 0.9)
        return QColor(0x2e, 0x7d, 0x32);
    if (retention >= 0.5)
        return QColor(0xb2, 0x6a, 0x00);
    return QColor(0xc6, 0x28, 0x28);
}

ChainInspector::ChainInspector(QWidget *parent)
    : QWidget(parent)
    , m_model(new ChainListModel(this))
    , m_proxy(new ChainFilterProxyModel(this))
    , m_filter(new QLineEdit(this))
    , m_unknownOnly(new QCheckBox(tr("No originator"), this))
    , m_minDepth(new QSpinBox(this))
    , m_summary(new ElidedLabel(this))
    , m_view(new QTableView(this))
    , m_hops(new QTreeWidget(this))
{
    m_proxy->setSourceModel(m_model);
    m_filter->setPlaceholderText(tr("Filter chains…"));
    m_filter->setToolTip(tr("Every word must appear in the chain's trace id, originator, root agent or protocols"));
    m_filter->setMinimumWidth(120);
    m_filter->setClearButtonEnabled(true);
    m_filter->setAccessibleName(tr("Filter chains"));
    m_unknownOnly->setAccessibleName(tr("Show only chains without an originating human"));
    m_unknownOnly->setToolTip(m_unknownOnly->accessibleName());
    m_minDepth->setRange(0, 50);
    m_minDepth->setPrefix(tr("depth ≥ "));
    m_minDepth->setAccessibleName(tr("Minimum delegation depth"));

    configureRecordTable(m_view);
    m_view->setModel(m_proxy);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(ChainListModel::FirstTimeColumn, Qt::AscendingOrder);
    m_view->setAccessibleName(tr("Delegation chains"));
    m_view->setItemDelegateForColumn(ChainListModel::RetentionColumn, new EmphasisDelegate([](const QModelIndex &index) {
        const double retention = index.data(ChainListModel::RetentionRole).toDouble();
        return retention < 0.9 ? std::optional(Emphasis{retentionColor(retention), retention < 0.5}) : std::optional<Emphasis>();
    }, m_view));
    m_view->setItemDelegateForColumn(ChainListModel::OriginatorColumn, new EmphasisDelegate([](const QModelIndex &index) {
        return index.data(ChainListModel::UnknownOriginatorRole).toBool() ? std::optional(Emphasis{QColor(0xc6, 0x28, 0x28), true, true})
                                                                          : std::optional<Emphasis>();
    }, m_view));

    m_hops->setColumnCount(HopColumnCount);
    m_hops->setHeaderLabels({tr("Hop / action"), tr("Protocols"), tr("Scopes granted"), tr("Retention"), tr("Time")});
    m_hops->setAlternatingRowColors(true);
    m_hops->setUniformRowHeights(true);
    m_hops->setAccessibleName(tr("Hops and actions of the selected chain"));
    m_hops->header()->setStretchLastSection(false);
    m_hops->header()->setSectionResizeMode(ScopesColumn, QHeaderView::Interactive);
    m_hops->setColumnWidth(ScopesColumn, 140);

    layOutRecordPanel(this, {m_filter, m_unknownOnly, m_minDepth, m_summary}, m_view, m_hops);
    // The hop tree is what a reviewer reads; the chain list only picks.
    if (auto *splitter = findChild<QSplitter *>()) {
        splitter->setStretchFactor(0, 2);
        splitter->setStretchFactor(1, 3);
    }

    connect(m_filter, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_proxy->setFilterText(text);
        updateSummary();
    });
    connect(m_unknownOnly, &QCheckBox::toggled, this, [this](bool only) {
        m_proxy->setUnknownOriginatorOnly(only);
        updateSummary();
    });
    connect(m_minDepth, &QSpinBox::valueChanged, this, [this](int depth) {
        m_proxy->setMinimumDepth(depth);
        updateSummary();
    });
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_view, &QTableView::customContextMenuRequested, this, [this](const QPoint &position) {
        QMenu menu(this);
        fillContextMenu(menu, m_view->indexAt(position));
        if (!menu.isEmpty())
            menu.exec(m_view->viewport()->mapToGlobal(position));
    });
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this] {
        m_highlight.clear();
        showChain();
        Q_EMIT chainSelected(currentChainKey());
    });
}

void ChainInspector::setChains(std::shared_ptr<const ChainSet> chains)
{
    m_model->setChains(std::move(chains));
    fitRecordTable(m_view, 280);
    updateSummary();
    showChain();
}

void ChainInspector::fillContextMenu(QMenu &menu, const QModelIndex &index)
{
    const Chain *chain = index.isValid() ? m_model->chainAt(m_proxy->mapToSource(index).row()) : nullptr;
    if (!chain)
        return;
    const QString key = chain->key;
    menu.addAction(tr("Review this chain…"), this, [this, key] { Q_EMIT reviewRequested(key); });
}

QString ChainInspector::currentChainKey() const
{
    const QModelIndex current = m_proxy->mapToSource(m_view->currentIndex());
    const Chain *chain = m_model->chainAt(current.row());
    return chain ? chain->key : QString();
}

bool ChainInspector::selectChain(const QString &key, const QList<qint64> &highlightEvents)
{
    const int row = m_model->rowOf(key);
    if (row < 0)
        return false;
    QModelIndex proxyIndex = m_proxy->mapFromSource(m_model->index(row, 0));
    if (!proxyIndex.isValid()) {
        // The filters hide it: a reviewer following a finding must land on its chain anyway.
        m_filter->clear();
        m_unknownOnly->setChecked(false);
        m_minDepth->setValue(0);
        proxyIndex = m_proxy->mapFromSource(m_model->index(row, 0));
    }
    {
        const QSignalBlocker blocker(m_view->selectionModel());
        m_view->selectionModel()->setCurrentIndex(proxyIndex, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    }
    m_view->scrollTo(proxyIndex);
    m_highlight = highlightEvents;
    showChain();
    return true;
}

void ChainInspector::updateSummary()
{
    const ChainSet *chains = m_model->chains();
    if (!chains || chains->chains.isEmpty()) {
        m_summary->setText(tr("No chains yet: import traces or logs"));
        return;
    }
    qint64 unknown = 0;
    qint64 actions = 0;
    qint64 within = 0;
    for (const Chain &chain : chains->chains) {
        unknown += chain.originator.isEmpty() ? 1 : 0;
        actions += chain.actions.size();
        within += chain.withinIntentCount();
    }
    m_summary->setText(tr("%1 of %2 · %3 without originator · %4 on intent")
                           .arg(m_proxy->rowCount())
                           .arg(chains->chains.size())
                           .arg(unknown)
                           .arg(actions ? percent(double(within) / double(actions)) : QStringLiteral("–")));
}

void ChainInspector::showChain()
{
    m_hops->clear();
    const Chain *chain = m_model->chainAt(m_proxy->mapToSource(m_view->currentIndex()).row());
    if (!chain)
        return;
    auto *top = new QTreeWidgetItem(m_hops);
    top->setText(StepColumn, chain->originator.isEmpty() ? tr("Unknown originator — nobody answers for this chain")
                                                         : tr("Originator %1").arg(chain->originator));
    top->setText(ProtocolColumn, chain->protocols.join(QStringLiteral(" + ")));
    top->setText(ScopesColumn, chain->rootScopes.join(QLatin1Char(' ')));
    top->setText(RetentionColumn, percent(chain->retention));
    top->setForeground(RetentionColumn, retentionColor(chain->retention));
    top->setText(TimeColumn, timeText(chain->firstTimeMs));
    top->setToolTip(TimeColumn, timeText(chain->firstTimeMs));
    top->setToolTip(StepColumn, tr("Intent of the root agent: %1").arg(chain->rootIntents.join(QStringLiteral(", "))));
    if (chain->originator.isEmpty())
        top->setForeground(StepColumn, QColor(0xc6, 0x28, 0x28));

    QList<QTreeWidgetItem *> hopItems;
    hopItems.reserve(chain->hops.size());
    for (const ChainHop &hop : chain->hops) {
        QTreeWidgetItem *parent = hop.parentHop >= 0 && hop.parentHop < hopItems.size() ? hopItems.at(hop.parentHop) : top;
        auto *item = new QTreeWidgetItem(parent);
        item->setText(StepColumn, QStringLiteral("%1 → %2").arg(partyText(hop.delegator, hop.delegatorKind), partyText(hop.delegate, hop.delegateKind)));
        item->setText(ProtocolColumn, hop.protocols.join(QStringLiteral(" + ")) + (hop.inferred ? tr(" (inferred %1)").arg(hop.confidence) : QString()));
        item->setText(ScopesColumn, hop.scopes.isEmpty() ? tr("—") : hop.scopes.join(QLatin1Char(' ')));
        item->setToolTip(ScopesColumn, hop.scopes.isEmpty() ? tr("No scopes recorded for this hop") : hop.scopes.join(QLatin1Char('\n')));
        item->setText(RetentionColumn, hop.actionCount ? tr("%1 of %2").arg(percent(hop.retention)).arg(hop.actionCount) : tr("no actions"));
        item->setForeground(RetentionColumn, retentionColor(hop.retention));
        setTime(item, hop.timeMs);
        item->setData(StepColumn, eventRole, hop.eventId);
        if (hop.delegateKind == ChainPartyKind::Shadow)
            item->setForeground(StepColumn, QColor(0xc6, 0x28, 0x28));
        hopItems.append(item);
    }
    QTreeWidgetItem *firstHighlighted = nullptr;
    auto highlight = [&](QTreeWidgetItem *item) {
        QFont font = item->font(StepColumn);
        font.setBold(true);
        for (int column = 0; column < HopColumnCount; ++column)
            item->setFont(column, font);
        item->setBackground(StepColumn, QColor(0xff, 0xf3, 0xc4));
        if (!firstHighlighted)
            firstHighlighted = item;
    };
    for (int i = 0; i < hopItems.size(); ++i) {
        if (chain->hops.at(i).eventId && m_highlight.contains(chain->hops.at(i).eventId))
            highlight(hopItems.at(i));
    }
    for (const ChainAction &action : chain->actions) {
        QTreeWidgetItem *parent = action.hop >= 0 && action.hop < hopItems.size() ? hopItems.at(action.hop) : top;
        auto *item = new QTreeWidgetItem(parent);
        item->setText(StepColumn, action.resource.isEmpty() ? tr("%1 calls %2").arg(action.actor, action.action)
                                                            : tr("%1 calls %2 on %3").arg(action.actor, action.action, action.resource));
        item->setText(ProtocolColumn, action.protocol);
        item->setText(RetentionColumn, action.withinIntent ? tr("on intent") : tr("outside intent"));
        item->setForeground(RetentionColumn, action.withinIntent ? retentionColor(1.0) : retentionColor(0.0));
        setTime(item, action.timeMs);
        item->setData(StepColumn, eventRole, action.eventId);
        item->setToolTip(StepColumn, tr("Intent left at %1: %2").arg(action.actor, action.intentAtActor.join(QStringLiteral(", "))));
        if (!action.withinIntent)
            item->setForeground(StepColumn, QColor(0xc6, 0x28, 0x28));
        if (m_highlight.contains(action.eventId))
            highlight(item);
    }
    if (!firstHighlighted) {
        // Evidence on the chain itself (the root agent's own span) marks the chain's first row.
        const ChainSet *chains = m_model->chains();
        const int index = chains->indexByKey.value(chain->key, -1);
        for (qint64 event : std::as_const(m_highlight)) {
            if (chains->chainOfEvent.value(event, -2) == index) {
                highlight(top);
                break;
            }
        }
    }
    m_hops->expandAll();
    for (int column = 0; column < HopColumnCount; ++column) {
        if (column != ScopesColumn)
            m_hops->resizeColumnToContents(column);
    }
    m_hops->setColumnWidth(StepColumn, std::min(m_hops->columnWidth(StepColumn), 420));
    if (firstHighlighted) {
        m_hops->setCurrentItem(firstHighlighted);
        m_hops->scrollToItem(firstHighlighted);
    }
}

} // namespace chainsight

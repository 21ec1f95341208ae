#include "SimulationPanel.h"

#include "SimulationCharts.h"
#include "SimulationReport.h"
#include "SimulationResultModel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPainter>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSplitter>
#include <QStyledItemDelegate>
#include <QTabWidget>
#include <QTableView>
#include <QTreeView>
#include <QVBoxLayout>

namespace chainsight {
namespace {

// Denied decisions in red, allowed in green, flipped rows marked with a bold decision.
class DecisionDelegate final : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;

protected:
    void initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const override
    {
        QStyledItemDelegate::initStyleOption(option, index);
        const int column = index.column();
        if (column != SimulationResultModel::Decision && column != SimulationResultModel::Baseline)
            return;
        const QString decision = index.data().toString();
        if (decision.isEmpty())
            return;
        const bool dark = option->palette.color(QPalette::Base).lightness() < 128;
        const QColor deny = dark ? QColor(0xff, 0x7b, 0x72) : QColor(0xb3, 0x1d, 0x1d);
        const QColor allow = dark ? QColor(0x7e, 0xe7, 0x87) : QColor(0x1d, 0x7a, 0x33);
        option->palette.setColor(QPalette::Text, decision == QLatin1String("deny") ? deny : allow);
        if (column == SimulationResultModel::Decision && index.data(SimulationResultModel::FlippedRole).toBool())
            option->font.setBold(true);
    }
};

} // namespace

SimulationPanel::SimulationPanel(PolicySession *session, QWidget *parent)
    : QWidget(parent)
    , m_session(session)
    , m_model(new SimulationResultModel(this))
    , m_proxy(new SimulationFilterProxy(this))
    , m_diffModel(new PolicyDiffModel(this))
    , m_summary(new QLabel(this))
    , m_progress(new QProgressBar(this))
    , m_cancel(new QPushButton(tr("Cancel"), this))
    , m_tabs(new QTabWidget(this))
    , m_decision(new QComboBox(this))
    , m_policy(new QComboBox(this))
    , m_flipsOnly(new QCheckBox(tr("Flips only"), this))
    , m_search(new QLineEdit(this))
    , m_table(new QTableView(this))
    , m_explanation(new QPlainTextEdit(this))
    , m_charts(new SimulationCharts(this))
    , m_grouping(new QComboBox(this))
    , m_diffTree(new QTreeView(this))
{
    m_summary->setTextFormat(Qt::PlainText);
    m_summary->setText(tr("No replay yet: write a policy and press Simulate (Ctrl+R)"));
    m_progress->setMaximumWidth(260);
    m_progress->setTextVisible(true);
    auto *status = new QHBoxLayout;
    status->addWidget(m_summary, 1);
    status->addWidget(m_progress);
    status->addWidget(m_cancel);
    connect(m_cancel, &QPushButton::clicked, m_session, &PolicySession::cancel);
    setRunning(false);

    // Actions
    m_proxy->setSourceModel(m_model);
    m_decision->addItems({tr("All decisions"), tr("Allowed"), tr("Denied")});
    m_policy->addItem(tr("Any policy"));
    m_search->setPlaceholderText(tr("Search principal, action, resource, chain, policy…"));
    m_search->setClearButtonEnabled(true);
    m_search->setAccessibleName(tr("Search the replay results"));
    connect(m_decision, &QComboBox::currentIndexChanged, this, &SimulationPanel::applyFilters);
    connect(m_policy, &QComboBox::currentIndexChanged, this, &SimulationPanel::applyFilters);
    connect(m_flipsOnly, &QCheckBox::toggled, this, &SimulationPanel::applyFilters);
    connect(m_search, &QLineEdit::textChanged, this, &SimulationPanel::applyFilters);
    auto *filters = new QHBoxLayout;
    filters->addWidget(m_decision);
    filters->addWidget(m_policy);
    filters->addWidget(m_flipsOnly);
    filters->addWidget(m_search, 1);

    m_table->setModel(m_proxy);
    m_table->setItemDelegate(new DecisionDelegate(m_table));
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(SimulationResultModel::Time, Qt::AscendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setAccessibleName(tr("Replayed actions"));
    m_table->setWordWrap(false);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &SimulationPanel::showExplanation);
    m_explanation->setReadOnly(true);
    m_explanation->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_explanation->setPlaceholderText(tr("Select an action to see why it was allowed or denied"));
    m_explanation->setAccessibleName(tr("Why-not explanation"));

    auto *actionsPage = new QWidget(this);
    auto *actionsSplitter = new QSplitter(Qt::Vertical, actionsPage);
    actionsSplitter->addWidget(m_table);
    actionsSplitter->addWidget(m_explanation);
    actionsSplitter->setStretchFactor(0, 4);
    actionsSplitter->setStretchFactor(1, 1);
    auto *actionsLayout = new QVBoxLayout(actionsPage);
    actionsLayout->setContentsMargins(0, 0, 0, 0);
    actionsLayout->addLayout(filters);
    actionsLayout->addWidget(actionsSplitter, 1);
    m_tabs->addTab(actionsPage, tr("Actions"));
    // The charts keep a readable height and scroll in a short dock, instead of forcing the window taller.
    auto *chartsScroll = new QScrollArea(this);
    chartsScroll->setWidgetResizable(true);
    chartsScroll->setFrameShape(QFrame::NoFrame);
    chartsScroll->setWidget(m_charts);
    chartsScroll->setAccessibleName(tr("Simulation charts, scrollable"));
    m_tabs->addTab(chartsScroll, tr("Charts"));

    // Diff
    m_grouping->addItems({tr("Group by policy"), tr("Group by chain")});
    connect(m_grouping, &QComboBox::currentIndexChanged, this, [this](int index) {
        m_diffModel->setGrouping(index == 0 ? PolicyDiffModel::Grouping::ByPolicy : PolicyDiffModel::Grouping::ByChain);
    });
    m_diffTree->setModel(m_diffModel);
    m_diffTree->setUniformRowHeights(true);
    m_diffTree->setAccessibleName(tr("Flipped decisions"));
    m_diffTree->header()->setStretchLastSection(false);
    m_diffTree->header()->setSectionResizeMode(PolicyDiffModel::Name, QHeaderView::Stretch);
    connect(m_diffTree, &QTreeView::activated, this, [this](const QModelIndex &index) {
        const QVariant row = index.data(PolicyDiffModel::CandidateRowRole);
        if (!row.isValid())
            return;
        // Show the flipped action in the table, with its explanation.
        m_search->clear();
        m_decision->setCurrentIndex(0);
        m_policy->setCurrentIndex(0);
        const QModelIndex source = m_model->index(row.toInt(), 0);
        const QModelIndex proxied = m_proxy->mapFromSource(source);
        m_tabs->setCurrentIndex(0);
        m_table->setCurrentIndex(proxied);
        m_table->scrollTo(proxied);
    });
    auto *diffPage = new QWidget(this);
    auto *diffLayout = new QVBoxLayout(diffPage);
    diffLayout->setContentsMargins(0, 0, 0, 0);
    diffLayout->addWidget(m_grouping, 0, Qt::AlignLeft);
    diffLayout->addWidget(m_diffTree, 1);
    m_tabs->addTab(diffPage, tr("Diff"));
    m_tabs->setTabEnabled(2, false);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(status);
    layout->addWidget(m_tabs, 1);

    connect(m_session, &PolicySession::simulationStarted, this, [this] {
        setRunning(true);
        m_summary->setText(tr("Replaying the recorded actions…"));
    });
    connect(m_session, &PolicySession::simulationProgress, this, [this](const QString &phase, qint64 done, qint64 total) {
        m_progress->setFormat(phase + QStringLiteral(" %p%"));
        m_progress->setRange(0, total > 0 ? 1000 : 0);
        if (total > 0)
            m_progress->setValue(int(1000 * done / total));
    });
    connect(m_session, &PolicySession::simulationFinished, this, &SimulationPanel::showOutcome);
    connect(m_session, &PolicySession::simulationStored, this, [this](qint64 runId, const QString &error) {
        setRunning(false);
        m_summary->setText(m_summaryText + (runId > 0 ? tr(" · stored as run %1").arg(runId) : tr(" · not stored: %1").arg(error)));
    });
    connect(m_session, &PolicySession::simulationFailed, this, [this](const QString &message) {
        setRunning(false);
        m_summary->setText(tr("Replay failed: %1").arg(message));
    });
    connect(m_session, &PolicySession::simulationCancelled, this, [this] {
        setRunning(false);
        m_summary->setText(tr("Cancelled; the run was not stored"));
    });
}

SimulationPanel::~SimulationPanel() = default;

void SimulationPanel::setRunning(bool running)
{
    m_progress->setVisible(running);
    m_cancel->setVisible(running);
    if (running) {
        m_progress->setRange(0, 0);
        m_progress->setFormat(tr("Preparing"));
    }
}

void SimulationPanel::showOutcome(const SimulationOutcome &outcome)
{
    m_outcome = outcome;
    m_explainer = outcome.result ? std::make_unique<ReplayExplainer>(*outcome.result) : nullptr;
    m_model->setResult(outcome.result, outcome.baseline);
    m_diffModel->setDiff(outcome.diff, outcome.result);
    m_charts->setResult(outcome.result);
    m_tabs->setTabEnabled(2, outcome.diff != nullptr);
    m_flipsOnly->setEnabled(outcome.diff != nullptr);
    if (!outcome.diff)
        m_flipsOnly->setChecked(false);
    m_table->setColumnHidden(SimulationResultModel::Baseline, outcome.baseline == nullptr);
    m_diffTree->expandToDepth(0);

    const QString current = m_policy->currentText();
    m_policy->blockSignals(true);
    m_policy->clear();
    m_policy->addItem(tr("Any policy"));
    if (outcome.result)
        m_policy->addItems(outcome.result->policyIds);
    m_policy->setCurrentIndex(std::max(0, m_policy->findText(current)));
    m_policy->blockSignals(false);
    applyFilters();
    m_table->resizeColumnsToContents();

    if (!outcome.result)
        return;
    const SimulationResult &r = *outcome.result;
    QString text = tr("%1: %2 actions · %3 allowed · %4 denied · policies erred on %5 · %6 ms")
                       .arg(outcome.policy.name)
                       .arg(r.size())
                       .arg(r.allowCount)
                       .arg(r.denyCount)
                       .arg(r.erroredCount)
                       .arg(r.elapsedMs);
    if (outcome.diff && outcome.baselinePolicy)
        text += tr(" · against %1: %2 flips (%3 allow → deny, %4 deny → allow)")
                    .arg(outcome.baselinePolicy->name)
                    .arg(outcome.diff->flips.size())
                    .arg(outcome.diff->allowToDeny)
                    .arg(outcome.diff->denyToAllow);
    m_summaryText = text;
    m_summary->setText(text + (m_session->isRunning() ? tr(" · storing the run…") : QString()));
    if (outcome.diff && !outcome.diff->flips.empty())
        m_tabs->setCurrentIndex(2);
    Q_EMIT outcomeShown(outcome);
}

bool SimulationPanel::showTab(const QString &name)
{
    const int index = name == QLatin1String("actions") ? 0 : name == QLatin1String("charts") ? 1 : name == QLatin1String("diff") ? 2 : -1;
    if (index < 0)
        return false;
    m_tabs->setCurrentIndex(index);
    return true;
}

void SimulationPanel::applyFilters()
{
    const int decision = m_decision->currentIndex();
    m_proxy->setDecisionFilter(decision == 1   ? SimulationFilterProxy::DecisionFilter::Allow
                               : decision == 2 ? SimulationFilterProxy::DecisionFilter::Deny
                                               : SimulationFilterProxy::DecisionFilter::All);
    m_proxy->setPolicy(m_policy->currentIndex() > 0 ? m_policy->currentText() : QString());
    m_proxy->setFlipsOnly(m_flipsOnly->isChecked());
    m_proxy->setSearchText(m_search->text());
}

void SimulationPanel::showExplanation()
{
    const QModelIndex current = m_table->currentIndex();
    if (!current.isValid() || !m_explainer || !m_outcome.result) {
        m_explanation->clear();
        return;
    }
    const int row = current.data(SimulationResultModel::ResultRowRole).toInt();
    const SimulationResult &r = *m_outcome.result;
    QStringList lines;
    lines.append(describeAction(r, size_t(row)));
    const ReplayDecision &d = r.decisions[size_t(row)];
    if (d.decision == PolicyDecision::Allow)
        lines.append(tr("allowed by %1").arg(r.reasons(size_t(row)).join(QStringLiteral(", "))));
    else
        lines.append(m_explainer->explainText(size_t(row)));
    for (const ReplayError *error : r.rowErrors(size_t(row)))
        lines.append(tr("%1 erred and was skipped: %2").arg(r.policyIds.value(error->policy), QString::fromStdString(error->message)));
    lines.append(QString());
    lines.append(tr("context: %1").arg(QString::fromStdString(cedar::toCedar(r.corpus->context(r.rows[size_t(row)]), 4000))));
    m_explanation->setPlainText(lines.join(QLatin1Char('\n')));
}

} // namespace chainsight

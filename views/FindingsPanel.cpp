#include "FindingsPanel.h"

#include "ElidedLabel.h"
#include "FindingListModel.h"
#include "RecordTable.h"

#include <QComboBox>
#include <QMap>
#include <QMenu>
#include <QPushButton>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QTableView>
#include <QVBoxLayout>

namespace chainsight {

FindingsPanel::FindingsPanel(QWidget *parent)
    : QWidget(parent)
    , m_model(new FindingListModel(this))
    , m_proxy(new FindingFilterProxyModel(this))
    , m_filter(new QLineEdit(this))
    , m_severity(new QComboBox(this))
    , m_rule(new QComboBox(this))
    , m_time(new QComboBox(this))
    , m_revocation(new QPushButton(tr("Revocation list…"), this))
    , m_summary(new ElidedLabel(this))
    , m_view(new QTableView(this))
    , m_details(new QPlainTextEdit(this))
{
    m_proxy->setSourceModel(m_model);
    m_filter->setPlaceholderText(tr("Filter findings by rule, subject, identity, trace…"));
    m_filter->setClearButtonEnabled(true);
    m_filter->setMinimumWidth(160);
    m_filter->setAccessibleName(tr("Filter findings"));
    m_severity->addItem(tr("All severities"), static_cast<int>(FindingSeverity::Low));
    m_severity->addItem(tr("Medium and above"), static_cast<int>(FindingSeverity::Medium));
    m_severity->addItem(tr("High and above"), static_cast<int>(FindingSeverity::High));
    m_severity->addItem(tr("Critical"), static_cast<int>(FindingSeverity::Critical));
    m_severity->setAccessibleName(tr("Minimum severity"));
    m_rule->addItem(tr("All rules"), QString());
    m_rule->setAccessibleName(tr("Rule"));
    // Logs are history: the ranges count back from the newest finding, not from today.
    m_time->addItem(tr("Any time"), qint64(0));
    m_time->addItem(tr("Last 24 hours"), qint64(24) * 3600 * 1000);
    m_time->addItem(tr("Last 7 days"), qint64(7) * 24 * 3600 * 1000);
    m_time->addItem(tr("Last 30 days"), qint64(30) * 24 * 3600 * 1000);
    m_time->setAccessibleName(tr("Time range"));
    m_time->setToolTip(tr("Findings whose evidence falls in this span before the newest finding"));
    m_revocation->setToolTip(tr("Export the credentials behind stale-secret, shared-credential, unverified-token and "
                                "shadow-agent findings for a revocation pipeline (CSV or JSON)"));
    m_revocation->setAccessibleName(tr("Export the revocation worklist"));

    configureRecordTable(m_view);
    m_view->setModel(m_proxy);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(FindingListModel::SeverityColumn, Qt::DescendingOrder);
    // Severity reads at a glance: critical and high bold in the error colour, medium in amber.
    m_view->setItemDelegateForColumn(FindingListModel::SeverityColumn, new EmphasisDelegate([](const QModelIndex &index) {
        const auto severity = static_cast<FindingSeverity>(index.data(FindingListModel::SeverityRole).toInt());
        if (severity >= FindingSeverity::High)
            return std::optional(Emphasis{QColor(0xc6, 0x28, 0x28)});
        if (severity == FindingSeverity::Medium)
            return std::optional(Emphasis{QColor(0xb2, 0x6a, 0x00), false});
        return std::optional<Emphasis>();
    }, m_view));
    m_view->setAccessibleName(tr("Findings"));
    m_details->setReadOnly(true);
    m_details->setAccessibleName(tr("Explanation and evidence of the selected finding"));

    layOutRecordPanel(this, {m_filter, m_rule, m_severity, m_time, m_summary, m_revocation}, m_view, m_details);

    connect(m_filter, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_proxy->setFilterText(text);
        updateSummary();
    });
    connect(m_severity, &QComboBox::currentIndexChanged, this, [this] {
        m_proxy->setMinimumSeverity(static_cast<FindingSeverity>(m_severity->currentData().toInt()));
        updateSummary();
    });
    connect(m_rule, &QComboBox::currentIndexChanged, this, [this] {
        m_proxy->setRule(m_rule->currentData().toString());
        updateSummary();
    });
    connect(m_time, &QComboBox::currentIndexChanged, this, [this] {
        applyTimeRange();
        updateSummary();
    });
    connect(m_revocation, &QPushButton::clicked, this, &FindingsPanel::revocationListRequested);
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_view, &QTableView::customContextMenuRequested, this, [this](const QPoint &position) {
        const QModelIndex index = m_view->indexAt(position);
        if (!index.isValid())
            return;
        const Finding finding = m_model->findings().at(m_proxy->mapToSource(index).row());
        QMenu menu(this);
        menu.addAction(tr("Review…"), this, [this, finding] { Q_EMIT reviewRequested(finding); });
        menu.exec(m_view->viewport()->mapToGlobal(position));
    });
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this] {
        showDetails();
        const QModelIndex current = m_view->currentIndex();
        if (current.isValid())
            Q_EMIT findingSelected(m_model->findings().at(m_proxy->mapToSource(current).row()));
    });
}

bool FindingsPanel::selectFinding(const QString &rule, const QString &subject)
{
    for (int row = 0; row < m_model->rowCount(); ++row) {
        const Finding &finding = m_model->findings().at(row);
        if (finding.rule != rule || finding.subject != subject)
            continue;
        QModelIndex index = m_proxy->mapFromSource(m_model->index(row, 0));
        if (!index.isValid()) {
            m_filter->clear();
            m_rule->setCurrentIndex(0);
            m_severity->setCurrentIndex(0);
            m_time->setCurrentIndex(0);
            index = m_proxy->mapFromSource(m_model->index(row, 0));
        }
        m_view->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        m_view->scrollTo(index);
        return true;
    }
    return false;
}

void FindingsPanel::setFindings(QList<Finding> findings)
{
    // The rule list names every rule that fired, with its count, so a reviewer can take one rule at a time.
    QMap<QString, int> counts;
    for (const Finding &finding : std::as_const(findings))
        ++counts[finding.rule];
    const QString selectedRule = m_rule->currentData().toString();
    {
        const QSignalBlocker blocker(m_rule);
        m_rule->clear();
        m_rule->addItem(tr("All rules"), QString());
        for (auto it = counts.cbegin(); it != counts.cend(); ++it)
            m_rule->addItem(QStringLiteral("%1 (%2)").arg(it.key()).arg(it.value()), it.key());
        m_rule->setCurrentIndex(std::max(0, m_rule->findData(selectedRule)));
    }
    m_proxy->setRule(m_rule->currentData().toString());
    m_latestMs = 0;
    for (const Finding &finding : std::as_const(findings))
        m_latestMs = std::max(m_latestMs, finding.lastSeenMs.value_or(0));
    applyTimeRange();
    m_model->setFindings(std::move(findings));
    fitRecordTable(m_view, 320);
    updateSummary();
    showDetails();
}

void FindingsPanel::applyTimeRange()
{
    const qint64 span = m_time->currentData().toLongLong();
    if (span <= 0 || m_latestMs <= 0)
        m_proxy->setTimeRange(std::nullopt, std::nullopt);
    else
        m_proxy->setTimeRange(m_latestMs - span, std::nullopt);
}

void FindingsPanel::updateSummary()
{
    int serious = 0;
    for (const Finding &finding : m_model->findings())
        serious += finding.severity >= FindingSeverity::High ? 1 : 0;
    m_summary->setText(tr("%1 of %2 findings · %3 high or critical").arg(m_proxy->rowCount()).arg(m_model->rowCount()).arg(serious));
}

void FindingsPanel::showDetails()
{
    const QModelIndex current = m_view->currentIndex();
    if (!current.isValid()) {
        m_details->setPlainText(m_model->rowCount() == 0 ? tr("No findings: import logs to analyse them.")
                                                         : tr("Select a finding to see why it matters and its evidence."));
        return;
    }
    const Finding &finding = m_model->findings().at(m_proxy->mapToSource(current).row());
    QStringList lines;
    lines << QStringLiteral("%1 — %2 (%3)").arg(finding.rule, finding.subject, severityName(finding.severity));
    if (!finding.title.isEmpty())
        lines << finding.title;
    lines << QString() << finding.explanation;
    if (!finding.identity.isEmpty())
        lines << QString() << tr("Identity: %1").arg(finding.identity);
    if (!finding.chainKey.isEmpty())
        lines << tr("Chain (trace): %1").arg(finding.chainKey);
    QStringList evidence;
    for (const qint64 id : finding.evidence)
        evidence.push_back(QString::number(id));
    lines << tr("Evidence events: %1").arg(evidence.isEmpty() ? tr("none recorded") : evidence.join(QStringLiteral(", ")));
    // Plain text only: subjects and identities come from untrusted logs.
    m_details->setPlainText(lines.join(QLatin1Char('\n')));
}

} // namespace chainsight

#include "FindingsPanel.h"

#include "FindingListModel.h"
#include "RecordTable.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSplitter>
#include <QStyledItemDelegate>
#include <QTableView>
#include <QVBoxLayout>

namespace chainsight {
namespace {

// Severity reads at a glance: critical and high in the error colour, medium in amber.
class SeverityDelegate final : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;

protected:
    void initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const override
    {
        QStyledItemDelegate::initStyleOption(option, index);
        const auto severity = static_cast<FindingSeverity>(index.data(FindingListModel::SeverityRole).toInt());
        if (severity >= FindingSeverity::High) {
            option->font.setBold(true);
            option->palette.setColor(QPalette::Text, QColor(0xc6, 0x28, 0x28));
        } else if (severity == FindingSeverity::Medium) {
            option->palette.setColor(QPalette::Text, QColor(0xb2, 0x6a, 0x00));
        }
    }
};

} // namespace

FindingsPanel::FindingsPanel(QWidget *parent)
    : QWidget(parent)
    , m_model(new FindingListModel(this))
    , m_proxy(new FindingFilterProxyModel(this))
    , m_filter(new QLineEdit(this))
    , m_severity(new QComboBox(this))
    , m_summary(new QLabel(this))
    , m_view(new QTableView(this))
    , m_details(new QPlainTextEdit(this))
{
    m_proxy->setSourceModel(m_model);
    m_filter->setPlaceholderText(tr("Filter findings by rule, subject, identity, trace…"));
    m_filter->setClearButtonEnabled(true);
    m_filter->setAccessibleName(tr("Filter findings"));
    m_severity->addItem(tr("All severities"), static_cast<int>(FindingSeverity::Low));
    m_severity->addItem(tr("Medium and above"), static_cast<int>(FindingSeverity::Medium));
    m_severity->addItem(tr("High and above"), static_cast<int>(FindingSeverity::High));
    m_severity->addItem(tr("Critical"), static_cast<int>(FindingSeverity::Critical));
    m_severity->setAccessibleName(tr("Minimum severity"));

    configureRecordTable(m_view);
    m_view->setModel(m_proxy);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(FindingListModel::SeverityColumn, Qt::DescendingOrder);
    m_view->setItemDelegateForColumn(FindingListModel::SeverityColumn, new SeverityDelegate(m_view));
    m_view->setAccessibleName(tr("Findings"));
    m_details->setReadOnly(true);
    m_details->setAccessibleName(tr("Explanation and evidence of the selected finding"));

    auto *filterRow = new QHBoxLayout;
    filterRow->addWidget(m_filter, 1);
    filterRow->addWidget(m_severity);
    filterRow->addWidget(m_summary);
    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_view);
    splitter->addWidget(m_details);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addLayout(filterRow);
    layout->addWidget(splitter, 1);

    connect(m_filter, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_proxy->setFilterText(text);
        updateSummary();
    });
    connect(m_severity, &QComboBox::currentIndexChanged, this, [this] {
        m_proxy->setMinimumSeverity(static_cast<FindingSeverity>(m_severity->currentData().toInt()));
        updateSummary();
    });
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &FindingsPanel::showDetails);
}

void FindingsPanel::setFindings(QList<Finding> findings)
{
    m_model->setFindings(std::move(findings));
    fitRecordTable(m_view, 320);
    updateSummary();
    showDetails();
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

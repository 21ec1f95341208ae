#include "InventoryPanel.h"

#include "ElidedLabel.h"
#include "RecordTable.h"

#include "AgentInventoryModel.h"
#include "SourceListModel.h"

#include <QCheckBox>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QTableView>
#include <QVBoxLayout>

namespace chainsight {
InventoryPanel::InventoryPanel(QWidget *parent)
    : QWidget(parent)
    , m_model(new AgentInventoryModel(this))
    , m_proxy(new AgentFilterProxyModel(this))
    , m_credentials(new AgentCredentialsModel(this))
    , m_filter(new QLineEdit(this))
    , m_onlyOrphans(new QCheckBox(tr("Only agents without owner"), this))
    , m_summary(new ElidedLabel(this))
    , m_view(new QTableView(this))
    , m_detailTitle(new QLabel(this))
    , m_credentialView(new QTableView(this))
{
    m_proxy->setSourceModel(m_model);

    m_filter->setPlaceholderText(tr("Filter agents by id, owner, role, intent, credential…"));
    m_filter->setClearButtonEnabled(true);
    m_filter->setAccessibleName(tr("Filter agents"));
    m_onlyOrphans->setToolTip(tr("Show only agents whose inventory entry names no accountable human"));
    m_onlyOrphans->setAccessibleName(tr("Only agents without owner"));

    configureRecordTable(m_view);
    m_view->setModel(m_proxy);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(AgentInventoryModel::IdColumn, Qt::AscendingOrder);
    // Agents nobody answers for are what a reviewer hunts for: their owner is bold, italic, in the error colour.
    m_view->setItemDelegateForColumn(AgentInventoryModel::OwnerColumn, new EmphasisDelegate([](const QModelIndex &index) {
        return index.data(AgentInventoryModel::HasOwnerRole).toBool() ? std::nullopt
                                                                       : std::optional(Emphasis{QColor(0xc6, 0x28, 0x28), true, true});
    }, m_view));
    m_view->setAccessibleName(tr("Agent inventory"));

    configureRecordTable(m_credentialView);
    m_credentialView->setModel(m_credentials);
    m_credentialView->setAccessibleName(tr("Credentials of the selected agent"));
    m_detailTitle->setTextFormat(Qt::PlainText);
    m_detailTitle->setWordWrap(true);

    auto *details = new QWidget(this);
    auto *detailsLayout = new QVBoxLayout(details);
    detailsLayout->setContentsMargins(0, 4, 0, 0);
    detailsLayout->addWidget(m_detailTitle);
    detailsLayout->addWidget(m_credentialView);

    layOutRecordPanel(this, {m_filter, m_onlyOrphans, m_summary}, m_view, details);

    connect(m_filter, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_proxy->setFilterText(text);
        updateSummary();
    });
    connect(m_onlyOrphans, &QCheckBox::toggled, this, [this](bool only) {
        m_proxy->setOnlyWithoutOwner(only);
        updateSummary();
    });
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &InventoryPanel::showDetails);
    showDetails();
}

void InventoryPanel::setAgents(QList<AgentSummary> agents)
{
    m_model->setAgents(std::move(agents));
    fitRecordTable(m_view, 280);
    updateSummary();
    showDetails();
}

void InventoryPanel::updateSummary()
{
    int orphans = 0;
    for (const AgentSummary &agent : m_model->agents())
        orphans += agent.owner.isEmpty() ? 1 : 0;
    QString text = tr("%1 of %n agent(s)", nullptr, m_model->rowCount()).arg(m_proxy->rowCount());
    if (orphans > 0)
        text += QStringLiteral(" · ") + tr("%n without owner", nullptr, orphans);
    m_summary->setText(text);
}

void InventoryPanel::showDetails()
{
    const QModelIndex current = m_view->currentIndex();
    if (!current.isValid()) {
        m_detailTitle->setText(tr("Select an agent to see its credentials and aliases."));
        m_credentials->setCredentials({});
        return;
    }
    const QString id = current.data(AgentInventoryModel::AgentIdRole).toString();
    for (const AgentSummary &agent : m_model->agents()) {
        if (agent.id != id)
            continue;
        QString title = tr("%1 — %2 credential(s) and alias(es)").arg(agent.id).arg(agent.credentials.size());
        if (agent.maxDelegationDepth)
            title += QStringLiteral(" · ") + tr("max delegation depth %1").arg(*agent.maxDelegationDepth);
        if (!agent.mayDelegateTo.isEmpty())
            title += QStringLiteral(" · ") + tr("may delegate to %1").arg(agent.mayDelegateTo.join(QStringLiteral(", ")));
        m_detailTitle->setText(title);
        m_credentials->setCredentials(agent.credentials);
        m_credentialView->resizeColumnsToContents();
        return;
    }
}

} // namespace chainsight

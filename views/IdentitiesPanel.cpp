#include "IdentitiesPanel.h"

#include "ElidedLabel.h"
#include "IdentityListModel.h"
#include "RecordTable.h"

#include <QComboBox>
#include <QDateTime>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QTableView>
#include <QVBoxLayout>

namespace chainsight {
namespace {

QString timeText(std::optional<qint64> ms)
{
    return ms ? QDateTime::fromMSecsSinceEpoch(*ms, Qt::UTC).toString(Qt::ISODate) : QString();
}

} // namespace

IdentitiesPanel::IdentitiesPanel(QWidget *parent)
    : QWidget(parent)
    , m_model(new IdentityListModel(this))
    , m_proxy(new IdentityFilterProxyModel(this))
    , m_filter(new QLineEdit(this))
    , m_kind(new QComboBox(this))
    , m_summary(new ElidedLabel(this))
    , m_view(new QTableView(this))
    , m_details(new QPlainTextEdit(this))
{
    m_proxy->setSourceModel(m_model);
    m_filter->setPlaceholderText(tr("Filter identities by id, alias, protocol…"));
    m_filter->setClearButtonEnabled(true);
    m_filter->setAccessibleName(tr("Filter identities"));
    m_kind->addItem(tr("All kinds"), QString());
    m_kind->addItem(tr("Agents"), QStringLiteral("agent"));
    m_kind->addItem(tr("Shadow identities"), QStringLiteral("shadow"));
    m_kind->addItem(tr("Humans"), QStringLiteral("human"));
    m_kind->addItem(tr("Tools"), QStringLiteral("tool"));
    m_kind->setAccessibleName(tr("Identity kind"));

    m_view->setModel(m_proxy);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(IdentityListModel::KindColumn, Qt::AscendingOrder);
    configureRecordTable(m_view);
    // A shadow identity acted without being declared anywhere: its kind is bold in the warning colour.
    m_view->setItemDelegateForColumn(IdentityListModel::KindColumn, new EmphasisDelegate([](const QModelIndex &index) {
        return index.data(IdentityListModel::KindRole).toString() == QLatin1String("shadow")
                   ? std::optional(Emphasis{QColor(0xb2, 0x4a, 0x00)})
                   : std::nullopt;
    }, m_view));
    m_view->setAccessibleName(tr("Identities"));
    m_details->setReadOnly(true);
    m_details->setAccessibleName(tr("Aliases and activity of the selected identity"));
    m_details->setMaximumBlockCount(2000);

    layOutRecordPanel(this, {m_filter, m_kind, m_summary}, m_view, m_details);

    connect(m_filter, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_proxy->setFilterText(text);
        updateSummary();
    });
    connect(m_kind, &QComboBox::currentIndexChanged, this, [this] {
        m_proxy->setKind(m_kind->currentData().toString());
        updateSummary();
    });
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &IdentitiesPanel::showDetails);
}

void IdentitiesPanel::setIdentities(QList<IdentitySummary> identities)
{
    m_model->setIdentities(std::move(identities));
    fitRecordTable(m_view, 300);
    updateSummary();
    showDetails();
}

void IdentitiesPanel::updateSummary()
{
    int shadows = 0;
    for (const IdentitySummary &identity : m_model->identities())
        shadows += identity.kind == QLatin1String("shadow") ? 1 : 0;
    QString text = tr("%1 of %2 identities").arg(m_proxy->rowCount()).arg(m_model->rowCount());
    if (shadows > 0)
        text += QStringLiteral(" · ") + tr("%n shadow", nullptr, shadows);
    m_summary->setText(text);
}

void IdentitiesPanel::showDetails()
{
    const QModelIndex current = m_view->currentIndex();
    if (!current.isValid()) {
        m_details->setPlainText(tr("Select an identity to see its aliases and where it was seen."));
        return;
    }
    const QString id = current.data(IdentityListModel::IdentityIdRole).toString();
    const QString kind = current.data(IdentityListModel::KindRole).toString();
    for (const IdentitySummary &identity : m_model->identities()) {
        if (identity.id != id || identity.kind != kind)
            continue;
        QStringList lines;
        lines << QStringLiteral("%1 (%2)").arg(identity.id, IdentityListModel::kindLabel(identity.kind));
        if (!identity.protocols.isEmpty())
            lines << tr("Seen in %1: %2 events, %3 to %4 UTC")
                         .arg(identity.protocols.join(QStringLiteral(", ")))
                         .arg(identity.events)
                         .arg(timeText(identity.firstSeenMs), timeText(identity.lastSeenMs));
        else
            lines << tr("Not seen in any imported log.");
        lines << tr("Aliases:");
        for (const QString &alias : identity.aliases)
            lines << QStringLiteral("  ") + alias;
        // Plain text only: ids and aliases come from untrusted logs.
        m_details->setPlainText(lines.join(QLatin1Char('\n')));
        return;
    }
}

} // namespace chainsight

#include "ReplayScopeDialog.h"

#include "SimulationReport.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPushButton>

namespace chainsight {
namespace {

QDateTimeEdit *timeEdit(QWidget *parent)
{
    auto *edit = new QDateTimeEdit(parent);
    edit->setTimeSpec(Qt::UTC);
    edit->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm:ss 'UTC'"));
    edit->setCalendarPopup(true);
    return edit;
}

} // namespace

ReplayScopeDialog::ReplayScopeDialog(const ReplayFilter &filter, const ReplayCorpus *corpus, QWidget *parent)
    : QDialog(parent)
    , m_useFrom(new QCheckBox(tr("From"), this))
    , m_from(timeEdit(this))
    , m_useTo(new QCheckBox(tr("To"), this))
    , m_to(timeEdit(this))
    , m_identity(new QComboBox(this))
    , m_chain(new QLineEdit(this))
{
    setWindowTitle(tr("Replay scope"));
    qint64 first = 0;
    qint64 last = 0;
    if (corpus && corpus->size() > 0) {
        first = corpus->action(0).timeMs;
        last = corpus->action(corpus->size() - 1).timeMs;
    }
    m_from->setDateTime(QDateTime::fromMSecsSinceEpoch(filter.fromMs.value_or(first), Qt::UTC));
    m_to->setDateTime(QDateTime::fromMSecsSinceEpoch(filter.toMs.value_or(last), Qt::UTC));
    m_useFrom->setChecked(filter.fromMs.has_value());
    m_useTo->setChecked(filter.toMs.has_value());
    m_from->setEnabled(m_useFrom->isChecked());
    m_to->setEnabled(m_useTo->isChecked());
    connect(m_useFrom, &QCheckBox::toggled, m_from, &QWidget::setEnabled);
    connect(m_useTo, &QCheckBox::toggled, m_to, &QWidget::setEnabled);

    m_identity->setEditable(true);
    m_identity->addItem(QString());
    if (corpus) {
        for (const char *type : {"Human", "Agent", "Shadow"})
            m_identity->addItems(corpus->entityIds(QLatin1String(type)));
    }
    m_identity->setCurrentText(filter.identity);
    m_identity->setToolTip(tr("The actor, an agent on its delegation path, or the human who started the chain"));
    m_chain->setText(filter.chainKey);
    m_chain->setPlaceholderText(tr("trace id, AWS session key or session:…"));

    auto *from = new QHBoxLayout;
    from->addWidget(m_useFrom);
    from->addWidget(m_from, 1);
    auto *to = new QHBoxLayout;
    to->addWidget(m_useTo);
    to->addWidget(m_to, 1);
    auto *form = new QFormLayout(this);
    form->addRow(tr("Time"), from);
    form->addRow(QString(), to);
    form->addRow(tr("Identity"), m_identity);
    form->addRow(tr("Chain"), m_chain);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel | QDialogButtonBox::Reset, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(buttons->button(QDialogButtonBox::Reset), &QPushButton::clicked, this, [this] {
        m_useFrom->setChecked(false);
        m_useTo->setChecked(false);
        m_identity->setCurrentText(QString());
        m_chain->clear();
    });
    form->addRow(buttons);
}

ReplayFilter ReplayScopeDialog::filter() const
{
    ReplayFilter filter;
    if (m_useFrom->isChecked())
        filter.fromMs = m_from->dateTime().toMSecsSinceEpoch();
    if (m_useTo->isChecked())
        filter.toMs = m_to->dateTime().toMSecsSinceEpoch();
    filter.identity = m_identity->currentText().trimmed();
    filter.chainKey = m_chain->text().trimmed();
    return filter;
}

QString ReplayScopeDialog::describe(const ReplayFilter &filter)
{
    if (filter.isEmpty())
        return tr("all recorded actions");
    QStringList parts;
    if (filter.fromMs || filter.toMs)
        parts.append(tr("%1 to %2")
                         .arg(filter.fromMs ? rfc3339Utc(*filter.fromMs) : tr("the start"),
                              filter.toMs ? rfc3339Utc(*filter.toMs) : tr("the end")));
    if (!filter.identity.isEmpty())
        parts.append(tr("identity %1").arg(filter.identity));
    if (!filter.chainKey.isEmpty())
        parts.append(tr("chain %1").arg(filter.chainKey));
    return parts.join(QStringLiteral(", "));
}

} // namespace chainsight

#include "SettingsDialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace chainsight {

SettingsDialog::SettingsDialog(const Preferences &preferences, QWidget *parent)
    : QDialog(parent)
    , m_reviewerName(new QLineEdit(this))
    , m_staleSecretDays(new QSpinBox(this))
    , m_evidenceLimit(new QSpinBox(this))
    , m_colorScheme(new QComboBox(this))
{
    setWindowTitle(tr("Settings"));
    setAccessibleName(tr("Settings"));

    m_reviewerName->setPlaceholderText(tr("Your name, as it should appear on sign-offs"));
    m_reviewerName->setToolTip(tr("Recorded with every review you sign off, in the workspace's hash-chained review log"));
    m_reviewerName->setAccessibleName(tr("Reviewer name"));
    m_reviewerName->setClearButtonEnabled(true);

    m_staleSecretDays->setRange(1, 36500);
    m_staleSecretDays->setSuffix(tr(" days"));
    m_staleSecretDays->setToolTip(tr("The stale-secret rule reports an API key that is used after going this long without rotation"));
    m_staleSecretDays->setAccessibleName(tr("Stale secret after"));
    m_evidenceLimit->setRange(1, 100000);
    m_evidenceLimit->setSuffix(tr(" events"));
    m_evidenceLimit->setToolTip(tr("How many evidence events each finding keeps: enough to inspect, bounded for very large workspaces"));
    m_evidenceLimit->setAccessibleName(tr("Evidence kept per finding"));

    m_colorScheme->addItem(tr("Follow the system"), static_cast<int>(ColorScheme::System));
    m_colorScheme->addItem(tr("Light"), static_cast<int>(ColorScheme::Light));
    m_colorScheme->addItem(tr("Dark"), static_cast<int>(ColorScheme::Dark));
    m_colorScheme->setToolTip(tr("Light or dark windows; following the system also follows its later changes"));
    m_colorScheme->setAccessibleName(tr("Colour scheme"));

    auto *reviewer = new QGroupBox(tr("Reviewer"), this);
    auto *reviewerForm = new QFormLayout(reviewer);
    reviewerForm->addRow(tr("&Name:"), m_reviewerName);

    auto *rules = new QGroupBox(tr("Finding rules"), this);
    auto *rulesForm = new QFormLayout(rules);
    rulesForm->addRow(tr("&Stale secret after:"), m_staleSecretDays);
    rulesForm->addRow(tr("&Evidence kept per finding:"), m_evidenceLimit);
    auto *rulesNote = new QLabel(tr("Changed thresholds apply to the open workspace at once, and to every later analysis."), rules);
    rulesNote->setWordWrap(true);
    rulesNote->setForegroundRole(QPalette::PlaceholderText);
    rulesForm->addRow(rulesNote);

    auto *appearance = new QGroupBox(tr("Appearance"), this);
    auto *appearanceForm = new QFormLayout(appearance);
    appearanceForm->addRow(tr("&Colours:"), m_colorScheme);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel | QDialogButtonBox::RestoreDefaults, this);
    buttons->button(QDialogButtonBox::RestoreDefaults)->setToolTip(tr("Put every setting back to how Chainsight ships (your name is kept)"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(buttons->button(QDialogButtonBox::RestoreDefaults), &QPushButton::clicked, this, [this] {
        Preferences defaults;
        defaults.reviewerName = m_reviewerName->text();
        showPreferences(defaults);
    });

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(reviewer);
    layout->addWidget(rules);
    layout->addWidget(appearance);
    layout->addStretch(1);
    layout->addWidget(buttons);

    showPreferences(preferences);
}

Preferences SettingsDialog::preferences() const
{
    Preferences preferences;
    preferences.reviewerName = m_reviewerName->text().trimmed();
    preferences.findings.staleSecretMaxAgeDays = m_staleSecretDays->value();
    preferences.findings.evidenceLimit = m_evidenceLimit->value();
    preferences.colorScheme = static_cast<ColorScheme>(m_colorScheme->currentData().toInt());
    return preferences;
}

void SettingsDialog::showPreferences(const Preferences &preferences)
{
    m_reviewerName->setText(preferences.reviewerName);
    m_staleSecretDays->setValue(preferences.findings.staleSecretMaxAgeDays);
    m_evidenceLimit->setValue(preferences.findings.evidenceLimit);
    m_colorScheme->setCurrentIndex(m_colorScheme->findData(static_cast<int>(preferences.colorScheme)));
}

} // namespace chainsight

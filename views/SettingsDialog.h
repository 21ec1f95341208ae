#pragma once

#include "Preferences.h"

#include <QDialog>

class QComboBox;
class QLineEdit;
class QSpinBox;

namespace chainsight {

// Edits a copy of the preferences; the caller stores and applies them when the dialog is accepted.
class SettingsDialog final : public QDialog
{
    Q_OBJECT
public:
    explicit SettingsDialog(const Preferences &preferences, QWidget *parent = nullptr);

    Preferences preferences() const;

    QLineEdit *reviewerNameEdit() const { return m_reviewerName; }
    QSpinBox *staleSecretDaysSpin() const { return m_staleSecretDays; }
    QSpinBox *evidenceLimitSpin() const { return m_evidenceLimit; }
    QComboBox *colorSchemeCombo() const { return m_colorScheme; }

private:
    void showPreferences(const Preferences &preferences);

    QLineEdit *m_reviewerName;
    QSpinBox *m_staleSecretDays;
    QSpinBox *m_evidenceLimit;
    QComboBox *m_colorScheme;
};

} // namespace chainsight

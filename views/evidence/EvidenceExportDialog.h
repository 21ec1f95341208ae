#pragma once

#include "EvidenceExporter.h"

#include <QDialog>

class QComboBox;
class QLabel;
class QLineEdit;

namespace chainsight {

// File → Export evidence…: where to write the PDF, the scope, an optional policy and signing key.
class EvidenceExportDialog final : public QDialog
{
    Q_OBJECT
public:
    explicit EvidenceExportDialog(const QString &workspacePath, QWidget *parent = nullptr);

    EvidenceExportRequest request() const;
    void accept() override;

    // Asks, then exports off the GUI thread with a cancellable progress dialog and reports the outcome.
    static void exportEvidence(QWidget *parent, const QString &workspacePath);

private:
    QString m_workspacePath;
    QLineEdit *m_pdf;
    QComboBox *m_scope;
    QLineEdit *m_subject;
    QLineEdit *m_policy;
    QLineEdit *m_key;
    QLineEdit *m_reviewer;
    QLabel *m_problem;
};

} // namespace chainsight

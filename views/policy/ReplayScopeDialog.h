#pragma once

#include "ReplayCorpus.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QDateTimeEdit;
class QLineEdit;

namespace chainsight {

// Which recorded actions a replay covers: a time range, one identity (actor, agent on the path or originator),
// one chain. Empty fields cover everything.
class ReplayScopeDialog final : public QDialog
{
    Q_OBJECT
public:
    // corpus (may be null) offers the workspace's identities and its time span.
    ReplayScopeDialog(const ReplayFilter &filter, const ReplayCorpus *corpus, QWidget *parent = nullptr);

    ReplayFilter filter() const;
    // One line for a label: "all recorded actions", or the parts that narrow it.
    static QString describe(const ReplayFilter &filter);

private:
    QCheckBox *m_useFrom;
    QDateTimeEdit *m_from;
    QCheckBox *m_useTo;
    QDateTimeEdit *m_to;
    QComboBox *m_identity;
    QLineEdit *m_chain;
};

} // namespace chainsight

#pragma once

#include "ImportTypes.h"

#include <QElapsedTimer>
#include <QWidget>

class QLabel;
class QProgressBar;
class QToolButton;

namespace chainsight {

// Lives in the status bar while an import runs: file, progress, ETA and a Cancel button.
class ImportStatusWidget final : public QWidget
{
    Q_OBJECT
public:
    explicit ImportStatusWidget(QWidget *parent = nullptr);

    void start(const QStringList &paths);
    void update(const ImportProgress &progress);
    void finish();

    // "about 2 min left": rounded so the text does not flicker.
    static QString etaText(qint64 elapsedMs, qint64 done, qint64 total);

Q_SIGNALS:
    void cancelRequested();

private:
    QLabel *m_label;
    QProgressBar *m_bar;
    QLabel *m_eta;
    QToolButton *m_cancel;
    QElapsedTimer m_clock;
};

} // namespace chainsight

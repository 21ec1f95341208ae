#include "ImportStatusWidget.h"

#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QToolButton>

namespace chainsight {

ImportStatusWidget::ImportStatusWidget(QWidget *parent)
    : QWidget(parent)
    , m_label(new QLabel(this))
    , m_bar(new QProgressBar(this))
    , m_eta(new QLabel(this))
    , m_cancel(new QToolButton(this))
{
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_label);
    layout->addWidget(m_bar);
    layout->addWidget(m_eta);
    layout->addWidget(m_cancel);
    m_bar->setRange(0, 1000);
    m_bar->setFixedWidth(180);
    m_bar->setAccessibleName(tr("Import progress"));
    m_cancel->setText(tr("Cancel"));
    m_cancel->setToolTip(tr("Stop the import; the workspace stays exactly as it was"));
    m_cancel->setAccessibleName(tr("Cancel import"));
    connect(m_cancel, &QToolButton::clicked, this, [this] {
        m_cancel->setEnabled(false);
        m_label->setText(tr("Cancelling…"));
        Q_EMIT cancelRequested();
    });
    hide();
}

void ImportStatusWidget::start(const QStringList &paths)
{
    m_clock.start();
    m_bar->setValue(0);
    m_eta->clear();
    m_cancel->setEnabled(true);
    m_label->setText(paths.size() == 1 ? tr("Importing %1").arg(QFileInfo(paths.front()).fileName())
                                       : tr("Importing %n file(s)", nullptr, static_cast<int>(paths.size())));
    show();
}

void ImportStatusWidget::update(const ImportProgress &progress)
{
    if (progress.bytesTotal > 0)
        m_bar->setValue(static_cast<int>(1000 * progress.bytesDone / progress.bytesTotal));
    m_label->setText(tr("Importing %1 (%2 of %3), %4 records")
                         .arg(QFileInfo(progress.file).fileName())
                         .arg(progress.fileIndex + 1)
                         .arg(progress.fileCount)
                         .arg(progress.records));
    m_eta->setText(etaText(m_clock.elapsed(), progress.bytesDone, progress.bytesTotal));
}

void ImportStatusWidget::finish()
{
    hide();
}

QString ImportStatusWidget::etaText(qint64 elapsedMs, qint64 done, qint64 total)
{
    // Early estimates swing wildly; wait for a second of work and a percent of the data.
    if (elapsedMs < 1000 || done <= 0 || total <= 0 || done * 100 < total)
        return {};
    const double remainingMs = static_cast<double>(elapsedMs) * static_cast<double>(total - done) / static_cast<double>(done);
    const qint64 seconds = static_cast<qint64>(remainingMs / 1000.0 + 0.5);
    if (seconds < 60)
        return tr("about %n s left", nullptr, static_cast<int>(std::max<qint64>(seconds, 1)));
    return tr("about %n min left", nullptr, static_cast<int>((seconds + 30) / 60));
}

} // namespace chainsight

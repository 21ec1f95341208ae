#pragma once

#include "PolicySimulator.h"

#include <QWidget>

#include <memory>

class QChart;
class QChartView;

namespace chainsight {

// Decisions over time (allow and deny stacked per time bucket), denials per principal and denials per policy.
// Reduced before drawing: at most 40 time buckets and the 6 largest bars.
class SimulationCharts final : public QWidget
{
    Q_OBJECT
public:
    explicit SimulationCharts(QWidget *parent = nullptr);

    void setResult(std::shared_ptr<const SimulationResult> result);

    // What the charts show, for tests: bucket labels with allow/deny counts, and the bars.
    struct Figures
    {
        QStringList buckets;
        QList<qint64> bucketStarts; // UTC milliseconds
        qint64 bucketMs = 0;
        QString bucketName;
        QList<qint64> allows;
        QList<qint64> denies;
        QList<QPair<QString, qint64>> byPrincipal;
        QList<QPair<QString, qint64>> byPolicy;
    };
    static Figures figuresOf(const SimulationResult &result);
    const Figures &figures() const { return m_figures; }

private:
    void applyTheme();
    void changeEvent(QEvent *event) override;

    QChartView *m_overTime;
    QChartView *m_byPrincipal;
    QChartView *m_byPolicy;
    Figures m_figures;
};

} // namespace chainsight

#include "SimulationCharts.h"

#include "SimulationReport.h"

#include <QAreaSeries>
#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QEvent>
#include <QGraphicsLayout>
#include <QGridLayout>
#include <QHorizontalBarSeries>
#include <QLineSeries>
#include <QValueAxis>

#include <algorithm>
#include <map>

namespace chainsight {
namespace {

constexpr int maximumBuckets = 40;
constexpr int maximumBars = 6;
constexpr qint64 hourMs = 3600 * 1000;

const QColor allowColor(0x3b, 0x8e, 0x4f);
const QColor denyColor(0xc6, 0x3b, 0x3b);

QList<QPair<QString, qint64>> largest(const std::map<QString, qint64> &counts)
{
    QList<QPair<QString, qint64>> out;
    for (const auto &[name, count] : counts)
        out.append({name, count});
    std::stable_sort(out.begin(), out.end(), [](const auto &a, const auto &b) { return a.second > b.second; });
    if (out.size() > maximumBars)
        out.resize(maximumBars);
    return out;
}

// Agents by id alone; other kinds say what they are.
QString principalLabel(cedar::EntityUid uid)
{
    const QString id = QString::fromStdString(uid->id);
    const std::string &type = uid->type->name;
    const qsizetype room = type == "Agent" ? 23 : 13;
    const QString shortId = id.size() > room ? id.left(room - 1) + QStringLiteral("…") : id;
    if (type == "Agent")
        return shortId;
    return QStringLiteral("%1 (%2)").arg(shortId, QString::fromStdString(type).toLower());
}

QChart *newChart(const QString &title)
{
    auto *chart = new QChart;
    chart->setTitle(title);
    chart->setAnimationOptions(QChart::NoAnimation);
    chart->legend()->setAlignment(Qt::AlignRight);
    chart->setMargins(QMargins(2, 2, 2, 2));
    chart->layout()->setContentsMargins(0, 0, 0, 0);
    chart->setBackgroundRoundness(0);
    return chart;
}

// Horizontal bars, largest on top.
QChart *barChart(const QString &title, const QString &setName, const QList<QPair<QString, qint64>> &bars)
{
    QChart *chart = newChart(title);
    auto *set = new QBarSet(setName);
    set->setColor(denyColor);
    QStringList categories;
    qint64 top = 1;
    for (auto it = bars.crbegin(); it != bars.crend(); ++it) {
        *set << double(it->second);
        categories.append(it->first.size() > 24 ? it->first.left(23) + QStringLiteral("…") : it->first);
        top = std::max(top, it->second);
    }
    auto *series = new QHorizontalBarSeries;
    series->append(set);
    series->setLabelsVisible(true);
    series->setLabelsPosition(QAbstractBarSeries::LabelsInsideEnd);
    series->setBarWidth(0.7);
    chart->addSeries(series);
    auto *names = new QBarCategoryAxis;
    names->append(categories.isEmpty() ? QStringList{QObject::tr("(none)")} : categories);
    QFont small = names->labelsFont();
    small.setPointSizeF(small.pointSizeF() * 0.8);
    names->setLabelsFont(small);
    names->setTruncateLabels(false); // the labels are short already; Qt would elide them whole in a small chart
    auto *values = new QValueAxis;
    values->setRange(0, double(top));
    values->applyNiceNumbers();
    values->setLabelFormat(QStringLiteral("%d"));
    chart->addAxis(names, Qt::AlignLeft);
    chart->addAxis(values, Qt::AlignBottom);
    series->attachAxis(names);
    series->attachAxis(values);
    chart->legend()->setVisible(false);
    return chart;
}

} // namespace

SimulationCharts::SimulationCharts(QWidget *parent)
    : QWidget(parent)
    , m_overTime(new QChartView(this))
    , m_byPrincipal(new QChartView(this))
    , m_byPolicy(new QChartView(this))
{
    for (QChartView *view : {m_overTime, m_byPrincipal, m_byPolicy}) {
        view->setRenderHint(QPainter::Antialiasing);
        view->setMinimumHeight(160);
    }
    m_overTime->setAccessibleName(tr("Decisions over time"));
    m_byPrincipal->setAccessibleName(tr("Denials per principal"));
    m_byPolicy->setAccessibleName(tr("Denials per policy"));
    auto *layout = new QGridLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_overTime, 0, 0, 1, 2);
    layout->addWidget(m_byPrincipal, 1, 0);
    layout->addWidget(m_byPolicy, 1, 1);
    layout->setRowStretch(0, 1);
    layout->setRowStretch(1, 1);
    layout->setColumnStretch(0, 1);
    layout->setColumnStretch(1, 1);
    setResult(nullptr);
}

SimulationCharts::Figures SimulationCharts::figuresOf(const SimulationResult &result)
{
    Figures figures;
    if (result.size() == 0)
        return figures;
    const qint64 first = result.action(0).timeMs;
    const qint64 last = result.action(result.size() - 1).timeMs;
    // Whole hours, days or weeks per bucket, so labels read naturally.
    qint64 bucket = hourMs;
    for (qint64 step : {hourMs, 6 * hourMs, 24 * hourMs, 7 * 24 * hourMs, 30 * 24 * hourMs}) {
        bucket = step;
        if ((last - first) / step < maximumBuckets)
            break;
    }
    const qint64 origin = first - first % bucket;
    const qint64 count = std::min<qint64>((last - origin) / bucket + 1, 1000);
    QList<qint64> allows(count, 0);
    QList<qint64> denies(count, 0);
    std::map<QString, qint64> byPrincipal;
    std::map<QString, qint64> byPolicy;
    for (size_t row = 0; row < result.size(); ++row) {
        const ReplayAction &a = result.action(row);
        const qint64 index = std::min<qint64>((a.timeMs - origin) / bucket, count - 1);
        const ReplayDecision &d = result.decisions[row];
        if (d.decision == PolicyDecision::Allow) {
            ++allows[index];
            continue;
        }
        ++denies[index];
        ++byPrincipal[principalLabel(a.principal)];
        if (d.reasonCount == 0)
            ++byPolicy[QObject::tr("(no permit applies)")];
        for (uint32_t i = 0; i < d.reasonCount; ++i)
            ++byPolicy[result.policyIds.value(result.reasonPool[d.reasonOffset + i])];
    }
    const QString format = bucket >= 24 * hourMs ? QStringLiteral("MMM d") : QStringLiteral("MMM d HH:mm");
    for (qint64 i = 0; i < count; ++i) {
        figures.bucketStarts.append(origin + i * bucket);
        figures.buckets.append(QDateTime::fromMSecsSinceEpoch(origin + i * bucket, Qt::UTC).toString(format));
    }
    figures.bucketMs = bucket;
    figures.bucketName = bucket == hourMs         ? QObject::tr("hour")
                         : bucket == 6 * hourMs   ? QObject::tr("6 hours")
                         : bucket == 24 * hourMs  ? QObject::tr("day")
                         : bucket == 168 * hourMs ? QObject::tr("week")
                                                  : QObject::tr("30 days");
    figures.allows = allows;
    figures.denies = denies;
    figures.byPrincipal = largest(byPrincipal);
    figures.byPolicy = largest(byPolicy);
    return figures;
}

void SimulationCharts::setResult(std::shared_ptr<const SimulationResult> result)
{
    m_figures = result ? figuresOf(*result) : Figures{};

    QChart *overTime = newChart(tr("Decisions over time (UTC)"));
    // Stacked areas over real time: allowed from zero, denied on top of them.
    auto *allowLine = new QLineSeries;
    auto *totalLine = new QLineSeries;
    auto *zero = new QLineSeries;
    qint64 top = 1;
    for (qsizetype i = 0; i < m_figures.buckets.size(); ++i) {
        const double x = double(m_figures.bucketStarts[i]);
        const double allowed = double(m_figures.allows[i]);
        const double total = double(m_figures.allows[i] + m_figures.denies[i]);
        zero->append(x, 0);
        allowLine->append(x, allowed);
        totalLine->append(x, total);
        top = std::max(top, m_figures.allows[i] + m_figures.denies[i]);
    }
    auto *allowArea = new QAreaSeries(allowLine, zero);
    allowArea->setName(tr("allow"));
    allowArea->setColor(allowColor);
    allowArea->setBorderColor(allowColor.darker(120));
    auto *denyArea = new QAreaSeries(totalLine, allowLine);
    denyArea->setName(tr("deny"));
    denyArea->setColor(denyColor);
    denyArea->setBorderColor(denyColor.darker(120));
    overTime->addSeries(allowArea);
    overTime->addSeries(denyArea);
    auto *times = new QDateTimeAxis;
    times->setFormat(m_figures.bucketMs >= 24 * hourMs ? QStringLiteral("MMM d") : QStringLiteral("MMM d HH:mm"));
    times->setTickCount(std::clamp(int(m_figures.buckets.size()), 2, 8));
    if (!m_figures.bucketStarts.isEmpty())
        times->setRange(QDateTime::fromMSecsSinceEpoch(m_figures.bucketStarts.front(), Qt::UTC),
                        QDateTime::fromMSecsSinceEpoch(std::max(m_figures.bucketStarts.back(), m_figures.bucketStarts.front() + 1), Qt::UTC));
    auto *counts = new QValueAxis;
    counts->setRange(0, double(top));
    counts->applyNiceNumbers();
    counts->setLabelFormat(QStringLiteral("%d"));
    counts->setTruncateLabels(false);
    overTime->setTitle(tr("Decisions over time (UTC, actions per %1)").arg(m_figures.bucketName));
    overTime->addAxis(times, Qt::AlignBottom);
    overTime->addAxis(counts, Qt::AlignLeft);
    for (QAreaSeries *area : {allowArea, denyArea}) {
        area->attachAxis(times);
        area->attachAxis(counts);
    }

    // setChart takes ownership; the previous chart is deleted with the view's old one.
    for (auto [view, chart] : {std::pair{m_overTime, overTime},
                               std::pair{m_byPrincipal, barChart(tr("Denials per principal"), tr("denied"), m_figures.byPrincipal)},
                               std::pair{m_byPolicy, barChart(tr("Denials per policy"), tr("denied"), m_figures.byPolicy)}}) {
        QChart *old = view->chart();
        view->setChart(chart);
        delete old;
    }
    applyTheme();
}

void SimulationCharts::applyTheme()
{
    const bool dark = palette().color(QPalette::Window).lightness() < 128;
    for (QChartView *view : {m_overTime, m_byPrincipal, m_byPolicy}) {
        QChart *chart = view->chart();
        chart->setBackgroundBrush(palette().color(QPalette::Base));
        chart->setTitleBrush(palette().color(QPalette::Text));
        chart->legend()->setLabelColor(palette().color(QPalette::Text));
        for (QAbstractAxis *axis : chart->axes()) {
            axis->setLabelsColor(palette().color(QPalette::Text));
            axis->setGridLineColor(dark ? QColor(0x44, 0x48, 0x50) : QColor(0xdd, 0xdd, 0xdd));
        }
    }
}

void SimulationCharts::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        applyTheme();
}

} // namespace chainsight

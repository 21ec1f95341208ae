#include "EvidencePdfWriter.h"

#include "EvidenceBundle.h"
#include "EvidenceFiles.h"
#include "EvidenceGraphFigure.h"
#include "PdfPageFlow.h"
#include "UntrustedText.h"

#include <QDateTime>
#include <QFileInfo>
#include <QFontMetricsF>
#include <QMap>
#include <QPageLayout>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QSaveFile>

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>

namespace chainsight {
namespace {

constexpr int resolution = 72; // one device unit is one point
const QSizeF a4(595.28, 841.89);
const QMarginsF pageMargins(50, 54, 50, 58);

const QColor textColour(0x1b, 0x1b, 0x1b);
const QColor mutedColour(0x5f, 0x63, 0x68);
const QColor accentColour(0x15, 0x65, 0xc0);
const QColor ruleColour(0xd0, 0xd4, 0xda);
const QColor goodColour(0x2e, 0x7d, 0x32);
const QColor badColour(0xc6, 0x28, 0x28);

// Limits that keep a report readable; whatever is left out is said, with where to find it.
constexpr int actionsShownPerChain = 25;
constexpr int decisionsShown = 200;
constexpr int changedDecisionsShown = 500;

QString shown(const QString &untrusted)
{
    return visibleText(untrusted);
}

QString shownMultiline(const QString &untrusted)
{
    return visibleText(untrusted, LineBreaks::Keep);
}

QString percent(double share)
{
    return QStringLiteral("%1%").arg(std::lround(share * 100));
}

QColor severityColour(FindingSeverity severity)
{
    switch (severity) {
    case FindingSeverity::Critical:
        return QColor(0xb7, 0x1c, 0x1c);
    case FindingSeverity::High:
        return QColor(0xe5, 0x39, 0x35);
    case FindingSeverity::Medium:
        return QColor(0xef, 0x8c, 0x00);
    case FindingSeverity::Low:
        return QColor(0x90, 0xa4, 0xae);
    }
    return mutedColour;
}

QColor statusColour(ReviewStatus status)
{
    switch (status) {
    case ReviewStatus::Approved:
        return QColor(0x2e, 0x7d, 0x32);
    case ReviewStatus::AcceptedRisk:
        return QColor(0xf9, 0xa8, 0x25);
    case ReviewStatus::NeedsRemediation:
        return QColor(0xc6, 0x28, 0x28);
    case ReviewStatus::FalsePositive:
        return QColor(0x78, 0x90, 0x9c);
    }
    return mutedColour;
}

// Darker where the colour carries text on white.
QColor statusTextColour(ReviewStatus status)
{
    return status == ReviewStatus::AcceptedRisk ? QColor(0xb2, 0x6a, 0x00) : statusColour(status);
}

QColor retentionColour(double retention)
{
    if (retention >= 0.8)
        return goodColour;
    if (retention >= 0.5)
        return QColor(0xb2, 0x6a, 0x00);
    return badColour;
}

constexpr std::array allStatuses = {ReviewStatus::Approved, ReviewStatus::AcceptedRisk, ReviewStatus::NeedsRemediation,
                                    ReviewStatus::FalsePositive};
constexpr std::array allSeverities = {FindingSeverity::Critical, FindingSeverity::High, FindingSeverity::Medium, FindingSeverity::Low};

QFont chartFont(double points, bool bold = false)
{
    QFont font(QStringLiteral("DejaVu Sans"));
    font.setStyleHint(QFont::SansSerif);
    font.setPointSizeF(points);
    font.setBold(bold);
    font.setHintingPreference(QFont::PreferNoHinting);
    return font;
}

QString reviewSummary(const ReviewRecord *record, QDate today)
{
    if (!record)
        return QStringLiteral("not reviewed");
    QString text = QStringLiteral("%1 by %2, %3").arg(reviewStatusLabel(record->status), shown(record->reviewer), record->createdAt.left(10));
    if (!record->expiresAt.isEmpty())
        text += reviewIsInForce(*record, today) ? QStringLiteral(", until %1").arg(record->expiresAt)
                                                : QStringLiteral(", EXPIRED %1").arg(record->expiresAt);
    if (!record->remediationOwner.isEmpty())
        text += QStringLiteral(", owner %1").arg(shown(record->remediationOwner));
    return text;
}

// One horizontal stacked bar a row, with a legend above.
struct BarChart
{
    struct Segment
    {
        double value = 0;
        QColor colour;
    };
    struct Row
    {
        QString label;
        QList<Segment> segments;
        QString note; // printed after the bar
    };
    QList<std::pair<QString, QColor>> legend;
    QList<Row> rows;

    double height() const { return 24 + rows.size() * 16.0; }

    void paint(QPainter &painter, double width) const
    {
        const QFont font = chartFont(7.5);
        const QFontMetricsF metrics(font, painter.device());
        painter.setFont(font);
        double x = 0;
        for (const auto &[name, colour] : legend) {
            painter.fillRect(QRectF(x, 4, 8, 8), colour);
            painter.setPen(textColour);
            painter.drawText(QPointF(x + 11, 11.5), name);
            x += 11 + metrics.horizontalAdvance(name) + 12;
        }
        double labelWidth = 0;
        double maximum = 0;
        for (const Row &row : rows) {
            labelWidth = std::max(labelWidth, metrics.horizontalAdvance(row.label));
            double total = 0;
            for (const Segment &segment : row.segments)
                total += segment.value;
            maximum = std::max(maximum, total);
        }
        labelWidth = std::min(labelWidth + 8, width * 0.4);
        const double noteWidth = 110;
        const double barWidth = width - labelWidth - noteWidth;
        double y = 22;
        for (const Row &row : rows) {
            painter.setPen(textColour);
            painter.drawText(QRectF(0, y, labelWidth - 6, 14), Qt::AlignRight | Qt::AlignVCenter,
                             metrics.elidedText(row.label, Qt::ElideMiddle, labelWidth - 6));
            double left = labelWidth;
            for (const Segment &segment : row.segments) {
                const double w = maximum > 0 ? barWidth * segment.value / maximum : 0;
                painter.fillRect(QRectF(left, y + 2, w, 10), segment.colour);
                left += w;
            }
            painter.setPen(mutedColour);
            painter.drawText(QPointF(left + 4, y + 10.5), row.note);
            y += 16;
        }
    }
};

class ReportBuilder
{
public:
    ReportBuilder(const EvidenceReport &report, PdfPageFlow &flow, std::shared_ptr<const EvidenceGraphFigure> graph)
        : m_report(report)
        , m_flow(flow)
        , m_graph(std::move(graph))
        , m_today(QDateTime::fromString(report.generatedAt, Qt::ISODateWithMs).date())
    {
    }

    void build(const std::function<void(int)> &progress)
    {
        inputs();
        summary();
        graph();
        progress(20);
        chains();
        progress(35);
        findings();
        progress(55);
        policy();
        reviews();
        notes();
        progress(65);
    }

private:
    QFont small() const
    {
        QFont font = m_flow.bodyFont();
        font.setPointSizeF(8);
        return font;
    }

    void inputs()
    {
        m_flow.heading(QStringLiteral("Inputs"), 1);
        m_flow.paragraph(QStringLiteral("Every file imported into the workspace, with the SHA-256 recorded when it was read. "
                                        "\"On disk\" says whether the file at that path still has that digest now."));
        QList<QList<PdfPageFlow::Cell>> rows;
        for (const EvidenceInput &input : m_report.inputs) {
            const bool matches = input.onDisk == EvidenceInput::OnDisk::Matches;
            rows.push_back({{shown(input.fileName)},
                            {shown(input.source.format)},
                            {QString::number(input.source.records)},
                            {QString::number(input.source.errors)},
                            {QString::fromLatin1(input.source.sha256)},
                            {onDiskName(input.onDisk), matches ? goodColour : badColour}});
        }
        m_flow.table({{QStringLiteral("File"), 2.2},
                      {QStringLiteral("Format"), 1.3},
                      {QStringLiteral("Records"), 0.8, false, Qt::AlignRight},
                      {QStringLiteral("Errors"), 0.7, false, Qt::AlignRight},
                      {QStringLiteral("SHA-256"), 3.0, true},
                      {QStringLiteral("On disk"), 1.0}},
                     rows);
        const WorkspaceCounts &c = m_report.counts;
        m_flow.keyValues({{QStringLiteral("Identities"), QStringLiteral("%1 humans, %2 agents, %3 tools, %4 shadow identities")
                                                             .arg(c.humans).arg(c.agents).arg(c.tools).arg(c.shadows)},
                          {QStringLiteral("Records"), QStringLiteral("%1 events, %2 delegation edges, %3 credentials")
                                                          .arg(c.events).arg(c.edges).arg(c.credentials)},
                          {QStringLiteral("Workspace"), QStringLiteral("%1 (schema version %2)").arg(shown(m_report.workspaceName)).arg(m_report.schemaVersion)}});
    }

    void summary()
    {
        m_flow.heading(QStringLiteral("Summary"), 1);
        const ReviewCoverage &coverage = m_report.coverage;
        m_flow.keyValues({
            {QStringLiteral("Scope"), m_report.scope.describe()},
            {QStringLiteral("Chains"), QStringLiteral("%1 in scope (%2 in the workspace), %3 reviewed")
                                           .arg(m_report.chains.size()).arg(m_report.chainCountInWorkspace).arg(coverage.chains.reviewed)},
            {QStringLiteral("Findings"), QStringLiteral("%1 in scope, %2 reviewed, %3 high or critical not reviewed")
                                             .arg(m_report.findings.size()).arg(coverage.findings.reviewed)
                                             .arg(coverage.unreviewedHighSeverity.size())},
            {QStringLiteral("Review log"), m_report.reviewVerification.ok()
                                               ? QStringLiteral("%1 records, hash chain intact").arg(m_report.reviewVerification.recordCount)
                                               : QStringLiteral("BROKEN: %1").arg(m_report.reviewVerification.problems.constFirst().message)},
        });

        m_flow.heading(QStringLiteral("Findings by rule and severity"), 2);
        BarChart byRule;
        for (const FindingSeverity severity : allSeverities)
            byRule.legend.push_back({severityName(severity), severityColour(severity)});
        QMap<QString, std::array<int, 4>> counts;
        for (const Finding &finding : m_report.findings)
            ++counts[finding.rule].at(static_cast<std::size_t>(finding.severity));
        for (auto it = counts.cbegin(); it != counts.cend(); ++it) {
            BarChart::Row row{it.key(), {}, {}};
            int total = 0;
            for (const FindingSeverity severity : allSeverities) {
                const int n = it->at(static_cast<std::size_t>(severity));
                row.segments.push_back({double(n), severityColour(severity)});
                total += n;
            }
            row.note = QString::number(total);
            byRule.rows.push_back(row);
        }
        if (byRule.rows.isEmpty())
            m_flow.paragraph(QStringLiteral("No findings in scope."));
        else
            m_flow.figure(byRule.height(), [byRule, width = m_flow.contentRect().width()](QPainter &painter) { byRule.paint(painter, width); });

        m_flow.heading(QStringLiteral("Review coverage"), 2);
        BarChart reviewed;
        for (const ReviewStatus status : allStatuses)
            reviewed.legend.push_back({reviewStatusLabel(status), statusColour(status)});
        reviewed.legend.push_back({QStringLiteral("Expired acceptance"), QColor(0xff, 0xcc, 0x80)});
        reviewed.legend.push_back({QStringLiteral("Not reviewed"), QColor(0xe0, 0xe0, 0xe0)});
        const auto coverageRow = [](const QString &label, const ReviewCoverageCount &count) {
            BarChart::Row row{label, {}, QStringLiteral("%1 of %2 reviewed").arg(count.reviewed).arg(count.total)};
            for (const ReviewStatus status : allStatuses)
                row.segments.push_back({double(count.count(status)), statusColour(status)});
            row.segments.push_back({double(count.expired), QColor(0xff, 0xcc, 0x80)});
            row.segments.push_back({double(count.total - count.reviewed - count.expired), QColor(0xe0, 0xe0, 0xe0)});
            return row;
        };
        reviewed.rows = {coverageRow(QStringLiteral("Chains"), coverage.chains), coverageRow(QStringLiteral("Findings"), coverage.findings),
                         coverageRow(QStringLiteral("Identities"), coverage.identities)};
        m_flow.figure(reviewed.height(), [reviewed, width = m_flow.contentRect().width()](QPainter &painter) { reviewed.paint(painter, width); });

        decisionsOverTime();

        m_flow.heading(QStringLiteral("High-severity findings not reviewed"), 2);
        if (coverage.unreviewedHighSeverity.isEmpty()) {
            m_flow.paragraph(QStringLiteral("Every high and critical finding in scope has a review in force."));
        } else {
            QList<QList<PdfPageFlow::Cell>> rows;
            for (const Finding &finding : coverage.unreviewedHighSeverity) {
                const ReviewRecord *review = m_report.reviewIndex.latestForFinding(finding);
                rows.push_back({{severityName(finding.severity), severityColour(finding.severity), true},
                                {shown(finding.rule)},
                                {shown(finding.subject)},
                                {review ? reviewSummary(review, m_today) : QStringLiteral("never reviewed")}});
            }
            m_flow.table({{QStringLiteral("Severity"), 0.8}, {QStringLiteral("Rule"), 1.6}, {QStringLiteral("Subject"), 2.4},
                          {QStringLiteral("Review"), 1.6}},
                         rows);
        }
    }

    void decisionsOverTime()
    {
        // Policy decisions when a simulation is recorded, reviewer decisions otherwise.
        struct Bucket
        {
            qint64 start = 0;
            std::array<int, 4> counts = {};
        };
        QList<std::pair<QString, QColor>> legend;
        QList<std::pair<qint64, int>> points; // time, series
        if (m_report.simulation && !m_report.simulation->decisions.isEmpty()) {
            m_flow.heading(QStringLiteral("Policy decisions over time"), 2);
            legend = {{QStringLiteral("allow"), goodColour}, {QStringLiteral("deny"), badColour}};
            for (const EvidenceDecision &decision : m_report.simulation->decisions)
                points.push_back({decision.timeMs, decision.decision == QLatin1String("allow") ? 0 : 1});
        } else {
            m_flow.heading(QStringLiteral("Review decisions over time"), 2);
            for (const ReviewStatus status : allStatuses)
                legend.push_back({reviewStatusLabel(status), statusColour(status)});
            for (const ReviewRecord &record : m_report.reviewsInScope)
                points.push_back({QDateTime::fromString(record.createdAt, Qt::ISODateWithMs).toMSecsSinceEpoch(), static_cast<int>(record.status)});
        }
        points.removeIf([](const std::pair<qint64, int> &point) { return point.first <= 0; });
        if (points.isEmpty()) {
            m_flow.paragraph(QStringLiteral("No decisions recorded yet."), small(), mutedColour);
            return;
        }
        qint64 first = points.front().first;
        qint64 last = first;
        for (const auto &point : points) {
            first = std::min(first, point.first);
            last = std::max(last, point.first);
        }
        // Day buckets when the span allows, else hours or minutes; at most 40 columns.
        const qint64 span = std::max<qint64>(1, last - first);
        qint64 step = 60'000;
        for (const qint64 candidate : {60'000LL, 3'600'000LL, 86'400'000LL, 7 * 86'400'000LL, 30 * 86'400'000LL}) {
            step = candidate;
            if (span / candidate < 40)
                break;
        }
        const qint64 origin = first - first % step;
        const int bucketCount = static_cast<int>((last - origin) / step) + 1;
        QList<Bucket> buckets(std::min(bucketCount, 400));
        for (int i = 0; i < buckets.size(); ++i)
            buckets[i].start = origin + i * step;
        for (const auto &[time, series] : points) {
            const int index = std::min(static_cast<int>((time - origin) / step), static_cast<int>(buckets.size()) - 1);
            ++buckets[index].counts.at(static_cast<std::size_t>(series));
        }
        const QString unit = step >= 86'400'000 ? QStringLiteral("yyyy-MM-dd") : QStringLiteral("MM-dd HH:mm");
        const double width = m_flow.contentRect().width();
        m_flow.figure(150, [buckets, legend, unit, width](QPainter &painter) {
            const QFont font = chartFont(7);
            const QFontMetricsF metrics(font, painter.device());
            painter.setFont(font);
            double x = 0;
            for (const auto &[name, colour] : legend) {
                painter.fillRect(QRectF(x, 2, 8, 8), colour);
                painter.setPen(textColour);
                painter.drawText(QPointF(x + 11, 9.5), name);
                x += 11 + metrics.horizontalAdvance(name) + 12;
            }
            int maximum = 1;
            for (const Bucket &bucket : buckets) {
                int total = 0;
                for (const int n : bucket.counts)
                    total += n;
                maximum = std::max(maximum, total);
            }
            const QRectF plot(30, 18, width - 34, 108);
            painter.setPen(QPen(ruleColour, 0.6));
            painter.drawLine(plot.bottomLeft(), plot.bottomRight());
            painter.drawLine(plot.bottomLeft(), plot.topLeft());
            painter.setPen(mutedColour);
            painter.drawText(QRectF(0, plot.top() - 4, 26, 10), Qt::AlignRight, QString::number(maximum));
            painter.drawText(QRectF(0, plot.bottom() - 8, 26, 10), Qt::AlignRight, QStringLiteral("0"));
            const double slot = plot.width() / buckets.size();
            const double barWidth = std::clamp(slot * 0.7, 0.8, 28.0);
            for (int i = 0; i < buckets.size(); ++i) {
                double top = plot.bottom();
                for (std::size_t series = 0; series < buckets.at(i).counts.size() && series < std::size_t(legend.size()); ++series) {
                    const double h = plot.height() * buckets.at(i).counts.at(series) / maximum;
                    painter.fillRect(QRectF(plot.left() + i * slot + (slot - barWidth) / 2, top - h, barWidth, h), legend.at(qsizetype(series)).second);
                    top -= h;
                }
            }
            // First and last bucket labels; the middle one when there is room.
            painter.setPen(mutedColour);
            const auto label = [&](int i, Qt::Alignment alignment) {
                const QString text = QDateTime::fromMSecsSinceEpoch(buckets.at(i).start, Qt::UTC).toString(unit);
                const double centre = plot.left() + (i + 0.5) * slot;
                painter.drawText(QRectF(centre - 60, plot.bottom() + 3, 120, 10), alignment | Qt::AlignTop, text);
            };
            label(0, Qt::AlignHCenter);
            if (buckets.size() > 2)
                label(static_cast<int>(buckets.size()) - 1, Qt::AlignHCenter);
            painter.drawText(QRectF(plot.left(), plot.bottom() + 14, plot.width(), 10), Qt::AlignHCenter,
                             QStringLiteral("UTC, one bar per %1").arg(unit == QLatin1String("yyyy-MM-dd") ? QStringLiteral("day or more")
                                                                                                          : QStringLiteral("interval")));
        });
    }

    void graph()
    {
        m_flow.heading(QStringLiteral("Delegation graph"), 1);
        m_flow.paragraph(QStringLiteral("Who delegated to whom in the chains in scope, drawn as the graph view draws it: humans, "
                                        "supervisors, workers, sub-agents and tools in columns; the edge colour is the intent "
                                        "retention of the hops it aggregates, the width grows with the count."),
                         small(), mutedColour);
        const double width = m_flow.contentRect().width();
        const double height = std::max(m_flow.remaining() - 8, m_flow.contentRect().height() * 0.5);
        const std::shared_ptr<const EvidenceGraphFigure> figure = m_graph;
        m_flow.figure(height, [figure, width, height](QPainter &painter) { figure->paintOverview(painter, QRectF(0, 0, width, height)); });
        // Too dense for labels on one page: the same graph again, piece by piece, at a scale that shows them.
        const QSizeF tileArea(width, m_flow.contentRect().height() - 40);
        const QList<QRectF> tiles = figure->detailTiles(tileArea, 8);
        for (qsizetype i = 0; i < tiles.size(); ++i) {
            m_flow.heading(QStringLiteral("Delegation graph, part %1 of %2").arg(i + 1).arg(tiles.size()), 2, false);
            const QRectF tile = tiles.at(i);
            const double tileHeight = m_flow.remaining() - 8;
            m_flow.figure(tileHeight, [figure, tile, width, tileHeight](QPainter &painter) {
                figure->paintTile(painter, QRectF(0, 0, width, tileHeight), tile);
            });
        }
    }

    void chains()
    {
        m_flow.heading(QStringLiteral("Delegation chains"), 1);
        if (m_report.chains.isEmpty()) {
            m_flow.paragraph(QStringLiteral("No chain is in scope."));
            return;
        }
        m_flow.paragraph(QStringLiteral("Each chain hop by hop: who delegated to whom, over which protocol, with which scopes, and "
                                        "how much of the work below the hop stayed inside the intent the human declared (retention)."));
        const bool listInContents = m_report.chains.size() <= 40;
        for (const Chain &chain : m_report.chains) {
            m_flow.heading(QStringLiteral("Chain %1").arg(shown(chain.key)), 2, listInContents);
            QString span = evidenceTimeText(chain.firstTimeMs);
            if (chain.lastTimeMs && chain.lastTimeMs != chain.firstTimeMs)
                span += QStringLiteral(" to ") + evidenceTimeText(chain.lastTimeMs);
            m_flow.keyValues({
                {QStringLiteral("Originator"), chain.originator.isEmpty() ? QStringLiteral("unknown (no human on record)") : shown(chain.originator)},
                {QStringLiteral("Root agent"), shown(chain.root)},
                {QStringLiteral("Depth, retention"), QStringLiteral("%1 agent-to-agent hops, %2 of %3 actions within intent (%4)")
                                                         .arg(chain.depth).arg(chain.withinIntentCount()).arg(chain.actions.size())
                                                         .arg(percent(chain.retention))},
                {QStringLiteral("Declared intent"), chain.rootIntents.isEmpty() ? QStringLiteral("none declared") : shown(chain.rootIntents.join(QStringLiteral(", ")))},
                {QStringLiteral("Time"), span},
                {QStringLiteral("Protocols"), shown(chain.protocols.join(QStringLiteral(", ")))},
                {QStringLiteral("Human approval"), chain.humanApproval ? QStringLiteral("recorded") : QStringLiteral("none recorded")},
                {QStringLiteral("Review"), reviewSummary(m_report.reviewIndex.latest(ReviewSubjectKind::Chain, chain.key), m_today)},
            });
            if (!chain.hops.isEmpty()) {
                QList<QList<PdfPageFlow::Cell>> rows;
                for (qsizetype i = 0; i < chain.hops.size(); ++i) {
                    const ChainHop &hop = chain.hops.at(i);
                    const QString link = hop.inferred ? QStringLiteral("inferred %1").arg(percent(hop.confidence)) : QStringLiteral("recorded");
                    rows.push_back({{QString::number(i + 1)},
                                    {QStringLiteral("%1%2 → %3").arg(QString(hop.level * 2, QLatin1Char(' ')),
                                                                    shown(hop.delegator.isEmpty() ? QStringLiteral("(unknown)") : hop.delegator),
                                                                    shown(hop.delegate))},
                                    {shown((hop.protocols.isEmpty() ? QStringList{hop.protocol} : hop.protocols).join(QStringLiteral(", ")))},
                                    {hop.scopes.isEmpty() ? QStringLiteral("—") : shown(hop.scopes.join(QLatin1Char(' ')))},
                                    {link},
                                    {evidenceTimeText(hop.timeMs).mid(11, 12)},
                                    {percent(hop.retention), retentionColour(hop.retention), true},
                                    {QString::number(hop.actionCount)}});
                }
                m_flow.table({{QStringLiteral("#"), 0.3, false, Qt::AlignRight},
                              {QStringLiteral("Delegator → delegate"), 2.6},
                              {QStringLiteral("Protocol"), 0.8},
                              {QStringLiteral("Scopes granted"), 1.5},
                              {QStringLiteral("Link"), 0.85},
                              {QStringLiteral("Time (UTC)"), 1.2},
                              {QStringLiteral("Retention"), 1.05, false, Qt::AlignRight},
                              {QStringLiteral("Actions"), 0.9, false, Qt::AlignRight}},
                             rows);
            }
            if (!chain.actions.isEmpty()) {
                QList<QList<PdfPageFlow::Cell>> rows;
                for (qsizetype i = 0; i < chain.actions.size() && i < actionsShownPerChain; ++i) {
                    const ChainAction &action = chain.actions.at(i);
                    rows.push_back({{evidenceTimeText(action.timeMs).mid(11, 12)},
                                    {shown(action.actor)},
                                    {shown(action.action)},
                                    {shown(action.resource)},
                                    {action.withinIntent ? QStringLiteral("within") : QStringLiteral("OUTSIDE"),
                                     action.withinIntent ? goodColour : badColour, !action.withinIntent},
                                    {QString::number(action.eventId)}});
                }
                m_flow.table({{QStringLiteral("Time (UTC)"), 1.1}, {QStringLiteral("Actor"), 1.6}, {QStringLiteral("Action"), 1.7},
                              {QStringLiteral("Resource"), 1.8}, {QStringLiteral("Intent"), 0.8}, {QStringLiteral("Event"), 0.6, false, Qt::AlignRight}},
                             rows);
                if (chain.actions.size() > actionsShownPerChain)
                    m_flow.paragraph(QStringLiteral("%1 more actions of this chain are not shown here; all %2 are in evidence.json (chains[].actions).")
                                         .arg(chain.actions.size() - actionsShownPerChain).arg(chain.actions.size()),
                                     small(), mutedColour);
            }
        }
    }

    void findings()
    {
        m_flow.heading(QStringLiteral("Findings"), 1);
        if (m_report.findings.isEmpty()) {
            m_flow.paragraph(QStringLiteral("No findings in scope."));
            return;
        }
        m_flow.paragraph(QStringLiteral("Worst first. Each finding with the rule that raised it, why it matters, its review, and the "
                                        "events behind it as recorded: raw excerpts are printed as text, wrapped (↪ marks a "
                                        "wrapped line), with control characters shown as \\u escapes."));
        QFont titleFont = m_flow.bodyFont();
        titleFont.setBold(true);
        titleFont.setPointSizeF(9.5);
        for (const Finding &finding : m_report.findings) {
            m_flow.ensureSpace(90);
            m_flow.skip(4);
            m_flow.paragraph(QStringLiteral("[%1]  %2 — %3").arg(severityName(finding.severity).toUpper(), shown(finding.rule), shown(finding.subject)),
                             titleFont, severityColour(finding.severity));
            QList<std::pair<QString, QString>> facts;
            facts.push_back({QStringLiteral("Finding"), shown(finding.title)});
            facts.push_back({QStringLiteral("Why it matters"), shownMultiline(finding.explanation)});
            if (!finding.identity.isEmpty())
                facts.push_back({QStringLiteral("Identity"), shown(finding.identity)});
            if (!finding.chainKey.isEmpty())
                facts.push_back({QStringLiteral("Chain"), shown(finding.chainKey)});
            facts.push_back({QStringLiteral("Review"), reviewSummary(m_report.reviewIndex.latestForFinding(finding), m_today)});
            facts.push_back({QStringLiteral("Review key"), shown(findingReviewKey(finding.rule, finding.subject))});
            m_flow.keyValues(facts, 95);
            qsizetype shownEvents = 0;
            for (const qint64 id : finding.evidence) {
                if (shownEvents >= m_report.evidenceEventsPerFinding)
                    break;
                const auto event = m_report.events.constFind(id);
                if (event == m_report.events.cend())
                    continue;
                ++shownEvents;
                evidenceEvent(*event);
            }
            if (finding.evidence.size() > shownEvents) {
                QStringList rest;
                for (qsizetype i = shownEvents; i < finding.evidence.size(); ++i)
                    rest.push_back(QString::number(finding.evidence.at(i)));
                m_flow.paragraph(QStringLiteral("%1 more evidence events not printed here: %2 (listed in evidence.json and findings.csv).")
                                     .arg(rest.size()).arg(rest.join(QStringLiteral(", "))),
                                 small(), mutedColour, 12);
            } else if (finding.evidence.isEmpty()) {
                m_flow.paragraph(QStringLiteral("No evidence events: the finding rests on the inventory itself."), small(), mutedColour, 12);
            }
        }
    }

    void evidenceEvent(const EvidenceEvent &event)
    {
        QStringList parts{QStringLiteral("Event %1").arg(event.id), evidenceTimeText(event.timeMs), shown(event.protocol), shown(event.kind)};
        if (!event.actor.isEmpty())
            parts << QStringLiteral("actor %1").arg(shown(event.actor));
        if (!event.action.isEmpty())
            parts << QStringLiteral("action %1").arg(shown(event.action));
        if (!event.resource.isEmpty())
            parts << QStringLiteral("resource %1").arg(shown(event.resource));
        if (!event.outcome.isEmpty())
            parts << QStringLiteral("outcome %1").arg(shown(event.outcome));
        parts << QStringLiteral("%1 line %2").arg(shown(event.sourceFile)).arg(event.line);
        parts.removeAll(QString());
        m_flow.paragraph(parts.join(QStringLiteral(" · ")), small(), mutedColour, 12);
        if (event.excerpt.isEmpty()) {
            m_flow.paragraph(QStringLiteral("No raw excerpt: %1.").arg(event.excerptNote), small(), mutedColour, 12);
            return;
        }
        m_flow.codeBlock(visibleBytes(event.excerpt));
        if (event.rawLength > event.excerpt.size())
            m_flow.paragraph(QStringLiteral("First %1 of %2 bytes shown; the whole record is in %3 at line %4 (its SHA-256 is in Inputs).")
                                 .arg(event.excerpt.size()).arg(event.rawLength).arg(shown(event.sourceFile)).arg(event.line),
                             small(), mutedColour, 12);
    }

    void policy()
    {
        m_flow.heading(QStringLiteral("Policy and simulation"), 1);
        if (!m_report.policy) {
            m_flow.paragraph(QStringLiteral("No policy was given and no simulation is recorded in the workspace "
                                            "(chainsight-cli simulate records one; report --policy names the text)."));
            return;
        }
        const EvidencePolicy &policy = *m_report.policy;
        m_flow.keyValues({{QStringLiteral("Policy"), shown(policy.name)},
                          {QStringLiteral("From"), shown(policy.origin)},
                          {QStringLiteral("SHA-256"), QString::fromLatin1(policy.sha256)}});
        m_flow.codeBlock(shownMultiline(policy.text), true);
        if (!m_report.simulation) {
            m_flow.paragraph(QStringLiteral("No simulation of this policy text is recorded in the workspace."), small(), mutedColour);
            return;
        }
        const EvidenceSimulation &s = *m_report.simulation;
        m_flow.heading(QStringLiteral("Simulation results"), 2);
        QList<std::pair<QString, QString>> facts{
            {QStringLiteral("Run"), QStringLiteral("#%1, %2 to %3").arg(s.runId).arg(s.startedAt, s.finishedAt)},
            {QStringLiteral("Policy version"), QStringLiteral("%1, SHA-256 %2").arg(shown(s.policyName), QString::fromLatin1(s.policySha256))},
            {QStringLiteral("Decisions"), QStringLiteral("%1 requests: %2 allowed, %3 denied, %4 with errors")
                                              .arg(s.requestCount).arg(s.allowCount).arg(s.denyCount).arg(s.errorCount)},
        };
        if (!s.policyMatchesText)
            facts.push_back({QStringLiteral("Note"), QStringLiteral("the simulated version differs from the policy text above")});
        if (s.baselineRunId)
            facts.push_back({QStringLiteral("Compared with"), QStringLiteral("%1 (run #%2, SHA-256 %3): %4 decisions in scope changed")
                                                                  .arg(shown(s.baselinePolicyName)).arg(s.baselineRunId)
                                                                  .arg(QString::fromLatin1(s.baselinePolicySha256)).arg(s.changedCount)});
        m_flow.keyValues(facts);

        const auto decisionRow = [](const EvidenceDecision &d, bool withBaseline) {
            QList<PdfPageFlow::Cell> row{{evidenceTimeText(d.timeMs).left(19).replace(QLatin1Char('T'), QLatin1Char(' '))},
                                         {shown(d.actor)},
                                         {shown(d.action)},
                                         {shown(d.resource)}};
            if (withBaseline)
                row.push_back({d.baselineDecision.isEmpty() ? QStringLiteral("—") : d.baselineDecision,
                               d.baselineDecision == QLatin1String("allow") ? goodColour : badColour});
            row.push_back({d.decision, d.decision == QLatin1String("allow") ? goodColour : badColour, true});
            row.push_back({shown(d.errors.isEmpty() ? d.determining : d.determining + QStringLiteral("; errors: ") + d.errors)});
            return row;
        };
        QList<PdfPageFlow::Column> columns{{QStringLiteral("Time (UTC)"), 1.2}, {QStringLiteral("Actor"), 1.3}, {QStringLiteral("Action"), 1.4},
                                           {QStringLiteral("Resource"), 1.3}};
        if (s.baselineRunId) {
            m_flow.heading(QStringLiteral("Decisions that change"), 2);
            QList<QList<PdfPageFlow::Cell>> rows;
            for (const EvidenceDecision &d : s.decisions) {
                if (d.decision != d.baselineDecision && rows.size() < changedDecisionsShown)
                    rows.push_back(decisionRow(d, true));
            }
            if (rows.isEmpty()) {
                m_flow.paragraph(QStringLiteral("No decision in scope changes between the two versions."));
            } else {
                QList<PdfPageFlow::Column> diffColumns = columns;
                diffColumns << PdfPageFlow::Column{QStringLiteral("Before"), 0.7} << PdfPageFlow::Column{QStringLiteral("After"), 0.7}
                            << PdfPageFlow::Column{QStringLiteral("Determining policies"), 1.5};
                m_flow.table(diffColumns, rows);
                if (s.changedCount > changedDecisionsShown)
                    m_flow.paragraph(QStringLiteral("The first %1 of %2 changed decisions are shown; all are in simulation.csv (changed = yes).")
                                         .arg(changedDecisionsShown).arg(s.changedCount),
                                     small(), mutedColour);
            }
        }
        m_flow.heading(QStringLiteral("Decisions"), 2);
        QList<QList<PdfPageFlow::Cell>> rows;
        for (qsizetype i = 0; i < s.decisions.size() && i < decisionsShown; ++i)
            rows.push_back(decisionRow(s.decisions.at(i), false));
        if (rows.isEmpty()) {
            m_flow.paragraph(QStringLiteral("The run has no decision about an action in scope."));
            return;
        }
        columns << PdfPageFlow::Column{QStringLiteral("Decision"), 0.7} << PdfPageFlow::Column{QStringLiteral("Determining policies"), 1.6};
        m_flow.table(columns, rows);
        if (s.decisions.size() > decisionsShown)
            m_flow.paragraph(QStringLiteral("The first %1 of %2 decisions in scope are shown, in time order; all are in simulation.csv.")
                                 .arg(decisionsShown).arg(s.decisions.size()),
                             small(), mutedColour);
    }

    void reviews()
    {
        m_flow.heading(QStringLiteral("Review log"), 1);
        const ReviewChainVerification &verification = m_report.reviewVerification;
        m_flow.keyValues({
            {QStringLiteral("Hash chain"), verification.ok() ? QStringLiteral("intact: every record's SHA-256 and every link to the record before it verify")
                                                             : QStringLiteral("BROKEN: %1").arg(verification.problems.constFirst().message)},
            {QStringLiteral("Records"), QStringLiteral("%1 in the log, %2 about subjects in scope").arg(verification.recordCount).arg(m_report.reviewsInScope.size())},
            {QStringLiteral("Head"), QString::fromLatin1(verification.headHash)},
            {QStringLiteral("Check"), QStringLiteral("chainsight-cli verify -w WORKSPACE --head <head above> confirms no record up to this one "
                                                     "was changed, removed or reordered since this report.")},
        });
        if (m_report.reviewsInScope.isEmpty()) {
            m_flow.paragraph(QStringLiteral("No review of a subject in scope is recorded."));
            return;
        }
        QList<QList<PdfPageFlow::Cell>> rows;
        for (const ReviewRecord &record : m_report.reviewsInScope) {
            QString terms;
            if (!record.expiresAt.isEmpty())
                terms = QStringLiteral("until %1").arg(record.expiresAt);
            if (!record.remediationOwner.isEmpty())
                terms = QStringLiteral("owner %1").arg(shown(record.remediationOwner));
            rows.push_back({{QString::number(record.id), QColor(), false},
                            {record.createdAt.left(19).replace(QLatin1Char('T'), QLatin1Char(' '))},
                            {shown(record.reviewer)},
                            {QStringLiteral("%1 %2").arg(reviewSubjectKindName(record.subjectKind), shown(record.subject))},
                            {reviewStatusLabel(record.status), statusTextColour(record.status), true},
                            {terms},
                            {shownMultiline(record.comment)},
                            {QString::fromLatin1(record.recordHash.left(12))}});
        }
        m_flow.table({{QStringLiteral("#"), 0.45, false, Qt::AlignRight},
                      {QStringLiteral("Time (UTC)"), 1.0},
                      {QStringLiteral("Reviewer"), 1.0},
                      {QStringLiteral("Subject"), 1.6},
                      {QStringLiteral("Status"), 1.3},
                      {QStringLiteral("Terms"), 1.1},
                      {QStringLiteral("Comment"), 1.8},
                      {QStringLiteral("Record hash"), 1.2, true}},
                     rows);
    }

    void notes()
    {
        m_flow.heading(QStringLiteral("About this evidence"), 1);
        for (const QString &note : m_report.notes)
            m_flow.paragraph(note);
        m_flow.paragraph(QStringLiteral("Next to this PDF: evidence.json states everything this report states, with hashes; "
                                        "findings.csv and simulation.csv hold every finding and decision in scope; "
                                        "evidence.sha256 lists the SHA-256 of each file, and evidence.sig, when present, is a "
                                        "detached signature over evidence.sha256."));
        m_flow.paragraph(QStringLiteral("To check the bundle: chainsight-cli verify --bundle FOLDER --pubkey signer.pub.pem. "
                                        "Without Chainsight: sha256sum -c evidence.sha256, then for Ed25519 "
                                        "openssl pkeyutl -verify -pubin -inkey signer.pub.pem -rawin -in evidence.sha256 "
                                        "-sigfile evidence.sig, or for ECDSA P-256 openssl dgst -sha256 -verify signer.pub.pem "
                                        "-signature evidence.sig evidence.sha256."));
    }

    const EvidenceReport &m_report;
    PdfPageFlow &m_flow;
    std::shared_ptr<const EvidenceGraphFigure> m_graph;
    QDate m_today;
};

void paintFooter(QPainter &painter, const EvidenceReport &report, int page, int pageCount)
{
    const QFont font = chartFont(7);
    painter.setFont(font);
    painter.setPen(QPen(ruleColour, 0.5));
    const double top = a4.height() - pageMargins.bottom() + 18;
    painter.drawLine(QPointF(pageMargins.left(), top), QPointF(a4.width() - pageMargins.right(), top));
    painter.setPen(mutedColour);
    const QRectF band(pageMargins.left(), top + 4, a4.width() - pageMargins.left() - pageMargins.right(), 10);
    painter.drawText(band, Qt::AlignLeft | Qt::AlignTop,
                     QStringLiteral("Chainsight evidence · %1 · generated %2").arg(shown(report.workspaceName), report.generatedAt));
    painter.drawText(band, Qt::AlignRight | Qt::AlignTop, QStringLiteral("Page %1 of %2").arg(page).arg(pageCount));
}

void paintCover(QPainter &painter, const EvidenceReport &report, const EvidencePdfOptions &options)
{
    const double left = pageMargins.left();
    const double width = a4.width() - pageMargins.left() - pageMargins.right();
    painter.fillRect(QRectF(0, 0, a4.width(), 8), accentColour);
    painter.setPen(accentColour);
    painter.setFont(chartFont(11, true));
    painter.drawText(QPointF(left, 140), QStringLiteral("CHAINSIGHT"));
    painter.setPen(textColour);
    painter.setFont(chartFont(26, true));
    painter.drawText(QRectF(left, 150, width, 80), Qt::AlignLeft | Qt::TextWordWrap, QStringLiteral("Evidence report"));
    painter.setFont(chartFont(12));
    painter.setPen(mutedColour);
    painter.drawText(QRectF(left, 200, width, 60), Qt::AlignLeft | Qt::TextWordWrap,
                     QStringLiteral("Delegation chains, findings, policy decisions and reviewer sign-offs of %1").arg(shown(report.workspaceName)));

    const QList<std::pair<QString, QString>> facts{
        {QStringLiteral("Workspace"), shown(report.workspaceName)},
        {QStringLiteral("Scope"), report.scope.describe()},
        {QStringLiteral("Generated"), report.generatedAt + QStringLiteral(" (UTC)")},
        {QStringLiteral("Generated by"), shown(report.generatedBy)},
        {QStringLiteral("Chainsight"), QStringLiteral("version %1").arg(report.chainsightVersion)},
        {QStringLiteral("Inputs"), QStringLiteral("%1 files, %2 events").arg(report.inputs.size()).arg(report.counts.events)},
        {QStringLiteral("In scope"), QStringLiteral("%1 chains, %2 findings, %3 reviews")
                                         .arg(report.chains.size()).arg(report.findings.size()).arg(report.reviewsInScope.size())},
        {QStringLiteral("Review log head"), QString::fromLatin1(report.reviewVerification.headHash)},
        {QStringLiteral("Signature"), options.signatureNote.isEmpty() ? QStringLiteral("not signed; the SHA-256 manifest evidence.sha256 lists every file")
                                                                      : options.signatureNote},
    };
    const QFont label = chartFont(9, true);
    const QFont value = chartFont(9);
    double y = 300;
    for (const auto &[name, text] : facts) {
        painter.setFont(label);
        painter.setPen(mutedColour);
        painter.drawText(QRectF(left, y, 110, 30), Qt::AlignLeft | Qt::AlignTop, name);
        painter.setFont(value);
        painter.setPen(textColour);
        const QRectF box(left + 115, y, width - 115, 60);
        const QRectF used = painter.boundingRect(box, Qt::AlignLeft | Qt::AlignTop | Qt::TextWrapAnywhere, text);
        painter.drawText(box, Qt::AlignLeft | Qt::AlignTop | Qt::TextWrapAnywhere, text);
        y += std::max(used.height(), 12.0) + 7;
    }
    painter.setPen(QPen(ruleColour, 0.6));
    painter.drawLine(QPointF(left, y + 6), QPointF(left + width, y + 6));
    painter.setFont(chartFont(8));
    painter.setPen(mutedColour);
    painter.drawText(QRectF(left, y + 14, width, 60), Qt::AlignLeft | Qt::TextWordWrap,
                     QStringLiteral("Every string taken from a log, an inventory or a reviewer is printed as plain text; characters that "
                                    "would not print as themselves appear as \\u escapes. Times are UTC."));
}

int paintContents(QPainter &painter, QPdfWriter &writer, const QList<PdfPageFlow::TocEntry> &contents, int firstBodyPage,
                  int entriesPerPage, const EvidenceReport &report, int pageCount, int firstContentsPage)
{
    const double left = pageMargins.left();
    const double right = a4.width() - pageMargins.right();
    int page = firstContentsPage;
    for (qsizetype start = 0; start < contents.size() || start == 0; start += entriesPerPage) {
        if (start > 0)
            writer.newPage();
        double y = pageMargins.top();
        if (start == 0) {
            painter.setFont(chartFont(16, true));
            painter.setPen(textColour);
            painter.drawText(QPointF(left, y + 16), QStringLiteral("Contents"));
            painter.setPen(QPen(accentColour, 1.2));
            painter.drawLine(QPointF(left, y + 24), QPointF(right, y + 24));
        }
        y += 40;
        for (qsizetype i = start; i < contents.size() && i < start + entriesPerPage; ++i) {
            const PdfPageFlow::TocEntry &entry = contents.at(i);
            const QFont font = chartFont(entry.level == 1 ? 10 : 8.5, entry.level == 1);
            const QFontMetricsF metrics(font, painter.device());
            const double indent = entry.level == 1 ? 0 : 18;
            const QString number = QString::number(firstBodyPage + entry.page);
            const double numberWidth = metrics.horizontalAdvance(number);
            const QString title = metrics.elidedText(entry.title, Qt::ElideMiddle, right - left - indent - numberWidth - 30);
            painter.setFont(font);
            painter.setPen(textColour);
            painter.drawText(QPointF(left + indent, y), title);
            painter.drawText(QPointF(right - numberWidth, y), number);
            // Dotted leader between the title and its page number.
            painter.setPen(QPen(ruleColour, 0.8, Qt::DotLine));
            painter.drawLine(QPointF(left + indent + metrics.horizontalAdvance(title) + 6, y - 1), QPointF(right - numberWidth - 6, y - 1));
            y += entry.level == 1 ? 17 : 13;
        }
        paintFooter(painter, report, page, pageCount);
        ++page;
        if (contents.isEmpty())
            break;
    }
    return page;
}

} // namespace

bool EvidencePdfWriter::write(const EvidenceReport &report, const QString &path, const EvidencePdfOptions &options, QString *error)
{
    const auto progress = [&options](int value) {
        if (options.progress)
            options.progress(value);
    };
    const auto cancelled = [&options] { return options.cancel && options.cancel->load(); };

    // Written whole or not at all: a cancelled or failed export leaves no half PDF behind.
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        if (error)
            *error = QStringLiteral("%1: cannot write: %2").arg(path, file.errorString());
        return false;
    }
    QPdfWriter writer(&file);
    writer.setResolution(resolution);
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize::A4), QPageLayout::Portrait, QMarginsF(0, 0, 0, 0), QPageLayout::Point));
    writer.setTitle(QStringLiteral("Chainsight evidence report: %1").arg(shown(report.workspaceName)));
    writer.setCreator(QStringLiteral("Chainsight %1").arg(report.chainsightVersion));
    writer.setPdfVersion(QPagedPaintDevice::PdfVersion_1_6);

    // Two passes over the same layout: the first only measures, so the contents know every page number
    // and the footers the page count; the second paints each page as soon as it is complete.
    PdfPageFlow measure(&writer, a4, pageMargins);
    measure.setRecording(false);
    // The graph is laid out once for both passes.
    const auto graph = std::make_shared<const EvidenceGraphFigure>(report.graph);
    ReportBuilder(report, measure, graph).build([&progress](int value) { progress(value / 3); });
    if (cancelled()) {
        if (error)
            *error = QStringLiteral("cancelled");
        return false;
    }

    constexpr int entriesPerPage = 44;
    const int contentsPages = std::max(1, static_cast<int>((measure.contents().size() + entriesPerPage - 1) / entriesPerPage));
    const int firstBodyPage = 2 + contentsPages; // 1-based: cover, contents, body
    const int bodyPages = measure.pageCount();
    const int pageCount = 1 + contentsPages + bodyPages;

    QPainter painter;
    if (!painter.begin(&writer)) {
        if (error)
            *error = QStringLiteral("%1: cannot write the PDF").arg(path);
        return false;
    }
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setRenderHint(QPainter::TextAntialiasing);
    paintCover(painter, report, options);
    writer.newPage();
    paintContents(painter, writer, measure.contents(), firstBodyPage, entriesPerPage, report, pageCount, 2);

    PdfPageFlow flow(&writer, a4, pageMargins);
    flow.setPageSink([&](int index, PdfPageFlow::Page &page) {
        if (cancelled())
            return;
        writer.newPage();
        for (const PdfPageFlow::PaintOp &op : page.ops)
            op(painter);
        paintFooter(painter, report, firstBodyPage + index, pageCount);
        page.ops.clear();
        page.ops.shrink_to_fit();
        progress(33 + static_cast<int>(67LL * (index + 1) / std::max(1, bodyPages)));
    });
    ReportBuilder(report, flow, graph).build([](int) {});
    flow.finish();
    if (cancelled()) {
        painter.end();
        if (error)
            *error = QStringLiteral("cancelled");
        return false;
    }
    Q_ASSERT(flow.pageCount() == bodyPages); // the layout is deterministic
    if (!painter.end() || !file.commit()) {
        if (error)
            *error = QStringLiteral("%1: cannot write the PDF: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

} // namespace chainsight

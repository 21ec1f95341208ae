#include "ReviewPanel.h"

#include "ChainStore.h"
#include "RecordTable.h"
#include "ReviewCoverage.h"
#include "ReviewDialog.h"
#include "ReviewLogModel.h"
#include "UntrustedText.h"
#include "Workspace.h"

#include <QDateTime>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace chainsight {
namespace {

// What one background load hands back to the GUI thread.
struct ReviewLoad
{
    QList<ReviewRecord> records;
    QStringList chainKeys;
    QStringList identityIds;
    QString error;
};

ReviewLoad loadReviews(const QString &path)
{
    ReviewLoad load;
    auto workspace = Workspace::open(path, Workspace::OpenMode::ReadOnly, &load.error);
    if (!workspace)
        return load;
    const auto records = ReviewLog::records(*workspace, &load.error);
    if (!records)
        return load;
    load.records = *records;
    if (const auto chains = ChainStore::chainsOf(*workspace, &load.error)) {
        for (const Chain &chain : chains->chains)
            load.chainKeys.push_back(chain.key);
    }
    if (const auto identities = workspace->identities(&load.error)) {
        for (const IdentitySummary &identity : *identities) {
            if (identity.kind == QLatin1String("agent") || identity.kind == QLatin1String("shadow"))
                load.identityIds.push_back(identity.id);
        }
    }
    return load;
}

} // namespace

ReviewPanel::ReviewPanel(QWidget *parent)
    : QWidget(parent)
    , m_model(new ReviewLogModel(this))
    , m_proxy(new QSortFilterProxyModel(this))
    , m_coverage(new QLabel(this))
    , m_verification(new QLabel(this))
    , m_filter(new QLineEdit(this))
    , m_add(new QPushButton(tr("Add review…"), this))
    , m_view(new QTableView(this))
    , m_details(new QPlainTextEdit(this))
{
    m_proxy->setSourceModel(m_model);
    m_proxy->setFilterRole(ReviewLogModel::SearchTextRole);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_proxy->setSortRole(ReviewLogModel::SortRole);
    m_filter->setPlaceholderText(tr("Filter reviews by reviewer, subject, status, comment…"));
    m_filter->setClearButtonEnabled(true);
    m_filter->setAccessibleName(tr("Filter reviews"));
    m_coverage->setTextFormat(Qt::PlainText);
    m_coverage->setWordWrap(true);
    m_verification->setTextFormat(Qt::PlainText);
    m_verification->setWordWrap(true);
    // Wrapped at the dock's narrowest width, their height would set the minimum of every panel docked below
    // the graph; a line each is the floor (the full text is also the tooltip).
    for (QLabel *label : {m_coverage, m_verification})
        label->setMinimumHeight(label->fontMetrics().lineSpacing());
    m_add->setEnabled(false);

    configureRecordTable(m_view);
    m_view->setModel(m_proxy);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(ReviewLogModel::TimeColumn, Qt::DescendingOrder);
    m_view->setAccessibleName(tr("Review log"));
    // A superseded review is history: grey; a record that does not verify: red.
    m_view->setItemDelegate(new EmphasisDelegate([](const QModelIndex &index) {
        if (index.data(ReviewLogModel::BrokenRole).toBool())
            return std::optional(Emphasis{QColor(0xc6, 0x28, 0x28)});
        if (index.data(ReviewLogModel::SupersededRole).toBool())
            return std::optional(Emphasis{QColor(0x80, 0x80, 0x80), false, true});
        return std::optional<Emphasis>();
    }, m_view));
    m_details->setReadOnly(true);
    m_details->setAccessibleName(tr("The selected review in full"));

    auto *panel = new QWidget(this);
    layOutRecordPanel(panel, {m_filter, m_add}, m_view, m_details);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *summary = new QVBoxLayout;
    summary->setContentsMargins(6, 4, 6, 0);
    summary->addWidget(m_verification);
    summary->addWidget(m_coverage);
    layout->addLayout(summary);
    layout->addWidget(panel, 1);

    connect(m_filter, &QLineEdit::textChanged, m_proxy, &QSortFilterProxyModel::setFilterFixedString);
    connect(m_add, &QPushButton::clicked, this, [this] { requestReview(ReviewSubjectKind::Finding, QString()); });
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &ReviewPanel::showDetails);
    updateSummary();
}

void ReviewPanel::setWorkspace(const QString &path, const QList<Finding> &findings)
{
    m_path = path;
    m_findings = findings;
    m_add->setEnabled(!path.isEmpty());
    reload();
}

void ReviewPanel::reload()
{
    if (m_path.isEmpty())
        return;
    const int generation = ++m_generation;
    QtConcurrent::run(loadReviews, m_path).then(this, [this, generation](const ReviewLoad &load) {
        if (generation != m_generation)
            return; // a newer load is on its way
        if (!load.error.isEmpty() && load.records.isEmpty()) {
            m_verification->setText(tr("Cannot read the review log: %1").arg(visibleText(load.error)));
            m_verification->setToolTip(m_verification->text());
        }
        m_chainKeys = load.chainKeys;
        m_identityIds = load.identityIds;
        m_model->setRecords(load.records);
        fitRecordTable(m_view, 360);
        updateSummary();
        showDetails();
        Q_EMIT loaded();
    });
}

void ReviewPanel::requestFindingReview(const Finding &finding)
{
    requestReview(ReviewSubjectKind::Finding, findingReviewKey(finding.rule, finding.subject));
}

void ReviewPanel::requestReview(ReviewSubjectKind kind, const QString &subject)
{
    if (m_path.isEmpty())
        return;
    ReviewDialog dialog(this);
    dialog.setSubject(kind, subject);
    if (dialog.exec() == QDialog::Accepted)
        append(dialog.draft());
}

void ReviewPanel::append(const ReviewDraft &draft)
{
    const QString path = m_path;
    QtConcurrent::run([path, draft] {
        QString error;
        auto workspace = Workspace::open(path, Workspace::OpenMode::OpenExisting, &error);
        if (!workspace)
            return std::pair<qint64, QString>(0, error);
        const auto record = ReviewLog::append(*workspace, draft, &error);
        return std::pair<qint64, QString>(record ? record->id : 0, error);
    }).then(this, [this](const std::pair<qint64, QString> &outcome) {
        if (outcome.first == 0) {
            Q_EMIT reviewFailed(outcome.second);
            QMessageBox box(QMessageBox::Warning, tr("Review not recorded"), outcome.second, QMessageBox::Ok, this);
            box.setTextFormat(Qt::PlainText);
            box.exec();
            return;
        }
        Q_EMIT reviewAdded(outcome.first);
        reload();
    });
}

QString ReviewPanel::verificationText() const
{
    const ReviewChainVerification &verification = m_model->verification();
    if (m_path.isEmpty())
        return tr("No workspace open.");
    if (!verification.ok())
        return tr("Review log BROKEN: %1").arg(verification.problems.constFirst().message);
    return tr("Review log intact: %n record(s), hash chain verified, head %1…", nullptr, static_cast<int>(verification.recordCount))
        .arg(QString::fromLatin1(verification.headHash.left(16)));
}

QString ReviewPanel::coverageText() const
{
    const ReviewCoverage coverage = computeReviewCoverage(m_chainKeys, m_findings, m_identityIds, ReviewIndex(m_model->records()),
                                                          QDateTime::currentDateTimeUtc().date());
    const auto byStatus = [](const ReviewCoverageCount &count) {
        QStringList parts;
        for (const ReviewStatus status : {ReviewStatus::Approved, ReviewStatus::AcceptedRisk, ReviewStatus::NeedsRemediation,
                                          ReviewStatus::FalsePositive}) {
            if (count.count(status) > 0)
                parts.push_back(QStringLiteral("%1 %2").arg(count.count(status)).arg(reviewStatusLabel(status).toLower()));
        }
        if (count.expired > 0)
            parts.push_back(QStringLiteral("%1 expired").arg(count.expired));
        return parts.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(parts.join(QStringLiteral(", ")));
    };
    QString text = tr("Chains: %1 of %2 reviewed%3 · Findings: %4 of %5 reviewed%6 · Identities: %7 of %8 reviewed%9")
                       .arg(coverage.chains.reviewed).arg(coverage.chains.total).arg(byStatus(coverage.chains))
                       .arg(coverage.findings.reviewed).arg(coverage.findings.total).arg(byStatus(coverage.findings))
                       .arg(coverage.identities.reviewed).arg(coverage.identities.total).arg(byStatus(coverage.identities));
    if (!coverage.unreviewedHighSeverity.isEmpty()) {
        QStringList keys;
        for (const Finding &finding : coverage.unreviewedHighSeverity)
            keys.push_back(visibleText(findingReviewKey(finding.rule, finding.subject)));
        text += QLatin1Char('\n') + tr("High or critical, not reviewed (%1): %2").arg(keys.size()).arg(keys.join(QStringLiteral(", ")));
    }
    return text;
}

void ReviewPanel::updateSummary()
{
    m_verification->setText(verificationText());
    m_verification->setStyleSheet(m_model->verification().ok() ? QString() : QStringLiteral("color: #c62828; font-weight: bold"));
    m_coverage->setText(m_path.isEmpty() ? QString() : coverageText());
    m_verification->setToolTip(m_verification->text());
    m_coverage->setToolTip(m_coverage->text());
}

void ReviewPanel::showDetails()
{
    const QModelIndex current = m_view->currentIndex();
    if (!current.isValid()) {
        m_details->setPlainText(m_model->rowCount() == 0 ? tr("No reviews yet: right-click a finding and choose Review…, or Add review.")
                                                         : tr("Select a review to see it in full."));
        return;
    }
    const ReviewRecord &record = m_model->records().at(m_proxy->mapToSource(current).row());
    QStringList lines{
        tr("Review #%1 · %2 %3").arg(record.id).arg(reviewSubjectKindName(record.subjectKind), visibleText(record.subject)),
        tr("%1 by %2 at %3").arg(reviewStatusLabel(record.status), visibleText(record.reviewer), record.createdAt),
    };
    if (!record.expiresAt.isEmpty())
        lines << tr("Accepted until %1").arg(record.expiresAt);
    if (!record.remediationOwner.isEmpty())
        lines << tr("Remediation owner: %1").arg(visibleText(record.remediationOwner));
    lines << QString() << visibleText(record.comment, LineBreaks::Keep) << QString()
          << tr("Previous hash %1").arg(QString::fromLatin1(record.previousHash))
          << tr("Record hash   %1").arg(QString::fromLatin1(record.recordHash));
    m_details->setPlainText(lines.join(QLatin1Char('\n')));
}

} // namespace chainsight

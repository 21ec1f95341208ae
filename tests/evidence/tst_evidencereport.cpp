#include "EvidenceBundle.h"
#include "EvidenceExporter.h"
#include "EvidencePdfWriter.h"
#include "FindingsEngine.h"
#include "ImportRunner.h"
#include "ReviewLog.h"
#include "Workspace.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QtConcurrent/QtConcurrentRun>

#include <atomic>

using namespace chainsight;

namespace {

// Text of a PDF, pages separated by form feeds; empty when pdftotext is not installed.
QString pdfText(const QString &pdf)
{
    const QString tool = QStandardPaths::findExecutable(QStringLiteral("pdftotext"));
    if (tool.isEmpty())
        return {};
    QProcess process;
    process.start(tool, {QStringLiteral("-enc"), QStringLiteral("UTF-8"), pdf, QStringLiteral("-")});
    if (!process.waitForFinished(60000) || process.exitCode() != 0)
        return {};
    return QString::fromUtf8(process.readAllStandardOutput());
}

QByteArray fixture(const QString &name)
{
    QFile file(QStringLiteral(CHAINSIGHT_TEST_DATA_DIR "/evidence/") + name);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

ReviewDraft draft(ReviewSubjectKind kind, const QString &subject, ReviewStatus status, const QString &comment)
{
    ReviewDraft d;
    d.subjectKind = kind;
    d.subject = subject;
    d.status = status;
    d.comment = comment;
    d.reviewer = QStringLiteral("ana");
    if (status == ReviewStatus::NeedsRemediation)
        d.remediationOwner = QStringLiteral("raj");
    return d;
}

// A report built in memory: no workspace, the shapes the writer must lay out.
EvidenceReport syntheticReport()
{
    EvidenceReport report;
    report.workspaceName = QStringLiteral("synthetic.chainsight");
    report.generatedAt = QStringLiteral("2026-03-02T09:30:00.000Z");
    report.generatedBy = QStringLiteral("ana");
    report.chainsightVersion = QStringLiteral(CHAINSIGHT_VERSION);
    report.reviewVerification.headHash = reviewGenesisHash();
    return report;
}

} // namespace

class EvidenceReportTest final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void untrustedStringsPrintAsText();
    void contentsAndPageNumbers();
    void tablesRepeatTheirHeaderOnEveryPage();
    void longExcerptsWrapAndSayWhatIsLeftOut();
    void signedBundleVerifies();
    void scopeNarrowsTheReport();
    void pagesRender();
    void cancelLeavesNoReport();
    void exportRunsOffTheGuiThread();

private:
    EvidenceExportResult exportTo(const QString &name, const QString &scope = QStringLiteral("all"), const QString &key = {});

    QTemporaryDir m_dir;
    QString m_workspace;
    QString m_findingKey;
};

void EvidenceReportTest::initTestCase()
{
    QVERIFY(m_dir.isValid());
    // The log is copied so the report can find it next to the workspace, as a user's files would be.
    const QString log = m_dir.filePath(QStringLiteral("untrusted-log.jsonl"));
    QFile file(log);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(fixture(QStringLiteral("untrusted-log.jsonl")));
    file.close();
    m_workspace = m_dir.filePath(QStringLiteral("untrusted.chainsight"));
    const std::atomic_bool cancel{false};
    const ImportResult imported = ImportRunner::run(m_workspace, {log}, {}, {}, cancel);
    QCOMPARE(imported.status, ImportResult::Status::Committed);

    QString error;
    auto workspace = Workspace::open(m_workspace, Workspace::OpenMode::OpenExisting, &error);
    QVERIFY2(workspace, qPrintable(error));
    const auto run = FindingsEngine().run(*workspace, {}, &error);
    QVERIFY2(run, qPrintable(error));
    QVERIFY(!run->findings.isEmpty());
    const Finding &shadow = run->findings.constFirst();
    QVERIFY(shadow.subject.contains(QChar(0)));
    m_findingKey = findingReviewKey(shadow.rule, shadow.subject);
    QVERIFY2(ReviewLog::append(*workspace,
                               draft(ReviewSubjectKind::Finding, m_findingKey, ReviewStatus::NeedsRemediation,
                                     QStringLiteral("<script>alert('review')</script> null:") + QChar(0) + QStringLiteral(" rtl:") + QChar(0x202e)),
                               &error),
             qPrintable(error));
}

EvidenceExportResult EvidenceReportTest::exportTo(const QString &name, const QString &scope, const QString &key)
{
    EvidenceExportRequest request;
    request.workspacePath = m_workspace;
    request.pdfPath = m_dir.filePath(name + QStringLiteral("/evidence.pdf"));
    request.options.scope = *EvidenceScope::parse(scope, nullptr);
    request.options.generatedBy = QStringLiteral("auditor");
    if (!key.isEmpty())
        request.signingKeyPath = QStringLiteral(CHAINSIGHT_TEST_DATA_DIR "/evidence/") + key;
    return EvidenceExporter::run(request);
}

void EvidenceReportTest::untrustedStringsPrintAsText()
{
    const EvidenceExportResult result = exportTo(QStringLiteral("untrusted"));
    QVERIFY2(result.ok, qPrintable(result.error));
    QCOMPARE(result.findings, 1);
    const QString text = pdfText(result.folder + QStringLiteral("/evidence.pdf"));
    if (text.isEmpty())
        QSKIP("pdftotext (poppler-utils) is not installed");
    // Markup from a log is printed as the characters it is made of.
    QVERIFY(text.contains(QStringLiteral("<script>alert(1)</script>")));
    QVERIFY(text.contains(QStringLiteral("<img src=x onerror=alert(2)>")));
    // The review comment sits in a table cell that wraps: compare without the line breaks the layout added.
    QString compact = text;
    compact.remove(QRegularExpression(QStringLiteral("\\s")));
    for (const QString &piece : {QStringLiteral("<script>alert('review'"), QStringLiteral("null:\\u0000"), QStringLiteral("rtl:\\u202e")})
        QVERIFY2(compact.contains(piece), qPrintable(piece));
    // The NUL from the log and the review shows as an escape, never as the character itself.
    QVERIFY(text.contains(QStringLiteral("evil\\u0000<script>alert(1)</script>")));
    QVERIFY(!text.contains(QChar(0)));
    QVERIFY(!text.contains(QChar(0x202e)));
    QVERIFY(!text.contains(QChar(0x07)));
    // The raw record keeps its JSON escapes as written.
    QVERIFY(text.contains(QStringLiteral("\\u202e\\u0007")));

    // evidence.json and the CSV carry the same strings, as data.
    QFile json(result.folder + QStringLiteral("/evidence.json"));
    QVERIFY(json.open(QIODevice::ReadOnly));
    const QJsonObject root = QJsonDocument::fromJson(json.readAll()).object();
    QCOMPARE(root.value(QStringLiteral("findings")).toArray().at(0).toObject().value(QStringLiteral("review_key")).toString(), m_findingKey);
    QCOMPARE(root.value(QStringLiteral("reviews")).toObject().value(QStringLiteral("verification")).toObject().value(QStringLiteral("ok")).toBool(), true);
}

void EvidenceReportTest::contentsAndPageNumbers()
{
    const EvidenceExportResult result = exportTo(QStringLiteral("contents"));
    QVERIFY2(result.ok, qPrintable(result.error));
    const QString text = pdfText(result.folder + QStringLiteral("/evidence.pdf"));
    if (text.isEmpty())
        QSKIP("pdftotext (poppler-utils) is not installed");
    const QStringList pages = text.split(QLatin1Char('\f'), Qt::SkipEmptyParts);
    QVERIFY(pages.size() >= 8);
    QVERIFY(pages.at(0).contains(QStringLiteral("Evidence report")));
    QVERIFY(pages.at(0).contains(QStringLiteral("Generated by")));
    QVERIFY(pages.at(0).contains(QStringLiteral("auditor")));
    QVERIFY(pages.at(1).contains(QStringLiteral("Contents")));
    for (const QString &section : {QStringLiteral("Inputs"), QStringLiteral("Summary"), QStringLiteral("Delegation graph"),
                                   QStringLiteral("Delegation chains"), QStringLiteral("Findings"), QStringLiteral("Policy and simulation"),
                                   QStringLiteral("Review log")})
        QVERIFY2(pages.at(1).contains(section), qPrintable(section));
    // Every page after the cover says which page of how many it is, and the contents point at the right page.
    for (qsizetype i = 1; i < pages.size(); ++i)
        QVERIFY2(pages.at(i).contains(QStringLiteral("Page %1 of %2").arg(i + 1).arg(pages.size())), qPrintable(QString::number(i + 1)));
    const QRegularExpression reviewEntry(QStringLiteral("Review log\\s*\\.*\\s*(\\d+)"));
    const QRegularExpressionMatch match = reviewEntry.match(pages.at(1));
    QVERIFY(match.hasMatch());
    const int reviewPage = match.captured(1).toInt();
    QVERIFY(reviewPage > 2 && reviewPage <= pages.size());
    QVERIFY(pages.at(reviewPage - 1).contains(QStringLiteral("Review log")));
    QVERIFY(pages.at(reviewPage - 1).contains(QStringLiteral("Hash chain")));
}

void EvidenceReportTest::tablesRepeatTheirHeaderOnEveryPage()
{
    EvidenceReport report = syntheticReport();
    for (int i = 1; i <= 150; ++i) {
        ReviewRecord record;
        record.id = i;
        record.subjectKind = ReviewSubjectKind::Chain;
        record.subject = QStringLiteral("chain-subject-%1").arg(i, 3, 10, QLatin1Char('0'));
        record.comment = QStringLiteral("Checked hop %1 against the declared intent of the originating human.").arg(i);
        record.reviewer = QStringLiteral("ana");
        record.createdAt = QStringLiteral("2026-03-02T09:30:00.000Z");
        record.recordHash = QByteArray(64, 'a');
        report.reviewsInScope.push_back(record);
    }
    report.reviewVerification.recordCount = 150;
    const QString pdf = m_dir.filePath(QStringLiteral("long-table.pdf"));
    QString error;
    QVERIFY2(EvidencePdfWriter::write(report, pdf, {}, &error), qPrintable(error));
    const QString text = pdfText(pdf);
    if (text.isEmpty())
        QSKIP("pdftotext (poppler-utils) is not installed");
    int pagesWithRows = 0;
    int rowsSeen = 0;
    for (const QString &page : text.split(QLatin1Char('\f'))) {
        const int rows = static_cast<int>(page.count(QStringLiteral("Checked hop ")));
        if (rows == 0)
            continue;
        ++pagesWithRows;
        rowsSeen += rows;
        QVERIFY2(page.contains(QStringLiteral("Record hash")) && page.contains(QStringLiteral("Reviewer")), qPrintable(page.left(400)));
    }
    QVERIFY2(pagesWithRows >= 3, qPrintable(QString::number(pagesWithRows)));
    QCOMPARE(rowsSeen, 150); // no row lost at a page break
}

void EvidenceReportTest::longExcerptsWrapAndSayWhatIsLeftOut()
{
    EvidenceReport report = syntheticReport();
    Finding finding;
    finding.id = 1;
    finding.rule = QStringLiteral("shadow-agent");
    finding.subject = QStringLiteral("bot");
    finding.severity = FindingSeverity::High;
    finding.title = QStringLiteral("Agent bot is not in the inventory");
    finding.evidence = {7, 8, 9, 10, 11};
    report.findings = {finding};
    report.evidenceEventsPerFinding = 1;
    QByteArray excerpt;
    for (int i = 0; excerpt.size() < 1200; ++i)
        excerpt += QByteArray::number(i % 10) + "abcdefghij";
    excerpt.truncate(1200);
    EvidenceEvent event;
    event.id = 7;
    event.protocol = QStringLiteral("otlp");
    event.kind = QStringLiteral("invoke_agent");
    event.sourceFile = QStringLiteral("traces.jsonl");
    event.line = 42;
    event.excerpt = excerpt;
    event.rawLength = 5000;
    report.events.insert(7, event);
    const QString pdf = m_dir.filePath(QStringLiteral("excerpt.pdf"));
    QString error;
    QVERIFY2(EvidencePdfWriter::write(report, pdf, {}, &error), qPrintable(error));
    const QString text = pdfText(pdf);
    if (text.isEmpty())
        QSKIP("pdftotext (poppler-utils) is not installed");
    QString joined = text;
    joined.remove(QChar(0x21aa)); // the wrap marks
    joined.remove(QRegularExpression(QStringLiteral("\\s")));
    QVERIFY2(joined.contains(QString::fromLatin1(excerpt)), "every byte of the excerpt is on the page, in order");
    QVERIFY(text.contains(QStringLiteral("First 1200 of 5000 bytes shown")));
    QVERIFY(text.contains(QStringLiteral("4 more evidence events not printed here: 8, 9, 10, 11")));
}

void EvidenceReportTest::signedBundleVerifies()
{
    const EvidenceExportResult result = exportTo(QStringLiteral("signed"), QStringLiteral("all"), QStringLiteral("p256.pem"));
    QVERIFY2(result.ok, qPrintable(result.error));
    QCOMPARE(result.files.size(), 6);
    QVERIFY(!result.signerFingerprint.isEmpty());
    const BundleVerification good = verifyEvidenceBundle(result.folder, fixture(QStringLiteral("p256.pub.pem")));
    QVERIFY(good.ok());
    QCOMPARE(good.signature, BundleVerification::Signature::Valid);
    QCOMPARE(good.signerFingerprint, result.signerFingerprint);
    QVERIFY(!verifyEvidenceBundle(result.folder, fixture(QStringLiteral("ed25519.pub.pem"))).ok());

    // The PDF is part of what is sealed: one byte in it is caught and named.
    QFile pdf(result.folder + QStringLiteral("/evidence.pdf"));
    QVERIFY(pdf.open(QIODevice::ReadWrite));
    pdf.seek(pdf.size() / 2);
    char byte = 0;
    QVERIFY(pdf.getChar(&byte));
    pdf.seek(pdf.size() / 2);
    pdf.putChar(static_cast<char>(byte ^ 0x20));
    pdf.close();
    const BundleVerification changed = verifyEvidenceBundle(result.folder, fixture(QStringLiteral("p256.pub.pem")));
    QVERIFY(!changed.ok());
    QCOMPARE(changed.problems.constFirst().file, QStringLiteral("evidence.pdf"));

    // A key that cannot sign stops the export before anything is written.
    const EvidenceExportResult refused = exportTo(QStringLiteral("refused"), QStringLiteral("all"), QStringLiteral("rsa.pem"));
    QVERIFY(!refused.ok);
    QVERIFY2(refused.error.contains(QStringLiteral("Ed25519 or ECDSA P-256")), qPrintable(refused.error));
    QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("refused/evidence.pdf"))));
}

void EvidenceReportTest::scopeNarrowsTheReport()
{
    const EvidenceExportResult identity = exportTo(QStringLiteral("identity-scope"), QStringLiteral("identity"));
    QVERIFY2(identity.ok, qPrintable(identity.error));
    QCOMPARE(identity.chains, 0);
    QCOMPARE(identity.findings, 1); // the shadow agent is about an identity, not one chain
    const EvidenceExportResult chains = exportTo(QStringLiteral("chain-scope"), QStringLiteral("chain"));
    QVERIFY2(chains.ok, qPrintable(chains.error));
    QCOMPARE(chains.findings, 0);
    const EvidenceExportResult unknown = exportTo(QStringLiteral("unknown-scope"), QStringLiteral("chain:no-such-trace"));
    QVERIFY(!unknown.ok);
    QVERIFY2(unknown.error.contains(QStringLiteral("no chain with that key")), qPrintable(unknown.error));
    QString error;
    QVERIFY(!EvidenceScope::parse(QStringLiteral("everything"), &error));
    QVERIFY(error.contains(QStringLiteral("chain:KEY")));
}

void EvidenceReportTest::pagesRender()
{
    const QString tool = QStandardPaths::findExecutable(QStringLiteral("pdftoppm"));
    if (tool.isEmpty())
        QSKIP("pdftoppm (poppler-utils) is not installed");
    const EvidenceExportResult result = exportTo(QStringLiteral("render"));
    QVERIFY2(result.ok, qPrintable(result.error));
    QProcess process;
    process.start(tool, {QStringLiteral("-r"), QStringLiteral("30"), QStringLiteral("-png"), result.folder + QStringLiteral("/evidence.pdf"),
                         result.folder + QStringLiteral("/page")});
    QVERIFY(process.waitForFinished(60000));
    QCOMPARE(process.exitCode(), 0);
    QVERIFY2(process.readAllStandardError().isEmpty(), "poppler reads the PDF without complaint");
    QVERIFY(!QDir(result.folder).entryList({QStringLiteral("page-*.png")}).isEmpty());
}

void EvidenceReportTest::cancelLeavesNoReport()
{
    EvidenceExportRequest request;
    request.workspacePath = m_workspace;
    request.pdfPath = m_dir.filePath(QStringLiteral("cancelled/evidence.pdf"));
    const std::atomic_bool cancel{true};
    const EvidenceExportResult result = EvidenceExporter::run(request, {}, &cancel);
    QVERIFY(!result.ok);
    QCOMPARE(result.error, QStringLiteral("cancelled"));
    QVERIFY(!QFile::exists(request.pdfPath));
}

void EvidenceReportTest::exportRunsOffTheGuiThread()
{
    // As File → Export evidence… runs it: the PDF, the graph scene and the bundle all on a worker thread.
    EvidenceExportRequest request;
    request.workspacePath = m_workspace;
    request.pdfPath = m_dir.filePath(QStringLiteral("worker/evidence.pdf"));
    std::atomic_int lastPercent{-1};
    const EvidenceExportResult result = QtConcurrent::run([&request, &lastPercent] {
        return EvidenceExporter::run(request, [&lastPercent](int percent, const QString &) { lastPercent = percent; });
    }).result();
    QVERIFY2(result.ok, qPrintable(result.error));
    QCOMPARE(lastPercent.load(), 100);
    QVERIFY(verifyEvidenceBundle(result.folder, std::nullopt).ok());
}

QTEST_MAIN(EvidenceReportTest)
#include "tst_evidencereport.moc"

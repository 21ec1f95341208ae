#include "ReviewDialog.h"
#include "ReviewLog.h"
#include "ReviewLogModel.h"
#include "ReviewPanel.h"
#include "Workspace.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace chainsight;

class ReviewPanelTest final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void panelShowsLogCoverageAndVerification();
    void dialogRefusesIncompleteReviews();
};

void ReviewPanelTest::panelShowsLogCoverageAndVerification()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("panel.chainsight"));
    QString error;
    {
        auto workspace = Workspace::open(path, Workspace::OpenMode::CreateIfMissing, &error);
        QVERIFY2(workspace, qPrintable(error));
        ReviewDraft draft;
        draft.subjectKind = ReviewSubjectKind::Finding;
        draft.subject = QStringLiteral("shadow-agent:bot");
        draft.status = ReviewStatus::FalsePositive;
        draft.comment = QStringLiteral("A test harness, known");
        draft.reviewer = QStringLiteral("ana");
        QVERIFY2(ReviewLog::append(*workspace, draft, &error), qPrintable(error));
    }
    Finding shadow;
    shadow.rule = QStringLiteral("shadow-agent");
    shadow.subject = QStringLiteral("bot");
    shadow.severity = FindingSeverity::High;
    Finding drift = shadow;
    drift.rule = QStringLiteral("intent-drift");
    drift.severity = FindingSeverity::Critical;

    ReviewPanel panel;
    QAbstractItemModelTester tester(panel.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy loaded(&panel, &ReviewPanel::loaded);
    panel.setWorkspace(path, {shadow, drift});
    QVERIFY(loaded.wait(20000));
    QCOMPARE(panel.model()->rowCount(), 1);
    QVERIFY2(panel.verificationText().contains(QStringLiteral("intact")), qPrintable(panel.verificationText()));
    const QString coverage = panel.coverageText();
    QVERIFY2(coverage.contains(QStringLiteral("Findings: 1 of 2 reviewed (1 false positive)")), qPrintable(coverage));
    QVERIFY2(coverage.contains(QStringLiteral("not reviewed (1): intent-drift:bot")), qPrintable(coverage));
}

void ReviewPanelTest::dialogRefusesIncompleteReviews()
{
    ReviewDialog dialog;
    dialog.setSubject(ReviewSubjectKind::Chain, QStringLiteral("trace-1"));
    dialog.show();
    dialog.accept(); // no comment yet
    QVERIFY(dialog.isVisible());
    QCOMPARE(dialog.result(), int(QDialog::Rejected));
    dialog.commentEdit()->setPlainText(QStringLiteral("Checked every hop"));
    dialog.statusBox()->setCurrentIndex(dialog.statusBox()->findData(static_cast<int>(ReviewStatus::NeedsRemediation)));
    dialog.accept(); // no owner
    QVERIFY(dialog.isVisible());
    dialog.statusBox()->setCurrentIndex(dialog.statusBox()->findData(static_cast<int>(ReviewStatus::Approved)));
    dialog.accept();
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
    const ReviewDraft draft = dialog.draft();
    QCOMPARE(draft.subject, QStringLiteral("trace-1"));
    QCOMPARE(draft.status, ReviewStatus::Approved);
    QVERIFY(!draft.reviewer.isEmpty()); // the OS user by default
}

QTEST_MAIN(ReviewPanelTest)
#include "tst_reviewpanel.moc"

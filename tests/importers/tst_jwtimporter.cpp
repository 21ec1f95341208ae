#include "ImportRunner.h"
#include "SqliteDatabase.h"
#include "Workspace.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

using namespace chainsight;

namespace {

QSet<QString> values(Workspace &workspace, const char *sql)
{
    QSet<QString> result;
    SqliteStatement statement(workspace.database(), sql);
    while (statement.step())
        result.insert(statement.text(0));
    return result;
}

QSet<QString> truthSubjects(const QString &world, const QString &rule)
{
    QFile file(world + QStringLiteral("/truth.json"));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QSet<QString> subjects;
    for (const auto &anomaly : QJsonDocument::fromJson(file.readAll()).object().value(QStringLiteral("anomalies")).toArray()) {
        if (anomaly.toObject().value(QStringLiteral("rule")).toString() == rule)
            subjects.insert(anomaly.toObject().value(QStringLiteral("subject")).toString());
    }
    return subjects;
}

} // namespace

class TestJwtImporter : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        const QString generator = QStringLiteral(CHAINSIGHT_SHARED_DIR "/bench/gen_enterprise.py");
        if (!QFile::exists(generator))
            QSKIP("the shared generator is not present");
        m_world = m_dir.filePath(QStringLiteral("world"));
        if (QProcess::execute(QStringLiteral("python3"), {generator, QStringLiteral("--out"), m_world, QStringLiteral("--agents"),
                                                          QStringLiteral("40"), QStringLiteral("--events"), QStringLiteral("3000"),
                                                          QStringLiteral("--formats"), QStringLiteral("tokens"),
                                                          QStringLiteral("--anomaly-rate"), QStringLiteral("0.1")})
            != 0)
            QSKIP("python3 could not run the generator");
    }

    void verifiesSignaturesAndFindsTheTamperedTokens()
    {
        QString error;
        auto workspace = Workspace::open(m_dir.filePath(QStringLiteral("verified.chainsight")), Workspace::OpenMode::CreateIfMissing, &error);
        QVERIFY(workspace);
        ImportOptions options;
        options.jwksPath = m_world + QStringLiteral("/jwks.json");
        const std::atomic_bool notCancelled{false};
        const ImportResult result = ImportRunner::run(*workspace, {m_world + QStringLiteral("/inventory.json"), m_world + QStringLiteral("/tokens.jsonl")},
                                                      options, {}, notCancelled);
        QCOMPARE(result.status, ImportResult::Status::Committed);
        QCOMPARE(result.files[1].format, QStringLiteral("jwt-captures"));
        QCOMPARE(result.errorCount(), 0);
        QVERIFY(result.files[1].records > 50);

        // Exactly the tokens the generator tampered with (or signed with alg none) fail verification.
        const QSet<QString> unverified = values(*workspace, "SELECT token_id FROM events WHERE protocol = 'oauth' AND outcome <> 'Verified'");
        QCOMPARE(unverified, truthSubjects(m_world, QStringLiteral("unverified-token")));
        // Actors resolve through client ids and SPIFFE IDs; only the shadow agent stays unknown.
        QSet<QString> shadows = values(*workspace, "SELECT external_id FROM identities WHERE kind = 'shadow'");
        QVERIFY(shadows.subtract(truthSubjects(m_world, QStringLiteral("shadow-agent"))).isEmpty());
        // Nested act claims become delegation edges.
        QVERIFY(!values(*workspace, "SELECT id FROM delegation_edges WHERE protocol = 'oauth'").isEmpty());
    }

    void withoutKeysNothingIsClaimedVerified()
    {
        QString error;
        auto workspace = Workspace::open(m_dir.filePath(QStringLiteral("unchecked.chainsight")), Workspace::OpenMode::CreateIfMissing, &error);
        const std::atomic_bool notCancelled{false};
        const ImportResult result = ImportRunner::run(*workspace, {m_world + QStringLiteral("/tokens.jsonl")}, {}, {}, notCancelled);
        QCOMPARE(result.status, ImportResult::Status::Committed);
        QCOMPARE(result.files[0].warningCount(), 1);
        QCOMPARE(values(*workspace, "SELECT DISTINCT outcome FROM events"), QSet<QString>{QStringLiteral("not-checked")});
    }

    void badLinesAreNamed()
    {
        const QString path = m_dir.filePath(QStringLiteral("bad-tokens.jsonl"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        QFile source(m_world + QStringLiteral("/tokens.jsonl"));
        QVERIFY(source.open(QIODevice::ReadOnly));
        file.write(source.readLine());
        file.write("{\"time\": \"2026-03-02T08:00:00Z\", \"token\": 42}\n");
        file.write("{\"token\": \"eyJhbGciOiJIUzI1NiJ9.!!!.sig\"}\n");
        file.write("not json at all\n");
        const QByteArray good = source.readLine();
        file.write(good);
        // The same key twice would let a capture say two things; a cut-off line is not a capture.
        const QByteArray token = QJsonDocument::fromJson(good).object().value(QStringLiteral("token")).toString().toLatin1();
        file.write("{\"token\": \"" + token + "\", \"token\": \"" + token + "\"}\n");
        file.write(good.left(good.size() / 2) + '\n');
        file.close();
        QString error;
        auto workspace = Workspace::open(m_dir.filePath(QStringLiteral("bad.chainsight")), Workspace::OpenMode::CreateIfMissing, &error);
        const std::atomic_bool notCancelled{false};
        ImportOptions options;
        options.jwksPath = m_world + QStringLiteral("/jwks.json");
        const ImportResult result = ImportRunner::run(*workspace, {path}, options, {}, notCancelled);
        QCOMPARE(result.status, ImportResult::Status::Committed);
        QCOMPARE(result.files[0].records, 2);
        QList<qint64> lines;
        QStringList messages;
        for (const Diagnostic &diagnostic : result.files[0].diagnostics) {
            lines.push_back(diagnostic.position.line);
            messages.push_back(diagnostic.message);
        }
        QCOMPARE(lines, (QList<qint64>{2, 3, 4, 6, 7}));
        QCOMPARE(messages[0], QStringLiteral("capture skipped: no \"token\" string"));
        QCOMPARE(messages[2], QStringLiteral("capture skipped: not a JSON object or a compact JWS"));
        QCOMPARE(messages[3], QStringLiteral("capture skipped: \"token\" appears twice"));
        QCOMPARE(messages[4], QStringLiteral("capture skipped: not a JSON object or a compact JWS"));
    }

    // A genuine token used after it expired or before it was issued, and a DPoP proof presented twice: the
    // signature still verifies, and each problem is recorded with the capture for the audit.
    void timeAndReplayProblemsAreFlagged()
    {
        QFile source(m_world + QStringLiteral("/tokens.jsonl"));
        QVERIFY(source.open(QIODevice::ReadOnly));
        QJsonObject capture;
        while (!source.atEnd()) {
            const QJsonObject line = QJsonDocument::fromJson(source.readLine()).object();
            if (line.contains(QStringLiteral("dpop"))) {
                capture = line;
                break;
            }
        }
        QVERIFY2(!capture.isEmpty(), "the generated captures carry no DPoP proof");
        const QByteArray payload = capture.value(QStringLiteral("token")).toString().section(QLatin1Char('.'), 1, 1).toLatin1();
        const QJsonObject claims = QJsonDocument::fromJson(
            QByteArray::fromBase64(payload, QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals)).object();
        const auto at = [&](qint64 seconds) -> QByteArray {
            QJsonObject moved = capture;
            moved.insert(QStringLiteral("time"), QDateTime::fromSecsSinceEpoch(seconds, Qt::UTC).toString(Qt::ISODate));
            return QJsonDocument(moved).toJson(QJsonDocument::Compact) + '\n';
        };
        const QString path = m_dir.filePath(QStringLiteral("time-and-replay.jsonl"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QJsonDocument(capture).toJson(QJsonDocument::Compact) + '\n');
        file.write(QJsonDocument(capture).toJson(QJsonDocument::Compact) + '\n'); // the same proof again
        file.write(at(claims.value(QStringLiteral("exp")).toInteger() + 3600));
        file.write(at(claims.value(QStringLiteral("iat")).toInteger() - 3600));
        file.close();

        QString error;
        auto workspace = Workspace::open(m_dir.filePath(QStringLiteral("flags.chainsight")), Workspace::OpenMode::CreateIfMissing, &error);
        ImportOptions options;
        options.jwksPath = m_world + QStringLiteral("/jwks.json");
        const std::atomic_bool notCancelled{false};
        const ImportResult result = ImportRunner::run(*workspace, {path}, options, {}, notCancelled);
        QCOMPARE(result.status, ImportResult::Status::Committed);
        QCOMPARE(result.files[0].records, 4);
        QList<QJsonObject> verdicts;
        SqliteStatement rows(workspace->database(), "SELECT outcome, attributes FROM events ORDER BY line");
        while (rows.step()) {
            QCOMPARE(rows.text(0), QStringLiteral("Verified"));
            verdicts.push_back(QJsonDocument::fromJson(rows.text(1).toUtf8()).object());
        }
        QCOMPARE(verdicts.size(), 4);
        const auto flag = [&](int row, const char *name) { return verdicts[row].value(QLatin1String(name)); };
        QCOMPARE(flag(0, "dpop").toString(), QStringLiteral("Valid"));
        QCOMPARE(flag(0, "expired").toBool(), false);
        QCOMPARE(flag(1, "dpop").toString(), QStringLiteral("Replayed"));
        QCOMPARE(flag(2, "expired").toBool(), true);
        QCOMPARE(flag(3, "issued_in_future").toBool(), true);
        QCOMPARE(flag(3, "expired").toBool(), false);
    }

private:
    QTemporaryDir m_dir;
    QString m_world;
};

QTEST_GUILESS_MAIN(TestJwtImporter)
#include "tst_jwtimporter.moc"

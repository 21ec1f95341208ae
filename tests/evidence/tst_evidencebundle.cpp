#include "EvidenceBundle.h"
#include "EvidenceSignature.h"
#include "UntrustedText.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include "Sha256.h"

using namespace chainsight;

namespace {

QByteArray readFixture(const QString &name)
{
    QFile file(QStringLiteral(CHAINSIGHT_TEST_DATA_DIR "/evidence/") + name);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(bytes) == bytes.size();
}

// The files a report writes, with evidence.json naming the others and their hashes as the exporter does.
const QStringList bundleFiles = {QStringLiteral("evidence.json"), QStringLiteral("findings.csv"),
                                 QStringLiteral("simulation.csv"), QStringLiteral("evidence.pdf")};

bool writeBundle(const QString &folder, const std::optional<QByteArray> &key)
{
    const QDir dir(folder);
    const QByteArray findings = "id,severity,rule\r\n1,high,shadow-agent\r\n2,critical,\"=cmd|' /C calc'!A0\"\r\n";
    const QByteArray simulation = "run,event,decision\r\n1,42,deny\r\n";
    const QByteArray pdf = "%PDF-1.4\n% not a real report, but bytes all the same\n%%EOF\n";
    if (!writeFile(dir.filePath(QStringLiteral("findings.csv")), findings)
        || !writeFile(dir.filePath(QStringLiteral("simulation.csv")), simulation)
        || !writeFile(dir.filePath(QStringLiteral("evidence.pdf")), pdf))
        return false;
    QJsonArray files;
    for (const auto &[name, bytes] : {std::pair{QStringLiteral("findings.csv"), findings}, std::pair{QStringLiteral("simulation.csv"), simulation},
                                      std::pair{QStringLiteral("evidence.pdf"), pdf}})
        files.append(QJsonObject{{QStringLiteral("name"), name}, {QStringLiteral("sha256"), QString::fromLatin1(sha256Hex(bytes))}});
    const QJsonObject json{{QStringLiteral("chainsight_evidence"), 1},
                           {QStringLiteral("bundle"), QJsonObject{{QStringLiteral("files"), files}}}};
    if (!writeFile(dir.filePath(QStringLiteral("evidence.json")), QJsonDocument(json).toJson()))
        return false;
    QString error;
    return sealEvidenceBundle(folder, bundleFiles, key, &error).has_value();
}

QString problemsText(const BundleVerification &verification)
{
    QStringList lines;
    for (const BundleProblem &problem : verification.problems)
        lines.push_back(problem.message);
    return lines.join(QLatin1Char('\n'));
}

} // namespace

class EvidenceBundleTest final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void untrustedTextPrintsAsText_data();
    void untrustedTextPrintsAsText();
    void rawBytesShowInvalidUtf8();
    void csvFieldsCannotRunFormulas_data();
    void csvFieldsCannotRunFormulas();
    void manifestRoundTrips();
    void malformedManifestIsRefused_data();
    void malformedManifestIsRefused();
    void signaturesVerify_data();
    void signaturesVerify();
    void signingRefusesOtherKeys_data();
    void signingRefusesOtherKeys();
    void intactBundleVerifies();
    void oneByteChangeInAnyFileIsNamed_data();
    void oneByteChangeInAnyFileIsNamed();
    void wrongPublicKeyFails();
    void missingPiecesFailClosed();

private:
    QTemporaryDir m_dir;
};

void EvidenceBundleTest::untrustedTextPrintsAsText_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("shown");
    QTest::newRow("markup stays as written") << QStringLiteral("<script>alert('x')</script><b>bold</b>")
                                             << QStringLiteral("<script>alert('x')</script><b>bold</b>");
    QTest::newRow("nul") << QStringLiteral("before") + QChar(0) + QStringLiteral("after") << QStringLiteral("before\\u0000after");
    QTest::newRow("escape sequence") << QStringLiteral("\x1b[31mred") << QStringLiteral("\\u001b[31mred");
    QTest::newRow("line breaks escaped") << QStringLiteral("a\r\nb") << QStringLiteral("a\\u000d\\u000ab");
    QTest::newRow("tab") << QStringLiteral("a\tb") << QStringLiteral("a    b");
    QTest::newRow("bidi override") << QStringLiteral("invoice") + QChar(0x202e) + QStringLiteral("fdp.exe")
                                   << QStringLiteral("invoice\\u202efdp.exe");
    QTest::newRow("zero width") << QStringLiteral("ad") + QChar(0x200b) + QStringLiteral("min") << QStringLiteral("ad\\u200bmin");
    QTest::newRow("c1 control") << QStringLiteral("x") + QChar(0x85) << QStringLiteral("x\\u0085");
    QTest::newRow("lone surrogate") << QStringLiteral("x") + QChar(0xd800) << QStringLiteral("x\\ud800");
    QTest::newRow("accents and emoji stay") << QStringLiteral("Zoë 🙂 漢字") << QStringLiteral("Zoë 🙂 漢字");
}

void EvidenceBundleTest::untrustedTextPrintsAsText()
{
    QFETCH(QString, input);
    QFETCH(QString, shown);
    QCOMPARE(visibleText(input), shown);
}

void EvidenceBundleTest::rawBytesShowInvalidUtf8()
{
    QCOMPARE(visibleBytes(QByteArray("{\"a\":\"\xff\xfe\"}\n", 11)), QStringLiteral("{\"a\":\"\\xff\\xfe\"}\n"));
    QCOMPARE(visibleBytes(QByteArray("\xc0\xaf")), QStringLiteral("\\xc0\\xaf")); // overlong '/'
    QCOMPARE(visibleBytes(QByteArray("ok\r\nnext\x00" "end", 12)), QStringLiteral("ok\nnext\\u0000end"));
    QCOMPARE(visibleBytes(QByteArray("Zo\xc3\xab \xe6\xbc\xa2")), QStringLiteral("Zoë 漢"));
    QCOMPARE(visibleBytes(QByteArray("cut \xe6\xbc")), QStringLiteral("cut \\xe6\\xbc"));
}

void EvidenceBundleTest::csvFieldsCannotRunFormulas_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("field");
    QTest::newRow("plain") << QStringLiteral("shadow-agent") << QStringLiteral("shadow-agent");
    QTest::newRow("comma") << QStringLiteral("a,b") << QStringLiteral("\"a,b\"");
    QTest::newRow("quote") << QStringLiteral("say \"hi\"") << QStringLiteral("\"say \"\"hi\"\"\"");
    QTest::newRow("formula") << QStringLiteral("=HYPERLINK(\"x\")") << QStringLiteral("\"'=HYPERLINK(\"\"x\"\")\"");
    QTest::newRow("plus") << QStringLiteral("+1") << QStringLiteral("'+1");
    QTest::newRow("at") << QStringLiteral("@SUM(A1)") << QStringLiteral("'@SUM(A1)");
    QTest::newRow("line break") << QStringLiteral("a\nb") << QStringLiteral("\"a\nb\"");
}

void EvidenceBundleTest::csvFieldsCannotRunFormulas()
{
    QFETCH(QString, input);
    QFETCH(QString, field);
    QCOMPARE(csvField(input), field);
}

void EvidenceBundleTest::manifestRoundTrips()
{
    const QList<ManifestEntry> entries = {{QByteArray(64, 'b'), QStringLiteral("findings.csv")},
                                          {QByteArray(64, 'a'), QStringLiteral("evidence.json")}};
    const QByteArray text = formatManifest(entries);
    QCOMPARE(text, QByteArray(64, 'a') + "  evidence.json\n" + QByteArray(64, 'b') + "  findings.csv\n");
    QString error;
    const auto parsed = parseManifest(text, &error);
    QVERIFY2(parsed, qPrintable(error));
    QCOMPARE(parsed->size(), 2);
    QCOMPARE(parsed->at(0).fileName, QStringLiteral("evidence.json"));
    QCOMPARE(parsed->at(1).sha256, QByteArray(64, 'b'));
}

void EvidenceBundleTest::malformedManifestIsRefused_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("message");
    const QByteArray hex(64, 'a');
    QTest::newRow("empty") << QByteArray() << QStringLiteral("evidence.sha256:1: the manifest is empty");
    QTest::newRow("no final line break") << hex + "  a.csv" << QStringLiteral("evidence.sha256:1: the last line");
    QTest::newRow("one space") << hex + " a.csv\n" << QStringLiteral("evidence.sha256:1: expected");
    QTest::newRow("uppercase hex") << QByteArray(64, 'A') + "  a.csv\n" << QStringLiteral("evidence.sha256:1: the digest");
    QTest::newRow("short digest") << QByteArray(63, 'a') + "   a.csv\n" << QStringLiteral("evidence.sha256:1: the digest");
    QTest::newRow("path") << hex + "  ../etc/passwd\n" << QStringLiteral("not a plain file name");
    QTest::newRow("twice") << hex + "  a.csv\n" + hex + "  a.csv\n" << QStringLiteral("evidence.sha256:2: a.csv is listed twice");
    QTest::newRow("blank line") << hex + "  a.csv\n\n" << QStringLiteral("evidence.sha256:2: expected");
}

void EvidenceBundleTest::malformedManifestIsRefused()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, message);
    QString error;
    QVERIFY(!parseManifest(text, &error));
    QVERIFY2(error.contains(message), qPrintable(error));
}

void EvidenceBundleTest::signaturesVerify_data()
{
    QTest::addColumn<QString>("privateKey");
    QTest::addColumn<QString>("publicKey");
    QTest::addColumn<QString>("algorithm");
    QTest::newRow("Ed25519") << QStringLiteral("ed25519.pem") << QStringLiteral("ed25519.pub.pem") << QStringLiteral("Ed25519");
    QTest::newRow("ECDSA P-256") << QStringLiteral("p256.pem") << QStringLiteral("p256.pub.pem") << QStringLiteral("ECDSA P-256 SHA-256");
}

void EvidenceBundleTest::signaturesVerify()
{
    QFETCH(QString, privateKey);
    QFETCH(QString, publicKey);
    QFETCH(QString, algorithm);
    const QByteArray data = "aaaa  evidence.json\n";
    QString error;
    const auto signature = signEvidence(readFixture(privateKey), data, &error);
    QVERIFY2(signature, qPrintable(error));
    QCOMPARE(signature->algorithm, algorithm);
    const auto key = readEvidencePublicKey(readFixture(publicKey), &error);
    QVERIFY2(key, qPrintable(error));
    QCOMPARE(key->fingerprint, signature->fingerprint);
    QVERIFY2(verifyEvidenceSignature(readFixture(publicKey), data, signature->signature, &error), qPrintable(error));
    QByteArray changed = data;
    changed[0] = 'b';
    QVERIFY(!verifyEvidenceSignature(readFixture(publicKey), changed, signature->signature, &error));
    QVERIFY(!verifyEvidenceSignature(readFixture(QStringLiteral("other-ed25519.pub.pem")), data, signature->signature, &error));
}

void EvidenceBundleTest::signingRefusesOtherKeys_data()
{
    QTest::addColumn<QByteArray>("key");
    QTest::addColumn<QString>("message");
    QTest::newRow("P-384") << readFixture(QStringLiteral("p384.pem")) << QStringLiteral("secp384r1");
    QTest::newRow("RSA") << readFixture(QStringLiteral("rsa.pem")) << QStringLiteral("RSA");
    QTest::newRow("encrypted") << readFixture(QStringLiteral("encrypted.pem")) << QStringLiteral("encrypted");
    QTest::newRow("public key") << readFixture(QStringLiteral("ed25519.pub.pem")) << QStringLiteral("not a PEM private key");
    QTest::newRow("garbage") << QByteArray("hello") << QStringLiteral("not a PEM private key");
}

void EvidenceBundleTest::signingRefusesOtherKeys()
{
    QFETCH(QByteArray, key);
    QFETCH(QString, message);
    QString error;
    QVERIFY(!signEvidence(key, "data", &error));
    QVERIFY2(error.contains(message), qPrintable(error));
}

void EvidenceBundleTest::intactBundleVerifies()
{
    const QString folder = m_dir.filePath(QStringLiteral("intact"));
    QVERIFY(QDir().mkpath(folder));
    QVERIFY(writeBundle(folder, readFixture(QStringLiteral("ed25519.pem"))));
    QVERIFY(writeFile(folder + QStringLiteral("/notes.txt"), "not part of the bundle"));

    const auto unchecked = verifyEvidenceBundle(folder, std::nullopt);
    QVERIFY2(unchecked.ok(), qPrintable(problemsText(unchecked)));
    QCOMPARE(unchecked.signature, BundleVerification::Signature::NotChecked);
    QCOMPARE(unchecked.entries.size(), 4);
    QCOMPARE(unchecked.unlistedFiles, QStringList{QStringLiteral("notes.txt")});

    const auto checked = verifyEvidenceBundle(folder, readFixture(QStringLiteral("ed25519.pub.pem")));
    QVERIFY2(checked.ok(), qPrintable(problemsText(checked)));
    QCOMPARE(checked.signature, BundleVerification::Signature::Valid);

    // sha256sum reads the same manifest.
    QFile manifest(folder + QStringLiteral("/evidence.sha256"));
    QVERIFY(manifest.open(QIODevice::ReadOnly));
    const QByteArray text = manifest.readAll();
    QVERIFY(text.contains("  evidence.pdf\n"));
    QVERIFY(!text.contains("evidence.sig"));
}

void EvidenceBundleTest::oneByteChangeInAnyFileIsNamed_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<bool>("everyByte"); // small files: every position; others: first, middle and last
    for (const QString &file : bundleFiles)
        QTest::newRow(qPrintable(file)) << file << false;
    QTest::newRow("evidence.sha256") << QStringLiteral("evidence.sha256") << true;
    QTest::newRow("evidence.sig") << QStringLiteral("evidence.sig") << true;
}

void EvidenceBundleTest::oneByteChangeInAnyFileIsNamed()
{
    QFETCH(QString, file);
    QFETCH(bool, everyByte);
    const QString folder = m_dir.filePath(QStringLiteral("flip-") + file);
    QVERIFY(QDir().mkpath(folder));
    QVERIFY(writeBundle(folder, readFixture(QStringLiteral("p256.pem"))));
    const QByteArray publicKey = readFixture(QStringLiteral("p256.pub.pem"));
    const QString path = folder + QLatin1Char('/') + file;
    QFile original(path);
    QVERIFY(original.open(QIODevice::ReadOnly));
    const QByteArray bytes = original.readAll();
    original.close();
    QVERIFY(!bytes.isEmpty());

    QList<qsizetype> positions;
    if (everyByte) {
        for (qsizetype i = 0; i < bytes.size(); ++i)
            positions.push_back(i);
    } else {
        positions = {0, bytes.size() / 2, bytes.size() - 1};
    }
    for (const qsizetype position : positions) {
        QByteArray changed = bytes;
        changed[position] = static_cast<char>(changed.at(position) ^ 0x01);
        QVERIFY(writeFile(path, changed));
        const auto verification = verifyEvidenceBundle(folder, publicKey);
        QVERIFY2(!verification.ok(), qPrintable(QStringLiteral("byte %1 of %2 changed unnoticed").arg(position).arg(file)));
        // The message names the changed file (a changed manifest is named by the signature that no longer covers it).
        QVERIFY2(problemsText(verification).contains(file), qPrintable(problemsText(verification)));
    }
    QVERIFY(writeFile(path, bytes));
    QVERIFY(verifyEvidenceBundle(folder, publicKey).ok());
}

void EvidenceBundleTest::wrongPublicKeyFails()
{
    const QString folder = m_dir.filePath(QStringLiteral("wrong-key"));
    QVERIFY(QDir().mkpath(folder));
    QVERIFY(writeBundle(folder, readFixture(QStringLiteral("ed25519.pem"))));
    for (const QString &key : {QStringLiteral("other-ed25519.pub.pem"), QStringLiteral("p256.pub.pem")}) {
        const auto verification = verifyEvidenceBundle(folder, readFixture(key));
        QVERIFY(!verification.ok());
        QCOMPARE(verification.signature, BundleVerification::Signature::Invalid);
        QVERIFY2(problemsText(verification).contains(QStringLiteral("evidence.sig does not verify evidence.sha256")),
                 qPrintable(problemsText(verification)));
    }
    const auto privateKey = verifyEvidenceBundle(folder, readFixture(QStringLiteral("ed25519.pem")));
    QVERIFY(!privateKey.ok());
    QVERIFY2(problemsText(privateKey).contains(QStringLiteral("private key")), qPrintable(problemsText(privateKey)));
}

void EvidenceBundleTest::missingPiecesFailClosed()
{
    const QString folder = m_dir.filePath(QStringLiteral("missing"));
    QVERIFY(QDir().mkpath(folder));
    QVERIFY(writeBundle(folder, std::nullopt));
    QVERIFY(!QFile::exists(folder + QStringLiteral("/evidence.sig")));
    QVERIFY(verifyEvidenceBundle(folder, std::nullopt).ok());

    // A public key demands a signature.
    auto verification = verifyEvidenceBundle(folder, readFixture(QStringLiteral("ed25519.pub.pem")));
    QVERIFY(!verification.ok());
    QVERIFY(problemsText(verification).contains(QStringLiteral("evidence.sig is missing")));

    QVERIFY(QFile::remove(folder + QStringLiteral("/simulation.csv")));
    verification = verifyEvidenceBundle(folder, std::nullopt);
    QVERIFY(problemsText(verification).contains(QStringLiteral("simulation.csv is listed in evidence.sha256 but missing")));

    // A manifest rewritten without a file still disagrees with evidence.json.
    QFile manifest(folder + QStringLiteral("/evidence.sha256"));
    QVERIFY(manifest.open(QIODevice::ReadOnly));
    QByteArray text = manifest.readAll();
    manifest.close();
    QList<QByteArray> lines = text.split('\n');
    lines.removeIf([](const QByteArray &line) { return line.endsWith("simulation.csv"); });
    QVERIFY(writeFile(manifest.fileName(), lines.join('\n')));
    verification = verifyEvidenceBundle(folder, std::nullopt);
    QVERIFY2(problemsText(verification).contains(QStringLiteral("simulation.csv is named in evidence.json but not listed")),
             qPrintable(problemsText(verification)));

    QVERIFY(QFile::remove(manifest.fileName()));
    verification = verifyEvidenceBundle(folder, std::nullopt);
    QVERIFY(!verification.ok());
    QVERIFY(problemsText(verification).contains(QStringLiteral("evidence.sha256 is missing")));
    QVERIFY(!verifyEvidenceBundle(m_dir.filePath(QStringLiteral("no-such-folder")), std::nullopt).ok());
}

QTEST_GUILESS_MAIN(EvidenceBundleTest)
#include "tst_evidencebundle.moc"

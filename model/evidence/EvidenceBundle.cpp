#include "EvidenceBundle.h"

#include "EvidenceSignature.h"
#include "Sha256.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

#include <algorithm>

namespace chainsight {
namespace {

bool isPlainFileName(const QString &name)
{
    if (name.isEmpty() || name == QLatin1String(".") || name == QLatin1String(".."))
        return false;
    for (const QChar c : name) {
        if (c == QLatin1Char('/') || c == QLatin1Char('\\') || c.category() == QChar::Other_Control)
            return false;
    }
    return true;
}

bool isLowerHexDigest(QByteArrayView hex)
{
    if (hex.size() != 64)
        return false;
    return std::all_of(hex.begin(), hex.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool writeWhole(const QString &path, const QByteArray &bytes, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit()) {
        if (error)
            *error = QStringLiteral("%1: cannot write: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

std::optional<QByteArray> readWhole(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    return file.readAll();
}

} // namespace

QByteArray formatManifest(QList<ManifestEntry> entries)
{
    std::sort(entries.begin(), entries.end(), [](const ManifestEntry &a, const ManifestEntry &b) { return a.fileName < b.fileName; });
    QByteArray text;
    for (const ManifestEntry &entry : entries)
        text += entry.sha256 + "  " + entry.fileName.toUtf8() + '\n';
    return text;
}

std::optional<QList<ManifestEntry>> parseManifest(const QByteArray &text, QString *error)
{
    const auto fail = [error](int line, const QString &reason) {
        if (error)
            *error = QStringLiteral("%1:%2: %3").arg(EvidenceFileNames::manifest()).arg(line).arg(reason);
        return std::nullopt;
    };
    if (text.isEmpty())
        return fail(1, QStringLiteral("the manifest is empty"));
    if (!text.endsWith('\n'))
        return fail(static_cast<int>(text.count('\n')) + 1, QStringLiteral("the last line does not end with a line break"));
    QList<ManifestEntry> entries;
    QHash<QString, int> seen;
    const QList<QByteArray> lines = text.first(text.size() - 1).split('\n');
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const int lineNumber = static_cast<int>(i) + 1;
        const QByteArray &line = lines.at(i);
        if (line.size() < 67 || line.at(64) != ' ' || line.at(65) != ' ')
            return fail(lineNumber, QStringLiteral("expected \"<64 hex digits>  <file name>\""));
        const QByteArray hex = line.first(64);
        if (!isLowerHexDigest(hex))
            return fail(lineNumber, QStringLiteral("the digest is not 64 lowercase hex digits"));
        const QString name = QString::fromUtf8(line.mid(66));
        if (!isPlainFileName(name) || name.toUtf8() != line.mid(66))
            return fail(lineNumber, QStringLiteral("\"%1\" is not a plain file name inside the bundle").arg(name));
        if (seen.contains(name))
            return fail(lineNumber, QStringLiteral("%1 is listed twice (first on line %2)").arg(name).arg(seen.value(name)));
        seen.insert(name, lineNumber);
        entries.push_back({hex, name});
    }
    return entries;
}

std::optional<QByteArray> sealEvidenceBundle(const QString &folder, const QStringList &fileNames,
                                             const std::optional<QByteArray> &privateKeyPem, QString *error)
{
    const QDir dir(folder);
    QList<ManifestEntry> entries;
    for (const QString &name : fileNames) {
        const auto digest = sha256OfFile(dir.filePath(name), error);
        if (!digest)
            return std::nullopt;
        entries.push_back({digest->sha256Hex, name});
    }
    const QByteArray manifest = formatManifest(entries);
    if (!writeWhole(dir.filePath(EvidenceFileNames::manifest()), manifest, error))
        return std::nullopt;
    const QString signaturePath = dir.filePath(EvidenceFileNames::signature());
    if (!privateKeyPem) {
        // A signature left from an earlier export would not match this manifest.
        QFile::remove(signaturePath);
        return QByteArray();
    }
    const auto signature = signEvidence(*privateKeyPem, manifest, error);
    if (!signature)
        return std::nullopt;
    if (!writeWhole(signaturePath, signature->signature, error))
        return std::nullopt;
    return signature->fingerprint;
}

BundleVerification verifyEvidenceBundle(const QString &folder, const std::optional<QByteArray> &publicKeyPem)
{
    BundleVerification result;
    const QDir dir(folder);
    const QString manifestName = EvidenceFileNames::manifest();
    const auto problem = [&result](const QString &file, const QString &message) { result.problems.push_back({file, message}); };

    const auto manifest = readWhole(dir.filePath(manifestName));
    if (!manifest) {
        problem(manifestName, QStringLiteral("%1 is missing or unreadable: nothing in %2 can be checked").arg(manifestName, folder));
        return result;
    }
    QString error;
    const auto entries = parseManifest(*manifest, &error);
    if (!entries) {
        problem(manifestName, error);
        return result;
    }
    result.entries = *entries;

    QHash<QString, QByteArray> listed;
    for (const ManifestEntry &entry : *entries) {
        listed.insert(entry.fileName, entry.sha256);
        const QString path = dir.filePath(entry.fileName);
        if (!QFileInfo(path).isFile()) {
            problem(entry.fileName, QStringLiteral("%1 is listed in %2 but missing").arg(entry.fileName, manifestName));
            continue;
        }
        const auto digest = sha256OfFile(path, &error);
        if (!digest) {
            problem(entry.fileName, error);
        } else if (digest->sha256Hex != entry.sha256) {
            problem(entry.fileName, QStringLiteral("%1 does not match %2: expected SHA-256 %3, found %4")
                                        .arg(entry.fileName, manifestName, QString::fromLatin1(entry.sha256),
                                             QString::fromLatin1(digest->sha256Hex)));
        }
    }

    // evidence.json names every other file of the bundle with its hash: the two lists must agree.
    const QString jsonName = EvidenceFileNames::json();
    if (!listed.contains(jsonName)) {
        problem(jsonName, QStringLiteral("%1 is not listed in %2").arg(jsonName, manifestName));
    } else if (const auto json = readWhole(dir.filePath(jsonName))) {
        QJsonParseError parseError;
        const QJsonDocument document = QJsonDocument::fromJson(*json, &parseError);
        if (!document.isObject()) {
            problem(jsonName, QStringLiteral("%1 is not a JSON object: %2").arg(jsonName, parseError.errorString()));
        } else {
            const QJsonArray files = document.object().value(QStringLiteral("bundle")).toObject().value(QStringLiteral("files")).toArray();
            for (const QJsonValue &file : files) {
                const QString name = file[QStringLiteral("name")].toString();
                const QByteArray sha256 = file[QStringLiteral("sha256")].toString().toLatin1();
                if (!listed.contains(name))
                    problem(name, QStringLiteral("%1 is named in %2 but not listed in %3").arg(name, jsonName, manifestName));
                else if (listed.value(name) != sha256)
                    problem(name, QStringLiteral("%1: %2 and %3 give different SHA-256").arg(name, jsonName, manifestName));
            }
        }
    }

    const QString signatureName = EvidenceFileNames::signature();
    const auto signature = readWhole(dir.filePath(signatureName));
    if (!publicKeyPem) {
        result.signature = signature ? BundleVerification::Signature::NotChecked : BundleVerification::Signature::Absent;
    } else if (const auto key = readEvidencePublicKey(*publicKeyPem, &error); !key) {
        problem(QStringLiteral("--pubkey"), QStringLiteral("the public key: %1").arg(error));
        result.signature = BundleVerification::Signature::Invalid;
    } else {
        result.signatureAlgorithm = key->algorithm;
        result.signerFingerprint = key->fingerprint;
        if (!signature) {
            problem(signatureName, QStringLiteral("%1 is missing: the bundle is not signed, but a public key was given").arg(signatureName));
            result.signature = BundleVerification::Signature::Invalid;
        } else if (!verifyEvidenceSignature(*publicKeyPem, *manifest, *signature, &error)) {
            problem(signatureName, QStringLiteral("%1 does not verify %2: %3").arg(signatureName, manifestName, error));
            result.signature = BundleVerification::Signature::Invalid;
        } else {
            result.signature = BundleVerification::Signature::Valid;
        }
    }

    const QStringList present = dir.entryList(QDir::Files | QDir::Hidden, QDir::Name);
    for (const QString &name : present) {
        if (!listed.contains(name) && name != manifestName && name != signatureName)
            result.unlistedFiles.push_back(name);
    }
    return result;
}

} // namespace chainsight

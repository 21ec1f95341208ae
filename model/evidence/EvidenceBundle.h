#pragma once

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace chainsight {

// File names inside an evidence bundle: the report PDF sits next to them.
namespace EvidenceFileNames {
inline QString json() { return QStringLiteral("evidence.json"); }
inline QString findingsCsv() { return QStringLiteral("findings.csv"); }
inline QString simulationCsv() { return QStringLiteral("simulation.csv"); }
inline QString manifest() { return QStringLiteral("evidence.sha256"); }
inline QString signature() { return QStringLiteral("evidence.sig"); }
} // namespace EvidenceFileNames

struct ManifestEntry
{
    QByteArray sha256; // lowercase hex
    QString fileName;  // a plain name inside the bundle folder

    friend bool operator==(const ManifestEntry &, const ManifestEntry &) = default;
};

// `sha256sum` format, one "<hex>  <name>" line a file, sorted by name: `sha256sum -c evidence.sha256` checks it too.
QByteArray formatManifest(QList<ManifestEntry> entries);
// Strict: any line that is not exactly that form, a name with a path in it, or a name listed twice is an
// error "evidence.sha256:LINE: reason"; nullopt then.
std::optional<QList<ManifestEntry>> parseManifest(const QByteArray &text, QString *error);

// Hashes the files (names inside `folder`), writes evidence.sha256, and with a key evidence.sig over the
// manifest's bytes. nullopt with *error set on a failure; else the signing key's fingerprint (empty unsigned).
std::optional<QByteArray> sealEvidenceBundle(const QString &folder, const QStringList &fileNames,
                                             const std::optional<QByteArray> &privateKeyPem, QString *error);

struct BundleProblem
{
    QString file;    // the file that does not match (or is missing, or malformed)
    QString message; // plain words, starting with the file name
};

struct BundleVerification
{
    enum class Signature { Absent, NotChecked, Valid, Invalid };
    QList<ManifestEntry> entries;   // what the manifest lists
    QList<BundleProblem> problems;  // every mismatch; empty = the bundle is intact
    Signature signature = Signature::Absent;
    QString signatureAlgorithm;
    QByteArray signerFingerprint;   // of --pubkey, when given
    QStringList unlistedFiles;      // files in the folder the manifest does not cover (not a failure)

    bool ok() const { return problems.isEmpty(); }
};

// Fails closed: a missing or malformed manifest, a listed file missing or of another hash, evidence.json
// missing from the manifest or naming files the manifest does not list with the same hash, and, with a
// public key, a missing or wrong signature are all problems.
BundleVerification verifyEvidenceBundle(const QString &folder, const std::optional<QByteArray> &publicKeyPem);

} // namespace chainsight

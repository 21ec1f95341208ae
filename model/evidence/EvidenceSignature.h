#pragma once

#include <QByteArray>
#include <QString>

#include <optional>

namespace chainsight {

// A detached signature over bytes with Ed25519 or ECDSA P-256 (over SHA-256, DER-encoded), the two
// algorithms evidence bundles accept. Keys are PEM files, as `openssl genpkey` writes them.
struct EvidenceSignature
{
    QByteArray signature;   // raw: 64 bytes for Ed25519, DER for ECDSA
    QString algorithm;      // "Ed25519" or "ECDSA P-256 SHA-256"
    QByteArray fingerprint; // lowercase hex SHA-256 of the public key (SubjectPublicKeyInfo, DER)
};

// nullopt with *error set when the key cannot be read, is encrypted, or is of another algorithm.
std::optional<EvidenceSignature> signEvidence(const QByteArray &privateKeyPem, const QByteArray &data, QString *error);

struct EvidencePublicKey
{
    QString algorithm;
    QByteArray fingerprint;
};

// The algorithm and fingerprint of a PEM public key; nullopt with *error set when it is not one we accept.
std::optional<EvidencePublicKey> readEvidencePublicKey(const QByteArray &publicKeyPem, QString *error);

// True when `signature` is a valid signature of `data` under the public key; *error says why not.
bool verifyEvidenceSignature(const QByteArray &publicKeyPem, const QByteArray &data, const QByteArray &signature,
                             QString *error);

} // namespace chainsight

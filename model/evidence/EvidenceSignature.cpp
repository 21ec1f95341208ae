#include "EvidenceSignature.h"

#include "Sha256.h"

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>

namespace chainsight {
namespace {

struct BioDeleter
{
    void operator()(BIO *bio) const { BIO_free(bio); }
};
struct KeyDeleter
{
    void operator()(EVP_PKEY *key) const { EVP_PKEY_free(key); }
};
struct MdContextDeleter
{
    void operator()(EVP_MD_CTX *context) const { EVP_MD_CTX_free(context); }
};
using Bio = std::unique_ptr<BIO, BioDeleter>;
using Key = std::unique_ptr<EVP_PKEY, KeyDeleter>;
using MdContext = std::unique_ptr<EVP_MD_CTX, MdContextDeleter>;

enum class Algorithm { Ed25519, EcdsaP256 };

QString algorithmName(Algorithm algorithm)
{
    return algorithm == Algorithm::Ed25519 ? QStringLiteral("Ed25519") : QStringLiteral("ECDSA P-256 SHA-256");
}

// A passphrase prompt would hang a batch run: encrypted keys are refused instead.
int refusePassphrase(char *, int, int, void *)
{
    return -1;
}

Bio memoryBio(const QByteArray &bytes)
{
    return Bio(BIO_new_mem_buf(bytes.constData(), static_cast<int>(bytes.size())));
}

std::optional<Algorithm> acceptedAlgorithm(EVP_PKEY *key, QString *error)
{
    if (EVP_PKEY_is_a(key, "ED25519"))
        return Algorithm::Ed25519;
    if (EVP_PKEY_is_a(key, "EC")) {
        char group[64] = {};
        std::size_t length = 0;
        if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &length) == 1
            && (QByteArrayView(group) == "prime256v1" || QByteArrayView(group) == "P-256"))
            return Algorithm::EcdsaP256;
        if (error)
            *error = QStringLiteral("the key is an EC key on curve %1; evidence is signed with P-256 (prime256v1) or Ed25519")
                         .arg(QString::fromLatin1(group));
        return std::nullopt;
    }
    if (error)
        *error = QStringLiteral("the key is %1; evidence is signed with Ed25519 or ECDSA P-256")
                     .arg(QString::fromLatin1(EVP_PKEY_get0_type_name(key) ? EVP_PKEY_get0_type_name(key) : "of an unknown type"));
    return std::nullopt;
}

QByteArray publicKeyFingerprint(EVP_PKEY *key)
{
    unsigned char *der = nullptr;
    const int length = i2d_PUBKEY(key, &der);
    if (length <= 0)
        return {};
    const QByteArray digest = sha256Hex(QByteArrayView(der, length));
    OPENSSL_free(der);
    return digest;
}

const EVP_MD *digestFor(Algorithm algorithm)
{
    // Ed25519 hashes internally (PureEdDSA); ECDSA signs the SHA-256 of the data.
    return algorithm == Algorithm::Ed25519 ? nullptr : EVP_sha256();
}

} // namespace

std::optional<EvidenceSignature> signEvidence(const QByteArray &privateKeyPem, const QByteArray &data, QString *error)
{
    ERR_clear_error();
    const Bio bio = memoryBio(privateKeyPem);
    const Key key(PEM_read_bio_PrivateKey(bio.get(), nullptr, refusePassphrase, nullptr));
    if (!key) {
        const bool encrypted = privateKeyPem.contains("ENCRYPTED");
        ERR_clear_error();
        if (error)
            *error = encrypted ? QStringLiteral("the private key is encrypted; sign with an unencrypted PEM key "
                                                "(for example from a secrets store, on a tmpfs)")
                               : QStringLiteral("not a PEM private key (expected -----BEGIN PRIVATE KEY-----)");
        return std::nullopt;
    }
    const auto algorithm = acceptedAlgorithm(key.get(), error);
    if (!algorithm)
        return std::nullopt;
    const MdContext context(EVP_MD_CTX_new());
    std::size_t length = 0;
    const auto *input = reinterpret_cast<const unsigned char *>(data.constData());
    if (EVP_DigestSignInit(context.get(), nullptr, digestFor(*algorithm), nullptr, key.get()) != 1
        || EVP_DigestSign(context.get(), nullptr, &length, input, static_cast<std::size_t>(data.size())) != 1) {
        ERR_clear_error();
        if (error)
            *error = QStringLiteral("OpenSSL could not sign with this key");
        return std::nullopt;
    }
    QByteArray signature(static_cast<qsizetype>(length), Qt::Uninitialized);
    if (EVP_DigestSign(context.get(), reinterpret_cast<unsigned char *>(signature.data()), &length, input,
                       static_cast<std::size_t>(data.size()))
        != 1) {
        ERR_clear_error();
        if (error)
            *error = QStringLiteral("OpenSSL could not sign with this key");
        return std::nullopt;
    }
    signature.resize(static_cast<qsizetype>(length));
    return EvidenceSignature{signature, algorithmName(*algorithm), publicKeyFingerprint(key.get())};
}

namespace {

Key readPublicKey(const QByteArray &publicKeyPem, QString *error)
{
    ERR_clear_error();
    const Bio bio = memoryBio(publicKeyPem);
    Key key(PEM_read_bio_PUBKEY(bio.get(), nullptr, refusePassphrase, nullptr));
    if (!key) {
        ERR_clear_error();
        if (error)
            *error = publicKeyPem.contains("PRIVATE KEY")
                         ? QStringLiteral("this is a private key; pass the public key (openssl pkey -in key.pem -pubout)")
                         : QStringLiteral("not a PEM public key (expected -----BEGIN PUBLIC KEY-----)");
    }
    return key;
}

} // namespace

std::optional<EvidencePublicKey> readEvidencePublicKey(const QByteArray &publicKeyPem, QString *error)
{
    const Key key = readPublicKey(publicKeyPem, error);
    if (!key)
        return std::nullopt;
    const auto algorithm = acceptedAlgorithm(key.get(), error);
    if (!algorithm)
        return std::nullopt;
    return EvidencePublicKey{algorithmName(*algorithm), publicKeyFingerprint(key.get())};
}

bool verifyEvidenceSignature(const QByteArray &publicKeyPem, const QByteArray &data, const QByteArray &signature,
                             QString *error)
{
    const Key key = readPublicKey(publicKeyPem, error);
    if (!key)
        return false;
    const auto algorithm = acceptedAlgorithm(key.get(), error);
    if (!algorithm)
        return false;
    const MdContext context(EVP_MD_CTX_new());
    const bool valid = EVP_DigestVerifyInit(context.get(), nullptr, digestFor(*algorithm), nullptr, key.get()) == 1
                       && EVP_DigestVerify(context.get(), reinterpret_cast<const unsigned char *>(signature.constData()),
                                           static_cast<std::size_t>(signature.size()),
                                           reinterpret_cast<const unsigned char *>(data.constData()),
                                           static_cast<std::size_t>(data.size()))
                              == 1;
    ERR_clear_error();
    if (!valid && error)
        *error = QStringLiteral("the signature does not match under this %1 public key").arg(algorithmName(*algorithm));
    return valid;
}

} // namespace chainsight

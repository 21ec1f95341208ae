#include "SignatureEngine.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <array>

namespace chainsight::jose {

namespace {

enum class Family { Hmac, RsaPkcs1, RsaPss, Ecdsa, EdDsa, None };

Family familyOf(JwsAlgorithm algorithm)
{
    switch (algorithm) {
    case JwsAlgorithm::HS256: case JwsAlgorithm::HS384: case JwsAlgorithm::HS512: return Family::Hmac;
    case JwsAlgorithm::RS256: case JwsAlgorithm::RS384: case JwsAlgorithm::RS512: return Family::RsaPkcs1;
    case JwsAlgorithm::PS256: case JwsAlgorithm::PS384: case JwsAlgorithm::PS512: return Family::RsaPss;
    case JwsAlgorithm::ES256: case JwsAlgorithm::ES384: case JwsAlgorithm::ES512: return Family::Ecdsa;
    case JwsAlgorithm::EdDSA: case JwsAlgorithm::Ed25519: case JwsAlgorithm::Ed448: return Family::EdDsa;
    case JwsAlgorithm::None: case JwsAlgorithm::Unknown: return Family::None;
    }
    return Family::None;
}

int hashBits(JwsAlgorithm algorithm)
{
    switch (algorithm) {
    case JwsAlgorithm::HS384: case JwsAlgorithm::RS384: case JwsAlgorithm::PS384: case JwsAlgorithm::ES384: return 384;
    case JwsAlgorithm::HS512: case JwsAlgorithm::RS512: case JwsAlgorithm::PS512: case JwsAlgorithm::ES512: return 512;
    default: return 256;
    }
}

// Digests fetched once per process: implicit fetches inside every EVP_DigestVerifyInit cost more
// than an RSA verification's hashing.
struct DigestCatalog {
    EvpMdPtr sha256{EVP_MD_fetch(nullptr, "SHA2-256", nullptr)};
    EvpMdPtr sha384{EVP_MD_fetch(nullptr, "SHA2-384", nullptr)};
    EvpMdPtr sha512{EVP_MD_fetch(nullptr, "SHA2-512", nullptr)};
    EvpMacPtr hmac{EVP_MAC_fetch(nullptr, "HMAC", nullptr)};

    static const DigestCatalog& instance()
    {
        static const DigestCatalog catalog;
        return catalog;
    }
    const EVP_MD* forBits(int bits) const
    {
        return bits == 384 ? sha384.get() : bits == 512 ? sha512.get() : sha256.get();
    }
};

const char* digestName(int bits)
{
    return bits == 384 ? "SHA2-384" : bits == 512 ? "SHA2-512" : "SHA2-256";
}

JwkCurve curveFor(JwsAlgorithm algorithm)
{
    switch (algorithm) {
    case JwsAlgorithm::ES256: return JwkCurve::P256;
    case JwsAlgorithm::ES384: return JwkCurve::P384;
    case JwsAlgorithm::ES512: return JwkCurve::P521;
    case JwsAlgorithm::Ed25519: return JwkCurve::Ed25519;
    case JwsAlgorithm::Ed448: return JwkCurve::Ed448;
    default: return JwkCurve::None;
    }
}

// DER encoding of one INTEGER from a big-endian unsigned value; returns bytes written.
std::size_t derInteger(const unsigned char* value, std::size_t length, unsigned char* out)
{
    while (length > 1 && value[0] == 0) {
        ++value;
        --length;
    }
    const bool pad = (value[0] & 0x80) != 0; // keep it positive
    out[0] = 0x02;
    out[1] = static_cast<unsigned char>(length + (pad ? 1 : 0));
    std::size_t at = 2;
    if (pad)
        out[at++] = 0x00;
    std::copy(value, value + length, out + at);
    return at + length;
}

// JWS carries ECDSA as raw R||S (RFC 7518 section 3.4); OpenSSL wants DER. No allocation.
std::size_t ecdsaRawToDer(std::string_view raw, std::array<unsigned char, 160>& der)
{
    const std::size_t half = raw.size() / 2;
    const auto* r = reinterpret_cast<const unsigned char*>(raw.data());
    std::array<unsigned char, 72> rDer{}, sDer{};
    const std::size_t rLength = derInteger(r, half, rDer.data());
    const std::size_t sLength = derInteger(r + half, half, sDer.data());
    const std::size_t body = rLength + sLength;
    std::size_t at = 0;
    der[at++] = 0x30;
    if (body > 127) {
        der[at++] = 0x81;
    }
    der[at++] = static_cast<unsigned char>(body);
    std::copy(rDer.data(), rDer.data() + rLength, der.data() + at);
    at += rLength;
    std::copy(sDer.data(), sDer.data() + sLength, der.data() + at);
    return at + sLength;
}

const unsigned char* bytes(std::string_view text)
{
    return reinterpret_cast<const unsigned char*>(text.data());
}

void setReason(std::string* reason, std::string text)
{
    if (reason)
        *reason = std::move(text);
}

} // namespace

KeyFit keyFitsAlgorithm(const JsonWebKey& key, JwsAlgorithm algorithm)
{
    const Family family = familyOf(algorithm);
    bool typeFits = false;
    switch (family) {
    case Family::Hmac: typeFits = key.keyType() == JwkKeyType::Oct; break;
    case Family::RsaPkcs1:
    case Family::RsaPss: typeFits = key.keyType() == JwkKeyType::RSA; break;
    case Family::Ecdsa: typeFits = key.keyType() == JwkKeyType::EC; break;
    case Family::EdDsa: typeFits = key.keyType() == JwkKeyType::OKP; break;
    case Family::None: typeFits = false; break;
    }
    if (!typeFits)
        return KeyFit::WrongKeyType;
    if (family == Family::Ecdsa && key.curve() != curveFor(algorithm))
        return KeyFit::WrongCurve;
    if (family == Family::EdDsa && algorithm != JwsAlgorithm::EdDSA && key.curve() != curveFor(algorithm))
        return KeyFit::WrongCurve;
    if (!key.usableForSignatures())
        return KeyFit::NotForSignatures;
    if (key.hasDeclaredAlgorithm() && key.declaredAlgorithm() != algorithm)
        return KeyFit::DeclaredAlgorithmDiffers;
    if (family == Family::Hmac && key.secret().size() * 8 < static_cast<std::size_t>(hashBits(algorithm)))
        return KeyFit::KeyTooShort;
    return KeyFit::Fits;
}

JwsStatus statusForKeyFit(KeyFit fit)
{
    switch (fit) {
    case KeyFit::Fits: return JwsStatus::Verified;
    case KeyFit::WrongKeyType:
    case KeyFit::WrongCurve:
    case KeyFit::NotForSignatures: return JwsStatus::WrongKeyType;
    case KeyFit::DeclaredAlgorithmDiffers:
    case KeyFit::KeyTooShort: return JwsStatus::AlgorithmNotAllowed;
    }
    return JwsStatus::WrongKeyType;
}

std::string explainKeyFit(KeyFit fit, const JsonWebKey& key, JwsAlgorithm algorithm)
{
    const std::string name(jwsAlgorithmName(algorithm));
    const std::string which = key.hasKeyId() ? "key \"" + printableAscii(key.keyId(), 60) + "\"" : "the key";
    switch (fit) {
    case KeyFit::Fits: return {};
    case KeyFit::WrongKeyType:
        return which + " is " + key.describe() + ", which cannot verify " + name
               + (familyOf(algorithm) == Family::Hmac ? " (a public key is never an HMAC secret)" : "");
    case KeyFit::WrongCurve: return which + " is " + key.describe() + ", which " + name + " does not use";
    case KeyFit::NotForSignatures: return which + " is not meant for signatures (use/key_ops)";
    case KeyFit::DeclaredAlgorithmDiffers:
        return which + " is restricted to " + printableAscii(key.declaredAlgorithmName(), 20) + ", not " + name;
    case KeyFit::KeyTooShort:
        return which + " is " + std::to_string(key.secret().size() * 8) + " bits; " + name + " needs at least "
               + std::to_string(hashBits(algorithm));
    }
    return {};
}

SignatureEngine::SignatureEngine()
    : m_mdContext(EVP_MD_CTX_new())
    , m_hashContext(EVP_MD_CTX_new())
    , m_macContext(EVP_MAC_CTX_new(DigestCatalog::instance().hmac.get()))
{
}

void SignatureEngine::sha256(std::string_view data, unsigned char* out)
{
    unsigned int length = 0;
    EVP_DigestInit_ex(m_hashContext.get(), DigestCatalog::instance().sha256.get(), nullptr);
    EVP_DigestUpdate(m_hashContext.get(), data.data(), data.size());
    EVP_DigestFinal_ex(m_hashContext.get(), out, &length);
}

bool SignatureEngine::hmac(const JsonWebKey& key, JwsAlgorithm algorithm, std::string_view data, unsigned char* out,
                           std::size_t& outLength)
{
    OSSL_PARAM params[2];
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                                 const_cast<char*>(digestName(hashBits(algorithm))), 0);
    params[1] = OSSL_PARAM_construct_end();
    return m_macContext
           && EVP_MAC_init(m_macContext.get(), bytes(key.secret()), key.secret().size(), params) == 1
           && EVP_MAC_update(m_macContext.get(), bytes(data), data.size()) == 1
           && EVP_MAC_final(m_macContext.get(), out, &outLength, EVP_MAX_MD_SIZE) == 1;
}

bool SignatureEngine::verify(const JsonWebKey& key, JwsAlgorithm algorithm, std::string_view signingInput,
                             std::string_view signature, std::string* reason)
{
    const Family family = familyOf(algorithm);
    const int bits = hashBits(algorithm);
    const std::string name(jwsAlgorithmName(algorithm));
    if (family == Family::None) {
        setReason(reason, "no signature algorithm");
        return false;
    }
    if (family == Family::Hmac) {
        const std::size_t expected = static_cast<std::size_t>(bits / 8);
        if (signature.size() != expected) {
            setReason(reason, name + " signature must be " + std::to_string(expected) + " bytes, got "
                                  + std::to_string(signature.size()));
            return false;
        }
        std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
        std::size_t macLength = 0;
        if (!hmac(key, algorithm, signingInput, mac.data(), macLength) || macLength != expected) {
            ERR_clear_error();
            setReason(reason, "HMAC computation failed");
            return false;
        }
        if (CRYPTO_memcmp(mac.data(), signature.data(), expected) != 0) {
            setReason(reason, "signature does not match");
            return false;
        }
        return true;
    }

    EVP_PKEY* pkey = key.evpKey();
    if (!pkey) {
        setReason(reason, "key has no OpenSSL key");
        return false;
    }
    std::array<unsigned char, 160> der{};
    std::string_view toCheck = signature;
    const EVP_MD* md = family == Family::EdDsa ? nullptr : DigestCatalog::instance().forBits(bits);
    switch (family) {
    case Family::RsaPkcs1:
    case Family::RsaPss: {
        const auto expected = static_cast<std::size_t>(EVP_PKEY_get_size(pkey));
        if (signature.size() != expected) {
            setReason(reason, name + " signature must be " + std::to_string(expected) + " bytes for this key, got "
                                  + std::to_string(signature.size()));
            return false;
        }
        break;
    }
    case Family::Ecdsa: {
        const std::size_t expected = key.coordinateBytes() * 2;
        if (signature.size() != expected) {
            setReason(reason, name + " signature must be " + std::to_string(expected) + " bytes (R||S), got "
                                  + std::to_string(signature.size()));
            return false;
        }
        const std::size_t derLength = ecdsaRawToDer(signature, der);
        toCheck = std::string_view(reinterpret_cast<const char*>(der.data()), derLength);
        break;
    }
    case Family::EdDsa: {
        const std::size_t expected = key.curve() == JwkCurve::Ed448 ? 114 : 64;
        if (signature.size() != expected) {
            setReason(reason, name + " signature must be " + std::to_string(expected) + " bytes, got "
                                  + std::to_string(signature.size()));
            return false;
        }
        break;
    }
    case Family::Hmac:
    case Family::None: break;
    }

    EVP_MD_CTX* ctx = m_mdContext.get();
    EVP_MD_CTX_reset(ctx);
    EVP_PKEY_CTX* pctx = nullptr;
    bool ok = EVP_DigestVerifyInit(ctx, &pctx, md, nullptr, pkey) == 1;
    if (ok && family == Family::RsaPss) {
        ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1
             && EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1
             && EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) == 1;
    }
    if (!ok) {
        ERR_clear_error();
        setReason(reason, "OpenSSL could not set up " + name + " verification");
        return false;
    }
    const int verdict = EVP_DigestVerify(ctx, bytes(toCheck), toCheck.size(), bytes(signingInput), signingInput.size());
    if (verdict != 1) {
        ERR_clear_error();
        setReason(reason, "signature does not match");
        return false;
    }
    return true;
}

bool SignatureEngine::sign(const JsonWebKey& key, JwsAlgorithm algorithm, std::string_view signingInput,
                           std::string& signature, std::string* reason)
{
    const Family family = familyOf(algorithm);
    const KeyFit fit = keyFitsAlgorithm(key, algorithm);
    if (fit != KeyFit::Fits) {
        setReason(reason, explainKeyFit(fit, key, algorithm));
        return false;
    }
    if (family == Family::Hmac) {
        std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
        std::size_t macLength = 0;
        if (!hmac(key, algorithm, signingInput, mac.data(), macLength)) {
            ERR_clear_error();
            setReason(reason, "HMAC computation failed");
            return false;
        }
        signature.assign(reinterpret_cast<const char*>(mac.data()), macLength);
        return true;
    }
    if (!key.hasPrivateKey() || !key.evpKey()) {
        setReason(reason, "signing needs a private key");
        return false;
    }
    const EVP_MD* md = family == Family::EdDsa ? nullptr : DigestCatalog::instance().forBits(hashBits(algorithm));
    EvpMdCtxPtr ctx(EVP_MD_CTX_new());
    EVP_PKEY_CTX* pctx = nullptr;
    bool ok = ctx && EVP_DigestSignInit(ctx.get(), &pctx, md, nullptr, key.evpKey()) == 1;
    if (ok && family == Family::RsaPss)
        ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1
             && EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1
             && EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) == 1;
    std::size_t length = 0;
    ok = ok && EVP_DigestSign(ctx.get(), nullptr, &length, bytes(signingInput), signingInput.size()) == 1;
    std::string out(length, '\0');
    ok = ok && EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &length, bytes(signingInput),
                              signingInput.size()) == 1;
    if (!ok) {
        setReason(reason, "OpenSSL signing failed: " + takeOpenSslErrors());
        return false;
    }
    out.resize(length);
    if (family == Family::Ecdsa) {
        // DER back to fixed-width R||S.
        const auto* p = bytes(out);
        const std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)> parsed(
            d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(out.size())), &ECDSA_SIG_free);
        if (!parsed) {
            setReason(reason, "OpenSSL produced an unreadable ECDSA signature");
            return false;
        }
        const BIGNUM* r = nullptr;
        const BIGNUM* s = nullptr;
        ECDSA_SIG_get0(parsed.get(), &r, &s);
        const auto width = static_cast<int>(key.coordinateBytes());
        std::string raw(key.coordinateBytes() * 2, '\0');
        auto* dst = reinterpret_cast<unsigned char*>(raw.data());
        if (BN_bn2binpad(r, dst, width) != width || BN_bn2binpad(s, dst + width, width) != width) {
            setReason(reason, "ECDSA signature conversion failed");
            return false;
        }
        out = std::move(raw);
    }
    signature = std::move(out);
    return true;
}

} // namespace chainsight::jose

#include "JsonWebKey.h"

#include "Base64Url.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <algorithm>
#include <array>

namespace chainsight::jose {

namespace {

using json = nlohmann::json;

// RSA keys below this size are refused: RFC 7518 section 3.3 requires 2048 bits or more.
constexpr int kMinimumRsaBits = 2048;
// Above OpenSSL's own verification limit; refusing early keeps a hostile JWK from costing time.
constexpr std::size_t kMaximumRsaModulusBytes = 16384 / 8;
constexpr std::size_t kMaximumRsaExponentBytes = 8;

JoseError keyError(std::string message)
{
    return JoseError{JwsStatus::Malformed, std::move(message)};
}

// Reads a required base64url member; an absent, non-string or badly encoded one is an error.
bool readMember(const json& jwk, const char* name, std::string& out, std::string& error)
{
    const auto it = jwk.find(name);
    if (it == jwk.end()) {
        error = std::string("missing \"") + name + "\"";
        return false;
    }
    if (!it->is_string()) {
        error = std::string("\"") + name + "\" is not a string";
        return false;
    }
    if (!Base64Url::decodeTo(it->get_ref<const std::string&>(), out) || out.empty()) {
        error = std::string("\"") + name + "\" is not non-empty base64url";
        return false;
    }
    return true;
}

const std::string* stringMember(const json& jwk, const char* name)
{
    const auto it = jwk.find(name);
    return it != jwk.end() && it->is_string() ? &it->get_ref<const std::string&>() : nullptr;
}

BignumPtr toBignum(std::string_view bytes)
{
    return BignumPtr(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                               static_cast<int>(bytes.size()), nullptr));
}

bool pushBignum(OSSL_PARAM_BLD* builder, const char* name, std::string_view bytes, std::vector<BignumPtr>& keep)
{
    BignumPtr bn = toBignum(bytes);
    if (!bn || OSSL_PARAM_BLD_push_BN(builder, name, bn.get()) != 1)
        return false;
    keep.push_back(std::move(bn)); // the builder refers to the BIGNUM until to_param
    return true;
}

EvpPkeyPtr keyFromParams(const char* type, int selection, OSSL_PARAM_BLD* builder, std::string& error)
{
    ParamPtr params(OSSL_PARAM_BLD_to_param(builder));
    EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
    EVP_PKEY* raw = nullptr;
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1
        || EVP_PKEY_fromdata(ctx.get(), &raw, selection, params.get()) != 1) {
        const std::string why = takeOpenSslErrors();
        error = "OpenSSL refused the key" + (why.empty() ? std::string() : ": " + why);
        return nullptr;
    }
    return EvpPkeyPtr(raw);
}

bool publicKeyIsSound(EVP_PKEY* key, std::string& error)
{
    EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
    if (!ctx || EVP_PKEY_public_check(ctx.get()) != 1) {
        ERR_clear_error();
        error = "the public key fails OpenSSL's consistency check";
        return false;
    }
    return true;
}

std::string sha256Base64Url(std::string_view text)
{
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    EVP_Digest(text.data(), text.size(), digest.data(), &length, EVP_sha256(), nullptr);
    return Base64Url::encode(std::string_view(reinterpret_cast<const char*>(digest.data()), length));
}

constexpr std::array<const char*, 7> kRsaPrivateMembers{"d", "p", "q", "dp", "dq", "qi", "oth"};

} // namespace

std::string_view jwkKeyTypeName(JwkKeyType type)
{
    switch (type) {
    case JwkKeyType::RSA: return "RSA";
    case JwkKeyType::EC: return "EC";
    case JwkKeyType::OKP: return "OKP";
    case JwkKeyType::Oct: return "oct";
    }
    return "?";
}

std::string_view jwkCurveName(JwkCurve curve)
{
    switch (curve) {
    case JwkCurve::None: return "";
    case JwkCurve::P256: return "P-256";
    case JwkCurve::P384: return "P-384";
    case JwkCurve::P521: return "P-521";
    case JwkCurve::Ed25519: return "Ed25519";
    case JwkCurve::Ed448: return "Ed448";
    }
    return "?";
}

JsonWebKey::JsonWebKey(const JsonWebKey& other)
    : m_type(other.m_type)
    , m_curve(other.m_curve)
    , m_hasKeyId(other.m_hasKeyId)
    , m_keyId(other.m_keyId)
    , m_hasDeclaredAlgorithm(other.m_hasDeclaredAlgorithm)
    , m_declaredAlgorithm(other.m_declaredAlgorithm)
    , m_declaredAlgorithmName(other.m_declaredAlgorithmName)
    , m_use(other.m_use)
    , m_usableForSignatures(other.m_usableForSignatures)
    , m_hasPrivateMembers(other.m_hasPrivateMembers)
    , m_hasPrivateKey(other.m_hasPrivateKey)
    , m_thumbprint(other.m_thumbprint)
    , m_bits(other.m_bits)
    , m_coordinateBytes(other.m_coordinateBytes)
    , m_secret(other.m_secret)
{
    // The key is never modified after loading, so sharing one reference-counted EVP_PKEY is safe.
    if (other.m_key && EVP_PKEY_up_ref(other.m_key.get()) == 1)
        m_key.reset(other.m_key.get());
}

JsonWebKey& JsonWebKey::operator=(const JsonWebKey& other)
{
    if (this != &other) {
        JsonWebKey copy(other);
        *this = std::move(copy);
    }
    return *this;
}

std::string JsonWebKey::describe() const
{
    switch (m_type) {
    case JwkKeyType::RSA: return "RSA " + std::to_string(m_bits) + "-bit";
    case JwkKeyType::EC:
    case JwkKeyType::OKP: return std::string(jwkKeyTypeName(m_type)) + " " + std::string(jwkCurveName(m_curve));
    case JwkKeyType::Oct: return "oct " + std::to_string(m_bits) + "-bit";
    }
    return "?";
}

Outcome<std::string> JsonWebKey::thumbprintOf(const json& jwk)
{
    auto canonical = thumbprintInput(jwk);
    if (!canonical)
        return canonical.error();
    return sha256Base64Url(canonical.value());
}

Outcome<std::string> JsonWebKey::thumbprintInput(const json& jwk)
{
    if (!jwk.is_object())
        return keyError("a JWK must be a JSON object");
    const std::string* kty = stringMember(jwk, "kty");
    if (!kty)
        return keyError("JWK has no string \"kty\"");
    std::array<const char*, 4> required{};
    std::size_t count = 0;
    if (*kty == "RSA")
        required = {"e", "kty", "n"}, count = 3;
    else if (*kty == "EC")
        required = {"crv", "kty", "x", "y"}, count = 4;
    else if (*kty == "OKP")
        required = {"crv", "kty", "x"}, count = 3;
    else if (*kty == "oct")
        required = {"k", "kty"}, count = 2;
    else
        return keyError("unsupported key type \"" + printableAscii(*kty, 20) + "\"");
    // RFC 7638: required members only, lexicographic order, no whitespace.
    std::string canonical = "{";
    for (std::size_t i = 0; i < count; ++i) {
        const std::string* value = stringMember(jwk, required[i]);
        if (!value)
            return keyError(std::string("JWK has no string \"") + required[i] + "\"");
        if (i)
            canonical += ',';
        canonical += '"';
        canonical += required[i];
        canonical += "\":";
        const bool plain = std::all_of(value->begin(), value->end(), [](char c) {
            return c >= 0x20 && c < 0x7F && c != '"' && c != '\\';
        });
        canonical += plain ? '"' + *value + '"' : json(*value).dump(); // escaping only when needed
    }
    canonical += '}';
    return canonical;
}

Outcome<JsonWebKey> JsonWebKey::fromJson(const json& jwk, JwkMaterial material)
{
    if (!jwk.is_object())
        return keyError("a JWK must be a JSON object");
    JsonWebKey key;
    const std::string* kty = stringMember(jwk, "kty");
    if (!kty)
        return keyError("JWK has no string \"kty\"");

    if (const auto kid = jwk.find("kid"); kid != jwk.end()) {
        if (!kid->is_string())
            return keyError("JWK \"kid\" is not a string");
        key.m_hasKeyId = true;
        key.m_keyId = kid->get_ref<const std::string&>();
    }
    if (const auto alg = jwk.find("alg"); alg != jwk.end()) {
        if (!alg->is_string())
            return keyError("JWK \"alg\" is not a string");
        key.m_hasDeclaredAlgorithm = true;
        key.m_declaredAlgorithmName = alg->get_ref<const std::string&>();
        key.m_declaredAlgorithm = jwsAlgorithmFromName(key.m_declaredAlgorithmName);
    }
    if (const auto use = jwk.find("use"); use != jwk.end()) {
        if (!use->is_string())
            return keyError("JWK \"use\" is not a string");
        key.m_use = use->get_ref<const std::string&>();
        if (key.m_use != "sig")
            key.m_usableForSignatures = false;
    }
    if (const auto ops = jwk.find("key_ops"); ops != jwk.end()) {
        if (!ops->is_array())
            return keyError("JWK \"key_ops\" is not an array");
        bool verify = false;
        for (const auto& op : *ops)
            verify = verify || (op.is_string() && op.get_ref<const std::string&>() == "verify");
        if (!verify)
            key.m_usableForSignatures = false;
    }

    auto thumbprint = thumbprintOf(jwk);
    if (!thumbprint)
        return thumbprint.error();
    key.m_thumbprint = std::move(thumbprint.value());

    std::string error;
    const bool wantPrivate = material == JwkMaterial::AllowPrivate;
    if (*kty == "RSA") {
        key.m_type = JwkKeyType::RSA;
        std::string n, e;
        if (!readMember(jwk, "n", n, error) || !readMember(jwk, "e", e, error))
            return keyError("RSA key: " + error);
        if (n.size() > kMaximumRsaModulusBytes || e.size() > kMaximumRsaExponentBytes)
            return keyError("RSA key is larger than 16384 bits or has an exponent over 64 bits");
        for (const char* name : kRsaPrivateMembers)
            key.m_hasPrivateMembers = key.m_hasPrivateMembers || jwk.contains(name);
        ParamBuildPtr builder(OSSL_PARAM_BLD_new());
        std::vector<BignumPtr> keep;
        if (!builder || !pushBignum(builder.get(), OSSL_PKEY_PARAM_RSA_N, n, keep)
            || !pushBignum(builder.get(), OSSL_PKEY_PARAM_RSA_E, e, keep))
            return keyError("RSA key: out of memory");
        int selection = EVP_PKEY_PUBLIC_KEY;
        if (wantPrivate && jwk.contains("d")) {
            std::string d;
            if (!readMember(jwk, "d", d, error) || !pushBignum(builder.get(), OSSL_PKEY_PARAM_RSA_D, d, keep))
                return keyError("RSA key: " + error);
            static constexpr std::array<std::pair<const char*, const char*>, 5> crt{{
                {"p", OSSL_PKEY_PARAM_RSA_FACTOR1}, {"q", OSSL_PKEY_PARAM_RSA_FACTOR2},
                {"dp", OSSL_PKEY_PARAM_RSA_EXPONENT1}, {"dq", OSSL_PKEY_PARAM_RSA_EXPONENT2},
                {"qi", OSSL_PKEY_PARAM_RSA_COEFFICIENT1}}};
            if (jwk.contains("p")) {
                for (const auto& [member, param] : crt) {
                    std::string value;
                    if (!readMember(jwk, member, value, error) || !pushBignum(builder.get(), param, value, keep))
                        return keyError("RSA key: " + error);
                }
            }
            selection = EVP_PKEY_KEYPAIR;
            key.m_hasPrivateKey = true;
        }
        key.m_key = keyFromParams("RSA", selection, builder.get(), error);
        if (!key.m_key)
            return keyError("RSA key: " + error);
        key.m_bits = EVP_PKEY_get_bits(key.m_key.get());
        if (key.m_bits < kMinimumRsaBits)
            return keyError("RSA key is " + std::to_string(key.m_bits) + " bits; at least "
                            + std::to_string(kMinimumRsaBits) + " are required");
        if (!publicKeyIsSound(key.m_key.get(), error))
            return keyError("RSA key: " + error);
    } else if (*kty == "EC") {
        key.m_type = JwkKeyType::EC;
        const std::string* crv = stringMember(jwk, "crv");
        if (!crv)
            return keyError("EC key has no string \"crv\"");
        const char* group = nullptr;
        if (*crv == "P-256")
            key.m_curve = JwkCurve::P256, key.m_coordinateBytes = 32, group = "P-256";
        else if (*crv == "P-384")
            key.m_curve = JwkCurve::P384, key.m_coordinateBytes = 48, group = "P-384";
        else if (*crv == "P-521")
            key.m_curve = JwkCurve::P521, key.m_coordinateBytes = 66, group = "P-521";
        else
            return keyError("EC key on unsupported curve \"" + printableAscii(*crv, 30) + "\"");
        std::string x, y;
        if (!readMember(jwk, "x", x, error) || !readMember(jwk, "y", y, error))
            return keyError("EC key: " + error);
        // RFC 7518 section 6.2.1.2: coordinates are exactly the field size, leading zeros kept.
        if (x.size() != key.m_coordinateBytes || y.size() != key.m_coordinateBytes)
            return keyError("EC " + *crv + " coordinates must be " + std::to_string(key.m_coordinateBytes)
                            + " bytes each");
        key.m_hasPrivateMembers = jwk.contains("d");
        std::string point = "\x04" + x + y;
        ParamBuildPtr builder(OSSL_PARAM_BLD_new());
        std::vector<BignumPtr> keep;
        if (!builder || OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, 0) != 1
            || OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) != 1)
            return keyError("EC key: out of memory");
        int selection = EVP_PKEY_PUBLIC_KEY;
        if (wantPrivate && key.m_hasPrivateMembers) {
            std::string d;
            if (!readMember(jwk, "d", d, error))
                return keyError("EC key: " + error);
            if (d.size() != key.m_coordinateBytes)
                return keyError("EC private key \"d\" has the wrong length");
            if (!pushBignum(builder.get(), OSSL_PKEY_PARAM_PRIV_KEY, d, keep))
                return keyError("EC key: out of memory");
            selection = EVP_PKEY_KEYPAIR;
            key.m_hasPrivateKey = true;
        }
        key.m_key = keyFromParams("EC", selection, builder.get(), error);
        if (!key.m_key)
            return keyError("EC key: " + error);
        if (!publicKeyIsSound(key.m_key.get(), error))
            return keyError("EC key: " + error);
        key.m_bits = EVP_PKEY_get_bits(key.m_key.get());
    } else if (*kty == "OKP") {
        key.m_type = JwkKeyType::OKP;
        const std::string* crv = stringMember(jwk, "crv");
        if (!crv)
            return keyError("OKP key has no string \"crv\"");
        const char* name = nullptr;
        std::size_t size = 0;
        if (*crv == "Ed25519")
            key.m_curve = JwkCurve::Ed25519, name = "ED25519", size = 32;
        else if (*crv == "Ed448")
            key.m_curve = JwkCurve::Ed448, name = "ED448", size = 57;
        else if (*crv == "X25519" || *crv == "X448")
            return keyError("OKP " + *crv + " is a key-agreement curve, not a signature key");
        else
            return keyError("OKP key on unsupported curve \"" + printableAscii(*crv, 30) + "\"");
        std::string x;
        if (!readMember(jwk, "x", x, error))
            return keyError("OKP key: " + error);
        if (x.size() != size)
            return keyError("OKP " + *crv + " public key must be " + std::to_string(size) + " bytes");
        key.m_hasPrivateMembers = jwk.contains("d");
        const auto* xBytes = reinterpret_cast<const unsigned char*>(x.data());
        if (wantPrivate && key.m_hasPrivateMembers) {
            std::string d;
            if (!readMember(jwk, "d", d, error) || d.size() != size)
                return keyError("OKP private key \"d\" is missing or has the wrong length");
            key.m_key.reset(EVP_PKEY_new_raw_private_key_ex(
                nullptr, name, nullptr, reinterpret_cast<const unsigned char*>(d.data()), d.size()));
            OPENSSL_cleanse(d.data(), d.size());
            std::array<unsigned char, 57> derived{};
            std::size_t derivedSize = derived.size();
            if (!key.m_key || EVP_PKEY_get_raw_public_key(key.m_key.get(), derived.data(), &derivedSize) != 1
                || derivedSize != size || CRYPTO_memcmp(derived.data(), xBytes, size) != 0) {
                ERR_clear_error();
                return keyError("OKP private key does not match its public key \"x\"");
            }
            key.m_hasPrivateKey = true;
        } else {
            key.m_key.reset(EVP_PKEY_new_raw_public_key_ex(nullptr, name, nullptr, xBytes, size));
        }
        if (!key.m_key)
            return keyError("OKP key: OpenSSL refused the key: " + takeOpenSslErrors());
        key.m_bits = EVP_PKEY_get_bits(key.m_key.get());
    } else if (*kty == "oct") {
        key.m_type = JwkKeyType::Oct;
        if (!readMember(jwk, "k", key.m_secret, error))
            return keyError("oct key: " + error);
        key.m_hasPrivateMembers = true; // the secret is the key
        key.m_hasPrivateKey = true;
        key.m_bits = static_cast<int>(key.m_secret.size() * 8);
    } else {
        return keyError("unsupported key type \"" + printableAscii(*kty, 20) + "\"");
    }
    return key;
}

} // namespace chainsight::jose

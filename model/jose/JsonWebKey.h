#pragma once

#include "JoseTypes.h"
#include "OpenSslHandles.h"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace chainsight::jose {

enum class JwkKeyType { RSA, EC, OKP, Oct };
enum class JwkCurve { None, P256, P384, P521, Ed25519, Ed448 };

// Whether private members of a JWK are loaded (signing, tests) or ignored (verification).
enum class JwkMaterial { PublicOnly, AllowPrivate };

std::string_view jwkKeyTypeName(JwkKeyType type);
std::string_view jwkCurveName(JwkCurve curve);

// One JSON Web Key (RFC 7517/7518/8037) turned into an OpenSSL key, or an HMAC secret for oct.
// Immutable once built, so one key may serve many threads; copies share the EVP_PKEY.
class JsonWebKey final {
public:
    JsonWebKey(const JsonWebKey& other);
    JsonWebKey& operator=(const JsonWebKey& other);
    JsonWebKey(JsonWebKey&&) noexcept = default;
    JsonWebKey& operator=(JsonWebKey&&) noexcept = default;
    ~JsonWebKey() = default;

    static Outcome<JsonWebKey> fromJson(const nlohmann::json& jwk, JwkMaterial material = JwkMaterial::PublicOnly);

    // RFC 7638 thumbprint (SHA-256, base64url) computed from the JSON, for keys not loaded yet.
    static Outcome<std::string> thumbprintOf(const nlohmann::json& jwk);
    // The RFC 7638 canonical JSON (required members, sorted, no whitespace) that gets hashed.
    static Outcome<std::string> thumbprintInput(const nlohmann::json& jwk);

    JwkKeyType keyType() const { return m_type; }
    JwkCurve curve() const { return m_curve; }
    bool hasKeyId() const { return m_hasKeyId; }
    const std::string& keyId() const { return m_keyId; }
    // The "alg" member, or Unknown with hasDeclaredAlgorithm() false when the key does not say.
    bool hasDeclaredAlgorithm() const { return m_hasDeclaredAlgorithm; }
    JwsAlgorithm declaredAlgorithm() const { return m_declaredAlgorithm; }
    const std::string& declaredAlgorithmName() const { return m_declaredAlgorithmName; }
    const std::string& use() const { return m_use; }
    // False when "use" or "key_ops" say the key is not for verifying signatures.
    bool usableForSignatures() const { return m_usableForSignatures; }
    // True when the JSON carried private members (d, p, q, ...), whether or not they were loaded.
    bool hasPrivateMembers() const { return m_hasPrivateMembers; }
    bool hasPrivateKey() const { return m_hasPrivateKey; }
    const std::string& thumbprint() const { return m_thumbprint; }
    int bits() const { return m_bits; }
    // Size in bytes of one EC coordinate (32, 48, 66); 0 for other types.
    std::size_t coordinateBytes() const { return m_coordinateBytes; }

    EVP_PKEY* evpKey() const { return m_key.get(); }
    // The HMAC secret of an oct key; empty for other types.
    const std::string& secret() const { return m_secret; }

    // "RSA 2048-bit", "EC P-256", "OKP Ed25519", "oct 256-bit"
    std::string describe() const;

private:
    JsonWebKey() = default;

    JwkKeyType m_type = JwkKeyType::Oct;
    JwkCurve m_curve = JwkCurve::None;
    bool m_hasKeyId = false;
    std::string m_keyId;
    bool m_hasDeclaredAlgorithm = false;
    JwsAlgorithm m_declaredAlgorithm = JwsAlgorithm::Unknown;
    std::string m_declaredAlgorithmName;
    std::string m_use;
    bool m_usableForSignatures = true;
    bool m_hasPrivateMembers = false;
    bool m_hasPrivateKey = false;
    std::string m_thumbprint;
    int m_bits = 0;
    std::size_t m_coordinateBytes = 0;
    EvpPkeyPtr m_key;
    std::string m_secret;
};

} // namespace chainsight::jose

#include "JwsSigner.h"

#include "Base64Url.h"
#include "SignatureEngine.h"

namespace chainsight::jose {

JwsSigner::JwsSigner(JsonWebKey key) : m_key(std::move(key)), m_engine(std::make_unique<SignatureEngine>()) {}
JwsSigner::~JwsSigner() = default;
JwsSigner::JwsSigner(JwsSigner&&) noexcept = default;
JwsSigner& JwsSigner::operator=(JwsSigner&&) noexcept = default;

Outcome<JwsSigner> JwsSigner::fromPrivateJwk(const nlohmann::json& jwk)
{
    auto key = JsonWebKey::fromJson(jwk, JwkMaterial::AllowPrivate);
    if (!key)
        return key.error();
    if (!key->hasPrivateKey())
        return JoseError{JwsStatus::WrongKeyType, "the JWK has no private key to sign with"};
    return JwsSigner(std::move(key.value()));
}

Outcome<std::string> JwsSigner::sign(JwsAlgorithm algorithm, nlohmann::json header, std::string_view payload)
{
    if (!header.is_object())
        header = nlohmann::json::object();
    header["alg"] = std::string(jwsAlgorithmName(algorithm));
    if (m_key.hasKeyId() && !header.contains("kid"))
        header["kid"] = m_key.keyId();
    std::string token = Base64Url::encode(header.dump()) + "." + Base64Url::encode(payload);
    std::string signature;
    std::string reason;
    if (!m_engine->sign(m_key, algorithm, token, signature, &reason))
        return JoseError{JwsStatus::WrongKeyType, reason};
    token += '.';
    token += Base64Url::encode(signature);
    return token;
}

Outcome<std::string> JwsSigner::signClaims(JwsAlgorithm algorithm, nlohmann::json header, const nlohmann::json& claims)
{
    return sign(algorithm, std::move(header), claims.dump());
}

nlohmann::json JwsSigner::publicJwk(const nlohmann::json& privateJwk)
{
    nlohmann::json out = privateJwk;
    for (const char* name : {"d", "p", "q", "dp", "dq", "qi", "oth"})
        out.erase(name);
    return out;
}

} // namespace chainsight::jose

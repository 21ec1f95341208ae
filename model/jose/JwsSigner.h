#pragma once

#include "JoseTypes.h"
#include "JsonWebKey.h"

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <string_view>

namespace chainsight::jose {

class SignatureEngine;

// Produces compact JWS tokens. Chainsight only reads tokens; this exists so tests, benchmarks
// and fixtures can make exactly the tokens they need (including deliberately broken ones).
class JwsSigner final {
public:
    // key must carry a private key (loaded with JwkMaterial::AllowPrivate) or an oct secret.
    explicit JwsSigner(JsonWebKey key);
    ~JwsSigner();
    JwsSigner(JwsSigner&&) noexcept;
    JwsSigner& operator=(JwsSigner&&) noexcept;

    static Outcome<JwsSigner> fromPrivateJwk(const nlohmann::json& jwk);

    // Signs payload; header gets "alg" set, and "kid" from the key unless it already has one.
    Outcome<std::string> sign(JwsAlgorithm algorithm, nlohmann::json header, std::string_view payload);
    Outcome<std::string> signClaims(JwsAlgorithm algorithm, nlohmann::json header, const nlohmann::json& claims);

    const JsonWebKey& key() const { return m_key; }

    // The JWK without its private members (what a JWKS or a DPoP header carries).
    static nlohmann::json publicJwk(const nlohmann::json& privateJwk);

private:
    JsonWebKey m_key;
    std::unique_ptr<SignatureEngine> m_engine;
};

} // namespace chainsight::jose

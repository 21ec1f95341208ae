#pragma once

#include "JoseTypes.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chainsight::jose {

// What the payload of a JWS is expected to be: JWT claims (a JSON object) or opaque bytes.
enum class JwsPayloadKind { JsonClaims, Opaque };

// A decoded JWS in compact serialization (header.payload.signature). Parsing checks shape,
// base64url, JSON and the crit list; it says nothing about the signature (SignatureVerifier does).
class CompactJws final {
public:
    static Outcome<CompactJws> parse(std::string_view token, const JwsLimits& limits = {},
                                     JwsPayloadKind payloadKind = JwsPayloadKind::JsonClaims);
    // The same, into this object, reusing its buffers (for hot loops). On failure the object
    // holds no token (token() is empty) and the error is returned.
    std::optional<JoseError> assign(std::string_view token, const JwsLimits& limits = {},
                                    JwsPayloadKind payloadKind = JwsPayloadKind::JsonClaims);

    const std::string& token() const { return m_token; }
    std::string_view signingInput() const { return std::string_view(m_token).substr(0, m_signingInputLength); }
    const nlohmann::json& header() const { return m_header; }
    // The JWT claims; null when the payload kind was Opaque.
    const nlohmann::json& claims() const { return m_claims; }
    const std::string& payload() const { return m_payload; }
    const std::string& signature() const { return m_signature; }

    JwsAlgorithm algorithm() const { return m_algorithm; }
    const std::string& algorithmName() const { return m_algorithmName; }
    bool hasKeyId() const { return m_hasKeyId; }
    const std::string& keyId() const { return m_keyId; }
    const std::string& type() const { return m_type; }
    const std::vector<std::string>& criticalHeaders() const { return m_critical; }

private:
    std::string m_token;
    std::string m_scratch; // decoded header bytes, kept for its capacity
    std::size_t m_signingInputLength = 0;
    nlohmann::json m_header;
    nlohmann::json m_claims;
    std::string m_payload;
    std::string m_signature;
    JwsAlgorithm m_algorithm = JwsAlgorithm::Unknown;
    std::string m_algorithmName;
    bool m_hasKeyId = false;
    std::string m_keyId;
    std::string m_type;
    std::vector<std::string> m_critical;
};

} // namespace chainsight::jose

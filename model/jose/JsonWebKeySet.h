#pragma once

#include "JsonWebKey.h"

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace chainsight::jose {

// A key the set could not load, kept so a token naming it gets a useful explanation.
struct RejectedJsonWebKey {
    std::size_t index = 0; // position in the "keys" array
    std::string keyId;
    std::string reason;
};

// A JWKS (RFC 7517 section 5) or a single JWK, with lookup by "kid". Keys that fail to load
// are skipped and listed in rejectedKeys(); the set is immutable after loading and may be
// shared between threads (wrap it in std::shared_ptr<const JsonWebKeySet>).
class JsonWebKeySet final {
public:
    JsonWebKeySet() = default;

    static Outcome<JsonWebKeySet> fromJson(const nlohmann::json& document,
                                           JwkMaterial material = JwkMaterial::PublicOnly);
    static Outcome<JsonWebKeySet> fromText(std::string_view text, JwkMaterial material = JwkMaterial::PublicOnly);
    static Outcome<JsonWebKeySet> fromFile(const std::string& path, JwkMaterial material = JwkMaterial::PublicOnly);

    void add(JsonWebKey key);

    const std::vector<JsonWebKey>& keys() const { return m_keys; }
    const std::vector<RejectedJsonWebKey>& rejectedKeys() const { return m_rejected; }
    bool empty() const { return m_keys.empty(); }
    std::size_t size() const { return m_keys.size(); }

    // Indexes into keys() of every key with this kid (several key types may share one kid).
    const std::vector<std::size_t>& indexesWithKeyId(std::string_view keyId) const;
    const RejectedJsonWebKey* rejectedKeyWithId(std::string_view keyId) const;

private:
    struct StringHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view text) const noexcept { return std::hash<std::string_view>{}(text); }
    };

    std::vector<JsonWebKey> m_keys;
    std::vector<RejectedJsonWebKey> m_rejected;
    std::unordered_map<std::string, std::vector<std::size_t>, StringHash, std::equal_to<>> m_byKeyId;
};

} // namespace chainsight::jose

#include "JsonWebKeySet.h"

#include "StrictJson.h"

#include <fstream>
#include <cstdint>

namespace chainsight::jose {

namespace {

// A JWKS file is configuration, not a token stream; this bound only stops absurd inputs.
constexpr std::size_t kMaxKeySetBytes = 16 * 1024 * 1024;
constexpr std::size_t kMaxKeySetDepth = 32;

} // namespace

void JsonWebKeySet::add(JsonWebKey key)
{
    const std::size_t index = m_keys.size();
    if (key.hasKeyId())
        m_byKeyId[key.keyId()].push_back(index);
    m_keys.push_back(std::move(key));
}

const std::vector<std::size_t>& JsonWebKeySet::indexesWithKeyId(std::string_view keyId) const
{
    static const std::vector<std::size_t> none;
    const auto it = m_byKeyId.find(keyId);
    return it == m_byKeyId.end() ? none : it->second;
}

const RejectedJsonWebKey* JsonWebKeySet::rejectedKeyWithId(std::string_view keyId) const
{
    for (const auto& rejected : m_rejected)
        if (rejected.keyId == keyId)
            return &rejected;
    return nullptr;
}

Outcome<JsonWebKeySet> JsonWebKeySet::fromJson(const nlohmann::json& document, JwkMaterial material)
{
    if (!document.is_object())
        return JoseError{JwsStatus::Malformed, "a JWKS must be a JSON object"};
    JsonWebKeySet set;
    const auto keys = document.find("keys");
    if (keys == document.end()) {
        // A bare JWK is accepted as a set of one.
        auto key = JsonWebKey::fromJson(document, material);
        if (!key)
            return key.error();
        set.add(std::move(key.value()));
        return set;
    }
    if (!keys->is_array())
        return JoseError{JwsStatus::Malformed, "JWKS \"keys\" is not an array"};
    std::size_t index = 0;
    for (const auto& entry : *keys) {
        auto key = JsonWebKey::fromJson(entry, material);
        if (key) {
            set.add(std::move(key.value()));
        } else {
            RejectedJsonWebKey rejected;
            rejected.index = index;
            if (entry.is_object()) {
                const auto kid = entry.find("kid");
                if (kid != entry.end() && kid->is_string())
                    rejected.keyId = kid->get<std::string>();
            }
            rejected.reason = key.message();
            set.m_rejected.push_back(std::move(rejected));
        }
        ++index;
    }
    return set;
}

Outcome<JsonWebKeySet> JsonWebKeySet::fromText(std::string_view text, JwkMaterial material)
{
    if (text.size() > kMaxKeySetBytes)
        return JoseError{JwsStatus::TooLarge, "JWKS is larger than 16 MB"};
    nlohmann::json document;
    std::string error;
    if (!StrictJson::parse(text, kMaxKeySetDepth, document, error))
        return JoseError{JwsStatus::Malformed, "JWKS is not valid JSON: " + error};
    return fromJson(document, material);
}

Outcome<JsonWebKeySet> JsonWebKeySet::fromFile(const std::string& path, JwkMaterial material)
{
    std::ifstream file(path, std::ios::binary | std::ios::ate);
    if (!file)
        return JoseError{JwsStatus::Malformed, "cannot open the JWKS file"};
    const std::streamoff size = file.tellg();
    if (size < 0 || static_cast<std::uint64_t>(size) > kMaxKeySetBytes)
        return JoseError{JwsStatus::TooLarge, "JWKS file is larger than 16 MB"};
    std::string content(static_cast<std::size_t>(size), '\0');
    file.seekg(0);
    if (!file.read(content.data(), size))
        return JoseError{JwsStatus::Malformed, "cannot read the JWKS file"};
    return fromText(content, material);
}

} // namespace chainsight::jose

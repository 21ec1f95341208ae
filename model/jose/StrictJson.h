#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace chainsight::jose {

// JSON as RFC 7515 wants it for JOSE headers and claims: valid UTF-8, duplicate member names
// refused (two "alg" or two "sub" members are an attack, not a choice), nesting bounded.
class StrictJson final {
public:
    // Parses text into out; on failure returns false and a plain-words reason with its offset.
    static bool parse(std::string_view text, std::size_t maxDepth, nlohmann::json& out, std::string& error);
};

} // namespace chainsight::jose

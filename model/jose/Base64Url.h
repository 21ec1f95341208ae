#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace chainsight::jose {

// Strict RFC 7515 base64url: alphabet [A-Za-z0-9_-], no padding, no whitespace, and the
// unused low bits of the last character must be zero, so every byte string has one encoding.
class Base64Url final {
public:
    static std::string encode(std::string_view bytes);
    static void encodeTo(std::string_view bytes, std::string& out);

    // Decodes into out (reused, so a hot loop does not allocate). On failure returns false and,
    // when errorOffset is given, the offset of the offending character.
    static bool decodeTo(std::string_view text, std::string& out, std::size_t* errorOffset = nullptr);
    static std::optional<std::string> decode(std::string_view text);

    static constexpr std::size_t decodedSize(std::size_t encodedLength)
    {
        return encodedLength / 4 * 3 + (encodedLength % 4 == 0 ? 0 : encodedLength % 4 - 1);
    }
};

} // namespace chainsight::jose

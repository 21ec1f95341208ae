#include "Base64Url.h"

#include <array>
#include <cstdint>

namespace chainsight::jose {

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::uint8_t kInvalid = 0xFF;

constexpr std::array<std::uint8_t, 256> makeDecodeTable()
{
    std::array<std::uint8_t, 256> table{};
    for (auto& entry : table)
        entry = kInvalid;
    for (std::uint8_t i = 0; i < 64; ++i)
        table[static_cast<unsigned char>(kAlphabet[i])] = i;
    return table;
}

constexpr std::array<std::uint8_t, 256> kDecode = makeDecodeTable();

} // namespace

void Base64Url::encodeTo(std::string_view bytes, std::string& out)
{
    out.clear();
    out.reserve((bytes.size() * 4 + 2) / 3);
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        const std::uint32_t v = (std::uint32_t{p[i]} << 16) | (std::uint32_t{p[i + 1]} << 8) | p[i + 2];
        out.push_back(kAlphabet[(v >> 18) & 63]);
        out.push_back(kAlphabet[(v >> 12) & 63]);
        out.push_back(kAlphabet[(v >> 6) & 63]);
        out.push_back(kAlphabet[v & 63]);
    }
    const std::size_t rest = bytes.size() - i;
    if (rest == 1) {
        const std::uint32_t v = std::uint32_t{p[i]} << 16;
        out.push_back(kAlphabet[(v >> 18) & 63]);
        out.push_back(kAlphabet[(v >> 12) & 63]);
    } else if (rest == 2) {
        const std::uint32_t v = (std::uint32_t{p[i]} << 16) | (std::uint32_t{p[i + 1]} << 8);
        out.push_back(kAlphabet[(v >> 18) & 63]);
        out.push_back(kAlphabet[(v >> 12) & 63]);
        out.push_back(kAlphabet[(v >> 6) & 63]);
    }
}

std::string Base64Url::encode(std::string_view bytes)
{
    std::string out;
    encodeTo(bytes, out);
    return out;
}

bool Base64Url::decodeTo(std::string_view text, std::string& out, std::size_t* errorOffset)
{
    out.clear();
    const std::size_t n = text.size();
    if (n % 4 == 1) {
        // One leftover character cannot carry a whole byte.
        if (errorOffset)
            *errorOffset = n - 1;
        return false;
    }
    out.resize(decodedSize(n));
    const auto* in = reinterpret_cast<const unsigned char*>(text.data());
    auto* dst = reinterpret_cast<unsigned char*>(out.data());
    std::size_t i = 0;
    std::size_t o = 0;
    auto fail = [&](std::size_t at) {
        if (errorOffset)
            *errorOffset = at;
        out.clear();
        return false;
    };
    for (; i + 4 <= n; i += 4) {
        const std::uint8_t a = kDecode[in[i]], b = kDecode[in[i + 1]], c = kDecode[in[i + 2]],
                           d = kDecode[in[i + 3]];
        if (((a | b | c | d) & 0xC0) != 0) { // only the invalid marker has the high bits set
            for (std::size_t k = i; k < i + 4; ++k)
                if (kDecode[in[k]] == kInvalid)
                    return fail(k);
        }
        const std::uint32_t v = (std::uint32_t{a} << 18) | (std::uint32_t{b} << 12)
                                | (std::uint32_t{c} << 6) | d;
        dst[o++] = static_cast<unsigned char>(v >> 16);
        dst[o++] = static_cast<unsigned char>(v >> 8);
        dst[o++] = static_cast<unsigned char>(v);
    }
    const std::size_t rest = n - i;
    if (rest >= 2) {
        for (std::size_t k = i; k < n; ++k)
            if (kDecode[in[k]] == kInvalid)
                return fail(k);
        const std::uint8_t a = kDecode[in[i]], b = kDecode[in[i + 1]];
        const std::uint8_t c = rest == 3 ? kDecode[in[i + 2]] : 0;
        // Non-zero unused bits would give a second spelling of the same bytes.
        if (rest == 2 && (b & 0x0F) != 0)
            return fail(i + 1);
        if (rest == 3 && (c & 0x03) != 0)
            return fail(i + 2);
        const std::uint32_t v = (std::uint32_t{a} << 18) | (std::uint32_t{b} << 12) | (std::uint32_t{c} << 6);
        dst[o++] = static_cast<unsigned char>(v >> 16);
        if (rest == 3)
            dst[o++] = static_cast<unsigned char>(v >> 8);
    }
    return true;
}

std::optional<std::string> Base64Url::decode(std::string_view text)
{
    std::string out;
    if (!decodeTo(text, out))
        return std::nullopt;
    return out;
}

} // namespace chainsight::jose

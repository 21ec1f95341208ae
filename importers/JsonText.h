#pragma once

// Reading JSON text with simdjson's on-demand API without copying it: string values and keys that hold no escape
// (nearly all of them in machine-written logs) are views into the document. Every function is inlined so the
// on-demand iterators stay in registers in the walks that use them.

#include <simdjson.h>

#include <cstring>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace chainsight::json_text {

namespace od = simdjson::ondemand;

// Equality with a string literal as a length test and a fixed-size comparison the compiler expands in place;
// std::string_view's operator== stayed an out-of-line call in the span walk.
template<std::size_t N>
[[gnu::always_inline]] inline bool is(std::string_view text, const char (&literal)[N])
{
    return text.size() == N - 1 && std::memcmp(text.data(), literal, N - 1) == 0;
}

// The text of a JSON string, given its first character after the opening quote, when it holds no escape:
// a view into the document, no copy. Stage 1 validated the document, so the closing quote is there; the
// document's padding makes reading up to 15 bytes past it safe.
[[gnu::always_inline]] inline bool plainString(const char *raw, std::string_view *text)
{
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    for (const char *at = raw;; at += 16) {
        const __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i *>(at));
        const auto quotes = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(block, quote)));
        const auto escapes = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(block, backslash)));
        if ((quotes | escapes) == 0)
            continue;
        const int first = __builtin_ctz(quotes | escapes);
        if (escapes & (1u << first))
            return false;
        *text = std::string_view(raw, static_cast<std::size_t>(at + first - raw));
        return true;
    }
#else
    const char *end = raw;
    while (*end != '"' && *end != '\\')
        ++end;
    if (*end == '\\')
        return false;
    *text = std::string_view(raw, static_cast<std::size_t>(end - raw));
    return true;
#endif
}

// An object key. Keys almost never hold escapes; those that do are unescaped into the parser's buffer.
[[gnu::always_inline]] inline bool keyOf(simdjson::simdjson_result<od::field> &field, std::string_view *key)
{
    od::raw_json_string raw;
    if (field.key().get(raw) != simdjson::SUCCESS)
        return false;
    if (plainString(raw.raw(), key))
        return true;
    return field.unescaped_key().get(*key) == simdjson::SUCCESS;
}

// A string value, read in place when it holds no escape (unescaping is a library call and a copy per value).
// Fails, like get_string(), when the value is not a string.
[[gnu::always_inline]] inline bool stringOf(od::value &value, std::string_view *text)
{
    const std::string_view token = value.raw_json_token();
    if (!token.empty() && token.front() == '"' && plainString(token.data() + 1, text)) {
        return true;
    }
    return value.get_string().get(*text) == simdjson::SUCCESS;
}

} // namespace chainsight::json_text

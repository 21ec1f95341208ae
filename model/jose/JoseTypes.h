#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace chainsight::jose {

// Outcome of checking one JWS; every value except Verified means "do not trust this token".
enum class JwsStatus {
    Verified,
    BadSignature,
    UnknownKey,
    WrongKeyType,
    AlgorithmNotAllowed,
    AlgNone,
    Malformed,
    TooLarge,
    UnsupportedCrit,
};

std::string_view jwsStatusName(JwsStatus status);

// The JWS "alg" values this library knows; None and Unknown are never verified.
enum class JwsAlgorithm : std::uint8_t {
    HS256, HS384, HS512,
    RS256, RS384, RS512,
    PS256, PS384, PS512,
    ES256, ES384, ES512,
    EdDSA,
    Ed25519, // fully-specified EdDSA names (RFC 9864)
    Ed448,
    None,
    Unknown,
};

JwsAlgorithm jwsAlgorithmFromName(std::string_view name);
std::string_view jwsAlgorithmName(JwsAlgorithm algorithm);
bool isSymmetric(JwsAlgorithm algorithm);

// A small set of algorithms, used as an allow-list.
class JwsAlgorithmSet final {
public:
    constexpr JwsAlgorithmSet() = default;
    constexpr JwsAlgorithmSet(std::initializer_list<JwsAlgorithm> algorithms)
    {
        for (JwsAlgorithm a : algorithms)
            insert(a);
    }
    constexpr void insert(JwsAlgorithm a) { m_bits |= bit(a); }
    constexpr void erase(JwsAlgorithm a) { m_bits &= ~bit(a); }
    constexpr bool contains(JwsAlgorithm a) const { return (m_bits & bit(a)) != 0; }

    // Every signature algorithm this library implements; never None or Unknown.
    static JwsAlgorithmSet allSignatureAlgorithms();
    static JwsAlgorithmSet asymmetricAlgorithms();

private:
    static constexpr std::uint32_t bit(JwsAlgorithm a)
    {
        return a == JwsAlgorithm::None || a == JwsAlgorithm::Unknown
                   ? 0u
                   : (1u << static_cast<unsigned>(a));
    }
    std::uint32_t m_bits = 0;
};

// Bounds on untrusted input: a token or JSON document past them is refused before any work.
struct JwsLimits {
    std::size_t maxTokenBytes = 256 * 1024;
    std::size_t maxJsonDepth = 64;
};

// A failure with its category and a plain-words explanation (ASCII, safe to show anywhere).
struct JoseError {
    JwsStatus status = JwsStatus::Malformed;
    std::string message;
};

// Either a value or a JoseError; a tiny stand-in for std::expected, which C++20 lacks.
template <typename T>
class Outcome final {
public:
    Outcome(T value) : m_value(std::move(value)) {}
    Outcome(JoseError error) : m_error(std::move(error)) {}

    bool ok() const { return m_value.has_value(); }
    explicit operator bool() const { return ok(); }
    T& value() & { return *m_value; }
    const T& value() const& { return *m_value; }
    T value() && { return std::move(*m_value); }
    T* operator->() { return &*m_value; }
    const T* operator->() const { return &*m_value; }
    const JoseError& error() const { return m_error; }
    JwsStatus status() const { return m_error.status; }
    const std::string& message() const { return m_error.message; }

private:
    std::optional<T> m_value;
    JoseError m_error;
};

// Replaces anything that is not printable ASCII so messages never carry raw input bytes.
std::string printableAscii(std::string_view text, std::size_t maxLength = 120);

} // namespace chainsight::jose

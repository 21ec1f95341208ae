#pragma once

#include "CompactJws.h"
#include "JoseTypes.h"
#include "JsonWebKeySet.h"

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace chainsight::jose {

class SignatureEngine;

// What the verifier accepts. The defaults are strict; loosen only with a reason.
struct VerifierPolicy {
    JwsAlgorithmSet allowedAlgorithms = JwsAlgorithmSet::allSignatureAlgorithms();
    // Extension header names this caller handles itself; any other name in "crit" fails.
    std::vector<std::string> understoodCriticalHeaders;
    std::int64_t clockSkewSeconds = 0;
    JwsLimits limits;
    // A token without "kid" is tried against every key that fits its algorithm; off = UnknownKey.
    bool tryEveryKeyWhenKidAbsent = true;
};

// exp/nbf/iat relative to a given time. Separate from the signature verdict on purpose: an
// audit needs to know both that a token was genuine and that it was used after it expired.
struct TokenTimeFlags {
    bool checked = false;          // false when no time was given
    bool expired = false;          // time >= exp + skew
    bool notYetValid = false;      // time + skew < nbf
    bool issuedInFuture = false;   // time + skew < iat
    bool missingExpiry = false;    // no exp claim at all
    bool invalidTimeClaim = false; // exp/nbf/iat present but not a number in range
    bool anyProblem() const { return expired || notYetValid || issuedInFuture || invalidTimeClaim; }
};

// Reads exp/nbf/iat from claims; times are seconds since the Unix epoch.
TokenTimeFlags checkTokenTimes(const nlohmann::json& claims, std::int64_t atTime, std::int64_t clockSkewSeconds = 0);

struct VerificationResult {
    JwsStatus status = JwsStatus::Malformed;
    std::string message;              // plain words; empty when Verified
    JwsAlgorithm algorithm = JwsAlgorithm::Unknown;
    std::string keyId;                // kid of the key that verified the token
    std::string keyThumbprint;        // RFC 7638 thumbprint of that key
    TokenTimeFlags time;
    bool verified() const { return status == JwsStatus::Verified; }
    // Verified and, when a time was given, inside its validity window.
    bool acceptable() const { return verified() && !time.anyProblem(); }
};

// Remembers signature verdicts by SHA-256 of the whole token, so a token captured many times is
// verified once. Thread-safe; share one between the verifiers of one key set.
class SignatureResultCache final {
public:
    explicit SignatureResultCache(std::size_t capacity = 1u << 16);

    using Digest = std::array<unsigned char, 32>;
    struct Entry {
        bool valid = false;
        std::uint32_t keyIndex = 0;
        std::string reason;
    };
    std::optional<Entry> find(const Digest& digest) const;
    void insert(const Digest& digest, Entry entry);
    std::size_t size() const;
    std::uint64_t hits() const;

private:
    struct DigestHash {
        std::size_t operator()(const Digest& digest) const noexcept;
    };
    std::size_t m_capacity;
    mutable std::mutex m_mutex;
    std::unordered_map<Digest, Entry, DigestHash> m_entries;
    mutable std::uint64_t m_hits = 0;
};

// Verifies compact JWS tokens against a key set. Not thread-safe (it reuses OpenSSL contexts):
// use one per thread, all sharing the same immutable JsonWebKeySet (and optionally one cache).
// Fails closed: anything unexpected yields a status other than Verified.
class SignatureVerifier final {
public:
    explicit SignatureVerifier(std::shared_ptr<const JsonWebKeySet> keys, VerifierPolicy policy = {},
                               std::shared_ptr<SignatureResultCache> cache = nullptr);
    ~SignatureVerifier();
    SignatureVerifier(SignatureVerifier&&) noexcept;
    SignatureVerifier& operator=(SignatureVerifier&&) noexcept;

    // atTime (seconds since the epoch) turns on the exp/nbf/iat flags.
    VerificationResult verify(const CompactJws& jws, std::optional<std::int64_t> atTime = std::nullopt);
    // Parses then verifies; a parse failure becomes the result's status and message.
    VerificationResult verify(std::string_view token, std::optional<std::int64_t> atTime = std::nullopt);

    const VerifierPolicy& policy() const { return m_policy; }
    const JsonWebKeySet& keys() const { return *m_keys; }

private:
    std::shared_ptr<const JsonWebKeySet> m_keys;
    VerifierPolicy m_policy;
    std::shared_ptr<SignatureResultCache> m_cache;
    std::unique_ptr<SignatureEngine> m_engine;
    std::vector<std::size_t> m_candidates; // reused between calls
    CompactJws m_scratch;                  // reused by verify(string_view)
};

} // namespace chainsight::jose

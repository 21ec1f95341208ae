#include "SignatureVerifier.h"

#include "SignatureEngine.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace chainsight::jose {

namespace {

enum class NumericDate { Absent, Valid, Invalid };

constexpr std::int64_t kMaxSkewSeconds = 366LL * 24 * 3600;

// RFC 7519 NumericDate: a JSON number of seconds, possibly fractional; anything else is invalid.
NumericDate readNumericDate(const nlohmann::json& claims, const char* name, std::int64_t& value)
{
    const auto it = claims.find(name);
    if (it == claims.end())
        return NumericDate::Absent;
    if (it->is_number_integer()) {
        if (it->is_number_unsigned() && it->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX / 2))
            return NumericDate::Invalid;
        value = it->get<std::int64_t>();
        return NumericDate::Valid;
    }
    if (it->is_number_float()) {
        const double d = it->get<double>();
        if (!std::isfinite(d) || std::fabs(d) > 9.0e15)
            return NumericDate::Invalid;
        value = static_cast<std::int64_t>(std::floor(d));
        return NumericDate::Valid;
    }
    return NumericDate::Invalid;
}

VerificationResult failure(JwsStatus status, std::string message, JwsAlgorithm algorithm)
{
    VerificationResult result;
    result.status = status;
    result.message = std::move(message);
    result.algorithm = algorithm;
    return result;
}

} // namespace

TokenTimeFlags checkTokenTimes(const nlohmann::json& claims, std::int64_t atTime, std::int64_t clockSkewSeconds)
{
    // A negative or absurd skew makes no sense; bounding it keeps the arithmetic below defined.
    clockSkewSeconds = std::clamp<std::int64_t>(clockSkewSeconds, 0, kMaxSkewSeconds);
    TokenTimeFlags flags;
    flags.checked = true;
    if (!claims.is_object()) {
        flags.missingExpiry = true;
        return flags;
    }
    std::int64_t value = 0;
    // Saturating arithmetic keeps absurd claim values from overflowing.
    const auto plusSkew = [clockSkewSeconds](std::int64_t t) {
        return t > INT64_MAX - clockSkewSeconds ? INT64_MAX : t + clockSkewSeconds;
    };
    switch (readNumericDate(claims, "exp", value)) {
    case NumericDate::Absent: flags.missingExpiry = true; break;
    case NumericDate::Invalid: flags.invalidTimeClaim = true; break;
    case NumericDate::Valid: flags.expired = atTime >= plusSkew(value); break;
    }
    switch (readNumericDate(claims, "nbf", value)) {
    case NumericDate::Absent: break;
    case NumericDate::Invalid: flags.invalidTimeClaim = true; break;
    case NumericDate::Valid: flags.notYetValid = plusSkew(atTime) < value; break;
    }
    switch (readNumericDate(claims, "iat", value)) {
    case NumericDate::Absent: break;
    case NumericDate::Invalid: flags.invalidTimeClaim = true; break;
    case NumericDate::Valid: flags.issuedInFuture = plusSkew(atTime) < value; break;
    }
    return flags;
}

SignatureResultCache::SignatureResultCache(std::size_t capacity) : m_capacity(capacity == 0 ? 1 : capacity) {}

std::size_t SignatureResultCache::DigestHash::operator()(const Digest& digest) const noexcept
{
    std::size_t value = 0;
    std::memcpy(&value, digest.data(), sizeof value); // already uniformly distributed
    return value;
}

std::optional<SignatureResultCache::Entry> SignatureResultCache::find(const Digest& digest) const
{
    std::lock_guard lock(m_mutex);
    const auto it = m_entries.find(digest);
    if (it == m_entries.end())
        return std::nullopt;
    ++m_hits;
    return it->second;
}

void SignatureResultCache::insert(const Digest& digest, Entry entry)
{
    std::lock_guard lock(m_mutex);
    if (m_entries.size() >= m_capacity)
        m_entries.clear(); // crude but bounded; captures of one token cluster in time
    m_entries.emplace(digest, std::move(entry));
}

std::size_t SignatureResultCache::size() const
{
    std::lock_guard lock(m_mutex);
    return m_entries.size();
}

std::uint64_t SignatureResultCache::hits() const
{
    std::lock_guard lock(m_mutex);
    return m_hits;
}

SignatureVerifier::SignatureVerifier(std::shared_ptr<const JsonWebKeySet> keys, VerifierPolicy policy,
                                     std::shared_ptr<SignatureResultCache> cache)
    : m_keys(keys ? std::move(keys) : std::make_shared<const JsonWebKeySet>())
    , m_policy(std::move(policy))
    , m_cache(std::move(cache))
    , m_engine(std::make_unique<SignatureEngine>())
{
}

SignatureVerifier::~SignatureVerifier() = default;
SignatureVerifier::SignatureVerifier(SignatureVerifier&&) noexcept = default;
SignatureVerifier& SignatureVerifier::operator=(SignatureVerifier&&) noexcept = default;

VerificationResult SignatureVerifier::verify(std::string_view token, std::optional<std::int64_t> atTime)
{
    if (auto error = m_scratch.assign(token, m_policy.limits))
        return failure(error->status, std::move(error->message), JwsAlgorithm::Unknown);
    return verify(m_scratch, atTime);
}

VerificationResult SignatureVerifier::verify(const CompactJws& jws, std::optional<std::int64_t> atTime)
{
    const JwsAlgorithm algorithm = jws.algorithm();
    VerificationResult result = [&]() -> VerificationResult {
        if (algorithm == JwsAlgorithm::None)
            return failure(JwsStatus::AlgNone, "alg \"none\": the token is unsigned and is never trusted", algorithm);
        if (algorithm == JwsAlgorithm::Unknown)
            return failure(JwsStatus::AlgorithmNotAllowed,
                           "unknown algorithm \"" + printableAscii(jws.algorithmName(), 40) + "\"", algorithm);
        if (!m_policy.allowedAlgorithms.contains(algorithm))
            return failure(JwsStatus::AlgorithmNotAllowed,
                           std::string(jwsAlgorithmName(algorithm)) + " is not on the allowed list", algorithm);
        for (const auto& name : jws.criticalHeaders()) {
            bool understood = false;
            for (const auto& known : m_policy.understoodCriticalHeaders)
                understood = understood || known == name;
            if (!understood)
                return failure(JwsStatus::UnsupportedCrit,
                               "header \"" + printableAscii(name, 60) + "\" is marked critical and is not understood",
                               algorithm);
        }

        // Pick candidate keys: the kid decides, and a kid naming a key of another type fails.
        const auto& keys = m_keys->keys();
        m_candidates.clear();
        if (jws.hasKeyId()) {
            const auto& named = m_keys->indexesWithKeyId(jws.keyId());
            if (named.empty()) {
                std::string message = "no key with kid \"" + printableAscii(jws.keyId(), 60) + "\"";
                if (const auto* rejected = m_keys->rejectedKeyWithId(jws.keyId()))
                    message += " (the key set had one but it was rejected: " + rejected->reason + ")";
                return failure(JwsStatus::UnknownKey, std::move(message), algorithm);
            }
            KeyFit firstMisfit = KeyFit::Fits;
            std::size_t misfitIndex = 0;
            for (std::size_t index : named) {
                const KeyFit fit = keyFitsAlgorithm(keys[index], algorithm);
                if (fit == KeyFit::Fits) {
                    m_candidates.push_back(index);
                } else if (firstMisfit == KeyFit::Fits) {
                    firstMisfit = fit;
                    misfitIndex = index;
                }
            }
            if (m_candidates.empty())
                return failure(statusForKeyFit(firstMisfit), explainKeyFit(firstMisfit, keys[misfitIndex], algorithm),
                               algorithm);
        } else {
            if (!m_policy.tryEveryKeyWhenKidAbsent)
                return failure(JwsStatus::UnknownKey, "token has no kid", algorithm);
            for (std::size_t index = 0; index < keys.size(); ++index)
                if (keyFitsAlgorithm(keys[index], algorithm) == KeyFit::Fits)
                    m_candidates.push_back(index);
            if (m_candidates.empty())
                return failure(JwsStatus::UnknownKey,
                               "token has no kid and no key in the set can verify "
                                   + std::string(jwsAlgorithmName(algorithm)),
                               algorithm);
        }

        SignatureResultCache::Digest digest{};
        if (m_cache) {
            m_engine->sha256(jws.token(), digest.data());
            if (const auto cached = m_cache->find(digest)) {
                if (cached->valid && cached->keyIndex < keys.size()) {
                    VerificationResult ok;
                    ok.status = JwsStatus::Verified;
                    ok.algorithm = algorithm;
                    ok.keyId = keys[cached->keyIndex].keyId();
                    ok.keyThumbprint = keys[cached->keyIndex].thumbprint();
                    return ok;
                }
                if (!cached->valid)
                    return failure(JwsStatus::BadSignature, cached->reason, algorithm);
            }
        }

        std::string reason;
        for (std::size_t index : m_candidates) {
            if (m_engine->verify(keys[index], algorithm, jws.signingInput(), jws.signature(), &reason)) {
                if (m_cache)
                    m_cache->insert(digest, {true, static_cast<std::uint32_t>(index), {}});
                VerificationResult ok;
                ok.status = JwsStatus::Verified;
                ok.algorithm = algorithm;
                ok.keyId = keys[index].keyId();
                ok.keyThumbprint = keys[index].thumbprint();
                return ok;
            }
        }
        std::string message;
        if (m_candidates.size() == 1) {
            const auto& key = keys[m_candidates.front()];
            message = reason + " (" + std::string(jwsAlgorithmName(algorithm)) + ", "
                      + (key.hasKeyId() ? "key \"" + printableAscii(key.keyId(), 60) + "\"" : key.describe() + " key") + ")";
        } else {
            message = "signature does not match any of " + std::to_string(m_candidates.size()) + " "
                      + std::string(jwsAlgorithmName(algorithm)) + " keys";
        }
        if (m_cache)
            m_cache->insert(digest, {false, 0, message});
        return failure(JwsStatus::BadSignature, std::move(message), algorithm);
    }();

    if (atTime)
        result.time = checkTokenTimes(jws.claims(), *atTime, m_policy.clockSkewSeconds);
    return result;
}

} // namespace chainsight::jose

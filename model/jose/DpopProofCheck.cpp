#include "DpopProofCheck.h"

#include "Base64Url.h"
#include "CompactJws.h"
#include "SignatureEngine.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cmath>

namespace chainsight::jose {

namespace {

using json = nlohmann::json;

DpopCheckResult failed(DpopCheckResult result, DpopStatus status, std::string message)
{
    result.status = status;
    result.message = std::move(message);
    return result;
}

DpopStatus fromJwsStatus(JwsStatus status)
{
    switch (status) {
    case JwsStatus::TooLarge: return DpopStatus::TooLarge;
    case JwsStatus::UnsupportedCrit: return DpopStatus::UnsupportedCrit;
    case JwsStatus::AlgNone: return DpopStatus::AlgNone;
    case JwsStatus::AlgorithmNotAllowed: return DpopStatus::AlgorithmNotAllowed;
    default: return DpopStatus::Malformed;
    }
}

constexpr std::int64_t kTimeBound = 4'000'000'000'000'000'000LL;

constexpr std::array<const char*, 8> kPrivateMembers{"d", "p", "q", "dp", "dq", "qi", "oth", "k"};

char asciiLower(char c)
{
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

} // namespace

std::string_view dpopStatusName(DpopStatus status)
{
    switch (status) {
    case DpopStatus::Valid: return "Valid";
    case DpopStatus::Malformed: return "Malformed";
    case DpopStatus::TooLarge: return "TooLarge";
    case DpopStatus::WrongType: return "WrongType";
    case DpopStatus::AlgNone: return "AlgNone";
    case DpopStatus::AlgorithmNotAllowed: return "AlgorithmNotAllowed";
    case DpopStatus::UnsupportedCrit: return "UnsupportedCrit";
    case DpopStatus::InvalidKey: return "InvalidKey";
    case DpopStatus::PrivateKeyInProof: return "PrivateKeyInProof";
    case DpopStatus::BadSignature: return "BadSignature";
    case DpopStatus::ThumbprintMismatch: return "ThumbprintMismatch";
    case DpopStatus::MethodMismatch: return "MethodMismatch";
    case DpopStatus::UrlMismatch: return "UrlMismatch";
    case DpopStatus::AccessTokenHashMismatch: return "AccessTokenHashMismatch";
    case DpopStatus::OutsideTimeWindow: return "OutsideTimeWindow";
    case DpopStatus::MissingClaim: return "MissingClaim";
    case DpopStatus::Replayed: return "Replayed";
    }
    return "?";
}

bool DpopReplayTracker::recordFirstUse(std::string_view thumbprint, std::string_view tokenId, std::int64_t issuedAt)
{
    std::string key;
    key.reserve(thumbprint.size() + 1 + tokenId.size());
    key.append(thumbprint).append(1, '\n').append(tokenId); // a thumbprint never contains a newline
    std::lock_guard lock(m_mutex);
    return m_seen.emplace(std::move(key), issuedAt).second;
}

void DpopReplayTracker::forgetIssuedBefore(std::int64_t time)
{
    std::lock_guard lock(m_mutex);
    std::erase_if(m_seen, [time](const auto& entry) { return entry.second < time; });
}

std::size_t DpopReplayTracker::size() const
{
    std::lock_guard lock(m_mutex);
    return m_seen.size();
}

DpopProofCheck::DpopProofCheck(DpopPolicy policy)
    : m_policy(std::move(policy)), m_engine(std::make_unique<SignatureEngine>())
{
}

DpopProofCheck::~DpopProofCheck() = default;
DpopProofCheck::DpopProofCheck(DpopProofCheck&&) noexcept = default;
DpopProofCheck& DpopProofCheck::operator=(DpopProofCheck&&) noexcept = default;

std::string DpopProofCheck::accessTokenHash(std::string_view accessToken)
{
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    EVP_Digest(accessToken.data(), accessToken.size(), digest.data(), &length, EVP_sha256(), nullptr);
    return Base64Url::encode(std::string_view(reinterpret_cast<const char*>(digest.data()), length));
}

std::string DpopProofCheck::sha256Base64Url(std::string_view data)
{
    std::array<unsigned char, 32> digest{};
    m_engine->sha256(data, digest.data()); // prefetched digest: no per-call algorithm lookup
    return Base64Url::encode(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

std::string DpopProofCheck::normalizedHtu(std::string_view url)
{
    url = url.substr(0, std::min(url.find('#'), url.size()));
    url = url.substr(0, std::min(url.find('?'), url.size()));
    const std::size_t schemeEnd = url.find("://");
    if (schemeEnd == std::string_view::npos)
        return std::string(url);
    const std::size_t authorityStart = schemeEnd + 3;
    const std::size_t pathStart = std::min(url.find('/', authorityStart), url.size());
    std::string scheme(url.substr(0, schemeEnd));
    std::string authority(url.substr(authorityStart, pathStart - authorityStart));
    std::transform(scheme.begin(), scheme.end(), scheme.begin(), asciiLower);
    std::transform(authority.begin(), authority.end(), authority.begin(), asciiLower);
    const auto dropPort = [&authority](std::string_view port) {
        if (authority.size() > port.size() && authority.compare(authority.size() - port.size(), port.size(), port) == 0)
            authority.resize(authority.size() - port.size());
    };
    if (scheme == "https")
        dropPort(":443");
    else if (scheme == "http")
        dropPort(":80");
    const std::string_view path = pathStart < url.size() ? url.substr(pathStart) : std::string_view("/");
    std::string normalized;
    normalized.reserve(scheme.size() + 3 + authority.size() + path.size());
    normalized.append(scheme).append("://").append(authority).append(path);
    return normalized;
}

DpopCheckResult DpopProofCheck::check(std::string_view proof, const DpopRequest& request, DpopReplayTracker* replay)
{
    DpopCheckResult result;
    if (auto error = m_proof.assign(proof, m_policy.limits))
        return failed(std::move(result), fromJwsStatus(error->status), "DPoP proof: " + error->message);
    const CompactJws& jws = m_proof;
    result.algorithm = jws.algorithm();

    std::string typ = jws.type();
    std::transform(typ.begin(), typ.end(), typ.begin(), asciiLower);
    if (typ != "dpop+jwt")
        return failed(std::move(result), DpopStatus::WrongType,
                      jws.type().empty() ? std::string("DPoP proof has no typ")
                                         : "DPoP proof typ is \"" + printableAscii(jws.type(), 40) + "\", not dpop+jwt");
    if (jws.algorithm() == JwsAlgorithm::None)
        return failed(std::move(result), DpopStatus::AlgNone, "DPoP proof uses alg \"none\"");
    if (jws.algorithm() == JwsAlgorithm::Unknown || isSymmetric(jws.algorithm())
        || !m_policy.allowedAlgorithms.contains(jws.algorithm()))
        return failed(std::move(result), DpopStatus::AlgorithmNotAllowed,
                      "DPoP proof algorithm \"" + printableAscii(jws.algorithmName(), 40)
                          + "\" is not an allowed asymmetric algorithm");
    if (!jws.criticalHeaders().empty())
        return failed(std::move(result), DpopStatus::UnsupportedCrit,
                      "DPoP proof marks \"" + printableAscii(jws.criticalHeaders().front(), 60) + "\" critical");

    // The key travels in the proof; it must be a bare public key.
    const auto jwkIt = jws.header().find("jwk");
    if (jwkIt == jws.header().end() || !jwkIt->is_object())
        return failed(std::move(result), DpopStatus::InvalidKey, "DPoP proof header has no \"jwk\" object");
    for (const char* name : kPrivateMembers)
        if (jwkIt->contains(name))
            return failed(std::move(result), DpopStatus::PrivateKeyInProof,
                          std::string("DPoP proof jwk carries the private member \"") + name + "\"");
    auto thumbprintInput = JsonWebKey::thumbprintInput(*jwkIt);
    if (!thumbprintInput)
        return failed(std::move(result), DpopStatus::InvalidKey, "DPoP proof jwk: " + thumbprintInput.message());
    result.thumbprint = sha256Base64Url(thumbprintInput.value());

    std::shared_ptr<const JsonWebKey> key;
    if (const auto cached = m_keyCache.find(result.thumbprint); cached != m_keyCache.end()) {
        key = cached->second;
    } else {
        // Only the thumbprint members define the key; alg/use/kid in a proof jwk carry no authority.
        json bare = json::object();
        for (const char* name : {"kty", "crv", "x", "y", "n", "e"})
            if (const auto member = jwkIt->find(name); member != jwkIt->end())
                bare[name] = *member;
        auto loaded = JsonWebKey::fromJson(bare);
        if (!loaded)
            return failed(std::move(result), DpopStatus::InvalidKey, "DPoP proof jwk: " + loaded.message());
        key = std::make_shared<const JsonWebKey>(std::move(loaded.value()));
        if (m_keyCache.size() >= m_policy.keyCacheCapacity)
            m_keyCache.clear();
        m_keyCache.emplace(result.thumbprint, key);
    }
    if (const KeyFit fit = keyFitsAlgorithm(*key, jws.algorithm()); fit != KeyFit::Fits)
        return failed(std::move(result), DpopStatus::AlgorithmNotAllowed, "DPoP proof: " + explainKeyFit(fit, *key, jws.algorithm()));
    std::string reason;
    if (!m_engine->verify(*key, jws.algorithm(), jws.signingInput(), jws.signature(), &reason))
        return failed(std::move(result), DpopStatus::BadSignature, "DPoP proof signature: " + reason);

    // Binding: the access token names the proof key by its thumbprint (cnf.jkt).
    if (!request.expectedThumbprint.empty()) {
        if (request.expectedThumbprint != result.thumbprint)
            return failed(std::move(result), DpopStatus::ThumbprintMismatch,
                          "DPoP key thumbprint " + result.thumbprint + " differs from the access token's cnf.jkt "
                              + printableAscii(request.expectedThumbprint, 60));
    } else if (!request.accessToken.empty()) {
        return failed(std::move(result), DpopStatus::ThumbprintMismatch,
                      "the access token has no cnf.jkt, so it is not bound to this DPoP key");
    }

    const json& claims = jws.claims();
    const auto stringClaim = [&claims](const char* name) -> const std::string* {
        const auto it = claims.find(name);
        return it != claims.end() && it->is_string() ? &it->get_ref<const std::string&>() : nullptr;
    };
    const std::string* jti = stringClaim("jti");
    const std::string* htm = stringClaim("htm");
    const std::string* htu = stringClaim("htu");
    const auto iat = claims.find("iat");
    if (!jti || jti->empty() || !htm || !htu || iat == claims.end() || !iat->is_number())
        return failed(std::move(result), DpopStatus::MissingClaim,
                      "DPoP proof needs string jti, htm, htu and a numeric iat");
    result.tokenId = *jti;
    const double iatValue = iat->get<double>();
    if (!std::isfinite(iatValue) || std::fabs(iatValue) > 9.0e15)
        return failed(std::move(result), DpopStatus::MissingClaim, "DPoP proof iat is out of range");
    result.issuedAt = static_cast<std::int64_t>(std::floor(iatValue));

    if (*htm != request.method)
        return failed(std::move(result), DpopStatus::MethodMismatch,
                      "DPoP htm \"" + printableAscii(*htm, 20) + "\" differs from the request method \""
                          + printableAscii(request.method, 20) + "\"");
    if (normalizedHtu(*htu) != normalizedHtu(request.url))
        return failed(std::move(result), DpopStatus::UrlMismatch,
                      "DPoP htu \"" + printableAscii(*htu) + "\" differs from the request URL \""
                          + printableAscii(request.url) + "\"");
    // Both sides are bounded (iat by the range check above, the request time here), so the
    // difference cannot overflow.
    const std::int64_t requestTime = std::clamp<std::int64_t>(request.atTime, -kTimeBound, kTimeBound);
    const std::int64_t age = requestTime - result.issuedAt;
    if (age > m_policy.maxAgeSeconds || -age > m_policy.maxFutureSeconds)
        return failed(std::move(result), DpopStatus::OutsideTimeWindow,
                      "DPoP proof iat " + std::to_string(result.issuedAt) + " is " + std::to_string(age)
                          + " s from the request time, outside the allowed window");
    if (!request.accessToken.empty()) {
        const std::string* ath = stringClaim("ath");
        if (!ath)
            return failed(std::move(result), DpopStatus::AccessTokenHashMismatch,
                          "DPoP proof for a resource request has no ath");
        if (*ath != sha256Base64Url(request.accessToken))
            return failed(std::move(result), DpopStatus::AccessTokenHashMismatch,
                          "DPoP ath is not the SHA-256 of the presented access token");
    }
    if (replay && !replay->recordFirstUse(result.thumbprint, result.tokenId, result.issuedAt))
        return failed(std::move(result), DpopStatus::Replayed,
                      "DPoP proof jti \"" + printableAscii(result.tokenId, 60) + "\" was already used with this key");
    result.status = DpopStatus::Valid;
    return result;
}

} // namespace chainsight::jose

#pragma once

#include "CompactJws.h"
#include "JoseTypes.h"
#include "JsonWebKey.h"

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace chainsight::jose {

class SignatureEngine;

// Verdict on one DPoP proof (RFC 9449 section 4.3); only Valid means the proof holds.
enum class DpopStatus {
    Valid,
    Malformed,
    TooLarge,
    WrongType,               // typ is not dpop+jwt
    AlgNone,
    AlgorithmNotAllowed,     // unknown, symmetric, or not matching the embedded key
    UnsupportedCrit,
    InvalidKey,              // no usable public jwk in the header
    PrivateKeyInProof,       // the header jwk carries private members
    BadSignature,
    ThumbprintMismatch,      // jwk thumbprint differs from the access token's cnf.jkt
    MethodMismatch,          // htm
    UrlMismatch,             // htu (compared without query and fragment)
    AccessTokenHashMismatch, // ath missing or not base64url(SHA-256(access token))
    OutsideTimeWindow,       // iat too old or in the future
    MissingClaim,            // jti, htm, htu or iat absent or of the wrong type
    Replayed,                // the same jti was already used with this key
};

std::string_view dpopStatusName(DpopStatus status);

// The HTTP request a proof was presented with.
struct DpopRequest {
    std::string_view method;             // expected htm, e.g. "POST"
    std::string_view url;                // expected htu
    std::string_view accessToken;        // empty for a token-endpoint proof (no ath expected)
    std::string_view expectedThumbprint; // the access token's cnf.jkt; empty when it has none
    std::int64_t atTime = 0;             // when the request was made, seconds since the epoch
};

struct DpopPolicy {
    JwsAlgorithmSet allowedAlgorithms = JwsAlgorithmSet::asymmetricAlgorithms();
    std::int64_t maxAgeSeconds = 300;   // how old iat may be
    std::int64_t maxFutureSeconds = 60; // how far ahead iat may be (clock skew)
    JwsLimits limits{64 * 1024, 16};
    std::size_t keyCacheCapacity = 4096;
};

struct DpopCheckResult {
    DpopStatus status = DpopStatus::Malformed;
    std::string message;
    std::string thumbprint; // RFC 7638 thumbprint of the proof key (when it could be read)
    std::string tokenId;    // jti
    std::int64_t issuedAt = 0;
    JwsAlgorithm algorithm = JwsAlgorithm::Unknown;
    bool valid() const { return status == DpopStatus::Valid; }
};

// Remembers (key thumbprint, jti) pairs to flag replayed proofs. A proof is recorded only once it
// is otherwise valid, so forged proofs cannot pre-empt genuine ones. Thread-safe: one tracker
// serves every worker of an import, so a replay is caught whichever thread sees it.
class DpopReplayTracker final {
public:
    // Returns true the first time the pair is seen, false for a replay.
    bool recordFirstUse(std::string_view thumbprint, std::string_view tokenId, std::int64_t issuedAt);
    // Drops entries issued before time (proofs that old fail the iat window anyway).
    void forgetIssuedBefore(std::int64_t time);
    std::size_t size() const;

private:
    mutable std::mutex m_mutex;
    std::unordered_map<std::string, std::int64_t> m_seen;
};

// Checks DPoP proofs. Not thread-safe (reused contexts, key cache): one per thread.
class DpopProofCheck final {
public:
    explicit DpopProofCheck(DpopPolicy policy = {});
    ~DpopProofCheck();
    DpopProofCheck(DpopProofCheck&&) noexcept;
    DpopProofCheck& operator=(DpopProofCheck&&) noexcept;

    DpopCheckResult check(std::string_view proof, const DpopRequest& request, DpopReplayTracker* replay = nullptr);

    // base64url(SHA-256(accessToken)), the value "ath" must carry.
    static std::string accessTokenHash(std::string_view accessToken);
    // htu as compared: scheme and host lower-cased, default port dropped, query and fragment cut.
    static std::string normalizedHtu(std::string_view url);

private:
    std::string sha256Base64Url(std::string_view data);

    DpopPolicy m_policy;
    std::unique_ptr<SignatureEngine> m_engine;
    std::unordered_map<std::string, std::shared_ptr<const JsonWebKey>> m_keyCache;
    CompactJws m_proof; // reused between proofs for its buffers
};

} // namespace chainsight::jose

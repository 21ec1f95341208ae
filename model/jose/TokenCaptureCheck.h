#pragma once

#include "CompactJws.h"
#include "DelegationClaims.h"
#include "DpopProofCheck.h"
#include "SignatureVerifier.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

namespace chainsight::jose {

// One gateway capture: an access token as presented, with its DPoP proof when there was one.
struct TokenCapture {
    std::string_view token;
    std::string_view dpopProof; // empty: no DPoP header
    std::string_view method;
    std::string_view url;
    std::int64_t time = 0; // seconds since the epoch
};

struct TokenCaptureResult {
    VerificationResult token;              // signature verdict and time flags
    std::optional<DelegationClaims> claims; // absent when the token or its claims are unreadable
    std::string claimsError;               // why claims is absent
    std::optional<DpopCheckResult> dpop;   // absent when the capture had no proof
    // Signature verified, inside its validity window, and any DPoP proof valid.
    bool trustworthy() const { return token.acceptable() && (!dpop || dpop->valid()); }
};

// Everything the JWT capture importer does per record, in one call: parse, verify, read the
// delegation claims, check the DPoP proof against the token's cnf.jkt. One per thread; the key
// set, the signature cache and (behind the caller's lock) the replay tracker are shared.
class TokenCaptureCheck final {
public:
    explicit TokenCaptureCheck(std::shared_ptr<const JsonWebKeySet> keys, VerifierPolicy policy = {},
                               DpopPolicy dpopPolicy = {}, std::shared_ptr<SignatureResultCache> cache = nullptr);

    TokenCaptureResult check(const TokenCapture& capture, DpopReplayTracker* replay = nullptr);

    // The token parsed by the last check() (header and claims), valid until the next call.
    const CompactJws& lastToken() const { return m_token; }

private:
    SignatureVerifier m_verifier;
    DpopProofCheck m_dpop;
    CompactJws m_token;
};

} // namespace chainsight::jose

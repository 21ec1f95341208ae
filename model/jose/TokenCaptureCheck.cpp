#include "TokenCaptureCheck.h"

namespace chainsight::jose {

TokenCaptureCheck::TokenCaptureCheck(std::shared_ptr<const JsonWebKeySet> keys, VerifierPolicy policy,
                                     DpopPolicy dpopPolicy, std::shared_ptr<SignatureResultCache> cache)
    : m_verifier(std::move(keys), std::move(policy), std::move(cache)), m_dpop(std::move(dpopPolicy))
{
}

TokenCaptureResult TokenCaptureCheck::check(const TokenCapture& capture, DpopReplayTracker* replay)
{
    TokenCaptureResult result;
    if (auto error = m_token.assign(capture.token, m_verifier.policy().limits)) {
        result.token.status = error->status;
        result.token.message = error->message;
        result.claimsError = error->message;
    } else {
        result.token = m_verifier.verify(m_token, capture.time);
        auto claims = DelegationClaims::fromClaims(m_token.claims());
        if (claims)
            result.claims = std::move(claims).value();
        else
            result.claimsError = claims.message();
    }
    if (!capture.dpopProof.empty()) {
        // An unreadable token binds nothing: the proof is then checked against an empty cnf.jkt,
        // which fails as a thumbprint mismatch rather than passing unbound.
        const std::string_view jkt = result.claims ? std::string_view(result.claims->confirmationThumbprint)
                                                   : std::string_view();
        const DpopRequest request{capture.method, capture.url, capture.token, jkt, capture.time};
        result.dpop = m_dpop.check(capture.dpopProof, request, replay);
    }
    return result;
}

} // namespace chainsight::jose

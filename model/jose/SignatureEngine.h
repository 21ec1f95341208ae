#pragma once

#include "JoseTypes.h"
#include "JsonWebKey.h"
#include "OpenSslHandles.h"

#include <string>
#include <string_view>

namespace chainsight::jose {

// Whether a key may be used with an algorithm, and if not, why.
enum class KeyFit {
    Fits,
    WrongKeyType,      // e.g. HS256 with an RSA key (the classic public-key-as-HMAC-secret trick)
    WrongCurve,        // e.g. ES256 with a P-384 key
    DeclaredAlgorithmDiffers, // the key's own "alg" names another algorithm
    NotForSignatures,  // "use" or "key_ops" exclude verification
    KeyTooShort,       // HMAC secret shorter than the hash output
};

KeyFit keyFitsAlgorithm(const JsonWebKey& key, JwsAlgorithm algorithm);
std::string explainKeyFit(KeyFit fit, const JsonWebKey& key, JwsAlgorithm algorithm);
JwsStatus statusForKeyFit(KeyFit fit);

// The signature primitives, with OpenSSL contexts reused across calls. One per thread.
class SignatureEngine final {
public:
    SignatureEngine();

    // True when signature is a valid JWS signature of signingInput under key with algorithm.
    // On false, *reason (when given) gets a plain explanation.
    bool verify(const JsonWebKey& key, JwsAlgorithm algorithm, std::string_view signingInput,
                std::string_view signature, std::string* reason = nullptr);

    // Produces a JWS signature (raw R||S for ECDSA). Needs a private key (or an oct secret).
    bool sign(const JsonWebKey& key, JwsAlgorithm algorithm, std::string_view signingInput,
              std::string& signature, std::string* reason = nullptr);

    // SHA-256 of data into out (32 bytes).
    void sha256(std::string_view data, unsigned char* out);

private:
    bool hmac(const JsonWebKey& key, JwsAlgorithm algorithm, std::string_view data, unsigned char* out,
              std::size_t& outLength);

    EvpMdCtxPtr m_mdContext;
    EvpMdCtxPtr m_hashContext;
    EvpMacCtxPtr m_macContext;
};

} // namespace chainsight::jose

#include "OpenSslHandles.h"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

namespace chainsight::jose {

void EvpPkeyDeleter::operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
void EvpPkeyCtxDeleter::operator()(EVP_PKEY_CTX* p) const noexcept { EVP_PKEY_CTX_free(p); }
void EvpMdCtxDeleter::operator()(EVP_MD_CTX* p) const noexcept { EVP_MD_CTX_free(p); }
void EvpMdDeleter::operator()(EVP_MD* p) const noexcept { EVP_MD_free(p); }
void EvpMacDeleter::operator()(EVP_MAC* p) const noexcept { EVP_MAC_free(p); }
void EvpMacCtxDeleter::operator()(EVP_MAC_CTX* p) const noexcept { EVP_MAC_CTX_free(p); }
void BignumDeleter::operator()(BIGNUM* p) const noexcept { BN_clear_free(p); }
void ParamBuildDeleter::operator()(OSSL_PARAM_BLD* p) const noexcept { OSSL_PARAM_BLD_free(p); }
void ParamDeleter::operator()(OSSL_PARAM* p) const noexcept { OSSL_PARAM_free(p); }

std::string takeOpenSslErrors()
{
    std::string text;
    char buffer[256];
    while (const unsigned long code = ERR_get_error()) {
        ERR_error_string_n(code, buffer, sizeof buffer);
        if (!text.empty())
            text += "; ";
        text += buffer;
    }
    return text;
}

} // namespace chainsight::jose

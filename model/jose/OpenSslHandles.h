#pragma once

#include <openssl/types.h>

#include <memory>
#include <string>

namespace chainsight::jose {

// Owning handles for OpenSSL objects, so no early return can leak one.
struct EvpPkeyDeleter { void operator()(EVP_PKEY* p) const noexcept; };
struct EvpPkeyCtxDeleter { void operator()(EVP_PKEY_CTX* p) const noexcept; };
struct EvpMdCtxDeleter { void operator()(EVP_MD_CTX* p) const noexcept; };
struct EvpMdDeleter { void operator()(EVP_MD* p) const noexcept; };
struct EvpMacDeleter { void operator()(EVP_MAC* p) const noexcept; };
struct EvpMacCtxDeleter { void operator()(EVP_MAC_CTX* p) const noexcept; };
struct BignumDeleter { void operator()(BIGNUM* p) const noexcept; };
struct ParamBuildDeleter { void operator()(OSSL_PARAM_BLD* p) const noexcept; };
struct ParamDeleter { void operator()(OSSL_PARAM* p) const noexcept; };

using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyDeleter>;
using EvpPkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, EvpPkeyCtxDeleter>;
using EvpMdCtxPtr = std::unique_ptr<EVP_MD_CTX, EvpMdCtxDeleter>;
using EvpMdPtr = std::unique_ptr<EVP_MD, EvpMdDeleter>;
using EvpMacPtr = std::unique_ptr<EVP_MAC, EvpMacDeleter>;
using EvpMacCtxPtr = std::unique_ptr<EVP_MAC_CTX, EvpMacCtxDeleter>;
using BignumPtr = std::unique_ptr<BIGNUM, BignumDeleter>;
using ParamBuildPtr = std::unique_ptr<OSSL_PARAM_BLD, ParamBuildDeleter>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, ParamDeleter>;

// Drains OpenSSL's thread-local error queue into one line (empty when there was nothing).
std::string takeOpenSslErrors();

} // namespace chainsight::jose

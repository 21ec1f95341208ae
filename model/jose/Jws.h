#pragma once

// The whole JOSE library in one include: parsing, keys, verification, delegation, DPoP.
#include "Base64Url.h"
#include "CompactJws.h"
#include "DelegationClaims.h"
#include "DpopProofCheck.h"
#include "JoseTypes.h"
#include "JsonWebKey.h"
#include "JsonWebKeySet.h"
#include "JwsSigner.h"
#include "SignatureVerifier.h"
#include "TokenCaptureCheck.h"

#pragma once

#include "SourceImporter.h"

namespace chainsight {

// Gateway captures of bearer tokens, one a line: {"time","token","request":{"method","url"},"dpop"?}, or a
// bare compact JWS a line. Signatures are verified against the JWKS given with --jwks; DPoP proofs are
// checked against the request they came with. See docs/formats.md.
class JwtCaptureImporter final : public SourceImporter
{
public:
    QString format() const override { return QStringLiteral("jwt-captures"); }
    QString description() const override { return QStringLiteral("JWT access-token captures (JSON lines or bare JWS)"); }
    int sniff(const SniffSample &sample) const override;
    qint64 import(ImportContext &context) const override;
};

} // namespace chainsight

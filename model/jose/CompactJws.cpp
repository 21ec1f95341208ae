#include "CompactJws.h"

#include "Base64Url.h"
#include "StrictJson.h"

#include <algorithm>
#include <array>

namespace chainsight::jose {

namespace {

using json = nlohmann::json;

JoseError malformed(std::string message)
{
    return JoseError{JwsStatus::Malformed, std::move(message)};
}

// Header names RFC 7515/7518 define; crit may not list them (RFC 7515 section 4.1.11).
constexpr std::array<std::string_view, 11> kRegisteredHeaders{
    "alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty", "crit"};

bool isBase64UrlCharacter(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

bool decodePart(std::string_view part, std::size_t partOffset, std::string_view what, std::string& out,
                JoseError& error)
{
    if (Base64Url::decodeTo(part, out))
        return true;
    // Name the first offending character, which says more than a length complaint.
    const auto bad = std::find_if_not(part.begin(), part.end(), isBase64UrlCharacter);
    std::string reason;
    if (bad == part.end())
        reason = part.size() % 4 == 1 ? std::string("its length is not a valid base64url length")
                                      : std::string("its last character has unused bits set");
    else if (*bad == '=')
        reason = "it has '=' padding, which JWS forbids";
    else if (*bad == '+' || *bad == '/')
        reason = "it uses '+' or '/' (plain base64, not base64url)";
    else
        reason = "invalid character at offset " + std::to_string(partOffset + static_cast<std::size_t>(bad - part.begin()));
    error = malformed(std::string(what) + " is not base64url: " + reason);
    return false;
}

} // namespace

Outcome<CompactJws> CompactJws::parse(std::string_view token, const JwsLimits& limits, JwsPayloadKind payloadKind)
{
    CompactJws jws;
    if (auto error = jws.assign(token, limits, payloadKind))
        return std::move(*error);
    return jws;
}

std::optional<JoseError> CompactJws::assign(std::string_view token, const JwsLimits& limits, JwsPayloadKind payloadKind)
{
    CompactJws& jws = *this;
    m_token.clear();
    m_signingInputLength = 0;
    m_claims = nullptr;
    m_algorithm = JwsAlgorithm::Unknown;
    m_algorithmName.clear();
    m_hasKeyId = false;
    m_keyId.clear();
    m_type.clear();
    m_critical.clear();

    if (token.empty())
        return malformed("empty token");
    if (token.size() > limits.maxTokenBytes)
        return JoseError{JwsStatus::TooLarge, "token is " + std::to_string(token.size())
                                                  + " bytes; the limit is "
                                                  + std::to_string(limits.maxTokenBytes)};
    const std::size_t firstDot = token.find('.');
    const std::size_t secondDot = firstDot == std::string_view::npos ? firstDot : token.find('.', firstDot + 1);
    if (secondDot == std::string_view::npos)
        return malformed("not a compact JWS: expected three dot-separated parts");
    if (token.find('.', secondDot + 1) != std::string_view::npos) {
        const auto parts = 1 + std::count(token.begin(), token.end(), '.');
        return malformed(parts == 5 ? std::string("a JWE (five parts); only signed tokens (JWS) are read")
                                    : "not a compact JWS: " + std::to_string(parts) + " parts instead of three");
    }

    JoseError error;
    std::string& decoded = m_scratch;
    const std::string_view headerPart = token.substr(0, firstDot);
    const std::string_view payloadPart = token.substr(firstDot + 1, secondDot - firstDot - 1);
    const std::string_view signaturePart = token.substr(secondDot + 1);

    if (headerPart.empty())
        return malformed("empty header");
    if (!decodePart(headerPart, 0, "header", decoded, error))
        return error;
    std::string jsonError;
    if (!StrictJson::parse(decoded, limits.maxJsonDepth, jws.m_header, jsonError))
        return malformed("header is not valid JSON: " + jsonError);
    if (!jws.m_header.is_object())
        return malformed("header is not a JSON object");

    const auto& header = jws.m_header;
    const auto alg = header.find("alg");
    if (alg == header.end())
        return malformed("header has no \"alg\"");
    if (!alg->is_string())
        return malformed("header \"alg\" is not a string");
    jws.m_algorithmName = alg->get_ref<const std::string&>();
    jws.m_algorithm = jwsAlgorithmFromName(jws.m_algorithmName);

    if (const auto kid = header.find("kid"); kid != header.end()) {
        if (!kid->is_string())
            return malformed("header \"kid\" is not a string");
        jws.m_hasKeyId = true;
        jws.m_keyId = kid->get_ref<const std::string&>();
    }
    if (const auto typ = header.find("typ"); typ != header.end()) {
        if (!typ->is_string())
            return malformed("header \"typ\" is not a string");
        jws.m_type = typ->get_ref<const std::string&>();
    }
    if (const auto crit = header.find("crit"); crit != header.end()) {
        if (!crit->is_array() || crit->empty())
            return malformed("header \"crit\" must be a non-empty array of names");
        for (const auto& name : *crit) {
            if (!name.is_string() || name.get_ref<const std::string&>().empty())
                return malformed("header \"crit\" holds something other than a header name");
            const auto& text = name.get_ref<const std::string&>();
            if (std::find(kRegisteredHeaders.begin(), kRegisteredHeaders.end(), text) != kRegisteredHeaders.end())
                return malformed("header \"crit\" lists the registered name \"" + text + "\"");
            if (!header.contains(text))
                return malformed("header \"crit\" lists \"" + printableAscii(text, 60)
                                 + "\", which the header does not carry");
            if (std::find(jws.m_critical.begin(), jws.m_critical.end(), text) != jws.m_critical.end())
                return malformed("header \"crit\" lists \"" + printableAscii(text, 60) + "\" twice");
            jws.m_critical.push_back(text);
        }
    }

    if (!decodePart(payloadPart, firstDot + 1, "payload", jws.m_payload, error))
        return error;
    if (payloadKind == JwsPayloadKind::JsonClaims) {
        if (!StrictJson::parse(jws.m_payload, limits.maxJsonDepth, jws.m_claims, jsonError))
            return malformed("claims are not valid JSON: " + jsonError);
        if (!jws.m_claims.is_object())
            return malformed("claims are not a JSON object");
    }
    if (!decodePart(signaturePart, secondDot + 1, "signature", jws.m_signature, error))
        return error;

    jws.m_token.assign(token);
    jws.m_signingInputLength = secondDot;
    return std::nullopt;
}

} // namespace chainsight::jose

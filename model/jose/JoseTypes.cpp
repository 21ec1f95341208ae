#include "JoseTypes.h"

#include <array>

namespace chainsight::jose {

namespace {

struct AlgorithmName {
    JwsAlgorithm algorithm;
    std::string_view name;
};

constexpr std::array<AlgorithmName, 16> kAlgorithmNames{{
    {JwsAlgorithm::HS256, "HS256"}, {JwsAlgorithm::HS384, "HS384"}, {JwsAlgorithm::HS512, "HS512"},
    {JwsAlgorithm::RS256, "RS256"}, {JwsAlgorithm::RS384, "RS384"}, {JwsAlgorithm::RS512, "RS512"},
    {JwsAlgorithm::PS256, "PS256"}, {JwsAlgorithm::PS384, "PS384"}, {JwsAlgorithm::PS512, "PS512"},
    {JwsAlgorithm::ES256, "ES256"}, {JwsAlgorithm::ES384, "ES384"}, {JwsAlgorithm::ES512, "ES512"},
    {JwsAlgorithm::EdDSA, "EdDSA"}, {JwsAlgorithm::Ed25519, "Ed25519"}, {JwsAlgorithm::Ed448, "Ed448"},
    {JwsAlgorithm::None, "none"},
}};

} // namespace

std::string_view jwsStatusName(JwsStatus status)
{
    switch (status) {
    case JwsStatus::Verified: return "Verified";
    case JwsStatus::BadSignature: return "BadSignature";
    case JwsStatus::UnknownKey: return "UnknownKey";
    case JwsStatus::WrongKeyType: return "WrongKeyType";
    case JwsStatus::AlgorithmNotAllowed: return "AlgorithmNotAllowed";
    case JwsStatus::AlgNone: return "AlgNone";
    case JwsStatus::Malformed: return "Malformed";
    case JwsStatus::TooLarge: return "TooLarge";
    case JwsStatus::UnsupportedCrit: return "UnsupportedCrit";
    }
    return "Unknown";
}

JwsAlgorithm jwsAlgorithmFromName(std::string_view name)
{
    // Case-sensitive on purpose: "None", "NONE" and "RS256 " are different strings and unknown.
    for (const auto& entry : kAlgorithmNames)
        if (entry.name == name)
            return entry.algorithm;
    return JwsAlgorithm::Unknown;
}

std::string_view jwsAlgorithmName(JwsAlgorithm algorithm)
{
    for (const auto& entry : kAlgorithmNames)
        if (entry.algorithm == algorithm)
            return entry.name;
    return "unknown";
}

bool isSymmetric(JwsAlgorithm algorithm)
{
    return algorithm == JwsAlgorithm::HS256 || algorithm == JwsAlgorithm::HS384
           || algorithm == JwsAlgorithm::HS512;
}

JwsAlgorithmSet JwsAlgorithmSet::allSignatureAlgorithms()
{
    JwsAlgorithmSet set = asymmetricAlgorithms();
    set.insert(JwsAlgorithm::HS256);
    set.insert(JwsAlgorithm::HS384);
    set.insert(JwsAlgorithm::HS512);
    return set;
}

JwsAlgorithmSet JwsAlgorithmSet::asymmetricAlgorithms()
{
    return {JwsAlgorithm::RS256, JwsAlgorithm::RS384, JwsAlgorithm::RS512, JwsAlgorithm::PS256,
            JwsAlgorithm::PS384, JwsAlgorithm::PS512, JwsAlgorithm::ES256, JwsAlgorithm::ES384,
            JwsAlgorithm::ES512, JwsAlgorithm::EdDSA, JwsAlgorithm::Ed25519, JwsAlgorithm::Ed448};
}

std::string printableAscii(std::string_view text, std::size_t maxLength)
{
    std::string out;
    const std::size_t n = text.size() < maxLength ? text.size() : maxLength;
    out.reserve(n + 3);
    for (std::size_t i = 0; i < n; ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        out.push_back(c >= 0x20 && c < 0x7F ? static_cast<char>(c) : '?');
    }
    if (text.size() > maxLength)
        out += "...";
    return out;
}

} // namespace chainsight::jose

#pragma once

#include "JoseTypes.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace chainsight::jose {

// One party in an RFC 8693 "act" (or "may_act") claim. Empty strings mean "not stated".
struct ActorIdentity {
    std::string subject;
    std::string clientId;
    std::string issuer;
    bool operator==(const ActorIdentity&) const = default;
};

enum class MayActDecision {
    Permitted,     // every member may_act states matches the actor
    NotPermitted,  // may_act names someone else
    NoMayAct,      // the token carries no may_act, so it says nothing
    NoActor,       // the token has no act chain to check
};

std::string_view mayActDecisionName(MayActDecision decision);

// The identity and delegation claims of an access token (RFC 7519, RFC 8693, RFC 9068, RFC 7800).
struct DelegationClaims {
    std::string issuer;
    std::string subject;
    std::vector<std::string> audience;
    std::string clientId;
    std::string authorizedParty;       // azp
    std::string tokenId;               // jti
    std::string sessionId;             // sid
    std::string confirmationThumbprint; // cnf.jkt (DPoP binding)
    std::vector<std::string> scopes;   // "scope" string or array, or "scp"
    std::optional<std::int64_t> issuedAt;
    std::optional<std::int64_t> expiresAt;
    std::optional<std::int64_t> notBefore;
    // The nested act chain: [0] is the outermost act, the current actor; the last is the earliest.
    std::vector<ActorIdentity> actorChain;
    std::optional<ActorIdentity> mayAct;

    // Reads the claims; a claim of the wrong type is Malformed (never silently dropped).
    static Outcome<DelegationClaims> fromClaims(const nlohmann::json& claims, std::size_t maxActorDepth = 32);

    const ActorIdentity* currentActor() const { return actorChain.empty() ? nullptr : &actorChain.front(); }
    // client_id, else azp.
    const std::string& effectiveClientId() const { return clientId.empty() ? authorizedParty : clientId; }
    bool hasScope(std::string_view scope) const;

    // Does this token's may_act allow actor? Use it across an exchange:
    // subjectToken.mayActPermits(*exchangedToken.currentActor()).
    MayActDecision mayActPermits(const ActorIdentity& actor) const;
    // The same check applied to this token's own current actor.
    MayActDecision currentActorPermittedByMayAct() const;
};

} // namespace chainsight::jose

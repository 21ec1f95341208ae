#include "DelegationClaims.h"

#include <algorithm>
#include <cmath>

namespace chainsight::jose {

namespace {

using json = nlohmann::json;

JoseError malformed(std::string message)
{
    return JoseError{JwsStatus::Malformed, std::move(message)};
}

bool readString(const json& object, const char* name, std::string& out, std::string& error, const char* where = "")
{
    const auto it = object.find(name);
    if (it == object.end())
        return true;
    if (!it->is_string()) {
        error = std::string("claim \"") + where + name + "\" is not a string";
        return false;
    }
    out = it->get_ref<const std::string&>();
    return true;
}

bool readDate(const json& object, const char* name, std::optional<std::int64_t>& out, std::string& error)
{
    const auto it = object.find(name);
    if (it == object.end())
        return true;
    if (it->is_number_integer() && !(it->is_number_unsigned() && it->get<std::uint64_t>() > INT64_MAX / 2)) {
        out = it->get<std::int64_t>();
        return true;
    }
    if (it->is_number_float() && std::isfinite(it->get<double>()) && std::fabs(it->get<double>()) < 9.0e15) {
        out = static_cast<std::int64_t>(std::floor(it->get<double>()));
        return true;
    }
    error = std::string("claim \"") + name + "\" is not a NumericDate";
    return false;
}

bool readActor(const json& value, const char* claim, ActorIdentity& actor, std::string& error)
{
    if (!value.is_object()) {
        error = std::string("claim \"") + claim + "\" is not a JSON object";
        return false;
    }
    const std::string where = std::string(claim) + ".";
    return readString(value, "sub", actor.subject, error, where.c_str())
           && readString(value, "client_id", actor.clientId, error, where.c_str())
           && readString(value, "iss", actor.issuer, error, where.c_str());
}

void splitScopes(std::string_view text, std::vector<std::string>& out)
{
    std::size_t at = 0;
    while (at < text.size()) {
        const std::size_t end = std::min(text.find(' ', at), text.size());
        if (end > at)
            out.emplace_back(text.substr(at, end - at));
        at = end + 1;
    }
}

bool readScopes(const json& claims, const char* name, std::vector<std::string>& out, std::string& error)
{
    const auto it = claims.find(name);
    if (it == claims.end())
        return true;
    if (it->is_string()) {
        splitScopes(it->get_ref<const std::string&>(), out);
        return true;
    }
    if (it->is_array()) {
        for (const auto& item : *it) {
            if (!item.is_string()) {
                error = std::string("claim \"") + name + "\" holds a non-string scope";
                return false;
            }
            out.push_back(item.get<std::string>());
        }
        return true;
    }
    error = std::string("claim \"") + name + "\" is neither a string nor an array";
    return false;
}

} // namespace

std::string_view mayActDecisionName(MayActDecision decision)
{
    switch (decision) {
    case MayActDecision::Permitted: return "Permitted";
    case MayActDecision::NotPermitted: return "NotPermitted";
    case MayActDecision::NoMayAct: return "NoMayAct";
    case MayActDecision::NoActor: return "NoActor";
    }
    return "?";
}

Outcome<DelegationClaims> DelegationClaims::fromClaims(const json& claims, std::size_t maxActorDepth)
{
    if (!claims.is_object())
        return malformed("claims are not a JSON object");
    DelegationClaims out;
    std::string error;
    if (!readString(claims, "iss", out.issuer, error) || !readString(claims, "sub", out.subject, error)
        || !readString(claims, "client_id", out.clientId, error) || !readString(claims, "azp", out.authorizedParty, error)
        || !readString(claims, "jti", out.tokenId, error) || !readString(claims, "sid", out.sessionId, error)
        || !readDate(claims, "iat", out.issuedAt, error) || !readDate(claims, "exp", out.expiresAt, error)
        || !readDate(claims, "nbf", out.notBefore, error))
        return malformed(error);

    if (const auto aud = claims.find("aud"); aud != claims.end()) {
        if (aud->is_string()) {
            out.audience.push_back(aud->get<std::string>());
        } else if (aud->is_array()) {
            for (const auto& item : *aud) {
                if (!item.is_string())
                    return malformed("claim \"aud\" holds a non-string audience");
                out.audience.push_back(item.get<std::string>());
            }
        } else {
            return malformed("claim \"aud\" is neither a string nor an array");
        }
    }

    if (!readScopes(claims, "scope", out.scopes, error))
        return malformed(error);
    if (!claims.contains("scope") && !readScopes(claims, "scp", out.scopes, error))
        return malformed(error);

    if (const auto cnf = claims.find("cnf"); cnf != claims.end()) {
        if (!cnf->is_object())
            return malformed("claim \"cnf\" is not a JSON object");
        if (!readString(*cnf, "jkt", out.confirmationThumbprint, error, "cnf."))
            return malformed(error);
    }

    // Walk the nested act chain from the outside in: outermost is the current actor.
    const json* act = nullptr;
    if (const auto it = claims.find("act"); it != claims.end())
        act = &*it;
    while (act) {
        if (out.actorChain.size() >= maxActorDepth)
            return malformed("act chain is deeper than " + std::to_string(maxActorDepth) + " actors");
        ActorIdentity actor;
        if (!readActor(*act, "act", actor, error))
            return malformed(error);
        out.actorChain.push_back(std::move(actor));
        const auto next = act->find("act");
        act = next == act->end() ? nullptr : &*next;
    }

    if (const auto mayAct = claims.find("may_act"); mayAct != claims.end()) {
        ActorIdentity allowed;
        if (!readActor(*mayAct, "may_act", allowed, error))
            return malformed(error);
        out.mayAct = std::move(allowed);
    }
    return out;
}

bool DelegationClaims::hasScope(std::string_view scope) const
{
    return std::find(scopes.begin(), scopes.end(), scope) != scopes.end();
}

MayActDecision DelegationClaims::mayActPermits(const ActorIdentity& actor) const
{
    if (!mayAct)
        return MayActDecision::NoMayAct;
    const ActorIdentity& allowed = *mayAct;
    // A may_act that states nothing permits nobody (fail closed).
    if (allowed.subject.empty() && allowed.clientId.empty() && allowed.issuer.empty())
        return MayActDecision::NotPermitted;
    // Every member may_act states must match; members it leaves out are not constrained.
    const auto matches = [](const std::string& required, const std::string& actual) {
        return required.empty() || required == actual;
    };
    return matches(allowed.subject, actor.subject) && matches(allowed.clientId, actor.clientId)
                   && matches(allowed.issuer, actor.issuer)
               ? MayActDecision::Permitted
               : MayActDecision::NotPermitted;
}

MayActDecision DelegationClaims::currentActorPermittedByMayAct() const
{
    if (!mayAct)
        return MayActDecision::NoMayAct;
    if (actorChain.empty())
        return MayActDecision::NoActor;
    return mayActPermits(actorChain.front());
}

} // namespace chainsight::jose

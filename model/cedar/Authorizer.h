#pragma once

#include "cedar/EntityStore.h"
#include "cedar/Evaluator.h"
#include "cedar/Policy.h"

#include <string>
#include <unordered_map>
#include <vector>

namespace chainsight::cedar {

enum class Decision : uint8_t { Allow, Deny };

struct PolicyError final {
    std::string policyId;
    std::string message;
    size_t policyIndex = 0;
};

struct Response final {
    Decision decision = Decision::Deny;
    std::vector<std::string> reasons;      // ids of the determining policies
    std::vector<PolicyError> errors;       // policies skipped because their condition erred
    std::vector<size_t> reasonIndices;
    std::vector<size_t> satisfiedIndices;  // every policy whose scope and conditions held
};

// Authorizes requests against one policy set and one entity store. Construction indexes the
// policies by the actions they can apply to, so each request only looks at candidate policies.
class Authorizer final {
public:
    Authorizer(const PolicySet &policies, const EntityStore &store);

    // Cedar semantics: default deny, forbid overrides permit, erroring policies are skipped.
    Response isAuthorized(const Request &request) const;
    // Decision only; stops as soon as the outcome is known. This is the replay hot path.
    Decision decide(const Request &request) const;

    const PolicySet &policySet() const { return m_policies; }
    const EntityStore &entities() const { return m_store; }

    enum class Outcome : uint8_t { Satisfied, NotSatisfied, Error };
    // Evaluates one policy; on error fills the error.
    Outcome evaluatePolicy(const Policy &policy, const Evaluator &evaluator, EvaluationError &error) const;

private:
    const std::vector<uint32_t> &candidates(EntityUid action, std::vector<uint32_t> &scratch) const;

    const PolicySet &m_policies;
    const EntityStore &m_store;
    std::unordered_map<EntityUid, std::vector<uint32_t>> m_byAction; // forbids first, then permits
    std::vector<const std::vector<uint32_t> *> m_byActionIndex;      // the same lists by uid index
};

} // namespace chainsight::cedar

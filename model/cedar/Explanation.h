#pragma once

#include "cedar/Authorizer.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace chainsight::cedar {

enum class PolicyOutcome : uint8_t { Applied, NotApplicable, Errored };

// A sub-expression and the value it had for this request.
struct ObservedValue final {
    std::string expression;
    std::string value;
};

// Why one policy did or did not take part in a decision.
struct PolicyExplanation final {
    std::string policyId;
    Effect effect = Effect::Permit;
    PolicyOutcome outcome = PolicyOutcome::NotApplicable;
    std::string clause;       // "principal", "action", "resource", "when", "unless", or empty when applied
    int conditionIndex = -1;  // which when/unless clause, 0-based in source order
    std::string clauseText;   // source text of the clause
    std::string expression;   // source text of the deciding sub-expression
    SourceSpan span;          // where that sub-expression is
    std::vector<ObservedValue> values;
    std::string message;      // one readable sentence
};

// Explains every policy for one request. Costs a re-evaluation, so it is for display, not replay.
std::vector<PolicyExplanation> explainRequest(const Authorizer &authorizer, const Request &request);

nlohmann::json explanationToJson(const PolicyExplanation &explanation);

} // namespace chainsight::cedar

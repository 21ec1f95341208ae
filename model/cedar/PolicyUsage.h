#pragma once

#include "cedar/Authorizer.h"

#include <string>
#include <vector>

namespace chainsight::cedar {

// How one policy behaved over a set of requests.
struct PolicyUsage final {
    std::string policyId;
    size_t applied = 0;      // scope and conditions held
    size_t determining = 0;  // named among the reasons of the decision
    size_t erred = 0;
    std::string firstError;
};

struct PolicyUsageReport final {
    size_t requests = 0;
    std::vector<PolicyUsage> policies;       // in policy-set order
    std::vector<Diagnostic> diagnostics;     // warnings at the policy's location
};

// Author diagnostics over a request set: policies that never applied, permits always overridden by
// a forbid (shadowed), policies that applied but never decided anything, and policies that erred.
PolicyUsageReport analyzePolicyUsage(const Authorizer &authorizer, const std::vector<Request> &requests);

} // namespace chainsight::cedar

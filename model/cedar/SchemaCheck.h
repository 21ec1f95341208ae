#pragma once

#include "cedar/Policy.h"
#include "cedar/Schema.h"

#include <vector>

namespace chainsight::cedar {

// Light checks of policies against a schema, reported as warnings: scope entity types and actions
// the schema does not declare, and `principal.x`, `resource.x`, `context.x` reads of attributes that
// no applicable declaration has. Not Cedar's full validator (no type inference beyond that).
std::vector<Diagnostic> checkPoliciesAgainstSchema(const PolicySet &policies, const Schema &schema);

} // namespace chainsight::cedar

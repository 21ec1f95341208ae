#pragma once

#include "cedar/Policy.h"

#include <string>

namespace chainsight::cedar {

// Canonical text for a parsed policy set: one layout, minimal parentheses. Comments are not kept.
std::string formatPolicySet(const PolicySet &policies);
std::string formatPolicy(const Policy &policy);
std::string formatExpression(const Expr &expr);

} // namespace chainsight::cedar

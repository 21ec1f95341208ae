#pragma once

#include "cedar/Policy.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chainsight::cedar {

// Limits that keep recursion bounded on hostile input.
inline constexpr int kMaxNestingDepth = 600; // about 200 levels of parentheses
inline constexpr int kMaxExprTreeDepth = 1000;
// Policy and schema files are written by people; past this size a text is refused before it is read.
inline constexpr size_t kMaxPolicyTextBytes = size_t(16) << 20;

// Parses Cedar 4.x policy text (human syntax). Policies that fail to parse are reported and left out.
class PolicyParser final {
public:
    static PolicyParseResult parse(std::string_view text, std::string fileName = {});
    // One expression on its own, e.g. for tests and the REPL-like tooling.
    static std::optional<Expr> parseExpression(std::string_view text, std::vector<Diagnostic> &diagnostics);
};

// Validates UTF-8; returns the byte offset of the first invalid sequence, or npos.
size_t findInvalidUtf8(std::string_view text);
// Unescapes the inside of a Cedar string literal; false with a message on a bad escape.
bool unescapeCedarString(std::string_view body, std::string &out, std::string &error);
// Location of a byte offset within text (line, column in characters).
SourceLocation locationAt(std::string_view text, size_t offset);

} // namespace chainsight::cedar

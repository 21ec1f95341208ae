#pragma once

#include "cedar/Schema.h"
#include "cedar/Value.h"

#include <nlohmann/json.hpp>

#include <string>

namespace chainsight::cedar {

inline constexpr int kMaxJsonDepth = 128;

// Cedar's JSON value format: `__entity` and `__extn` escapes; with a schema type, bare values
// (a string for an ipaddr, {type,id} for an entity) are read as that type.
bool valueFromJson(const nlohmann::json &json, const SchemaTypePtr &type, const Schema *schema, Value &out,
                   std::string &error, int depth = 0);
bool entityUidFromJson(const nlohmann::json &json, EntityUid &out, std::string &error);
nlohmann::json valueToJson(const Value &value);
nlohmann::json entityUidToJson(EntityUid uid);

} // namespace chainsight::cedar

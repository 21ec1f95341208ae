#include "cedar/ValueJson.h"

#include "cedar/Evaluator.h"

namespace chainsight::cedar {

namespace {

bool extensionFromJson(const nlohmann::json &extn, const Schema *schema, Value &out, std::string &error, int depth)
{
    if (!extn.is_object() || !extn.contains("fn") || !extn["fn"].is_string()) {
        error = "`__extn` needs a string `fn`";
        return false;
    }
    const std::string fn = extn["fn"].get<std::string>();
    std::vector<Value> args;
    if (extn.contains("arg")) {
        Value v;
        if (!valueFromJson(extn["arg"], nullptr, schema, v, error, depth + 1))
            return false;
        args.push_back(std::move(v));
    } else if (extn.contains("args") && extn["args"].is_array()) {
        for (const auto &a : extn["args"]) {
            Value v;
            if (!valueFromJson(a, nullptr, schema, v, error, depth + 1))
                return false;
            args.push_back(std::move(v));
        }
    } else {
        error = "`__extn` needs `arg` or `args`";
        return false;
    }
    // Reuse the evaluator's implementation through a parsed call expression.
    std::vector<Diagnostic> diags;
    std::string call = fn == "ipaddr" ? std::string("ip") : fn;
    static const std::map<std::string, std::pair<ExtFunction, size_t>> kFns = {
        {"decimal", {ExtFunction::Decimal, 1}},   {"ip", {ExtFunction::Ip, 1}},
        {"datetime", {ExtFunction::Datetime, 1}}, {"duration", {ExtFunction::Duration, 1}},
        {"offset", {ExtFunction::Offset, 2}},     {"durationSince", {ExtFunction::DurationSince, 2}},
        {"toDate", {ExtFunction::ToDate, 1}},     {"toTime", {ExtFunction::ToTime, 1}},
    };
    auto it = kFns.find(call);
    if (it == kFns.end() || it->second.second != args.size()) {
        error = "unknown extension function `" + fn + "` with " + std::to_string(args.size()) + " argument(s)";
        return false;
    }
    Expr e;
    e.kind = ExprKind::ExtCall;
    e.function = it->second.first;
    e.name = call;
    try {
        out = applyExtension(e, args);
    } catch (const EvaluationError &err) {
        error = err.message;
        return false;
    }
    return true;
}

} // namespace

bool entityUidFromJson(const nlohmann::json &json, EntityUid &out, std::string &error)
{
    const nlohmann::json *j = &json;
    if (j->is_object() && j->contains("__entity"))
        j = &(*j)["__entity"];
    if (!j->is_object() || !j->contains("type") || !j->contains("id") || !(*j)["type"].is_string()
        || !(*j)["id"].is_string()) {
        error = "expected an entity reference {\"type\": ..., \"id\": ...}";
        return false;
    }
    out = internUid((*j)["type"].get_ref<const std::string &>(), (*j)["id"].get_ref<const std::string &>());
    return true;
}

bool valueFromJson(const nlohmann::json &json, const SchemaTypePtr &declared, const Schema *schema, Value &out,
                   std::string &error, int depth)
{
    if (depth > kMaxJsonDepth) {
        error = "value nesting exceeds " + std::to_string(kMaxJsonDepth) + " levels";
        return false;
    }
    SchemaTypePtr type = declared && schema ? schema->resolve(declared) : nullptr;
    if (type) {
        switch (type->kind) {
        case SchemaTypeKind::Entity:
            if (json.is_object() && !json.contains("__extn")) {
                EntityUid uid = nullptr;
                if (!entityUidFromJson(json, uid, error))
                    return false;
                out = Value::entity(uid);
                return true;
            }
            break;
        case SchemaTypeKind::Extension:
            if (json.is_string()) {
                const std::string &s = json.get_ref<const std::string &>();
                switch (type->extension) {
                case ExtensionKind::Decimal:
                    if (auto v = parseDecimal(s)) {
                        out = Value::decimal(*v);
                        return true;
                    }
                    break;
                case ExtensionKind::IpAddr:
                    if (auto v = parseIp(s)) {
                        out = Value::ipaddr(*v);
                        return true;
                    }
                    break;
                case ExtensionKind::Datetime:
                    if (auto v = parseDatetime(s)) {
                        out = Value::datetime(*v);
                        return true;
                    }
                    break;
                case ExtensionKind::Duration:
                    if (auto v = parseDuration(s)) {
                        out = Value::duration(*v);
                        return true;
                    }
                    break;
                }
                error = "invalid " + type->name + " value \"" + s + "\"";
                return false;
            }
            break;
        case SchemaTypeKind::Set:
            if (json.is_array()) {
                std::vector<Value> els;
                for (const auto &el : json) {
                    Value v;
                    if (!valueFromJson(el, type->element, schema, v, error, depth + 1))
                        return false;
                    els.push_back(std::move(v));
                }
                out = Value::set(std::move(els));
                return true;
            }
            break;
        case SchemaTypeKind::Record:
            if (json.is_object() && !json.contains("__extn") && !json.contains("__entity")) {
                std::vector<std::pair<std::string, Value>> fields;
                for (auto it = json.begin(); it != json.end(); ++it) {
                    auto attr = type->attributes.find(it.key());
                    Value v;
                    if (!valueFromJson(it.value(), attr == type->attributes.end() ? nullptr : attr->second.type, schema, v,
                                       error, depth + 1))
                        return false;
                    fields.emplace_back(it.key(), std::move(v));
                }
                out = Value::record(std::move(fields));
                return true;
            }
            break;
        default:
            break;
        }
    }
    switch (json.type()) {
    case nlohmann::json::value_t::boolean: out = Value::boolean(json.get<bool>()); return true;
    case nlohmann::json::value_t::number_integer: out = Value::integer(json.get<int64_t>()); return true;
    case nlohmann::json::value_t::number_unsigned: {
        const auto u = json.get<uint64_t>();
        if (u > static_cast<uint64_t>(INT64_MAX)) {
            error = "integer " + std::to_string(u) + " is out of the Long range";
            return false;
        }
        out = Value::integer(static_cast<int64_t>(u));
        return true;
    }
    case nlohmann::json::value_t::number_float: error = "floating-point numbers are not Cedar values"; return false;
    case nlohmann::json::value_t::string: out = Value::string(json.get<std::string>()); return true;
    case nlohmann::json::value_t::array: {
        std::vector<Value> els;
        for (const auto &el : json) {
            Value v;
            if (!valueFromJson(el, nullptr, schema, v, error, depth + 1))
                return false;
            els.push_back(std::move(v));
        }
        out = Value::set(std::move(els));
        return true;
    }
    case nlohmann::json::value_t::object: {
        if (json.size() == 1 && json.contains("__entity")) {
            EntityUid uid = nullptr;
            if (!entityUidFromJson(json, uid, error))
                return false;
            out = Value::entity(uid);
            return true;
        }
        if (json.size() == 1 && json.contains("__extn"))
            return extensionFromJson(json["__extn"], schema, out, error, depth);
        std::vector<std::pair<std::string, Value>> fields;
        for (auto it = json.begin(); it != json.end(); ++it) {
            Value v;
            if (!valueFromJson(it.value(), nullptr, schema, v, error, depth + 1))
                return false;
            fields.emplace_back(it.key(), std::move(v));
        }
        out = Value::record(std::move(fields));
        return true;
    }
    default: error = "null and other JSON values are not Cedar values"; return false;
    }
}

nlohmann::json entityUidToJson(EntityUid uid)
{
    return nlohmann::json{{"type", uid->type->name}, {"id", uid->id}};
}

nlohmann::json valueToJson(const Value &v)
{
    switch (v.kind()) {
    case ValueKind::Bool: return v.asBool();
    case ValueKind::Long: return v.asLong();
    case ValueKind::String: return v.asString();
    case ValueKind::Entity: return nlohmann::json{{"__entity", entityUidToJson(v.asEntity())}};
    case ValueKind::Set: {
        auto arr = nlohmann::json::array();
        for (const auto &e : v.asSet())
            arr.push_back(valueToJson(e));
        return arr;
    }
    case ValueKind::Record: {
        auto obj = nlohmann::json::object();
        for (const auto &[k, e] : v.asRecord())
            obj[*k] = valueToJson(e);
        return obj;
    }
    case ValueKind::Extension:
        switch (v.extension()) {
        case ExtensionKind::Decimal:
            return nlohmann::json{{"__extn", {{"fn", "decimal"}, {"arg", decimalToString(v.extensionNumber())}}}};
        case ExtensionKind::IpAddr: return nlohmann::json{{"__extn", {{"fn", "ip"}, {"arg", ipToString(v.asIp())}}}};
        case ExtensionKind::Duration:
            return nlohmann::json{{"__extn", {{"fn", "duration"}, {"arg", durationToString(v.extensionNumber())}}}};
        case ExtensionKind::Datetime:
            return nlohmann::json{
                {"__extn",
                 {{"fn", "offset"},
                  {"args",
                   nlohmann::json::array({nlohmann::json{{"__extn", {{"fn", "datetime"}, {"arg", "1970-01-01"}}}},
                                          nlohmann::json{{"__extn", {{"fn", "duration"},
                                                                     {"arg", durationToString(v.extensionNumber())}}}}})}}}};
        }
    }
    return nullptr;
}

} // namespace chainsight::cedar

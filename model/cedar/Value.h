#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace chainsight::cedar {

// Interned entity type name; pointer identity is name identity.
struct EntityTypeName final {
    std::string name;
};

// Interned entity uid; pointer identity is uid identity, index is dense for compact ancestor sets.
struct EntityUidData final {
    const EntityTypeName *type = nullptr;
    std::string id;
    uint32_t index = 0;
};

using EntityUid = const EntityUidData *;

// Process-wide, append-only intern tables: uids live as long as the process so values stay cheap.
const EntityTypeName *internType(std::string_view name);
EntityUid internUid(std::string_view type, std::string_view id);
EntityUid internUid(const EntityTypeName *type, std::string_view id);

// Interned attribute name: record lookups on the hot path compare pointers, not strings.
using AttrKey = const std::string *;
AttrKey internKey(std::string_view name);

enum class ValueKind : uint8_t { Bool, Long, String, Entity, Set, Record, Extension };
enum class ExtensionKind : uint8_t { Decimal, IpAddr, Datetime, Duration };

struct IpAddrData final {
    bool v6 = false;
    uint8_t prefix = 0;
    uint8_t bytes[16] = {};
};

class Value;
struct SetData;
struct RecordData;

class Value final {
public:
    Value() = default;
    static Value boolean(bool b);
    static Value integer(int64_t v);
    static Value string(std::string s);
    static Value entity(EntityUid uid);
    static Value set(std::vector<Value> elements); // sorts and de-duplicates
    static Value record(std::vector<std::pair<std::string, Value>> fields); // sorts; last key wins
    static Value decimal(int64_t scaled);
    static Value datetime(int64_t ms);
    static Value duration(int64_t ms);
    static Value ipaddr(const IpAddrData &ip);

    ValueKind kind() const { return m_kind; }
    ExtensionKind extension() const { return m_ext; }
    bool isExtension(ExtensionKind k) const { return m_kind == ValueKind::Extension && m_ext == k; }

    bool asBool() const { return m_num != 0; }
    int64_t asLong() const { return m_num; }
    int64_t extensionNumber() const { return m_num; }
    EntityUid asEntity() const { return m_uid; }
    uint32_t entityIndex() const { return static_cast<uint32_t>(m_num); } // cached uid index, no pointer chase
    inline const std::string &asString() const;
    inline const std::vector<Value> &asSet() const;
    // Fields sorted by name; the key is the interned name (write *key for the text).
    inline const std::vector<std::pair<AttrKey, Value>> &asRecord() const;
    inline const IpAddrData &asIp() const;
    const Value *field(std::string_view name) const; // record lookup, nullptr if absent
    const Value *field(AttrKey key) const;
    bool setContains(const Value &v) const;

    bool operator==(const Value &o) const { return equals(*this, o); }
    // Cedar's ==, with shortcuts for shared and differently sized strings.
    static bool equals(const Value &a, const Value &b);
    // Total order used for canonical sets and records; equality matches Cedar's ==.
    static int compare(const Value &a, const Value &b);

private:
    ValueKind m_kind = ValueKind::Bool;
    ExtensionKind m_ext = ExtensionKind::Decimal;
    int64_t m_num = 0;
    EntityUid m_uid = nullptr;
    std::shared_ptr<const void> m_heap;
};

struct SetData final {
    std::vector<Value> elements;
};
// The first keys live inline next to the header, so a lookup scans one or two cache lines and
// then touches only the field it wants.
struct RecordData final {
    static constexpr size_t kInlineKeys = 14;
    std::vector<std::pair<AttrKey, Value>> fields;
    AttrKey inlineKeys[kInlineKeys] = {};
};

// Accessors are inline: they sit on the evaluator's hot path.
inline const std::string &Value::asString() const
{
    return *static_cast<const std::string *>(m_heap.get());
}

inline const std::vector<Value> &Value::asSet() const
{
    return static_cast<const SetData *>(m_heap.get())->elements;
}

inline const std::vector<std::pair<AttrKey, Value>> &Value::asRecord() const
{
    return static_cast<const RecordData *>(m_heap.get())->fields;
}

inline const IpAddrData &Value::asIp() const
{
    return *static_cast<const IpAddrData *>(m_heap.get());
}

inline Value Value::boolean(bool b)
{
    Value v;
    v.m_kind = ValueKind::Bool;
    v.m_num = b ? 1 : 0;
    return v;
}

inline Value Value::integer(int64_t i)
{
    Value v;
    v.m_kind = ValueKind::Long;
    v.m_num = i;
    return v;
}

inline Value Value::entity(EntityUid uid)
{
    Value v;
    v.m_kind = ValueKind::Entity;
    v.m_uid = uid;
    v.m_num = uid->index;
    return v;
}

const char *typeName(const Value &v);
std::string typeName(ValueKind k);

// Cedar syntax for a value, as a policy author would write it.
std::string toCedar(const Value &v, int maxLength = 200);
std::string quoteCedarString(std::string_view s);
std::string entityToCedar(EntityUid uid);

// Extension value parsing and rendering (Cedar 4.x rules).
std::optional<int64_t> parseDecimal(std::string_view s);
std::optional<IpAddrData> parseIp(std::string_view s);
std::optional<int64_t> parseDatetime(std::string_view s);
std::optional<int64_t> parseDuration(std::string_view s);
std::string decimalToString(int64_t v);
std::string ipToString(const IpAddrData &ip);
std::string durationToString(int64_t ms);

} // namespace chainsight::cedar

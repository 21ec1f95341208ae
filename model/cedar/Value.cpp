#include "cedar/Value.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <unordered_map>

namespace chainsight::cedar {

namespace {

struct InternTables final {
    std::mutex mutex;
    std::unordered_map<std::string, std::unique_ptr<EntityTypeName>> types;
    std::unordered_map<const EntityTypeName *, std::unordered_map<std::string, std::unique_ptr<EntityUidData>>> uids;
    uint32_t nextIndex = 0;
};

InternTables &tables()
{
    static InternTables t; // never destroyed before users: function-local static
    return t;
}

const EntityTypeName *internTypeLocked(InternTables &t, std::string_view name)
{
    auto it = t.types.find(std::string(name));
    if (it != t.types.end())
        return it->second.get();
    auto owned = std::make_unique<EntityTypeName>();
    owned->name = std::string(name);
    const EntityTypeName *raw = owned.get();
    t.types.emplace(owned->name, std::move(owned));
    return raw;
}

EntityUid internUidLocked(InternTables &t, const EntityTypeName *type, std::string_view id)
{
    auto &byId = t.uids[type];
    auto it = byId.find(std::string(id));
    if (it != byId.end())
        return it->second.get();
    auto owned = std::make_unique<EntityUidData>();
    owned->type = type;
    owned->id = std::string(id);
    owned->index = t.nextIndex++;
    EntityUid raw = owned.get();
    byId.emplace(owned->id, std::move(owned));
    return raw;
}

} // namespace

AttrKey internKey(std::string_view name)
{
    static std::mutex mutex;
    static std::unordered_map<std::string, std::unique_ptr<std::string>> keys;
    std::lock_guard lock(mutex);
    auto it = keys.find(std::string(name));
    if (it != keys.end())
        return it->second.get();
    auto owned = std::make_unique<std::string>(name);
    AttrKey raw = owned.get();
    keys.emplace(*owned, std::move(owned));
    return raw;
}

const EntityTypeName *internType(std::string_view name)
{
    auto &t = tables();
    std::lock_guard lock(t.mutex);
    return internTypeLocked(t, name);
}

EntityUid internUid(std::string_view type, std::string_view id)
{
    auto &t = tables();
    std::lock_guard lock(t.mutex);
    return internUidLocked(t, internTypeLocked(t, type), id);
}

EntityUid internUid(const EntityTypeName *type, std::string_view id)
{
    auto &t = tables();
    std::lock_guard lock(t.mutex);
    return internUidLocked(t, type, id);
}

Value Value::string(std::string s)
{
    Value v;
    v.m_kind = ValueKind::String;
    // The hash lets equality and set membership reject most strings without touching their text.
    v.m_num = static_cast<int64_t>(std::hash<std::string>{}(s));
    v.m_heap = std::make_shared<const std::string>(std::move(s));
    return v;
}

Value Value::set(std::vector<Value> elements)
{
    std::sort(elements.begin(), elements.end(), [](const Value &a, const Value &b) { return compare(a, b) < 0; });
    elements.erase(std::unique(elements.begin(), elements.end()), elements.end());
    Value v;
    v.m_kind = ValueKind::Set;
    v.m_heap = std::make_shared<const SetData>(SetData{std::move(elements)});
    return v;
}

Value Value::record(std::vector<std::pair<std::string, Value>> fields)
{
    std::stable_sort(fields.begin(), fields.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
    // Keep the last of duplicate keys, as a JSON object does.
    std::vector<std::pair<std::string, Value>> unique;
    unique.reserve(fields.size());
    for (auto &f : fields) {
        if (!unique.empty() && unique.back().first == f.first)
            unique.back().second = std::move(f.second);
        else
            unique.push_back(std::move(f));
    }
    Value v;
    v.m_kind = ValueKind::Record;
    std::vector<std::pair<AttrKey, Value>> interned;
    interned.reserve(unique.size());
    for (auto &f : unique)
        interned.emplace_back(internKey(f.first), std::move(f.second));
    auto data = std::make_shared<RecordData>();
    for (size_t i = 0; i < interned.size() && i < RecordData::kInlineKeys; ++i)
        data->inlineKeys[i] = interned[i].first;
    data->fields = std::move(interned);
    v.m_heap = std::move(data);
    return v;
}

Value Value::decimal(int64_t scaled)
{
    Value v;
    v.m_kind = ValueKind::Extension;
    v.m_ext = ExtensionKind::Decimal;
    v.m_num = scaled;
    return v;
}

Value Value::datetime(int64_t ms)
{
    Value v;
    v.m_kind = ValueKind::Extension;
    v.m_ext = ExtensionKind::Datetime;
    v.m_num = ms;
    return v;
}

Value Value::duration(int64_t ms)
{
    Value v;
    v.m_kind = ValueKind::Extension;
    v.m_ext = ExtensionKind::Duration;
    v.m_num = ms;
    return v;
}

Value Value::ipaddr(const IpAddrData &ip)
{
    Value v;
    v.m_kind = ValueKind::Extension;
    v.m_ext = ExtensionKind::IpAddr;
    v.m_heap = std::make_shared<const IpAddrData>(ip);
    return v;
}

const Value *Value::field(std::string_view name) const
{
    for (const auto &f : asRecord())
        if (*f.first == name)
            return &f.second;
    return nullptr;
}

const Value *Value::field(AttrKey key) const
{
    const auto *rec = static_cast<const RecordData *>(m_heap.get());
    const size_t n = rec->fields.size();
    const size_t inlined = n < RecordData::kInlineKeys ? n : RecordData::kInlineKeys;
    for (size_t i = 0; i < inlined; ++i)
        if (rec->inlineKeys[i] == key)
            return &rec->fields[i].second;
    for (size_t i = inlined; i < n; ++i)
        if (rec->fields[i].first == key)
            return &rec->fields[i].second;
    return nullptr;
}

bool Value::equals(const Value &a, const Value &b)
{
    if (a.m_kind != b.m_kind)
        return false;
    switch (a.m_kind) {
    case ValueKind::Bool:
    case ValueKind::Long: return a.m_num == b.m_num;
    case ValueKind::Entity: return a.m_uid == b.m_uid;
    case ValueKind::String: {
        if (a.m_heap == b.m_heap)
            return true;
        if (a.m_num != b.m_num)
            return false;
        const std::string &x = a.asString();
        const std::string &y = b.asString();
        return x.size() == y.size() && std::memcmp(x.data(), y.data(), x.size()) == 0;
    }
    default: return a.m_heap == b.m_heap && a.m_ext == b.m_ext ? a.m_num == b.m_num : compare(a, b) == 0;
    }
}

bool Value::setContains(const Value &v) const
{
    const auto &els = asSet();
    if (els.size() <= 8) {
        for (const auto &e : els)
            if (equals(e, v))
                return true;
        return false;
    }
    return std::binary_search(els.begin(), els.end(), v, [](const Value &a, const Value &b) { return compare(a, b) < 0; });
}

int Value::compare(const Value &a, const Value &b)
{
    if (a.m_kind != b.m_kind)
        return a.m_kind < b.m_kind ? -1 : 1;
    switch (a.m_kind) {
    case ValueKind::Bool:
    case ValueKind::Long:
        return a.m_num == b.m_num ? 0 : (a.m_num < b.m_num ? -1 : 1);
    case ValueKind::String:
        return a.asString().compare(b.asString()) < 0 ? -1 : (a.asString() == b.asString() ? 0 : 1);
    case ValueKind::Entity:
        if (a.m_uid == b.m_uid)
            return 0;
        if (a.m_uid->type != b.m_uid->type)
            return a.m_uid->type->name < b.m_uid->type->name ? -1 : 1;
        return a.m_uid->id < b.m_uid->id ? -1 : 1;
    case ValueKind::Set: {
        const auto &x = a.asSet();
        const auto &y = b.asSet();
        if (x.size() != y.size())
            return x.size() < y.size() ? -1 : 1;
        for (size_t i = 0; i < x.size(); ++i)
            if (int c = compare(x[i], y[i]))
                return c;
        return 0;
    }
    case ValueKind::Record: {
        const auto &x = a.asRecord();
        const auto &y = b.asRecord();
        if (x.size() != y.size())
            return x.size() < y.size() ? -1 : 1;
        for (size_t i = 0; i < x.size(); ++i) {
            if (x[i].first != y[i].first)
                return *x[i].first < *y[i].first ? -1 : 1;
            if (int c = compare(x[i].second, y[i].second))
                return c;
        }
        return 0;
    }
    case ValueKind::Extension:
        if (a.m_ext != b.m_ext)
            return a.m_ext < b.m_ext ? -1 : 1;
        if (a.m_ext == ExtensionKind::IpAddr) {
            const auto &x = a.asIp();
            const auto &y = b.asIp();
            if (x.v6 != y.v6)
                return x.v6 ? 1 : -1;
            if (int c = std::memcmp(x.bytes, y.bytes, 16))
                return c < 0 ? -1 : 1;
            return x.prefix == y.prefix ? 0 : (x.prefix < y.prefix ? -1 : 1);
        }
        return a.m_num == b.m_num ? 0 : (a.m_num < b.m_num ? -1 : 1);
    }
    return 0;
}

std::string typeName(ValueKind k)
{
    switch (k) {
    case ValueKind::Bool: return "bool";
    case ValueKind::Long: return "long";
    case ValueKind::String: return "string";
    case ValueKind::Entity: return "entity";
    case ValueKind::Set: return "set";
    case ValueKind::Record: return "record";
    case ValueKind::Extension: return "extension";
    }
    return "value";
}

const char *typeName(const Value &v)
{
    switch (v.kind()) {
    case ValueKind::Bool: return "bool";
    case ValueKind::Long: return "long";
    case ValueKind::String: return "string";
    case ValueKind::Entity: return "entity";
    case ValueKind::Set: return "set";
    case ValueKind::Record: return "record";
    case ValueKind::Extension:
        switch (v.extension()) {
        case ExtensionKind::Decimal: return "decimal";
        case ExtensionKind::IpAddr: return "ipaddr";
        case ExtensionKind::Datetime: return "datetime";
        case ExtensionKind::Duration: return "duration";
        }
    }
    return "value";
}

std::string quoteCedarString(std::string_view s)
{
    std::string out = "\"";
    for (unsigned char c : s) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\0': out += "\\0"; break;
        default:
            if (c < 0x20 || c == 0x7f) {
                char buf[16];
                std::snprintf(buf, sizeof buf, "\\u{%x}", c);
                out += buf;
            } else {
                out += static_cast<char>(c);
            }
        }
    }
    out += '"';
    return out;
}

std::string entityToCedar(EntityUid uid)
{
    return uid->type->name + "::" + quoteCedarString(uid->id);
}

namespace {

void appendCedar(std::string &out, const Value &v, size_t limit)
{
    if (out.size() > limit)
        return;
    switch (v.kind()) {
    case ValueKind::Bool: out += v.asBool() ? "true" : "false"; return;
    case ValueKind::Long: out += std::to_string(v.asLong()); return;
    case ValueKind::String: out += quoteCedarString(v.asString()); return;
    case ValueKind::Entity: out += entityToCedar(v.asEntity()); return;
    case ValueKind::Set: {
        out += '[';
        bool first = true;
        for (const auto &e : v.asSet()) {
            if (!first)
                out += ", ";
            first = false;
            appendCedar(out, e, limit);
            if (out.size() > limit)
                return;
        }
        out += ']';
        return;
    }
    case ValueKind::Record: {
        out += '{';
        bool first = true;
        for (const auto &[k, e] : v.asRecord()) {
            if (!first)
                out += ", ";
            first = false;
            out += quoteCedarString(*k);
            out += ": ";
            appendCedar(out, e, limit);
            if (out.size() > limit)
                return;
        }
        out += '}';
        return;
    }
    case ValueKind::Extension:
        switch (v.extension()) {
        case ExtensionKind::Decimal: out += "decimal(\"" + decimalToString(v.extensionNumber()) + "\")"; return;
        case ExtensionKind::IpAddr: out += "ip(\"" + ipToString(v.asIp()) + "\")"; return;
        case ExtensionKind::Duration: out += "duration(\"" + durationToString(v.extensionNumber()) + "\")"; return;
        case ExtensionKind::Datetime:
            out += "datetime(\"1970-01-01\").offset(duration(\"" + durationToString(v.extensionNumber()) + "\"))";
            return;
        }
    }
}

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (Hinnant's algorithm).
int64_t daysFromCivil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool isLeap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

std::optional<int> parseFixedDigits(std::string_view s, size_t pos, size_t count)
{
    if (pos + count > s.size())
        return std::nullopt;
    int v = 0;
    for (size_t i = pos; i < pos + count; ++i) {
        if (!isDigit(s[i]))
            return std::nullopt;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

std::optional<IpAddrData> parseIpv4(std::string_view s)
{
    IpAddrData ip;
    ip.v6 = false;
    size_t pos = 0;
    for (int octet = 0; octet < 4; ++octet) {
        if (octet > 0) {
            if (pos >= s.size() || s[pos] != '.')
                return std::nullopt;
            ++pos;
        }
        size_t start = pos;
        int v = 0;
        while (pos < s.size() && isDigit(s[pos]) && pos - start < 4) {
            v = v * 10 + (s[pos] - '0');
            ++pos;
        }
        size_t len = pos - start;
        if (len == 0 || len > 3 || v > 255 || (len > 1 && s[start] == '0'))
            return std::nullopt;
        ip.bytes[octet] = static_cast<uint8_t>(v);
    }
    if (pos != s.size())
        return std::nullopt;
    return ip;
}

bool readGroups(std::string_view s, size_t &pos, std::vector<uint16_t> &groups, size_t limit)
{
    // Reads `h16 (":" h16)*` greedily, stopping before "::".
    while (groups.size() < limit) {
        if (!groups.empty()) {
            if (pos + 1 < s.size() && s[pos] == ':' && s[pos + 1] != ':') {
                // Only consume the colon if a group follows.
                if (pos + 1 >= s.size() || hexValue(s[pos + 1]) < 0)
                    return true;
                ++pos;
            } else {
                return true;
            }
        }
        size_t start = pos;
        unsigned v = 0;
        while (pos < s.size() && hexValue(s[pos]) >= 0 && pos - start < 4) {
            v = v * 16 + static_cast<unsigned>(hexValue(s[pos]));
            ++pos;
        }
        if (pos == start) {
            if (!groups.empty())
                --pos; // give back the colon
            return true;
        }
        if (pos < s.size() && hexValue(s[pos]) >= 0)
            return false; // more than four hex digits
        groups.push_back(static_cast<uint16_t>(v));
    }
    return true;
}

std::optional<IpAddrData> parseIpv6(std::string_view s)
{
    std::vector<uint16_t> head;
    std::vector<uint16_t> tail;
    size_t pos = 0;
    if (!readGroups(s, pos, head, 8))
        return std::nullopt;
    if (head.size() == 8) {
        if (pos != s.size())
            return std::nullopt;
    } else {
        if (pos + 1 >= s.size() || s[pos] != ':' || s[pos + 1] != ':')
            return std::nullopt;
        pos += 2;
        if (!readGroups(s, pos, tail, 7 - head.size()))
            return std::nullopt;
        if (pos != s.size())
            return std::nullopt;
    }
    IpAddrData ip;
    ip.v6 = true;
    std::vector<uint16_t> all = head;
    all.resize(8 - tail.size(), 0);
    all.insert(all.end(), tail.begin(), tail.end());
    for (int i = 0; i < 8; ++i) {
        ip.bytes[2 * i] = static_cast<uint8_t>(all[static_cast<size_t>(i)] >> 8);
        ip.bytes[2 * i + 1] = static_cast<uint8_t>(all[static_cast<size_t>(i)] & 0xff);
    }
    return ip;
}

} // namespace

std::string toCedar(const Value &v, int maxLength)
{
    std::string out;
    appendCedar(out, v, static_cast<size_t>(maxLength));
    if (out.size() > static_cast<size_t>(maxLength)) {
        size_t cut = static_cast<size_t>(maxLength);
        while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80)
            --cut; // never split a UTF-8 sequence
        out.resize(cut);
        out += "…";
    }
    return out;
}

std::optional<int64_t> parseDecimal(std::string_view s)
{
    size_t pos = 0;
    bool negative = false;
    if (pos < s.size() && s[pos] == '-') {
        negative = true;
        ++pos;
    }
    // The integer part must fit an i64 on its own (accumulated with its sign), as in Cedar.
    int64_t whole = 0;
    size_t start = pos;
    while (pos < s.size() && isDigit(s[pos])) {
        const int d = s[pos] - '0';
        if (__builtin_mul_overflow(whole, 10, &whole) || __builtin_add_overflow(whole, negative ? -d : d, &whole))
            return std::nullopt;
        ++pos;
    }
    if (pos == start || pos >= s.size() || s[pos] != '.')
        return std::nullopt;
    ++pos;
    size_t fracStart = pos;
    int64_t frac = 0;
    while (pos < s.size() && isDigit(s[pos]) && pos - fracStart < 5) {
        frac = frac * 10 + (s[pos] - '0');
        ++pos;
    }
    size_t fracLen = pos - fracStart;
    if (fracLen == 0 || fracLen > 4 || pos != s.size())
        return std::nullopt;
    for (size_t i = fracLen; i < 4; ++i)
        frac *= 10;
    int64_t total = 0;
    if (__builtin_mul_overflow(whole, 10000, &total) || __builtin_add_overflow(total, negative ? -frac : frac, &total))
        return std::nullopt;
    return total;
}

std::string decimalToString(int64_t v)
{
    const bool neg = v < 0;
    const uint64_t x = neg ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
    const auto whole = static_cast<unsigned long long>(x / 10000);
    const auto frac = static_cast<unsigned>(x % 10000);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s%llu.%04u", neg ? "-" : "", whole, frac);
    std::string out = buf;
    while (out.size() > 2 && out.back() == '0' && out[out.size() - 2] != '.')
        out.pop_back();
    return out;
}

std::optional<IpAddrData> parseIp(std::string_view s)
{
    const bool colons = s.find(':') != std::string_view::npos;
    const bool dots = s.find('.') != std::string_view::npos;
    if (colons && dots)
        return std::nullopt; // Cedar rejects IPv4-embedded IPv6 forms
    std::string_view addr = s;
    std::optional<std::string_view> prefixText;
    if (auto slash = s.find('/'); slash != std::string_view::npos) {
        addr = s.substr(0, slash);
        prefixText = s.substr(slash + 1);
    }
    std::optional<IpAddrData> ip = colons ? parseIpv6(addr) : parseIpv4(addr);
    if (!ip)
        return std::nullopt;
    const int maxPrefix = ip->v6 ? 128 : 32;
    if (prefixText) {
        const std::string_view p = *prefixText;
        const size_t maxLen = ip->v6 ? 3 : 2;
        if (p.empty() || p.size() > maxLen || (p.size() > 1 && p[0] == '0'))
            return std::nullopt;
        int v = 0;
        for (char c : p) {
            if (!isDigit(c))
                return std::nullopt;
            v = v * 10 + (c - '0');
        }
        if (v > maxPrefix)
            return std::nullopt;
        ip->prefix = static_cast<uint8_t>(v);
    } else {
        ip->prefix = static_cast<uint8_t>(maxPrefix);
    }
    return ip;
}

std::string ipToString(const IpAddrData &ip)
{
    char buf[64];
    std::string out;
    if (!ip.v6) {
        std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", ip.bytes[0], ip.bytes[1], ip.bytes[2], ip.bytes[3]);
        out = buf;
    } else {
        for (int i = 0; i < 8; ++i) {
            if (i)
                out += ':';
            std::snprintf(buf, sizeof buf, "%x", (ip.bytes[2 * i] << 8) | ip.bytes[2 * i + 1]);
            out += buf;
        }
    }
    out += '/' + std::to_string(ip.prefix);
    return out;
}

std::optional<int64_t> parseDatetime(std::string_view s)
{
    auto year = parseFixedDigits(s, 0, 4);
    if (!year || s.size() < 10 || s[4] != '-' || s[7] != '-')
        return std::nullopt;
    auto month = parseFixedDigits(s, 5, 2);
    auto day = parseFixedDigits(s, 8, 2);
    if (!month || !day || *month < 1 || *month > 12 || *day < 1)
        return std::nullopt;
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int maxDay = kDays[*month - 1] + ((*month == 2 && isLeap(*year)) ? 1 : 0);
    if (*day > maxDay)
        return std::nullopt;
    int64_t ms = daysFromCivil(*year, static_cast<unsigned>(*month), static_cast<unsigned>(*day)) * 86400000LL;
    if (s.size() == 10)
        return ms;
    if (s.size() < 20 || s[10] != 'T' || s[13] != ':' || s[16] != ':')
        return std::nullopt;
    auto hh = parseFixedDigits(s, 11, 2);
    auto mm = parseFixedDigits(s, 14, 2);
    auto ss = parseFixedDigits(s, 17, 2);
    if (!hh || !mm || !ss || *hh > 23 || *mm > 59 || *ss > 59)
        return std::nullopt;
    ms += (*hh * 3600LL + *mm * 60LL + *ss) * 1000LL;
    size_t pos = 19;
    if (s[pos] == '.') {
        auto milli = parseFixedDigits(s, pos + 1, 3);
        if (!milli)
            return std::nullopt;
        ms += *milli;
        pos += 4;
    }
    if (pos >= s.size())
        return std::nullopt;
    if (s[pos] == 'Z') {
        return pos + 1 == s.size() ? std::optional<int64_t>(ms) : std::nullopt;
    }
    if ((s[pos] != '+' && s[pos] != '-') || pos + 5 != s.size())
        return std::nullopt;
    auto oh = parseFixedDigits(s, pos + 1, 2);
    auto om = parseFixedDigits(s, pos + 3, 2);
    if (!oh || !om || *oh > 23 || *om > 59)
        return std::nullopt;
    const int64_t offset = (*oh * 3600LL + *om * 60LL) * 1000LL;
    return s[pos] == '+' ? ms - offset : ms + offset;
}

std::optional<int64_t> parseDuration(std::string_view s)
{
    if (s.empty())
        return std::nullopt;
    size_t pos = 0;
    bool negative = false;
    if (s[0] == '-') {
        negative = true;
        pos = 1;
    }
    if (pos >= s.size())
        return std::nullopt;
    int64_t total = 0;
    int lastUnit = -1;
    while (pos < s.size()) {
        size_t start = pos;
        // Accumulate with the sign so that the most negative duration is representable.
        int64_t n = 0;
        while (pos < s.size() && isDigit(s[pos])) {
            const int d = s[pos] - '0';
            if (__builtin_mul_overflow(n, 10, &n) || __builtin_add_overflow(n, negative ? -d : d, &n))
                return std::nullopt;
            ++pos;
        }
        if (pos == start || pos >= s.size())
            return std::nullopt;
        int unit = -1;
        int64_t factor = 0;
        if (s[pos] == 'd') {
            unit = 0;
            factor = 86400000;
            ++pos;
        } else if (s[pos] == 'h') {
            unit = 1;
            factor = 3600000;
            ++pos;
        } else if (s[pos] == 'm' && pos + 1 < s.size() && s[pos + 1] == 's') {
            unit = 4;
            factor = 1;
            pos += 2;
        } else if (s[pos] == 'm') {
            unit = 2;
            factor = 60000;
            ++pos;
        } else if (s[pos] == 's') {
            unit = 3;
            factor = 1000;
            ++pos;
        } else {
            return std::nullopt;
        }
        if (unit <= lastUnit)
            return std::nullopt;
        lastUnit = unit;
        int64_t part = 0;
        if (__builtin_mul_overflow(n, factor, &part))
            return std::nullopt;
        if (__builtin_add_overflow(total, part, &total))
            return std::nullopt;
    }
    return total;
}

std::string durationToString(int64_t ms)
{
    return std::to_string(ms) + "ms";
}

} // namespace chainsight::cedar

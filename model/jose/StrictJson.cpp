#include "StrictJson.h"

#include "JoseTypes.h"

#include <vector>

namespace chainsight::jose {

namespace {

using json = nlohmann::json;

// SAX consumer that builds the document itself so it can refuse duplicates and deep nesting.
class StrictJsonBuilder final {
public:
    StrictJsonBuilder(json& root, std::size_t maxDepth) : m_root(root), m_maxDepth(maxDepth) {}

    bool null() { return put(json(nullptr)) != nullptr; }
    bool boolean(bool value) { return put(json(value)) != nullptr; }
    bool number_integer(json::number_integer_t value) { return put(json(value)) != nullptr; }
    bool number_unsigned(json::number_unsigned_t value) { return put(json(value)) != nullptr; }
    bool number_float(json::number_float_t value, const json::string_t&) { return put(json(value)) != nullptr; }
    bool string(json::string_t& value) { return put(json(std::move(value))) != nullptr; }
    bool binary(json::binary_t&) { return fail("binary values are not JSON"); }

    bool start_object(std::size_t) { return open(json::value_t::object); }
    bool start_array(std::size_t) { return open(json::value_t::array); }
    bool end_object() { return close(); }
    bool end_array() { return close(); }

    bool key(json::string_t& name)
    {
        auto& members = m_stack.back()->get_ref<json::object_t&>();
        auto [it, inserted] = members.emplace(std::move(name), nullptr);
        if (!inserted)
            return fail("duplicate member \"" + printableAscii(it->first, 60) + "\"");
        m_memberSlot = &it->second;
        return true;
    }

    bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& ex)
    {
        m_errorOffset = position;
        const std::string what = ex.what();
        // The library message quotes raw input; keep only its plain description.
        if (what.find("UTF-8") != std::string::npos)
            m_error = "invalid UTF-8";
        else if (what.find("unexpected end of input") != std::string::npos)
            m_error = "truncated JSON";
        else if (what.find("control character") != std::string::npos)
            m_error = "unescaped control character in a string";
        else if (what.find("invalid string") != std::string::npos)
            m_error = "invalid string";
        else if (what.find("number overflow") != std::string::npos)
            m_error = "number out of range";
        else
            m_error = "syntax error";
        return false;
    }

    const std::string& error() const { return m_error; }
    std::size_t errorOffset() const { return m_errorOffset; }

private:
    json* put(json&& value)
    {
        if (m_stack.empty()) {
            m_root = std::move(value);
            return &m_root;
        }
        json* parent = m_stack.back();
        if (parent->is_array()) {
            auto& items = parent->get_ref<json::array_t&>();
            items.push_back(std::move(value));
            return &items.back();
        }
        *m_memberSlot = std::move(value);
        return m_memberSlot;
    }

    bool open(json::value_t type)
    {
        if (m_stack.size() >= m_maxDepth)
            return fail("nested deeper than " + std::to_string(m_maxDepth) + " levels");
        m_stack.push_back(put(json(type)));
        return true;
    }

    bool close()
    {
        m_stack.pop_back();
        return true;
    }

    bool fail(std::string message)
    {
        m_error = std::move(message);
        return false;
    }

    json& m_root;
    std::size_t m_maxDepth;
    std::vector<json*> m_stack;
    json* m_memberSlot = nullptr;
    std::string m_error;
    std::size_t m_errorOffset = std::string::npos;
};

} // namespace

bool StrictJson::parse(std::string_view text, std::size_t maxDepth, json& out, std::string& error)
{
    StrictJsonBuilder builder(out, maxDepth);
    const bool ok = json::sax_parse(text.begin(), text.end(), &builder, json::input_format_t::json, true, false);
    if (ok && builder.error().empty())
        return true;
    error = builder.error().empty() ? std::string("invalid JSON") : builder.error();
    if (builder.errorOffset() != std::string::npos)
        error += " at byte " + std::to_string(builder.errorOffset());
    out = json();
    return false;
}

} // namespace chainsight::jose

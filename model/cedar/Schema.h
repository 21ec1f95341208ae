#pragma once

#include "cedar/Policy.h"
#include "cedar/Value.h"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chainsight::cedar {

enum class SchemaTypeKind : uint8_t { Bool, Long, String, Entity, Set, Record, Extension, Named };

struct SchemaType;
using SchemaTypePtr = std::shared_ptr<const SchemaType>;

struct SchemaAttribute final {
    SchemaTypePtr type;
    bool required = true;
};

struct SchemaType final {
    SchemaTypeKind kind = SchemaTypeKind::Named;
    std::string name;             // entity type, extension name, or the unresolved name for Named
    std::string ns;               // namespace the name was written in (for Named)
    ExtensionKind extension = ExtensionKind::Decimal;
    SchemaTypePtr element;        // Set
    std::map<std::string, SchemaAttribute> attributes; // Record
};

struct SchemaEntityType final {
    std::string name; // fully qualified
    std::vector<std::string> memberOf;
    SchemaTypePtr shape;  // record, or null
    SchemaTypePtr tags;   // or null
    std::vector<std::string> enumIds;
    SourceLocation location;
};

struct SchemaAction final {
    EntityUid uid = nullptr;
    std::vector<EntityUid> memberOf;
    std::vector<std::string> principals;
    std::vector<std::string> resources;
    SchemaTypePtr context;
    SourceLocation location;
};

// A Cedar human-format schema (.cedarschema): entity types, actions and common types.
class Schema final {
public:
    static std::optional<Schema> parse(std::string_view text, std::vector<Diagnostic> &diagnostics);

    const SchemaEntityType *entityType(std::string_view name) const;
    const SchemaAction *action(EntityUid uid) const;
    const std::map<std::string, SchemaEntityType> &entityTypes() const { return m_entityTypes; }
    const std::vector<SchemaAction> &actions() const { return m_actions; }
    // Resolves common-type and bare names to a concrete type; null when unknown or too deep.
    SchemaTypePtr resolve(const SchemaTypePtr &type) const;

private:
    friend class SchemaParser;
    std::map<std::string, SchemaEntityType> m_entityTypes;
    std::map<std::string, SchemaTypePtr> m_commonTypes; // fully qualified
    std::vector<SchemaAction> m_actions;
    std::map<EntityUid, size_t> m_actionIndex;
};

} // namespace chainsight::cedar

#pragma once

#include "cedar/Value.h"

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <unordered_map>
#include <vector>

namespace chainsight::cedar {

class Schema;

struct Entity final {
    EntityUid uid = nullptr;
    Value attrs = Value::record({});
    Value tags = Value::record({});
    std::vector<EntityUid> parents;    // direct parents as written
    std::vector<uint32_t> ancestors;   // transitive closure of parents, sorted uid indices
    std::vector<std::pair<AttrKey, Value>> attrFields; // attrs unpacked: one indirection less per lookup

    const Value *attr(AttrKey key) const
    {
        for (const auto &f : attrFields)
            if (f.first == key)
                return &f.second;
        return nullptr;
    }
};

// All entities of one evaluation world, with the `in` relation precomputed once.
class EntityStore final {
public:
    // Adds or replaces an entity; call computeClosure() after the last change.
    void insert(Entity entity);
    // Precomputes ancestors for every entity; parent cycles terminate.
    void computeClosure();

    const Entity *find(EntityUid uid) const { return findIndex(uid->index); }
    // Dense slot table by the uid's global index: one bounds check and one load on the hot path.
    const Entity *findIndex(uint32_t index) const
    {
        if (index >= m_slots.size())
            return nullptr;
        const uint32_t slot = m_slots[index];
        return slot == kNoSlot ? nullptr : &m_entities[slot];
    }
    bool isInIndex(uint32_t descendant, const EntityUidData *ancestor) const;
    // Cedar's `in`: equal, or ancestor reachable through parents.
    bool isIn(EntityUid descendant, EntityUid ancestor) const;
    const std::vector<Entity> &entities() const { return m_entities; }
    size_t size() const { return m_entities.size(); }

    // Parses Cedar's entity JSON (an array of {uid, attrs, parents, tags}). With a schema, attribute
    // values are read by their declared types and action entities of the schema are added.
    static bool fromJson(const nlohmann::json &json, const Schema *schema, EntityStore &out, std::string &error);

private:
    std::vector<Entity> m_entities;
    static constexpr uint32_t kNoSlot = 0xffffffffu;
    std::vector<uint32_t> m_slots;
};

} // namespace chainsight::cedar

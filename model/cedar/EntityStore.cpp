#include "cedar/EntityStore.h"

#include "cedar/Schema.h"
#include "cedar/ValueJson.h"

#include <algorithm>

namespace chainsight::cedar {

void EntityStore::insert(Entity entity)
{
    entity.attrFields = entity.attrs.asRecord();
    const uint32_t index = entity.uid->index;
    if (index < m_slots.size() && m_slots[index] != kNoSlot) {
        m_entities[m_slots[index]] = std::move(entity);
        return;
    }
    if (index >= m_slots.size())
        m_slots.resize(static_cast<size_t>(index) + 1, kNoSlot);
    m_slots[index] = static_cast<uint32_t>(m_entities.size());
    m_entities.push_back(std::move(entity));
}

void EntityStore::computeClosure()
{
    // Breadth-first walk per entity with a visited stamp; cycles and shared ancestors stop the walk.
    std::unordered_map<uint32_t, uint32_t> stamp;
    std::vector<EntityUid> queue;
    uint32_t generation = 0;
    for (auto &entity : m_entities) {
        ++generation;
        entity.ancestors.clear();
        queue.assign(entity.parents.begin(), entity.parents.end());
        stamp[entity.uid->index] = generation;
        for (size_t i = 0; i < queue.size(); ++i) {
            EntityUid p = queue[i];
            auto &s = stamp[p->index];
            if (s == generation)
                continue;
            s = generation;
            entity.ancestors.push_back(p->index);
            if (const Entity *pe = find(p))
                for (EntityUid gp : pe->parents)
                    queue.push_back(gp);
        }
        // An entity that reaches itself through a cycle is `in` itself anyway.
        std::sort(entity.ancestors.begin(), entity.ancestors.end());
    }
}

bool EntityStore::isIn(EntityUid descendant, EntityUid ancestor) const
{
    return isInIndex(descendant->index, ancestor);
}

bool EntityStore::isInIndex(uint32_t descendant, EntityUid ancestor) const
{
    const uint32_t target = ancestor->index;
    if (descendant == target)
        return true;
    const Entity *e = findIndex(descendant);
    if (!e)
        return false;
    const auto &a = e->ancestors;
    if (a.size() <= 8) {
        for (uint32_t x : a)
            if (x == target)
                return true;
        return false;
    }
    return std::binary_search(a.begin(), a.end(), target);
}

bool EntityStore::fromJson(const nlohmann::json &json, const Schema *schema, EntityStore &out, std::string &error)
{
    if (!json.is_array()) {
        error = "entities JSON must be an array";
        return false;
    }
    size_t index = 0;
    for (const auto &item : json) {
        const std::string where = "entity #" + std::to_string(index++);
        if (!item.is_object() || !item.contains("uid")) {
            error = where + ": expected an object with `uid`";
            return false;
        }
        Entity e;
        if (!entityUidFromJson(item["uid"], e.uid, error)) {
            error = where + ": " + error;
            return false;
        }
        const SchemaEntityType *decl = schema ? schema->entityType(e.uid->type->name) : nullptr;
        if (item.contains("attrs") && !item["attrs"].is_null()) {
            if (!item["attrs"].is_object()) {
                error = where + ": `attrs` must be an object";
                return false;
            }
            Value attrs;
            if (!valueFromJson(item["attrs"], decl ? decl->shape : nullptr, schema, attrs, error, 1)) {
                error = where + " " + entityToCedar(e.uid) + ": " + error;
                return false;
            }
            if (attrs.kind() != ValueKind::Record) {
                error = where + ": `attrs` must be a record";
                return false;
            }
            e.attrs = std::move(attrs);
        }
        if (item.contains("parents") && !item["parents"].is_null()) {
            if (!item["parents"].is_array()) {
                error = where + ": `parents` must be an array";
                return false;
            }
            for (const auto &p : item["parents"]) {
                EntityUid uid = nullptr;
                if (!entityUidFromJson(p, uid, error)) {
                    error = where + ": parent: " + error;
                    return false;
                }
                e.parents.push_back(uid);
            }
        }
        if (item.contains("tags") && !item["tags"].is_null()) {
            if (!item["tags"].is_object()) {
                error = where + ": `tags` must be an object";
                return false;
            }
            std::vector<std::pair<std::string, Value>> tags;
            for (auto it = item["tags"].begin(); it != item["tags"].end(); ++it) {
                Value v;
                if (!valueFromJson(it.value(), decl ? decl->tags : nullptr, schema, v, error, 1)) {
                    error = where + ": tag `" + it.key() + "`: " + error;
                    return false;
                }
                tags.emplace_back(it.key(), std::move(v));
            }
            e.tags = Value::record(std::move(tags));
        }
        if (out.find(e.uid)) {
            error = where + ": duplicate entity " + entityToCedar(e.uid);
            return false;
        }
        out.insert(std::move(e));
    }
    if (schema) {
        // Action entities and their groups come from the schema.
        for (const auto &a : schema->actions()) {
            const Entity *existing = out.find(a.uid);
            Entity e = existing ? *existing : Entity{};
            e.uid = a.uid;
            for (EntityUid p : a.memberOf)
                if (std::find(e.parents.begin(), e.parents.end(), p) == e.parents.end())
                    e.parents.push_back(p);
            out.insert(std::move(e));
        }
    }
    out.computeClosure();
    return true;
}

} // namespace chainsight::cedar

#include "ReplayCorpus.h"

#include "ChainStore.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <limits>
#include <map>
#include <thread>
#include <utility>

namespace chainsight {

using cedar::Entity;
using cedar::EntityUid;
using cedar::Value;

namespace {

std::string utf8(const QString &text)
{
    return text.toStdString();
}

Value stringValue(const QString &text)
{
    return Value::string(utf8(text));
}

Value stringSet(const QStringList &items)
{
    std::vector<Value> values;
    values.reserve(size_t(items.size()));
    for (const QString &item : items)
        values.push_back(stringValue(item));
    return Value::set(std::move(values));
}

// Tool arguments as Cedar values: integers as Long, other numbers as decimal (4 fraction digits) when they
// fit, else as text; null members are left out, as Cedar has no null.
std::optional<Value> cedarFromJson(const QJsonValue &json, int depth)
{
    if (depth > 32)
        return std::nullopt;
    switch (json.type()) {
    case QJsonValue::Bool: return Value::boolean(json.toBool());
    case QJsonValue::String: return stringValue(json.toString());
    case QJsonValue::Double: {
        const double d = json.toDouble();
        if (std::isfinite(d) && std::trunc(d) == d && std::fabs(d) < 9.0e15)
            return Value::integer(qint64(d));
        if (std::isfinite(d) && std::fabs(d) < 9.0e11)
            return Value::decimal(std::llround(d * 10000.0));
        return stringValue(QString::number(d));
    }
    case QJsonValue::Array: {
        std::vector<Value> values;
        const QJsonArray array = json.toArray();
        for (const QJsonValue &element : array) {
            if (auto v = cedarFromJson(element, depth + 1))
                values.push_back(std::move(*v));
        }
        return Value::set(std::move(values));
    }
    case QJsonValue::Object: {
        std::vector<std::pair<std::string, Value>> fields;
        const QJsonObject object = json.toObject();
        for (auto it = object.begin(); it != object.end(); ++it) {
            if (auto v = cedarFromJson(it.value(), depth + 1))
                fields.emplace_back(utf8(it.key()), std::move(*v));
        }
        return Value::record(std::move(fields));
    }
    case QJsonValue::Null:
    case QJsonValue::Undefined: break;
    }
    return std::nullopt;
}

QStringList sortedUnique(QStringList list)
{
    list.removeAll(QString());
    list.sort();
    list.removeDuplicates();
    return list;
}

// The sensitivities and categories every workspace gets as action groups, so policies can name them
// before a workspace records any tool of that kind.
const QStringList &shippedActionGroups()
{
    static const QStringList groups = {
        QStringLiteral("read"),      QStringLiteral("write"),   QStringLiteral("communicate"), QStringLiteral("compute"),
        QStringLiteral("execute"),   QStringLiteral("inference"), QStringLiteral("payment"),   QStringLiteral("admin"),
        QStringLiteral("low"),       QStringLiteral("medium"),  QStringLiteral("high"),        QStringLiteral("critical"),
    };
    return groups;
}

// Content-addressed keys of the shared context parts: equal parts are built once for the whole corpus.
template<size_t N>
struct PartKey
{
    std::array<quint64, N> fields{};
    bool operator==(const PartKey &) const = default;
};

// Open addressing over a flat array: one probe usually lands on the key itself, where a node-based map
// costs a bucket and a node miss per lookup; a million lookups a replay make that the difference.
template<size_t N>
class PartCache
{
public:
    const uint32_t *find(const PartKey<N> &key) const
    {
        if (m_slots.empty())
            return nullptr;
        for (size_t i = hashOf(key) & m_mask;; i = (i + 1) & m_mask) {
            const Slot &slot = m_slots[i];
            if (slot.value == empty)
                return nullptr;
            if (slot.key == key)
                return &slot.value;
        }
    }
    void insert(const PartKey<N> &key, uint32_t value)
    {
        if ((m_size + 1) * 4 > m_slots.size() * 3)
            grow();
        place(key, value);
        ++m_size;
    }

private:
    static constexpr uint32_t empty = std::numeric_limits<uint32_t>::max();
    struct Slot
    {
        PartKey<N> key;
        uint32_t value = empty;
    };
    static size_t hashOf(const PartKey<N> &key)
    {
        quint64 h = 0x9e3779b97f4a7c15ULL;
        for (const quint64 field : key.fields) {
            h ^= field + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
            h *= 0xff51afd7ed558ccdULL;
        }
        return size_t(h ^ (h >> 32));
    }
    void place(const PartKey<N> &key, uint32_t value)
    {
        size_t i = hashOf(key) & m_mask;
        while (m_slots[i].value != empty)
            i = (i + 1) & m_mask;
        m_slots[i] = Slot{key, value};
    }
    void grow()
    {
        const size_t capacity = std::max<size_t>(64, m_slots.size() * 2);
        std::vector<Slot> old = std::exchange(m_slots, std::vector<Slot>(capacity));
        m_mask = m_slots.size() - 1;
        for (const Slot &slot : old) {
            if (slot.value != empty)
                place(slot.key, slot.value);
        }
    }
    std::vector<Slot> m_slots;
    size_t m_mask = 0;
    size_t m_size = 0;
};

// A small direct-mapped cache in front of a lookup by text. The chains' strings are shared (the stored set
// holds each distinct string once), so a text seen before usually comes back with the same storage: a pointer
// compare instead of hashing the text in a large table. Only for strings that outlive the builder.
template<typename V>
class RecentByStorage
{
public:
    const V *find(const QString &text) const
    {
        const Entry &entry = m_entries[slot(text)];
        return entry.data == text.constData() && entry.size == text.size() ? &entry.value : nullptr;
    }
    void remember(const QString &text, const V &value) { m_entries[slot(text)] = Entry{text.constData(), text.size(), value}; }

private:
    struct Entry
    {
        const QChar *data = nullptr;
        qsizetype size = -1;
        V value{};
    };
    static size_t slot(const QString &text) { return (quintptr(text.constData()) >> 4) % 2048; }
    std::array<Entry, 2048> m_entries{};
};

} // namespace

QString ReplayFilter::toJson() const
{
    QJsonObject object;
    if (fromMs)
        object.insert(QStringLiteral("from_ms"), double(*fromMs));
    if (toMs)
        object.insert(QStringLiteral("to_ms"), double(*toMs));
    if (!identity.isEmpty())
        object.insert(QStringLiteral("identity"), identity);
    if (!chainKey.isEmpty())
        object.insert(QStringLiteral("chain"), chainKey);
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

ReplayFilter ReplayFilter::fromJson(const QString &json)
{
    ReplayFilter filter;
    const QJsonObject object = QJsonDocument::fromJson(json.toUtf8()).object();
    if (object.contains(QStringLiteral("from_ms")))
        filter.fromMs = qint64(object.value(QStringLiteral("from_ms")).toDouble());
    if (object.contains(QStringLiteral("to_ms")))
        filter.toMs = qint64(object.value(QStringLiteral("to_ms")).toDouble());
    filter.identity = object.value(QStringLiteral("identity")).toString();
    filter.chainKey = object.value(QStringLiteral("chain")).toString();
    return filter;
}

QString entityText(EntityUid uid)
{
    return uid ? QString::fromStdString(cedar::entityToCedar(uid)) : QString();
}

Value replayContext(const ReplayContextClass &parts, const ReplayInput *input, qint64 timeMs)
{
    std::vector<std::pair<std::string, Value>> fields = {
        {"approval", parts.approval},     {"credential", parts.credential}, {"delegation", parts.delegation},
        {"intent", parts.intent},         {"operation", parts.operation},   {"protocol", parts.protocol},
        {"scopes", parts.scopes},         {"time", Value::datetime(timeMs)}, {"token", parts.token},
    };
    if (input) {
        if (input->record)
            fields.emplace_back("input", *input->record);
        fields.emplace_back("inputText", input->text);
    }
    return Value::record(std::move(fields));
}

// Builds the corpus in one pass over the chains, then one entity store per originator.
class ReplayCorpus::Builder
{
public:
    Builder(ReplayCorpus &corpus, const PolicyInventory &inventory, const QHash<qint64, QString> &toolArguments)
        : m_corpus(corpus)
        , m_inventory(inventory)
        , m_toolArguments(toolArguments)
    {
        m_human = cedar::internType("Human");
        m_agent = cedar::internType("Agent");
        m_shadow = cedar::internType("Shadow");
        m_tool = cedar::internType("Tool");
        m_host = cedar::internType("Host");
        m_mcpServer = cedar::internType("McpServer");
        m_awsResource = cedar::internType("AwsResource");
        m_actionType = cedar::internType("Action");
        for (bool human : {false, true})
            m_approval[human] = Value::record({{"human", Value::boolean(human)}});
        m_token[0] = Value::record({{"checked", Value::boolean(false)}, {"verified", Value::boolean(false)}});
        m_token[1] = Value::record({{"checked", Value::boolean(true)}, {"verified", Value::boolean(false)}});
        m_token[2] = Value::record({{"checked", Value::boolean(true)}, {"verified", Value::boolean(true)}});
    }

    void addInventory()
    {
        for (auto it = m_inventory.parties.cbegin(); it != m_inventory.parties.cend(); ++it) {
            const PolicyParty &party = *it;
            switch (party.kind) {
            case ChainPartyKind::Human: humanUid(party.externalId); break;
            case ChainPartyKind::Agent: partyUid(ChainPartyKind::Agent, party.externalId); break;
            case ChainPartyKind::Shadow: partyUid(ChainPartyKind::Shadow, party.externalId); break;
            case ChainPartyKind::Tool: toolActionOrdinal(party.externalId); break;
            case ChainPartyKind::Unknown: break;
            }
        }
        for (const QString &group : shippedActionGroups())
            groupUid(group);
    }

    // One chain of a set that is being read: nothing may refer to it after the call.
    void addStreamedChain(const Chain &chain) { addChain(chain); }

    void addChains(const ChainSet &chains)
    {
        size_t total = 0;
        for (const Chain &chain : chains.chains)
            total += size_t(chain.actions.size());
        m_corpus.m_actions.reserve(total);
        m_corpus.m_chains.reserve(size_t(chains.chains.size()));
        for (const Chain &chain : chains.chains)
            addChain(chain);
    }

    void finish()
    {
        // Time order: the results table, the charts and the JSON output read the actions in this order.
        std::sort(m_corpus.m_actions.begin(), m_corpus.m_actions.end(), [](const ReplayAction &a, const ReplayAction &b) {
            return a.timeMs != b.timeMs ? a.timeMs < b.timeMs : a.eventId < b.eventId;
        });
        buildStores();
        m_corpus.m_toolActions = sortedUnique(m_toolActionNames);
        m_corpus.m_groups = sortedUnique(m_groupNames);
        for (auto &[type, ids] : m_ids)
            m_corpus.m_idsByType.insert(type, sortedUnique(ids));
    }

private:
    uint32_t partitionOf(const QString &originator)
    {
        const auto it = m_partitionOf.constFind(originator);
        if (it != m_partitionOf.cend())
            return *it;
        const auto index = uint32_t(m_corpus.m_partitions.size());
        m_corpus.m_partitions.push_back(Partition{originator, {}});
        m_parents.emplace_back();
        m_resourcesUsed.emplace_back();
        m_partitionOf.insert(originator, index);
        return index;
    }

    EntityUid humanUid(const QString &id)
    {
        const auto it = m_humans.constFind(id);
        if (it != m_humans.cend())
            return *it;
        EntityUid uid = cedar::internUid(m_human, utf8(id));
        const PolicyParty *party = m_inventory.human(id);
        Entity entity;
        entity.uid = uid;
        entity.attrs = Value::record({{"name", stringValue(party && !party->name.isEmpty() ? party->name : id)},
                                      {"department", stringValue(party ? party->department : QString())}});
        m_static.push_back(std::move(entity));
        m_humans.insert(id, uid);
        m_ids[QStringLiteral("Human")].append(id);
        return uid;
    }

    // Agents and shadows: their parents depend on the partition, so they are kept apart from the static entities.
    EntityUid partyUid(ChainPartyKind kind, const QString &id)
    {
        if (kind == ChainPartyKind::Human)
            return humanUid(id);
        // Every action asks: the answer per (kind, id) is remembered before the inventory is consulted.
        auto &recent = m_recentParty[size_t(kind)];
        if (const EntityUid *hit = recent.find(id))
            return *hit;
        auto &known = m_partyByKind[size_t(kind)];
        const auto found = known.constFind(id);
        const EntityUid resolved = found != known.cend() ? *found : newPartyUid(kind, id);
        if (found == known.cend())
            known.insert(id, resolved);
        recent.remember(id, resolved);
        return resolved;
    }

    EntityUid newPartyUid(ChainPartyKind kind, const QString &id)
    {
        const bool agent = kind == ChainPartyKind::Agent && m_inventory.agent(id);
        const QString name = id.isEmpty() ? QStringLiteral("unknown") : id;
        auto &cache = agent ? m_agents : m_shadows;
        const auto it = cache.constFind(name);
        if (it != cache.cend())
            return *it;
        EntityUid uid = cedar::internUid(agent ? m_agent : m_shadow, utf8(name));
        Entity entity;
        entity.uid = uid;
        if (agent) {
            const PolicyParty &party = *m_inventory.agent(id);
            std::vector<std::pair<std::string, Value>> attrs = {
                {"role", stringValue(party.role)},
                {"purpose", stringValue(party.purpose)},
                {"department", stringValue(party.department)},
                {"intents", stringSet(party.intents)},
                {"mayDelegateTo", stringSet(party.mayDelegateTo)},
            };
            if (!party.owner.isEmpty())
                attrs.emplace_back("owner", Value::entity(humanUid(party.owner)));
            if (party.maxDelegationDepth)
                attrs.emplace_back("maxDelegationDepth", Value::integer(*party.maxDelegationDepth));
            entity.attrs = Value::record(std::move(attrs));
        } else {
            entity.attrs = Value::record({{"alias", stringValue(name)}});
        }
        m_actors.push_back(std::move(entity));
        cache.insert(name, uid);
        m_ids[agent ? QStringLiteral("Agent") : QStringLiteral("Shadow")].append(name);
        return uid;
    }

    EntityUid groupUid(const QString &group)
    {
        const auto it = m_groups.constFind(group);
        if (it != m_groups.cend())
            return *it;
        EntityUid uid = cedar::internUid(m_actionType, utf8(group));
        Entity entity;
        entity.uid = uid;
        m_static.push_back(std::move(entity));
        m_groups.insert(group, uid);
        m_groupNames.append(group);
        return uid;
    }

    // Every tool (or API operation) is an Action in its category's and its sensitivity's group, and a Tool entity.
    uint32_t toolActionOrdinal(const QString &name)
    {
        if (const uint32_t *hit = m_recentAction.find(name))
            return *hit;
        const auto it = m_actionOrdinal.constFind(name);
        if (it != m_actionOrdinal.cend()) {
            m_recentAction.remember(name, *it);
            return *it;
        }
        const PolicyParty *tool = m_inventory.tool(name);
        Entity action;
        action.uid = cedar::internUid(m_actionType, utf8(name));
        QStringList groups;
        if (tool) {
            for (const QString &group : {tool->category, tool->sensitivity}) {
                if (!group.isEmpty() && group != name && !groups.contains(group)) {
                    action.parents.push_back(groupUid(group));
                    groups.append(group);
                }
            }
        }
        const auto ordinal = uint32_t(m_corpus.m_actionUids.size());
        m_corpus.m_actionUids.push_back(action.uid);
        m_static.push_back(std::move(action));
        m_actionOrdinal.insert(name, ordinal);
        m_toolActionNames.append(name);
        m_corpus.m_groupsOf.insert(name, groups);

        Entity toolEntity;
        toolEntity.uid = cedar::internUid(m_tool, utf8(name));
        m_toolUids.push_back(toolEntity.uid);
        toolEntity.attrs = Value::record({{"category", stringValue(tool ? tool->category : QString())},
                                          {"sensitivity", stringValue(tool ? tool->sensitivity : QString())},
                                          {"server", stringValue(tool ? tool->server : QString())}});
        m_static.push_back(std::move(toolEntity));
        m_ids[QStringLiteral("Tool")].append(name);
        return ordinal;
    }

    // The target of an action, typed by its shape: an AWS ARN, an MCP server, a host or URL; the tool itself
    // when nothing else was recorded.
    EntityUid resourceUid(const ChainAction &action, uint32_t toolOrdinal, uint32_t partition)
    {
        const QString &resource = action.resource;
        if (resource.isEmpty())
            return m_toolUids[toolOrdinal];
        if (const auto *hit = m_recentResource.find(resource)) {
            auto &used = m_resourcesUsed[partition];
            if (used.empty() || used.back() != hit->second)
                used.push_back(hit->second);
            return hit->first;
        }
        auto it = m_resources.find(resource);
        if (it == m_resources.end()) {
            Entity entity;
            if (resource.startsWith(QLatin1String("arn:"))) {
                entity.uid = cedar::internUid(m_awsResource, utf8(resource));
                const QStringList parts = resource.split(QLatin1Char(':'));
                entity.attrs = Value::record({{"arn", stringValue(resource)},
                                              {"service", stringValue(parts.value(2))},
                                              {"region", stringValue(parts.value(3))},
                                              {"account", stringValue(parts.value(4))}});
                m_ids[QStringLiteral("AwsResource")].append(resource);
            } else {
                const bool mcp = action.protocol == QLatin1String("mcp");
                entity.uid = cedar::internUid(mcp ? m_mcpServer : m_host, utf8(resource));
                entity.attrs = Value::record({{"name", stringValue(resource)}});
                m_ids[mcp ? QStringLiteral("McpServer") : QStringLiteral("Host")].append(resource);
            }
            it = m_resources.insert(resource, {entity.uid, uint32_t(m_resourceEntities.size())});
            m_resourceEntities.push_back(std::move(entity));
        }
        m_recentResource.remember(resource, *it);
        // Kept in order of use (sorted and made unique once, for the stores): a set insert per action costs more.
        auto &used = m_resourcesUsed[partition];
        if (used.empty() || used.back() != it->second)
            used.push_back(it->second);
        return it->first;
    }

    int32_t inputIndex(qint64 eventId)
    {
        const auto it = m_toolArguments.constFind(eventId);
        if (it == m_toolArguments.cend())
            return -1;
        ReplayInput input;
        input.text = stringValue(*it);
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(it->toUtf8(), &error);
        if (error.error == QJsonParseError::NoError && document.isObject())
            input.record = cedarFromJson(document.object(), 0);
        m_corpus.m_inputs.push_back(std::move(input));
        return int32_t(m_corpus.m_inputs.size() - 1);
    }

    void addChain(const Chain &chain)
    {
        const auto chainIndex = uint32_t(m_corpus.m_chains.size());
        m_corpus.m_chains.push_back(ReplayChainInfo{chain.key, chain.originator, chain.root});
        const uint32_t partition = partitionOf(chain.originator);
        auto &parents = m_parents[partition];
        std::optional<EntityUid> originator;
        if (!chain.originator.isEmpty())
            originator = humanUid(chain.originator);

        // The hierarchy: each delegate is in its delegator; the root agent is in the originating human.
        for (const ChainHop &hop : chain.hops) {
            if (hop.delegate.isEmpty() || hop.delegateKind == ChainPartyKind::Tool || hop.delegateKind == ChainPartyKind::Human)
                continue;
            if (hop.delegator.isEmpty() || hop.delegatorKind == ChainPartyKind::Tool)
                continue;
            const EntityUid delegate = partyUid(hop.delegateKind, hop.delegate);
            const EntityUid delegator = partyUid(hop.delegatorKind, hop.delegator);
            if (delegate != delegator)
                parents.emplace_back(delegate, delegator);
        }
        if (originator && !chain.root.isEmpty() && chain.rootKind != ChainPartyKind::Human && chain.rootKind != ChainPartyKind::Tool)
            parents.emplace_back(partyUid(chain.rootKind, chain.root), *originator);

        std::optional<qint64> maxDepth;
        if (const PolicyParty *root = chain.rootId ? m_inventory.find(chain.rootId) : m_inventory.agent(chain.root))
            maxDepth = root->maxDelegationDepth;
        const quint64 rootName = stringIndex(chain.root);
        const quint64 rootScopes = sharedSetIndex(chain.rootScopes);
        const quint64 originatorKey = originator ? quint64((*originator)->index) + 1 : 0;
        const quint64 maxDepthKey = maxDepth ? quint64(*maxDepth) + 1 : 0;

        EntityUid lastRootActor = nullptr; // the root's actions repeat the same actor: one insert is enough
        for (const ChainAction &chainAction : chain.actions) {
            const QString toolName = !chainAction.tool.isEmpty()     ? chainAction.tool
                                     : !chainAction.action.isEmpty() ? chainAction.action
                                                                     : QStringLiteral("unknown");
            ReplayAction action;
            action.eventId = chainAction.eventId;
            action.timeMs = chainAction.timeMs;
            action.chain = chainIndex;
            action.partition = partition;
            action.principal = partyUid(chainAction.actorKind, chainAction.actor);
            action.actionOrdinal = toolActionOrdinal(toolName);
            action.action = m_corpus.m_actionUids[action.actionOrdinal];
            action.resource = resourceUid(chainAction, action.actionOrdinal, partition);
            // A root agent acting on its own is still acting for the originator.
            if (originator && chainAction.path.size() <= 1 && chainAction.actorKind != ChainPartyKind::Human
                && action.principal != lastRootActor) {
                parents.emplace_back(action.principal, *originator);
                lastRootActor = action.principal;
            }

            // delegation
            const uint32_t path = !chainAction.path.isEmpty() || chainAction.actor.isEmpty()
                                      ? sharedSetIndex(chainAction.path)
                                      : setIndex(QStringList{chainAction.actor});
            const uint32_t delegation = part(m_delegations,
                                             PartKey<5>{{quint64(chainAction.depth), path, rootName, originatorKey, maxDepthKey}},
                                             [&] {
                                                 std::vector<std::pair<std::string, Value>> fields = {
                                                     {"depth", Value::integer(chainAction.depth)},
                                                     {"chain", m_sets[path]},
                                                     {"root", m_stringValues[rootName]},
                                                     {"cycle", Value::boolean(m_setHasRepeats[path])},
                                                 };
                                                 if (originator)
                                                     fields.emplace_back("originator", Value::entity(*originator));
                                                 if (maxDepth)
                                                     fields.emplace_back("maxDepth", Value::integer(*maxDepth));
                                                 return Value::record(std::move(fields));
                                             });
            // scopes
            const uint32_t granted = sharedSetIndex(chainAction.scopesGranted);
            const uint32_t scopes = part(m_scopes, PartKey<2>{{granted, rootScopes}}, [&] {
                return Value::record({{"granted", m_sets[granted]}, {"root", m_sets[rootScopes]}});
            });
            // intent: the actor's own declared intents, and the chain's intent narrowed down to the actor
            const PolicyParty *actor = chainAction.actorKind == ChainPartyKind::Agent
                                           ? (chainAction.actorId ? m_inventory.find(chainAction.actorId)
                                                                  : m_inventory.agent(chainAction.actor))
                                           : nullptr;
            const bool declaredSome = actor && actor->kind == ChainPartyKind::Agent;
            const uint32_t declared = declaredSome ? sharedSetIndex(actor->intents) : sharedSetIndex({});
            const bool match = declaredSome && actor->intents.contains(toolName);
            const uint32_t narrowed = sharedSetIndex(chainAction.intentAtActor);
            const uint32_t intent = part(m_intents, PartKey<4>{{declared, match, narrowed, chainAction.withinIntent}}, [&] {
                return Value::record({{"declared", m_sets[declared]},
                                      {"match", Value::boolean(match)},
                                      {"chain", m_sets[narrowed]},
                                      {"withinChain", Value::boolean(chainAction.withinIntent)}});
            });
            const uint32_t credential = part(m_credentials, PartKey<1>{{stringIndex(chainAction.credentialType)}}, [&] {
                return Value::record({{"type", stringValue(chainAction.credentialType)}});
            });
            const int token = chainAction.tokenVerified ? (*chainAction.tokenVerified ? 2 : 1) : 0;
            const uint32_t protocol = stringIndex(chainAction.protocol);
            const uint32_t operation = stringIndex(chainAction.action);

            const int32_t input = inputIndex(chainAction.eventId);
            const PartKey<8> classKey{{delegation, scopes, intent, credential, quint64(token), protocol, operation,
                                       quint64(chain.humanApproval)}};
            const uint32_t *found = input < 0 ? m_classIndex.find(classKey) : nullptr;
            if (found) {
                action.contextClass = *found;
            } else {
                ReplayContextClass parts;
                parts.approval = m_approval[chain.humanApproval];
                parts.credential = m_partValues[credential];
                parts.delegation = m_partValues[delegation];
                parts.intent = m_partValues[intent];
                parts.operation = m_stringValues[operation];
                parts.protocol = m_stringValues[protocol];
                parts.scopes = m_partValues[scopes];
                parts.token = m_token[token];
                parts.input = input;
                action.contextClass = uint32_t(m_corpus.m_classes.size());
                m_corpus.m_classes.push_back(std::move(parts));
                if (input < 0)
                    m_classIndex.insert(classKey, action.contextClass);
            }
            m_corpus.m_actions.push_back(action);
        }
    }

    uint32_t stringIndex(const QString &text)
    {
        if (const uint32_t *hit = m_recentString.find(text))
            return *hit;
        auto it = m_stringIndex.constFind(text);
        if (it == m_stringIndex.cend()) {
            m_stringValues.push_back(stringValue(text));
            it = m_stringIndex.insert(text, uint32_t(m_stringValues.size() - 1));
        }
        m_recentString.remember(text, *it);
        return *it;
    }

    uint32_t setIndex(const QStringList &items)
    {
        const auto it = m_setIndex.constFind(items);
        if (it != m_setIndex.cend())
            return *it;
        const auto index = uint32_t(m_sets.size());
        m_sets.push_back(stringSet(items));
        m_setHasRepeats.push_back(QSet<QString>(items.cbegin(), items.cend()).size() != items.size());
        m_setIndex.insert(items, index);
        return index;
    }

    // The chains hand out implicitly shared lists (every action of an agent span shares its path), so the
    // list's storage identifies its contents while the chains are alive: one pointer lookup instead of a hash
    // of every string.
    uint32_t sharedSetIndex(const QStringList &items)
    {
        if (items.isEmpty())
            return setIndex(items);
        const PartKey<2> storage{{quint64(quintptr(items.constData())), quint64(items.size())}};
        if (const uint32_t *found = m_setByStorage.find(storage))
            return *found;
        const uint32_t index = setIndex(items);
        m_setByStorage.insert(storage, index);
        return index;
    }

    template<size_t N, typename Make>
    uint32_t part(PartCache<N> &cache, const PartKey<N> &key, const Make &make)
    {
        if (const uint32_t *found = cache.find(key))
            return *found;
        const auto index = uint32_t(m_partValues.size());
        m_partValues.push_back(make());
        cache.insert(key, index);
        return index;
    }

    void buildStores()
    {
        if (m_corpus.m_partitions.empty())
            partitionOf(QString());
        // One store per originator, each built from shared read-only parts and its own: two threads take
        // partitions from one counter (a recorded enterprise has hundreds of originators).
        std::atomic_size_t next{0};
        const auto work = [this, &next] {
            for (size_t p = next++; p < m_corpus.m_partitions.size(); p = next++)
                buildStore(p);
        };
        std::thread helper;
        if (m_corpus.m_partitions.size() > 1)
            helper = std::thread(work);
        work();
        if (helper.joinable())
            helper.join();
    }

    void buildStore(size_t p)
    {
        cedar::EntityStore &store = m_corpus.m_partitions[p].store;
        for (const Entity &entity : m_static)
            store.insert(entity);
        // (child, parent) pairs as recorded, made a sorted set here, on the store's own thread.
        auto &parents = m_parents[p];
        const auto byChildThenParent = [](const std::pair<EntityUid, EntityUid> &a, const std::pair<EntityUid, EntityUid> &b) {
            const std::less<EntityUid> less;
            return a.first != b.first ? less(a.first, b.first) : less(a.second, b.second);
        };
        std::sort(parents.begin(), parents.end(), byChildThenParent);
        parents.erase(std::unique(parents.begin(), parents.end()), parents.end());
        for (const Entity &actor : m_actors) {
            Entity copy = actor;
            const auto first = std::lower_bound(parents.begin(), parents.end(), std::make_pair(actor.uid, EntityUid{}), byChildThenParent);
            for (auto it = first; it != parents.end() && it->first == actor.uid; ++it)
                copy.parents.push_back(it->second);
            store.insert(std::move(copy));
        }
        auto &used = m_resourcesUsed[p];
        std::sort(used.begin(), used.end());
        used.erase(std::unique(used.begin(), used.end()), used.end());
        for (uint32_t resource : used)
            store.insert(m_resourceEntities[resource]);
        store.computeClosure();
    }

    ReplayCorpus &m_corpus;
    const PolicyInventory &m_inventory;
    const QHash<qint64, QString> &m_toolArguments;
    const cedar::EntityTypeName *m_human = nullptr;
    const cedar::EntityTypeName *m_agent = nullptr;
    const cedar::EntityTypeName *m_shadow = nullptr;
    const cedar::EntityTypeName *m_tool = nullptr;
    const cedar::EntityTypeName *m_host = nullptr;
    const cedar::EntityTypeName *m_mcpServer = nullptr;
    const cedar::EntityTypeName *m_awsResource = nullptr;
    const cedar::EntityTypeName *m_actionType = nullptr;
    Value m_approval[2];
    Value m_token[3];

    QHash<QString, uint32_t> m_partitionOf;
    std::vector<std::vector<std::pair<EntityUid, EntityUid>>> m_parents; // per partition: (child, parent), repeats and all
    std::vector<std::vector<uint32_t>> m_resourcesUsed;                        // per partition, unsorted until the stores
    std::vector<Entity> m_static;  // humans, tools, actions: the same in every partition
    std::vector<Entity> m_actors;  // agents and shadows, without parents
    std::vector<Entity> m_resourceEntities;
    QHash<QString, EntityUid> m_partyByKind[5]; // by ChainPartyKind
    RecentByStorage<EntityUid> m_recentParty[5];
    RecentByStorage<uint32_t> m_recentAction;
    RecentByStorage<uint32_t> m_recentString;
    RecentByStorage<std::pair<EntityUid, uint32_t>> m_recentResource;
    QHash<QString, EntityUid> m_humans;
    QHash<QString, EntityUid> m_agents;
    QHash<QString, EntityUid> m_shadows;
    QHash<QString, EntityUid> m_groups;
    QHash<QString, uint32_t> m_actionOrdinal;
    std::vector<EntityUid> m_toolUids; // by action ordinal
    QHash<QString, std::pair<EntityUid, uint32_t>> m_resources;
    QHash<QString, uint32_t> m_stringIndex;
    std::vector<Value> m_stringValues;
    QHash<QStringList, uint32_t> m_setIndex;
    std::vector<Value> m_sets;
    PartCache<2> m_setByStorage; // by the list's storage and size
    std::vector<bool> m_setHasRepeats;
    std::vector<Value> m_partValues;
    PartCache<5> m_delegations;
    PartCache<2> m_scopes;
    PartCache<4> m_intents;
    PartCache<1> m_credentials;
    PartCache<8> m_classIndex;
    QStringList m_toolActionNames;
    QStringList m_groupNames;
    std::map<QString, QStringList> m_ids;
};

std::shared_ptr<const ReplayCorpus> ReplayCorpus::build(const ReplaySource &source)
{
    return build(source.chains, source.inventory, source.toolArguments);
}

std::shared_ptr<const ReplayCorpus> ReplayCorpus::build(const ChainSet &chains, const PolicyInventory &inventory,
                                                        const QHash<qint64, QString> &toolArguments)
{
    auto corpus = std::make_shared<ReplayCorpus>();
    // On the heap: its caches are several hundred kilobytes, too much for a worker thread's stack.
    const auto builder = std::make_unique<Builder>(*corpus, inventory, toolArguments);
    builder->addInventory();
    builder->addChains(chains);
    builder->finish();
    return corpus;
}

std::shared_ptr<const ReplayCorpus> ReplayCorpus::load(SqliteDatabase &db, ReplaySource *source)
{
    const ChainSet none;
    *source = ReplaySource::load(db, &none); // the inventory and the tool arguments
    {
        auto corpus = std::make_shared<ReplayCorpus>();
        const auto builder = std::make_unique<Builder>(*corpus, source->inventory, source->toolArguments);
        builder->addInventory();
        if (ChainStore::forEachFreshChain(db, [&builder](const Chain &chain) { builder->addStreamedChain(chain); })) {
            builder->finish();
            return corpus;
        }
    }
    // No fresh stored set, or a damaged one: the chains from the events, then the corpus from them.
    source->chains = ChainStore::chainsOf(db, /*eventIndex=*/false);
    return build(*source);
}

Value ReplayCorpus::context(size_t index) const
{
    const ReplayAction &a = m_actions[index];
    const ReplayContextClass &parts = m_classes[a.contextClass];
    return replayContext(parts, parts.input >= 0 ? &m_inputs[size_t(parts.input)] : nullptr, a.timeMs);
}

cedar::Request ReplayCorpus::request(size_t index) const
{
    const ReplayAction &a = m_actions[index];
    cedar::Request request;
    request.principal = a.principal;
    request.action = a.action;
    request.resource = a.resource;
    request.context = context(index);
    return request;
}

std::vector<uint32_t> ReplayCorpus::select(const ReplayFilter &filter) const
{
    std::vector<uint32_t> out;
    out.reserve(filter.isEmpty() ? m_actions.size() : 0);
    const std::string identity = utf8(filter.identity);
    const Value identityValue = Value::string(identity);
    const cedar::AttrKey chainKey = cedar::internKey("chain");
    for (size_t i = 0; i < m_actions.size(); ++i) {
        const ReplayAction &a = m_actions[i];
        if (filter.fromMs && a.timeMs < *filter.fromMs)
            continue;
        if (filter.toMs && a.timeMs > *filter.toMs)
            continue;
        const ReplayChainInfo &chain = m_chains[a.chain];
        if (!filter.chainKey.isEmpty() && chain.key != filter.chainKey)
            continue;
        if (!filter.identity.isEmpty() && a.principal->id != identity && chain.originator != filter.identity) {
            const Value *path = m_classes[a.contextClass].delegation.field(chainKey);
            if (!path || !path->setContains(identityValue))
                continue;
        }
        out.push_back(uint32_t(i));
    }
    return out;
}

QStringList ReplayCorpus::toolActionNames() const
{
    return m_toolActions;
}

QStringList ReplayCorpus::actionGroups() const
{
    return m_groups;
}

QHash<QString, QStringList> ReplayCorpus::actionGroupsOf() const
{
    return m_groupsOf;
}

QStringList ReplayCorpus::entityIds(const QString &type) const
{
    return m_idsByType.value(type);
}

} // namespace chainsight

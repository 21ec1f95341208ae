#pragma once

#include "ReplaySource.h"

#include "cedar/EntityStore.h"
#include "cedar/Evaluator.h"

#include <QString>
#include <QStringList>

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

namespace chainsight {

// Which recorded actions a replay covers; an empty filter covers all of them.
struct ReplayFilter
{
    std::optional<qint64> fromMs; // inclusive, UTC milliseconds
    std::optional<qint64> toMs;   // inclusive
    QString identity;             // the actor, an agent on its delegation path, or the chain's originator
    QString chainKey;

    bool isEmpty() const { return !fromMs && !toMs && identity.isEmpty() && chainKey.isEmpty(); }
    QString toJson() const;
    static ReplayFilter fromJson(const QString &json);
};

// One recorded action as a Cedar request, compactly: the context is assembled from shared parts.
struct ReplayAction
{
    qint64 eventId = 0;
    qint64 timeMs = 0;
    cedar::EntityUid principal = nullptr;
    cedar::EntityUid action = nullptr;
    cedar::EntityUid resource = nullptr;
    uint32_t chain = 0;         // index into chains()
    uint32_t partition = 0;     // the entity store of the chain's originator
    uint32_t contextClass = 0;  // index into contextClass()
    uint32_t actionOrdinal = 0; // dense index of the action uid, into actionUids()
};

// The context attributes many actions share; `time` (and the arguments) are added per action.
struct ReplayContextClass
{
    cedar::Value approval;
    cedar::Value credential;
    cedar::Value delegation;
    cedar::Value intent;
    cedar::Value operation;
    cedar::Value protocol;
    cedar::Value scopes;
    cedar::Value token;
    int32_t input = -1; // index into inputs, -1 when no arguments were recorded
};

// The recorded arguments of one tool call: as a record when they were a JSON object, and as text.
struct ReplayInput
{
    std::optional<cedar::Value> record;
    cedar::Value text;
};

struct ReplayChainInfo
{
    QString key;
    QString originator; // empty when the chain has none
    QString root;
};

// Every recorded action of a workspace mapped to a Cedar request (docs/policy-context.md), with the entity
// hierarchy built once: one entity store per originator, so that `principal in Human::"alice"` holds exactly
// for the actions done, transitively, for alice. Immutable once built; shared by every replay.
class ReplayCorpus final
{
public:
    static std::shared_ptr<const ReplayCorpus> build(const ReplaySource &source);
    // Reads what a replay needs from the workspace and builds the corpus in one pass over the stored chains,
    // each decoded in turn, never holding the whole set (a million actions would be several hundred megabytes
    // of fresh memory). source gets the inventory and the tool arguments; its chains only when there was no
    // fresh stored set and they had to be built from the events. Throws SqliteError on a store failure.
    static std::shared_ptr<const ReplayCorpus> load(SqliteDatabase &db, ReplaySource *source);
    static std::shared_ptr<const ReplayCorpus> build(const ChainSet &chains, const PolicyInventory &inventory,
                                                     const QHash<qint64, QString> &toolArguments = {});

    size_t size() const { return m_actions.size(); }
    const std::vector<ReplayAction> &actions() const { return m_actions; }
    const ReplayAction &action(size_t index) const { return m_actions[index]; }
    const ReplayContextClass &contextClass(uint32_t index) const { return m_classes[index]; }
    const ReplayInput &input(int32_t index) const { return m_inputs[size_t(index)]; }
    size_t partitionCount() const { return m_partitions.size(); }
    const cedar::EntityStore &entities(uint32_t partition) const { return m_partitions[partition].store; }
    QString partitionOriginator(uint32_t partition) const { return m_partitions[partition].originator; }
    const std::vector<cedar::EntityUid> &actionUids() const { return m_actionUids; }
    const std::vector<ReplayChainInfo> &chains() const { return m_chains; }

    // The context of one action, built afresh (explanations, exports, tests).
    cedar::Value context(size_t index) const;
    cedar::Request request(size_t index) const;
    // Indices of the actions the filter covers, in time order.
    std::vector<uint32_t> select(const ReplayFilter &filter) const;

    // What the workspace contributes to the schema and to completion.
    QStringList toolActionNames() const;              // Action ids of tools, sorted
    QStringList actionGroups() const;                 // category and sensitivity groups, sorted
    QHash<QString, QStringList> actionGroupsOf() const; // tool action -> its groups
    QStringList entityIds(const QString &type) const; // ids of one entity type, sorted

private:
    struct Partition
    {
        QString originator;
        cedar::EntityStore store;
    };
    class Builder;

    std::vector<ReplayAction> m_actions;
    std::vector<ReplayContextClass> m_classes;
    std::vector<ReplayInput> m_inputs;
    std::vector<Partition> m_partitions;
    std::vector<cedar::EntityUid> m_actionUids;
    std::vector<ReplayChainInfo> m_chains;
    QStringList m_toolActions;
    QStringList m_groups;
    QHash<QString, QStringList> m_groupsOf;
    QHash<QString, QStringList> m_idsByType;
};

// Cedar's text for an entity: Agent::"care-bot".
QString entityText(cedar::EntityUid uid);
// The context record from its parts; `time` in milliseconds.
cedar::Value replayContext(const ReplayContextClass &parts, const ReplayInput *input, qint64 timeMs);

} // namespace chainsight

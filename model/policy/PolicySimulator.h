#pragma once

#include "ReplayCorpus.h"

#include "cedar/Authorizer.h"
#include "cedar/Policy.h"

#include <QString>
#include <QStringList>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace chainsight {

enum class PolicyDecision : uint8_t { Allow, Deny };
QString decisionName(PolicyDecision decision);

// The outcome of one replayed action; reasons and errors live in the result's pools.
struct ReplayDecision
{
    PolicyDecision decision = PolicyDecision::Deny;
    uint16_t reasonCount = 0;
    uint16_t errorCount = 0;
    uint32_t reasonOffset = 0; // into SimulationResult::reasonPool
    uint32_t errorOffset = 0;  // into SimulationResult::errors
};

// A policy skipped for one action because its condition erred.
struct ReplayError
{
    uint32_t policy = 0; // index into the policy set
    std::string message;
};

// Decisions of one policy set over the selected actions of a corpus (one row per action, in time order).
struct SimulationResult
{
    std::shared_ptr<const ReplayCorpus> corpus;
    std::shared_ptr<const cedar::PolicySet> policies;
    QStringList policyIds;
    ReplayFilter filter;
    std::vector<uint32_t> rows;      // corpus action index per row
    std::vector<ReplayDecision> decisions;
    std::vector<uint16_t> reasonPool; // determining policy indices
    std::vector<ReplayError> errors;
    qint64 allowCount = 0;
    qint64 denyCount = 0;
    qint64 erroredCount = 0; // rows with at least one erroring policy
    bool cancelled = false;
    QString failure;         // set when the run could not complete
    qint64 elapsedMs = 0;

    size_t size() const { return rows.size(); }
    const ReplayAction &action(size_t row) const { return corpus->action(rows[row]); }
    // Ids of the determining policies of a row, in policy-set order.
    QStringList reasons(size_t row) const;
    QList<const ReplayError *> rowErrors(size_t row) const;
    // Per policy: the rows it determined as a deny (forbids) or that it erred on.
    std::vector<std::vector<uint32_t>> deniedRowsByPolicy() const;
};

struct SimulationOptions
{
    ReplayFilter filter;
    int threads = 0; // 0 = one per core
};

// Throttled progress from the replay: actions done out of the total.
using SimulationProgress = std::function<void(qint64 done, qint64 total)>;

// Replays recorded actions against one policy set with Cedar semantics (default deny, forbid overrides permit,
// erroring policies skipped and reported) on every core. The entity stores and the shared context parts come
// prebuilt from the corpus; per action only the context record is assembled.
class PolicySimulator final
{
public:
    static SimulationResult run(std::shared_ptr<const ReplayCorpus> corpus, std::shared_ptr<const cedar::PolicySet> policies,
                                const SimulationOptions &options = {}, const SimulationProgress &progress = {},
                                const std::atomic_bool *cancel = nullptr);
};

// Why an action was denied: the determining forbids with their conditions, or for a default deny every permit and
// the clause that kept it from applying (Cedar's why-not explanation). Compact JSON; empty for allowed actions.
class ReplayExplainer final
{
public:
    explicit ReplayExplainer(const SimulationResult &result);
    ~ReplayExplainer();
    ReplayExplainer(const ReplayExplainer &) = delete;
    ReplayExplainer &operator=(const ReplayExplainer &) = delete;

    std::string explainJson(size_t row) const;
    // One line per relevant policy, for the results view.
    QString explainText(size_t row) const;

private:
    const cedar::Authorizer &authorizer(uint32_t partition) const;

    const SimulationResult &m_result;
    cedar::PolicySet m_permits; // the permits alone: a default deny is explained by them only
    mutable std::vector<std::unique_ptr<cedar::Authorizer>> m_authorizers;
};

} // namespace chainsight

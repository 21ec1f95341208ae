#include "PolicyDiff.h"

#include <QHash>

#include <algorithm>

namespace chainsight {
namespace {

void addToGroup(QList<PolicyFlipGroup> &groups, QHash<QString, qsizetype> &index, const QString &name,
                const PolicyFlip &flip, uint32_t flipIndex)
{
    auto it = index.constFind(name);
    if (it == index.cend()) {
        it = index.insert(name, groups.size());
        groups.append(PolicyFlipGroup{name, 0, 0, {}});
    }
    PolicyFlipGroup &group = groups[*it];
    (flip.after == PolicyDecision::Deny ? group.allowToDeny : group.denyToAllow) += 1;
    group.flips.push_back(flipIndex);
}

void sortGroups(QList<PolicyFlipGroup> &groups)
{
    std::stable_sort(groups.begin(), groups.end(), [](const PolicyFlipGroup &a, const PolicyFlipGroup &b) {
        return a.count() != b.count() ? a.count() > b.count() : a.name < b.name;
    });
}

} // namespace

PolicyDiff PolicyDiff::compare(const SimulationResult &baseline, const SimulationResult &candidate)
{
    PolicyDiff diff;
    // Both row lists are in corpus order (time order), so one merge pass pairs the same actions.
    size_t b = 0;
    size_t c = 0;
    QHash<QString, qsizetype> policyIndex;
    QHash<QString, qsizetype> chainIndex;
    while (b < baseline.rows.size() && c < candidate.rows.size()) {
        if (baseline.rows[b] < candidate.rows[c]) {
            ++b;
            continue;
        }
        if (candidate.rows[c] < baseline.rows[b]) {
            ++c;
            continue;
        }
        ++diff.compared;
        const ReplayDecision &before = baseline.decisions[b];
        const ReplayDecision &after = candidate.decisions[c];
        if (before.decision != after.decision) {
            PolicyFlip flip;
            flip.baselineRow = uint32_t(b);
            flip.candidateRow = uint32_t(c);
            flip.before = before.decision;
            flip.after = after.decision;
            if (after.decision == PolicyDecision::Deny)
                flip.responsible = after.reasonCount > 0 ? candidate.reasons(c) : baseline.reasons(b);
            else
                flip.responsible = before.reasonCount > 0 ? baseline.reasons(b) : candidate.reasons(c);
            (flip.after == PolicyDecision::Deny ? diff.allowToDeny : diff.denyToAllow) += 1;
            const auto flipIndex = uint32_t(diff.flips.size());
            for (const QString &policy : std::as_const(flip.responsible))
                addToGroup(diff.byPolicy, policyIndex, policy, flip, flipIndex);
            const ReplayAction &action = candidate.action(c);
            addToGroup(diff.byChain, chainIndex, candidate.corpus->chains()[action.chain].key, flip, flipIndex);
            diff.flips.push_back(std::move(flip));
        }
        ++b;
        ++c;
    }
    sortGroups(diff.byPolicy);
    sortGroups(diff.byChain);
    return diff;
}

} // namespace chainsight

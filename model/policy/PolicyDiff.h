#pragma once

#include "PolicySimulator.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <vector>

namespace chainsight {

// One action whose decision differs between two policy versions.
struct PolicyFlip
{
    uint32_t baselineRow = 0;
    uint32_t candidateRow = 0;
    PolicyDecision before = PolicyDecision::Allow;
    PolicyDecision after = PolicyDecision::Deny;
    QStringList responsible; // policies that made the difference (see PolicyDiff::compare)
};

// Flips that share a policy or a chain, with counts.
struct PolicyFlipGroup
{
    QString name;
    qint64 allowToDeny = 0;
    qint64 denyToAllow = 0;
    std::vector<uint32_t> flips; // indices into PolicyDiff::flips

    qint64 count() const { return allowToDeny + denyToAllow; }
};

// What changes between a baseline and a candidate replay of the same actions.
struct PolicyDiff
{
    std::vector<PolicyFlip> flips; // in time order
    QList<PolicyFlipGroup> byPolicy; // most flips first
    QList<PolicyFlipGroup> byChain;  // most flips first
    qint64 compared = 0;
    qint64 allowToDeny = 0;
    qint64 denyToAllow = 0;

    // The policies responsible for a flip: for allow -> deny the candidate's determining forbids, or when the
    // candidate denies by default, the baseline permits that no longer apply; for deny -> allow the baseline's
    // determining forbids that no longer apply, or when the baseline denied by default, the candidate's permits.
    static PolicyDiff compare(const SimulationResult &baseline, const SimulationResult &candidate);
};

} // namespace chainsight

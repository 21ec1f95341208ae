#pragma once

#include "PolicyDiff.h"
#include "PolicySimulator.h"

#include <QString>

class QIODevice;

namespace chainsight {

// Where a replay came from, for the report headers.
struct SimulationSource
{
    QString workspace;
    QString policyFile;
    QString policySha256;
    QString baselineFile;
    QString baselineSha256;
    qint64 runId = 0; // 0 when the run was not stored
};

QString rfc3339Utc(qint64 ms);
// One line naming an action: event, time, principal, action, resource, chain.
QString describeAction(const SimulationResult &result, size_t row);

// {"summary":{...},"results":[{"event","time","principal","action","resource","decision","reasons","errors","chain"}]}
// with entities written as Cedar writes them (Agent::"id"); with a baseline each result also has "baseline" and the
// summary has the flips grouped by policy and by chain. Streams; returns false when the device fails.
bool writeSimulationJson(QIODevice &device, const SimulationSource &source, const SimulationResult &result,
                         const SimulationResult *baseline = nullptr, const PolicyDiff *diff = nullptr);

// JUnit XML for CI systems: one test case per policy, failing with the actions it would deny (forbids) or erred
// on; a "default-deny" case for actions no permit covers; with a diff, a second suite with one case per policy
// responsible for flips. At most `listLimit` actions are listed per case.
bool writeSimulationJUnit(QIODevice &device, const SimulationSource &source, const SimulationResult &result,
                          const PolicyDiff *diff = nullptr, int listLimit = 1000);

} // namespace chainsight

#pragma once

#include "Finding.h"

#include <QList>
#include <QString>

#include <memory>
#include <vector>

namespace chainsight {

class SqliteDatabase;

// Thresholds the rules read; copied into a run before it starts.
struct FindingsSettings
{
    int staleSecretMaxAgeDays = 90; // an api key not rotated for longer than this is stale when used
    int evidenceLimit = 50;         // event ids kept per finding: enough to inspect, bounded for huge worlds
};

// One named check over the workspace. Rules only read; the engine writes their findings.
class FindingRule
{
public:
    virtual ~FindingRule() = default;
    virtual QString id() const = 0;
    virtual FindingSeverity severity() const = 0;
    // Why it matters, in plain words, for the findings panel and `findings` output.
    virtual QString explanation() const = 0;
    // Throws SqliteError on a store failure.
    virtual QList<Finding> evaluate(SqliteDatabase &db, const FindingsSettings &settings) const = 0;
};

// Every shipped rule, in the documented order.
std::vector<std::unique_ptr<FindingRule>> builtInFindingRules();

} // namespace chainsight

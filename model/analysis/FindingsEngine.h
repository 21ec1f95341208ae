#pragma once

#include "Chain.h"
#include "Finding.h"
#include "FindingRule.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

namespace chainsight {

class Workspace;

struct FindingsRun
{
    qint64 runId = 0;
    QList<Finding> findings;
    qint64 chainCount = 0; // chains stored with a full run (a run of some rules leaves them as they were)
    // The chains a full run built and stored, handed over so a caller that shows them need not read them back.
    std::shared_ptr<const ChainSet> chains;
    qint64 elapsedMs = 0;
};

// Runs the rules over a workspace and stores their findings as one analysis run.
class FindingsEngine final
{
public:
    explicit FindingsEngine(FindingsSettings settings = {});

    QStringList ruleIds() const;
    // onlyRules empty = every rule. Replaces the previous run's findings in one transaction.
    // nullopt with *error set when the store fails or a rule id is unknown.
    std::optional<FindingsRun> run(Workspace &workspace, const QStringList &onlyRules, QString *error) const;

private:
    FindingsSettings m_settings;
    std::vector<std::unique_ptr<FindingRule>> m_rules;
};

} // namespace chainsight

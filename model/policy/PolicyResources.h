#pragma once

#include <QList>
#include <QString>

namespace chainsight {

class ReplayCorpus;

// A policy of the starter library (resources/policy/library), with the annotations that describe it.
struct StarterPolicy
{
    QString fileName;
    QString id;    // @id
    QString title; // @title
    QString rule;  // @rule: the findings rule it enforces, empty for examples
    QString text;  // the file as shipped, comments included
};

// The schema of the policy context as shipped (docs/policy-context.md).
QString shippedPolicySchema();
// The shipped schema plus one declaration per tool action (and action group) the workspace records, so that
// policies naming them check cleanly and completion offers them.
QString workspacePolicySchema(const ReplayCorpus *corpus);
// Every starter policy, in file-name order.
QList<StarterPolicy> starterPolicies();
const StarterPolicy *findStarterPolicy(const QList<StarterPolicy> &policies, const QString &id);

} // namespace chainsight

#pragma once

#include "EvidenceReport.h"

#include <QDateTime>

#include <atomic>
#include <functional>
#include <optional>

namespace chainsight {

class Workspace;

struct EvidenceOptions
{
    EvidenceScope scope;
    QString policyPath;       // a Cedar file whose text and simulation the report shows; empty = the latest simulation
    QDateTime now;            // generation time; invalid = the current time
    QString generatedBy;      // empty = the OS user
    int evidenceEventsPerFinding = 3;
    qsizetype excerptLimit = 1200;
};

// percent in 0..100 and what is being done, in a few words.
using EvidenceProgress = std::function<void(int percent, const QString &stage)>;

// Gathers what an evidence report states. Reads only, except that a workspace never analysed gets its
// findings computed first (a report without findings would say nothing was found). Returns nullopt with
// *error set on a store failure, an unreadable policy file, a scope naming nothing, or cancel.
class EvidenceCollector final
{
public:
    static std::optional<EvidenceReport> collect(Workspace &workspace, const EvidenceOptions &options, QString *error,
                                                 const EvidenceProgress &progress = {},
                                                 const std::atomic_bool *cancel = nullptr);
};

} // namespace chainsight

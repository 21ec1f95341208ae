#pragma once

#include "ImportTypes.h"

#include <QStringList>

#include <atomic>

namespace chainsight {

class Workspace;

// The facade every importer runs behind. One run is one transaction over all its files: a failed or
// cancelled run leaves the workspace exactly as before. Safe to call from a worker thread with its own
// Workspace connection; it never throws.
class ImportRunner final
{
public:
    static ImportResult run(Workspace &workspace, const QStringList &paths, const ImportOptions &options,
                            const ImportProgressCallback &progress, const std::atomic_bool &cancel);

    // Opens (creating if absent) the workspace at workspacePath for this run only.
    static ImportResult run(const QString &workspacePath, const QStringList &paths, const ImportOptions &options,
                            const ImportProgressCallback &progress, const std::atomic_bool &cancel);
};

} // namespace chainsight

#include "ReplaySource.h"

#include "ChainStore.h"
#include "SqliteDatabase.h"
#include "Workspace.h"

namespace chainsight {

ReplaySource ReplaySource::load(SqliteDatabase &db, const ChainSet *chains)
{
    ReplaySource source;
    source.inventory = PolicyInventory::load(db);
    source.chains = chains ? *chains : ChainStore::chainsOf(db, /*eventIndex=*/false);
    // Filled by the importers (and, for events imported before, by schema migration 5).
    SqliteStatement arguments(db, "SELECT event_id, arguments FROM tool_arguments");
    while (arguments.step())
        source.toolArguments.insert(arguments.int64(0), arguments.text(1));
    return source;
}

std::optional<ReplaySource> ReplaySource::load(Workspace &workspace, QString *error)
{
    try {
        return load(workspace.database());
    } catch (const SqliteError &e) {
        if (error)
            *error = e.message();
        return std::nullopt;
    }
}

} // namespace chainsight

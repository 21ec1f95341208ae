#include "ReplaySource.h"

#include "ChainStore.h"
#include "SqliteDatabase.h"
#include "Workspace.h"

namespace chainsight {

ReplaySource ReplaySource::load(SqliteDatabase &db, const ChainSet *chains)
{
    ReplaySource source;
    source.inventory = PolicyInventory::load(db);
    source.chains = chains ? *chains : ChainStore::chainsOf(db);
    // The LIKE prefilter keeps the JSON parser off the many events that recorded no arguments.
    SqliteStatement arguments(db, "SELECT id, json_extract(attributes, '$.\"gen_ai.tool.call.arguments\"') FROM events "
                                  "WHERE attributes LIKE '%gen_ai.tool.call.arguments%' AND json_valid(attributes)");
    while (arguments.step()) {
        if (!arguments.isNull(1))
            source.toolArguments.insert(arguments.int64(0), arguments.text(1));
    }
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

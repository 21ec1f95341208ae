#pragma once

#include "Chain.h"
#include "PolicyInventory.h"

#include <QHash>
#include <QString>

#include <optional>

namespace chainsight {

class Workspace;
class SqliteDatabase;

// Everything a replay reads from a workspace: the inventory, the delegation chains with their actions,
// and the tool arguments where a trace recorded them.
struct ReplaySource
{
    PolicyInventory inventory;
    ChainSet chains;
    QHash<qint64, QString> toolArguments; // event id -> JSON text of gen_ai.tool.call.arguments

    // Reads only. Throws SqliteError on a store failure. With chains given (already built for the views),
    // only the inventory and the tool arguments are read.
    static ReplaySource load(SqliteDatabase &db, const ChainSet *chains = nullptr);
    // nullopt with *error set on a store failure.
    static std::optional<ReplaySource> load(Workspace &workspace, QString *error);
};

} // namespace chainsight

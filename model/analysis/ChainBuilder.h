#pragma once

#include "Chain.h"

#include <QString>

#include <optional>

namespace chainsight {

class Workspace;
class SqliteDatabase;

// Builds every delegation chain of a workspace from the events and delegation edges of all protocols:
// OTel traces (with the MCP calls, CloudTrail calls and Entra sign-ins that carry their trace id, and the
// token exchanges of their session), AWS role sessions outside any trace, and token sessions with no trace.
class ChainBuilder final
{
public:
    // Reads only. Throws SqliteError on a store failure.
    static ChainSet build(SqliteDatabase &db);
    // nullopt with *error set on a store failure.
    static std::optional<ChainSet> build(Workspace &workspace, QString *error);

    // Maps an AWS action to the tool name the inventory uses: "s3:GetObject" -> "s3.get_object".
    static QString toolNameForAwsAction(const QString &action);
};

} // namespace chainsight

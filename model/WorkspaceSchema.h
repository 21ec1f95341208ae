#pragma once

namespace chainsight {

class SqliteDatabase;

namespace WorkspaceSchema {

// `PRAGMA application_id`: "CHSG" marks a file as a Chainsight workspace.
inline constexpr int applicationId = 0x43485347;
// The newest schema this build writes; `PRAGMA user_version` holds a workspace's own.
int currentVersion();

// Applies every forward migration above the workspace's version inside one transaction.
void migrate(SqliteDatabase &db);

} // namespace WorkspaceSchema
} // namespace chainsight

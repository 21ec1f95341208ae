#pragma once

#include "Chain.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <functional>
#include <optional>

namespace chainsight {

class SqliteDatabase;
class Workspace;

// The chains an analysis built, kept in the workspace so that replay, the chain views, layout and evidence
// read them back instead of rebuilding them from the events. A stored set is used only while the workspace
// holds the same imports it was built from; otherwise the chains are built afresh.
class ChainStore final
{
public:
    // A compact binary form: every distinct string once, then the chains, hops and actions by index.
    static QByteArray serialize(const ChainSet &chains);
    // nullopt when the bytes are not a chain set this version wrote (truncated, altered, older format).
    // Without eventIndex, ChainSet::chainOfEvent stays empty (a replay does not need it; it is the largest part).
    static std::optional<ChainSet> deserialize(QByteArrayView bytes, bool eventIndex = true);
    // Each chain of a stored set in turn, decoded into one reused Chain (valid only during the call), without
    // holding the whole set. False when the bytes are not a set this version wrote; visit may have seen part
    // of it by then.
    static bool forEachChain(QByteArrayView bytes, const std::function<void(const Chain &)> &visit);

    // What the imports of the workspace look like now; a stored set is fresh while this is unchanged.
    static QString importStamp(SqliteDatabase &db);
    // Replaces the stored set with this one, built by analysis run `runId`. Call inside the run's transaction.
    static void save(SqliteDatabase &db, qint64 runId, const QByteArray &serialized);
    // The stored set when it is fresh and readable; nullopt otherwise. Throws SqliteError on a store failure.
    static std::optional<ChainSet> loadFresh(SqliteDatabase &db, bool eventIndex = true);
    // forEachChain over the stored set when it is fresh; false when there is none or it is unreadable.
    // Throws SqliteError on a store failure.
    static bool forEachFreshChain(SqliteDatabase &db, const std::function<void(const Chain &)> &visit);
    // True when the stored set is the one analysis run runId saved and no import has happened since.
    static bool isStoredFresh(SqliteDatabase &db, qint64 runId);

    // The workspace's chains: the stored set when fresh, otherwise ChainBuilder::build. Throws SqliteError.
    static ChainSet chainsOf(SqliteDatabase &db, bool eventIndex = true);
    // nullopt with *error set on a store failure.
    static std::optional<ChainSet> chainsOf(Workspace &workspace, QString *error);
};

} // namespace chainsight

#include "ChainStore.h"

#include "AnalysisLog.h"
#include "ChainBuilder.h"
#include "SqliteDatabase.h"
#include "Workspace.h"

#include <QElapsedTimer>
#include <QHash>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <iterator>
#include <string>
#include <limits>
#include <memory>
#include <vector>

namespace chainsight {
namespace {

// Bump whenever the layout below or what ChainBuilder puts into a chain changes: older sets are then rebuilt.
constexpr quint32 formatVersion = 1;
constexpr char magic[4] = {'C', 'S', 'C', 'H'};

// Integers are LEB128 varints (signed ones zigzagged): ids, times and counts are mostly small or close.
class Writer
{
public:
    Writer() { m_bytes.reserve(1 << 20); }
    void u8(quint8 value) { m_bytes.push_back(char(value)); }
    void u32(quint32 value) { varint(value); }
    void i64(qint64 value) { varint((quint64(value) << 1) ^ quint64(value >> 63)); }
    void f64(double value)
    {
        char bits[sizeof value];
        std::memcpy(bits, &value, sizeof value);
        if constexpr (Q_BYTE_ORDER == Q_BIG_ENDIAN)
            std::reverse(std::begin(bits), std::end(bits));
        m_bytes.append(bits, sizeof bits);
    }
    // Strings are written as indexes into a table of distinct strings, so a path or an intent repeated on
    // thousands of actions is stored (and read back) once.
    void str(const QString &text) { u32(internString(text)); }
    void kind(ChainPartyKind kind) { u8(quint8(kind)); }
    void int32(int value) { u32(quint32(value)); }
    void flag(bool value) { u8(value ? 1 : 0); }
    void verdict(const std::optional<bool> &verified) { u8(verified ? (*verified ? 2 : 1) : 0); }
    // Lists the same way: an action's path, scopes and intents are usually its neighbours' lists, and reading
    // them back as one shared list lets the replay recognise them by their storage.
    void list(const QStringList &texts)
    {
        RecentList &recent = m_recentLists[(quintptr(texts.constData()) >> 4) % std::size(m_recentLists)];
        if (recent.data == texts.constData() && recent.size == texts.size()) {
            u32(recent.index);
            return;
        }
        quint32 &byContent = m_listByContent[texts];
        if (byContent == 0) {
            m_lists.push_back(texts);
            byContent = quint32(m_lists.size()); // 1-based in the map, so 0 means "new"
        }
        recent = RecentList{texts.constData(), texts.size(), byContent - 1};
        u32(byContent - 1);
    }
    QByteArray finish()
    {
        // The string table goes first, after the header, so a reader has it before the first index.
        std::string body(magic, sizeof magic);
        std::swap(body, m_bytes);
        u32(formatVersion);
        // Strings first: the lists refer to them. Every string of a list was interned when it was first seen.
        for (const QStringList &texts : m_lists) {
            for (const QString &text : texts)
                (void)internString(text);
        }
        u32(quint32(m_strings.size()));
        for (const QString &text : m_strings) {
            const QByteArray utf8 = text.toUtf8();
            u32(quint32(utf8.size()));
            m_bytes.append(utf8.constData(), std::size_t(utf8.size()));
        }
        u32(quint32(m_lists.size()));
        for (const QStringList &texts : m_lists) {
            u32(quint32(texts.size()));
            for (const QString &text : texts)
                u32(internString(text));
        }
        QByteArray out;
        out.reserve(qsizetype(m_bytes.size() + body.size()));
        out.append(m_bytes.data(), qsizetype(m_bytes.size()));
        out.append(body.data(), qsizetype(body.size()));
        return out;
    }

private:
    quint32 internString(const QString &text)
    {
        // A small direct-mapped cache of recent storages in front of the hash of texts: an action repeats the
        // strings of the one before it, often as the same shared storage.
        Recent &recent = m_recent[(quintptr(text.constData()) >> 4) % std::size(m_recent)];
        if (recent.data == text.constData() && recent.size == text.size())
            return recent.index;
        quint32 &byText = m_byText[text];
        if (byText == 0) {
            m_strings.push_back(text);
            byText = quint32(m_strings.size()); // 1-based in the map, so 0 means "new"
        }
        recent = Recent{text.constData(), text.size(), byText - 1};
        return byText - 1;
    }
    void varint(quint64 value)
    {
        while (value >= 0x80) {
            m_bytes.push_back(char(value | 0x80));
            value >>= 7;
        }
        m_bytes.push_back(char(value));
    }

    struct Recent
    {
        const QChar *data = nullptr;
        qsizetype size = -1;
        quint32 index = 0;
    };
    std::string m_bytes;
    Recent m_recent[4096];
    QHash<QString, quint32> m_byText;
    std::vector<QString> m_strings;
    struct RecentList
    {
        const QString *data = nullptr;
        qsizetype size = -1;
        quint32 index = 0;
    };
    RecentList m_recentLists[4096];
    QHash<QStringList, quint32> m_listByContent;
    std::vector<QStringList> m_lists;
};

// Every read is bounds-checked: a damaged blob ends in failed(), never in a read past its end.
class Reader
{
public:
    explicit Reader(QByteArrayView bytes)
        : m_data(bytes.data())
        , m_end(bytes.data() + bytes.size())
    {
    }
    bool failed() const { return m_failed; }
    void fail() { m_failed = true; }
    bool atEnd() const { return m_data == m_end; }
    bool take(void *out, std::size_t size)
    {
        if (m_failed || std::size_t(m_end - m_data) < size) {
            m_failed = true;
            std::memset(out, 0, size);
            return false;
        }
        std::memcpy(out, m_data, size);
        m_data += size;
        return true;
    }
    quint8 u8()
    {
        quint8 value = 0;
        take(&value, 1);
        return value;
    }
    quint64 varint()
    {
        quint64 value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (m_failed || m_data == m_end) {
                m_failed = true;
                return 0;
            }
            const auto byte = quint8(*m_data++);
            value |= quint64(byte & 0x7f) << shift;
            if (!(byte & 0x80))
                return value;
        }
        m_failed = true;
        return 0;
    }
    quint32 u32()
    {
        const quint64 value = varint();
        if (value > std::numeric_limits<quint32>::max())
            m_failed = true;
        return m_failed ? 0 : quint32(value);
    }
    qint64 i64()
    {
        const quint64 value = varint();
        return qint64(value >> 1) ^ -qint64(value & 1);
    }
    double f64()
    {
        char bits[sizeof(double)];
        take(bits, sizeof bits);
        if constexpr (Q_BYTE_ORDER == Q_BIG_ENDIAN)
            std::reverse(std::begin(bits), std::end(bits));
        double value = 0;
        std::memcpy(&value, bits, sizeof value);
        if (!std::isfinite(value)) // shares and confidences: a NaN or an infinity is damage (and NaN != NaN)
            m_failed = true;
        return m_failed ? 0.0 : value;
    }
    // A count of items that each take at least minBytes: larger than what is left means damage.
    quint32 count(std::size_t minBytes)
    {
        const quint32 n = u32();
        if (std::size_t(m_end - m_data) / std::max<std::size_t>(minBytes, 1) < n)
            m_failed = true;
        return m_failed ? 0 : n;
    }
    bool readStrings()
    {
        const quint32 n = count(1);
        m_strings.reserve(n);
        for (quint32 i = 0; i < n && !m_failed; ++i) {
            const quint32 length = count(1);
            m_strings.push_back(QString::fromUtf8(m_data, qsizetype(length)));
            m_data += length;
        }
        const quint32 lists = count(1);
        m_lists.reserve(lists);
        for (quint32 i = 0; i < lists && !m_failed; ++i) {
            const quint32 size = count(1);
            QStringList texts;
            texts.reserve(size);
            for (quint32 j = 0; j < size && !m_failed; ++j)
                texts.append(str());
            m_lists.push_back(std::move(texts));
        }
        return !m_failed;
    }
    QString str() { return entryOf(m_strings); }
    QStringList list() { return entryOf(m_lists); }
    // The field list's side of reading (see hopFields): each fills in one field.
    void i64(qint64 &value) { value = i64(); }
    void f64(double &value) { value = f64(); }
    void str(QString &text) { text = str(); }
    void list(QStringList &texts) { texts = list(); }
    void kind(ChainPartyKind &kind) { kind = this->kind(); }
    void int32(int &value) { value = int(u32()); }
    void flag(bool &value) { value = u8() != 0; }
    void verdict(std::optional<bool> &verified)
    {
        const quint8 value = u8();
        if (value > 2)
            m_failed = true;
        verified = value == 0 || value > 2 ? std::nullopt : std::optional<bool>(value == 2);
    }
    ChainPartyKind kind()
    {
        const quint8 value = u8();
        if (value > quint8(ChainPartyKind::Unknown))
            m_failed = true;
        return m_failed ? ChainPartyKind::Unknown : ChainPartyKind(value);
    }

private:
    // The table entry the next index names: a shared copy, or an empty one (and failure) out of range.
    template<typename T>
    T entryOf(const std::vector<T> &table)
    {
        const quint32 index = u32();
        if (index >= table.size()) {
            m_failed = true;
            return {};
        }
        return table[index];
    }

    const char *m_data;
    const char *m_end;
    bool m_failed = false;
    std::vector<QString> m_strings;
    std::vector<QStringList> m_lists;
};

// The stored fields, in their order, written and read through one list so the two can never disagree.
// Io is the Writer (with const parts) or the Reader (filling them in).
template<typename Io, typename Hop>
void hopFields(Io &io, Hop &hop)
{
    io.i64(hop.delegatorId);
    io.str(hop.delegator);
    io.kind(hop.delegatorKind);
    io.i64(hop.delegateId);
    io.str(hop.delegate);
    io.kind(hop.delegateKind);
    io.str(hop.protocol);
    io.list(hop.protocols);
    io.list(hop.scopes);
    io.flag(hop.inferred);
    io.f64(hop.confidence);
    io.i64(hop.timeMs);
    io.i64(hop.eventId);
    io.int32(hop.level);
    io.int32(hop.parentHop);
    io.f64(hop.retention);
    io.int32(hop.actionCount);
}

template<typename Io, typename Action>
void actionFields(Io &io, Action &action)
{
    io.i64(action.eventId);
    io.i64(action.timeMs);
    io.i64(action.actorId);
    io.str(action.actor);
    io.kind(action.actorKind);
    io.str(action.protocol);
    io.str(action.action);
    io.str(action.tool);
    io.str(action.resource);
    io.int32(action.depth);
    io.int32(action.hop);
    io.list(action.path);
    io.list(action.scopesGranted);
    io.list(action.intentAtActor);
    io.flag(action.withinIntent);
    io.str(action.credentialType);
    io.verdict(action.tokenVerified);
}

// A chain's own fields; its hops and actions follow, each list after its count.
template<typename Io, typename Chain>
void chainFields(Io &io, Chain &chain)
{
    io.str(chain.key);
    io.str(chain.originator);
    io.i64(chain.originatorId);
    io.i64(chain.rootId);
    io.str(chain.root);
    io.kind(chain.rootKind);
    io.int32(chain.depth);
    io.f64(chain.retention);
    io.i64(chain.firstTimeMs);
    io.i64(chain.lastTimeMs);
    io.list(chain.rootIntents);
    io.list(chain.rootScopes);
    io.flag(chain.humanApproval);
    io.list(chain.protocols);
}

} // namespace

QByteArray ChainStore::serialize(const ChainSet &set)
{
    // On the heap: its caches of recent storages take a few hundred kilobytes.
    const auto writer = std::make_unique<Writer>();
    Writer &out = *writer;
    out.u32(quint32(set.chains.size()));
    for (const Chain &chain : set.chains) {
        chainFields(out, chain);
        out.u32(quint32(chain.hops.size()));
        for (const ChainHop &hop : chain.hops)
            hopFields(out, hop);
        out.u32(quint32(chain.actions.size()));
        for (const ChainAction &action : chain.actions)
            actionFields(out, action);
    }
    out.u32(quint32(set.chainOfEvent.size()));
    set.chainOfEvent.forEach([&out](qint64 eventId, int chain) {
        out.i64(eventId);
        out.u32(quint32(chain));
    });
    return out.finish();
}

namespace {

// Decodes a stored set: begin(chainCount), then visit(chain) for each chain as it is read (one Chain object,
// which visit may move from or leave to be overwritten), then event(eventId, chain) for the event index.
// False when the bytes are not a set this version wrote; the visitors may have seen part of it by then.
template<typename Begin, typename Visit, typename Event>
bool decodeChainSet(QByteArrayView bytes, const Begin &begin, const Visit &visit, const Event &event)
{
    if (bytes.size() < qsizetype(sizeof magic) || std::memcmp(bytes.data(), magic, sizeof magic) != 0)
        return false;
    Reader in(bytes.sliced(sizeof magic));
    if (in.u32() != formatVersion || !in.readStrings())
        return false;
    const quint32 chainCount = in.count(16);
    begin(chainCount);
    Chain chain;
    for (quint32 c = 0; c < chainCount && !in.failed(); ++c) {
        chainFields(in, chain);
        const quint32 hopCount = in.count(16);
        chain.hops.resize(hopCount);
        for (quint32 h = 0; h < hopCount && !in.failed(); ++h)
            hopFields(in, chain.hops[h]);
        const quint32 actionCount = in.count(8);
        chain.actions.resize(actionCount);
        for (quint32 a = 0; a < actionCount && !in.failed(); ++a)
            actionFields(in, chain.actions[a]);
        if (in.failed())
            return false;
        visit(chain);
    }
    const quint32 eventCount = in.count(2);
    for (quint32 i = 0; i < eventCount && !in.failed(); ++i) {
        const qint64 eventId = in.i64();
        const quint32 chainIndex = in.u32();
        if (chainIndex >= chainCount)
            return false;
        event(eventId, chainIndex);
    }
    return !in.failed() && in.atEnd();
}

} // namespace

std::optional<ChainSet> ChainStore::deserialize(QByteArrayView bytes, bool eventIndex)
{
    ChainSet set;
    std::vector<std::pair<qint64, int>> events;
    qint64 highestEvent = 0;
    const bool read = decodeChainSet(
        bytes, [&set](quint32 chainCount) { set.chains.reserve(chainCount); },
        [&set](Chain &chain) {
            set.indexByKey.insert(chain.key, int(set.chains.size()));
            set.chains.append(std::move(chain));
        },
        [&](qint64 eventId, quint32 chain) {
            if (!eventIndex)
                return;
            events.emplace_back(eventId, int(chain));
            highestEvent = std::max(highestEvent, eventId);
        });
    if (!read)
        return std::nullopt;
    // The flat part covers the ids of a real set (dense from 1); a set with ids far past its size keeps them hashed.
    if (highestEvent <= 4 * qint64(events.size()) + 4096)
        set.chainOfEvent.reserve(highestEvent);
    for (const auto &[event, chain] : events)
        set.chainOfEvent.insert(event, chain);
    return set;
}

bool ChainStore::forEachChain(QByteArrayView bytes, const std::function<void(const Chain &)> &visit)
{
    return decodeChainSet(bytes, [](quint32) {}, visit, [](qint64, quint32) {});
}

QString ChainStore::importStamp(SqliteDatabase &db)
{
    // Every change to events, edges and identities comes with an import, which adds a source (a failed or
    // cancelled one rolls back whole); the identity and event counts catch a merge or a removal besides.
    return db.queryText("SELECT (SELECT count(*) || '/' || coalesce(max(id), 0) FROM sources) || ':' || "
                        "(SELECT count(*) || '/' || coalesce(max(id), 0) FROM identities) || ':' || "
                        "(SELECT coalesce(max(id), 0) FROM events) || ':' || "
                        "(SELECT coalesce(max(id), 0) FROM delegation_edges)");
}

void ChainStore::save(SqliteDatabase &db, qint64 runId, const QByteArray &serialized)
{
    SqliteStatement clear(db, "DELETE FROM chain_sets");
    clear.run();
    SqliteStatement insert(db, "INSERT INTO chain_sets (analysis_run_id, import_stamp, format, data) VALUES (?1, ?2, ?3, ?4)");
    insert.bind(1, runId).bind(2, importStamp(db)).bind(3, qint64(formatVersion)).bindBlob(4, serialized).run();
}

bool ChainStore::isStoredFresh(SqliteDatabase &db, qint64 runId)
{
    if (db.queryInt64("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'chain_sets'") == 0)
        return false;
    SqliteStatement stored(db, "SELECT analysis_run_id, import_stamp, format FROM chain_sets ORDER BY analysis_run_id DESC LIMIT 1");
    return stored.step() && stored.int64(0) == runId && stored.int64(2) == qint64(formatVersion) && stored.text(1) == importStamp(db);
}

namespace {

// Calls use(bytes) with the stored set when it is fresh, read in place (the set can be a hundred megabytes, and
// SQLite has already assembled it once); false when there is none to use.
template<typename Use>
bool withFreshStoredSet(SqliteDatabase &db, const Use &use)
{
    // A workspace opened read-only at an older schema has no stored sets.
    if (db.queryInt64("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'chain_sets'") == 0)
        return false;
    SqliteStatement stored(db, "SELECT import_stamp, format, data FROM chain_sets ORDER BY analysis_run_id DESC LIMIT 1");
    if (!stored.step() || stored.int64(1) != qint64(formatVersion) || stored.text(0) != ChainStore::importStamp(db))
        return false;
    use(stored.blobView(2));
    return true;
}

} // namespace

std::optional<ChainSet> ChainStore::loadFresh(SqliteDatabase &db, bool eventIndex)
{
    QElapsedTimer timer;
    timer.start();
    std::optional<ChainSet> set;
    qsizetype size = 0;
    if (!withFreshStoredSet(db, [&](QByteArrayView data) {
            size = data.size();
            set = deserialize(data, eventIndex);
        }))
        return std::nullopt;
    qCDebug(analysisLog) << "chains: stored set of" << size << "bytes read in" << timer.elapsed() << "ms"
                         << (set ? "" : "(unreadable, rebuilding)");
    return set;
}

bool ChainStore::forEachFreshChain(SqliteDatabase &db, const std::function<void(const Chain &)> &visit)
{
    QElapsedTimer timer;
    timer.start();
    bool complete = false;
    withFreshStoredSet(db, [&](QByteArrayView data) { complete = forEachChain(data, visit); });
    qCDebug(analysisLog) << "chains: stored set streamed in" << timer.elapsed() << "ms" << (complete ? "" : "(none usable)");
    return complete;
}

ChainSet ChainStore::chainsOf(SqliteDatabase &db, bool eventIndex)
{
    if (auto stored = loadFresh(db, eventIndex))
        return std::move(*stored);
    return ChainBuilder::build(db);
}

std::optional<ChainSet> ChainStore::chainsOf(Workspace &workspace, QString *error)
{
    try {
        return chainsOf(workspace.database());
    } catch (const SqliteError &e) {
        if (error)
            *error = QStringLiteral("the chains could not be read: %1").arg(e.message());
        return std::nullopt;
    }
}

} // namespace chainsight

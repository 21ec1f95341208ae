#include "ChainBuilder.h"

#include "AnalysisLog.h"
#include "SqliteDatabase.h"
#include "Workspace.h"

#include <nlohmann/json.hpp>

#include <QElapsedTimer>
#include <QSet>

#include <algorithm>
#include <deque>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace chainsight {
namespace {

using namespace std::string_view_literals;

QString fromUtf8(std::string_view text)
{
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

// Scopes are stored as a JSON array of strings (or, from some sources, space-separated).
QStringList parseScopes(std::string_view text)
{
    QStringList scopes;
    if (text.empty())
        return scopes;
    if (text.front() == '[') {
        const auto json = nlohmann::json::parse(text, nullptr, false);
        if (json.is_array()) {
            for (const auto &scope : json) {
                if (scope.is_string())
                    scopes.append(QString::fromStdString(scope.get<std::string>()));
            }
        }
        return scopes;
    }
    for (const QString &scope : fromUtf8(text).split(QLatin1Char(' '), Qt::SkipEmptyParts))
        scopes.append(scope);
    return scopes;
}

// Span ids are 16 hex digits; anything else is hashed so lookups stay integer.
quint64 spanKey(std::string_view text)
{
    if (text.empty())
        return 0;
    quint64 value = 0;
    if (text.size() <= 16) {
        bool hex = true;
        for (char c : text) {
            int digit = -1;
            if (c >= '0' && c <= '9')
                digit = c - '0';
            else if (c >= 'a' && c <= 'f')
                digit = c - 'a' + 10;
            else if (c >= 'A' && c <= 'F')
                digit = c - 'A' + 10;
            if (digit < 0) {
                hex = false;
                break;
            }
            value = (value << 4) | static_cast<quint64>(digit);
        }
        if (hex && value != 0)
            return value;
    }
    return std::hash<std::string_view>{}(text) | 1u;
}

struct Party
{
    ChainPartyKind kind = ChainPartyKind::Unknown;
    QString externalId;
    QString role;
    QStringList intents;
};

struct Directory
{
    QHash<qint64, Party> byId;
    QHash<QString, qint64> humanByExternalId;
    QHash<QString, QList<qint64>> holdersOfRole; // a role listed on several agents is shared

    const Party *find(qint64 id) const
    {
        const auto it = byId.constFind(id);
        return it == byId.cend() ? nullptr : &*it;
    }
    ChainPartyKind kindOf(qint64 id) const
    {
        const Party *party = find(id);
        return party ? party->kind : ChainPartyKind::Unknown;
    }
};

Directory loadDirectory(SqliteDatabase &db)
{
    Directory directory;
    SqliteStatement query(db, "SELECT id, kind, external_id, role, intents FROM identities");
    while (query.step()) {
        Party party;
        const std::string_view kind = query.textUtf8(1);
        party.kind = kind == "human"sv  ? ChainPartyKind::Human
                   : kind == "agent"sv  ? ChainPartyKind::Agent
                   : kind == "tool"sv   ? ChainPartyKind::Tool
                   : kind == "shadow"sv ? ChainPartyKind::Shadow
                                        : ChainPartyKind::Unknown;
        party.externalId = query.text(2);
        party.role = query.text(3);
        party.intents = parseScopes(query.textUtf8(4));
        const qint64 id = query.int64(0);
        if (party.kind == ChainPartyKind::Human)
            directory.humanByExternalId.insert(party.externalId, id);
        directory.byId.insert(id, std::move(party));
    }
    SqliteStatement roles(db, "SELECT identity_id, credential_id FROM credentials WHERE type = 'aws-role'");
    while (roles.step())
        directory.holdersOfRole[roles.text(1)].append(roles.int64(0));
    return directory;
}

// What the token sources of one session say: grants by the human, exchanges between agents, captures.
struct SessionGrant
{
    qint64 delegatorId = 0; // 0 for the human's grant
    qint64 delegateId = 0;
    QString protocol;
    QStringList scopes;
    QString humanExternalId;
};

struct SessionTokens
{
    std::vector<SessionGrant> grants;
    QHash<qint64, int> verifiedByActor; // 1 every checked capture verified, 0 one failed
};

// The same few scope lists and protocol names recur on every token: each distinct text is decoded once and
// then shared (implicitly), instead of a JSON parse and fresh strings per row.
class RepeatedTexts
{
public:
    const QStringList &scopes(std::string_view text) { return find(m_scopes, text, [](std::string_view t) { return parseScopes(t); }); }
    const QString &text(std::string_view text) { return find(m_texts, text, [](std::string_view t) { return fromUtf8(t); }); }

private:
    template<typename T, typename Decode>
    const T &find(std::unordered_map<std::string_view, T> &cache, std::string_view text, Decode decode)
    {
        const auto it = cache.find(text);
        if (it != cache.end())
            return it->second;
        const std::string &stored = m_storage.emplace_back(text);
        return cache.emplace(std::string_view(stored), decode(stored)).first->second;
    }

    std::deque<std::string> m_storage; // stable: the caches' keys view into it
    std::unordered_map<std::string_view, QStringList> m_scopes;
    std::unordered_map<std::string_view, QString> m_texts;
};

QHash<QString, SessionTokens> loadSessions(SqliteDatabase &db)
{
    QHash<QString, SessionTokens> sessions;
    RepeatedTexts repeated;
    {
        // The human's grant to the first client of the session: an authorization-code exchange. The analysis
        // keeps a partial index of exactly these; without it, one sequential scan (through the session index
        // every match would cost a random row fetch).
        const bool grantIndex = db.queryInt64("SELECT count(*) FROM sqlite_master WHERE type = 'index' "
                                              "AND name = 'events_by_session_grant'") > 0;
        SqliteStatement grants(db, std::string("SELECT session_id, actor_identity_id, originator, scopes, protocol FROM events ")
                                       + (grantIndex ? "INDEXED BY events_by_session_grant " : "NOT INDEXED ")
                                       + "WHERE session_id IS NOT NULL AND actor_identity_id IS NOT NULL AND originator IS NOT NULL "
                                         "AND (kind = 'CODE_TO_TOKEN' OR (protocol = 'okta' AND action = 'authorization_code')) "
                                         "ORDER BY id"); // event order: a session's first grant is the one used
        while (grants.step()) {
            SessionGrant grant;
            grant.delegateId = grants.int64(1);
            grant.humanExternalId = repeated.text(grants.textUtf8(2));
            grant.scopes = repeated.scopes(grants.textUtf8(3));
            grant.protocol = repeated.text(grants.textUtf8(4));
            sessions[grants.text(0)].grants.push_back(std::move(grant));
        }
    }
    {
        SqliteStatement exchanges(db, "SELECT e.session_id, d.delegator_identity_id, d.delegate_identity_id, d.scopes, d.protocol "
                                      "FROM delegation_edges d JOIN events e ON e.id = d.event_id "
                                      "WHERE d.trace_id IS NULL AND e.session_id IS NOT NULL "
                                      "AND d.delegator_identity_id IS NOT NULL AND d.delegate_identity_id IS NOT NULL");
        while (exchanges.step()) {
            SessionGrant grant;
            grant.delegatorId = exchanges.int64(1);
            grant.delegateId = exchanges.int64(2);
            grant.scopes = repeated.scopes(exchanges.textUtf8(3));
            grant.protocol = repeated.text(exchanges.textUtf8(4));
            sessions[exchanges.text(0)].grants.push_back(std::move(grant));
        }
    }
    {
        // The kinds narrow the kind index to the token captures (the session index would fetch every session row).
        SqliteStatement captures(db, "SELECT session_id, actor_identity_id, outcome FROM events "
                                     "WHERE kind IN ('access_token', 'access_token+dpop') AND protocol = 'oauth' "
                                     "AND session_id IS NOT NULL AND actor_identity_id IS NOT NULL");
        while (captures.step()) {
            const std::string_view outcome = captures.textUtf8(2);
            if (outcome.empty() || outcome == "not-checked"sv)
                continue;
            auto &verified = sessions[captures.text(0)].verifiedByActor;
            const qint64 actor = captures.int64(1);
            const int ok = outcome == "Verified"sv ? 1 : 0;
            verified.insert(actor, std::min(verified.value(actor, 1), ok));
        }
    }
    return sessions;
}

enum class SpanKind : quint8 { Agent, Tool, Approval, Other, McpCall, McpApproval, AwsCall, AwsSession, Entra };

struct TraceEvent
{
    qint64 id = 0;
    qint64 timeMs = 0;
    qint64 actorId = 0;
    quint64 span = 0;
    quint64 parent = 0;
    SpanKind kind = SpanKind::Other;
    bool ok = true;
    std::string originator;
    std::string action;
    std::string resource;
    std::string session;
    std::string correlation;
    QString actorAlias;
};

SpanKind classify(std::string_view protocol, std::string_view kind)
{
    if (protocol == "otlp"sv) {
        if (kind == "invoke_agent"sv || kind == "create_agent"sv)
            return SpanKind::Agent;
        if (kind == "execute_tool"sv)
            return SpanKind::Tool;
        if (kind == "elicitation/create"sv)
            return SpanKind::Approval;
        return SpanKind::Other;
    }
    if (protocol == "mcp"sv)
        return kind == "tools/call"sv ? SpanKind::McpCall : kind == "approval"sv ? SpanKind::McpApproval : SpanKind::Other;
    if (protocol == "aws"sv)
        return kind.starts_with("AssumeRole"sv) ? SpanKind::AwsSession : SpanKind::AwsCall;
    if (protocol == "entra"sv)
        return SpanKind::Entra;
    return SpanKind::Other;
}

class Builder
{
public:
    Builder(const Directory &directory, const QHash<QString, SessionTokens> &sessions)
        : m_directory(directory)
        , m_sessions(sessions)
    {
    }

    ChainSet takeResult() { return std::move(m_result); }
    // The event index is flat, by event id, up to the highest one.
    void reserveEvents(qint64 highestEventId) { m_result.chainOfEvent.reserve(highestEventId); }
    QSet<QString> &usedSessions() { return m_usedSessions; }

    void addTrace(const QString &traceId, std::span<TraceEvent> events);
    void addAwsSessions(SqliteDatabase &db);
    void addTokenSessions();

private:
    QString intern(std::string_view text)
    {
        const QByteArray key = QByteArray::fromRawData(text.data(), static_cast<qsizetype>(text.size()));
        const auto it = m_strings.constFind(key);
        if (it != m_strings.cend())
            return *it;
        const QString value = fromUtf8(text);
        m_strings.insert(QByteArray(text.data(), static_cast<qsizetype>(text.size())), value);
        return value;
    }
    QString nameOf(qint64 id, const QString &alias) const
    {
        const Party *party = m_directory.find(id);
        return party ? party->externalId : alias;
    }
    void finish(Chain &chain);

    const Directory &m_directory;
    const QHash<QString, SessionTokens> &m_sessions;
    QHash<QByteArray, QString> m_strings;
    QSet<QString> m_usedSessions;
    ChainSet m_result;
    // Per-trace lookups, kept between traces so their storage is reused.
    std::vector<std::pair<quint64, int>> m_bySpan;
    std::vector<std::pair<quint64, int>> m_actionOfToolSpan;
};

// The value filed under key in a sorted (key, value) list, the first one for a repeated key; -1 when none.
int indexOfSpan(const std::vector<std::pair<quint64, int>> &sorted, quint64 key)
{
    const auto it = std::lower_bound(sorted.begin(), sorted.end(), std::pair<quint64, int>(key, std::numeric_limits<int>::min()));
    return it != sorted.end() && it->first == key ? it->second : -1;
}

QStringList narrowed(const QStringList &intent, const QStringList &declared)
{
    QStringList result;
    for (const QString &item : intent) {
        if (declared.contains(item))
            result.append(item);
    }
    return result;
}

void Builder::addTrace(const QString &traceId, std::span<TraceEvent> events)
{
    if (events.empty())
        return;
    // Span id -> event index, sorted; for a repeated span id the first event counts.
    std::vector<std::pair<quint64, int>> &bySpan = m_bySpan;
    bySpan.clear();
    for (int i = 0; i < int(events.size()); ++i) {
        if (events[std::size_t(i)].span && (events[std::size_t(i)].kind == SpanKind::Agent || events[std::size_t(i)].kind == SpanKind::Tool
                                            || events[std::size_t(i)].kind == SpanKind::Other || events[std::size_t(i)].kind == SpanKind::Approval))
            bySpan.emplace_back(events[std::size_t(i)].span, i);
    }
    std::sort(bySpan.begin(), bySpan.end());
    // The nearest agent span above an event (the agent that did it or delegated to it).
    std::vector<int> agentAbove(events.size(), -2);
    auto nearestAgentAbove = [&](int index) {
        // Iterative walk with memo; bounded by the span count so a malformed parent loop cannot hang.
        std::vector<int> visited;
        int current = index;
        int found = -1;
        for (std::size_t steps = 0; steps <= events.size(); ++steps) {
            const int parent = events[std::size_t(current)].parent == 0 ? -1 : indexOfSpan(bySpan, events[std::size_t(current)].parent);
            if (parent < 0) {
                found = -1;
                break;
            }
            if (agentAbove[std::size_t(parent)] != -2 && events[std::size_t(parent)].kind != SpanKind::Agent) {
                found = agentAbove[std::size_t(parent)];
                break;
            }
            if (events[std::size_t(parent)].kind == SpanKind::Agent) {
                found = parent;
                break;
            }
            visited.push_back(parent);
            current = parent;
        }
        for (int v : visited)
            agentAbove[std::size_t(v)] = found;
        agentAbove[std::size_t(index)] = found;
        return found;
    };

    Chain chain;
    chain.key = traceId;

    // Agent spans become hops; their order follows time so hop indexes are stable.
    std::vector<int> agentSpans;
    for (int i = 0; i < int(events.size()); ++i) {
        if (events[std::size_t(i)].kind == SpanKind::Agent)
            agentSpans.push_back(i);
    }
    std::stable_sort(agentSpans.begin(), agentSpans.end(),
                     [&](int a, int b) { return events[std::size_t(a)].timeMs < events[std::size_t(b)].timeMs; });

    // Root: the first agent span with no agent above it.
    int rootSpan = -1;
    for (int index : agentSpans) {
        if (nearestAgentAbove(index) < 0) {
            rootSpan = index;
            break;
        }
    }
    QString session;
    if (rootSpan >= 0) {
        const TraceEvent &root = events[std::size_t(rootSpan)];
        chain.rootId = root.actorId;
        chain.root = nameOf(root.actorId, root.actorAlias);
        chain.rootKind = m_directory.kindOf(root.actorId);
        if (const Party *party = m_directory.find(root.actorId))
            chain.rootIntents = party->intents;
        session = fromUtf8(root.session);
    }
    // The originator: enduser.id on the root, or failing that on the earliest agent span that has one.
    if (rootSpan >= 0 && !events[std::size_t(rootSpan)].originator.empty())
        chain.originator = fromUtf8(events[std::size_t(rootSpan)].originator);
    for (int index : agentSpans) {
        if (!chain.originator.isEmpty())
            break;
        if (!events[std::size_t(index)].originator.empty())
            chain.originator = fromUtf8(events[std::size_t(index)].originator);
    }
    chain.originatorId = m_directory.humanByExternalId.value(chain.originator, 0);
    if (session.isEmpty()) {
        for (int index : agentSpans) {
            if (!events[std::size_t(index)].session.empty()) {
                session = fromUtf8(events[std::size_t(index)].session);
                break;
            }
        }
    }
    const SessionTokens *tokens = nullptr;
    if (!session.isEmpty()) {
        const auto it = m_sessions.constFind(session);
        if (it != m_sessions.cend()) {
            tokens = &*it;
            m_usedSessions.insert(session);
        }
    }

    // hopOfSpan: the hop that brought work to the agent of that span; intentOfSpan: intent left there.
    std::unordered_map<int, int> hopOfSpan;
    std::unordered_map<int, QStringList> intentOfSpan;
    std::unordered_map<int, QStringList> pathOfSpan;
    std::unordered_map<int, int> depthOfSpan;

    if (rootSpan >= 0 && !chain.originator.isEmpty()) {
        ChainHop hop;
        hop.delegatorId = chain.originatorId;
        hop.delegator = chain.originator;
        hop.delegatorKind = ChainPartyKind::Human;
        hop.delegateId = chain.rootId;
        hop.delegate = chain.root;
        hop.delegateKind = chain.rootKind;
        hop.protocol = QStringLiteral("otlp");
        hop.protocols.append(hop.protocol);
        hop.timeMs = events[std::size_t(rootSpan)].timeMs;
        hop.eventId = events[std::size_t(rootSpan)].id;
        hop.level = 0;
        if (tokens) {
            for (const SessionGrant &grant : tokens->grants) {
                if (grant.delegatorId == 0 && grant.delegateId == chain.rootId && grant.humanExternalId == chain.originator) {
                    hop.scopes = grant.scopes;
                    if (!hop.protocols.contains(grant.protocol))
                        hop.protocols.append(grant.protocol);
                    hop.inferred = false;
                }
            }
        }
        chain.rootScopes = hop.scopes;
        chain.hops.append(hop);
    }

    // Walk the agent spans from the roots down, so every delegator is placed before its delegates.
    std::unordered_map<int, std::vector<int>> delegatesOf;
    std::vector<int> order;
    for (int index : agentSpans) {
        const int above = nearestAgentAbove(index);
        if (above < 0)
            order.push_back(index);
        else
            delegatesOf[above].push_back(index);
    }
    for (std::size_t next = 0; next < order.size(); ++next) {
        const auto it = delegatesOf.find(order[next]);
        if (it == delegatesOf.end())
            continue;
        for (int delegate : it->second)
            order.push_back(delegate);
        delegatesOf.erase(it); // a malformed parent loop is walked once
    }
    for (int index : order) {
        const TraceEvent &span = events[std::size_t(index)];
        const int above = nearestAgentAbove(index);
        const Party *party = m_directory.find(span.actorId);
        const QStringList declared = party ? party->intents : QStringList();
        const QString name = nameOf(span.actorId, span.actorAlias);
        if (above < 0) {
            // A root (or a second root in a malformed trace): its work starts from its own intent.
            hopOfSpan[index] = index == rootSpan && !chain.hops.isEmpty() ? 0 : -1;
            intentOfSpan[index] = index == rootSpan ? chain.rootIntents : QStringList();
            pathOfSpan[index] = QStringList{name};
            depthOfSpan[index] = 0;
            continue;
        }
        const TraceEvent &delegator = events[std::size_t(above)];
        ChainHop hop;
        hop.delegatorId = delegator.actorId;
        hop.delegator = nameOf(delegator.actorId, delegator.actorAlias);
        hop.delegatorKind = m_directory.kindOf(delegator.actorId);
        hop.delegateId = span.actorId;
        hop.delegate = name;
        hop.delegateKind = party ? party->kind : ChainPartyKind::Unknown;
        hop.protocol = QStringLiteral("otlp");
        hop.protocols.append(hop.protocol);
        hop.timeMs = span.timeMs;
        hop.eventId = span.id;
        hop.level = depthOfSpan[above] + 1;
        hop.parentHop = hopOfSpan[above];
        if (tokens) {
            for (const SessionGrant &grant : tokens->grants) {
                if (grant.delegatorId == hop.delegatorId && grant.delegateId == hop.delegateId && hop.delegatorId != 0) {
                    hop.scopes = grant.scopes;
                    if (!hop.protocols.contains(grant.protocol))
                        hop.protocols.append(grant.protocol);
                }
            }
        }
        hopOfSpan[index] = int(chain.hops.size());
        chain.hops.append(hop);
        intentOfSpan[index] = narrowed(intentOfSpan[above], declared);
        pathOfSpan[index] = pathOfSpan[above] + QStringList{name};
        depthOfSpan[index] = hop.level;
        chain.depth = std::max(chain.depth, hop.level);
    }

    // The agent span an actor works in when an event carries no span parent (MCP, AWS): its first one.
    QHash<qint64, int> firstSpanOfActor;
    for (int index : agentSpans) {
        if (!firstSpanOfActor.contains(events[std::size_t(index)].actorId))
            firstSpanOfActor.insert(events[std::size_t(index)].actorId, index);
    }
    std::vector<std::pair<quint64, int>> &actionOfToolSpan = m_actionOfToolSpan; // sorted once filled
    actionOfToolSpan.clear();
    QHash<QString, int> actionOfRequestId;

    auto credentialFor = [&](ChainAction &action) {
        if (tokens) {
            const auto it = tokens->verifiedByActor.constFind(action.actorId);
            if (it != tokens->verifiedByActor.cend()) {
                action.credentialType = QStringLiteral("oauth-token");
                action.tokenVerified = *it == 1;
            }
        }
    };
    auto placeAction = [&](ChainAction &action, int agentSpan) {
        if (agentSpan >= 0) {
            action.hop = hopOfSpan[agentSpan];
            action.depth = depthOfSpan[agentSpan];
            action.path = pathOfSpan[agentSpan];
            action.intentAtActor = intentOfSpan[agentSpan];
            if (action.hop >= 0)
                action.scopesGranted = chain.hops.at(action.hop).scopes;
        } else {
            action.path = QStringList{action.actor};
        }
        action.withinIntent = !action.tool.isEmpty() && action.intentAtActor.contains(action.tool);
    };

    if (!agentSpans.empty())
        chain.protocols.append(QStringLiteral("otlp"));
    for (int i = 0; i < int(events.size()); ++i) {
        TraceEvent &event = events[std::size_t(i)];
        if (chain.firstTimeMs == 0 || (event.timeMs && event.timeMs < chain.firstTimeMs))
            chain.firstTimeMs = event.timeMs;
        chain.lastTimeMs = std::max(chain.lastTimeMs, event.timeMs);
        if ((event.kind == SpanKind::Approval || event.kind == SpanKind::McpApproval) && event.ok)
            chain.humanApproval = true;
        if (event.kind != SpanKind::Tool)
            continue;
        ChainAction action;
        action.eventId = event.id;
        action.timeMs = event.timeMs;
        int agentSpan = nearestAgentAbove(i);
        action.actorId = event.actorId ? event.actorId : (agentSpan >= 0 ? events[std::size_t(agentSpan)].actorId : 0);
        action.actor = nameOf(action.actorId, event.actorAlias);
        action.actorKind = m_directory.kindOf(action.actorId);
        action.protocol = QStringLiteral("otlp");
        action.action = intern(event.action);
        action.tool = action.action;
        action.resource = fromUtf8(event.resource);
        placeAction(action, agentSpan);
        credentialFor(action);
        actionOfToolSpan.emplace_back(event.span, int(chain.actions.size()));
        if (!event.correlation.empty())
            actionOfRequestId.insert(fromUtf8(event.correlation), int(chain.actions.size()));
        chain.actions.append(std::move(action));
    }

    std::sort(actionOfToolSpan.begin(), actionOfToolSpan.end());
    // Other protocols' views of the trace: the same call seen by the MCP server or by AWS joins its action.
    for (TraceEvent &event : events) {
        if (event.kind == SpanKind::McpCall || event.kind == SpanKind::AwsCall) {
            const QString protocol = event.kind == SpanKind::McpCall ? QStringLiteral("mcp") : QStringLiteral("aws");
            if (!chain.protocols.contains(protocol))
                chain.protocols.append(protocol);
            int joined = -1;
            if (event.kind == SpanKind::McpCall) {
                joined = indexOfSpan(actionOfToolSpan, event.span);
            } else if (!event.correlation.empty()) {
                joined = actionOfRequestId.value(fromUtf8(event.correlation), -1);
            }
            if (joined >= 0)
                continue;
            ChainAction action;
            action.eventId = event.id;
            action.timeMs = event.timeMs;
            action.actorId = event.actorId;
            if (event.kind == SpanKind::AwsCall) {
                // A shared role names several agents; the one working in this trace made the call.
                for (qint64 holder : m_directory.holdersOfRole.value(event.actorAlias)) {
                    if (firstSpanOfActor.contains(holder)) {
                        action.actorId = holder;
                        break;
                    }
                }
            }
            action.actor = nameOf(action.actorId, event.actorAlias);
            action.actorKind = m_directory.kindOf(action.actorId);
            action.protocol = protocol;
            action.action = intern(event.action);
            action.tool = event.kind == SpanKind::AwsCall ? ChainBuilder::toolNameForAwsAction(action.action) : action.action;
            action.resource = fromUtf8(event.resource);
            placeAction(action, firstSpanOfActor.value(action.actorId, -1));
            if (event.kind == SpanKind::AwsCall)
                action.credentialType = QStringLiteral("aws-role-session");
            else
                action.credentialType = QStringLiteral("mcp-session");
            chain.actions.append(std::move(action));
        } else if (event.kind == SpanKind::Entra || event.kind == SpanKind::AwsSession) {
            const QString protocol = event.kind == SpanKind::Entra ? QStringLiteral("entra") : QStringLiteral("aws");
            if (!chain.protocols.contains(protocol))
                chain.protocols.append(protocol);
        }
    }
    // A sign-in or role session whose trace id matches no agent work is not a chain (its join broke).
    if (agentSpans.empty() && chain.actions.isEmpty())
        return;
    if (rootSpan < 0) {
        // Only the other protocols' view of the trace was imported: the first actor stands as the root.
        const ChainAction &first = *std::min_element(chain.actions.cbegin(), chain.actions.cend(),
                                                      [](const ChainAction &a, const ChainAction &b) { return a.timeMs < b.timeMs; });
        chain.rootId = first.actorId;
        chain.root = first.actor;
        chain.rootKind = first.actorKind;
        for (const TraceEvent &event : events) {
            if (event.kind == SpanKind::AwsCall && !event.originator.empty()) {
                chain.originator = fromUtf8(event.originator);
                chain.originatorId = m_directory.humanByExternalId.value(chain.originator, 0);
                break;
            }
        }
    }
    for (const TraceEvent &event : events)
        m_result.chainOfEvent.insert(event.id, int(m_result.chains.size()));
    std::stable_sort(chain.actions.begin(), chain.actions.end(),
                     [](const ChainAction &a, const ChainAction &b) { return a.timeMs < b.timeMs; });
    if (tokens) {
        for (const ChainHop &hop : std::as_const(chain.hops)) {
            for (const QString &protocol : hop.protocols) {
                if (!chain.protocols.contains(protocol))
                    chain.protocols.append(protocol);
            }
        }
    }
    finish(chain);
}

void Builder::finish(Chain &chain)
{
    // Retention per hop: the share of the actions at or below it that stay inside the intent.
    std::vector<int> within(std::size_t(chain.hops.size()), 0);
    std::vector<int> total(std::size_t(chain.hops.size()), 0);
    int chainWithin = 0;
    for (const ChainAction &action : std::as_const(chain.actions)) {
        chainWithin += action.withinIntent ? 1 : 0;
        int hop = action.hop;
        for (int guard = 0; hop >= 0 && guard <= chain.hops.size(); ++guard) {
            ++total[std::size_t(hop)];
            within[std::size_t(hop)] += action.withinIntent ? 1 : 0;
            hop = chain.hops.at(hop).parentHop;
        }
    }
    for (int i = 0; i < chain.hops.size(); ++i) {
        chain.hops[i].actionCount = total[std::size_t(i)];
        chain.hops[i].retention = total[std::size_t(i)] ? double(within[std::size_t(i)]) / total[std::size_t(i)] : 1.0;
    }
    chain.retention = chain.actions.isEmpty() ? 1.0 : double(chainWithin) / double(chain.actions.size());
    m_result.indexByKey.insert(chain.key, int(m_result.chains.size()));
    m_result.chains.append(std::move(chain));
}

void Builder::addAwsSessions(SqliteDatabase &db)
{
    // Role sessions outside any trace: the assume-role event opens the session, calls signed with its key follow.
    SqliteStatement query(db, "SELECT id, time_ms, kind, actor_identity_id, actor_alias, originator, action, resource, access_key, "
                              "json_extract(attributes, '$.issuedAccessKeyId'), json_extract(attributes, '$.roleSessionName') "
                              "FROM events WHERE protocol = 'aws' AND trace_id IS NULL ORDER BY time_ms, id");
    QHash<QString, int> chainOfKey;
    std::vector<Chain> pending;
    std::vector<qint64> sessionActor; // the role holder the session name points at, when the role is shared
    while (query.step()) {
        const std::string_view kind = query.textUtf8(2);
        const qint64 id = query.int64(0);
        const qint64 timeMs = query.int64(1);
        qint64 actorId = query.isNull(3) ? 0 : query.int64(3);
        if (kind.starts_with("AssumeRole"sv)) {
            const QString issued = query.text(9);
            if (issued.isEmpty() || chainOfKey.contains(issued))
                continue;
            Chain chain;
            chain.key = issued;
            chain.protocols.append(QStringLiteral("aws"));
            chain.originator = query.text(5);
            chain.originatorId = m_directory.humanByExternalId.value(chain.originator, 0);
            // The session acts as the role, whose identity is the agent that holds the role credential.
            const QString role = query.text(7);
            chain.root = role;
            chain.firstTimeMs = chain.lastTimeMs = timeMs;
            if (!chain.originator.isEmpty()) {
                ChainHop hop;
                hop.delegatorId = chain.originatorId;
                hop.delegator = chain.originator;
                hop.delegatorKind = ChainPartyKind::Human;
                hop.delegate = role;
                hop.protocol = QStringLiteral("aws");
                hop.protocols.append(hop.protocol);
                hop.timeMs = timeMs;
                hop.eventId = id;
                chain.hops.append(hop);
            }
            qint64 holderNamed = 0;
            const QString sessionName = query.text(10);
            for (qint64 holder : m_directory.holdersOfRole.value(role)) {
                const Party *party = m_directory.find(holder);
                if (party && !party->externalId.isEmpty() && sessionName.startsWith(party->externalId))
                    holderNamed = holder;
            }
            sessionActor.push_back(holderNamed);
            m_result.chainOfEvent.insert(id, int(m_result.chains.size() + qsizetype(pending.size())));
            chainOfKey.insert(issued, int(pending.size()));
            pending.push_back(std::move(chain));
            continue;
        }
        const QString key = query.text(8);
        const auto it = chainOfKey.constFind(key);
        if (it == chainOfKey.cend())
            continue;
        Chain &chain = pending[std::size_t(*it)];
        if (sessionActor[std::size_t(*it)])
            actorId = sessionActor[std::size_t(*it)];
        if (chain.rootId == 0 && actorId) {
            chain.rootId = actorId;
            chain.root = nameOf(actorId, query.text(4));
            chain.rootKind = m_directory.kindOf(actorId);
            if (const Party *party = m_directory.find(actorId))
                chain.rootIntents = party->intents;
            if (!chain.hops.isEmpty()) {
                chain.hops[0].delegateId = chain.rootId;
                chain.hops[0].delegate = chain.root;
                chain.hops[0].delegateKind = chain.rootKind;
            }
        }
        ChainAction action;
        action.eventId = id;
        action.timeMs = timeMs;
        action.actorId = actorId;
        action.actor = nameOf(actorId, query.text(4));
        action.actorKind = m_directory.kindOf(actorId);
        action.protocol = QStringLiteral("aws");
        action.action = intern(query.textUtf8(6));
        action.tool = ChainBuilder::toolNameForAwsAction(action.action);
        action.resource = query.text(7);
        action.hop = chain.hops.isEmpty() ? -1 : 0;
        action.path = QStringList{action.actor};
        action.intentAtActor = narrowed(chain.rootIntents, m_directory.find(actorId) ? m_directory.find(actorId)->intents : QStringList());
        action.withinIntent = action.intentAtActor.contains(action.tool);
        action.credentialType = QStringLiteral("aws-role-session");
        chain.lastTimeMs = std::max(chain.lastTimeMs, timeMs);
        chain.actions.append(std::move(action));
        m_result.chainOfEvent.insert(id, int(m_result.chains.size()) + *it);
    }
    for (Chain &chain : pending)
        finish(chain);
}

void Builder::addTokenSessions()
{
    // Token sessions no trace refers to still show who delegated to whom, with the scopes of each hop.
    QStringList keys = m_sessions.keys();
    keys.sort();
    for (const QString &session : std::as_const(keys)) {
        if (m_usedSessions.contains(session))
            continue;
        const SessionTokens &tokens = m_sessions[session];
        if (tokens.grants.empty())
            continue;
        Chain chain;
        chain.key = QStringLiteral("session:") + session;
        QHash<qint64, int> hopOfDelegate;
        QHash<qint64, int> levelOf;
        for (const SessionGrant &grant : tokens.grants) {
            if (grant.delegatorId == 0 && chain.rootId == 0) {
                chain.originator = grant.humanExternalId;
                chain.originatorId = m_directory.humanByExternalId.value(grant.humanExternalId, 0);
                chain.rootId = grant.delegateId;
                chain.root = nameOf(grant.delegateId, QString());
                chain.rootKind = m_directory.kindOf(grant.delegateId);
                if (const Party *party = m_directory.find(grant.delegateId))
                    chain.rootIntents = party->intents;
                chain.rootScopes = grant.scopes;
                ChainHop hop;
                hop.delegatorId = chain.originatorId;
                hop.delegator = chain.originator;
                hop.delegatorKind = ChainPartyKind::Human;
                hop.delegateId = chain.rootId;
                hop.delegate = chain.root;
                hop.delegateKind = chain.rootKind;
                hop.protocol = grant.protocol;
                hop.protocols.append(grant.protocol);
                hop.scopes = grant.scopes;
                hopOfDelegate.insert(chain.rootId, int(chain.hops.size()));
                levelOf.insert(chain.rootId, 0);
                chain.hops.append(hop);
                if (!chain.protocols.contains(grant.protocol))
                    chain.protocols.append(grant.protocol);
            }
        }
        for (const SessionGrant &grant : tokens.grants) {
            if (grant.delegatorId == 0 || hopOfDelegate.contains(grant.delegateId))
                continue;
            ChainHop hop;
            hop.delegatorId = grant.delegatorId;
            hop.delegator = nameOf(grant.delegatorId, QString());
            hop.delegatorKind = m_directory.kindOf(grant.delegatorId);
            hop.delegateId = grant.delegateId;
            hop.delegate = nameOf(grant.delegateId, QString());
            hop.delegateKind = m_directory.kindOf(grant.delegateId);
            hop.protocol = grant.protocol;
            hop.protocols.append(grant.protocol);
            hop.scopes = grant.scopes;
            hop.level = levelOf.value(grant.delegatorId, 0) + 1;
            hop.parentHop = hopOfDelegate.value(grant.delegatorId, -1);
            if (chain.rootId == 0) {
                chain.rootId = grant.delegatorId;
                chain.root = hop.delegator;
                chain.rootKind = hop.delegatorKind;
            }
            levelOf.insert(grant.delegateId, hop.level);
            hopOfDelegate.insert(grant.delegateId, int(chain.hops.size()));
            chain.depth = std::max(chain.depth, hop.level);
            chain.hops.append(hop);
            if (!chain.protocols.contains(grant.protocol))
                chain.protocols.append(grant.protocol);
        }
        finish(chain);
    }
}

} // namespace

QString ChainBuilder::toolNameForAwsAction(const QString &action)
{
    const qsizetype colon = action.indexOf(QLatin1Char(':'));
    if (colon <= 0)
        return action;
    QString service = action.left(colon);
    const qsizetype dash = service.indexOf(QLatin1Char('-'));
    if (dash > 0)
        service.truncate(dash); // bedrock-runtime -> bedrock
    QString tool = service + QLatin1Char('.');
    const QStringView operation = QStringView(action).mid(colon + 1);
    for (qsizetype i = 0; i < operation.size(); ++i) {
        const QChar c = operation.at(i);
        if (c.isUpper()) {
            if (i > 0)
                tool.append(QLatin1Char('_'));
            tool.append(c.toLower());
        } else {
            tool.append(c);
        }
    }
    return tool;
}

ChainSet ChainBuilder::build(SqliteDatabase &db)
{
    QElapsedTimer timer;
    timer.start();
    const Directory directory = loadDirectory(db);
    qCDebug(analysisLog) << "chains: directory loaded in" << timer.elapsed() << "ms";
    const QHash<QString, SessionTokens> sessions = loadSessions(db);
    qCDebug(analysisLog) << "chains: sessions loaded at" << timer.elapsed() << "ms";
    Builder builder(directory, sessions);
    builder.reserveEvents(db.queryInt64("SELECT coalesce(max(id), 0) FROM events"));

    SqliteStatement query(db, "SELECT trace_id, id, time_ms, protocol, kind, actor_identity_id, actor_alias, originator, action, "
                              "resource, outcome, span_id, parent_span_id, session_id, correlation_id "
                              "FROM events WHERE trace_id IS NOT NULL ORDER BY trace_id, id");
    std::string currentTrace;
    // The events of the current trace; the objects are reused from trace to trace, so their strings keep their
    // storage instead of allocating it again for each of a million events.
    std::vector<TraceEvent> events;
    std::size_t used = 0;
    while (query.step()) {
        const std::string_view trace = query.textUtf8(0);
        if (trace != currentTrace) {
            builder.addTrace(fromUtf8(currentTrace), std::span(events.data(), used));
            used = 0;
            currentTrace.assign(trace);
        }
        if (used == events.size())
            events.emplace_back();
        TraceEvent &event = events[used++];
        event.originator.clear();
        event.action.clear();
        event.resource.clear();
        event.session.clear();
        event.correlation.clear();
        event.actorAlias.clear();
        event.kind = classify(query.textUtf8(3), query.textUtf8(4));
        event.id = query.int64(1);
        event.timeMs = query.int64(2);
        event.actorId = query.isNull(5) ? 0 : query.int64(5);
        if (!event.actorId || event.kind == SpanKind::Agent || event.kind == SpanKind::AwsCall)
            event.actorAlias = query.text(6);
        const std::string_view outcome = query.textUtf8(10);
        event.ok = outcome.empty() || outcome == "ok"sv;
        event.span = spanKey(query.textUtf8(11));
        event.parent = spanKey(query.textUtf8(12));
        switch (event.kind) {
        case SpanKind::Agent:
            event.originator.assign(query.textUtf8(7));
            event.session.assign(query.textUtf8(13));
            break;
        case SpanKind::AwsCall:
            event.originator.assign(query.textUtf8(7));
            [[fallthrough]];
        case SpanKind::Tool:
            event.correlation.assign(query.textUtf8(14));
            [[fallthrough]];
        case SpanKind::McpCall:
            event.action.assign(query.textUtf8(8));
            event.resource.assign(query.textUtf8(9));
            break;
        default:
            break;
        }
    }
    builder.addTrace(fromUtf8(currentTrace), std::span(events.data(), used));
    qCDebug(analysisLog) << "chains: traces at" << timer.elapsed() << "ms";
    builder.addAwsSessions(db);
    qCDebug(analysisLog) << "chains: AWS sessions at" << timer.elapsed() << "ms";
    builder.addTokenSessions();
    qCDebug(analysisLog) << "chains: token sessions at" << timer.elapsed() << "ms";
    return builder.takeResult();
}

std::optional<ChainSet> ChainBuilder::build(Workspace &workspace, QString *error)
{
    try {
        return build(workspace.database());
    } catch (const SqliteError &e) {
        if (error)
            *error = QStringLiteral("the chains could not be read: %1").arg(e.message());
        return std::nullopt;
    }
}

} // namespace chainsight

#include "FindingRule.h"

#include "SqliteDatabase.h"

#include <QHash>

#include <nlohmann/json.hpp>
#include <simdjson.h>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <vector>
#include <string>
#include <string_view>
#include <tuple>

namespace chainsight {
namespace {

constexpr qint64 msPerDay = 24LL * 60 * 60 * 1000;

// A rule that is one set-based query. Its columns: subject, identity id, identity external id, chain key,
// comma-separated evidence event ids.
class QueryFindingRule final : public FindingRule
{
public:
    using Binder = std::function<void(SqliteStatement &, const FindingsSettings &)>;

    QueryFindingRule(QString id, FindingSeverity severity, QString title, QString explanation, std::string sql,
                     Binder binder = {})
        : m_id(std::move(id))
        , m_severity(severity)
        , m_title(std::move(title))
        , m_explanation(std::move(explanation))
        , m_sql(std::move(sql))
        , m_binder(std::move(binder))
    {
    }

    QString id() const override { return m_id; }
    FindingSeverity severity() const override { return m_severity; }
    QString explanation() const override { return m_explanation; }

    QList<Finding> evaluate(SqliteDatabase &db, const FindingsSettings &settings) const override
    {
        SqliteStatement statement(db, m_sql);
        if (m_binder)
            m_binder(statement, settings);
        QList<Finding> findings;
        while (statement.step()) {
            Finding finding;
            finding.rule = m_id;
            finding.severity = m_severity;
            finding.subject = statement.text(0);
            finding.identityId = statement.optionalInt64(1);
            finding.identity = statement.text(2);
            finding.chainKey = statement.text(3);
            finding.title = m_title.arg(finding.subject);
            finding.explanation = m_explanation;
            const QString evidence = statement.text(4);
            for (QStringView id : QStringView(evidence).split(u',', Qt::SkipEmptyParts)) {
                if (finding.evidence.size() >= settings.evidenceLimit)
                    break;
                finding.evidence.append(id.toLongLong());
            }
            findings.append(finding);
        }
        return findings;
    }

private:
    QString m_id;
    FindingSeverity m_severity;
    QString m_title;
    QString m_explanation;
    std::string m_sql;
    Binder m_binder;
};

constexpr std::string_view shadowAgentSql = R"sql(
SELECT i.external_id, i.id, i.external_id, NULL,
       (SELECT group_concat(id) FROM (SELECT id FROM events WHERE actor_identity_id = i.id ORDER BY id LIMIT 50))
FROM identities i
WHERE i.kind = 'shadow'
ORDER BY i.external_id
)sql";

constexpr std::string_view orphanAgentSql = R"sql(
SELECT i.external_id, i.id, i.external_id, NULL,
       (SELECT group_concat(id) FROM (SELECT id FROM events WHERE actor_identity_id = i.id ORDER BY id LIMIT 50))
FROM identities i
WHERE i.kind = 'agent' AND (i.owner IS NULL OR trim(i.owner) = '')
ORDER BY i.external_id
)sql";

// A use is stale when the key's last rotation (or creation) is older than the threshold at that moment,
// or the key had already expired.
constexpr std::string_view staleSecretSql = R"sql(
WITH keys AS (
    SELECT c.credential_id AS key_id, min(c.identity_id) AS identity_id,
           min(CAST(strftime('%s', coalesce(c.last_rotated, c.created)) AS INTEGER) * 1000) AS rotated_ms,
           min(CAST(strftime('%s', c.expires) AS INTEGER) * 1000) AS expires_ms
    FROM credentials c
    WHERE c.type = 'api-key'
    GROUP BY c.credential_id
)
SELECT k.key_id, k.identity_id, (SELECT external_id FROM identities WHERE id = k.identity_id), NULL, group_concat(e.id)
FROM events e
JOIN keys k ON k.key_id = e.access_key
WHERE e.access_key IS NOT NULL AND e.time_ms IS NOT NULL
  AND ((k.rotated_ms IS NOT NULL AND e.time_ms - k.rotated_ms > ?1)
       OR (k.expires_ms IS NOT NULL AND e.time_ms > k.expires_ms))
GROUP BY k.key_id
ORDER BY k.key_id
)sql";

// Tokens whose signature was checked and failed; unchecked tokens (no keys given) are not findings.
constexpr std::string_view unverifiedTokenSql = R"sql(
WITH bad AS (
    SELECT e.token_id AS jti, min(e.actor_identity_id) AS identity_id, min(e.trace_id) AS trace_id,
           group_concat(e.id) AS ids
    FROM events e
    WHERE e.kind IN ('access_token', 'access_token+dpop') AND e.protocol = 'oauth'
      AND e.token_id IS NOT NULL AND e.token_id <> ''
      AND e.outcome IS NOT NULL AND e.outcome NOT IN ('Verified', 'not-checked')
    GROUP BY e.token_id
)
SELECT b.jti, b.identity_id, (SELECT external_id FROM identities WHERE id = b.identity_id), b.trace_id, b.ids
FROM bad b
ORDER BY b.jti
)sql";

// An aws-role listed on two or more agents and assumed at all.
constexpr std::string_view sharedCredentialSql = R"sql(
WITH shared AS (
    SELECT c.credential_id AS arn, min(c.identity_id) AS identity_id
    FROM credentials c
    WHERE c.type = 'aws-role'
    GROUP BY c.credential_id
    HAVING count(DISTINCT c.identity_id) >= 2
)
SELECT s.arn, s.identity_id, (SELECT external_id FROM identities WHERE id = s.identity_id), NULL, group_concat(e.id)
FROM shared s
JOIN events e ON e.protocol = 'aws' AND e.actor_alias = s.arn
GROUP BY s.arn
ORDER BY s.arn
)sql";

// Tool calls traced in OTLP by an inventoried agent for a tool not in its declared intents.

// Small ids for repeated texts (sessions, originators, act chains, actors), so keys compare as integers and a
// text seen before costs a lookup, not an allocation. Id 0 is the empty text.
// Hashes std::string keys and std::string_view probes alike, so a lookup by view allocates nothing.
struct TextHash
{
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
};

class TextIds
{
public:
    TextIds() { (void)id({}); }
    std::uint32_t id(std::string_view text)
    {
        const auto it = m_ids.find(text);
        if (it != m_ids.end())
            return it->second;
        const std::string &stored = m_texts.emplace_back(text);
        const auto id = static_cast<std::uint32_t>(m_texts.size() - 1);
        m_ids.emplace(std::string_view(stored), id);
        return id;
    }
    const std::string &text(std::uint32_t id) const { return m_texts[id]; }

private:
    std::deque<std::string> m_texts; // stable addresses: the map's keys view into them
    std::unordered_map<std::string_view, std::uint32_t> m_ids;
};

// An agent's tool call whose tool is not among its declared intents, one finding per (agent, tool). The intents
// are read once per agent with SQLite's own json_each (so a value compares as it did in SQL), the calls in one
// scan; a NOT EXISTS over json_each per call parsed the agent's intents 150,000 times on a million events.
constexpr std::string_view intentDriftAgentsSql = R"sql(
SELECT id, external_id FROM identities
WHERE kind = 'agent' AND intents IS NOT NULL AND json_valid(intents)
)sql";
constexpr std::string_view intentDriftIntentsSql = R"sql(
SELECT i.id, j.value FROM identities i, json_each(i.intents) j
WHERE i.kind = 'agent' AND i.intents IS NOT NULL AND json_valid(i.intents) AND j.value IS NOT NULL
)sql";
constexpr std::string_view intentDriftCallsSql = R"sql(
SELECT actor_identity_id, action, trace_id, id FROM events
WHERE protocol = 'otlp' AND kind = 'execute_tool' AND action IS NOT NULL AND action <> ''
  AND actor_identity_id IS NOT NULL
ORDER BY id
)sql";

class IntentDriftRule final : public FindingRule
{
public:
    QString id() const override { return QStringLiteral("intent-drift"); }
    FindingSeverity severity() const override { return FindingSeverity::Medium; }
    QString explanation() const override
    {
        return QStringLiteral("The agent called a tool it was never declared to need: either its purpose changed without "
                              "review or it is being steered into work it should not do.");
    }

    QList<Finding> evaluate(SqliteDatabase &db, const FindingsSettings &settings) const override
    {
        TextIds texts;
        struct Agent
        {
            std::string externalId;
            std::vector<std::uint32_t> intents; // sorted text ids
        };
        std::unordered_map<qint64, Agent> agents;
        {
            SqliteStatement rows(db, intentDriftAgentsSql);
            while (rows.step())
                agents[rows.int64(0)].externalId = rows.textUtf8(1);
            SqliteStatement intents(db, intentDriftIntentsSql);
            while (intents.step()) {
                const auto agent = agents.find(intents.int64(0));
                if (agent != agents.end())
                    agent->second.intents.push_back(texts.id(intents.textUtf8(1)));
            }
            for (auto &[id, agent] : agents)
                std::sort(agent.intents.begin(), agent.intents.end());
        }
        struct Drift
        {
            std::string minTrace;
            bool hasTrace = false;
            std::vector<qint64> events;
        };
        std::map<std::pair<qint64, std::uint32_t>, Drift> drifts; // (agent, tool)
        SqliteStatement calls(db, intentDriftCallsSql);
        while (calls.step()) {
            const auto agent = agents.find(calls.int64(0));
            if (agent == agents.end())
                continue;
            const std::uint32_t tool = texts.id(calls.textUtf8(1));
            if (std::binary_search(agent->second.intents.begin(), agent->second.intents.end(), tool))
                continue;
            Drift &drift = drifts[{agent->first, tool}];
            if (!calls.isNull(2)) {
                const std::string_view trace = calls.textUtf8(2);
                if (!drift.hasTrace || trace < drift.minTrace) {
                    drift.minTrace.assign(trace);
                    drift.hasTrace = true;
                }
            }
            drift.events.push_back(calls.int64(3));
        }
        // Subjects in byte order, as ORDER BY on the text put them.
        std::vector<std::pair<std::string, const std::pair<const std::pair<qint64, std::uint32_t>, Drift> *>> ordered;
        ordered.reserve(drifts.size());
        for (const auto &entry : drifts)
            ordered.emplace_back(agents.at(entry.first.first).externalId + ':' + texts.text(entry.first.second), &entry);
        std::sort(ordered.begin(), ordered.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
        QList<Finding> findings;
        findings.reserve(qsizetype(ordered.size()));
        for (const auto &[subject, entry] : ordered) {
            const auto &[key, drift] = *entry;
            Finding finding;
            finding.rule = id();
            finding.severity = severity();
            finding.subject = QString::fromStdString(subject);
            finding.identityId = key.first;
            finding.identity = QString::fromStdString(agents.at(key.first).externalId);
            if (drift.hasTrace)
                finding.chainKey = QString::fromStdString(drift.minTrace);
            finding.title = QStringLiteral("%1 is outside the agent's intents").arg(finding.subject);
            finding.explanation = explanation();
            for (qint64 event : drift.events) {
                if (finding.evidence.size() >= settings.evidenceLimit)
                    break;
                finding.evidence.append(event);
            }
            findings.append(finding);
        }
        return findings;
    }
};

// The elements of a JSON array of strings as SQLite writes it (`["a","b"]`), as views into the text; false for
// anything else (escapes included), which the caller parses fully.
bool splitPlainStringArray(std::string_view json, std::vector<std::string_view> &out)
{
    out.clear();
    if (json.size() < 2 || json.front() != '[' || json.back() != ']' || json.find('\\') != std::string_view::npos)
        return false;
    std::string_view rest = json.substr(1, json.size() - 2);
    while (!rest.empty()) {
        if (rest.front() != '"')
            return false;
        const std::size_t close = rest.find('"', 1);
        if (close == std::string_view::npos)
            return false;
        out.push_back(rest.substr(1, close - 1));
        rest.remove_prefix(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ',')
                return false;
            rest.remove_prefix(1);
        }
    }
    return true;
}

// Each token-exchange hop with its granted scopes is compared with the delegator's latest token in the same
// session before it. Keycloak and gateway tokens carry the session; Okta-issued tokens are placed in their Okta
// session through the grant event with the same token id. Three ordered scans joined in C++ (a correlated
// query per hop cost 0.4 s on a million events): the hops in event order, the Okta grants by token, and every
// token with scopes in a session, by (session, holder, protocol, event).
constexpr std::string_view scopeWideningHopsSql = R"sql(
SELECT d.delegator_identity_id, d.delegate_identity_id, d.scopes, e.id, e.session_id, e.protocol, e.token_id
FROM delegation_edges d JOIN events e ON e.id = d.event_id
WHERE d.protocol IN ('keycloak', 'oauth') AND d.scopes IS NOT NULL
  AND d.delegator_identity_id IS NOT NULL AND d.delegate_identity_id IS NOT NULL
ORDER BY d.event_id, d.id
)sql";
// The first in (session, event) order per token, as an indexed lookup with LIMIT 1 took it.
constexpr std::string_view scopeWideningOktaGrantsSql = R"sql(
SELECT token_id, session_id, id FROM events
WHERE token_id IS NOT NULL AND protocol = 'okta' AND session_id IS NOT NULL
ORDER BY token_id, session_id, id
)sql";
constexpr std::string_view scopeWideningSessionTokensSql = R"sql(
SELECT session_id, actor_identity_id, protocol, id, scopes FROM events
WHERE session_id IS NOT NULL AND scopes IS NOT NULL AND actor_identity_id IS NOT NULL
)sql";

// The scopes of a stored JSON array, each as its JSON text (a string keeps its quotes, so "1" and 1 differ as in
// SQL); nullopt when the text is not a JSON array (space-separated scopes are not compared, as before).
std::optional<std::vector<std::string>> scopeElements(std::string_view text)
{
    std::vector<std::string_view> plain;
    if (splitPlainStringArray(text, plain)) {
        std::vector<std::string> out;
        out.reserve(plain.size());
        for (std::string_view scope : plain)
            out.push_back('"' + std::string(scope) + '"');
        return out;
    }
    const auto json = nlohmann::json::parse(text, nullptr, false);
    if (json.is_discarded())
        return std::nullopt;
    std::vector<std::string> out;
    if (json.is_array()) {
        for (const auto &element : json)
            out.push_back(element.dump());
    } else {
        out.push_back(json.dump()); // json_each of a scalar is that scalar
    }
    return out;
}

// A delegate received a scope its delegator's own grant in the session did not have. One finding per
// (delegator, delegate), evidence the grant and the hop of each widening, subjects sorted.
class ScopeWideningRule final : public FindingRule
{
public:
    QString id() const override { return QStringLiteral("scope-widening"); }
    FindingSeverity severity() const override { return FindingSeverity::High; }
    QString explanation() const override
    {
        return QStringLiteral("A delegate received scopes its delegator's own token did not have: delegation must only "
                              "narrow authority, and here it created new authority nobody granted.");
    }

    QList<Finding> evaluate(SqliteDatabase &db, const FindingsSettings &settings) const override
    {
        std::map<std::pair<qint64, qint64>, std::vector<qint64>> widened; // (a, b) -> parent, hop, parent, hop...
        // Scope texts repeat: each distinct one is parsed once, by its id. A deque, so the hop's list stays
        // valid while the grant's is parsed.
        TextIds texts;
        std::deque<std::optional<std::vector<std::string>>> parsed;
        const auto elements = [&texts, &parsed](std::uint32_t id) -> const std::optional<std::vector<std::string>> & {
            while (parsed.size() <= id)
                parsed.push_back(scopeElements(texts.text(std::uint32_t(parsed.size()))));
            return parsed[id];
        };

        // Every token with scopes held in a session, sorted so the latest before an event is found by search.
        struct Held
        {
            std::uint32_t session;
            std::uint32_t protocol;
            qint64 holder;
            qint64 eventId;
            std::uint32_t scopes;
            auto key() const { return std::tie(session, holder, protocol, eventId); }
        };
        std::vector<Held> held;
        {
            SqliteStatement rows(db, scopeWideningSessionTokensSql);
            while (rows.step())
                held.push_back({texts.id(rows.textUtf8(0)), texts.id(rows.textUtf8(2)), rows.int64(1), rows.int64(3),
                                texts.id(rows.textUtf8(4))});
            std::sort(held.begin(), held.end(), [](const Held &a, const Held &b) { return a.key() < b.key(); });
        }
        // Token id -> the Okta grant event that places it in a session. Token ids are unique, so they stay out
        // of the interned texts (which then stay small enough to be quick).
        struct Anchor
        {
            std::uint32_t session;
            qint64 eventId;
        };
        std::unordered_map<std::string, Anchor, TextHash, std::equal_to<>> oktaGrantOf;
        {
            SqliteStatement rows(db, scopeWideningOktaGrantsSql);
            while (rows.step()) {
                const std::string_view token = rows.textUtf8(0);
                if (oktaGrantOf.find(token) == oktaGrantOf.end())
                    oktaGrantOf.emplace(std::string(token), Anchor{texts.id(rows.textUtf8(1)), rows.int64(2)});
            }
        }
        const std::uint32_t okta = texts.id("okta");

        SqliteStatement rows(db, scopeWideningHopsSql);
        while (rows.step()) {
            const qint64 delegator = rows.int64(0);
            // Where the hop stands: its own event when that carries a session, else the Okta grant of its token.
            Anchor anchor{0, 0};
            std::uint32_t protocol = 0;
            if (!rows.isNull(4)) {
                anchor = {texts.id(rows.textUtf8(4)), rows.int64(3)};
                protocol = texts.id(rows.textUtf8(5));
            } else if (!rows.isNull(6)) {
                const auto it = oktaGrantOf.find(rows.textUtf8(6));
                if (it == oktaGrantOf.end())
                    continue;
                anchor = it->second;
                protocol = okta;
            } else {
                continue;
            }
            // The delegator's latest token with scopes in that session and protocol before the anchor.
            const Held probe{anchor.session, protocol, delegator, anchor.eventId, 0};
            auto after = std::lower_bound(held.begin(), held.end(), probe, [](const Held &a, const Held &b) { return a.key() < b.key(); });
            if (after == held.begin())
                continue;
            const Held &parent = *std::prev(after);
            if (parent.session != anchor.session || parent.holder != delegator || parent.protocol != protocol)
                continue;
            const auto &hopScopes = elements(texts.id(rows.textUtf8(2)));
            if (!hopScopes)
                continue;
            const auto &parentScopes = elements(parent.scopes);
            if (!parentScopes)
                continue;
            const bool widens = std::any_of(hopScopes->begin(), hopScopes->end(), [&parentScopes](const std::string &scope) {
                return std::find(parentScopes->begin(), parentScopes->end(), scope) == parentScopes->end();
            });
            if (!widens)
                continue;
            auto &evidence = widened[{delegator, rows.int64(1)}];
            evidence.push_back(parent.eventId);
            evidence.push_back(rows.int64(3));
        }
        QHash<qint64, QString> names;
        {
            SqliteStatement identity(db, "SELECT external_id FROM identities WHERE id = ?1");
            for (const auto &[pair, evidence] : widened) {
                for (const qint64 id : {pair.first, pair.second}) {
                    if (names.contains(id))
                        continue;
                    identity.reset();
                    identity.bind(1, id);
                    names.insert(id, identity.step() ? identity.text(0) : QString());
                }
            }
        }
        QList<Finding> findings;
        for (const auto &[pair, evidence] : widened) {
            Finding finding;
            finding.rule = id();
            finding.severity = severity();
            finding.subject = names.value(pair.first) + QStringLiteral("->") + names.value(pair.second);
            finding.identityId = pair.second;
            finding.identity = names.value(pair.second);
            finding.title = QStringLiteral("Hop %1 widens the granted scopes").arg(finding.subject);
            finding.explanation = explanation();
            for (const qint64 event : evidence) {
                if (finding.evidence.size() >= settings.evidenceLimit)
                    break;
                finding.evidence.append(event);
            }
            findings.append(finding);
        }
        std::sort(findings.begin(), findings.end(), [](const Finding &a, const Finding &b) { return a.subject < b.subject; });
        return findings;
    }
};

// High or critical tool calls (OTel spans or MCP calls) in a trace that holds no accepted human approval
// (an OTel elicitation span with status OK, or an approval answered in the MCP log). The tool calls come from
// the covering trace index: a scan of it costs less than fetching each call's event row.
constexpr std::string_view sensitiveWithoutApprovalSql = R"sql(
WITH approved AS MATERIALIZED (
    SELECT DISTINCT trace_id FROM events
    WHERE kind IN ('elicitation/create', 'approval') AND protocol IN ('otlp', 'mcp') AND outcome = 'ok'
      AND trace_id IS NOT NULL
      AND ((protocol = 'otlp' AND kind = 'elicitation/create') OR (protocol = 'mcp' AND kind = 'approval'))
), sensitive AS (
    SELECT e.trace_id, e.id, e.actor_identity_id FROM events e INDEXED BY events_by_trace_covering
    JOIN identities t ON t.kind = 'tool' AND t.external_id = e.action
    WHERE e.kind IN ('execute_tool', 'tools/call') AND e.protocol IN ('otlp', 'mcp') AND e.trace_id IS NOT NULL
      AND t.sensitivity IN ('high', 'critical')
), unapproved AS (
    SELECT s.trace_id, min(s.actor_identity_id) AS identity_id, group_concat(s.id) AS ids
    FROM sensitive s
    WHERE s.trace_id NOT IN (SELECT trace_id FROM approved)
    GROUP BY s.trace_id
)
SELECT u.trace_id, u.identity_id, (SELECT external_id FROM identities WHERE id = u.identity_id), u.trace_id, u.ids
FROM unapproved u
ORDER BY u.trace_id
)sql";

// Traces in which no span names the human (enduser.id), and AWS sessions assumed with neither a
// sourceIdentity nor a TraceId session tag: nobody can say on whose behalf they acted. The covering trace index
// (FindingsEngine) answers the traces part in trace order without reading an event row.
constexpr std::string_view lostOriginatorSql = R"sql(
WITH lost_traces AS (
    SELECT trace_id, min(actor_identity_id) AS identity_id FROM events INDEXED BY events_by_trace_covering
    WHERE kind = 'invoke_agent' AND protocol = 'otlp' AND trace_id IS NOT NULL
    GROUP BY trace_id
    HAVING count(originator) = 0
), lost_sessions AS (
    SELECT json_extract(attributes, '$.issuedAccessKeyId') AS access_key, id, actor_identity_id AS identity_id
    FROM events
    WHERE protocol = 'aws' AND kind LIKE 'AssumeRole%' AND originator IS NULL AND trace_id IS NULL
      AND json_valid(attributes) AND json_extract(attributes, '$.issuedAccessKeyId') IS NOT NULL
)
SELECT t.trace_id, t.identity_id, (SELECT external_id FROM identities WHERE id = t.identity_id), t.trace_id,
       (SELECT group_concat(id) FROM (SELECT id FROM events WHERE trace_id = t.trace_id AND kind = 'invoke_agent'
                                      ORDER BY id LIMIT 50))
FROM lost_traces t
UNION ALL
SELECT l.access_key, l.identity_id, (SELECT external_id FROM identities WHERE id = l.identity_id), NULL,
       l.id || coalesce(',' || (SELECT group_concat(id) FROM (SELECT id FROM events WHERE access_key = l.access_key
                                                              ORDER BY id LIMIT 49)), '')
FROM lost_sessions l
ORDER BY 1
)sql";

// Cloud calls that leave the trace: an AWS call span without aws.request_id (its session carried no
// TraceId tag), or an Azure call span in a trace no Entra sign-in correlates with (correlationId is the
// trace id written as a GUID). instr() keeps the JSON parser off the spans that name neither attribute.
constexpr std::string_view crossProtocolBreakSql = R"sql(
WITH entra_traces AS MATERIALIZED (
    SELECT DISTINCT lower(replace(correlation_id, '-', '')) AS trace_id FROM events
    WHERE protocol = 'entra' AND correlation_id IS NOT NULL
), broken AS (
    SELECT e.trace_id, e.id, e.actor_identity_id FROM events e
    WHERE e.protocol = 'otlp' AND e.kind = 'execute_tool' AND e.trace_id IS NOT NULL
      AND (instr(e.attributes, 'rpc.service') > 0 OR instr(e.attributes, 'az.namespace') > 0)
      AND json_valid(e.attributes)
      AND ((json_extract(e.attributes, '$."rpc.service"') IS NOT NULL
            AND json_extract(e.attributes, '$."aws.request_id"') IS NULL)
           OR (json_extract(e.attributes, '$."az.namespace"') IS NOT NULL
               AND e.trace_id NOT IN (SELECT trace_id FROM entra_traces)))
), traces AS (
    SELECT trace_id, min(actor_identity_id) AS identity_id, group_concat(id) AS ids FROM broken GROUP BY trace_id
)
SELECT t.trace_id, t.identity_id, (SELECT external_id FROM identities WHERE id = t.identity_id), t.trace_id, t.ids
FROM traces t
ORDER BY t.trace_id
)sql";

// The OTel delegation hops of each trace, walked from its roots (agents nobody in the trace delegated to)
// along every path that does not revisit an agent, at most 64 hops deep. deep-delegation compares the
// deepest path from a root with the root agent's max_delegation_depth; delegation-cycle names each hop
// back to an agent already on the path, as the pair of external ids in sorted order.
class DelegationWalkRule final : public FindingRule
{
public:
    enum class Kind { Depth, Cycle };

    DelegationWalkRule(Kind kind, QString id, FindingSeverity severity, QString title, QString explanation)
        : m_kind(kind)
        , m_id(std::move(id))
        , m_severity(severity)
        , m_title(std::move(title))
        , m_explanation(std::move(explanation))
    {
    }

    QString id() const override { return m_id; }
    FindingSeverity severity() const override { return m_severity; }
    QString explanation() const override { return m_explanation; }

    QList<Finding> evaluate(SqliteDatabase &db, const FindingsSettings &settings) const override
    {
        struct Identity
        {
            QString externalId;
            std::optional<qint64> maxDepth;
        };
        std::unordered_map<qint64, Identity> identities;
        {
            SqliteStatement query(db, "SELECT id, external_id, max_delegation_depth FROM identities");
            while (query.step())
                identities[query.int64(0)] = Identity{query.text(1), query.optionalInt64(2)};
        }
        struct Deep
        {
            QString trace;
            qint64 root = 0;
        };
        struct Cycle
        {
            qint64 firstId = 0;
            QString trace;
        };
        std::vector<Deep> deep;
        std::map<QString, Cycle> cycles; // by "a,b", sorted: the rule's order

        SqliteStatement hops(db, "SELECT DISTINCT trace_id, delegator_identity_id, delegate_identity_id FROM delegation_edges "
                                 "WHERE protocol = 'otlp' AND trace_id IS NOT NULL AND delegator_identity_id IS NOT NULL "
                                 "AND delegate_identity_id IS NOT NULL AND delegator_identity_id <> delegate_identity_id "
                                 "ORDER BY trace_id");
        std::string trace;
        std::vector<std::pair<qint64, qint64>> edges;
        const auto walkTrace = [&] {
            if (edges.empty())
                return;
            std::sort(edges.begin(), edges.end());
            std::unordered_set<qint64> delegates;
            for (const auto &[from, to] : edges)
                delegates.insert(to);
            std::vector<qint64> roots;
            for (const auto &[from, to] : edges) {
                if (!delegates.count(from) && (roots.empty() || roots.back() != from))
                    roots.push_back(from);
            }
            const QString traceId = QString::fromUtf8(trace.data(), static_cast<qsizetype>(trace.size()));
            for (const qint64 root : roots) {
                std::vector<qint64> path{root};
                int deepest = 0;
                walk(edges, path, deepest, [&](qint64 node, qint64 back) {
                    // Copies: a lookup of an id the table lacks inserts, which may move the other entry.
                    const QString x = identities[node].externalId;
                    const QString y = identities[back].externalId;
                    const QString pair = x < y ? x + QLatin1Char(',') + y : y + QLatin1Char(',') + x;
                    auto [it, inserted] = cycles.try_emplace(pair, Cycle{std::min(node, back), traceId});
                    if (!inserted) {
                        it->second.firstId = std::min(it->second.firstId, std::min(node, back));
                        it->second.trace = std::min(it->second.trace, traceId);
                    }
                });
                const auto found = identities.find(root);
                if (found != identities.end() && found->second.maxDepth && deepest > *found->second.maxDepth)
                    deep.push_back({traceId, root});
            }
        };
        while (hops.step()) {
            const std::string_view rowTrace = hops.textUtf8(0);
            if (rowTrace != trace) {
                walkTrace();
                trace.assign(rowTrace);
                edges.clear();
            }
            edges.emplace_back(hops.int64(1), hops.int64(2));
        }
        walkTrace();

        SqliteStatement evidence(db, "SELECT id FROM events WHERE trace_id = ?1 AND kind = 'invoke_agent' ORDER BY id LIMIT ?2");
        const auto finding = [&](const QString &subject, qint64 identityId, const QString &traceId) {
            Finding f;
            f.rule = m_id;
            f.severity = m_severity;
            f.subject = subject;
            f.identityId = identityId;
            f.identity = identities[identityId].externalId;
            f.chainKey = traceId;
            f.title = m_title.arg(subject);
            f.explanation = m_explanation;
            evidence.reset();
            evidence.bind(1, traceId).bind(2, settings.evidenceLimit);
            while (evidence.step())
                f.evidence.append(evidence.int64(0));
            return f;
        };
        QList<Finding> findings;
        if (m_kind == Kind::Depth) {
            std::sort(deep.begin(), deep.end(), [](const Deep &a, const Deep &b) { return a.trace < b.trace; });
            for (const Deep &d : deep)
                findings.append(finding(d.trace, d.root, d.trace));
        } else {
            for (const auto &[pair, cycle] : cycles)
                findings.append(finding(pair, cycle.firstId, cycle.trace));
        }
        return findings;
    }

private:
    // Depth-first over every path from path.back() that does not revisit an agent; onBack(node, target) for
    // each hop to an agent already on the path.
    template<typename OnBack>
    static void walk(const std::vector<std::pair<qint64, qint64>> &edges, std::vector<qint64> &path, int &deepest, OnBack &&onBack)
    {
        const qint64 node = path.back();
        const int depth = static_cast<int>(path.size()) - 1;
        deepest = std::max(deepest, depth);
        auto it = std::lower_bound(edges.begin(), edges.end(), std::pair<qint64, qint64>(node, std::numeric_limits<qint64>::min()));
        for (; it != edges.end() && it->first == node; ++it) {
            const qint64 next = it->second;
            if (std::find(path.begin(), path.end(), next) != path.end()) {
                onBack(node, next);
                continue;
            }
            if (depth >= 64)
                continue;
            path.push_back(next);
            walk(edges, path, deepest, onBack);
            path.pop_back();
        }
    }

    Kind m_kind;
    QString m_id;
    FindingSeverity m_severity;
    QString m_title;
    QString m_explanation;
};

// RFC 8693 may_act names who may act next with a token. A token obtained by exchange (its act chain is
// the subject token's chain with the new actor in front) violates it when the subject tokens its delegator
// held in that session all name someone else. Subject tokens: same session and originator, presented no
// later, held by the delegator's identity, with the exchanged token's chain minus its current actor (or no
// chain at all, for the first exchange). A finding only when every candidate names someone else: one
// without may_act, or one naming the actor, could be the token exchanged, so it is not reported.
// One ordered scan and a hash map: a self-join of the token captures in SQL is quadratic in a session.
constexpr std::string_view mayActTokensSql = R"sql(
SELECT e.id, e.time_ms, coalesce(e.session_id, ''), coalesce(e.originator, ''), e.actor_identity_id, e.attributes
FROM events e
WHERE e.kind IN ('access_token', 'access_token+dpop') AND e.protocol = 'oauth' AND e.attributes IS NOT NULL
)sql";

// A token capture's act chain and may_act.sub, read from its stored attributes with simdjson's validating parser:
// one parse per token instead of SQLite's three (json_valid and two json_extract), and a malformed text is
// skipped as json_valid skipped it.
class TokenAttributes
{
public:
    bool read(std::string_view json)
    {
        m_actors.clear();
        m_mayAct.reset();
        m_buffer.assign(json);
        m_buffer.resize(json.size() + simdjson::SIMDJSON_PADDING);
        simdjson::dom::element root;
        if (m_parser.parse(m_buffer.data(), json.size(), false).get(root) != simdjson::SUCCESS)
            return false;
        simdjson::dom::object object;
        if (root.get_object().get(object) != simdjson::SUCCESS)
            return true; // valid JSON without the keys: no chain, no may_act
        simdjson::dom::array chain;
        if (object["act_chain"].get_array().get(chain) == simdjson::SUCCESS) {
            for (const simdjson::dom::element actor : chain)
                m_actors.push_back(text(actor));
        }
        simdjson::dom::element sub;
        if (object.at_pointer("/may_act/sub").get(sub) == simdjson::SUCCESS && !sub.is_null())
            m_mayAct = text(sub);
        return true;
    }
    // The act chain, outermost (current) actor first; views valid until the next read.
    const std::vector<std::string_view> &actors() const { return m_actors; }
    const std::optional<std::string_view> &mayAct() const { return m_mayAct; }

private:
    // A string's value, anything else as its compact JSON text (as json_extract returns it).
    std::string_view text(simdjson::dom::element element)
    {
        std::string_view value;
        if (element.get_string().get(value) == simdjson::SUCCESS)
            return value;
        return m_others.emplace_back(simdjson::minify(element));
    }

    simdjson::dom::parser m_parser;
    std::string m_buffer;
    std::vector<std::string_view> m_actors;
    std::optional<std::string_view> m_mayAct;
    std::deque<std::string> m_others; // the rare non-string values, kept so their views stay valid
};

// The hops the token importer wrote for each capture's act chain: delegate alias -> delegator identity.
constexpr std::string_view mayActHopsSql = R"sql(
SELECT event_id, delegate_alias, delegator_identity_id FROM delegation_edges
WHERE protocol = 'oauth' AND event_id IS NOT NULL AND delegator_identity_id IS NOT NULL
)sql";

class MayActViolationRule final : public FindingRule
{
public:
    QString id() const override { return QStringLiteral("may-act-violation"); }
    FindingSeverity severity() const override { return FindingSeverity::High; }
    QString explanation() const override
    {
        return QStringLiteral("The token this one was exchanged from named, in may_act, who may act with it next, and "
                              "the agent now acting is someone else: the exchange handed authority to a party the "
                              "issuer never approved.");
    }

    QList<Finding> evaluate(SqliteDatabase &db, const FindingsSettings &settings) const override
    {
        // Where a token is filed: (session, originator, holder identity, act chain), every text by its id.
        struct Place
        {
            std::uint32_t session = 0;
            std::uint32_t originator = 0;
            std::uint32_t chain = 0;
            qint64 holder = 0;
            auto operator<=>(const Place &) const = default;
        };
        // A time that is not recorded counts as presented before anything, as "no later" cannot exclude it.
        constexpr qint64 untimed = std::numeric_limits<qint64>::min();
        struct SubjectToken
        {
            Place place;
            std::uint32_t mayAct = 0; // id of may_act.sub; 0 when the token has none
            qint64 timeMs = untimed;
        };
        struct Exchanged
        {
            qint64 eventId = 0;
            std::optional<qint64> timeMs;
            Place holderPlace;          // where its subject tokens are filed
            bool firstExchange = false; // also look for subject tokens without an act chain
            std::uint32_t actor = 0;
            std::optional<qint64> identityId;
        };
        TextIds texts;
        // event id -> (delegate alias, delegator identity), sorted by event.
        struct Hop
        {
            qint64 eventId;
            std::uint32_t delegate;
            qint64 delegator;
        };
        std::vector<Hop> hops;
        {
            SqliteStatement rows(db, mayActHopsSql);
            while (rows.step())
                hops.push_back({rows.int64(0), texts.id(rows.textUtf8(1)), rows.int64(2)});
            std::stable_sort(hops.begin(), hops.end(), [](const Hop &a, const Hop &b) { return a.eventId < b.eventId; });
        }
        // The identity that handed the token's current actor its work: the delegator of the hop into it.
        const auto delegatorOf = [&hops](qint64 eventId, std::uint32_t actor) -> std::optional<qint64> {
            auto it = std::lower_bound(hops.begin(), hops.end(), eventId, [](const Hop &hop, qint64 id) { return hop.eventId < id; });
            for (; it != hops.end() && it->eventId == eventId; ++it) {
                if (it->delegate == actor)
                    return it->delegator;
            }
            return std::nullopt;
        };

        std::vector<SubjectToken> subjects;
        std::vector<Exchanged> exchanged;
        TokenAttributes attributes;
        std::string chainText;
        const auto chainId = [&texts, &chainText](const std::vector<std::string_view> &chain, std::size_t from) {
            chainText.clear();
            for (std::size_t i = from; i < chain.size(); ++i)
                chainText.append(chain[i]).push_back('\x1e');
            return texts.id(chainText);
        };
        SqliteStatement rows(db, mayActTokensSql);
        while (rows.step()) {
            if (!attributes.read(rows.textUtf8(5)))
                continue;
            const std::vector<std::string_view> &actors = attributes.actors();
            const std::string_view session = rows.textUtf8(2);
            Place place;
            place.session = texts.id(session);
            place.originator = texts.id(rows.textUtf8(3));
            const std::optional<qint64> holder = rows.optionalInt64(4);
            const std::optional<qint64> timeMs = rows.optionalInt64(1);
            if (holder) {
                place.holder = *holder;
                place.chain = chainId(actors, 0);
                subjects.push_back({place, attributes.mayAct() ? texts.id(*attributes.mayAct()) : 0u, timeMs.value_or(untimed)});
            }
            if (actors.size() < 2)
                continue;
            const std::uint32_t actor = texts.id(actors.front());
            const std::optional<qint64> delegator = delegatorOf(rows.int64(0), actor);
            if (!delegator)
                continue;
            Exchanged token;
            token.eventId = rows.int64(0);
            token.timeMs = timeMs;
            token.holderPlace = place;
            token.holderPlace.holder = *delegator;
            token.holderPlace.chain = chainId(actors, 1);
            token.firstExchange = actors.size() == 2;
            token.actor = actor;
            token.identityId = holder;
            exchanged.push_back(token);
        }
        // Filed by place, then by whom their may_act names (none first), then by time: a place's candidates are
        // one range, the earliest open one is its first entry, and the earliest naming an actor is found by search.
        const auto filedBefore = [](const SubjectToken &a, const SubjectToken &b) {
            return std::tie(a.place, a.mayAct, a.timeMs) < std::tie(b.place, b.mayAct, b.timeMs);
        };
        std::sort(subjects.begin(), subjects.end(), filedBefore);
        // The earliest time filed at each entry's place, so "is any subject token no later" is one comparison.
        std::vector<qint64> earliestAtPlace(subjects.size());
        for (std::size_t first = 0; first < subjects.size();) {
            std::size_t last = first;
            qint64 earliest = subjects[first].timeMs;
            while (last < subjects.size() && subjects[last].place == subjects[first].place)
                earliest = std::min(earliest, subjects[last++].timeMs);
            std::fill(earliestAtPlace.begin() + qsizetype(first), earliestAtPlace.begin() + qsizetype(last), earliest);
            first = last;
        }

        // Evidence grouped by token, in event order.
        QList<Finding> findings;
        struct Violation
        {
            qint64 eventId;
            std::optional<qint64> identityId;
        };
        std::vector<Violation> violations;
        for (const Exchanged &token : exchanged) {
            bool anyCandidate = false;
            bool permitted = false;
            const qint64 latest = token.timeMs.value_or(std::numeric_limits<qint64>::max());
            const auto consider = [&](const Place &filed) {
                const auto placeStart = std::lower_bound(subjects.begin(), subjects.end(), SubjectToken{filed, 0, untimed}, filedBefore);
                if (placeStart == subjects.end() || placeStart->place != filed)
                    return;
                if (earliestAtPlace[std::size_t(placeStart - subjects.begin())] > latest)
                    return;
                anyCandidate = true;
                if (placeStart->mayAct == 0 && placeStart->timeMs <= latest) {
                    permitted = true;
                    return;
                }
                const auto named = std::lower_bound(placeStart, subjects.end(), SubjectToken{filed, token.actor, untimed}, filedBefore);
                if (named != subjects.end() && named->place == filed && named->mayAct == token.actor && named->timeMs <= latest)
                    permitted = true;
            };
            consider(token.holderPlace);
            if (token.firstExchange) {
                Place first = token.holderPlace;
                first.chain = 0; // no act chain
                consider(first);
            }
            if (anyCandidate && !permitted)
                violations.push_back({token.eventId, token.identityId});
        }
        if (violations.empty())
            return {};

        // Only the violations' token and trace ids are read, by event.
        SqliteStatement keys(db, "SELECT coalesce(token_id, ''), coalesce(trace_id, '') FROM events WHERE id = ?1");
        SqliteStatement identity(db, "SELECT external_id FROM identities WHERE id = ?1");
        QHash<QString, qsizetype> findingOfToken;
        for (const Violation &violation : violations) {
            keys.reset();
            keys.bind(1, violation.eventId);
            QString tokenId;
            QString traceId;
            if (keys.step()) {
                tokenId = keys.text(0);
                traceId = keys.text(1);
            }
            const QString subject = tokenId.isEmpty() ? QStringLiteral("event %1").arg(violation.eventId) : tokenId;
            auto found = findingOfToken.constFind(subject);
            if (found == findingOfToken.cend()) {
                Finding finding;
                finding.rule = id();
                finding.severity = severity();
                finding.subject = subject;
                finding.identityId = violation.identityId;
                if (violation.identityId) {
                    identity.reset();
                    identity.bind(1, *violation.identityId);
                    if (identity.step())
                        finding.identity = identity.text(0);
                }
                finding.chainKey = traceId;
                finding.title = QStringLiteral("Token %1 is held by an actor its subject token did not allow").arg(subject);
                finding.explanation = explanation();
                findings.append(finding);
                found = findingOfToken.insert(subject, findings.size() - 1);
            }
            Finding &finding = findings[*found];
            if (finding.evidence.size() < settings.evidenceLimit)
                finding.evidence.append(violation.eventId);
        }
        std::sort(findings.begin(), findings.end(), [](const Finding &a, const Finding &b) { return a.subject < b.subject; });
        return findings;
    }
};

} // namespace

std::vector<std::unique_ptr<FindingRule>> builtInFindingRules()
{
    std::vector<std::unique_ptr<FindingRule>> rules;
    rules.push_back(std::make_unique<QueryFindingRule>(
        QStringLiteral("shadow-agent"), FindingSeverity::High, QStringLiteral("Agent %1 is not in the inventory"),
        QStringLiteral("An agent acts in the logs but nobody registered it: it has no owner, no declared intents and "
                       "no review, so nothing it does can be held to a purpose."),
        std::string(shadowAgentSql)));
    rules.push_back(std::make_unique<QueryFindingRule>(
        QStringLiteral("orphan-agent"), FindingSeverity::Medium, QStringLiteral("Agent %1 has no owner"),
        QStringLiteral("No person is accountable for this agent: when it misbehaves there is nobody to ask, and its "
                       "credentials are never reviewed or revoked."),
        std::string(orphanAgentSql)));
    rules.push_back(std::make_unique<QueryFindingRule>(
        QStringLiteral("stale-secret"), FindingSeverity::High, QStringLiteral("Stale api key %1 is still used"),
        QStringLiteral("A long-lived key that was not rotated, or has expired, is still in use: a leaked copy would "
                       "keep working, and nobody is watching it."),
        std::string(staleSecretSql), [](SqliteStatement &statement, const FindingsSettings &settings) {
            statement.bind(1, static_cast<qint64>(settings.staleSecretMaxAgeDays) * msPerDay);
        }));
    rules.push_back(std::make_unique<QueryFindingRule>(
        QStringLiteral("unverified-token"), FindingSeverity::Critical, QStringLiteral("Token %1 fails verification"),
        QStringLiteral("A token was accepted whose signature does not verify (unsigned or altered after signing): "
                       "anyone could have written its claims."),
        std::string(unverifiedTokenSql)));
    rules.push_back(std::make_unique<QueryFindingRule>(
        QStringLiteral("shared-credential"), FindingSeverity::High, QStringLiteral("Role %1 is shared by agents"),
        QStringLiteral("Two agents use the same cloud role: its logs cannot tell them apart, and revoking it for one "
                       "breaks the other."),
        std::string(sharedCredentialSql)));
    rules.push_back(std::make_unique<IntentDriftRule>());
    rules.push_back(std::make_unique<DelegationWalkRule>(
        DelegationWalkRule::Kind::Depth, QStringLiteral("deep-delegation"), FindingSeverity::Medium,
        QStringLiteral("Trace %1 delegates too deep"),
        QStringLiteral("Work was handed down more agent-to-agent hops than the root agent may delegate: each hop "
                       "dilutes the original intent and makes it harder to say who is accountable.")));
    rules.push_back(std::make_unique<DelegationWalkRule>(
        DelegationWalkRule::Kind::Cycle, QStringLiteral("delegation-cycle"), FindingSeverity::High,
        QStringLiteral("Agents %1 delegate in a cycle"),
        QStringLiteral("Two agents hand work back and forth: the loop can run without bound, and neither can be "
                       "said to act for the one who started it.")));
    rules.push_back(std::make_unique<ScopeWideningRule>());
    rules.push_back(std::make_unique<QueryFindingRule>(
        QStringLiteral("sensitive-without-approval"), FindingSeverity::Critical,
        QStringLiteral("Trace %1 calls a sensitive tool without approval"),
        QStringLiteral("A high-impact action (payments, deployments, personal data) ran with no human approving "
                       "it: the safeguard meant to catch a mistaken or manipulated agent was skipped."),
        std::string(sensitiveWithoutApprovalSql)));
    rules.push_back(std::make_unique<QueryFindingRule>(
        QStringLiteral("lost-originator"), FindingSeverity::High, QStringLiteral("%1 acts for no known person"),
        QStringLiteral("The work cannot be traced back to the person who asked for it: agents act on their own "
                       "authority, and nobody can be held accountable for the outcome."),
        std::string(lostOriginatorSql)));
    rules.push_back(std::make_unique<QueryFindingRule>(
        QStringLiteral("cross-protocol-break"), FindingSeverity::Medium,
        QStringLiteral("Trace %1 loses its chain at a cloud call"),
        QStringLiteral("The chain breaks where an agent crosses into a cloud API: the cloud's own logs cannot be "
                       "tied back to the workflow and the person behind it, so an audit stops at that hop."),
        std::string(crossProtocolBreakSql)));
    rules.push_back(std::make_unique<MayActViolationRule>());
    return rules;
}

} // namespace chainsight

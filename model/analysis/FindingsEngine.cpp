#include "FindingsEngine.h"

#include "AnalysisLog.h"
#include "ChainBuilder.h"
#include "ChainJson.h"
#include "ChainStore.h"
#include "SqliteDatabase.h"
#include "Workspace.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QScopeGuard>

#include <algorithm>
#include <atomic>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

namespace chainsight {
namespace {

// The events table ships without secondary indexes (imports stay fast); the rules need these lookups. The trace
// index holds every column the chain builder reads, so its scan in trace order never seeks into the wide event
// rows (0.25 s instead of 0.6 s on a 1,000,000-event workspace, for about 14 % more file).
constexpr std::string_view analysisIndexesSql = R"sql(
CREATE INDEX IF NOT EXISTS events_by_kind ON events(kind, protocol);
CREATE INDEX IF NOT EXISTS events_by_actor ON events(actor_identity_id);
DROP INDEX IF EXISTS events_by_trace;
CREATE INDEX IF NOT EXISTS events_by_trace_covering ON events(trace_id, id, time_ms, protocol, kind, actor_identity_id,
    actor_alias, originator, action, resource, outcome, span_id, parent_span_id, session_id, correlation_id)
    WHERE trace_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS events_by_session ON events(session_id, actor_identity_id) WHERE session_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS events_by_session_grant ON events(session_id, actor_identity_id, originator, scopes, protocol)
    WHERE kind = 'CODE_TO_TOKEN' OR (protocol = 'okta' AND action = 'authorization_code');
DROP INDEX IF EXISTS events_by_token;
CREATE INDEX IF NOT EXISTS events_by_token_protocol ON events(token_id, protocol, session_id) WHERE token_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS events_by_session_scopes ON events(session_id, actor_identity_id, protocol, id, scopes)
    WHERE session_id IS NOT NULL AND scopes IS NOT NULL;
CREATE INDEX IF NOT EXISTS events_by_access_key ON events(access_key) WHERE access_key IS NOT NULL;
CREATE INDEX IF NOT EXISTS delegation_edges_by_event ON delegation_edges(event_id) WHERE event_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS delegation_edges_by_trace_hop
    ON delegation_edges(trace_id, protocol, delegator_identity_id, delegate_identity_id) WHERE trace_id IS NOT NULL;
)sql";

QString evidenceJson(const QList<qint64> &ids)
{
    QJsonArray array;
    for (qint64 id : ids)
        array.append(id);
    return QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Compact));
}

// The chains of this run replace the previous run's: one summary row each, for SQL over the workspace; the
// chains in full (hops and actions) go to chain_sets.
qint64 storeChains(SqliteDatabase &db, qint64 runId, const ChainSet &chains)
{
    // Every row is an earlier run's (this run's are inserted below): without a WHERE clause SQLite drops the
    // table's pages whole instead of deleting row by row.
    db.execute("DELETE FROM chains");
    SqliteStatement insert(db, "INSERT OR IGNORE INTO chains (analysis_run_id, chain_key, originator, root_identity_id, depth, retention, "
                               "first_time_ms, last_time_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    for (qsizetype i = 0; i < chains.chains.size(); ++i) {
        const Chain &chain = chains.chains[i];
        insert.reset();
        insert.bind(1, runId)
            .bind(2, chain.key)
            .bind(3, chain.originator.isEmpty() ? QString() : chain.originator)
            .bind(4, chain.rootId ? std::optional<qint64>(chain.rootId) : std::nullopt)
            .bind(5, chain.depth)
            .bind(6, chain.retention)
            .bind(7, chain.firstTimeMs)
            .bind(8, chain.lastTimeMs)
            .run();
    }
    return chains.chains.size();
}

} // namespace

Q_LOGGING_CATEGORY(analysisLog, "chainsight.analysis", QtWarningMsg)

FindingsEngine::FindingsEngine(FindingsSettings settings)
    : m_settings(settings)
    , m_rules(builtInFindingRules())
{
}

QStringList FindingsEngine::ruleIds() const
{
    QStringList ids;
    for (const auto &rule : m_rules)
        ids.append(rule->id());
    return ids;
}

std::optional<FindingsRun> FindingsEngine::run(Workspace &workspace, const QStringList &onlyRules, QString *error) const
{
    for (const QString &id : onlyRules) {
        if (!ruleIds().contains(id)) {
            if (error)
                *error = QStringLiteral("unknown rule \"%1\" (rules: %2)").arg(id, ruleIds().join(QStringLiteral(", ")));
            return std::nullopt;
        }
    }
    if (workspace.isReadOnly()) {
        if (error)
            *error = QStringLiteral("the workspace is open read-only; findings cannot be stored");
        return std::nullopt;
    }
    QElapsedTimer timer;
    timer.start();
    FindingsRun result;
    try {
        SqliteDatabase &db = workspace.database();
        {
            // Committed before the run so the chain builder's own connection can use them too.
            SqliteTransaction indexes(db);
            db.execute(analysisIndexesSql);
            indexes.commit();
        }
        std::vector<const FindingRule *> selected;
        for (const auto &rule : m_rules) {
            if (onlyRules.isEmpty() || onlyRules.contains(rule->id()))
                selected.push_back(rule.get());
        }
        // Slowest first (as measured on a 1M-event world): the helper joins once the chains are built, and
        // what is left for it by then should be many small rules, not one long one.
        static const QStringList slowestFirst{QStringLiteral("scope-widening"), QStringLiteral("may-act-violation"),
                                              QStringLiteral("sensitive-without-approval"), QStringLiteral("cross-protocol-break"),
                                              QStringLiteral("lost-originator"), QStringLiteral("intent-drift"),
                                              QStringLiteral("deep-delegation"), QStringLiteral("delegation-cycle"),
                                              QStringLiteral("shared-credential"), QStringLiteral("unverified-token")};
        const auto rank = [](const FindingRule *rule) {
            const qsizetype index = slowestFirst.indexOf(rule->id());
            return index < 0 ? slowestFirst.size() : index;
        };
        std::vector<const FindingRule *> order = selected;
        std::stable_sort(order.begin(), order.end(), [&rank](const FindingRule *a, const FindingRule *b) { return rank(a) < rank(b); });
        // Two cores: a second read connection builds the chains, then takes rules from the same queue as
        // this one. Rules only read, so either connection can evaluate any of them.
        std::vector<QList<Finding>> perRule(selected.size());
        std::atomic_size_t nextRule{0};
        std::optional<ChainSet> chains;
        QByteArray chainBlob; // the whole set, for ChainStore
        std::atomic_bool chainsReady{false}; // set by the helper once the chains and their blob are complete
        bool chainsStored = false;
        QString chainError;
        QString helperRuleError;
        // between: called after each rule this thread evaluated (the writer stores the chains there).
        const auto evaluateRules = [&](SqliteDatabase &connection, const std::function<void()> &between) {
            // The time span of each finding's evidence, read by the thread that found it, so the writer only inserts.
            SqliteStatement span(connection, "SELECT min(e.time_ms), max(e.time_ms) FROM json_each(?1) j JOIN events e ON e.id = j.value");
            for (std::size_t next = nextRule++; next < order.size(); next = nextRule++) {
                // Results go to the rule's place in the documented order, whoever evaluated it.
                const auto i = static_cast<std::size_t>(std::find(selected.begin(), selected.end(), order[next]) - selected.begin());
                const qint64 startMs = timer.elapsed();
                perRule[i] = order[next]->evaluate(connection, m_settings);
                for (Finding &finding : perRule[i]) {
                    span.reset();
                    span.bind(1, evidenceJson(finding.evidence));
                    if (span.step()) {
                        finding.firstSeenMs = span.optionalInt64(0);
                        finding.lastSeenMs = span.optionalInt64(1);
                    }
                }
                qCDebug(analysisLog) << order[next]->id() << "from" << startMs << "ms to" << timer.elapsed() << "ms on"
                                     << (&connection == &db ? "the writer" : "the helper");
                if (between)
                    between();
            }
        };
        std::thread chainBuilder;
        if (!workspace.path().isEmpty()) {
            chainBuilder = std::thread([&, buildChains = onlyRules.isEmpty(), path = workspace.path()] {
                std::unique_ptr<SqliteDatabase> reader;
                try {
                    reader = SqliteDatabase::open(path, SqliteDatabase::OpenMode::ReadOnly, &chainError);
                    if (reader)
                        reader->execute("PRAGMA cache_size = -65536");
                    if (reader && buildChains) {
                        chains = ChainBuilder::build(*reader);
                        qCDebug(analysisLog) << "chains built at" << timer.elapsed() << "ms";
                        chainBlob = ChainStore::serialize(*chains);
                        qCDebug(analysisLog) << "chain set of" << chainBlob.size() << "bytes ready at" << timer.elapsed() << "ms";
                        chainsReady = true;
                    }
                } catch (const SqliteError &e) {
                    chainError = e.message();
                }
                try {
                    if (reader)
                        evaluateRules(*reader, {});
                } catch (const SqliteError &e) {
                    helperRuleError = e.message();
                    nextRule = selected.size(); // stop the queue; the run fails below
                }
            });
        }
        // Joined on every way out, a failing rule included.
        const auto joinBuilder = qScopeGuard([&chainBuilder] {
            if (chainBuilder.joinable())
                chainBuilder.join();
        });
        SqliteTransaction transaction(db);

        QJsonObject settings{{QStringLiteral("stale_secret_max_age_days"), m_settings.staleSecretMaxAgeDays},
                             {QStringLiteral("rules"), QJsonArray::fromStringList(onlyRules.isEmpty() ? ruleIds() : onlyRules)}};
        SqliteStatement addRun(db, "INSERT INTO analysis_runs (started_at, settings) VALUES (?1, ?2)");
        addRun.bind(1, QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs))
            .bind(2, QString::fromUtf8(QJsonDocument(settings).toJson(QJsonDocument::Compact)))
            .run();
        result.runId = db.lastInsertRowId();

        // The chains are written as soon as the helper has them, while it goes on with the rules.
        const auto storeReadyChains = [&] {
            if (!chainsStored && chainsReady) {
                result.chainCount = storeChains(db, result.runId, *chains);
                ChainStore::save(db, result.runId, chainBlob);
                chainsStored = true;
                result.chains = std::make_shared<const ChainSet>(std::move(*chains));
                chains.reset();
                chainBlob = {};
                qCDebug(analysisLog) << "chains stored at" << timer.elapsed() << "ms";
            }
        };
        try {
            evaluateRules(db, onlyRules.isEmpty() ? std::function<void()>(storeReadyChains) : std::function<void()>());
        } catch (const SqliteError &) {
            nextRule = selected.size();
            throw;
        }
        if (chainBuilder.joinable())
            chainBuilder.join();
        if (!helperRuleError.isEmpty())
            throw SqliteError(1, helperRuleError);
        for (QList<Finding> &findings : perRule) // in the documented rule order, whoever evaluated them
            result.findings.append(std::move(findings));

        // One current set of findings: a full run replaces all earlier ones, a run of some rules only theirs.
        if (onlyRules.isEmpty()) {
            db.execute("DELETE FROM findings"); // none of this run's yet; dropped whole, as the chains above
        } else {
            SqliteStatement clear(db, "DELETE FROM findings WHERE rule = ?1 AND analysis_run_id IS NOT ?2");
            for (const QString &id : onlyRules)
                clear.bind(1, id).bind(2, result.runId).run();
        }
        SqliteStatement insert(db, "INSERT INTO findings (analysis_run_id, rule, severity, subject, title, explanation, "
                                   "chain_key, identity_id, evidence, first_seen_ms, last_seen_ms) "
                                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
        for (Finding &finding : result.findings) {
            const QString evidence = evidenceJson(finding.evidence);
            insert.reset();
            insert.bind(1, result.runId)
                .bind(2, finding.rule)
                .bind(3, severityName(finding.severity))
                .bind(4, finding.subject)
                .bind(5, finding.title)
                .bind(6, finding.explanation)
                .bind(7, finding.chainKey.isEmpty() ? QString() : finding.chainKey)
                .bind(8, finding.identityId)
                .bind(9, evidence)
                .bind(10, finding.firstSeenMs)
                .bind(11, finding.lastSeenMs)
                .run();
            finding.id = db.lastInsertRowId();
        }
        if (onlyRules.isEmpty() && !chainsStored) {
            if (!chainsReady) { // no second connection (an in-memory store) or it failed: build here
                chains = ChainBuilder::build(db);
                chainBlob = ChainStore::serialize(*chains);
                chainsReady = true;
            }
            storeReadyChains();
        }
        qCDebug(analysisLog) << "findings stored at" << timer.elapsed() << "ms";
        SqliteStatement finish(db, "UPDATE analysis_runs SET finished_at = ?1 WHERE id = ?2");
        finish.bind(1, QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)).bind(2, result.runId).run();
        transaction.commit();
        qCDebug(analysisLog) << "committed at" << timer.elapsed() << "ms";
    } catch (const SqliteError &e) {
        if (error)
            *error = QStringLiteral("the analysis failed: %1").arg(e.message());
        return std::nullopt;
    }
    result.elapsedMs = timer.elapsed();
    return result;
}

} // namespace chainsight

#include "SimulationStore.h"

#include "Sha256.h"
#include "SqliteDatabase.h"
#include "Workspace.h"

#include <QDateTime>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <thread>

namespace chainsight {
namespace {

// Decisions are explained and written in blocks: explanations of one block are computed on every core while
// nothing else runs, then written in row order.
constexpr size_t storeBlockRows = 8192;

QStringList jsonStrings(const QString &text)
{
    QStringList out;
    if (text.isEmpty())
        return out;
    const auto json = nlohmann::json::parse(text.toStdString(), nullptr, false);
    if (!json.is_array())
        return out;
    for (const auto &item : json) {
        if (item.is_string())
            out.append(QString::fromStdString(item.get<std::string>()));
        else if (item.is_object())
            out.append(QString::fromStdString(item.value("policy", std::string()) + ": " + item.value("message", std::string())));
    }
    return out;
}

template<typename T>
std::optional<T> guarded(QString *error, const std::function<T()> &body)
{
    try {
        return body();
    } catch (const SqliteError &e) {
        if (error)
            *error = e.message();
    }
    return std::nullopt;
}

PolicyVersion versionFrom(SqliteStatement &row)
{
    PolicyVersion v;
    v.id = row.int64(0);
    v.name = row.text(1);
    v.text = row.text(2);
    v.sha256 = row.text(3);
    v.note = row.text(4);
    v.author = row.text(5);
    v.createdAt = row.text(6);
    return v;
}

constexpr std::string_view versionColumns = "SELECT id, name, text, sha256, note, author, created_at FROM policy_versions ";

} // namespace

SimulationStore::SimulationStore(Workspace &workspace)
    : m_workspace(workspace)
{
}

QString SimulationStore::sha256Of(const QString &text)
{
    return QString::fromLatin1(sha256Hex(text.toUtf8()));
}

QString SimulationStore::nowUtc()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
}

std::optional<PolicyVersion> SimulationStore::saveVersion(const QString &name, const QString &text, const QString &note,
                                                          const QString &author, QString *error)
{
    return guarded<PolicyVersion>(error, [&] {
        SqliteDatabase &db = m_workspace.database();
        const QString digest = sha256Of(text);
        {
            SqliteStatement newest(db, std::string(versionColumns) + "WHERE name = ?1 ORDER BY id DESC LIMIT 1");
            newest.bind(1, name);
            if (newest.step()) {
                PolicyVersion v = versionFrom(newest);
                if (v.sha256 == digest && v.note == note)
                    return v;
            }
        }
        PolicyVersion v;
        v.name = name;
        v.text = text;
        v.sha256 = digest;
        v.note = note;
        v.author = author;
        v.createdAt = nowUtc();
        SqliteStatement insert(db, "INSERT INTO policy_versions (name, text, sha256, note, author, created_at) "
                                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
        insert.bind(1, v.name).bind(2, v.text).bind(3, v.sha256).bind(4, v.note.isEmpty() ? QString() : v.note);
        insert.bind(5, v.author.isEmpty() ? QString() : v.author).bind(6, v.createdAt);
        insert.run();
        v.id = db.lastInsertRowId();
        return v;
    });
}

std::optional<QList<PolicyVersion>> SimulationStore::versions(QString *error) const
{
    return guarded<QList<PolicyVersion>>(error, [&] {
        QList<PolicyVersion> out;
        SqliteStatement query(m_workspace.database(), std::string(versionColumns) + "ORDER BY id DESC");
        while (query.step())
            out.append(versionFrom(query));
        return out;
    });
}

std::optional<PolicyVersion> SimulationStore::version(qint64 id, QString *error) const
{
    auto found = guarded<std::optional<PolicyVersion>>(error, [&]() -> std::optional<PolicyVersion> {
        SqliteStatement query(m_workspace.database(), std::string(versionColumns) + "WHERE id = ?1");
        query.bind(1, id);
        if (query.step())
            return versionFrom(query);
        return std::nullopt;
    });
    if (!found)
        return std::nullopt;
    if (!*found && error)
        *error = QStringLiteral("no policy version %1 in this workspace").arg(id);
    return *found;
}

std::optional<qint64> SimulationStore::saveRun(const SimulationResult &result, qint64 policyVersionId,
                                               std::optional<qint64> baselinePolicyVersionId,
                                               std::optional<qint64> baselineRunId, const QString &startedAt,
                                               QString *error, const Progress &progress, const std::atomic_bool *cancel)
{
    if (result.cancelled || !result.failure.isEmpty()) {
        if (error)
            *error = QStringLiteral("only a finished replay can be stored");
        return std::nullopt;
    }
    return guarded<qint64>(error, [&]() -> qint64 {
        SqliteDatabase &db = m_workspace.database();
        SqliteTransaction transaction(db);
        SqliteStatement run(db, "INSERT INTO simulation_runs (policy_version_id, baseline_policy_version_id, started_at, "
                                "finished_at, request_count, allow_count, deny_count, error_count, filter, baseline_run_id) "
                                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
        run.bind(1, policyVersionId).bind(2, baselinePolicyVersionId).bind(3, startedAt).bind(4, nowUtc());
        run.bind(5, qint64(result.size())).bind(6, result.allowCount).bind(7, result.denyCount).bind(8, result.erroredCount);
        run.bind(9, result.filter.isEmpty() ? QString() : result.filter.toJson()).bind(10, baselineRunId);
        run.run();
        const qint64 runId = db.lastInsertRowId();

        SqliteStatement insert(db, "INSERT OR REPLACE INTO simulation_results (run_id, event_id, decision, determining, "
                                   "errors, explanation) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
        const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
        std::vector<std::string> explanations(storeBlockRows);
        std::vector<std::string> policyIds;
        for (const QString &id : result.policyIds)
            policyIds.push_back(id.toStdString());
        std::string determining;
        std::string errors;
        for (size_t block = 0; block < result.size(); block += storeBlockRows) {
            if (cancel && cancel->load())
                throw SqliteError(9, QStringLiteral("cancelled")); // SQLITE_INTERRUPT: rolls the transaction back
            const size_t end = std::min(block + storeBlockRows, result.size());
            // Each thread explains every n-th row of the block with its own authorizers.
            std::vector<std::thread> workers;
            auto explain = [&](unsigned first) {
                const ReplayExplainer explainer(result);
                for (size_t row = block + first; row < end; row += threads)
                    explanations[row - block] = explainer.explainJson(row);
            };
            for (unsigned t = 1; t < threads; ++t)
                workers.emplace_back(explain, t);
            explain(0);
            for (auto &worker : workers)
                worker.join();
            for (size_t row = block; row < end; ++row) {
                const ReplayDecision &d = result.decisions[row];
                nlohmann::json reasons = nlohmann::json::array();
                for (uint32_t i = 0; i < d.reasonCount; ++i)
                    reasons.push_back(policyIds[result.reasonPool[d.reasonOffset + i]]);
                determining = reasons.dump();
                errors.clear();
                if (d.errorCount > 0) {
                    nlohmann::json list = nlohmann::json::array();
                    for (uint32_t i = 0; i < d.errorCount; ++i) {
                        const ReplayError &e = result.errors[d.errorOffset + i];
                        list.push_back({{"policy", policyIds[e.policy]}, {"message", e.message}});
                    }
                    errors = list.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
                }
                insert.rewind();
                insert.bind(1, runId).bind(2, result.action(row).eventId);
                insert.bindTextUntilStep(3, d.decision == PolicyDecision::Allow ? "allow" : "deny");
                insert.bindTextUntilStep(4, determining);
                if (errors.empty())
                    insert.bindNull(5);
                else
                    insert.bindTextUntilStep(5, errors);
                const std::string &explanation = explanations[row - block];
                if (explanation.empty())
                    insert.bindNull(6);
                else
                    insert.bindTextUntilStep(6, explanation);
                insert.run();
            }
            if (progress)
                progress(qint64(end), qint64(result.size()));
        }
        transaction.commit();
        return runId;
    });
}

std::optional<QList<SimulationRunInfo>> SimulationStore::runs(QString *error) const
{
    return guarded<QList<SimulationRunInfo>>(error, [&] {
        QList<SimulationRunInfo> out;
        SqliteStatement query(m_workspace.database(),
                              "SELECT r.id, r.policy_version_id, v.name, r.baseline_policy_version_id, r.baseline_run_id, "
                              "r.started_at, r.finished_at, r.request_count, r.allow_count, r.deny_count, r.error_count, "
                              "r.filter FROM simulation_runs r JOIN policy_versions v ON v.id = r.policy_version_id "
                              "ORDER BY r.id DESC");
        while (query.step()) {
            SimulationRunInfo info;
            info.id = query.int64(0);
            info.policyVersionId = query.int64(1);
            info.policyName = query.text(2);
            info.baselinePolicyVersionId = query.optionalInt64(3);
            info.baselineRunId = query.optionalInt64(4);
            info.startedAt = query.text(5);
            info.finishedAt = query.text(6);
            info.requestCount = query.int64(7);
            info.allowCount = query.int64(8);
            info.denyCount = query.int64(9);
            info.errorCount = query.int64(10);
            info.filter = ReplayFilter::fromJson(query.text(11));
            out.append(info);
        }
        return out;
    });
}

std::optional<QList<StoredDecision>> SimulationStore::decisions(qint64 runId, QString *error) const
{
    return guarded<QList<StoredDecision>>(error, [&] {
        QList<StoredDecision> out;
        SqliteStatement query(m_workspace.database(),
                              "SELECT event_id, decision, determining, errors, explanation FROM simulation_results "
                              "WHERE run_id = ?1 ORDER BY event_id");
        query.bind(1, runId);
        while (query.step()) {
            StoredDecision d;
            d.eventId = query.int64(0);
            d.decision = query.text(1) == QLatin1String("allow") ? PolicyDecision::Allow : PolicyDecision::Deny;
            d.determining = jsonStrings(query.text(2));
            d.errors = jsonStrings(query.text(3));
            d.explanation = query.text(4);
            out.append(d);
        }
        return out;
    });
}

} // namespace chainsight

#include "PolicySimulator.h"

#include "cedar/Evaluator.h"
#include "cedar/Explanation.h"

#include <QElapsedTimer>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <exception>
#include <limits>
#include <mutex>
#include <thread>

namespace chainsight {

using cedar::EntityUid;
using cedar::Policy;
using cedar::ScopeConstraint;
using cedar::ScopeOp;
using cedar::Value;

QString decisionName(PolicyDecision decision)
{
    return decision == PolicyDecision::Allow ? QStringLiteral("allow") : QStringLiteral("deny");
}

QStringList SimulationResult::reasons(size_t row) const
{
    QStringList out;
    const ReplayDecision &d = decisions[row];
    for (uint32_t i = 0; i < d.reasonCount; ++i)
        out.append(policyIds.value(reasonPool[d.reasonOffset + i]));
    return out;
}

QList<const ReplayError *> SimulationResult::rowErrors(size_t row) const
{
    QList<const ReplayError *> out;
    const ReplayDecision &d = decisions[row];
    for (uint32_t i = 0; i < d.errorCount; ++i)
        out.append(&errors[d.errorOffset + i]);
    return out;
}

std::vector<std::vector<uint32_t>> SimulationResult::deniedRowsByPolicy() const
{
    std::vector<std::vector<uint32_t>> out(size_t(policyIds.size()));
    for (size_t row = 0; row < decisions.size(); ++row) {
        const ReplayDecision &d = decisions[row];
        if (d.decision == PolicyDecision::Deny) {
            for (uint32_t i = 0; i < d.reasonCount; ++i)
                out[reasonPool[d.reasonOffset + i]].push_back(uint32_t(row));
        }
        for (uint32_t i = 0; i < d.errorCount; ++i) {
            auto &policyRows = out[errors[d.errorOffset + i].policy];
            if (policyRows.empty() || policyRows.back() != row)
                policyRows.push_back(uint32_t(row));
        }
    }
    return out;
}

namespace {

bool actionScopeMatches(const ScopeConstraint &scope, EntityUid action, const cedar::EntityStore &store)
{
    switch (scope.op) {
    case ScopeOp::Any: return true;
    case ScopeOp::Eq: return action == scope.entity;
    case ScopeOp::In: return store.isIn(action, scope.entity);
    case ScopeOp::InSet:
        return std::any_of(scope.entities.begin(), scope.entities.end(), [&](EntityUid e) { return store.isIn(action, e); });
    case ScopeOp::Is: return action->type == scope.type;
    case ScopeOp::IsIn: return action->type == scope.type && store.isIn(action, scope.entity);
    }
    return false;
}

// Rows per unit of work: large enough that the shared counter is cold, small enough to balance two cores.
constexpr size_t chunkRows = 2048;

struct ChunkOutput
{
    std::vector<uint16_t> reasons;
    std::vector<ReplayError> errors;
};

// The context of one action. Records are immutable to the evaluator, but this one is private to its thread and
// nothing holds on to it between requests, so it is built once with every key and only its values are replaced
// per action: no allocation, no key interning (a process-wide lock) and no sorting on the hot path. Contexts with
// tool arguments (rare) have other keys and are built afresh.
class ContextAssembler
{
public:
    explicit ContextAssembler(const ReplayCorpus &corpus)
        : m_corpus(corpus)
        , m_slot(replayContext(ReplayContextClass{}, nullptr, 0))
        , m_fields(const_cast<std::vector<std::pair<cedar::AttrKey, Value>> &>(m_slot.asRecord()))
    {
        auto indexOf = [this](std::string_view name) {
            for (size_t i = 0; i < m_fields.size(); ++i) {
                if (*m_fields[i].first == name)
                    return i;
            }
            return m_fields.size();
        };
        m_approval = indexOf("approval");
        m_credential = indexOf("credential");
        m_delegation = indexOf("delegation");
        m_intent = indexOf("intent");
        m_operation = indexOf("operation");
        m_protocol = indexOf("protocol");
        m_scopes = indexOf("scopes");
        m_time = indexOf("time");
        m_token = indexOf("token");
    }

    const Value &contextOf(const ReplayAction &action)
    {
        const ReplayContextClass &parts = m_corpus.contextClass(action.contextClass);
        if (parts.input >= 0) {
            m_withInput = replayContext(parts, &m_corpus.input(parts.input), action.timeMs);
            return m_withInput;
        }
        if (action.contextClass != m_class) {
            m_class = action.contextClass;
            m_fields[m_approval].second = parts.approval;
            m_fields[m_credential].second = parts.credential;
            m_fields[m_delegation].second = parts.delegation;
            m_fields[m_intent].second = parts.intent;
            m_fields[m_operation].second = parts.operation;
            m_fields[m_protocol].second = parts.protocol;
            m_fields[m_scopes].second = parts.scopes;
            m_fields[m_token].second = parts.token;
        }
        m_fields[m_time].second = Value::datetime(action.timeMs);
        return m_slot;
    }

private:
    const ReplayCorpus &m_corpus;
    Value m_slot;
    std::vector<std::pair<cedar::AttrKey, Value>> &m_fields;
    Value m_withInput;
    uint32_t m_class = std::numeric_limits<uint32_t>::max();
    size_t m_approval = 0;
    size_t m_credential = 0;
    size_t m_delegation = 0;
    size_t m_intent = 0;
    size_t m_operation = 0;
    size_t m_protocol = 0;
    size_t m_scopes = 0;
    size_t m_time = 0;
    size_t m_token = 0;
};

class Replay
{
public:
    Replay(const ReplayCorpus &corpus, const cedar::PolicySet &policies, SimulationResult &result)
        : m_corpus(corpus)
        , m_policies(policies)
        , m_result(result)
    {
        // Candidate policies per action, forbids first. The action hierarchy is the same in every partition.
        const cedar::EntityStore &store = corpus.entities(0);
        m_candidates.resize(corpus.actionUids().size());
        for (size_t a = 0; a < corpus.actionUids().size(); ++a) {
            auto &list = m_candidates[a];
            for (uint32_t i = 0; i < policies.policies.size(); ++i) {
                if (actionScopeMatches(policies.policies[i].action, corpus.actionUids()[a], store))
                    list.push_back(i);
            }
            std::stable_partition(list.begin(), list.end(),
                                  [&](uint32_t i) { return policies.policies[i].effect == cedar::Effect::Forbid; });
        }
        m_chunks.resize((result.rows.size() + chunkRows - 1) / chunkRows);
    }

    void work(const SimulationProgress &progress, const std::atomic_bool *cancel, bool reporter)
    {
        ContextAssembler assembler(m_corpus);
        std::vector<uint16_t> permits;
        permits.reserve(m_policies.policies.size());
        cedar::EvaluationError error;
        for (;;) {
            if (cancel && cancel->load(std::memory_order_relaxed)) {
                m_cancelled.store(true);
                return;
            }
            const size_t chunk = m_nextChunk.fetch_add(1, std::memory_order_relaxed);
            if (chunk >= m_chunks.size())
                return;
            ChunkOutput &out = m_chunks[chunk];
            const size_t begin = chunk * chunkRows;
            const size_t end = std::min(begin + chunkRows, m_result.rows.size());
            for (size_t row = begin; row < end; ++row) {
                const ReplayAction &action = m_corpus.action(m_result.rows[row]);
                cedar::Request request;
                request.principal = action.principal;
                request.action = action.action;
                request.resource = action.resource;
                request.context = assembler.contextOf(action);
                const cedar::Evaluator evaluator(m_corpus.entities(action.partition), request);
                ReplayDecision &decision = m_result.decisions[row];
                decision.reasonOffset = uint32_t(out.reasons.size());
                decision.errorOffset = uint32_t(out.errors.size());
                permits.clear();
                bool forbidden = false;
                for (uint32_t index : m_candidates[action.actionOrdinal]) {
                    const Policy &policy = m_policies.policies[index];
                    if (!evaluator.scopeMatches(policy.principal, request.principal)
                        || !evaluator.scopeMatches(policy.resource, request.resource))
                        continue;
                    bool satisfied = true;
                    try {
                        for (const auto &condition : policy.conditions) {
                            if (evaluator.testOperand(condition.body) != condition.isWhen) {
                                satisfied = false;
                                break;
                            }
                        }
                    } catch (const cedar::EvaluationError &e) {
                        out.errors.push_back(ReplayError{index, e.message});
                        ++decision.errorCount;
                        continue;
                    }
                    if (!satisfied)
                        continue;
                    if (policy.effect == cedar::Effect::Forbid) {
                        forbidden = true;
                        out.reasons.push_back(uint16_t(index));
                    } else if (!forbidden) {
                        permits.push_back(uint16_t(index));
                    }
                }
                if (!forbidden)
                    out.reasons.insert(out.reasons.end(), permits.begin(), permits.end());
                decision.reasonCount = uint16_t(out.reasons.size() - decision.reasonOffset);
                decision.decision = !forbidden && !permits.empty() ? PolicyDecision::Allow : PolicyDecision::Deny;
            }
            const qint64 done = m_done.fetch_add(qint64(end - begin)) + qint64(end - begin);
            if (reporter && progress)
                progress(done, qint64(m_result.rows.size()));
        }
    }

    void fail(const QString &message)
    {
        const std::lock_guard lock(m_failureMutex);
        if (m_failure.isEmpty())
            m_failure = message;
        m_nextChunk.store(m_chunks.size());
    }

    // Chunk pools become the result's pools, in row order.
    void merge()
    {
        size_t reasonTotal = 0;
        size_t errorTotal = 0;
        for (const ChunkOutput &chunk : m_chunks) {
            reasonTotal += chunk.reasons.size();
            errorTotal += chunk.errors.size();
        }
        m_result.reasonPool.reserve(reasonTotal);
        m_result.errors.reserve(errorTotal);
        for (size_t c = 0; c < m_chunks.size(); ++c) {
            ChunkOutput &chunk = m_chunks[c];
            const auto reasonBase = uint32_t(m_result.reasonPool.size());
            const auto errorBase = uint32_t(m_result.errors.size());
            const size_t begin = c * chunkRows;
            const size_t end = std::min(begin + chunkRows, m_result.rows.size());
            for (size_t row = begin; row < end; ++row) {
                ReplayDecision &d = m_result.decisions[row];
                d.reasonOffset += reasonBase;
                d.errorOffset += errorBase;
                if (d.decision == PolicyDecision::Allow)
                    ++m_result.allowCount;
                else
                    ++m_result.denyCount;
                m_result.erroredCount += d.errorCount > 0 ? 1 : 0;
            }
            m_result.reasonPool.insert(m_result.reasonPool.end(), chunk.reasons.begin(), chunk.reasons.end());
            std::move(chunk.errors.begin(), chunk.errors.end(), std::back_inserter(m_result.errors));
            chunk = {};
        }
    }

    bool cancelled() const { return m_cancelled.load(); }
    QString failure() const { return m_failure; }

private:
    const ReplayCorpus &m_corpus;
    const cedar::PolicySet &m_policies;
    SimulationResult &m_result;
    std::vector<std::vector<uint32_t>> m_candidates;
    std::vector<ChunkOutput> m_chunks;
    std::atomic<size_t> m_nextChunk{0};
    std::atomic<qint64> m_done{0};
    std::atomic_bool m_cancelled{false};
    std::mutex m_failureMutex;
    QString m_failure;
};

} // namespace

SimulationResult PolicySimulator::run(std::shared_ptr<const ReplayCorpus> corpus, std::shared_ptr<const cedar::PolicySet> policies,
                                      const SimulationOptions &options, const SimulationProgress &progress,
                                      const std::atomic_bool *cancel)
{
    QElapsedTimer timer;
    timer.start();
    SimulationResult result;
    result.corpus = corpus;
    result.policies = policies;
    result.filter = options.filter;
    for (const Policy &policy : policies->policies)
        result.policyIds.append(QString::fromStdString(policy.id));
    if (policies->policies.size() > 0xffff) {
        result.failure = QStringLiteral("a policy set of more than 65535 policies cannot be replayed");
        return result;
    }
    result.rows = corpus->select(options.filter);
    result.decisions.resize(result.rows.size());
    if (result.rows.empty()) {
        if (progress)
            progress(0, 0);
        result.elapsedMs = timer.elapsed();
        return result;
    }

    Replay replay(*corpus, *policies, result);
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    const unsigned threads = std::clamp(options.threads > 0 ? unsigned(options.threads) : cores, 1u, 64u);
    auto guarded = [&replay, &progress, cancel](bool reporter) {
        // Nothing may escape a thread: an unexpected failure ends the run with a message instead.
        try {
            replay.work(progress, cancel, reporter);
        } catch (const std::exception &e) {
            replay.fail(QString::fromUtf8(e.what()));
        } catch (...) {
            replay.fail(QStringLiteral("unexpected failure while replaying"));
        }
    };
    std::vector<std::thread> workers;
    for (unsigned t = 1; t < threads; ++t)
        workers.emplace_back(guarded, false);
    guarded(true);
    for (std::thread &worker : workers)
        worker.join();

    result.failure = replay.failure();
    result.cancelled = replay.cancelled();
    if (!result.cancelled && result.failure.isEmpty())
        replay.merge();
    result.elapsedMs = timer.elapsed();
    return result;
}

ReplayExplainer::ReplayExplainer(const SimulationResult &result)
    : m_result(result)
    , m_authorizers(result.corpus ? result.corpus->partitionCount() : 0)
{
    if (result.policies) {
        m_permits.source = result.policies->source;
        m_permits.fileName = result.policies->fileName;
        for (const Policy &policy : result.policies->policies) {
            if (policy.effect == cedar::Effect::Permit)
                m_permits.policies.push_back(policy);
        }
    }
}

ReplayExplainer::~ReplayExplainer() = default;

const cedar::Authorizer &ReplayExplainer::authorizer(uint32_t partition) const
{
    auto &slot = m_authorizers[partition];
    if (!slot)
        slot = std::make_unique<cedar::Authorizer>(m_permits, m_result.corpus->entities(partition));
    return *slot;
}

namespace {

std::string conditionsText(const cedar::PolicySet &policies, const Policy &policy)
{
    std::string text;
    if (!policies.source)
        return text;
    for (const auto &condition : policy.conditions) {
        const auto &span = condition.span;
        if (span.end.offset > span.begin.offset && span.end.offset <= policies.source->size())
            text += (text.empty() ? "" : " ") + policies.source->substr(span.begin.offset, span.end.offset - span.begin.offset);
    }
    return text;
}

} // namespace

std::string ReplayExplainer::explainJson(size_t row) const
{
    const ReplayDecision &d = m_result.decisions[row];
    if (d.decision == PolicyDecision::Allow)
        return {};
    auto out = nlohmann::json::array();
    if (d.reasonCount > 0) {
        // Forbidden: the forbids that applied, with the conditions that held.
        for (uint32_t i = 0; i < d.reasonCount; ++i) {
            const Policy &policy = m_result.policies->policies[m_result.reasonPool[d.reasonOffset + i]];
            out.push_back({{"policy", policy.id},
                           {"effect", "forbid"},
                           {"outcome", "applied"},
                           {"message", "the policy applies and forbids"},
                           {"conditions", conditionsText(*m_result.policies, policy)}});
        }
    } else {
        // Denied by default: why each permit did not apply.
        const ReplayAction &action = m_result.action(row);
        const cedar::Request request = m_result.corpus->request(m_result.rows[row]);
        for (const cedar::PolicyExplanation &x : cedar::explainRequest(authorizer(action.partition), request))
            out.push_back(cedar::explanationToJson(x));
        if (out.empty())
            out.push_back({{"message", "no permit policy applies to this action (Cedar denies by default)"}});
    }
    return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

QString ReplayExplainer::explainText(size_t row) const
{
    const std::string json = explainJson(row);
    if (json.empty())
        return {};
    QStringList lines;
    for (const auto &entry : nlohmann::json::parse(json)) {
        const std::string policy = entry.value("policy", std::string());
        std::string line = policy.empty() ? std::string() : policy + ": ";
        line += entry.value("message", std::string());
        if (entry.contains("conditions") && !entry["conditions"].get<std::string>().empty())
            line += " — " + entry["conditions"].get<std::string>();
        lines.append(QString::fromStdString(line));
    }
    return lines.join(QLatin1Char('\n'));
}

} // namespace chainsight

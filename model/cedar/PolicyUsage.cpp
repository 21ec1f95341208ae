#include "cedar/PolicyUsage.h"

namespace chainsight::cedar {

PolicyUsageReport analyzePolicyUsage(const Authorizer &authorizer, const std::vector<Request> &requests)
{
    const auto &policies = authorizer.policySet().policies;
    PolicyUsageReport report;
    report.requests = requests.size();
    report.policies.resize(policies.size());
    for (size_t i = 0; i < policies.size(); ++i)
        report.policies[i].policyId = policies[i].id;
    for (const Request &r : requests) {
        const Response resp = authorizer.isAuthorized(r);
        for (size_t i : resp.satisfiedIndices)
            ++report.policies[i].applied;
        for (size_t i : resp.reasonIndices)
            ++report.policies[i].determining;
        for (const auto &e : resp.errors) {
            auto &u = report.policies[e.policyIndex];
            if (u.erred++ == 0)
                u.firstError = e.message;
        }
    }
    const std::string n = std::to_string(requests.size());
    for (size_t i = 0; i < policies.size(); ++i) {
        const auto &u = report.policies[i];
        const Policy &p = policies[i];
        auto warn = [&](std::string message) {
            report.diagnostics.push_back({Severity::Warning, p.span.begin, "policy `" + p.id + "` " + std::move(message)});
        };
        if (u.erred > 0)
            warn("erred on " + std::to_string(u.erred) + " of " + n + " requests: " + u.firstError);
        if (u.applied == 0 && u.erred == 0)
            warn("never applied on " + n + " requests");
        else if (p.effect == Effect::Permit && u.applied > 0 && u.determining == 0)
            warn("is shadowed: it applied on " + std::to_string(u.applied) + " requests, each denied by a forbid");
    }
    return report;
}

} // namespace chainsight::cedar

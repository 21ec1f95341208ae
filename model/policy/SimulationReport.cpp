#include "SimulationReport.h"

#include <QDateTime>
#include <QIODevice>

#include <string>

namespace chainsight {
namespace {

void appendJsonString(std::string &out, std::string_view text)
{
    out += '"';
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (c < 0x20) {
                static const char hex[] = "0123456789abcdef";
                out += "\\u00";
                out += hex[c >> 4];
                out += hex[c & 15];
            } else {
                out += ch;
            }
        }
    }
    out += '"';
}

void appendJsonString(std::string &out, const QString &text)
{
    const QByteArray utf8 = text.toUtf8();
    appendJsonString(out, std::string_view(utf8.constData(), size_t(utf8.size())));
}

void appendXmlText(std::string &out, std::string_view text)
{
    for (const char ch : text) {
        switch (ch) {
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '&': out += "&amp;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&apos;"; break;
        default:
            // XML 1.0 has no place for most control characters.
            if (static_cast<unsigned char>(ch) < 0x20 && ch != '\n' && ch != '\t' && ch != '\r')
                out += ' ';
            else
                out += ch;
        }
    }
}

void appendXmlText(std::string &out, const QString &text)
{
    const QByteArray utf8 = text.toUtf8();
    appendXmlText(out, std::string_view(utf8.constData(), size_t(utf8.size())));
}

bool flush(QIODevice &device, std::string &buffer, bool force)
{
    if (!force && buffer.size() < (1u << 20))
        return true;
    const bool ok = device.write(buffer.data(), qint64(buffer.size())) == qint64(buffer.size());
    buffer.clear();
    return ok;
}

void appendGroups(std::string &out, const char *name, const char *key, const QList<PolicyFlipGroup> &groups)
{
    out += ",\"";
    out += name;
    out += "\":[";
    for (qsizetype i = 0; i < groups.size(); ++i) {
        const PolicyFlipGroup &g = groups[i];
        out += i ? ",{\"" : "{\"";
        out += key;
        out += "\":";
        appendJsonString(out, g.name);
        out += ",\"flips\":" + std::to_string(g.count());
        out += ",\"allow_to_deny\":" + std::to_string(g.allowToDeny);
        out += ",\"deny_to_allow\":" + std::to_string(g.denyToAllow) + "}";
    }
    out += ']';
}

} // namespace

QString rfc3339Utc(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
}

QString describeAction(const SimulationResult &result, size_t row)
{
    const ReplayAction &a = result.action(row);
    return QStringLiteral("event %1 at %2: %3 %4 on %5 (chain %6)")
        .arg(a.eventId)
        .arg(rfc3339Utc(a.timeMs), entityText(a.principal), entityText(a.action), entityText(a.resource),
             result.corpus->chains()[a.chain].key);
}

bool writeSimulationJson(QIODevice &device, const SimulationSource &source, const SimulationResult &result,
                         const SimulationResult *baseline, const PolicyDiff *diff)
{
    std::string out;
    out.reserve(1u << 21);
    out += "{\"summary\":{\"workspace\":";
    appendJsonString(out, source.workspace);
    out += ",\"policy\":";
    appendJsonString(out, source.policyFile);
    out += ",\"sha256\":";
    appendJsonString(out, source.policySha256);
    if (source.runId > 0)
        out += ",\"run\":" + std::to_string(source.runId);
    out += ",\"actions\":" + std::to_string(result.size());
    out += ",\"allow\":" + std::to_string(result.allowCount);
    out += ",\"deny\":" + std::to_string(result.denyCount);
    out += ",\"errored\":" + std::to_string(result.erroredCount);
    out += ",\"policies\":[";
    const auto denied = result.deniedRowsByPolicy();
    for (qsizetype i = 0; i < result.policyIds.size(); ++i) {
        out += i ? ",{\"policy\":" : "{\"policy\":";
        appendJsonString(out, result.policyIds[i]);
        const bool forbid = result.policies->policies[size_t(i)].effect == cedar::Effect::Forbid;
        out += forbid ? ",\"effect\":\"forbid\"" : ",\"effect\":\"permit\"";
        out += ",\"denies_or_errs\":" + std::to_string(denied[size_t(i)].size()) + "}";
    }
    out += ']';
    if (baseline && diff) {
        out += ",\"baseline\":{\"policy\":";
        appendJsonString(out, source.baselineFile);
        out += ",\"sha256\":";
        appendJsonString(out, source.baselineSha256);
        out += ",\"allow\":" + std::to_string(baseline->allowCount);
        out += ",\"deny\":" + std::to_string(baseline->denyCount) + "}";
        out += ",\"flips\":" + std::to_string(diff->flips.size());
        out += ",\"allow_to_deny\":" + std::to_string(diff->allowToDeny);
        out += ",\"deny_to_allow\":" + std::to_string(diff->denyToAllow);
        appendGroups(out, "flips_by_policy", "policy", diff->byPolicy);
        appendGroups(out, "flips_by_chain", "chain", diff->byChain);
    }
    out += "},\"results\":[";
    size_t baselineRow = 0;
    for (size_t row = 0; row < result.size(); ++row) {
        const ReplayAction &a = result.action(row);
        const ReplayDecision &d = result.decisions[row];
        out += row ? ",\n{\"event\":" : "\n{\"event\":";
        out += std::to_string(a.eventId);
        out += ",\"time\":";
        appendJsonString(out, rfc3339Utc(a.timeMs));
        out += ",\"principal\":";
        appendJsonString(out, cedar::entityToCedar(a.principal));
        out += ",\"action\":";
        appendJsonString(out, cedar::entityToCedar(a.action));
        out += ",\"resource\":";
        appendJsonString(out, cedar::entityToCedar(a.resource));
        out += d.decision == PolicyDecision::Allow ? ",\"decision\":\"allow\"" : ",\"decision\":\"deny\"";
        if (baseline) {
            // Both runs list the same actions in the same order unless their filters differ.
            while (baselineRow < baseline->size() && baseline->rows[baselineRow] < result.rows[row])
                ++baselineRow;
            if (baselineRow < baseline->size() && baseline->rows[baselineRow] == result.rows[row])
                out += baseline->decisions[baselineRow].decision == PolicyDecision::Allow ? ",\"baseline\":\"allow\""
                                                                                            : ",\"baseline\":\"deny\"";
        }
        out += ",\"reasons\":[";
        for (uint32_t i = 0; i < d.reasonCount; ++i) {
            if (i)
                out += ',';
            appendJsonString(out, result.policyIds[result.reasonPool[d.reasonOffset + i]]);
        }
        out += "],\"errors\":[";
        for (uint32_t i = 0; i < d.errorCount; ++i) {
            const ReplayError &e = result.errors[d.errorOffset + i];
            out += i ? ",{\"policy\":" : "{\"policy\":";
            appendJsonString(out, result.policyIds[e.policy]);
            out += ",\"message\":";
            appendJsonString(out, std::string_view(e.message));
            out += '}';
        }
        out += "],\"chain\":";
        appendJsonString(out, result.corpus->chains()[a.chain].key);
        out += '}';
        if (!flush(device, out, false))
            return false;
    }
    out += "\n]}\n";
    return flush(device, out, true);
}

bool writeSimulationJUnit(QIODevice &device, const SimulationSource &source, const SimulationResult &result,
                          const PolicyDiff *diff, int listLimit)
{
    std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"chainsight simulate\">\n";
    struct Case
    {
        QString name;
        std::vector<uint32_t> rows; // rows it would deny or erred on
        QString failure;
    };
    auto writeSuite = [&](const QString &suiteName, const std::vector<Case> &cases, const auto &describe) {
        qint64 failures = 0;
        for (const Case &c : cases)
            failures += c.rows.empty() ? 0 : 1;
        out += "  <testsuite name=\"";
        appendXmlText(out, suiteName);
        out += "\" tests=\"" + std::to_string(cases.size()) + "\" failures=\"" + std::to_string(failures) + "\">\n";
        for (const Case &c : cases) {
            out += "    <testcase classname=\"";
            appendXmlText(out, source.policyFile.isEmpty() ? suiteName : source.policyFile);
            out += "\" name=\"";
            appendXmlText(out, c.name);
            out += "\"";
            if (c.rows.empty()) {
                out += "/>\n";
                continue;
            }
            out += ">\n      <failure message=\"";
            appendXmlText(out, c.failure);
            out += "\" type=\"policy\">";
            int listed = 0;
            for (uint32_t index : c.rows) {
                if (listed++ == listLimit) {
                    appendXmlText(out, QStringLiteral("… and %1 more\n").arg(qint64(c.rows.size()) - listLimit));
                    break;
                }
                appendXmlText(out, describe(index) + QLatin1Char('\n'));
            }
            out += "</failure>\n    </testcase>\n";
        }
        out += "  </testsuite>\n";
    };

    const auto denied = result.deniedRowsByPolicy();
    std::vector<Case> cases;
    std::vector<uint32_t> defaultDenied;
    for (size_t row = 0; row < result.size(); ++row) {
        if (result.decisions[row].decision == PolicyDecision::Deny && result.decisions[row].reasonCount == 0)
            defaultDenied.push_back(uint32_t(row));
    }
    for (qsizetype i = 0; i < result.policyIds.size(); ++i) {
        Case c{result.policyIds[i], denied[size_t(i)], {}};
        c.failure = QStringLiteral("%1 would deny or err on %2 action(s)").arg(c.name).arg(qint64(c.rows.size()));
        cases.push_back(std::move(c));
    }
    if (!defaultDenied.empty()) {
        Case c{QStringLiteral("default-deny"), defaultDenied, {}};
        c.failure = QStringLiteral("no permit policy applies to %1 action(s)").arg(qint64(c.rows.size()));
        cases.push_back(std::move(c));
    }
    writeSuite(QStringLiteral("policies"), cases, [&](uint32_t row) { return describeAction(result, row); });

    if (diff) {
        std::vector<Case> flipCases;
        for (const PolicyFlipGroup &group : diff->byPolicy) {
            Case c{group.name, group.flips, {}};
            c.failure = QStringLiteral("%1 flips %2 action(s) from allow to deny and %3 from deny to allow")
                            .arg(group.name)
                            .arg(group.allowToDeny)
                            .arg(group.denyToAllow);
            flipCases.push_back(std::move(c));
        }
        writeSuite(QStringLiteral("flips against %1").arg(source.baselineFile), flipCases, [&](uint32_t flip) {
            const PolicyFlip &f = diff->flips[flip];
            return QStringLiteral("%1 -> %2: %3").arg(decisionName(f.before), decisionName(f.after),
                                                      describeAction(result, f.candidateRow));
        });
    }
    out += "</testsuites>\n";
    return device.write(out.data(), qint64(out.size())) == qint64(out.size());
}

} // namespace chainsight

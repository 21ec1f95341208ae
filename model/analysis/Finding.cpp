#include "Finding.h"

namespace chainsight {

QString severityName(FindingSeverity severity)
{
    switch (severity) {
    case FindingSeverity::Low:
        return QStringLiteral("low");
    case FindingSeverity::Medium:
        return QStringLiteral("medium");
    case FindingSeverity::High:
        return QStringLiteral("high");
    case FindingSeverity::Critical:
        return QStringLiteral("critical");
    }
    return {};
}

std::optional<FindingSeverity> severityFromName(const QString &name)
{
    for (FindingSeverity severity : {FindingSeverity::Low, FindingSeverity::Medium, FindingSeverity::High, FindingSeverity::Critical}) {
        if (severityName(severity) == name)
            return severity;
    }
    return std::nullopt;
}

} // namespace chainsight

#pragma once

#include <QList>
#include <QString>

#include <optional>

namespace chainsight {

enum class FindingSeverity { Low, Medium, High, Critical };

QString severityName(FindingSeverity severity);
// nullopt for a word that is not a severity.
std::optional<FindingSeverity> severityFromName(const QString &name);

// One thing a reviewer should look at: what rule saw it, about whom, and the events that show it.
struct Finding
{
    qint64 id = 0; // row in the findings table once stored
    QString rule;
    FindingSeverity severity = FindingSeverity::Low;
    QString subject; // same form as the generator's truth.json
    QString title;
    QString explanation;
    QString chainKey; // trace id when the finding concerns one chain
    std::optional<qint64> identityId;
    QString identity; // external id of that identity
    QList<qint64> evidence; // event ids
    // Time span of the evidence events (ms since the epoch, UTC); empty when none of them has a time.
    std::optional<qint64> firstSeenMs;
    std::optional<qint64> lastSeenMs;
};

} // namespace chainsight

#pragma once

#include "Chain.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

namespace chainsight {

// The `chains --json` form of a chain (docs/cli.md); shared by the CLI, the evidence bundle and the views.
QJsonObject chainToJson(const Chain &chain, bool withActions = true);
QJsonObject hopToJson(const ChainHop &hop);
QJsonObject actionToJson(const ChainAction &action);
// RFC 3339 UTC with milliseconds; an empty string for 0 (no time recorded).
QString timeText(qint64 timeMs);

} // namespace chainsight

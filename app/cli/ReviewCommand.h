#pragma once

#include <QStringList>

namespace chainsight::cli {

// `chainsight-cli review -w W --chain|--finding|--identity ID --status S --comment C [--reviewer NAME]
// [--expires YYYY-MM-DD] [--owner NAME] [--json]`; arguments are the words after `review`.
int runReviewCommand(const QStringList &arguments);

// `chainsight-cli verify -w W [--head HASH] [--json]` checks the review hash chain;
// `chainsight-cli verify --bundle DIR [--pubkey pub.pem] [--json]` checks an evidence bundle.
int runVerifyCommand(const QStringList &arguments);

} // namespace chainsight::cli

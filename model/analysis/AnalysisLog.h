#pragma once

#include <QLoggingCategory>

namespace chainsight {

// QT_LOGGING_RULES="chainsight.analysis.debug=true" prints where chain building and the findings rules spend time.
Q_DECLARE_LOGGING_CATEGORY(analysisLog)

} // namespace chainsight

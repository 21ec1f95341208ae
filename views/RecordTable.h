#pragma once

class QTableView;

namespace chainsight {

// The look every record list shares: whole-row single selection, alternating rows, no row numbers.
void configureRecordTable(QTableView *view);

// After a model reset: fit columns to their contents, none wider than maxWidth, and keep a current row
// so the detail pane below has something to show.
void fitRecordTable(QTableView *view, int maxWidth);

} // namespace chainsight

#include "RecordTable.h"

#include <QHeaderView>
#include <QTableView>

namespace chainsight {

void configureRecordTable(QTableView *view)
{
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setSelectionMode(QAbstractItemView::SingleSelection);
    view->setAlternatingRowColors(true);
    view->setWordWrap(false);
    view->setTextElideMode(Qt::ElideRight);
    view->verticalHeader()->hide();
    view->verticalHeader()->setDefaultSectionSize(view->fontMetrics().height() + 8);
    view->horizontalHeader()->setHighlightSections(false);
    view->horizontalHeader()->setStretchLastSection(true);
}

void fitRecordTable(QTableView *view, int maxWidth)
{
    view->resizeColumnsToContents();
    // Long purposes or alias lists should not push the other columns off screen.
    for (int column = 0; column < view->model()->columnCount(); ++column)
        view->setColumnWidth(column, std::min(view->columnWidth(column), maxWidth));
    if (!view->currentIndex().isValid() && view->model()->rowCount() > 0)
        view->setCurrentIndex(view->model()->index(0, 0));
}

} // namespace chainsight

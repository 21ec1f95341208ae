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

#include <QHBoxLayout>
#include <QLabel>
#include <QSplitter>
#include <QVBoxLayout>

namespace chainsight {

void layOutRecordPanel(QWidget *panel, std::initializer_list<QWidget *> filterRow, QWidget *list, QWidget *details)
{
    auto *row = new QHBoxLayout;
    int stretch = 1;
    for (QWidget *widget : filterRow) {
        // A summary line may be cut rather than widen its dock: the tables beside the graph share the window.
        if (auto *label = qobject_cast<QLabel *>(widget))
            label->setMinimumWidth(40);
        row->addWidget(widget, stretch);
        stretch = 0;
    }
    auto *splitter = new QSplitter(Qt::Vertical, panel);
    splitter->addWidget(list);
    splitter->addWidget(details);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 1);
    auto *layout = new QVBoxLayout(panel);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addLayout(row);
    layout->addWidget(splitter, 1);
}

EmphasisDelegate::EmphasisDelegate(Rule rule, QObject *parent)
    : QStyledItemDelegate(parent)
    , m_rule(std::move(rule))
{
}

void EmphasisDelegate::initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const
{
    QStyledItemDelegate::initStyleOption(option, index);
    if (const auto emphasis = m_rule(index)) {
        option->font.setBold(emphasis->bold);
        option->font.setItalic(emphasis->italic);
        option->palette.setColor(QPalette::Text, emphasis->text);
    }
}

} // namespace chainsight

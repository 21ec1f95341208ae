#pragma once

#include <QColor>
#include <QStyledItemDelegate>

#include <functional>
#include <initializer_list>
#include <optional>

class QTableView;
class QWidget;

namespace chainsight {

// The look every record list shares: whole-row single selection, alternating rows, no row numbers.
void configureRecordTable(QTableView *view);

// After a model reset: fit columns to their contents, none wider than maxWidth, and keep a current row
// so the detail pane below has something to show.
void fitRecordTable(QTableView *view, int maxWidth);

// The layout every record panel shares: a filter row (the first widget stretches), the list, and its
// detail pane below it in a splitter.
void layOutRecordPanel(QWidget *panel, std::initializer_list<QWidget *> filterRow, QWidget *list, QWidget *details);

// How a cell that needs attention is drawn.
struct Emphasis
{
    QColor text;
    bool bold = true;
    bool italic = false;
};

// Draws cells in an emphasis where the rule says so: what a reviewer hunts for must stand out.
class EmphasisDelegate final : public QStyledItemDelegate
{
public:
    using Rule = std::function<std::optional<Emphasis>(const QModelIndex &)>;
    EmphasisDelegate(Rule rule, QObject *parent);

protected:
    void initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const override;

private:
    Rule m_rule;
};

} // namespace chainsight

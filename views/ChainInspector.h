#pragma once

#include "Chain.h"

#include <QList>
#include <QWidget>

#include <memory>

class QCheckBox;
class QLabel;
class QLineEdit;
class QMenu;
class QModelIndex;
class QSpinBox;
class QTableView;
class QTreeWidget;
class QTreeWidgetItem;

namespace chainsight {

class ChainFilterProxyModel;
class ChainListModel;

// Every delegation chain, filterable; the selected one hop by hop with the retention of each hop and the
// actions each delegate took (those outside the originator's intent stand out).
class ChainInspector final : public QWidget
{
    Q_OBJECT
public:
    explicit ChainInspector(QWidget *parent = nullptr);

    void setChains(std::shared_ptr<const ChainSet> chains);
    // Selects the chain (clearing filters that hide it) and marks the given events in it.
    bool selectChain(const QString &key, const QList<qint64> &highlightEvents = {});
    QString currentChainKey() const;

    ChainListModel *model() const { return m_model; }
    QTreeWidget *hopTree() const { return m_hops; }
    QTableView *chainList() const { return m_view; }

    // The context menu of a row of the chain list (an index of view()'s model).
    void fillContextMenu(QMenu &menu, const QModelIndex &index);

Q_SIGNALS:
    void chainSelected(const QString &key);
    // "Review…" from the chain list's context menu.
    void reviewRequested(const QString &chainKey);

private:
    void showChain();
    void updateSummary();

    ChainListModel *m_model;
    ChainFilterProxyModel *m_proxy;
    QLineEdit *m_filter;
    QCheckBox *m_unknownOnly;
    QSpinBox *m_minDepth;
    QLabel *m_summary;
    QTableView *m_view;
    QTreeWidget *m_hops;
    QList<qint64> m_highlight;
};

// Colour of a retention share: green when the work stayed on intent, amber when diluted, red when lost.
QColor retentionColor(double retention);

} // namespace chainsight

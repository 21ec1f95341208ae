#pragma once

#include "Workspace.h"

#include <QWidget>

class QLabel;
class QTableView;

namespace chainsight {

class SourceListModel;

// The centre of the window until the delegation graph arrives: what the workspace holds and where it came from.
class WorkspaceOverview final : public QWidget
{
    Q_OBJECT
public:
    explicit WorkspaceOverview(QWidget *parent = nullptr);

    void setWorkspace(const QString &path, const WorkspaceInfo &info);
    SourceListModel *sourceModel() const { return m_sources; }

private:
    QLabel *m_title;
    QLabel *m_counts;
    SourceListModel *m_sources;
    QTableView *m_sourceView;
};

} // namespace chainsight

#include "WorkspaceOverview.h"

#include "SourceListModel.h"

#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QTableView>
#include <QVBoxLayout>

namespace chainsight {

WorkspaceOverview::WorkspaceOverview(QWidget *parent)
    : QWidget(parent)
    , m_title(new QLabel(this))
    , m_counts(new QLabel(this))
    , m_sources(new SourceListModel(this))
    , m_sourceView(new QTableView(this))
{
    QFont titleFont = m_title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.4);
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_title->setTextFormat(Qt::PlainText);
    m_counts->setTextFormat(Qt::PlainText);
    m_counts->setWordWrap(true);

    m_sourceView->setModel(m_sources);
    m_sourceView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_sourceView->setAlternatingRowColors(true);
    m_sourceView->verticalHeader()->hide();
    m_sourceView->horizontalHeader()->setStretchLastSection(true);
    m_sourceView->setAccessibleName(tr("Imported sources"));

    auto *sourcesTitle = new QLabel(tr("Imported sources"), this);
    QFont sectionFont = sourcesTitle->font();
    sectionFont.setBold(true);
    sourcesTitle->setFont(sectionFont);
    auto *hint = new QLabel(tr("Drop inventory files here, or use File → Import, to add them to this workspace. "
                               "Each import is one transaction: a cancelled or failed import changes nothing."),
                            this);
    hint->setWordWrap(true);
    hint->setEnabled(false);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(16, 12, 16, 12);
    layout->addWidget(m_title);
    layout->addWidget(m_counts);
    layout->addSpacing(8);
    layout->addWidget(sourcesTitle);
    layout->addWidget(m_sourceView, 1);
    layout->addWidget(hint);
}

void WorkspaceOverview::setWorkspace(const QString &path, const WorkspaceInfo &info)
{
    m_title->setText(QFileInfo(path).completeBaseName());
    m_title->setToolTip(path);
    const WorkspaceCounts &c = info.counts;
    m_counts->setText(tr("%1 humans · %2 agents · %3 tools · %4 credentials · %5 aliases · %6 events · "
                         "%7 delegation edges · %8 findings")
                          .arg(c.humans)
                          .arg(c.agents)
                          .arg(c.tools)
                          .arg(c.credentials)
                          .arg(c.aliases)
                          .arg(c.events)
                          .arg(c.edges)
                          .arg(c.findings));
    m_sources->setSources(info.sources);
    m_sourceView->resizeColumnsToContents();
}

} // namespace chainsight

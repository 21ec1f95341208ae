#pragma once

#include "Workspace.h"

#include <QAbstractTableModel>

namespace chainsight {

// The imported files of a workspace with their digests and record counts.
class SourceListModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { FileColumn, FormatColumn, RecordsColumn, ErrorsColumn, ImportedColumn, Sha256Column, ColumnCount };
    enum Role { SortRole = Qt::UserRole + 1, HasErrorsRole };

    explicit SourceListModel(QObject *parent = nullptr);

    void setSources(QList<SourceInfo> sources);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QList<SourceInfo> m_sources;
};

// The credentials of one agent, for the inventory panel's detail view.
class AgentCredentialsModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { TypeColumn, IdColumn, ScopesColumn, CreatedColumn, RotatedColumn, ExpiresColumn, ColumnCount };

    explicit AgentCredentialsModel(QObject *parent = nullptr);

    void setCredentials(QList<CredentialRecord> credentials);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QList<CredentialRecord> m_credentials;
};

} // namespace chainsight

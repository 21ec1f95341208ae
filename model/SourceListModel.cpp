#include "SourceListModel.h"

#include <QFileInfo>

namespace chainsight {

SourceListModel::SourceListModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void SourceListModel::setSources(QList<SourceInfo> sources)
{
    beginResetModel();
    m_sources = std::move(sources);
    endResetModel();
}

int SourceListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_sources.size());
}

int SourceListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant SourceListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const SourceInfo &source = m_sources.at(index.row());
    if (role == HasErrorsRole)
        return source.errors > 0;
    if (role == Qt::ToolTipRole) {
        return index.column() == Sha256Column ? QString::fromLatin1(source.sha256) : source.path;
    }
    if (role == Qt::TextAlignmentRole && (index.column() == RecordsColumn || index.column() == ErrorsColumn))
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole && role != SortRole)
        return {};
    switch (index.column()) {
    case FileColumn:
        return role == SortRole ? source.path : QFileInfo(source.path).fileName();
    case FormatColumn:
        return source.format;
    case RecordsColumn:
        return source.records;
    case ErrorsColumn:
        return source.errors;
    case ImportedColumn:
        return source.importedAt;
    case Sha256Column:
        return role == SortRole ? QString::fromLatin1(source.sha256) : QString::fromLatin1(source.sha256.left(16)) + QChar(0x2026);
    default:
        return {};
    }
}

QVariant SourceListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case FileColumn:
        return tr("File");
    case FormatColumn:
        return tr("Format");
    case RecordsColumn:
        return tr("Records");
    case ErrorsColumn:
        return tr("Bad records");
    case ImportedColumn:
        return tr("Imported (UTC)");
    case Sha256Column:
        return tr("SHA-256");
    default:
        return {};
    }
}

AgentCredentialsModel::AgentCredentialsModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void AgentCredentialsModel::setCredentials(QList<CredentialRecord> credentials)
{
    beginResetModel();
    m_credentials = std::move(credentials);
    endResetModel();
}

int AgentCredentialsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_credentials.size());
}

int AgentCredentialsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant AgentCredentialsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    const CredentialRecord &credential = m_credentials.at(index.row());
    switch (index.column()) {
    case TypeColumn:
        return credential.type;
    case IdColumn:
        return credential.id;
    case ScopesColumn:
        return credential.scopes.join(QLatin1Char(' '));
    case CreatedColumn:
        return credential.created;
    case RotatedColumn:
        return credential.lastRotated.isEmpty() && !credential.created.isEmpty() ? tr("never") : credential.lastRotated;
    case ExpiresColumn:
        return credential.expires.isEmpty() ? (credential.created.isEmpty() ? QString() : tr("never"))
                                            : credential.expires;
    default:
        return {};
    }
}

QVariant AgentCredentialsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case TypeColumn:
        return tr("Type");
    case IdColumn:
        return tr("Identifier (alias)");
    case ScopesColumn:
        return tr("Scopes");
    case CreatedColumn:
        return tr("Created");
    case RotatedColumn:
        return tr("Last rotated");
    case ExpiresColumn:
        return tr("Expires");
    default:
        return {};
    }
}

} // namespace chainsight

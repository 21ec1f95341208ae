#include "ReviewLogModel.h"

#include <QHash>

namespace chainsight {
namespace {

// Table cells are one line: a multi-line comment shows its line breaks as a visible mark.
QString oneLine(const QString &text)
{
    QString line = text;
    line.replace(QLatin1String("\r\n"), QStringLiteral(" ⏎ "));
    for (QChar &c : line) {
        if (c == QLatin1Char('\n') || c == QLatin1Char('\r') || c == QLatin1Char('\t'))
            c = QLatin1Char(' ');
        else if (c.category() == QChar::Other_Control || c.category() == QChar::Other_Format)
            c = QChar(0xFFFD);
    }
    return line;
}

} // namespace

ReviewLogModel::ReviewLogModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void ReviewLogModel::setRecords(QList<ReviewRecord> records)
{
    beginResetModel();
    m_records = std::move(records);
    m_verification = verifyReviewChain(m_records);
    m_broken.clear();
    for (const ReviewChainProblem &problem : std::as_const(m_verification.problems))
        m_broken.insert(problem.recordId);
    m_superseded.clear();
    QHash<QString, qint64> latest;
    for (const ReviewRecord &record : std::as_const(m_records)) {
        const QString key = reviewSubjectKindName(record.subjectKind) + QLatin1Char('\n') + record.subject;
        const auto previous = latest.constFind(key);
        if (previous != latest.cend())
            m_superseded.insert(*previous);
        latest.insert(key, record.id);
    }
    endResetModel();
}

int ReviewLogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_records.size());
}

int ReviewLogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ReviewLogModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const ReviewRecord &record = m_records.at(index.row());
    switch (role) {
    case RecordIdRole:
        return record.id;
    case StatusRole:
        return static_cast<int>(record.status);
    case SubjectKindRole:
        return static_cast<int>(record.subjectKind);
    case SubjectRole:
        return record.subject;
    case SupersededRole:
        return m_superseded.contains(record.id);
    case BrokenRole:
        return m_broken.contains(record.id);
    case SearchTextRole:
        return QStringList{record.reviewer, reviewSubjectKindName(record.subjectKind), record.subject,
                           reviewStatusName(record.status), record.comment, record.remediationOwner}
            .join(QLatin1Char(' '));
    case SortRole:
        if (index.column() == TimeColumn)
            return record.id;
        if (index.column() == StatusColumn)
            return static_cast<int>(record.status);
        return data(index, Qt::DisplayRole);
    case Qt::ToolTipRole:
        if (m_broken.contains(record.id)) {
            for (const ReviewChainProblem &problem : m_verification.problems) {
                if (problem.recordId == record.id)
                    return problem.message;
            }
        }
        if (index.column() == HashColumn)
            return QString::fromLatin1(record.recordHash);
        if (index.column() == CommentColumn)
            return record.comment;
        return {};
    case Qt::DisplayRole:
        switch (static_cast<Column>(index.column())) {
        case TimeColumn:
            return record.createdAt;
        case ReviewerColumn:
            return oneLine(record.reviewer);
        case KindColumn:
            return reviewSubjectKindName(record.subjectKind);
        case SubjectColumn:
            return oneLine(record.subject);
        case StatusColumn:
            return m_superseded.contains(record.id) ? tr("%1 (superseded)").arg(reviewStatusLabel(record.status))
                                                    : reviewStatusLabel(record.status);
        case CommentColumn:
            return oneLine(record.comment);
        case ExpiresColumn:
            return record.expiresAt;
        case OwnerColumn:
            return oneLine(record.remediationOwner);
        case HashColumn:
            return QString::fromLatin1(record.recordHash.left(12));
        case ColumnCount:
            break;
        }
        return {};
    default:
        return {};
    }
}

QVariant ReviewLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (static_cast<Column>(section)) {
    case TimeColumn:
        return tr("Time (UTC)");
    case ReviewerColumn:
        return tr("Reviewer");
    case KindColumn:
        return tr("Kind");
    case SubjectColumn:
        return tr("Subject");
    case StatusColumn:
        return tr("Status");
    case CommentColumn:
        return tr("Comment");
    case ExpiresColumn:
        return tr("Expires");
    case OwnerColumn:
        return tr("Owner");
    case HashColumn:
        return tr("Record hash");
    case ColumnCount:
        break;
    }
    return {};
}

} // namespace chainsight

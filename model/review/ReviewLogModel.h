#pragma once

#include "ReviewLog.h"

#include <QAbstractTableModel>
#include <QSet>

namespace chainsight {

// The review log, one record a row in the order written, with which records a later one supersedes
// and which do not verify.
class ReviewLogModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { TimeColumn, ReviewerColumn, KindColumn, SubjectColumn, StatusColumn, CommentColumn, ExpiresColumn,
                  OwnerColumn, HashColumn, ColumnCount };
    enum Role {
        SortRole = Qt::UserRole + 1,
        RecordIdRole,
        StatusRole,      // int: ReviewStatus
        SubjectKindRole, // int: ReviewSubjectKind
        SubjectRole,
        SupersededRole,  // bool: a later review of the same subject is in force instead
        BrokenRole,      // bool: the hash chain check names this record
        SearchTextRole,
    };

    explicit ReviewLogModel(QObject *parent = nullptr);

    void setRecords(QList<ReviewRecord> records);
    const QList<ReviewRecord> &records() const { return m_records; }
    const ReviewChainVerification &verification() const { return m_verification; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QList<ReviewRecord> m_records;
    ReviewChainVerification m_verification;
    QSet<qint64> m_superseded;
    QSet<qint64> m_broken;
};

} // namespace chainsight

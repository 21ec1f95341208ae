#pragma once

#include "EvidenceBundle.h"
#include "EvidenceReport.h"

#include <QByteArray>
#include <QList>

namespace chainsight {

// RFC 3339 UTC with milliseconds for a time in ms since the epoch; empty for 0.
QString evidenceTimeText(qint64 timeMs);

// The CSV files of a bundle (RFC 4180, CRLF line ends, a header row, fields guarded against formulas).
QByteArray findingsCsv(const EvidenceReport &report);
QByteArray simulationCsv(const EvidenceReport &report);

struct BundleFileInfo
{
    QString name;
    QByteArray sha256;
    qint64 size = 0;
};

struct SignerInfo
{
    QString algorithm;
    QByteArray fingerprint;
};

// evidence.json: everything the PDF states, with hashes, and the other files of the bundle with theirs.
QByteArray evidenceJson(const EvidenceReport &report, const QList<BundleFileInfo> &files, const QString &reportFileName,
                        const std::optional<SignerInfo> &signer);

} // namespace chainsight

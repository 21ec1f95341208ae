#pragma once

#include "EvidenceCollector.h"

#include <QString>
#include <QStringList>

#include <atomic>

namespace chainsight {

struct EvidenceExportRequest
{
    QString workspacePath;
    QString pdfPath;        // the bundle's other files are written next to it
    EvidenceOptions options;
    QString signingKeyPath; // PEM private key (Ed25519 or ECDSA P-256); empty = unsigned
};

struct EvidenceExportResult
{
    bool ok = false;
    QString error;
    QString folder;
    QStringList files;           // every file written, the manifest and signature included
    QByteArray signerFingerprint; // SHA-256 of the signing public key; empty when unsigned
    int chains = 0;
    int findings = 0;
    int reviews = 0;
    qint64 elapsedMs = 0;
};

// The evidence report and its bundle, for the CLI and the GUI alike: gathers what the report states, writes
// findings.csv, simulation.csv, the PDF, evidence.json, evidence.sha256 and (with a key) evidence.sig.
// Runs on any thread; the PDF needs a QApplication to exist (fonts, the graph view's scene).
class EvidenceExporter final
{
public:
    static EvidenceExportResult run(const EvidenceExportRequest &request, const EvidenceProgress &progress = {},
                                    const std::atomic_bool *cancel = nullptr);
};

} // namespace chainsight

#pragma once

#include "EvidenceReport.h"

#include <QString>

#include <atomic>
#include <functional>

namespace chainsight {

struct EvidencePdfOptions
{
    QString signatureNote;                 // how the bundle is signed, for the cover; empty = not signed
    std::function<void(int percent)> progress; // 0..100 over layout and painting
    const std::atomic_bool *cancel = nullptr;
};

// Writes the evidence report as a PDF (QPdfWriter, A4): cover, contents with page numbers, inputs with
// their SHA-256, summary charts, the delegation graph as vector shapes, every chain hop by hop, findings
// with raw evidence excerpts, the policy text and its simulation, the review log. Every string from a
// log or a reviewer is printed as plain text with controls made visible. Needs a QApplication
// (fonts, the graph view's scene); runs on any thread. False with *error set when the file cannot be written or on cancel.
class EvidencePdfWriter final
{
public:
    static bool write(const EvidenceReport &report, const QString &path, const EvidencePdfOptions &options, QString *error);
};

} // namespace chainsight

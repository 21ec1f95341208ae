#include "EvidenceExporter.h"

#include "EvidenceBundle.h"
#include "EvidenceFiles.h"
#include "EvidencePdfWriter.h"
#include "EvidenceSignature.h"
#include "Sha256.h"
#include "Workspace.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

namespace chainsight {
namespace {

bool writeWhole(const QString &path, const QByteArray &bytes, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit()) {
        *error = QStringLiteral("%1: cannot write: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

} // namespace

EvidenceExportResult EvidenceExporter::run(const EvidenceExportRequest &request, const EvidenceProgress &progress,
                                           const std::atomic_bool *cancel)
{
    QElapsedTimer timer;
    timer.start();
    EvidenceExportResult result;
    const auto report = [&progress](int percent, const QString &stage) {
        if (progress)
            progress(percent, stage);
    };

    const QFileInfo pdf(request.pdfPath);
    result.folder = pdf.absolutePath();
    if (!QDir().mkpath(result.folder)) {
        result.error = QStringLiteral("%1: cannot create the folder").arg(result.folder);
        return result;
    }
    const QString pdfName = pdf.fileName();
    const QStringList reserved{EvidenceFileNames::json(), EvidenceFileNames::findingsCsv(), EvidenceFileNames::simulationCsv(),
                               EvidenceFileNames::manifest(), EvidenceFileNames::signature()};
    if (pdfName.isEmpty() || reserved.contains(pdfName)) {
        result.error = QStringLiteral("%1: the report needs a name of its own (evidence.pdf, say)").arg(request.pdfPath);
        return result;
    }

    // A key that cannot sign fails the export before any work is done.
    std::optional<QByteArray> key;
    std::optional<SignerInfo> signer;
    if (!request.signingKeyPath.isEmpty()) {
        QFile file(request.signingKeyPath);
        if (!file.open(QIODevice::ReadOnly)) {
            result.error = QStringLiteral("%1: cannot read the signing key: %2").arg(request.signingKeyPath, file.errorString());
            return result;
        }
        key = file.readAll();
        const auto probe = signEvidence(*key, QByteArray(), &result.error);
        if (!probe) {
            result.error = QStringLiteral("%1: %2").arg(request.signingKeyPath, result.error);
            return result;
        }
        signer = SignerInfo{probe->algorithm, probe->fingerprint};
    }

    QString error;
    auto workspace = Workspace::open(request.workspacePath, Workspace::OpenMode::OpenExisting, &error);
    if (!workspace) {
        result.error = error;
        return result;
    }
    const auto collected = EvidenceCollector::collect(*workspace, request.options, &error,
                                                      [&report](int percent, const QString &stage) { report(percent * 40 / 100, stage); },
                                                      cancel);
    workspace.reset();
    if (!collected) {
        result.error = error;
        return result;
    }
    result.chains = static_cast<int>(collected->chains.size());
    result.findings = static_cast<int>(collected->findings.size());
    result.reviews = static_cast<int>(collected->reviewsInScope.size());

    const QDir dir(result.folder);
    report(40, QStringLiteral("Writing the CSV files"));
    if (!writeWhole(dir.filePath(EvidenceFileNames::findingsCsv()), findingsCsv(*collected), &result.error)
        || !writeWhole(dir.filePath(EvidenceFileNames::simulationCsv()), simulationCsv(*collected), &result.error))
        return result;

    EvidencePdfOptions pdfOptions;
    if (signer)
        pdfOptions.signatureNote = QStringLiteral("%1 over evidence.sha256 (evidence.sig), public key SHA-256 %2")
                                       .arg(signer->algorithm, QString::fromLatin1(signer->fingerprint));
    pdfOptions.cancel = cancel;
    pdfOptions.progress = [&report](int percent) { report(42 + percent * 50 / 100, QStringLiteral("Writing the PDF")); };
    if (!EvidencePdfWriter::write(*collected, pdf.absoluteFilePath(), pdfOptions, &result.error))
        return result;

    report(93, QStringLiteral("Hashing and sealing the bundle"));
    QList<BundleFileInfo> files;
    for (const QString &name : {EvidenceFileNames::findingsCsv(), EvidenceFileNames::simulationCsv(), pdfName}) {
        const auto digest = sha256OfFile(dir.filePath(name), &result.error);
        if (!digest)
            return result;
        files.push_back({name, digest->sha256Hex, digest->size});
    }
    if (!writeWhole(dir.filePath(EvidenceFileNames::json()), evidenceJson(*collected, files, pdfName, signer), &result.error))
        return result;
    const QStringList bundle{EvidenceFileNames::json(), EvidenceFileNames::findingsCsv(), EvidenceFileNames::simulationCsv(), pdfName};
    const auto fingerprint = sealEvidenceBundle(result.folder, bundle, key, &result.error);
    if (!fingerprint)
        return result;
    result.signerFingerprint = *fingerprint;
    result.files = bundle;
    result.files.push_back(EvidenceFileNames::manifest());
    if (key)
        result.files.push_back(EvidenceFileNames::signature());
    result.ok = true;
    result.elapsedMs = timer.elapsed();
    report(100, QStringLiteral("Done"));
    return result;
}

} // namespace chainsight

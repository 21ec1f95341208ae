#include "SourceImporter.h"

#include "InventoryImporter.h"
#include "OtlpTraceImporter.h"
#ifdef CHAINSIGHT_HAVE_JOSE
#include "JwtCaptureImporter.h"
#endif
#include "SpanDocumentImporters.h"
#ifdef CHAINSIGHT_HAVE_LOG_IMPORTERS
#include "logs/LogImporters.h"
#endif

#include <QFile>
#include <QFileInfo>

namespace chainsight {

void ImportContext::error(TextPosition position, const QString &message)
{
    report(Diagnostic{Severity::Error, path(), position, message});
}

void ImportContext::warning(TextPosition position, const QString &message)
{
    report(Diagnostic{Severity::Warning, path(), position, message});
}

const std::vector<std::unique_ptr<SourceImporter>> &sourceImporters()
{
    static const auto importers = [] {
        std::vector<std::unique_ptr<SourceImporter>> all;
        all.push_back(std::make_unique<InventoryJsonImporter>());
        all.push_back(std::make_unique<InventoryCsvImporter>());
        all.push_back(std::make_unique<OtlpTraceImporter>());
        all.push_back(std::make_unique<OtelSdkJsonImporter>());
        all.push_back(std::make_unique<LangfuseTraceImporter>());
#ifdef CHAINSIGHT_HAVE_JOSE
        all.push_back(std::make_unique<JwtCaptureImporter>());
#endif
#ifdef CHAINSIGHT_HAVE_LOG_IMPORTERS
        appendLogImporters(all);
#endif
        return all;
    }();
    return importers;
}

const SourceImporter *importerForFormat(const QString &format)
{
    for (const auto &importer : sourceImporters()) {
        if (importer->format() == format)
            return importer.get();
    }
    return nullptr;
}

QStringList knownFormats()
{
    QStringList formats;
    for (const auto &importer : sourceImporters())
        formats.push_back(importer->format());
    return formats;
}

bool isJsonWebKeySet(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return false;
    const QByteArray head = file.read(4096);
    const qsizetype keys = head.indexOf("\"keys\"");
    return keys >= 0 && head.indexOf("\"kty\"") > keys && head.trimmed().startsWith('{');
}

const SourceImporter *sniffImporter(const QString &path, QString *reason)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (reason)
            *reason = QStringLiteral("cannot read the file: %1").arg(file.errorString());
        return nullptr;
    }
    const SniffSample sample{QFileInfo(path).fileName(), file.read(64 * 1024)};
    const SourceImporter *best = nullptr;
    int bestScore = 0;
    for (const auto &importer : sourceImporters()) {
        const int score = importer->sniff(sample);
        if (score > bestScore) {
            best = importer.get();
            bestScore = score;
        }
    }
    // Below this the guess is only the extension; a wrong importer would report every record as bad.
    if (bestScore < 40) {
        if (reason)
            *reason = QStringLiteral("the format is not recognised (known formats: %1); name it with --format")
                          .arg(knownFormats().join(QStringLiteral(", ")));
        return nullptr;
    }
    return best;
}

} // namespace chainsight

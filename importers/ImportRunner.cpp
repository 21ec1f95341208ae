#include "ImportRunner.h"

#include "Sha256.h"
#include "SourceImporter.h"
#include "SqliteDatabase.h"
#include "Workspace.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QDirIterator>
#include <QFileInfo>

#include <functional>
#include <memory>
#include <vector>

namespace chainsight {
namespace {

constexpr qint64 headDigestBytes = 1 << 20;

// Forwards progress at most every 50 ms or 0.1 % so a fast importer never floods the GUI thread.
class ThrottledProgress final
{
public:
    ThrottledProgress(const ImportProgressCallback &callback, ImportProgress &state)
        : m_callback(callback)
        , m_state(state)
    {
        m_clock.start();
    }

    void update(bool force = false)
    {
        if (!m_callback)
            return;
        const qint64 step = std::max<qint64>(m_state.bytesTotal / 1000, 1);
        if (!force && (m_state.bytesDone - m_lastBytes < step || m_clock.elapsed() - m_lastMs < 50))
            return;
        m_lastBytes = m_state.bytesDone;
        m_lastMs = m_clock.elapsed();
        m_callback(m_state);
    }

private:
    const ImportProgressCallback &m_callback;
    ImportProgress &m_state;
    QElapsedTimer m_clock;
    qint64 m_lastBytes = -1;
    qint64 m_lastMs = -1000;
};

class RunContext final : public ImportContext
{
public:
    RunContext(WorkspaceWriter &writer, const ImportOptions &options, const std::atomic_bool &cancel,
               ThrottledProgress &throttle, ImportProgress &progress, FileImportResult &file, qint64 sourceId,
               qint64 bytesBeforeFile, Sha256Stream *digest)
        : m_writer(writer)
        , m_digest(digest)
        , m_options(options)
        , m_cancel(cancel)
        , m_throttle(throttle)
        , m_progress(progress)
        , m_file(file)
        , m_sourceId(sourceId)
        , m_bytesBeforeFile(bytesBeforeFile)
    {
    }

    QString path() const override { return m_file.path; }
    qint64 sourceId() const override { return m_sourceId; }
    const ImportOptions &options() const override { return m_options; }
    WorkspaceWriter &writer() override { return m_writer; }
    Sha256Stream *contentDigest() override { return m_digest; }
    bool isCancelled() const override { return m_cancel.load(std::memory_order_relaxed); }

    void reportProgress(qint64 bytesDoneInFile, qint64 recordsInFile) override
    {
        m_progress.bytesDone = m_bytesBeforeFile + bytesDoneInFile;
        m_progress.records = m_recordsBeforeFile + recordsInFile;
        m_throttle.update();
    }

    void report(Diagnostic diagnostic) override
    {
        // A flood of errors must not eat memory; past the cap only the count keeps growing.
        if (m_file.diagnostics.size() < maximumKeptDiagnostics)
            m_file.diagnostics.push_back(std::move(diagnostic));
        else
            ++m_droppedDiagnostics;
    }

    QString nextPath() const override { return m_nextPath; }
    Sha256Stream *nextContentDigest() override { return m_nextDigest ? m_nextDigest() : nullptr; }
    void setNextReadAhead(std::unique_ptr<ImportReadAhead> work) override { m_nextReadAhead = std::move(work); }
    std::unique_ptr<ImportReadAhead> takeReadAhead() override { return std::move(m_readAhead); }

    void setRecordsBeforeFile(qint64 records) { m_recordsBeforeFile = records; }
    void setReadAhead(std::unique_ptr<ImportReadAhead> work) { m_readAhead = std::move(work); }
    void setNextFile(const QString &path, std::function<Sha256Stream *()> digest)
    {
        m_nextPath = path;
        m_nextDigest = std::move(digest);
    }
    std::unique_ptr<ImportReadAhead> takeNextReadAhead() { return std::move(m_nextReadAhead); }
    qint64 droppedDiagnostics() const { return m_droppedDiagnostics; }

    static constexpr qsizetype maximumKeptDiagnostics = 10000;

private:
    WorkspaceWriter &m_writer;
    Sha256Stream *m_digest;
    const ImportOptions &m_options;
    const std::atomic_bool &m_cancel;
    ThrottledProgress &m_throttle;
    ImportProgress &m_progress;
    FileImportResult &m_file;
    qint64 m_sourceId;
    qint64 m_bytesBeforeFile;
    qint64 m_recordsBeforeFile = 0;
    qint64 m_droppedDiagnostics = 0;
    QString m_nextPath;
    std::function<Sha256Stream *()> m_nextDigest;
    std::unique_ptr<ImportReadAhead> m_readAhead;
    std::unique_ptr<ImportReadAhead> m_nextReadAhead;
};

ImportResult aborted(ImportResult result, const QString &why)
{
    result.status = ImportResult::Status::Aborted;
    result.failure = why;
    return result;
}

ImportResult cancelled(ImportResult result)
{
    result.status = ImportResult::Status::Cancelled;
    result.failure = QStringLiteral("cancelled; nothing was imported");
    return result;
}

} // namespace

qint64 FileImportResult::errorCount() const
{
    return std::count_if(diagnostics.cbegin(), diagnostics.cend(),
                         [](const Diagnostic &d) { return d.severity == Severity::Error; });
}

qint64 FileImportResult::warningCount() const
{
    return std::count_if(diagnostics.cbegin(), diagnostics.cend(),
                         [](const Diagnostic &d) { return d.severity == Severity::Warning; });
}

qint64 ImportResult::errorCount() const
{
    qint64 count = 0;
    for (const auto &file : files)
        count += file.errorCount();
    return count;
}

qint64 ImportResult::recordCount() const
{
    qint64 count = 0;
    for (const auto &file : files)
        count += file.records;
    return count;
}

ImportResult ImportRunner::run(Workspace &workspace, const QStringList &paths, const ImportOptions &options,
                               const ImportProgressCallback &progressCallback, const std::atomic_bool &cancel)
{
    ImportResult result;
    // A folder stands for every file below it that some importer recognises; the rest is listed as skipped.
    QStringList files;
    for (const QString &path : paths) {
        if (!QFileInfo(path).isDir()) {
            files.push_back(path);
            continue;
        }
        QStringList below;
        QDirIterator it(path, QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext())
            below.push_back(it.next());
        below.sort();
        for (const QString &file : std::as_const(below)) {
            QString reason;
            const bool keys = isJsonWebKeySet(file);
            if (!keys && (!options.format.isEmpty() || sniffImporter(file, &reason)))
                files.push_back(file);
            else
                result.skipped.push_back(QFileInfo(file).absoluteFilePath());
        }
    }
    ImportProgress progress;
    progress.fileCount = static_cast<int>(files.size());
    QList<QByteArray> headDigests;
    for (const QString &path : std::as_const(files)) {
        FileImportResult file;
        file.path = QFileInfo(path).absoluteFilePath();
        file.size = QFileInfo(path).size();
        progress.bytesTotal += file.size;
        result.files.push_back(file);
    }
    ThrottledProgress throttle(progressCallback, progress);

    // Everything that needs only the files (existence, format, digest) is settled before the transaction.
    for (auto &file : result.files) {
        if (cancel.load())
            return cancelled(result);
        const QFileInfo info(file.path);
        if (!info.exists() || !info.isFile()) {
            file.outcome = FileImportResult::Outcome::Rejected;
            file.diagnostics.push_back({Severity::Error, file.path, {}, QStringLiteral("no such file")});
            return aborted(result, QStringLiteral("%1: no such file").arg(file.path));
        }
        const SourceImporter *importer = nullptr;
        QString reason;
        if (!options.format.isEmpty()) {
            importer = importerForFormat(options.format);
            reason = QStringLiteral("unknown format \"%1\" (known formats: %2)")
                         .arg(options.format, knownFormats().join(QStringLiteral(", ")));
        } else {
            importer = sniffImporter(file.path, &reason);
        }
        if (!importer) {
            file.outcome = FileImportResult::Outcome::Rejected;
            file.diagnostics.push_back({Severity::Error, file.path, {}, reason});
            return aborted(result, QStringLiteral("%1: %2").arg(file.path, reason));
        }
        file.format = importer->format();
        QString digestError;
        const auto head = sha256OfFileHead(file.path, headDigestBytes, &digestError);
        if (!head) {
            file.outcome = FileImportResult::Outcome::Rejected;
            file.diagnostics.push_back({Severity::Error, file.path, {}, digestError});
            return aborted(result, QStringLiteral("%1: %2").arg(file.path, digestError));
        }
        headDigests.push_back(head->sha256Hex);
        file.size = head->size;
        // A file can repeat an earlier source only if its size and first MiB match one; only then, or when
        // the importer cannot hash as it reads, is the whole file hashed up front.
        bool possibleRepeat = workspace.hasSourceLike(file.size, head->sha256Hex);
        for (int earlier = 0; earlier + 1 < headDigests.size(); ++earlier)
            possibleRepeat = possibleRepeat || (result.files[earlier].size == file.size && headDigests[earlier] == head->sha256Hex);
        if (possibleRepeat || !importer->digestsWhileReading()) {
            const auto digest = sha256OfFile(file.path, &digestError, &cancel);
            if (!digest) {
                if (cancel.load())
                    return cancelled(result);
                file.outcome = FileImportResult::Outcome::Rejected;
                file.diagnostics.push_back({Severity::Error, file.path, {}, digestError});
                return aborted(result, QStringLiteral("%1: %2").arg(file.path, digestError));
            }
            file.sha256 = digest->sha256Hex;
            file.size = digest->size;
        }
    }

    // Inventories first: events correlate against the aliases they declare, whatever order files were given in.
    {
        QList<std::pair<FileImportResult, QByteArray>> ordered;
        for (int i = 0; i < result.files.size(); ++i)
            ordered.push_back({result.files[i], headDigests[i]});
        std::stable_sort(ordered.begin(), ordered.end(), [](const auto &a, const auto &b) {
            return a.first.format.startsWith(QLatin1String("inventory-")) && !b.first.format.startsWith(QLatin1String("inventory-"));
        });
        for (int i = 0; i < ordered.size(); ++i) {
            result.files[i] = ordered[i].first;
            headDigests[i] = ordered[i].second;
        }
    }

    // Digests of the files hashed while read, made when their reading starts (possibly during the file before).
    std::vector<std::unique_ptr<Sha256Stream>> streamDigests(static_cast<std::size_t>(result.files.size()));
    auto streamDigestOf = [&streamDigests](int index) {
        auto &digest = streamDigests[static_cast<std::size_t>(index)];
        if (!digest)
            digest = std::make_unique<Sha256Stream>();
        return digest.get();
    };
    // Declared after the digests it writes to, so it stops before they go.
    std::unique_ptr<ImportReadAhead> readAhead;
    int readAheadIndex = -1;
    try {
        WorkspaceWriter writer(workspace, &cancel);
        QList<QByteArray> digestsInThisRun;
        qint64 bytesBefore = 0;
        for (int index = 0; index < result.files.size(); ++index) {
            FileImportResult &file = result.files[index];
            if (readAheadIndex != index)
                readAhead.reset();
            progress.fileIndex = index;
            progress.file = file.path;
            QString lookupError;
            const bool hashedUpFront = !file.sha256.isEmpty();
            if (!hashedUpFront) {
                // Hashed while reading; until then the row holds a unique placeholder.
            } else if (const auto existing = workspace.sourceBySha256(file.sha256, &lookupError)) {
                file.outcome = FileImportResult::Outcome::AlreadyImported;
                file.alreadyImportedAs = existing->path;
                file.records = existing->records;
                bytesBefore += file.size;
                continue;
            }
            if (hashedUpFront && digestsInThisRun.contains(file.sha256)) {
                file.outcome = FileImportResult::Outcome::AlreadyImported;
                file.alreadyImportedAs = result.files[digestsInThisRun.indexOf(file.sha256)].path;
                bytesBefore += file.size;
                continue;
            }
            if (hashedUpFront)
                digestsInThisRun.push_back(file.sha256);

            SourceInfo source;
            source.path = file.path;
            source.size = file.size;
            source.sha256 = hashedUpFront ? file.sha256 : QByteArrayLiteral("pending:") + headDigests[index] + QByteArray::number(index);
            source.headSha256 = headDigests[index];
            source.format = file.format;
            source.importedAt = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
            const qint64 sourceId = writer.addSource(source);

            RunContext context(writer, options, cancel, throttle, progress, file, sourceId, bytesBefore,
                               hashedUpFront ? nullptr : streamDigestOf(index));
            context.setRecordsBeforeFile(progress.records);
            context.setReadAhead(std::move(readAhead));
            // The importer may start on the next file early when it reads that one too and hashes it as it goes
            // (a file hashed up front may turn out to be a repeat, and is then skipped).
            if (const int next = index + 1;
                next < result.files.size() && result.files[next].format == file.format && result.files[next].sha256.isEmpty()) {
                context.setNextFile(result.files[next].path, [&streamDigestOf, next]() { return streamDigestOf(next); });
            }
            const qint64 records = importerForFormat(file.format)->import(context);
            readAhead = context.takeNextReadAhead();
            readAheadIndex = readAhead ? index + 1 : -1;
            if (cancel.load())
                return cancelled(result);
            if (!hashedUpFront && records >= 0) {
                const Sha256Stream &streamDigest = *streamDigestOf(index);
                if (streamDigest.bytes() != file.size) {
                    file.outcome = FileImportResult::Outcome::Rejected;
                    return aborted(result, QStringLiteral("%1 changed while it was being imported; nothing was imported").arg(file.path));
                }
                file.sha256 = streamDigestOf(index)->finishHex();
                writer.setSourceDigest(sourceId, file.sha256);
                digestsInThisRun.push_back(file.sha256);
            }
            if (context.droppedDiagnostics() > 0) {
                file.diagnostics.push_back({Severity::Note, file.path, {},
                                            QStringLiteral("%1 more diagnostics not shown").arg(context.droppedDiagnostics())});
            }
            if (records < 0) {
                file.outcome = FileImportResult::Outcome::Rejected;
                return aborted(result, QStringLiteral("%1 could not be imported; nothing was imported").arg(file.path));
            }
            file.records = records;
            if (options.strict && file.errorCount() > 0) {
                return aborted(result, QStringLiteral("%1 has %2 bad record(s) and --strict is set; nothing was imported")
                                           .arg(file.path)
                                           .arg(file.errorCount()));
            }
            writer.finishSource(sourceId, records, file.diagnostics);
            bytesBefore += file.size;
            progress.bytesDone = bytesBefore;
            throttle.update(true);
        }
        if (cancel.load())
            return cancelled(result);
        // Logs imported before their inventory left shadow identities; the inventory now names them.
        for (FileImportResult &file : result.files) {
            if (!file.format.startsWith(QLatin1String("inventory-")) || file.outcome != FileImportResult::Outcome::Imported)
                continue;
            if (const qint64 merged = writer.mergeShadowsIntoInventory()) {
                file.diagnostics.push_back({Severity::Note, file.path, {},
                                            QStringLiteral("%1 shadow identit%2 from earlier imports now resolve to agents this inventory declares")
                                                .arg(merged)
                                                .arg(merged == 1 ? QStringLiteral("y") : QStringLiteral("ies"))});
            }
            break;
        }
        writer.commit();
    } catch (const SqliteError &e) {
        if (cancel.load())
            return cancelled(result);
        return aborted(result, QStringLiteral("the workspace could not be written (%1); nothing was imported").arg(e.message()));
    } catch (const std::exception &e) {
        return aborted(result, QStringLiteral("internal error: %1; nothing was imported").arg(QString::fromUtf8(e.what())));
    }
    return result;
}

ImportResult ImportRunner::run(const QString &workspacePath, const QStringList &paths, const ImportOptions &options,
                               const ImportProgressCallback &progress, const std::atomic_bool &cancel)
{
    QString error;
    auto workspace = Workspace::open(workspacePath, Workspace::OpenMode::CreateIfMissing, &error);
    if (!workspace) {
        ImportResult result;
        result.status = ImportResult::Status::Aborted;
        result.failure = error;
        return result;
    }
    return run(*workspace, paths, options, progress, cancel);
}

} // namespace chainsight

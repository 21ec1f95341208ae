#pragma once

#include "Diagnostic.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <functional>

namespace chainsight {

// Copied into the job before it starts; workers never read settings or globals.
struct ImportOptions
{
    QString format;   // empty: sniff each file's format from its content
    bool strict = false; // any error aborts the whole import
    QString jwksPath; // keys for JWT signature verification (JWT captures)
};

struct ImportProgress
{
    QString file;
    int fileIndex = 0; // 0-based
    int fileCount = 0;
    qint64 bytesDone = 0;  // over all files
    qint64 bytesTotal = 0; // over all files
    qint64 records = 0;
};
using ImportProgressCallback = std::function<void(const ImportProgress &)>;

struct FileImportResult
{
    enum class Outcome {
        Imported,
        AlreadyImported, // same SHA-256 as a source already in the workspace: nothing written
        Rejected,        // the file could not be read or parsed at all
    };

    QString path;
    QString format;
    QByteArray sha256;
    qint64 size = 0;
    qint64 records = 0;
    Outcome outcome = Outcome::Imported;
    QString alreadyImportedAs; // path recorded when it was first imported
    Diagnostics diagnostics;

    qint64 errorCount() const;
    qint64 warningCount() const;
};

struct ImportResult
{
    enum class Status {
        Committed, // everything that was imported is in the workspace
        Aborted,   // an error stopped it (strict mode, unreadable file, store failure): nothing was written
        Cancelled, // the user cancelled: nothing was written
    };

    Status status = Status::Committed;
    QString failure; // why it was aborted, in plain words
    QList<FileImportResult> files;
    QStringList skipped; // files inside given folders that no importer recognises (keys, notes…)

    qint64 errorCount() const;
    qint64 recordCount() const;
};

} // namespace chainsight

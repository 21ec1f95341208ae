#pragma once

#include "ImportTypes.h"

#include <QString>

#include <atomic>
#include <memory>
#include <vector>

namespace chainsight {

class Sha256Stream;
class WorkspaceWriter;

// Work an importer started on a file before its turn: reading, hashing and parsing need neither the workspace
// nor the transaction, so they can run while the file before is still being written. Destroying it stops the work.
class ImportReadAhead
{
public:
    virtual ~ImportReadAhead() = default;
};

// What one importer sees while it reads one file inside the import's transaction.
class ImportContext
{
public:
    virtual ~ImportContext() = default;

    virtual QString path() const = 0;
    virtual qint64 sourceId() const = 0;
    virtual const ImportOptions &options() const = 0;
    virtual WorkspaceWriter &writer() = 0;
    // Non-null when the importer said it hashes the file while reading it: feed it every byte, in order.
    virtual Sha256Stream *contentDigest() = 0;

    // Cheap enough to call once per record.
    virtual bool isCancelled() const = 0;
    virtual void reportProgress(qint64 bytesDoneInFile, qint64 recordsInFile) = 0;
    virtual void report(Diagnostic diagnostic) = 0;

    // The file after this one when the same importer reads it next, else empty; and the digest its bytes go to
    // (null when it was hashed up front). An importer may start on it early and hand the work over with
    // setNextReadAhead(); the runner gives it back to the importer, through takeReadAhead(), for that file.
    virtual QString nextPath() const { return {}; }
    virtual Sha256Stream *nextContentDigest() { return nullptr; }
    virtual void setNextReadAhead(std::unique_ptr<ImportReadAhead> work) { (void)work; }
    // The work started on this file while the one before was written, or null.
    virtual std::unique_ptr<ImportReadAhead> takeReadAhead() { return nullptr; }
    // A diagnostic located in this file.
    void error(TextPosition position, const QString &message);
    void warning(TextPosition position, const QString &message);
};

// The first bytes of a file and its name, for format sniffing.
struct SniffSample
{
    QString fileName;
    QByteArray head; // at most the first 64 KiB
};

class SourceImporter
{
public:
    virtual ~SourceImporter() = default;

    // Stable format id stored with each source, e.g. "inventory-json".
    virtual QString format() const = 0;
    virtual QString description() const = 0;
    // Confidence 0..100 that the sample is this format; content first, the extension only breaks ties.
    virtual int sniff(const SniffSample &sample) const = 0;
    // Bulk importers hash the bytes they read (contentDigest()) so a large file is read once, not twice.
    virtual bool digestsWhileReading() const { return false; }

    // Reads the file and writes through context.writer(). Returns the number of records imported, or -1
    // when the file as a whole is unreadable (a diagnostic says why).
    virtual qint64 import(ImportContext &context) const = 0;
};

// Every importer this build knows, in sniffing order.
const std::vector<std::unique_ptr<SourceImporter>> &sourceImporters();
const SourceImporter *importerForFormat(const QString &format);
QStringList knownFormats();

// Whether the file is a JWKS (keys to verify JWT captures with) rather than data to import.
bool isJsonWebKeySet(const QString &path);

// Picks the importer whose sniff is most confident; nullptr with *reason set when none fits.
const SourceImporter *sniffImporter(const QString &path, QString *reason);

} // namespace chainsight

#pragma once

#include <QByteArray>
#include <QString>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>

namespace chainsight {

// Incremental SHA-256 for readers that hash what they read instead of reading a file twice.
class Sha256Stream final
{
public:
    Sha256Stream();
    ~Sha256Stream();
    Sha256Stream(const Sha256Stream &) = delete;
    Sha256Stream &operator=(const Sha256Stream &) = delete;

    void update(const char *data, std::size_t size);
    QByteArray finishHex(); // lowercase hex; the stream is spent afterwards
    qint64 bytes() const { return m_bytes; }

private:
    struct Context;
    std::unique_ptr<Context> m_context;
    qint64 m_bytes = 0;
};

// Lowercase hex SHA-256 of a byte string.
QByteArray sha256Hex(QByteArrayView bytes);

struct FileDigest
{
    QByteArray sha256Hex;
    qint64 size = 0;
};

// Streams the file through OpenSSL; nullopt with *error set when it cannot be read or was cancelled.
std::optional<FileDigest> sha256OfFile(const QString &path, QString *error,
                                       const std::atomic_bool *cancel = nullptr);

// SHA-256 of at most the first `limit` bytes: a cheap fingerprint to rule out duplicates before a full hash.
std::optional<FileDigest> sha256OfFileHead(const QString &path, qint64 limit, QString *error);

} // namespace chainsight

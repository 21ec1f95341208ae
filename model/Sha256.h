#pragma once

#include <QByteArray>
#include <QString>

#include <atomic>
#include <functional>
#include <optional>

namespace chainsight {

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

} // namespace chainsight

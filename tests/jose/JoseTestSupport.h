#pragma once

// Helpers shared by the JOSE suites: file reading, the shared-samples location, conversions.
#include "jose/Jws.h"

#include <QtCore/QByteArray>
#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QString>

#include <algorithm>
#include <string>
#include <string_view>

namespace chainsight::jose::testing {

inline std::string readFile(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const QByteArray bytes = file.readAll();
    return std::string(bytes.constData(), static_cast<std::size_t>(bytes.size()));
}

inline nlohmann::json readJson(const QString& path)
{
    return nlohmann::json::parse(readFile(path), nullptr, false);
}

// The shared samples directory, or an empty string when it is not there (tests then skip).
inline QString sharedDir()
{
    QString dir = qEnvironmentVariable("CHAINSIGHT_SHARED_DIR");
#ifdef CHAINSIGHT_SHARED_DIR
    if (dir.isEmpty())
        dir = QStringLiteral(CHAINSIGHT_SHARED_DIR);
#endif
    if (dir.isEmpty() || !QDir(dir).exists(QStringLiteral("samples/jose-test-vectors")))
        return {};
    return dir;
}

inline std::string toStd(const QByteArray& bytes)
{
    return std::string(bytes.constData(), static_cast<std::size_t>(bytes.size()));
}

inline QByteArray toBytes(std::string_view text)
{
    return QByteArray(text.data(), static_cast<qsizetype>(text.size()));
}

inline const char* statusName(JwsStatus status)
{
    return jwsStatusName(status).data(); // the names are string literals
}

// Alters one dot-separated part and keeps it well-formed, so only the signature check can
// notice: header and payload get a space after their first byte, the signature one flipped bit.
inline std::string tamperPart(const std::string& token, int part)
{
    std::size_t start = 0;
    for (int i = 0; i < part; ++i)
        start = token.find('.', start) + 1;
    const std::size_t end = std::min(token.find('.', start), token.size());
    std::string bytes = Base64Url::decode(token.substr(start, end - start)).value_or(std::string());
    if (bytes.empty())
        return token + "x";
    if (part == 2)
        bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x01);
    else
        bytes.insert(1, 1, ' ');
    return token.substr(0, start) + Base64Url::encode(bytes) + token.substr(end);
}

} // namespace chainsight::jose::testing

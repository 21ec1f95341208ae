#include "Sha256.h"

#include <QFile>

#include <openssl/evp.h>

#include <memory>

namespace chainsight {
namespace {

struct MdContextDeleter
{
    void operator()(EVP_MD_CTX *context) const { EVP_MD_CTX_free(context); }
};
using MdContext = std::unique_ptr<EVP_MD_CTX, MdContextDeleter>;

QByteArray finishDigestHex(EVP_MD_CTX *context)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(context, digest, &length);
    return QByteArray(reinterpret_cast<const char *>(digest), static_cast<qsizetype>(length)).toHex();
}

} // namespace

struct Sha256Stream::Context
{
    MdContext md{EVP_MD_CTX_new()};
};

Sha256Stream::Sha256Stream()
    : m_context(std::make_unique<Context>())
{
    EVP_DigestInit_ex(m_context->md.get(), EVP_sha256(), nullptr);
}

Sha256Stream::~Sha256Stream() = default;

void Sha256Stream::update(const char *data, std::size_t size)
{
    EVP_DigestUpdate(m_context->md.get(), data, size);
    m_bytes += static_cast<qint64>(size);
}

QByteArray Sha256Stream::finishHex()
{
    return finishDigestHex(m_context->md.get());
}

QByteArray sha256Hex(QByteArrayView bytes)
{
    MdContext context(EVP_MD_CTX_new());
    EVP_DigestInit_ex(context.get(), EVP_sha256(), nullptr);
    EVP_DigestUpdate(context.get(), bytes.data(), static_cast<std::size_t>(bytes.size()));
    return finishDigestHex(context.get());
}

std::optional<FileDigest> sha256OfFile(const QString &path, QString *error, const std::atomic_bool *cancel)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = QStringLiteral("cannot read the file: %1").arg(file.errorString());
        return std::nullopt;
    }
    MdContext context(EVP_MD_CTX_new());
    if (!context || EVP_DigestInit_ex(context.get(), EVP_sha256(), nullptr) != 1) {
        if (error)
            *error = QStringLiteral("OpenSSL could not start a SHA-256 digest");
        return std::nullopt;
    }
    // One reused buffer: hashing a gigabyte must not allocate per chunk.
    QByteArray buffer(1 << 20, Qt::Uninitialized);
    FileDigest digest;
    while (true) {
        if (cancel && cancel->load(std::memory_order_relaxed)) {
            if (error)
                *error = QStringLiteral("cancelled");
            return std::nullopt;
        }
        const qint64 read = file.read(buffer.data(), buffer.size());
        if (read < 0) {
            if (error)
                *error = QStringLiteral("read error: %1").arg(file.errorString());
            return std::nullopt;
        }
        if (read == 0)
            break;
        EVP_DigestUpdate(context.get(), buffer.constData(), static_cast<std::size_t>(read));
        digest.size += read;
    }
    digest.sha256Hex = finishDigestHex(context.get());
    return digest;
}

} // namespace chainsight

namespace chainsight {

std::optional<FileDigest> sha256OfFileHead(const QString &path, qint64 limit, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = QStringLiteral("cannot read the file: %1").arg(file.errorString());
        return std::nullopt;
    }
    const QByteArray head = file.read(limit);
    FileDigest digest;
    digest.sha256Hex = sha256Hex(head);
    digest.size = file.size();
    return digest;
}

} // namespace chainsight

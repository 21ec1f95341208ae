#include "LineChunkReader.h"

#include "Sha256.h"

#include <QFile>

#include <algorithm>
#include <cstring>

namespace chainsight {

LineChunkReader::LineChunkReader(QFile &file, Sha256Stream *digest, const std::atomic_bool &cancel, std::size_t maximumLineBytes,
                                 std::size_t padding)
    : m_file(file)
    , m_digest(digest)
    , m_cancel(cancel)
    , m_maximumLineBytes(maximumLineBytes)
    , m_padding(padding)
{
    // Sized for the file: a small file does not pay for buffers meant for gigabytes.
    const auto size = static_cast<std::size_t>(std::max<qint64>(file.size(), 0));
    for (auto &chunk : m_chunks) {
        chunk.buffer.resize(std::min(chunkBytes, size + 1) + m_padding);
        m_handOff.addFree(&chunk);
    }
    m_thread = std::thread([this] { run(); });
}

LineChunkReader::~LineChunkReader()
{
    m_handOff.close();
    m_thread.join();
}

LineChunkReader::Chunk *LineChunkReader::next()
{
    return m_handOff.takeFull();
}

void LineChunkReader::recycle(Chunk *chunk)
{
    m_handOff.giveBack(chunk);
}

void LineChunkReader::run()
{
    std::string carry; // the unfinished line at the end of the last chunk
    qint64 offset = 0;  // of the next chunk's first byte
    bool atEnd = false;
    QString failure;
    while (!atEnd && failure.isEmpty() && !m_cancel.load(std::memory_order_relaxed)) {
        Chunk *chunk = m_handOff.takeFree();
        if (!chunk)
            break;
        std::string &buffer = chunk->buffer;
        if (carry.size() + m_padding >= buffer.size())
            buffer.resize(std::max(buffer.size() * 2, carry.size() * 2 + m_padding));
        std::memcpy(buffer.data(), carry.data(), carry.size());
        std::size_t filled = carry.size();
        std::size_t length = 0;
        while (true) {
            const qint64 read = m_file.read(buffer.data() + filled, static_cast<qint64>(buffer.size() - m_padding - filled));
            if (read < 0) {
                failure = QStringLiteral("read error: %1").arg(m_file.errorString());
                break;
            }
            if (m_digest && read > 0)
                m_digest->update(buffer.data() + filled, static_cast<std::size_t>(read));
            filled += static_cast<std::size_t>(read);
            if (read == 0) {
                atEnd = true;
                length = filled;
                break;
            }
            if (filled + m_padding < buffer.size())
                continue; // a short read: fill the chunk
            if (const void *newline = memrchr(buffer.data(), '\n', filled)) {
                length = static_cast<std::size_t>(static_cast<const char *>(newline) - buffer.data()) + 1;
                break;
            }
            // One line fills the chunk: grow it, within the limit on a line's length.
            if (buffer.size() >= m_maximumLineBytes) {
                failure = QStringLiteral("line longer than %1 MB; skipped").arg(m_maximumLineBytes >> 20);
                break;
            }
            buffer.resize(buffer.size() * 2);
        }
        carry.assign(buffer.data() + length, filled - length);
        chunk->length = length;
        chunk->fileOffset = offset;
        offset += static_cast<qint64>(length);
        m_handOff.pushFull(chunk);
    }
    m_failure = failure;
    m_handOff.finish();
}

} // namespace chainsight

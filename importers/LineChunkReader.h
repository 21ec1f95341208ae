#pragma once

#include <QString>

#include "HandOff.h"

#include <array>
#include <atomic>
#include <cstddef>
#include <string>
#include <thread>

class QFile;

namespace chainsight {

class Sha256Stream;

// Reads a file of lines on its own thread in chunks that end on a line boundary, and hashes each chunk as it
// arrives, so the thread that takes the chunks only parses. Chunks are recycled; a line longer than a chunk grows
// one, up to a limit. Each chunk is followed by `padding` spare bytes (simdjson reads a little past a document).
class LineChunkReader final
{
public:
    struct Chunk
    {
        std::string buffer; // whole lines, then at least `padding` spare bytes
        std::size_t length = 0;
        qint64 fileOffset = 0;
    };

    // Reading stops early when `cancel` is set; `digest` (may be null) gets every byte of the file, in order.
    LineChunkReader(QFile &file, Sha256Stream *digest, const std::atomic_bool &cancel, std::size_t maximumLineBytes,
                    std::size_t padding);
    ~LineChunkReader();
    LineChunkReader(const LineChunkReader &) = delete;
    LineChunkReader &operator=(const LineChunkReader &) = delete;

    // The next chunk of whole lines, or nullptr at the end of the file or on a failure (see failure()).
    Chunk *next();
    void recycle(Chunk *chunk);
    // Read after next() returned nullptr: empty when the whole file was read.
    QString failure() const { return m_failure; }

private:
    static constexpr std::size_t chunkBytes = 2u << 20;

    void run();

    QFile &m_file;
    Sha256Stream *m_digest;
    const std::atomic_bool &m_cancel;
    const std::size_t m_maximumLineBytes;
    const std::size_t m_padding;
    std::array<Chunk, 4> m_chunks;
    HandOff<Chunk> m_handOff;
    QString m_failure; // written before the hand-off is finished, read after
    std::thread m_thread;
};

} // namespace chainsight

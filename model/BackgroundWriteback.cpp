#include "BackgroundWriteback.h"

#include <QFile>

#include <vector>

#if defined(__linux__)
#include <fcntl.h>
#include <unistd.h>
#endif

namespace chainsight {

BackgroundWriteback::BackgroundWriteback(QStringList paths, std::chrono::milliseconds interval)
    : m_paths(std::move(paths))
    , m_interval(interval)
{
#if defined(__linux__)
    m_thread = std::thread([this] { run(); });
#endif
}

BackgroundWriteback::~BackgroundWriteback()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    if (m_thread.joinable())
        m_thread.join();
}

void BackgroundWriteback::run()
{
#if defined(__linux__)
    // A file may not exist yet (the write-ahead log appears with the first write): it is opened when it does.
    std::vector<int> files(static_cast<std::size_t>(m_paths.size()), -1);
    std::unique_lock lock(m_mutex);
    while (!m_wake.wait_for(lock, m_interval, [this] { return m_stopping; })) {
        lock.unlock();
        for (qsizetype i = 0; i < m_paths.size(); ++i) {
            int &file = files[static_cast<std::size_t>(i)];
            if (file < 0)
                file = ::open(QFile::encodeName(m_paths[i]).constData(), O_RDONLY | O_CLOEXEC);
            if (file >= 0)
                ::sync_file_range(file, 0, 0, SYNC_FILE_RANGE_WRITE); // starts write-back; a failure only means no head start
        }
        lock.lock();
    }
    for (const int file : files)
        if (file >= 0)
            ::close(file);
#endif
}

} // namespace chainsight

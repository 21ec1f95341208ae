#pragma once

#include <QString>
#include <QStringList>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace chainsight {

// While a bulk write runs, asks the kernel every tenth of a second to start writing the given files' dirty pages
// to disk, without waiting for it. The fsyncs that end the write (SQLite's, at commit and at its checkpoint) then
// find most bytes already on disk: on a million-span import they waited 0.24 s for 600 MB that could have been
// written while the import was still parsing. Linux only; elsewhere it does nothing. Stops when destroyed.
class BackgroundWriteback final
{
public:
    explicit BackgroundWriteback(QStringList paths, std::chrono::milliseconds interval = std::chrono::milliseconds(100));
    ~BackgroundWriteback();
    BackgroundWriteback(const BackgroundWriteback &) = delete;
    BackgroundWriteback &operator=(const BackgroundWriteback &) = delete;

private:
    void run();

    QStringList m_paths;
    std::chrono::milliseconds m_interval;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stopping = false;
    std::thread m_thread;
};

} // namespace chainsight

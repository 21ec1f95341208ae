#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>

namespace chainsight {

// Recycled buffers passed from one producing thread to one consuming thread, in order. The producer takes a free
// buffer, fills it and pushes it; the consumer takes full ones and gives them back. The producer ends the exchange
// with finish() when it has no more; the consumer with close() when it stops early, which wakes a waiting producer.
template<typename Buffer>
class HandOff final
{
public:
    // Before either thread starts.
    void addFree(Buffer *buffer) { m_free.push_back(buffer); }

    // A free buffer, or nullptr once the consumer closed the exchange.
    Buffer *takeFree()
    {
        std::unique_lock lock(m_mutex);
        m_changed.wait(lock, [this] { return !m_free.empty() || m_closed; });
        if (m_closed)
            return nullptr;
        return pop(m_free);
    }
    void pushFull(Buffer *buffer) { push(m_full, buffer); }
    // The next full buffer, or nullptr once the producer finished and every buffer was taken.
    Buffer *takeFull()
    {
        std::unique_lock lock(m_mutex);
        m_changed.wait(lock, [this] { return !m_full.empty() || m_finished; });
        if (m_full.empty())
            return nullptr;
        return pop(m_full);
    }
    void giveBack(Buffer *buffer) { push(m_free, buffer); }
    void finish() { set(m_finished); }
    void close() { set(m_closed); }

private:
    static Buffer *pop(std::deque<Buffer *> &queue)
    {
        Buffer *buffer = queue.front();
        queue.pop_front();
        return buffer;
    }
    void push(std::deque<Buffer *> &queue, Buffer *buffer)
    {
        {
            std::lock_guard lock(m_mutex);
            queue.push_back(buffer);
        }
        m_changed.notify_all();
    }
    void set(bool &flag)
    {
        {
            std::lock_guard lock(m_mutex);
            flag = true;
        }
        m_changed.notify_all();
    }

    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::deque<Buffer *> m_free;
    std::deque<Buffer *> m_full;
    bool m_finished = false;
    bool m_closed = false;
};

} // namespace chainsight

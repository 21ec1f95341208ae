#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <utility>
#include <vector>

namespace chainsight {

// A 64-bit hash of an identifier (hex trace and span ids, agent ids): word at a time, with murmur's finaliser.
inline std::uint64_t idHash(std::string_view text)
{
    std::uint64_t hash = 0x9e3779b97f4a7c15ULL ^ text.size();
    std::size_t at = 0;
    for (; at + 8 <= text.size(); at += 8) {
        std::uint64_t word;
        std::memcpy(&word, text.data() + at, 8);
        hash = (hash ^ word) * 0xff51afd7ed558ccdULL;
        hash ^= hash >> 32;
    }
    std::uint64_t tail = 0;
    std::memcpy(&tail, text.data() + at, text.size() - at);
    hash ^= tail;
    hash ^= hash >> 33;
    hash *= 0xff51afd7ed558ccdULL;
    hash ^= hash >> 33;
    hash *= 0xc4ceb9fe1a85ec53ULL;
    hash ^= hash >> 33;
    return hash;
}

// 64-bit key to 32-bit value, open addressing in one flat array: no allocation per entry.
class FlatIdMap final
{
public:
    void assign(std::uint64_t key, std::uint32_t value)
    {
        if ((m_used + 1) * 2 > m_slots.size())
            grow();
        Slot &slot = m_slots[probe(nonZero(key))];
        if (slot.key == 0) {
            slot.key = nonZero(key);
            ++m_used;
        }
        slot.value = value;
    }
    // Starts loading the slot a key probes first: the table outgrows the caches, and a request's keys are known
    // before they are looked up.
    void prefetch(std::uint64_t key) const
    {
        if (!m_slots.empty())
            __builtin_prefetch(&m_slots[static_cast<std::size_t>(nonZero(key)) & (m_slots.size() - 1)]);
    }
    const std::uint32_t *find(std::uint64_t key) const
    {
        if (m_slots.empty())
            return nullptr;
        const Slot &slot = m_slots[probe(nonZero(key))];
        return slot.key == 0 ? nullptr : &slot.value;
    }

private:
    struct Slot
    {
        std::uint64_t key = 0; // 0: empty
        std::uint32_t value = 0;
    };
    static std::uint64_t nonZero(std::uint64_t key) { return key == 0 ? 1 : key; }
    std::size_t probe(std::uint64_t key) const
    {
        const std::size_t mask = m_slots.size() - 1;
        std::size_t at = static_cast<std::size_t>(key) & mask;
        while (m_slots[at].key != 0 && m_slots[at].key != key)
            at = (at + 1) & mask;
        return at;
    }
    void grow()
    {
        std::vector<Slot> old = std::exchange(m_slots, std::vector<Slot>(std::max<std::size_t>(1024, m_slots.size() * 2)));
        for (const Slot &slot : old)
            if (slot.key != 0)
                m_slots[probe(slot.key)] = slot;
    }
    std::vector<Slot> m_slots;
    std::size_t m_used = 0;
};

} // namespace chainsight

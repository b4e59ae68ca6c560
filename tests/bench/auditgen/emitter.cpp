// SPDX-License-Identifier: Apache-2.0
#include "emitter.h"

#include <algorithm>
#include <cstdint>

namespace auditgen {

Emitter::Emitter(std::vector<FILE*> files)
{
    for (FILE* f : files) {
        m_servers.push_back(Server{f, {}, {}});
        m_servers.back().out.reserve(kFlushAt + (1u << 20));
    }
}

Buf& Emitter::open(int server, int64_t ts)
{
    uint32_t slot;
    if (m_free.empty()) {
        slot = static_cast<uint32_t>(m_lines.size());
        m_lines.emplace_back();
    } else {
        slot = m_free.back();
        m_free.pop_back();
    }
    auto& heap = m_servers[static_cast<size_t>(server)].heap;
    heap.push_back(Pending{ts, m_seq++, slot});
    std::push_heap(heap.begin(), heap.end(), later);
    Buf& line = m_lines[slot];
    line.clear();
    return line;
}

void Emitter::flushUntil(int64_t ts)
{
    for (auto& s : m_servers) {
        while (!s.heap.empty() && s.heap.front().ts <= ts) {
            std::pop_heap(s.heap.begin(), s.heap.end(), later);
            const uint32_t slot = s.heap.back().slot;
            s.heap.pop_back();
            s.out += m_lines[slot];
            m_free.push_back(slot);
            if (s.out.size() >= kFlushAt)
                write(s);
        }
    }
}

bool Emitter::finish()
{
    flushUntil(INT64_MAX);
    for (auto& s : m_servers) {
        write(s);
        if (std::fflush(s.file) != 0)
            m_ok = false;
    }
    return m_ok;
}

void Emitter::write(Server& s)
{
    if (!s.out.empty() && std::fwrite(s.out.data(), 1, s.out.size(), s.file) != s.out.size())
        m_ok = false;
    s.out.clear();
}

} // namespace auditgen

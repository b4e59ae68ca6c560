// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "jsonwriter.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <vector>

namespace auditgen {

/// Writes rendered events to one file per API server, each strictly ordered by
/// stageTimestamp, and counts events and bytes for the --size/--events limits.
///
/// Events are rendered as soon as their request is generated, but a request's later stages
/// (a watch closing ten minutes later) must appear later in the file. Each server therefore
/// keeps a min-heap of rendered-but-pending lines; everything at or before the generator's
/// clock is safe to write because no future request can produce an earlier event.
class Emitter
{
public:
    explicit Emitter(std::vector<FILE*> files);

    /// An empty line buffer for one event of `server` at time `ts`; fill it, then call close().
    Buf& open(int server, int64_t ts);
    /// Counts a filled line (events and bytes).
    void close(const Buf& line)
    {
        ++events;
        bytes += line.size();
    }

    /// Writes every pending event at or before `ts`.
    void flushUntil(int64_t ts);
    /// Writes everything still pending; false on I/O error.
    bool finish();

    size_t serverCount() const { return m_servers.size(); }

    uint64_t events = 0; // events rendered so far (written or pending)
    uint64_t bytes = 0;

private:
    static constexpr size_t kFlushAt = 8u << 20;
    struct Pending
    {
        int64_t ts;
        uint64_t seq; // tie-break keeps equal timestamps in generation order
        uint32_t slot;
    };
    struct Server
    {
        FILE* file;
        Buf out;
        std::vector<Pending> heap;
    };
    static bool later(const Pending& a, const Pending& b)
    {
        return a.ts != b.ts ? a.ts > b.ts : a.seq > b.seq;
    }
    void write(Server& s);

    std::vector<Server> m_servers;
    std::vector<Buf> m_lines; // pooled line buffers, reused to avoid per-event allocation
    std::vector<uint32_t> m_free;
    uint64_t m_seq = 0;
    bool m_ok = true;
};

} // namespace auditgen

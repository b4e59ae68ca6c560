// SPDX-License-Identifier: Apache-2.0
#include "chunkfeed.h"

namespace auditscope {

ChunkFeed::ChunkFeed(std::size_t sources, std::size_t preludeBytes, bool wantPrelude)
    : m_complete(sources, 0)
    , m_sourceOutsidePrelude(sources, 0)
    , m_preludeBytes(preludeBytes)
    , m_preludeOpen(wantPrelude)
    , m_preludeShown(!wantPrelude)
{ }

ChunkFeed::Work ChunkFeed::take(const std::stop_token& stop)
{
    std::unique_lock lock(m_mutex);
    for (;;) {
        if (stop.stop_requested())
            return {};
        for (std::deque<std::uint32_t>* queue : {&m_preludeReady, &m_ready}) {
            if (!queue->empty()) {
                const std::uint32_t index = queue->front();
                queue->pop_front();
                return Work{WorkKind::Parse, index, m_chunks[index]};
            }
        }
        // Until the first snapshot is out, one source opens at a time. Opening a gzip source
        // decompresses all of it: with every worker doing that, none would parse the first
        // chunks (four 8 GB .gz files showed their first rows after 17 s instead of at once).
        const bool mayOpen = m_preludeShown || m_opening == 0;
        if (m_nextSource < m_complete.size() && mayOpen) {
            ++m_opening;
            return Work{WorkKind::Open, static_cast<std::uint32_t>(m_nextSource++), {}};
        }
        if (m_completeSources == m_complete.size() && m_held.empty())
            return {};
        m_wake.wait_for(lock, std::chrono::milliseconds(50)); // the timeout notices a stop
    }
}

void ChunkFeed::closePreludeIfDone()
{
    if (m_preludeOpen
        && (m_preludeTaken >= m_preludeBytes || m_completeSources == m_complete.size()))
        m_preludeOpen = false;
}

std::uint32_t ChunkFeed::publish(Chunk chunk)
{
    const std::lock_guard lock(m_mutex);
    const auto index = static_cast<std::uint32_t>(m_chunks.size());
    // The prelude takes chunks in source order: those of a source whose predecessors are all
    // complete, as long as none of its chunks went elsewhere (line numbers in a first snapshot
    // need every earlier chunk of the source).
    bool earlierComplete = true;
    for (std::size_t s = 0; s < chunk.source && earlierComplete; ++s)
        earlierComplete = m_complete[s] != 0;
    chunk.prelude = m_preludeOpen && earlierComplete && !m_sourceOutsidePrelude[chunk.source];
    if (chunk.prelude) {
        m_preludeTaken += chunk.end - chunk.begin;
        ++m_preludeChunks;
        m_preludeReady.push_back(index);
    } else {
        m_sourceOutsidePrelude[chunk.source] = 1;
        if (m_preludeChunks > 0)
            m_preludeOpen = false; // a later source is ahead: the prelude has what it has
        if (m_preludeShown)
            m_ready.push_back(index);
        else
            m_held.push_back(index);
    }
    closePreludeIfDone();
    m_chunks.push_back(chunk);
    m_lines.push_back(0);
    m_done.push_back(0);
    m_wake.notify_all();
    return index;
}

void ChunkFeed::sourceComplete(std::uint16_t source)
{
    const std::lock_guard lock(m_mutex);
    if (!m_complete[source]) {
        m_complete[source] = 1;
        ++m_completeSources;
        if (m_opening > 0)
            --m_opening;
    }
    closePreludeIfDone();
    m_wake.notify_all();
}

void ChunkFeed::chunkParsed(std::uint32_t index, std::uint32_t lines)
{
    const std::lock_guard lock(m_mutex);
    m_lines[index] = lines;
    m_done[index] = 1;
    if (m_chunks[index].prelude)
        ++m_preludeParsed;
    m_wake.notify_all();
}

bool ChunkFeed::preludeParsed()
{
    const std::lock_guard lock(m_mutex);
    return !m_preludeOpen && m_preludeParsed == m_preludeChunks;
}

bool ChunkFeed::moreThanPrelude()
{
    const std::lock_guard lock(m_mutex);
    return m_completeSources < m_complete.size() || m_chunks.size() > m_preludeChunks;
}

void ChunkFeed::preludeShown()
{
    const std::lock_guard lock(m_mutex);
    m_preludeOpen = false;
    m_preludeShown = true;
    m_ready.insert(m_ready.end(), m_held.begin(), m_held.end());
    m_held.clear();
    m_wake.notify_all();
}

void ChunkFeed::waitForChange(std::chrono::milliseconds wait)
{
    std::unique_lock lock(m_mutex);
    m_wake.wait_for(lock, wait);
}

std::vector<std::uint64_t> ChunkFeed::lineBases()
{
    const std::lock_guard lock(m_mutex);
    std::vector<std::uint64_t> bases(m_chunks.size(), 0);
    std::vector<std::uint64_t> running(m_complete.size(), 0);
    for (std::size_t c = 0; c < m_chunks.size(); ++c) {
        bases[c] = running[m_chunks[c].source];
        running[m_chunks[c].source] += m_lines[c];
    }
    return bases;
}

} // namespace auditscope

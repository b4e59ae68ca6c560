// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <stop_token>
#include <vector>

namespace auditscope {

/// A byte range of one source for one parse job.
struct Chunk
{
    std::uint16_t source = 0;
    std::size_t begin = 0, end = 0;
    bool wholeDocument = false; ///< the range is one JSON document, not lines
    bool prelude = false; ///< parsed first, into its own segment, for the first snapshot
};

/// The work of a load as it becomes known, shared by the load's workers: sources to open, and
/// the chunks the opened sources publish (a plain file all at once, a gzip file step by step
/// while it decompresses, so parsing starts long before the last byte is inflated).
///
/// The prelude: the first chunks, in source order, up to `preludeBytes`, each parsed into a
/// segment of its own so the first rows can be shown while the rest loads. Other chunks wait
/// until the first snapshot is out (preludeShown()), as before a load was parallel. Thread-safe.
class ChunkFeed
{
public:
    ChunkFeed(std::size_t sources, std::size_t preludeBytes, bool wantPrelude);

    enum class WorkKind { Parse, Open, Finished };
    struct Work
    {
        WorkKind kind = WorkKind::Finished;
        std::uint32_t index = 0; ///< the chunk to parse, or the source to open
        Chunk chunk; ///< for Parse: a copy of the chunk
    };
    /// The next job: a chunk to parse (first), else a source to open, else waits until one of
    /// those appears or everything is done (or a stop is requested: Finished).
    Work take(const std::stop_token& stop);

    /// Adds a chunk of `chunk.source`, in order within its source. Returns its index.
    std::uint32_t publish(Chunk chunk);
    /// The source published its last chunk (or failed to open).
    void sourceComplete(std::uint16_t source);
    /// A Parse job is done: the chunk had `lines` lines.
    void chunkParsed(std::uint32_t index, std::uint32_t lines);

    /// True once the prelude is closed and parsed (possibly with no chunk at all).
    bool preludeParsed();
    /// True if chunks other than the prelude's exist or may still come.
    bool moreThanPrelude();
    /// The first snapshot is out (or will not be made): the other chunks may be parsed.
    void preludeShown();
    /// Waits until something changes (a chunk parsed or published, a source complete) or `wait`
    /// passes.
    void waitForChange(std::chrono::milliseconds wait);
    /// Per chunk, the lines before it in its source, as far as the parsed chunks tell.
    std::vector<std::uint64_t> lineBases();

    /// After the workers stopped: every chunk, its line count, and whether it was parsed.
    const std::vector<Chunk>& chunks() const { return m_chunks; }
    const std::vector<std::uint32_t>& chunkLines() const { return m_lines; }
    const std::vector<std::uint8_t>& chunkDone() const { return m_done; }
    /// Every source completed (none was left unopened or half decompressed by a stop).
    bool allSourcesComplete() const { return m_completeSources == m_complete.size(); }

private:
    void closePreludeIfDone();

    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::vector<Chunk> m_chunks;
    std::vector<std::uint32_t> m_lines;
    std::vector<std::uint8_t> m_done;
    std::vector<std::uint8_t> m_complete; // per source
    std::size_t m_completeSources = 0;
    std::deque<std::uint32_t> m_preludeReady; // prelude chunks not taken yet (taken first)
    std::deque<std::uint32_t> m_ready; // other chunks that may be parsed now
    std::vector<std::uint32_t> m_held; // other chunks, until preludeShown()
    std::vector<std::uint8_t> m_sourceOutsidePrelude; // published a chunk outside the prelude
    std::size_t m_nextSource = 0; // the first source not opened
    std::size_t m_opening = 0; // sources being opened (taken, not complete)
    std::size_t m_preludeBytes;
    std::size_t m_preludeTaken = 0; // bytes of the chunks in the prelude
    std::size_t m_preludeChunks = 0, m_preludeParsed = 0;
    bool m_preludeOpen; // still takes chunks
    bool m_preludeShown; // non-prelude chunks may be parsed
};

} // namespace auditscope

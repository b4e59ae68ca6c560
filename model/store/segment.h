// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/enums.h"
#include "source/diagnostic.h"
#include "store/eventstore.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace auditscope {

/// Events parsed by one worker thread, with ids local to this segment's own pools.
/// The store builder later maps local ids to global ones. Owned by one thread while filled.
struct Segment
{
    /// A run of events that came from one chunk (line numbers are chunk-relative until the
    /// builder knows where each chunk starts).
    struct ChunkRun
    {
        std::uint32_t chunk;
        std::uint32_t firstEvent;
        std::uint32_t firstDiagnostic;
    };

    StringPools pools;
    StringPool groupSetKeys; ///< key: local GroupIds as bytes -> local GroupSetId
    std::vector<std::uint32_t> groupSetOffsets{0};
    std::vector<std::uint32_t> groupSetMembers; ///< local GroupIds

    std::vector<std::int64_t> timeNs, stageTimeNs;
    std::vector<Stage> stage;
    std::vector<Level> level;
    std::vector<std::uint8_t> flags;
    std::vector<std::uint16_t> code;
    std::vector<std::uint32_t> verb, user, groupSet, impersonatedUser, sourceIp, userAgent,
        apiGroup, apiVersion, resource, subresource, namespaceId, name, decision, auditId;
    /// sourceIPs entries after the first, as (segment row, local id), in row order.
    std::vector<std::pair<std::uint32_t, std::uint32_t>> extraSourceIps;
    std::vector<std::uint16_t> source;
    std::vector<std::uint32_t> line; ///< chunk-relative (0-based) until fixed up
    std::vector<std::uint64_t> rawOffset;
    std::vector<std::uint32_t> rawLength;

    /// Lines of one chunk that hold another Kubernetes object (kind Pod, ...): the load report
    /// turns them into one warning per source.
    struct ForeignObjects
    {
        std::uint32_t chunk;
        std::uint32_t firstLine; ///< chunk-relative, 0-based
        std::uint16_t source;
        std::uint64_t count;
        std::string kind; ///< of the first, quoted safely
    };

    std::vector<ChunkRun> runs;
    std::vector<Diagnostic> diagnostics; ///< line is chunk-relative until fixed up
    /// Bad lines not kept as diagnostics, per source (see EventParser's diagnostic limit).
    std::vector<std::uint64_t> omittedDiagnostics;
    /// Warnings and notes not kept, per source.
    std::vector<std::uint64_t> omittedWarnings, omittedNotes;
    std::uint64_t errorCount = 0; ///< bad lines seen, kept as diagnostics or not
    std::vector<ForeignObjects> foreignObjects;

    std::size_t size() const { return timeNs.size(); }
    /// Bad lines seen, kept as diagnostics or not.
    std::uint64_t badLineCount() const { return errorCount; }
    /// Room for `events` more without reallocating (avoids copying and re-faulting columns).
    void reserve(std::size_t events)
    {
        const std::size_t n = size() + events;
        timeNs.reserve(n), stageTimeNs.reserve(n), stage.reserve(n), level.reserve(n);
        flags.reserve(n), code.reserve(n), source.reserve(n), line.reserve(n);
        rawOffset.reserve(n), rawLength.reserve(n);
        for (auto* ids :
            {&verb, &user, &groupSet, &impersonatedUser, &sourceIp, &userAgent, &apiGroup,
                &apiVersion, &resource, &subresource, &namespaceId, &name, &decision, &auditId})
            ids->reserve(n);
        // A request logs about two events (RequestReceived, ResponseComplete) with one auditID.
        pools.auditIds.reserve(pools.auditIds.size() + events / 2);
    }
};

/// Turns the chunk-relative line numbers of `segment`'s events and diagnostics into 1-based
/// line numbers of their sources, given the lines before each chunk, and forgets the runs.
inline void makeLinesAbsolute(Segment& segment, const std::vector<std::uint64_t>& chunkLineBase)
{
    for (std::size_t r = 0; r < segment.runs.size(); ++r) {
        const Segment::ChunkRun& run = segment.runs[r];
        const bool last = r + 1 == segment.runs.size();
        const std::size_t eventEnd = last ? segment.size() : segment.runs[r + 1].firstEvent;
        const std::size_t diagEnd =
            last ? segment.diagnostics.size() : segment.runs[r + 1].firstDiagnostic;
        const std::uint64_t base = chunkLineBase[run.chunk] + 1; // lines are 1-based
        for (std::size_t e = run.firstEvent; e < eventEnd; ++e)
            segment.line[e] = static_cast<std::uint32_t>(segment.line[e] + base);
        for (std::size_t d = run.firstDiagnostic; d < diagEnd; ++d)
            segment.diagnostics[d].line += base;
    }
    segment.runs.clear();
}

} // namespace auditscope

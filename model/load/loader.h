// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "source/diagnostic.h"
#include "store/eventstore.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <stop_token>
#include <string>
#include <vector>

namespace auditscope {

/// Where a load stands; published at most every `progressInterval`.
struct LoadProgress
{
    std::uint64_t bytesDone = 0;
    std::uint64_t bytesTotal = 0; ///< known once sources are open (decompressed size)
    std::uint64_t events = 0;
    std::uint64_t badLines = 0;
    double elapsedSeconds = 0;
    double etaSeconds = -1; ///< -1 while unknown
};

/// Events of one source that were byte-identical copies of events kept from another source
/// (or from earlier in the same source).
struct DuplicateCount
{
    std::uint32_t keptSource = 0; ///< index into LoadReport::sources
    std::uint64_t events = 0;
};

/// What happened to one source.
struct SourceReport
{
    std::string path;
    std::uint64_t events = 0; ///< events read from this source, duplicates included
    std::uint64_t duplicates = 0; ///< of `events`: copies of events already loaded, kept once
    std::vector<DuplicateCount> duplicatesOf; ///< the duplicates by kept source, ascending
    std::uint64_t badLines = 0;
    std::uint64_t warnings = 0, notes = 0; ///< about events that loaded (not bad lines)
    std::uint64_t bytes = 0; ///< decompressed bytes
    bool compressed = false;
    std::string error; ///< whole-source problem (missing file, corrupt gzip, ...)
    std::int64_t firstTimeNs = 0, lastTimeNs = 0; ///< valid when events > 0
};

/// The load report: per source counts and the bad-line diagnostics (the first
/// `maxDiagnosticsPerSource` of each source; the rest are counted in diagnosticsOmitted).
struct LoadReport
{
    std::vector<SourceReport> sources;
    std::vector<Diagnostic> diagnostics; ///< sorted by source, then line
    std::uint64_t badLines = 0; ///< errors: lines that did not load
    std::uint64_t warnings = 0, notes = 0; ///< about data that loaded (flagged / as it is)
    std::uint64_t duplicates = 0; ///< byte-identical copies kept once (sum over sources)
    std::uint64_t diagnosticsOmitted = 0;
    std::uint64_t bytes = 0;
    bool cancelled = false;
    double seconds = 0;
    double firstSnapshotSeconds = -1; ///< when the first partial snapshot was published
    /// Where the time went (for `auditscope-cli bench`): opening/decompressing, parsing,
    /// merging into one time-ordered store, building indexes.
    double openSeconds = 0, parseSeconds = 0, mergeSeconds = 0, indexSeconds = 0;
};

struct LoadResult
{
    EventStorePtr store; ///< never null (empty store when nothing loaded)
    LoadReport report;
};

struct LoadOptions
{
    unsigned threads = 0; ///< 0 = hardware concurrency
    std::size_t chunkBytes = 4 << 20; ///< unit of parallel work
    std::size_t preludeBytes = 8 << 20; ///< parsed first, for the first snapshot
    std::size_t maxDiagnosticsPerSource = 1000;
    std::chrono::milliseconds progressInterval{100};
    std::function<void(const LoadProgress&)> onProgress; ///< called on the loading thread
    std::function<void(EventStorePtr)> onPartialSnapshot; ///< first rows, before indexing
};

/// Opens and parses every path (files, folders, globs) in parallel and returns one indexed,
/// time-ordered store. Runs on the calling thread (plus workers); never throws for bad input.
/// A stop request ends the load early and keeps what was parsed (report.cancelled).
LoadResult loadAuditLogs(const std::vector<std::string>& paths, std::stop_token stop = {},
    const LoadOptions& options = {});

/// The same, for buffers already in memory (name is used as the source path).
LoadResult loadAuditBuffers(const std::vector<std::pair<std::string, std::string>>& namedContents,
    std::stop_token stop = {}, const LoadOptions& options = {});

} // namespace auditscope

// SPDX-License-Identifier: Apache-2.0
// Parsing a buffer the way the loader does, but on the calling thread and with a chosen chunk
// size: loadAuditBuffers() waits for its workers in 10 ms steps, which would cap a fuzz target
// at about 100 inputs per second.
#pragma once

#include "source/sourcebuffer.h"
#include "store/eventstore.h"
#include "store/segment.h"

#include <cstddef>
#include <memory>

namespace auditscope::fuzz {

/// Parses `buffer` line by line, cut into chunks of about `chunkBytes` (each ends after a
/// newline, as the loader cuts them), with one EventParser, into `segment` (source 0). Line
/// numbers are made absolute, as the loader does before building a store.
void parseInChunks(
    const std::shared_ptr<const SourceBuffer>& buffer, std::size_t chunkBytes, Segment& segment);

/// Parses `buffer` as one JSON document (a pretty-printed Event or EventList) into `segment`,
/// with absolute line numbers. False, leaving `segment` untouched, when it is not one.
bool parseWholeDocument(const std::shared_ptr<const SourceBuffer>& buffer, Segment& segment);

/// Builds the indexed store of one parsed source (what the loader publishes).
EventStorePtr buildStore(const Segment& segment, std::shared_ptr<const SourceBuffer> buffer);

/// Reads every event back as the CLI's `events` command and the query engine do: each event
/// (at most `maxEvents`) as jsonl and TSV, then a few fixed queries, whose results must equal
/// the brute-force evaluator's. Aborts on a difference.
void exerciseStore(const EventStorePtr& store, std::size_t maxEvents = 64);

} // namespace auditscope::fuzz

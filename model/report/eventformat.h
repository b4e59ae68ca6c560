// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "report/rawfieldreader.h"
#include "store/eventstore.h"

#include <string>

namespace auditscope {

/// Output formats of `auditscope-cli events`.
enum class EventFormat { Jsonl, Tsv, Raw };

/// The column names of the jsonl keys and the TSV header, in order.
std::string tsvHeader();

/// Appends one event, newline-terminated, in `format`.
void appendEvent(std::string& out, const EventStore& store, EventId id, EventFormat format,
    RawFieldReader& reader);

} // namespace auditscope

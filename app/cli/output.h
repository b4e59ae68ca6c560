// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "load/loader.h"

#include <cstdio>
#include <string_view>

namespace auditscope::cli {

/// Writes `text` to `stream` as it is (embedded NULs included).
void writeAll(std::string_view text, std::FILE* stream = stdout);

/// Prints the load's diagnostics to stderr, "file:line:column: message" each, then how many
/// more there were. Problems go to stderr so that stdout stays machine-readable.
void printDiagnostics(const LoadReport& report);

/// NothingLoadable when no event loaded, LoadedWithBadLines when some lines were bad or some
/// source could not be read, else Success.
int loadExitCode(const LoadResult& result);

/// If no event loaded, says so on stderr, naming the sources (the first three).
void sayIfNothingLoaded(const LoadResult& result);

/// Prints the load's diagnostics, and that nothing loaded if so, to stderr; returns
/// loadExitCode(result).
int reportLoad(const LoadResult& result);

/// Flushes stdout; UsageError if that failed, else `loadCode`.
int finishOutput(int loadCode);

} // namespace auditscope::cli

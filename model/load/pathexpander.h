// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <vector>

namespace auditscope {

/// One input the user named, resolved to a file (or an error about it).
struct ExpandedPath
{
    std::string path;
    std::string error; ///< non-empty: the path could not be used (missing, empty folder, ...)
};

/// Turns files, folders and glob patterns into a list of files. Folders are searched
/// recursively for audit-log-looking files (*.log, *.json, *.jsonl, *.gz and rotated names such
/// as audit-2025-03-14T09-26-53.589.log.gz), sorted by path so rotated backups come in
/// chronological order. Duplicates are removed.
std::vector<ExpandedPath> expandPaths(const std::vector<std::string>& inputs);

} // namespace auditscope

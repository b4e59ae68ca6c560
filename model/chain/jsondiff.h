// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "chain/jsonvalue.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace auditscope {

/// One difference between two JSON documents.
struct JsonChange
{
    enum class Kind : std::uint8_t { Added, Removed, Changed };
    Kind kind = Kind::Changed;
    /// RFC 6901 JSON Pointer of the value (`/spec/replicas`, `/metadata/labels/app`); "" is the
    /// whole document (an object created or deleted).
    std::string path;
    std::string oldValue; ///< compact JSON; empty for Added
    std::string newValue; ///< compact JSON; empty for Removed
};

std::string_view jsonChangeKindName(JsonChange::Kind kind); ///< "added", "removed", "changed"

struct DiffOptions
{
    /// Leave out bookkeeping that changes on every write: `metadata.resourceVersion` and
    /// `metadata.managedFields` (also stripped from whole-object values).
    bool suppressNoise = true;
    /// More JSON Pointers to leave out (with everything below them).
    std::vector<std::string> ignoredPaths;
};

/// The pointers suppressNoise leaves out.
const std::vector<std::string>& noisePaths();

/// Differences from `before` to `after`, depth first in document order. Either may be null
/// (object created: one Added change at ""; deleted: one Removed change at ""). Objects are
/// compared by key; arrays element by element at the same index (extra elements are Added or
/// Removed at their own index). A change of type (object to string, ...) is one Changed entry.
std::vector<JsonChange> diffJson(
    const JsonValue* before, const JsonValue* after, const DiffOptions& options = {});

/// `value` without the paths the options leave out (for showing a whole object).
JsonValue withoutIgnored(const JsonValue& value, const DiffOptions& options);

/// Applies an RFC 6902 JSON Patch (an array of operations) to `doc`. All or nothing: on error
/// `doc` is unchanged and `error` (if given) says which operation failed.
bool applyJsonPatch(JsonValue& doc, const JsonValue& patch, std::string* error = nullptr);

/// Applies an RFC 7386 JSON Merge Patch to `doc` (null removes a member; arrays replace).
void applyMergePatch(JsonValue& doc, const JsonValue& patch);

} // namespace auditscope

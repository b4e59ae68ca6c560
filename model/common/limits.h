// SPDX-License-Identifier: Apache-2.0
#pragma once

namespace auditscope {

/// Bounds on user-controlled nesting. Input comes from logs a compromised cluster may have
/// shaped and from what a user types; code that recurses over either stops at these depths with
/// a located message instead of overflowing the stack.

/// Deepest JSON nesting read inside an event (bodies included). Kubernetes objects stay far
/// below it; deeper parts of a body load with a note and are searched only down to this depth.
inline constexpr int MaxJsonDepth = 512;

/// Deepest nesting of a query: parentheses, `field:(…)` groups and `not`/`!`/`-` prefixes.
inline constexpr int MaxQueryNesting = 256;

} // namespace auditscope

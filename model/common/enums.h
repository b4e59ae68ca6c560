// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace auditscope {

/// Audit stages (spec §7). Unknown means the event had no `stage` key.
enum class Stage : std::uint8_t {
    Unknown,
    RequestReceived,
    ResponseStarted,
    ResponseComplete,
    Panic
};
inline constexpr int StageCount = 5;

/// Audit levels in their order of detail (spec §6). Unknown means no `level` key.
enum class Level : std::uint8_t { Unknown, None, Metadata, Request, RequestResponse };
inline constexpr int LevelCount = 5;

std::string_view stageName(Stage stage);
std::string_view levelName(Level level);
/// Exact, case-sensitive parse as kube-apiserver writes them; nullopt for anything else.
std::optional<Stage> parseStage(std::string_view text);
std::optional<Level> parseLevel(std::string_view text);

/// Per-event flags, one byte.
enum EventFlag : std::uint8_t {
    HasObjectRef = 1 << 0, ///< a resource request (spec §5.1)
    HasRequestObject = 1 << 1, ///< requestObject was logged
    HasResponseObject = 1 << 2, ///< responseObject was logged
    Truncated = 1 << 3, ///< annotation audit.k8s.io/truncated: "true"
    NoUser = 1 << 4, ///< `user: {}`: failed authentication or bad timeout
    FromEventList = 1 << 5, ///< an item of an EventList
    HasResponseStatus = 1 << 6, ///< responseStatus present (code may still be absent)
    LoadedWithWarnings = 1 << 7, ///< loaded despite odd values (a load-report warning says which)
};

} // namespace auditscope

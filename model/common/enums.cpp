// SPDX-License-Identifier: Apache-2.0
#include "enums.h"

#include <array>

namespace auditscope {

namespace {
constexpr std::array<std::string_view, StageCount> StageNames = {
    "", "RequestReceived", "ResponseStarted", "ResponseComplete", "Panic"};
constexpr std::array<std::string_view, LevelCount> LevelNames = {
    "", "None", "Metadata", "Request", "RequestResponse"};
} // namespace

std::string_view stageName(Stage stage)
{
    return StageNames[static_cast<std::size_t>(stage)];
}

std::string_view levelName(Level level)
{
    return LevelNames[static_cast<std::size_t>(level)];
}

std::optional<Stage> parseStage(std::string_view text)
{
    for (std::size_t i = 1; i < StageNames.size(); ++i) {
        if (StageNames[i] == text)
            return static_cast<Stage>(i);
    }
    return std::nullopt;
}

std::optional<Level> parseLevel(std::string_view text)
{
    for (std::size_t i = 1; i < LevelNames.size(); ++i) {
        if (LevelNames[i] == text)
            return static_cast<Level>(i);
    }
    return std::nullopt;
}

} // namespace auditscope

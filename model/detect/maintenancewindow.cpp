// SPDX-License-Identifier: Apache-2.0
#include "detect/maintenancewindow.h"

#include <array>
#include <cctype>
#include <charconv>

namespace auditscope {

namespace {

constexpr std::array<std::string_view, 7> DayNames = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"};
constexpr std::int64_t MinuteNs = 60'000'000'000;
constexpr std::int64_t DayMinutes = 24 * 60;

std::string lowered(std::string_view text)
{
    std::string out(text);
    for (char& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// "Mon", "monday", "daily" → 0 … 6, -1 (every day); nullopt otherwise.
std::optional<int> parseDay(std::string_view text)
{
    const std::string day = lowered(text);
    if (day == "daily")
        return -1;
    for (std::size_t i = 0; i < DayNames.size(); ++i) {
        if (day == DayNames[i] || (day.size() == 3 && DayNames[i].substr(0, 3) == day))
            return static_cast<int>(i);
    }
    return std::nullopt;
}

// "HH:MM" → minutes after midnight (24:00 allowed); nullopt otherwise.
std::optional<int> parseClock(std::string_view text)
{
    if (text.size() != 5 || text[2] != ':')
        return std::nullopt;
    int hours = -1, minutes = -1;
    const auto h = std::from_chars(text.data(), text.data() + 2, hours);
    const auto m = std::from_chars(text.data() + 3, text.data() + 5, minutes);
    if (h.ec != std::errc() || h.ptr != text.data() + 2 || m.ec != std::errc()
        || m.ptr != text.data() + 5 || minutes < 0 || minutes > 59 || hours < 0 || hours > 24
        || (hours == 24 && minutes != 0))
        return std::nullopt;
    return hours * 60 + minutes;
}

std::string_view trimmed(std::string_view text)
{
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
        text.remove_prefix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
        text.remove_suffix(1);
    return text;
}

// Whether minute `minute` of weekday `weekday` lies in `w`.
bool inside(const MaintenanceWindow& w, int weekday, int minute)
{
    const bool today = w.weekday < 0 || w.weekday == weekday;
    if (w.endMinute > w.startMinute)
        return today && minute >= w.startMinute && minute < w.endMinute;
    // Runs past midnight: the evening part on its day, the morning part on the next.
    const bool yesterday = w.weekday < 0 || (w.weekday + 1) % 7 == weekday;
    return (today && minute >= w.startMinute) || (yesterday && minute < w.endMinute);
}

} // namespace

std::optional<MaintenanceWindow> parseMaintenanceWindow(std::string_view text, std::string* error)
{
    auto fail = [&](std::string message) -> std::optional<MaintenanceWindow> {
        if (error)
            *error = std::move(message);
        return std::nullopt;
    };
    text = trimmed(text);
    const std::size_t space = text.find(' ');
    if (space == std::string_view::npos)
        return fail("expected a maintenance window like 'Sat 02:00-06:00' or 'daily 03:00-04:00'");
    const auto day = parseDay(text.substr(0, space));
    if (!day)
        return fail("unknown day '" + std::string(text.substr(0, space))
            + "': expected Mon … Sun or daily");
    const std::string_view span = trimmed(text.substr(space + 1));
    const std::size_t dash = span.find('-');
    const auto start = parseClock(trimmed(span.substr(0, dash)));
    const auto end =
        dash == std::string_view::npos ? std::nullopt : parseClock(trimmed(span.substr(dash + 1)));
    if (!start || !end || *start == DayMinutes)
        return fail("expected a time span like 02:00-06:00 (UTC) after the day");
    if (*start == *end)
        return fail("the window is empty: its start and end are the same");
    return MaintenanceWindow{*day, *start, *end};
}

MaintenanceSchedule::MaintenanceSchedule(const std::vector<std::string>& windows)
{
    for (const std::string& text : windows) {
        if (auto w = parseMaintenanceWindow(text))
            m_windows.push_back(*w);
    }
}

bool MaintenanceSchedule::contains(std::int64_t timeNs) const
{
    if (m_windows.empty())
        return false;
    // Floor division: times before 1970 still fall on the right minute and day.
    std::int64_t minutes = timeNs / MinuteNs;
    if (timeNs % MinuteNs < 0)
        --minutes;
    std::int64_t days = minutes / DayMinutes;
    if (minutes % DayMinutes < 0)
        --days;
    const int minute = static_cast<int>(minutes - days * DayMinutes);
    // 1970-01-01 was a Thursday (3 with Monday = 0).
    const int weekday = static_cast<int>(((days + 3) % 7 + 7) % 7);
    for (const MaintenanceWindow& w : m_windows) {
        if (inside(w, weekday, minute))
            return true;
    }
    return false;
}

} // namespace auditscope

// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace auditscope {

/// One weekly (or daily) maintenance window, UTC: "Sat 02:00-06:00", "daily 03:00-04:00". A
/// window whose end is not after its start runs past midnight ("Sun 23:00-01:00" ends on
/// Monday); "24:00" is the end of the day. The start is inside, the end is not.
struct MaintenanceWindow
{
    int weekday = -1; ///< 0 = Monday … 6 = Sunday; -1 = every day
    int startMinute = 0, endMinute = 0; ///< minutes after midnight; end may be 1440
};

/// Parses "Sat 02:00-06:00" / "daily 03:00-04:00" (day names in three letters or in full, any
/// case). nullopt with `error` set for anything else.
std::optional<MaintenanceWindow> parseMaintenanceWindow(
    std::string_view text, std::string* error = nullptr);

/// The maintenance windows of DetectionSettings, parsed once (unparseable entries are left
/// out: the rules reader reports them).
class MaintenanceSchedule final
{
public:
    MaintenanceSchedule() = default;
    explicit MaintenanceSchedule(const std::vector<std::string>& windows);
    bool empty() const { return m_windows.empty(); }
    /// Whether `timeNs` (ns since the epoch, UTC) lies inside one of the windows.
    bool contains(std::int64_t timeNs) const;

private:
    std::vector<MaintenanceWindow> m_windows;
};

} // namespace auditscope

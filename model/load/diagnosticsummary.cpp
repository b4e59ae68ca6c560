// SPDX-License-Identifier: Apache-2.0
#include "load/diagnosticsummary.h"

#include <algorithm>
#include <map>
#include <string>

namespace auditscope {

namespace {

std::string withThousands(std::uint64_t n)
{
    // Built forwards: GCC 12 warns falsely (-Wstringop-overflow) on std::string::insert here.
    const std::string digits = std::to_string(n);
    std::string grouped;
    grouped.reserve(digits.size() + digits.size() / 3);
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0)
            grouped.push_back(',');
        grouped.push_back(digits[i]);
    }
    return grouped;
}

struct PerSource
{
    std::uint64_t count = 0;
    std::uint64_t firstLine = UINT64_MAX; // 1-based
    std::vector<std::string> kinds; // the first few, first line's first
};

std::string message(const PerSource& s)
{
    std::string kinds;
    for (std::size_t k = 0; k < std::min<std::size_t>(s.kinds.size(), 3); ++k)
        kinds += (k == 0 ? "" : ", ") + s.kinds[k];
    const char* more = s.kinds.size() > 3 ? ", ..." : "";
    if (s.count == 1)
        return "1 line is a Kubernetes object (kind " + kinds + "), not an audit Event; skipped";
    return withThousands(s.count) + " lines are Kubernetes objects (kind"
        + (s.kinds.size() > 1 ? "s " : " ") + kinds + more
        + "), not audit Events; skipped, the first is on this line";
}

} // namespace

std::vector<Diagnostic> foreignObjectWarnings(
    const std::vector<Segment*>& segments, const std::vector<std::uint64_t>& chunkLineBase)
{
    std::map<std::uint16_t, PerSource> sources;
    for (const Segment* segment : segments) {
        for (const Segment::ForeignObjects& run : segment->foreignObjects) {
            PerSource& s = sources[run.source];
            s.count += run.count;
            const std::uint64_t line = chunkLineBase[run.chunk] + run.firstLine + 1;
            const bool known = std::find(s.kinds.begin(), s.kinds.end(), run.kind) != s.kinds.end();
            if (line < s.firstLine) {
                s.firstLine = line;
                if (known)
                    s.kinds.erase(std::find(s.kinds.begin(), s.kinds.end(), run.kind));
                s.kinds.insert(s.kinds.begin(), run.kind);
            } else if (!known) {
                s.kinds.push_back(run.kind);
            }
            if (s.kinds.size() > 4) // three are shown, then "..."
                s.kinds.pop_back();
        }
    }
    std::vector<Diagnostic> out;
    for (const auto& [source, s] : sources)
        out.push_back(Diagnostic{source, s.firstLine, 0, message(s), Severity::Warning});
    return out;
}

// Counts warnings or notes (which are not bad lines) for a source and the whole load.
void countNotice(Severity severity, std::uint64_t n, SourceReport& source, LoadReport& report)
{
    const bool warning = severity == Severity::Warning;
    (warning ? source.warnings : source.notes) += n;
    (warning ? report.warnings : report.notes) += n;
}

// Omitted diagnostics count in diagnosticsOmitted whatever their severity.
void countOmittedNotices(const Segment& segment, LoadReport& report)
{
    for (std::size_t src = 0; src < segment.omittedWarnings.size(); ++src)
        countNotice(Severity::Warning, segment.omittedWarnings[src], report.sources[src], report);
    for (std::size_t src = 0; src < segment.omittedNotes.size(); ++src)
        countNotice(Severity::Note, segment.omittedNotes[src], report.sources[src], report);
    for (const std::uint64_t n : segment.omittedWarnings)
        report.diagnosticsOmitted += n;
    for (const std::uint64_t n : segment.omittedNotes)
        report.diagnosticsOmitted += n;
}

} // namespace auditscope

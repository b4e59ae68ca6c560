// SPDX-License-Identifier: Apache-2.0
#include "summary.h"

#include "common/timestamp.h"
#include "report/jsonwriter.h"

#include <algorithm>
#include <array>
#include <vector>

namespace auditscope {

namespace {

// Key for events that lack the field (no responseStatus.code, no stage, ...).
constexpr const char* Missing = "none";

void counts(JsonWriter& w, std::string_view key, const std::map<std::string, std::uint64_t>& counts)
{
    w.beginObject(key);
    for (const auto& [value, count] : counts)
        w.number(value, count);
    w.endObject();
}

std::string describeCounts(const std::map<std::string, std::uint64_t>& counts)
{
    std::vector<std::pair<std::string, std::uint64_t>> sorted(counts.begin(), counts.end());
    std::stable_sort(sorted.begin(), sorted.end(),
        [](const auto& a, const auto& b) { return a.second > b.second; });
    std::string text;
    for (const auto& [key, count] : sorted)
        text += (text.empty() ? "" : ", ") + key + " " + std::to_string(count);
    return text.empty() ? std::string("-") : text;
}

// First and last times of the timed events, and how many have no time (NoTimeNs: the
// largest value, so not the last "time"). Unsorted snapshots are allowed.
template <class TimeAt>
void setTimeRange(Summary& sum, TimeAt timeAt, std::size_t n)
{
    bool any = false;
    for (std::size_t i = 0; i < n; ++i) {
        const std::int64_t t = timeAt(i);
        if (t == NoTimeNs) {
            ++sum.eventsWithoutTime;
        } else if (!any) {
            sum.firstTimeNs = sum.lastTimeNs = t, any = true;
        } else {
            sum.firstTimeNs = std::min(sum.firstTimeNs, t);
            sum.lastTimeNs = std::max(sum.lastTimeNs, t);
        }
    }
    if (!any)
        sum.firstTimeNs = sum.lastTimeNs = NoTimeNs;
}

} // namespace

Summary summarize(const EventStore& s)
{
    Summary sum;
    sum.events = s.size();
    if (s.size() == 0)
        return sum;
    const EventIndexes& ix = s.indexes;
    std::uint64_t counted = 0;
    for (int st = 0; st < StageCount; ++st) {
        if (const auto n = ix.byStage.count(st))
            sum.byStage[st == 0 ? Missing : std::string(stageName(Stage(st)))] = n;
    }
    for (int lv = 0; lv < LevelCount; ++lv) {
        if (const auto n = ix.byLevel.count(lv))
            sum.byLevel[lv == 0 ? Missing : std::string(levelName(Level(lv)))] = n;
    }
    counted = 0;
    for (std::uint32_t v = 0; v < s.pools.verbs.size(); ++v) {
        if (const auto n = ix.byVerb.count(v)) {
            sum.byVerb[std::string(s.pools.verbs.view(v))] = n;
            counted += n;
        }
    }
    if (counted < s.size())
        sum.byVerb[Missing] = s.size() - counted;
    counted = 0;
    for (std::uint32_t code = 0; code < ix.byCode.keyCount(); ++code) {
        if (const auto n = ix.byCode.count(code)) {
            sum.byCode[std::to_string(code)] = n;
            counted += n;
        }
    }
    if (counted < s.size()) {
        // Codes outside 1..999 are not indexed; count them from the column.
        for (std::size_t i = 0; i < s.size(); ++i) {
            if (s.code[i] >= 1000)
                ++sum.byCode[std::to_string(s.code[i])], ++counted;
        }
        if (counted < s.size())
            sum.byCode[Missing] = s.size() - counted;
    }
    for (std::uint32_t u = 0; u < ix.byUser.keyCount(); ++u)
        sum.distinctUsers += ix.byUser.count(u) > 0;
    sum.distinctAuditIds = s.pools.auditIds.size();
    setTimeRange(
        sum, [&](std::size_t i) { return s.timeNs[i]; }, s.size());
    return sum;
}

Summary summarize(const EventStore& s, std::span<const EventId> rows)
{
    Summary sum;
    sum.events = rows.size();
    if (rows.empty())
        return sum;
    std::array<std::uint64_t, StageCount> stages{};
    std::array<std::uint64_t, LevelCount> levels{};
    std::vector<std::uint64_t> verbs(s.pools.verbs.size() + 1, 0);
    std::vector<std::uint64_t> codes(65536, 0);
    std::vector<bool> users(s.pools.users.size(), false), auditIds(s.pools.auditIds.size(), false);
    for (const EventId id : rows) {
        const std::uint32_t row = id.value;
        ++stages[static_cast<std::size_t>(s.stage[row])];
        ++levels[static_cast<std::size_t>(s.level[row])];
        const VerbId verb = s.verb[row];
        ++verbs[verb ? verb.value : s.pools.verbs.size()];
        ++codes[s.code[row]];
        if (const UserId user = s.user[row])
            users[user.value] = true;
        if (const AuditIdId auditId = s.auditId[row])
            auditIds[auditId.value] = true;
    }
    for (int st = 0; st < StageCount; ++st)
        if (stages[st])
            sum.byStage[st == 0 ? Missing : std::string(stageName(Stage(st)))] = stages[st];
    for (int lv = 0; lv < LevelCount; ++lv)
        if (levels[lv])
            sum.byLevel[lv == 0 ? Missing : std::string(levelName(Level(lv)))] = levels[lv];
    for (std::uint32_t v = 0; v < verbs.size(); ++v)
        if (verbs[v])
            sum.byVerb[v == s.pools.verbs.size() ? std::string(Missing)
                                                 : std::string(s.pools.verbs.view(v))] = verbs[v];
    for (std::uint32_t c = 0; c < codes.size(); ++c)
        if (codes[c])
            sum.byCode[c == 0 ? std::string(Missing) : std::to_string(c)] = codes[c];
    sum.distinctUsers = static_cast<std::uint64_t>(std::count(users.begin(), users.end(), true));
    sum.distinctAuditIds =
        static_cast<std::uint64_t>(std::count(auditIds.begin(), auditIds.end(), true));
    setTimeRange(
        sum, [&](std::size_t i) { return s.timeNs[rows[i].value]; }, rows.size());
    return sum;
}

std::string describeDuplicates(const LoadReport& report, std::size_t index)
{
    const SourceReport& s = report.sources[index];
    if (s.duplicates == 0)
        return {};
    const auto from = [&](const DuplicateCount& c) {
        return c.keptSource == index ? std::string("earlier in this file")
                                     : "from " + report.sources[c.keptSource].path;
    };
    if (s.duplicates == s.events && s.duplicates > 1 && s.duplicatesOf.size() == 1) {
        return "all " + std::to_string(s.duplicates) + " events are duplicates of events already "
            + "loaded " + from(s.duplicatesOf.front()) + ": the same log given twice";
    }
    std::string text = std::to_string(s.duplicates)
        + (s.duplicates == 1 ? " duplicate of an event already loaded"
                             : " duplicates of events already loaded");
    if (s.duplicatesOf.size() == 1)
        return text + " " + from(s.duplicatesOf.front());
    for (std::size_t i = 0; i < s.duplicatesOf.size(); ++i) {
        text += (i == 0 ? ": " : ", ") + std::to_string(s.duplicatesOf[i].events) + " "
            + from(s.duplicatesOf[i]);
    }
    return text;
}

std::string_view severityName(Severity severity)
{
    switch (severity) {
    case Severity::Error:
        return "error";
    case Severity::Warning:
        return "warning";
    case Severity::Note:
        return "note";
    }
    return "error";
}

std::string formatDiagnostic(const Diagnostic& d, const LoadReport& report)
{
    std::string text = report.sources[d.source].path;
    if (d.line > 0) {
        text += ":" + std::to_string(d.line);
        if (d.column > 0)
            text += ":" + std::to_string(d.column);
    }
    text += ": ";
    if (d.severity != Severity::Error) // errors keep the plain "file:line: reason" form
        text += std::string(severityName(d.severity)) + ": ";
    return text + d.message;
}

std::string summaryJson(const Summary& sum, const LoadReport& report)
{
    std::string out;
    JsonWriter w(out);
    w.beginObject();
    w.number("events", sum.events);
    w.number("badLines", report.badLines);
    w.number("duplicates", report.duplicates);
    w.number("warnings", report.warnings);
    w.number("notes", report.notes);
    w.beginArray("diagnostics");
    for (const Diagnostic& d : report.diagnostics) {
        w.beginObject();
        w.string("file", report.sources[d.source].path);
        w.number("line", d.line);
        w.number("column", d.column);
        w.string("severity", severityName(d.severity));
        w.string("message", d.message);
        w.endObject();
    }
    w.endArray();
    w.number("diagnosticsOmitted", report.diagnosticsOmitted);
    w.beginArray("sources");
    for (const SourceReport& s : report.sources) {
        w.beginObject();
        w.string("path", s.path);
        w.number("events", s.events);
        w.number("badLines", s.badLines);
        w.number("bytes", s.bytes);
        w.boolean("compressed", s.compressed);
        if (!s.error.empty())
            w.string("error", s.error);
        w.number("duplicates", s.duplicates);
        w.beginArray("duplicatesOf");
        for (const DuplicateCount& c : s.duplicatesOf) {
            w.beginObject();
            w.string("path", report.sources[c.keptSource].path);
            w.number("events", c.events);
            w.endObject();
        }
        w.endArray();
        w.endObject();
    }
    w.endArray();
    counts(w, "byStage", sum.byStage);
    counts(w, "byVerb", sum.byVerb);
    counts(w, "byLevel", sum.byLevel);
    counts(w, "byCode", sum.byCode);
    w.number("distinctUsers", sum.distinctUsers);
    w.number("distinctAuditIDs", sum.distinctAuditIds);
    const bool any = sum.events > sum.eventsWithoutTime;
    w.optionalTime("firstTime", any ? std::optional<std::int64_t>(sum.firstTimeNs) : std::nullopt);
    w.optionalTime("lastTime", any ? std::optional<std::int64_t>(sum.lastTimeNs) : std::nullopt);
    w.number("eventsWithoutTime", sum.eventsWithoutTime);
    w.boolean("cancelled", report.cancelled);
    w.endObject();
    out.push_back('\n');
    return out;
}

std::string summaryText(const Summary& sum, const LoadReport& report)
{
    std::string out;
    out += "Events:        " + std::to_string(sum.events) + "\n";
    out += "Bad lines:     " + std::to_string(report.badLines) + "\n";
    if (report.duplicates > 0) {
        out += "Duplicates:    " + std::to_string(report.duplicates)
            + " (byte-identical copies of loaded events, kept once)\n";
    }
    if (report.warnings + report.notes > 0) { // about data that loaded: not bad lines
        out += "Warnings:      " + std::to_string(report.warnings) + "\n";
        out += "Notes:         " + std::to_string(report.notes) + "\n";
    }
    if (sum.events > 0) {
        out += "Time range:    " + formatRfc3339Micros(sum.firstTimeNs) + " .. "
            + formatRfc3339Micros(sum.lastTimeNs);
        if (sum.eventsWithoutTime > 0)
            out += " (and " + std::to_string(sum.eventsWithoutTime) + " without a time)";
        out += "\n";
    }
    out += "Users:         " + std::to_string(sum.distinctUsers) + "\n";
    out += "Audit IDs:     " + std::to_string(sum.distinctAuditIds) + "\n";
    out += "Stages:        " + describeCounts(sum.byStage) + "\n";
    out += "Levels:        " + describeCounts(sum.byLevel) + "\n";
    out += "Verbs:         " + describeCounts(sum.byVerb) + "\n";
    out += "Codes:         " + describeCounts(sum.byCode) + "\n";
    out += "Sources:\n";
    for (std::size_t i = 0; i < report.sources.size(); ++i) {
        const SourceReport& s = report.sources[i];
        out += "  " + s.path + ": " + std::to_string(s.events) + " events, "
            + std::to_string(s.badLines) + " bad lines" + (s.compressed ? " (gzip)" : "");
        if (!s.error.empty())
            out += " — " + s.error;
        if (s.duplicates > 0)
            out += "; " + describeDuplicates(report, i);
        out += "\n";
    }
    if (!report.diagnostics.empty()) {
        out += "Problems:\n";
        for (const Diagnostic& d : report.diagnostics)
            out += "  " + formatDiagnostic(d, report) + "\n";
        if (report.diagnosticsOmitted > 0)
            out += "  ... and " + std::to_string(report.diagnosticsOmitted) + " more\n";
    }
    if (report.cancelled)
        out += "Loading was cancelled: the counts cover what was loaded.\n";
    return out;
}

} // namespace auditscope

// SPDX-License-Identifier: Apache-2.0
// `policy impact --against OLD`: the output of a comparison of two policies over one log (what
// the policy editor's "Impact compared with" shows).
#include "policycommand.h"

#include "report/jsonwriter.h"

#include <cstdio>

namespace auditscope::cli {

namespace {

// The rows of the per-level table: levels written at, then "not written" (Level::None).
constexpr Level WrittenLevels[] = {Level::Metadata, Level::Request, Level::RequestResponse};

struct LevelRow
{
    std::string label;
    std::uint64_t beforeEvents, nowEvents, beforeBytes, nowBytes;
};

std::vector<LevelRow> levelRows(const PolicyImpact& now, const PolicyImpact& before)
{
    std::vector<LevelRow> rows;
    for (const Level l : WrittenLevels) {
        const PolicyImpactRow& a = before.byNewLevel[static_cast<std::size_t>(l)];
        const PolicyImpactRow& b = now.byNewLevel[static_cast<std::size_t>(l)];
        rows.push_back(
            {std::string(levelName(l)), a.keptEvents, b.keptEvents, a.keptBytes, b.keptBytes});
    }
    // Not written: sized as recorded.
    rows.push_back({"not written", before.total.droppedEvents, now.total.droppedEvents,
        before.total.droppedBytes, now.total.droppedBytes});
    rows.push_back({"total written", before.total.keptEvents, now.total.keptEvents,
        before.total.keptBytes, now.total.keptBytes});
    return rows;
}

std::string signedNumber(std::uint64_t now, std::uint64_t before)
{
    if (now == before)
        return "0";
    return now > before ? "+" + std::to_string(now - before) : "-" + std::to_string(before - now);
}

std::string writtenName(Level l)
{
    return l == Level::None ? "not written" : std::string(levelName(l));
}

} // namespace

std::string impactComparisonText(const std::string& policyPath, const std::string& againstPath,
    const PolicyImpact& now, const PolicyComparison& comparison)
{
    const PolicyImpact& before = comparison.baseline;
    std::string out = "Impact of " + policyPath + " compared with " + againstPath + " on "
        + std::to_string(now.total.events)
        + " recorded events (bytes = JSON bytes per event; written bytes are estimated under each "
          "policy, not-written bytes are as recorded)\n\n";
    char line[512];
    std::snprintf(line, sizeof line, "%-16s %12s %12s %10s %14s %14s %12s\n", "Written at",
        "events old", "events new", "change", "bytes old", "bytes new", "change");
    out += line;
    for (const LevelRow& r : levelRows(now, before)) {
        std::snprintf(line, sizeof line, "  %-14s %12llu %12llu %10s %14llu %14llu %12s\n",
            r.label.c_str(), static_cast<unsigned long long>(r.beforeEvents),
            static_cast<unsigned long long>(r.nowEvents),
            signedNumber(r.nowEvents, r.beforeEvents).c_str(),
            static_cast<unsigned long long>(r.beforeBytes),
            static_cast<unsigned long long>(r.nowBytes),
            signedNumber(r.nowBytes, r.beforeBytes).c_str());
        out += line;
    }
    out += "\nEvents that change: " + std::to_string(comparison.changedEvents()) + "\n";
    for (int c = 1; c < PolicyChangeCount; ++c) {
        const auto change = static_cast<PolicyChange>(c);
        std::snprintf(line, sizeof line, "  %-14s %12llu events %14llu bytes recorded\n",
            std::string(policyChangeName(change)).c_str(),
            static_cast<unsigned long long>(comparison.events[std::size_t(c)]),
            static_cast<unsigned long long>(comparison.bytes[std::size_t(c)]));
        out += line;
        for (const PolicyComparison::Move& m : comparison.movesOf(change)) {
            std::snprintf(line, sizeof line, "    %-34s %12llu\n",
                (writtenName(m.from) + " -> " + writtenName(m.to)).c_str(),
                static_cast<unsigned long long>(m.events));
            out += line;
        }
    }
    out += "\nWhat this log cannot tell:\n";
    for (const std::string& u : now.unknowns)
        out += "  - " + u + "\n";
    return out;
}

std::string impactComparisonJson(const std::string& policyPath, const std::string& againstPath,
    const PolicyImpact& now, const PolicyComparison& comparison)
{
    std::string out;
    JsonWriter w(out);
    w.beginObject();
    w.string("policy", policyPath);
    w.string("against", againstPath);
    w.number("events", now.total.events);
    w.beginArray("byWrittenLevel");
    for (const LevelRow& r : levelRows(now, comparison.baseline)) {
        w.beginObject();
        w.string("level", r.label);
        w.beginObject("against");
        w.number("events", r.beforeEvents);
        w.number("bytes", r.beforeBytes);
        w.endObject();
        w.beginObject("policy");
        w.number("events", r.nowEvents);
        w.number("bytes", r.nowBytes);
        w.endObject();
        w.endObject();
    }
    w.endArray();
    w.beginObject("changes");
    for (int c = 0; c < PolicyChangeCount; ++c) {
        const auto change = static_cast<PolicyChange>(c);
        w.beginObject(policyChangeName(change));
        w.number("events", comparison.events[std::size_t(c)]);
        w.number("bytes", comparison.bytes[std::size_t(c)]);
        w.beginArray("moves");
        for (const PolicyComparison::Move& m : comparison.movesOf(change)) {
            w.beginObject();
            w.string("from", writtenName(m.from));
            w.string("to", writtenName(m.to));
            w.number("events", m.events);
            w.endObject();
        }
        w.endArray();
        w.endObject();
    }
    w.endObject();
    w.endObject();
    out.push_back('\n');
    return out;
}

} // namespace auditscope::cli

// SPDX-License-Identifier: Apache-2.0
// The text and JSON output of `detect`.
#include "detectoutput.h"

#include "common/timestamp.h"
#include "report/jsonwriter.h"

#include <algorithm>
#include <array>

namespace auditscope::cli {

namespace {

/// Findings of one rule the text output lists before "… and N more".
constexpr std::size_t FindingsPerRule = 20;
/// Events of one finding the text output locates before "+N more".
constexpr std::size_t PlacesPerFinding = 3;

std::string sourceOfRule(const DetectionRule& rule)
{
    return rule.origin.file.empty() ? std::string("built-in") : rule.origin.file;
}

std::string place(const EventStore& store, EventId id)
{
    return store.sourceOf(id).path + ":" + std::to_string(store.line[id.value]);
}

std::string withCommas(std::uint64_t n)
{
    std::string digits = std::to_string(n);
    for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3)
        digits.insert(static_cast<std::size_t>(i), ",");
    return digits;
}

/// The findings to report, grouped by rule (rules in the result's order: most severe first).
std::vector<std::vector<const Finding*>> groupsOf(const DetectReport& report)
{
    const DetectionResult& r = report.result;
    std::vector<std::vector<const Finding*>> groups;
    std::vector<int> groupOfRule(r.rules->rules.size(), -1);
    for (const Finding& f : r.findings) {
        if (r.rules->rules[f.rule].severity < report.minSeverity)
            continue;
        int& g = groupOfRule[f.rule];
        if (g < 0) {
            g = static_cast<int>(groups.size());
            groups.emplace_back();
        }
        groups[static_cast<std::size_t>(g)].push_back(&f);
    }
    return groups;
}

std::string findingLine(const EventStore& store, const Finding& f)
{
    std::string line = "  " + formatRfc3339Micros(f.firstNs) + "  "
        + (f.principal.empty() ? std::string("-") : f.principal);
    if (!f.detail.empty())
        line += "  " + f.detail;
    line += "  ";
    for (std::size_t i = 0; i < f.events.size() && i < PlacesPerFinding; ++i)
        line += (i ? ", " : "") + place(store, f.events[i]);
    if (f.events.size() > PlacesPerFinding)
        line += " (+" + std::to_string(f.events.size() - PlacesPerFinding) + " more)";
    return line + "\n";
}

std::string coverageText(const DetectReport& report, const std::string& policyPath)
{
    const RuleSet& rules = *report.result.rules;
    const auto covered = std::count_if(report.coverage.begin(), report.coverage.end(),
        [](const RuleCoverage& c) { return c.covered; });
    std::string out = "\nCoverage by " + policyPath + ": " + std::to_string(covered) + " of "
        + std::to_string(report.coverage.size()) + " rules see what they need\n";
    std::size_t width = 0;
    for (const RuleCoverage& c : report.coverage)
        width = std::max(width, rules.rules[c.rule].id.size());
    for (const RuleCoverage& c : report.coverage) {
        const std::string& id = rules.rules[c.rule].id;
        out += std::string(c.covered ? "  covered      " : "  NOT COVERED  ") + id
            + std::string(width - id.size() + 2, ' ') + (c.covered ? c.needs : c.suggestion) + "\n";
    }
    return out;
}

} // namespace

std::string detectText(const DetectReport& report, const std::string& policyPath)
{
    const DetectionResult& r = report.result;
    const EventStore& store = *r.store;
    const std::vector<std::vector<const Finding*>> groups = groupsOf(report);
    std::string out;
    std::array<std::uint64_t, FindingSeverityCount> perSeverity{};
    std::uint64_t total = 0;
    for (const auto& group : groups) {
        const DetectionRule& rule = r.rules->rules[group.front()->rule];
        perSeverity[static_cast<std::size_t>(rule.severity)] += group.size();
        total += group.size();
        std::string severity(findingSeverityName(rule.severity));
        std::transform(severity.begin(), severity.end(), severity.begin(),
            [](char c) { return static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c); });
        out += severity + "  " + rule.id + ": " + rule.title + " ("
            + (group.size() == 1 ? std::string("1 finding")
                                 : withCommas(group.size()) + " findings")
            + ")\n";
        for (std::size_t i = 0; i < group.size() && i < FindingsPerRule; ++i)
            out += findingLine(store, *group[i]);
        if (group.size() > FindingsPerRule)
            out += "  ... and " + withCommas(group.size() - FindingsPerRule)
                + " more (--json lists every finding)\n";
    }
    const std::string atOrAbove =
        " at or above " + std::string(findingSeverityName(report.minSeverity));
    if (total == 0) {
        out += "No findings" + atOrAbove;
    } else {
        out += "\n" + withCommas(total) + (total == 1 ? " finding" : " findings") + atOrAbove;
        std::string counts;
        for (int s = FindingSeverityCount - 1; s >= 0; --s)
            if (perSeverity[static_cast<std::size_t>(s)])
                counts += (counts.empty() ? "" : ", ")
                    + withCommas(perSeverity[static_cast<std::size_t>(s)]) + " "
                    + std::string(findingSeverityName(FindingSeverity(s)));
        out += " (" + counts + ") from " + std::to_string(groups.size())
            + (groups.size() == 1 ? " rule" : " rules");
    }
    const auto enabled = std::count_if(r.rules->rules.begin(), r.rules->rules.end(),
        [](const DetectionRule& rule) { return rule.enabled; });
    out += "; " + std::to_string(enabled) + " rules ran over " + withCommas(store.size())
        + " events\n";
    if (report.withCoverage)
        out += coverageText(report, policyPath);
    return out;
}

std::string detectJson(const DetectReport& report)
{
    const DetectionResult& r = report.result;
    const EventStore& store = *r.store;
    const RuleSet& rules = *r.rules;
    std::string out;
    JsonWriter w(out);
    w.beginObject();
    w.beginArray("findings", JsonWriter::Layout::OnePerLine);
    for (const auto& group : groupsOf(report)) {
        for (const Finding* f : group) {
            const DetectionRule& rule = rules.rules[f->rule];
            w.beginObject();
            w.string("rule", rule.id);
            w.string("title", rule.title);
            w.string("severity", findingSeverityName(rule.severity));
            w.beginArray("auditIDs");
            for (const EventId e : f->events)
                if (const AuditIdId id = store.auditId[e.value])
                    w.string(store.pools.auditIds.text(id.value));
            w.endArray();
            w.beginArray("events");
            for (const EventId e : f->events) {
                w.beginObject();
                w.string("file", store.sourceOf(e).path);
                w.number("line", store.line[e.value]);
                w.endObject();
            }
            w.endArray();
            w.string("principal", f->principal);
            w.time("first", f->firstNs);
            w.time("last", f->lastNs);
            w.string("detail", f->detail);
            w.string("why", rule.why);
            w.endObject();
        }
    }
    w.endArray();
    if (report.withCoverage) {
        w.beginArray("coverage", JsonWriter::Layout::OnePerLine);
        for (const RuleCoverage& c : report.coverage) {
            w.beginObject();
            w.string("rule", rules.rules[c.rule].id);
            w.boolean("covered", c.covered);
            w.string("needs", c.needs);
            w.string("suggestion", c.suggestion);
            w.endObject();
        }
        w.endArray();
    }
    w.beginArray("rules", JsonWriter::Layout::OnePerLine);
    for (const DetectionRule& rule : rules.rules) {
        w.beginObject();
        w.string("id", rule.id);
        w.string("title", rule.title);
        w.string("severity", findingSeverityName(rule.severity));
        w.string("source", sourceOfRule(rule));
        w.boolean("enabled", rule.enabled);
        w.endObject();
    }
    w.endArray();
    w.endObject();
    return out + "\n";
}

} // namespace auditscope::cli

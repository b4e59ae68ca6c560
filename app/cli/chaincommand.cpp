// SPDX-License-Identifier: Apache-2.0
// `chain AUDITID PATH...`: every event of one auditID across all sources, with stages,
// latencies and integrity flags.
#include "arguments.h"
#include "commands.h"
#include "output.h"

#include "chain/chain.h"
#include "chain/chainjson.h"
#include "common/timestamp.h"
#include "load/loader.h"
#include "report/summary.h"

#include <cstdio>

namespace auditscope::cli {

namespace {

constexpr const char* ChainUsage = R"(Usage: auditscope-cli chain [--json] AUDITID PATH...

Follows one request: every event with this auditID in all PATHs (several API servers and
rotated files merge), per server and request, with stage times, latencies between stages,
latency annotations, decision and reason, response status and logged bodies, and the chain's
integrity flags (incomplete, panic, noreceived, reused, multiserver) with explanations.
  --json   one JSON object (keys in the README)
Exit codes: 0 found, 1 found but some lines were bad, 2 nothing loadable or usage error,
3 the auditID is not in the logs.
)";

// Bodies are shown in full by --json; the text form shows their start.
constexpr std::size_t BodyPreview = 240;

std::string preview(std::string_view json)
{
    if (json.size() <= BodyPreview)
        return std::string(json);
    return std::string(json.substr(0, BodyPreview)) + "... (" + std::to_string(json.size())
        + " bytes)";
}

// `text` padded with spaces to `width` characters (UTF-8: "µs" is one character).
std::string padded(std::string_view text, std::size_t width)
{
    std::size_t characters = 0;
    for (const char c : text)
        characters += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    std::string out(text);
    if (characters < width)
        out.append(width - characters, ' ');
    return out;
}

std::string offset(std::int64_t ns)
{
    return ns == 0 ? std::string("+0") : "+" + formatDurationNs(ns);
}

std::string chainText(const Chain& c)
{
    std::string out = "auditID " + c.auditId + "\n";
    out += "  " + std::to_string(c.events.size())
        + (c.events.size() == 1 ? " event, " : " events, ") + std::to_string(c.requests.size())
        + (c.requests.size() == 1 ? " request, " : " requests, ") + std::to_string(c.lanes.size())
        + (c.lanes.size() == 1 ? " server" : " servers") + "; from "
        + formatRfc3339Micros(c.firstNs) + " to " + formatRfc3339Micros(c.lastNs) + " ("
        + formatDurationNs(c.lastNs - c.firstNs) + ")\n";
    out += "  flags: " + chainFlagNames(c.flags) + "\n";
    for (const ChainIssue& issue : c.issues)
        for (const ChainFlagInfo& info : chainFlagInfos())
            if (info.flag == issue.flag)
                out += "  " + std::string(info.name) + ": " + issue.explanation + "\n";
    for (std::uint32_t l = 0; l < c.lanes.size(); ++l) {
        const ChainLaneRef& lane = c.lanes[l];
        out += "\nserver " + lane.name + "\n";
        for (std::uint32_t ri = 0; ri < c.requests.size(); ++ri) {
            const ChainRequest& r = c.requests[ri];
            if (r.lane != l)
                continue;
            out += "  request " + std::to_string(ri + 1) + ": " + (r.verb.empty() ? "?" : r.verb)
                + " " + r.requestUri + "\n";
            out += "    user " + (r.user.empty() ? std::string("{} (none)") : r.user);
            if (!r.impersonatedUser.empty())
                out += " as " + r.impersonatedUser;
            if (!r.sourceIp.empty())
                out += " from " + r.sourceIp;
            if (!r.userAgent.empty())
                out += " (" + r.userAgent + ")";
            out += "\n";
            out += "    code " + (r.code ? std::to_string(r.code) : std::string("none"));
            if (!r.decision.empty())
                out += ", decision " + r.decision;
            if (!r.authorizationReason.empty())
                out += ", reason " + r.authorizationReason;
            out += "; flags " + chainFlagNames(r.flags) + "\n";
            out += "    latency";
            const auto a = r.receivedToStartedNs(), b = r.startedToEndNs(), t = r.totalNs();
            if (a)
                out += " received→started " + formatDurationNs(*a) + ",";
            if (b)
                out += " started→end " + formatDurationNs(*b) + ",";
            out += t ? " total " + formatDurationNs(*t) : std::string(" total unknown (no end)");
            out += "\n";
            for (const std::uint32_t ei : r.events) {
                const ChainEvent& e = c.events[ei];
                out += "    " + padded(offset(e.stageNs - c.firstNs), 13)
                    + formatRfc3339Micros(e.stageNs) + "  " + padded(stageName(e.stage), 17)
                    + padded(e.code ? std::to_string(e.code) : std::string(), 5) + e.file + ":"
                    + std::to_string(e.line) + "\n";
                if (!e.status.empty() || !e.message.empty() || !e.reason.empty())
                    out += "      status " + (e.status.empty() ? "-" : e.status) + ", reason "
                        + (e.reason.empty() ? "-" : e.reason) + ", message "
                        + (e.message.empty() ? "-" : "\"" + e.message + "\"") + "\n";
                if (!e.latencies.empty()) {
                    out += "      latency annotations:";
                    for (const auto& [k, v] : e.latencies)
                        out += " " + k + "=" + v;
                    out += "\n";
                }
                if (!e.requestObject.empty())
                    out += "      requestObject " + preview(e.requestObject) + "\n";
                if (!e.responseObject.empty())
                    out += "      responseObject " + preview(e.responseObject) + "\n";
            }
        }
    }
    return out;
}

} // namespace

int runChain(const std::vector<std::string>& args)
{
    bool json = false;
    std::vector<std::string> positional;
    for (const std::string& a : args) {
        if (a == "--json")
            json = true;
        else if (a == "-h" || a == "--help")
            return printUsage(ChainUsage);
        else if (a.starts_with("--"))
            return usageError("unknown option '" + a + "'", ChainUsage);
        else
            positional.push_back(a);
    }
    if (positional.size() < 2)
        return usageError(positional.empty() ? "no AUDITID given" : "no PATH given", ChainUsage);
    const std::string auditId = positional.front();
    const std::vector<std::string> paths(positional.begin() + 1, positional.end());
    const LoadResult result = loadAuditLogs(paths);
    const int loadCode = reportLoad(result);
    if (loadCode == NothingLoadable)
        return loadCode;
    const ChainIntegrityPtr integrity = chainIntegrityFor(result.store);
    const Chain chain = buildChain(*result.store, *integrity, auditId);
    if (chain.empty()) {
        std::fprintf(stderr, "auditscope-cli: auditID '%s' is not in the logs\n", auditId.c_str());
        return NotFound;
    }
    const std::string out = json ? chainToJson(chain) : chainText(chain);
    writeAll(out);
    return finishOutput(loadCode);
}

} // namespace auditscope::cli

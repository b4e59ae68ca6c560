// SPDX-License-Identifier: Apache-2.0
#include "chain.h"

#include "chain/chainanalysis.h"
#include "chain/eventdetail.h"
#include "common/timestamp.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <unordered_set>

namespace auditscope {

namespace {

// Within this of the end of its server's log, an unfinished request was still running.
constexpr std::int64_t NearLogEndNs = 60'000'000'000;

template <class IdT>
std::string textOf(const StringPool& pool, IdT id)
{
    return id ? std::string(pool.view(id.value)) : std::string();
}

bool isLongRunning(const ChainRequest& r)
{
    return r.verb == "watch" || r.verb == "proxy" || r.subresource == "exec"
        || r.subresource == "attach" || r.subresource == "log" || r.subresource == "portforward"
        || r.subresource == "proxy"
        || (r.resource.empty() && r.requestUri.starts_with("/debug/pprof"));
}

std::string quotedText(std::string_view text)
{
    return "\"" + std::string(text) + "\"";
}

std::string timeText(std::int64_t ns)
{
    return formatRfc3339Micros(ns);
}

// "a, b and c" (at most `limit`, then "and N more").
std::string listed(const std::vector<std::string>& items, std::size_t limit = 4)
{
    std::string out;
    const std::size_t shown = std::min(items.size(), limit);
    for (std::size_t i = 0; i < shown; ++i) {
        if (i > 0)
            out += i + 1 == shown && shown == items.size() ? " and " : ", ";
        out += items[i];
    }
    if (items.size() > shown)
        out += " and " + std::to_string(items.size() - shown) + " more";
    return out;
}

template <class Fn>
std::vector<std::string> distinct(const std::vector<ChainRequest>& requests, Fn field)
{
    std::vector<std::string> out;
    std::unordered_set<std::string> seen;
    for (const ChainRequest& r : requests) {
        std::string v = field(r);
        if (seen.insert(v).second)
            out.push_back(std::move(v));
    }
    return out;
}

class ChainBuilder
{
public:
    ChainBuilder(const EventStore& store, const ChainIntegrity& integrity)
        : m_store(store)
        , m_integrity(integrity)
    { }

    Chain build(std::string_view auditId, std::vector<EventId> rows)
    {
        Chain c;
        c.auditId = std::string(auditId);
        if (rows.empty())
            return c;
        RawFieldReader uris;
        const ChainAnalysis analysis =
            analyzeChain(m_store, rows, m_integrity.laneOfSource(), m_integrity.options(), &uris);
        c.flags = analysis.flags;
        c.reuseReasons = analysis.reuseReasons;
        // Events in time order, each remembering its request.
        std::vector<std::uint32_t> requestOfRow(rows.size());
        for (std::uint32_t r = 0; r < analysis.requests.size(); ++r)
            for (const EventId id : analysis.requests[r].events)
                requestOfRow[static_cast<std::size_t>(
                    std::lower_bound(rows.begin(), rows.end(), id) - rows.begin())] = r;
        for (std::size_t i = 0; i < rows.size(); ++i)
            c.events.push_back(eventOf(rows[i], requestOfRow[i], c));
        std::vector<std::vector<std::uint32_t>> eventsOf(analysis.requests.size());
        for (std::uint32_t i = 0; i < c.events.size(); ++i)
            eventsOf[c.events[i].request].push_back(i);
        for (std::uint32_t r = 0; r < analysis.requests.size(); ++r)
            c.requests.push_back(requestOf(analysis.requests[r], std::move(eventsOf[r]), c));
        // The time axis spans the timed events; ones without a time (NoTimeNs) have no place
        // on it (all untimed: both ends are NoTimeNs).
        c.firstNs = NoTimeNs;
        c.lastNs = std::numeric_limits<std::int64_t>::min();
        for (const ChainEvent& e : c.events) {
            for (const std::int64_t t : {e.receivedNs, e.stageNs}) {
                if (t != NoTimeNs)
                    c.firstNs = std::min(c.firstNs, t), c.lastNs = std::max(c.lastNs, t);
            }
        }
        if (c.firstNs == NoTimeNs)
            c.lastNs = NoTimeNs;
        explain(c);
        return c;
    }

private:
    std::uint32_t laneIndex(std::uint32_t lane, Chain& c)
    {
        for (std::uint32_t i = 0; i < c.lanes.size(); ++i)
            if (c.lanes[i].lane == lane)
                return i;
        const ChainLane& l = m_integrity.lanes()[lane];
        ChainLaneRef ref;
        ref.lane = lane;
        ref.name = l.name;
        for (const SourceId s : l.sources)
            ref.files.push_back(m_store.sources[s.value].path);
        ref.logFirstNs = l.firstNs;
        ref.logLastNs = l.lastNs;
        ref.logsRequestReceived = l.requestReceivedEvents > 0;
        c.lanes.push_back(std::move(ref));
        return static_cast<std::uint32_t>(c.lanes.size() - 1);
    }

    ChainEvent eventOf(EventId id, std::uint32_t request, Chain& c)
    {
        const std::size_t row = id.value;
        ChainEvent e;
        e.id = id;
        e.stage = m_store.stage[row];
        e.lane = laneIndex(m_integrity.laneOf(m_store.source[row]), c);
        e.request = request;
        e.receivedNs = m_store.timeNs[row];
        e.stageNs = m_store.stageTimeNs(row);
        e.code = m_store.code[row];
        e.file = m_store.sourceOf(id).path;
        e.line = m_store.line[row];
        EventDetail d = m_reader.read(m_store, id);
        e.status = std::move(d.status);
        e.message = std::move(d.message);
        e.reason = std::move(d.reason);
        e.decision = std::string(d.annotation("authorization.k8s.io/decision"));
        e.authorizationReason = std::string(d.annotation("authorization.k8s.io/reason"));
        e.latencies = d.latencyAnnotations();
        e.annotations = std::move(d.annotations);
        e.requestObject = std::move(d.requestObject);
        e.responseObject = std::move(d.responseObject);
        m_uris.push_back(std::move(d.requestUri));
        return e;
    }

    ChainRequest requestOf(const RequestGroup& g, std::vector<std::uint32_t> events, Chain& c)
    {
        const StringPools& p = m_store.pools;
        ChainRequest r;
        r.lane = laneIndex(g.lane, c);
        r.receivedNs = g.receivedNs;
        r.flags = g.flags;
        r.rejectedBeforeAuthentication = g.rejectedBeforeAuthentication;
        r.events = std::move(events);
        for (const std::uint32_t i : r.events) {
            const ChainEvent& e = c.events[i];
            auto& slot = r.stageNs[static_cast<std::size_t>(e.stage)];
            if (e.stage != Stage::Unknown && !slot)
                slot = e.stageNs;
        }
        const std::size_t first = c.events[r.events.front()].id.value;
        const ChainEvent& last = c.events[r.events.back()];
        r.user = textOf(p.users, m_store.user[first]);
        r.impersonatedUser = textOf(p.users, m_store.impersonatedUser[first]);
        r.sourceIp = textOf(p.sourceIps, m_store.sourceIp[first]);
        r.userAgent = textOf(p.userAgents, m_store.userAgent[first]);
        r.verb = textOf(p.verbs, m_store.verb[first]);
        r.requestUri = m_uris[r.events.front()];
        r.apiGroup = textOf(p.apiGroups, m_store.apiGroup[first]);
        r.resource = textOf(p.resources, m_store.resource[first]);
        r.subresource = textOf(p.subresources, m_store.subresource[first]);
        // Names and namespaces can be filled in only by later stages (spec §5.2).
        for (const std::uint32_t i : r.events) {
            const std::size_t row = c.events[i].id.value;
            if (r.namespaceName.empty())
                r.namespaceName = textOf(p.namespaces, m_store.namespaceId[row]);
            if (r.name.empty())
                r.name = textOf(p.names, m_store.name[row]);
        }
        r.code = last.code;
        for (const std::uint32_t i : r.events) {
            if (!c.events[i].decision.empty())
                r.decision = c.events[i].decision;
            if (!c.events[i].authorizationReason.empty())
                r.authorizationReason = c.events[i].authorizationReason;
        }
        r.longRunning = isLongRunning(r);
        return r;
    }

    std::string requestLabel(const Chain& c, const ChainRequest& r) const
    {
        std::string label = r.verb.empty() ? std::string("request") : r.verb;
        if (!r.requestUri.empty())
            label += " " + r.requestUri;
        if (c.requests.size() > 1)
            label += " (request received " + timeText(r.receivedNs) + ")";
        return label + " on " + c.lanes[r.lane].name;
    }

    static std::optional<Stage> lastStage(const ChainRequest& r, std::int64_t& at)
    {
        std::optional<Stage> out;
        for (int s = 1; s < StageCount; ++s) {
            const auto& t = r.stageNs[static_cast<std::size_t>(s)];
            if (t && (!out || *t >= at)) {
                out = Stage(s);
                at = *t;
            }
        }
        return out;
    }

    void explain(Chain& c) const
    {
        for (const ChainFlagInfo& info : chainFlagInfos()) {
            if (!(c.flags & info.flag))
                continue;
            std::string text;
            switch (info.flag) {
            case ChainIncomplete:
                text = explainIncomplete(c);
                break;
            case ChainPanic:
                text = explainPanic(c);
                break;
            case ChainNoReceived:
                text = explainNoReceived(c);
                break;
            case ChainReused:
                text = explainReused(c);
                break;
            case ChainMultiServer:
                text = explainMultiServer(c);
                break;
            }
            c.issues.push_back(ChainIssue{info.flag, std::move(text)});
        }
    }

    std::string explainIncomplete(const Chain& c) const
    {
        std::string out;
        for (const ChainRequest& r : c.requests) {
            if (!(r.flags & ChainIncomplete))
                continue;
            const ChainLaneRef& lane = c.lanes[r.lane];
            std::int64_t lastNs = r.receivedNs;
            const std::optional<Stage> stage = lastStage(r, lastNs);
            if (!out.empty())
                out += ' ';
            out += "The " + requestLabel(c, r)
                + " has no ResponseComplete or Panic event; its last is "
                + std::string(
                    stage ? stageName(*stage) : std::string_view("an event without stage"))
                + " at " + timeText(lastNs) + ".";
            const std::int64_t left = lane.logLastNs - lastNs;
            if (r.longRunning && left < 3'600'000'000'000) {
                out += " It is a long-running request (" + r.verb
                    + (r.subresource.empty() ? "" : "/" + r.subresource)
                    + "), so it was most likely still open when the log ends"
                    + (left <= 0 ? std::string(" (this is the last event of ") + lane.name + ")."
                                 : " at " + timeText(lane.logLastNs) + ", " + formatDurationNs(left)
                                + " later.");
            } else if (left <= NearLogEndNs) {
                out += " The log ends " + formatDurationNs(std::max<std::int64_t>(left, 0))
                    + " later (" + timeText(lane.logLastNs)
                    + "), so it was most likely still running then.";
            } else {
                out += " The log goes on for " + formatDurationNs(left)
                    + " after it, so the final event was probably lost (an audit backend that "
                      "dropped events, such as a full webhook buffer, or a gap in the files) or "
                      "is in a file that was not loaded.";
            }
        }
        return out;
    }

    std::string explainPanic(const Chain& c) const
    {
        std::string out;
        for (const ChainRequest& r : c.requests) {
            if (!(r.flags & ChainPanic))
                continue;
            if (!out.empty())
                out += ' ';
            const auto& at = r.stageNs[static_cast<std::size_t>(Stage::Panic)];
            std::string message;
            for (const std::uint32_t i : r.events)
                if (c.events[i].stage == Stage::Panic)
                    message = c.events[i].message;
            out += "The " + requestLabel(c, r) + " ended in a Panic event at "
                + timeText(at.value_or(0)) + " (code " + std::to_string(r.code)
                + (message.empty() ? std::string() : ": " + quotedText(message))
                + "): the API server's handler panicked and the request failed.";
            if (r.stageNs[static_cast<std::size_t>(Stage::ResponseStarted)])
                out += " Response headers had already been sent (ResponseStarted), so the "
                       "client saw the stream break off.";
        }
        return out;
    }

    std::string explainNoReceived(const Chain& c) const
    {
        std::string out;
        for (const ChainRequest& r : c.requests) {
            if (!(r.flags & ChainNoReceived))
                continue;
            const ChainLaneRef& lane = c.lanes[r.lane];
            if (!out.empty())
                out += ' ';
            out += "The " + requestLabel(c, r) + " has no RequestReceived event.";
            if (r.rejectedBeforeAuthentication && r.code == 401) {
                out += " Its only event is a ResponseStarted with user {} and code 401: this is "
                       "how kube-apiserver logs failed authentication (no RequestReceived or "
                       "ResponseComplete is written), so this is expected.";
            } else if (r.rejectedBeforeAuthentication && r.code == 400) {
                out += " Its only event is a ResponseStarted with user {} and code 400: a "
                       "request with an invalid ?timeout= is rejected before authentication and "
                       "logged this way, so this is expected.";
            } else if (r.rejectedBeforeAuthentication) {
                out += " Its only event is a ResponseStarted with user {}: the request was "
                       "rejected before authentication, which kube-apiserver logs as a single "
                       "ResponseStarted event.";
            } else if (!lane.logsRequestReceived) {
                out += " " + lane.name
                    + " has no RequestReceived events at all: its audit policy most likely sets "
                      "omitStages: [RequestReceived], which makes this normal.";
            } else if (r.receivedNs < lane.logFirstNs) {
                out += " It was received at " + timeText(r.receivedNs) + ", before the first event "
                    + "loaded from " + lane.name + " (" + timeText(lane.logFirstNs)
                    + "): its RequestReceived event is probably in an older, rotated file that "
                      "was not loaded.";
            } else {
                out += " " + lane.name
                    + " logs RequestReceived for other requests. If the policy rule matching this "
                      "request sets omitStages: [RequestReceived] this is normal; otherwise the "
                      "event was lost.";
            }
        }
        return out;
    }

    std::string explainReused(const Chain& c) const
    {
        std::vector<std::string> parts;
        const auto& rs = c.requests;
        if (c.reuseReasons & ReuseUsers) {
            auto users = distinct(rs, [](const ChainRequest& r) {
                std::string u = r.user.empty() ? std::string("no user") : r.user;
                if (!r.impersonatedUser.empty())
                    u += " as " + r.impersonatedUser;
                return u;
            });
            parts.push_back("different users (" + listed(users) + ")");
        }
        if (c.reuseReasons & ReuseTargets) {
            auto targets = distinct(rs, [](const ChainRequest& r) {
                return r.verb + " " + (r.requestUri.empty() ? r.resource : r.requestUri);
            });
            parts.push_back("different targets (" + listed(targets) + ")");
        }
        if (c.reuseReasons & ReuseSourceIps) {
            auto ips = distinct(rs, [](const ChainRequest& r) {
                return r.sourceIp.empty() ? std::string("none") : r.sourceIp;
            });
            parts.push_back("different source IPs (" + listed(ips) + ")");
        }
        if (c.reuseReasons & ReuseFarApart) {
            std::int64_t lo = rs.front().receivedNs, hi = lo;
            for (const ChainRequest& r : rs) {
                lo = std::min(lo, r.receivedNs);
                hi = std::max(hi, r.receivedNs);
            }
            parts.push_back("receive times " + formatDurationNs(hi - lo) + " apart (" + timeText(lo)
                + " and " + timeText(hi) + ")");
        }
        if (c.reuseReasons & ReuseSameServer)
            parts.push_back("several requests received by the same server at different times");
        if (c.reuseReasons & ReuseRepeatedStage)
            parts.push_back("a stage logged twice for one request, at different times");
        return "This auditID was used by " + std::to_string(rs.size())
            + (rs.size() == 1 ? " request" : " requests") + " with " + listed(parts, 8)
            + ". kube-apiserver takes a client's Audit-ID header as is, without checking it, so "
              "clients can reuse IDs: treat these as separate requests.";
    }

    std::string explainMultiServer(const Chain& c) const
    {
        std::vector<std::string> names;
        for (const ChainLaneRef& l : c.lanes)
            names.push_back(l.name);
        std::string out =
            "Logged by " + std::to_string(c.lanes.size()) + " servers (" + listed(names, 8) + ").";
        if (c.flags & ChainReused)
            return out + " The servers logged different requests that share the ID (see reused).";
        return out
            + " kube-apiserver forwards the Audit-ID to aggregated API servers, which log "
              "the request under the same auditID.";
    }

    const EventStore& m_store;
    const ChainIntegrity& m_integrity;
    EventDetailReader m_reader;
    std::vector<std::string> m_uris; // per chain event
};

std::vector<EventId> rowsWithAuditId(const EventStore& store, std::uint32_t key)
{
    if (key == UINT32_MAX)
        return {};
    if (store.indexed)
        return store.indexes.byAuditId.events(key);
    std::vector<EventId> out;
    for (std::size_t row = 0; row < store.size(); ++row)
        if (store.auditId[row].value == key)
            out.push_back(EventId{static_cast<std::uint32_t>(row)});
    return out;
}

} // namespace

std::optional<std::int64_t> ChainRequest::receivedToStartedNs() const
{
    const auto& a = stageNs[static_cast<std::size_t>(Stage::RequestReceived)];
    const auto& b = stageNs[static_cast<std::size_t>(Stage::ResponseStarted)];
    return a && b ? std::optional<std::int64_t>(*b - *a) : std::nullopt;
}

std::optional<std::int64_t> ChainRequest::startedToEndNs() const
{
    const auto& a = stageNs[static_cast<std::size_t>(Stage::ResponseStarted)];
    const auto& complete = stageNs[static_cast<std::size_t>(Stage::ResponseComplete)];
    const auto& panic = stageNs[static_cast<std::size_t>(Stage::Panic)];
    const auto& b = complete ? complete : panic;
    return a && b ? std::optional<std::int64_t>(*b - *a) : std::nullopt;
}

std::optional<std::int64_t> ChainRequest::totalNs() const
{
    const auto& complete = stageNs[static_cast<std::size_t>(Stage::ResponseComplete)];
    const auto& panic = stageNs[static_cast<std::size_t>(Stage::Panic)];
    const auto& end = complete ? complete : panic;
    if (!end)
        return std::nullopt;
    return *end - receivedNs;
}

std::int64_t ChainRequest::endNs() const
{
    std::int64_t end = receivedNs;
    for (const auto& t : stageNs)
        if (t)
            end = std::max(end, *t);
    return end;
}

Chain buildChain(const EventStore& store, const ChainIntegrity& integrity, std::string_view auditId)
{
    const std::uint32_t key = store.pools.auditIds.find(auditId);
    return ChainBuilder(store, integrity).build(auditId, rowsWithAuditId(store, key));
}

Chain buildChain(const EventStore& store, const ChainIntegrity& integrity, EventId id)
{
    if (id.value >= store.size() || !store.auditId[id.value])
        return {};
    const std::uint32_t key = store.auditId[id.value].value;
    return ChainBuilder(store, integrity)
        .build(store.pools.auditIds.text(key), rowsWithAuditId(store, key));
}

std::string formatDurationNs(std::int64_t ns)
{
    if (ns < 0)
        return "-" + formatDurationNs(-ns);
    char buffer[64];
    if (ns < 1'000'000)
        std::snprintf(buffer, sizeof buffer, "%lld µs", static_cast<long long>(ns / 1000));
    else if (ns < 1'000'000'000)
        std::snprintf(buffer, sizeof buffer, "%.1f ms", static_cast<double>(ns) / 1e6);
    else if (ns < 60'000'000'000)
        std::snprintf(buffer, sizeof buffer, "%.2f s", static_cast<double>(ns) / 1e9);
    else if (ns < 3'600'000'000'000)
        std::snprintf(buffer, sizeof buffer, "%lld min %lld s",
            static_cast<long long>(ns / 60'000'000'000),
            static_cast<long long>(ns / 1'000'000'000 % 60));
    else
        std::snprintf(buffer, sizeof buffer, "%lld h %lld min",
            static_cast<long long>(ns / 3'600'000'000'000),
            static_cast<long long>(ns / 60'000'000'000 % 60));
    return buffer;
}

} // namespace auditscope

// SPDX-License-Identifier: Apache-2.0
#include "chainjson.h"

#include "chain/chainanalysis.h"
#include "common/timestamp.h"
#include "report/jsonwriter.h"

namespace auditscope {

namespace {

void flagNames(JsonWriter& w, std::string_view key, std::uint8_t flags)
{
    w.beginArray(key);
    for (const ChainFlagInfo& info : chainFlagInfos())
        if (flags & info.flag)
            w.string(info.name);
    w.endArray();
}

void pairs(
    JsonWriter& w, std::string_view key, const std::vector<std::pair<std::string, std::string>>& kv)
{
    w.beginObject(key);
    for (const auto& [k, v] : kv)
        w.string(k, v);
    w.endObject();
}

void reuseReasonNames(JsonWriter& w, std::uint8_t reasons)
{
    static constexpr std::pair<std::uint8_t, std::string_view> Names[] = {{ReuseUsers, "users"},
        {ReuseTargets, "targets"}, {ReuseSourceIps, "sourceIPs"}, {ReuseFarApart, "farApart"},
        {ReuseSameServer, "sameServer"}, {ReuseRepeatedStage, "repeatedStage"}};
    w.beginArray("reuseReasons");
    for (const auto& [bit, name] : Names)
        if (reasons & bit)
            w.string(name);
    w.endArray();
}

} // namespace

std::string chainToJson(const Chain& c)
{
    std::string out;
    JsonWriter w(out);
    w.beginObject();
    w.string("auditID", c.auditId);
    w.number("eventCount", static_cast<std::int64_t>(c.events.size()));
    flagNames(w, "flags", c.flags);
    reuseReasonNames(w, c.reuseReasons);
    w.beginArray("issues");
    for (const ChainIssue& issue : c.issues) {
        w.beginObject();
        for (const ChainFlagInfo& info : chainFlagInfos())
            if (info.flag == issue.flag)
                w.string("flag", info.name);
        w.string("explanation", issue.explanation);
        w.endObject();
    }
    w.endArray();
    if (!c.empty()) {
        w.time("firstTime", c.firstNs);
        w.time("lastTime", c.lastNs);
    }
    w.beginArray("lanes");
    for (const ChainLaneRef& l : c.lanes) {
        w.beginObject();
        w.string("name", l.name);
        w.beginArray("files");
        for (const std::string& f : l.files)
            w.string(f);
        w.endArray();
        w.time("logFirstTime", l.logFirstNs);
        w.time("logLastTime", l.logLastNs);
        w.boolean("logsRequestReceived", l.logsRequestReceived);
        w.endObject();
    }
    w.endArray();
    w.beginArray("requests");
    for (const ChainRequest& r : c.requests) {
        w.beginObject();
        w.number("lane", r.lane);
        w.time("received", r.receivedNs);
        flagNames(w, "flags", r.flags);
        w.boolean("rejectedBeforeAuthentication", r.rejectedBeforeAuthentication);
        w.boolean("longRunning", r.longRunning);
        w.stringOrNull("user", r.user);
        w.stringOrNull("impersonatedUser", r.impersonatedUser);
        w.stringOrNull("sourceIP", r.sourceIp);
        w.stringOrNull("userAgent", r.userAgent);
        w.stringOrNull("verb", r.verb);
        w.stringOrNull("requestURI", r.requestUri);
        if (r.resource.empty())
            w.null("apiGroup"); // not a resource request
        else
            w.string("apiGroup", r.apiGroup); // "" is the core group
        w.stringOrNull("resource", r.resource);
        w.stringOrNull("subresource", r.subresource);
        w.stringOrNull("namespace", r.namespaceName);
        w.stringOrNull("name", r.name);
        w.optionalNumber("code", r.code ? std::optional<std::int64_t>(r.code) : std::nullopt);
        w.stringOrNull("decision", r.decision);
        w.stringOrNull("authorizationReason", r.authorizationReason);
        w.beginObject("stages");
        for (int s = 1; s < StageCount; ++s)
            if (const auto& t = r.stageNs[static_cast<std::size_t>(s)])
                w.time(stageName(Stage(s)), *t);
        w.endObject();
        w.beginObject("latencies");
        w.optionalNumber("receivedToStartedNs", r.receivedToStartedNs());
        w.optionalNumber("startedToEndNs", r.startedToEndNs());
        w.optionalNumber("totalNs", r.totalNs());
        w.endObject();
        w.beginArray("events");
        for (const std::uint32_t e : r.events)
            w.number(e);
        w.endArray();
        w.endObject();
    }
    w.endArray();
    w.beginArray("events");
    for (const ChainEvent& e : c.events) {
        w.beginObject();
        w.string("stage", stageName(e.stage));
        w.number("lane", e.lane);
        w.number("request", e.request);
        w.time("received", e.receivedNs);
        w.time("stageTime", e.stageNs);
        w.number("offsetNs", e.stageNs - c.firstNs);
        w.optionalNumber("code", e.code ? std::optional<std::int64_t>(e.code) : std::nullopt);
        w.stringOrNull("status", e.status);
        w.stringOrNull("message", e.message);
        w.stringOrNull("reason", e.reason);
        w.stringOrNull("decision", e.decision);
        w.stringOrNull("authorizationReason", e.authorizationReason);
        pairs(w, "latencyAnnotations", e.latencies);
        pairs(w, "annotations", e.annotations);
        w.raw("requestObject", e.requestObject);
        w.raw("responseObject", e.responseObject);
        w.string("file", e.file);
        w.number("line", e.line);
        w.endObject();
    }
    w.endArray();
    w.endObject();
    out.push_back('\n');
    return out;
}

std::string historyToJson(const ObjectHistory& h)
{
    std::string out;
    JsonWriter w(out);
    w.beginObject();
    w.beginObject("object");
    w.string("key", h.key.toString());
    w.string("group", h.key.group);
    w.string("resource", h.key.resource);
    w.stringOrNull("namespace", h.key.namespaceName);
    w.string("name", h.key.name);
    w.endObject();
    w.beginArray("lifetimes");
    for (const ObjectLifetime& l : h.lifetimes) {
        w.beginObject();
        w.optionalTime("created", l.createdNs);
        w.stringOrNull("createdBy", l.createdBy);
        w.optionalTime("creationTimestamp", l.creationTimestampNs);
        w.optionalTime("deleted", l.deletedNs);
        w.stringOrNull("deletedBy", l.deletedBy);
        w.boolean("deletionPending", l.deletionPending);
        w.stringOrNull("uid", l.uid);
        w.endObject();
    }
    w.endArray();
    w.beginArray("entries");
    for (const HistoryEntry& e : h.entries) {
        w.beginObject();
        w.stringOrNull("auditID", e.auditId);
        w.time("received", e.receivedNs);
        w.time("stageTime", e.stageNs);
        w.string("stage", stageName(e.finalStage));
        w.stringOrNull("user", e.user);
        w.stringOrNull("impersonatedUser", e.impersonatedUser);
        w.stringOrNull("sourceIP", e.sourceIp);
        w.stringOrNull("userAgent", e.userAgent);
        w.stringOrNull("verb", e.verb);
        w.stringOrNull("subresource", e.subresource);
        w.stringOrNull("requestURI", e.requestUri);
        w.string("file", e.file);
        w.optionalNumber("code", e.code ? std::optional<std::int64_t>(e.code) : std::nullopt);
        w.boolean("succeeded", e.succeeded);
        w.string("action", historyActionName(e.action));
        w.boolean("changesObject", e.changesObject);
        if (e.action == HistoryAction::Patch) {
            w.string("patchKind", patchKindName(e.patch.kind));
            w.string("patchContentType", patchContentType(e.patch.kind));
            w.boolean("patchKindCertain", e.patch.certain);
            w.string("patchKindWhy", e.patch.why);
            w.raw("patch", e.requestObject);
        }
        w.boolean("hasDiff", e.hasDiff);
        w.beginArray("changes");
        for (const JsonChange& c : e.changes) {
            w.beginObject();
            w.string("op", jsonChangeKindName(c.kind));
            w.string("path", c.path);
            if (c.kind != JsonChange::Kind::Added)
                w.raw("old", c.oldValue);
            if (c.kind != JsonChange::Kind::Removed)
                w.raw("new", c.newValue);
            w.endObject();
        }
        w.endArray();
        w.raw("before", e.beforeKnown && e.existsBefore ? e.before : std::string());
        w.raw("after", e.afterKnown && e.existsAfter ? e.after : std::string());
        w.stringOrNull("note", e.note);
        w.endObject();
    }
    w.endArray();
    w.endObject();
    out.push_back('\n');
    return out;
}

} // namespace auditscope

// SPDX-License-Identifier: Apache-2.0
#include "eventformat.h"

#include "common/timestamp.h"
#include "report/jsonwriter.h"

namespace auditscope {

namespace {

// The fields written for each event, in order (jsonl keys and TSV columns).
constexpr const char* Columns[] = {"time", "stageTime", "auditID", "stage", "level", "verb", "user",
    "groups", "impersonatedUser", "sourceIP", "userAgent", "apiGroup", "apiVersion", "resource",
    "subresource", "namespace", "name", "code", "decision", "requestURI", "file", "line", "alsoIn"};

template <class IdT>
std::optional<std::string_view> lookup(const StringPool& pool, IdT id)
{
    return id ? std::optional<std::string_view>(pool.view(id.value)) : std::nullopt;
}

// How formatRfc3339Micros() shows NoTimeNs; JSON says null instead.
constexpr std::string_view NoTimeText = "no time";

// One event's values as text; nullopt = absent.
struct Row
{
    std::string time, stageTime;
    std::optional<std::string> auditId; // formatted from its 16-byte form: owned
    std::optional<std::string_view> stage, level, verb, user, impersonated, sourceIp, userAgent,
        apiGroup, apiVersion, resource, subresource, namespaceName, name, decision;
    std::vector<std::string_view> groups;
    std::uint16_t code = 0;
    std::optional<std::string> requestUri;
    std::string_view file;
    std::uint32_t line = 0;
    std::vector<std::string> alsoIn; // "file:line" of each dropped byte-identical copy
};

Row rowOf(const EventStore& s, EventId id, RawFieldReader& reader)
{
    const std::size_t i = id.value;
    const StringPools& p = s.pools;
    Row r;
    r.time = formatRfc3339Micros(s.timeNs[i]);
    r.stageTime = formatRfc3339Micros(s.stageTimeNs(i));
    if (s.auditId[i])
        r.auditId = p.auditIds.text(s.auditId[i].value);
    if (s.stage[i] != Stage::Unknown)
        r.stage = stageName(s.stage[i]);
    if (s.level[i] != Level::Unknown)
        r.level = levelName(s.level[i]);
    r.verb = lookup(p.verbs, s.verb[i]);
    r.user = lookup(p.users, s.user[i]);
    for (GroupId g : s.groupsOf(s.groupSet[i]))
        r.groups.push_back(p.groups.view(g.value));
    r.impersonated = lookup(p.users, s.impersonatedUser[i]);
    r.sourceIp = lookup(p.sourceIps, s.sourceIp[i]);
    r.userAgent = lookup(p.userAgents, s.userAgent[i]);
    r.apiGroup = lookup(p.apiGroups, s.apiGroup[i]);
    r.apiVersion = lookup(p.apiVersions, s.apiVersion[i]);
    r.resource = lookup(p.resources, s.resource[i]);
    r.subresource = lookup(p.subresources, s.subresource[i]);
    r.namespaceName = lookup(p.namespaces, s.namespaceId[i]);
    r.name = lookup(p.names, s.name[i]);
    r.code = s.code[i];
    r.decision = lookup(p.decisions, s.decision[i]);
    r.requestUri = reader.topLevelString(s, id, "requestURI");
    r.file = s.sourceOf(id).path;
    r.line = s.line[i];
    for (const EventStore::DuplicatePlace& place : s.duplicatePlacesOf(id.value))
        r.alsoIn.push_back(s.sources[place.source.value].path + ":" + std::to_string(place.line));
    return r;
}

void appendTsvValue(std::string& out, std::string_view v)
{
    for (const char c : v) {
        switch (c) {
        case '\t':
            out += "\\t";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\\':
            out += "\\\\";
            break;
        default:
            out.push_back(c);
        }
    }
}

} // namespace

std::string tsvHeader()
{
    std::string header;
    for (const char* column : Columns) {
        if (!header.empty())
            header.push_back('\t');
        header += column;
    }
    header.push_back('\n');
    return header;
}

void appendEvent(std::string& out, const EventStore& store, EventId id, EventFormat format,
    RawFieldReader& reader)
{
    if (format == EventFormat::Raw) {
        out += store.rawJson(id);
        out.push_back('\n');
        return;
    }
    const Row r = rowOf(store, id, reader);
    const std::optional<std::string_view> auditId =
        r.auditId ? std::optional<std::string_view>(*r.auditId) : std::nullopt;
    const std::optional<std::string_view> uri =
        r.requestUri ? std::optional<std::string_view>(*r.requestUri) : std::nullopt;
    const std::optional<std::string_view> strings[] = {r.time, r.stageTime, auditId, r.stage,
        r.level, r.verb, r.user, std::nullopt, r.impersonated, r.sourceIp, r.userAgent, r.apiGroup,
        r.apiVersion, r.resource, r.subresource, r.namespaceName, r.name, std::nullopt, r.decision,
        uri, r.file, std::nullopt, std::nullopt};
    constexpr std::size_t StageTimeColumn = 1, GroupsColumn = 7, CodeColumn = 17, LineColumn = 21,
                          AlsoInColumn = 22;
    if (format == EventFormat::Jsonl) {
        JsonWriter w(out);
        w.beginObject();
        for (std::size_t c = 0; c < std::size(Columns); ++c) {
            if (c == GroupsColumn || c == AlsoInColumn) {
                w.beginArray(Columns[c]);
                if (c == GroupsColumn) {
                    for (const std::string_view group : r.groups)
                        w.string(group);
                } else {
                    for (const std::string& place : r.alsoIn)
                        w.string(place);
                }
                w.endArray();
            } else if (c == CodeColumn) {
                w.optionalNumber(
                    Columns[c], r.code ? std::optional<std::int64_t>(r.code) : std::nullopt);
            } else if (c <= StageTimeColumn && r.time == NoTimeText) {
                w.optionalString(Columns[c], std::nullopt); // no time: null
            } else if (c == LineColumn) {
                w.number(Columns[c], r.line);
            } else {
                w.optionalString(Columns[c], strings[c]);
            }
        }
        w.endObject();
        out.push_back('\n');
        return;
    }
    for (std::size_t c = 0; c < std::size(Columns); ++c) {
        if (c > 0)
            out.push_back('\t');
        if (c == GroupsColumn) {
            for (std::size_t g = 0; g < r.groups.size(); ++g) {
                if (g > 0)
                    out.push_back(',');
                appendTsvValue(out, r.groups[g]);
            }
        } else if (c == CodeColumn) {
            if (r.code)
                out += std::to_string(r.code);
        } else if (c == LineColumn) {
            out += std::to_string(r.line);
        } else if (c == AlsoInColumn) {
            for (std::size_t p = 0; p < r.alsoIn.size(); ++p) {
                if (p > 0)
                    out.push_back(',');
                appendTsvValue(out, r.alsoIn[p]);
            }
        } else if (strings[c]) {
            appendTsvValue(out, *strings[c]);
        }
    }
    out.push_back('\n');
}

} // namespace auditscope

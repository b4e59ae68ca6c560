// SPDX-License-Identifier: Apache-2.0
// `history GROUP/RESOURCE/NAMESPACE/NAME PATH...`: every request on one object, with diffs.
#include "arguments.h"
#include "commands.h"
#include "output.h"

#include "chain/chain.h"
#include "chain/chainjson.h"
#include "chain/objecthistory.h"
#include "common/timestamp.h"
#include "load/loader.h"

#include <cstdio>

namespace auditscope::cli {

namespace {

constexpr const char* HistoryUsage =
    R"(Usage: auditscope-cli history [--json] [--keep-noise] [--no-reads] GROUP/RESOURCE/NAMESPACE/NAME PATH...

Every request on one object in time order (actor, verb, code, stage) and, where bodies were
logged, what each change did: create, update, patch (with its kind: json-patch, merge-patch,
strategic-merge-patch, apply-patch) and delete, as added/removed/changed JSON paths; then the
object's lifetime. GROUP is `core` for the core group; NAMESPACE is `-` for cluster-scoped
objects, e.g. core/configmaps/prod/app-config or rbac.authorization.k8s.io/clusterrolebindings/-/x.
  --json         one JSON object (keys in the README)
  --keep-noise   also diff metadata.resourceVersion and metadata.managedFields
  --no-reads     leave out get/list/watch
Exit codes: 0 found, 1 found but some lines were bad, 2 nothing loadable or usage error,
3 no request on the object is in the logs.
)";

constexpr std::size_t ValuePreview = 160;

std::string preview(std::string_view json)
{
    if (json.size() <= ValuePreview)
        return std::string(json);
    return std::string(json.substr(0, ValuePreview)) + "... (" + std::to_string(json.size())
        + " bytes)";
}

std::string lifetimeText(const ObjectLifetime& l)
{
    std::string out;
    if (l.createdNs)
        out += "created " + formatRfc3339Micros(*l.createdNs) + " by "
            + (l.createdBy.empty() ? std::string("?") : l.createdBy);
    else if (l.creationTimestampNs)
        out += "created before the log (creationTimestamp "
            + formatRfc3339Micros(*l.creationTimestampNs) + ")";
    else
        out += "created before the log";
    if (l.deletedNs)
        out += std::string(l.deletionPending ? "; deletion requested " : "; deleted ")
            + formatRfc3339Micros(*l.deletedNs) + " by "
            + (l.deletedBy.empty() ? std::string("?") : l.deletedBy);
    else
        out += "; not deleted in the log";
    if (!l.uid.empty())
        out += " (uid " + l.uid + ")";
    return out;
}

std::string historyText(const ObjectHistory& h)
{
    std::string out = "object " + h.key.toString() + ": " + std::to_string(h.entries.size())
        + (h.entries.size() == 1 ? " request\n" : " requests\n");
    for (const ObjectLifetime& l : h.lifetimes)
        out += "  lifetime: " + lifetimeText(l) + "\n";
    for (const HistoryEntry& e : h.entries) {
        out += "\n" + formatRfc3339Micros(e.receivedNs) + "  " + e.verb
            + (e.subresource.empty() ? "" : "/" + e.subresource) + "  "
            + (e.user.empty() ? std::string("{}") : e.user)
            + (e.impersonatedUser.empty() ? "" : " as " + e.impersonatedUser) + "  "
            + (e.code ? std::to_string(e.code) : std::string("-")) + "  "
            + std::string(stageName(e.finalStage)) + "  auditID " + e.auditId + "\n";
        if (e.action == HistoryAction::Patch) {
            out += "  patch: " + std::string(patchKindName(e.patch.kind)) + " ("
                + std::string(patchContentType(e.patch.kind)) + "; "
                + (e.patch.certain ? "certain: " : "guessed: ") + e.patch.why + ")\n";
            if (!e.requestObject.empty())
                out += "  patch body: " + preview(e.requestObject) + "\n";
        }
        if (!e.note.empty())
            out += "  " + e.note + "\n";
        for (const JsonChange& c : e.changes) {
            const std::string path = c.path.empty() ? std::string("(whole object)") : c.path;
            switch (c.kind) {
            case JsonChange::Kind::Added:
                out += "  + " + path + " = " + preview(c.newValue) + "\n";
                break;
            case JsonChange::Kind::Removed:
                out += "  - " + path + " (was " + preview(c.oldValue) + ")\n";
                break;
            case JsonChange::Kind::Changed:
                out += "  ~ " + path + ": " + preview(c.oldValue) + " -> " + preview(c.newValue)
                    + "\n";
                break;
            }
        }
        if (e.hasDiff && e.changes.empty())
            out += "  (no change)\n";
    }
    return out;
}

} // namespace

int runHistory(const std::vector<std::string>& args)
{
    bool json = false;
    HistoryOptions options;
    std::vector<std::string> positional;
    for (const std::string& a : args) {
        if (a == "--json")
            json = true;
        else if (a == "--keep-noise")
            options.diff.suppressNoise = false;
        else if (a == "--no-reads")
            options.includeReads = false;
        else if (a == "-h" || a == "--help")
            return printUsage(HistoryUsage);
        else if (a.starts_with("--"))
            return usageError("unknown option '" + a + "'", HistoryUsage);
        else
            positional.push_back(a);
    }
    if (positional.size() < 2)
        return usageError(positional.empty() ? "no object given" : "no PATH given", HistoryUsage);
    std::string error;
    const std::optional<ObjectKey> key = ObjectKey::parse(positional.front(), &error);
    if (!key)
        return usageError("bad object '" + positional.front() + "': " + error, HistoryUsage);
    const std::vector<std::string> paths(positional.begin() + 1, positional.end());
    const LoadResult result = loadAuditLogs(paths);
    const int loadCode = reportLoad(result);
    if (loadCode == NothingLoadable)
        return loadCode;
    const ObjectHistory history = buildObjectHistory(*result.store, *key, options);
    if (history.entries.empty()) {
        std::fprintf(
            stderr, "auditscope-cli: no request on %s is in the logs\n", key->toString().c_str());
        return NotFound;
    }
    const std::string out = json ? historyToJson(history) : historyText(history);
    writeAll(out);
    return finishOutput(loadCode);
}

} // namespace auditscope::cli

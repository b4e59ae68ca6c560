// SPDX-License-Identifier: Apache-2.0
#include "objecthistory.h"

#include "chain/eventdetail.h"
#include "common/timestamp.h"

#include <algorithm>
#include <map>

namespace auditscope {

namespace {

template <class IdT>
std::string textOf(const StringPool& pool, IdT id)
{
    return id ? std::string(pool.view(id.value)) : std::string();
}

// The value of query parameter `key` in `uri` (first occurrence), or nullopt.
std::optional<std::string_view> queryParameter(std::string_view uri, std::string_view key)
{
    const std::size_t question = uri.find('?');
    if (question == std::string_view::npos)
        return std::nullopt;
    std::string_view query = uri.substr(question + 1);
    while (!query.empty()) {
        const std::size_t amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        const std::size_t eq = pair.find('=');
        if (pair.substr(0, eq) == key)
            return eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
        if (amp == std::string_view::npos)
            break;
        query.remove_prefix(amp + 1);
    }
    return std::nullopt;
}

// A strategic merge directive key anywhere in `v` ($patch, $retainKeys, $setElementOrder/...).
std::string strategicDirective(const JsonValue& v)
{
    if (v.isObject()) {
        for (const JsonValue::Member& m : v.members()) {
            if (m.first == "$patch" || m.first == "$retainKeys"
                || m.first.starts_with("$setElementOrder/")
                || m.first.starts_with("$deleteFromPrimitiveList/"))
                return m.first;
            if (std::string found = strategicDirective(m.second); !found.empty())
                return found;
        }
    } else if (v.isArray()) {
        for (const JsonValue& item : v.items())
            if (std::string found = strategicDirective(item); !found.empty())
                return found;
    }
    return {};
}

// The operation ("Apply", "Update") `manager` recorded in the response's managedFields.
std::string managedOperation(const JsonValue* response, std::string_view manager)
{
    const JsonValue* fields = response ? response->at("/metadata/managedFields") : nullptr;
    if (!fields || !fields->isArray())
        return {};
    std::string operation;
    for (const JsonValue& entry : fields->items())
        if (entry.isObject() && entry.stringAt("manager") == manager)
            operation = std::string(entry.stringAt("operation"));
    return operation;
}

bool isBuiltInGroup(std::string_view group)
{
    return group.empty() || group.find('.') == std::string_view::npos || group.ends_with(".k8s.io");
}

// Subresources whose writes change the parent object without returning it.
bool changesParent(std::string_view subresource)
{
    return subresource == "binding" || subresource == "eviction" || subresource == "scale"
        || subresource == "ephemeralcontainers" || subresource == "resize"
        || subresource == "approval" || subresource == "finalize";
}

struct RequestKey
{
    std::uint32_t auditId;
    std::int64_t receivedNs;
    auto operator<=>(const RequestKey&) const = default;
};

class HistoryBuilder
{
public:
    HistoryBuilder(const EventStore& store, const ObjectKey& key, const HistoryOptions& options)
        : m_store(store)
        , m_key(key)
        , m_options(options)
    { }

    ObjectHistory build()
    {
        ObjectHistory h;
        h.key = m_key;
        for (auto& [requestKey, rows] : requests()) {
            HistoryEntry e = entryOf(requestKey, rows);
            if (!m_options.includeReads && e.action == HistoryAction::Read)
                continue;
            h.entries.push_back(std::move(e));
        }
        std::stable_sort(
            h.entries.begin(), h.entries.end(), [](const HistoryEntry& a, const HistoryEntry& b) {
                return a.receivedNs != b.receivedNs ? a.receivedNs < b.receivedNs
                                                    : a.events.front() < b.events.front();
            });
        for (HistoryEntry& e : h.entries)
            replay(e, h);
        return h;
    }

private:
    bool matches(std::size_t row) const
    {
        const EventStore& s = m_store;
        if (!(s.flags[row] & HasObjectRef))
            return false;
        if (textOf(s.pools.resources, s.resource[row]) != m_key.resource
            || textOf(s.pools.apiGroups, s.apiGroup[row]) != m_key.group)
            return false;
        const std::string ns = textOf(s.pools.namespaces, s.namespaceId[row]);
        // A Namespace's objectRef carries its own name as namespace.
        if (m_key.group.empty() && m_key.resource == "namespaces" && ns == m_key.name)
            return true;
        return ns == m_key.namespaceName;
    }

    std::vector<EventId> rowsWithName(std::uint32_t name) const
    {
        if (m_store.indexed)
            return m_store.indexes.byName.events(name);
        std::vector<EventId> out;
        for (std::size_t row = 0; row < m_store.size(); ++row)
            if (m_store.name[row].value == name)
                out.push_back(EventId{static_cast<std::uint32_t>(row)});
        return out;
    }

    // The requests on the object: its events, plus the other stages of their requests (the
    // RequestReceived of a create names no object yet).
    std::map<RequestKey, std::vector<EventId>> requests() const
    {
        std::map<RequestKey, std::vector<EventId>> out;
        const std::uint32_t name = m_store.pools.names.find(m_key.name);
        if (name == UINT32_MAX)
            return out;
        std::vector<std::uint32_t> ids;
        for (const EventId id : rowsWithName(name)) {
            if (!matches(id.value))
                continue;
            const AuditIdId auditId = m_store.auditId[id.value];
            if (!auditId) {
                // No auditID: the event is a request of its own.
                out[RequestKey{UINT32_MAX, m_store.timeNs[id.value]}].push_back(id);
                continue;
            }
            out[RequestKey{auditId.value, m_store.timeNs[id.value]}];
            ids.push_back(auditId.value);
        }
        std::sort(ids.begin(), ids.end());
        ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
        const auto add = [&](std::uint32_t auditId, EventId id) {
            const auto it = out.find(RequestKey{auditId, m_store.timeNs[id.value]});
            // Same request, and about this resource (a reused ID may point elsewhere).
            if (it != out.end()
                && (!(m_store.flags[id.value] & HasObjectRef)
                    || textOf(m_store.pools.resources, m_store.resource[id.value])
                        == m_key.resource))
                it->second.push_back(id);
        };
        if (m_store.indexed) {
            for (const std::uint32_t auditId : ids)
                m_store.indexes.byAuditId.forEach(auditId, [&](EventId id) { add(auditId, id); });
        } else {
            // A partial snapshot: one pass over every row instead of one per auditID.
            for (std::size_t row = 0; row < m_store.size(); ++row) {
                const AuditIdId auditId = m_store.auditId[row];
                if (auditId && std::binary_search(ids.begin(), ids.end(), auditId.value))
                    add(auditId.value, EventId{static_cast<std::uint32_t>(row)});
            }
        }
        return out;
    }

    HistoryEntry entryOf(const RequestKey& key, const std::vector<EventId>& rows)
    {
        const EventStore& s = m_store;
        const StringPools& p = s.pools;
        HistoryEntry e;
        e.events = rows;
        e.auditId = key.auditId == UINT32_MAX ? std::string() : p.auditIds.text(key.auditId);
        EventId final = rows.back();
        for (const EventId id : rows)
            if (s.stage[id.value] == Stage::Panic)
                final = id;
        for (const EventId id : rows)
            if (s.stage[id.value] == Stage::ResponseComplete)
                final = id;
        const std::size_t first = rows.front().value, last = final.value;
        e.finalEvent = final;
        e.finalStage = s.stage[last];
        e.receivedNs = s.timeNs[first];
        e.stageNs = s.stageTimeNs(last);
        e.user = textOf(p.users, s.user[first]);
        e.impersonatedUser = textOf(p.users, s.impersonatedUser[first]);
        e.sourceIp = textOf(p.sourceIps, s.sourceIp[first]);
        e.userAgent = textOf(p.userAgents, s.userAgent[first]);
        e.verb = textOf(p.verbs, s.verb[first]);
        e.subresource = textOf(p.subresources, s.subresource[first]);
        e.file = s.sourceOf(final).path;
        e.code = s.code[last];
        e.succeeded = e.finalStage == Stage::ResponseComplete && e.code >= 200 && e.code < 300;
        // Bodies are on the final stage (ResponseComplete or Panic).
        EventDetail detail = m_reader.read(s, final);
        e.requestUri = detail.requestUri;
        if (e.requestUri.empty())
            e.requestUri = m_reader.read(s, rows.front()).requestUri;
        e.requestObject = std::move(detail.requestObject);
        e.responseObject = std::move(detail.responseObject);
        if (s.flags[last] & Truncated)
            e.note = "bodies removed by the audit backend's truncation (audit.k8s.io/truncated)";
        const bool plain = e.subresource.empty() || e.subresource == "status";
        if (e.verb == "create" && e.subresource.empty())
            e.action = HistoryAction::Create;
        else if (e.verb == "update" && plain)
            e.action = HistoryAction::Update;
        else if (e.verb == "patch" && plain)
            e.action = HistoryAction::Patch;
        else if (e.verb == "delete" && e.subresource.empty())
            e.action = HistoryAction::Delete;
        else if ((e.verb == "get" || e.verb == "list" || e.verb == "watch") && plain)
            e.action = HistoryAction::Read;
        else
            e.action = HistoryAction::Other;
        return e;
    }

    // The response body when it is the object itself (not a Status, Scale, list, ...).
    std::optional<JsonValue> objectIn(const std::string& raw) const
    {
        if (raw.empty())
            return std::nullopt;
        std::optional<JsonValue> v = parseJson(raw);
        if (!v || !v->isObject())
            return std::nullopt;
        const std::string_view kind = v->stringAt("kind");
        if (kind == "Status" || kind == "Scale" || kind.ends_with("List") || kind == "Table"
            || kind == "DeleteOptions")
            return std::nullopt;
        const JsonValue* name = v->at("/metadata/name");
        if (name && name->isString() && name->text() != m_key.name)
            return std::nullopt;
        return v;
    }

    void setSides(HistoryEntry& e, const std::optional<JsonValue>& before,
        const std::optional<JsonValue>& after)
    {
        const DiffOptions& d = m_options.diff;
        e.beforeKnown = before.has_value() || !e.existsBefore;
        e.afterKnown = after.has_value() || !e.existsAfter;
        if (before)
            e.before = withoutIgnored(*before, d).toJson();
        if (after)
            e.after = withoutIgnored(*after, d).toJson();
        if (e.beforeKnown && e.afterKnown) {
            e.changes = diffJson(before ? &*before : nullptr, after ? &*after : nullptr, d);
            e.hasDiff = true;
        }
    }

    void noteIfEmpty(HistoryEntry& e, std::string text)
    {
        if (e.note.empty())
            e.note = std::move(text);
    }

    void learnLifetime(ObjectHistory& h, const JsonValue& object)
    {
        if (h.lifetimes.empty())
            h.lifetimes.emplace_back();
        ObjectLifetime& life = h.lifetimes.back();
        if (life.uid.empty())
            life.uid = std::string(
                object.at("/metadata/uid") ? object.at("/metadata/uid")->text() : std::string());
        const JsonValue* created = object.at("/metadata/creationTimestamp");
        if (!life.creationTimestampNs && created && created->isString())
            life.creationTimestampNs = parseRfc3339(created->text());
    }

    // Parsed bodies of one request, and the object's state before it.
    struct Bodies
    {
        std::optional<JsonValue> request;
        std::optional<JsonValue> response; ///< only when it is the object itself
        std::optional<JsonValue> before; ///< the last known state
    };

    // Replays one request on the object's last known state (m_known): what it changed, the
    // states on both sides where they can be known, and the object's lifetimes.
    void replay(HistoryEntry& e, ObjectHistory& h)
    {
        Bodies b;
        b.request = e.requestObject.empty() ? std::nullopt : parseJson(e.requestObject);
        b.response = objectIn(e.responseObject);
        if (e.action == HistoryAction::Patch)
            e.patch = detectPatchKind(b.request ? &*b.request : nullptr, e.requestUri,
                textOf(m_store.pools.apiGroups, m_store.apiGroup[e.finalEvent.value]),
                b.response ? &*b.response : nullptr);
        if (!e.succeeded) {
            replayFailed(e);
            return;
        }
        b.before = m_known;
        switch (e.action) {
        case HistoryAction::Create:
            replayCreate(e, h, b);
            break;
        case HistoryAction::Update:
            replayUpdate(e, b);
            break;
        case HistoryAction::Patch:
            replayPatch(e, h, b);
            break;
        case HistoryAction::Delete:
            replayDelete(e, h, b);
            break;
        case HistoryAction::Read:
            replayRead(e, b);
            break;
        case HistoryAction::Other:
            replayOther(e);
            break;
        }
        // The stored object (response) knows the server-set uid better than the request.
        for (const std::optional<JsonValue>* v : {&b.response, &b.request})
            if (*v && (*v)->isObject() && (*v)->at("/metadata/uid"))
                learnLifetime(h, **v);
    }

    void replayFailed(HistoryEntry& e)
    {
        if (e.action == HistoryAction::Read || e.action == HistoryAction::Other)
            return;
        noteIfEmpty(e,
            e.finalStage == Stage::ResponseComplete
                ? "failed with code " + std::to_string(e.code) + ": nothing changed"
                : std::string("no ResponseComplete: outcome unknown"));
        if (e.finalStage != Stage::ResponseComplete)
            m_known.reset(); // may or may not have changed the object
    }

    // A new lifetime of the object, started by `e`.
    static void startLifetime(const HistoryEntry& e, ObjectHistory& h)
    {
        ObjectLifetime life;
        life.createdNs = e.stageNs;
        life.createdBy = e.user;
        h.lifetimes.push_back(std::move(life));
    }

    void replayCreate(HistoryEntry& e, ObjectHistory& h, const Bodies& b)
    {
        std::optional<JsonValue> after = b.response;
        if (!after && b.request && b.request->isObject())
            after = b.request;
        e.changesObject = true;
        e.existsBefore = false;
        setSides(e, std::nullopt, after);
        if (!after)
            noteIfEmpty(e, "created; bodies not logged (level Metadata)");
        else
            noteIfEmpty(e, b.response ? "object from responseObject" : "object from requestObject");
        startLifetime(e, h);
        m_known = after;
    }

    void replayUpdate(HistoryEntry& e, const Bodies& b)
    {
        std::optional<JsonValue> after = b.response;
        if (!after && b.request && b.request->isObject())
            after = b.request;
        e.changesObject = true;
        setSides(e, b.before, after);
        if (!after)
            noteIfEmpty(e, "updated; bodies not logged (level Metadata)");
        else if (!b.before)
            noteIfEmpty(e, "no earlier state in the log: only the new object is shown");
        else
            noteIfEmpty(e,
                b.response ? "new state from responseObject"
                           : "new state from requestObject (as sent)");
        m_known = after;
    }

    void replayPatch(HistoryEntry& e, ObjectHistory& h, const Bodies& b)
    {
        e.changesObject = true;
        if (e.code == 201) // server-side apply created the object
            e.existsBefore = false;
        std::optional<JsonValue> from = e.existsBefore ? b.before : std::nullopt;
        std::optional<JsonValue> after = b.response;
        std::string how = "new state from responseObject";
        if (!after && b.request && (e.existsBefore ? from.has_value() : true))
            how = applyPatch(e.patch.kind, *b.request, from, after);
        else if (!after)
            how = b.request ? "no earlier state in the log to apply the patch to"
                            : "bodies not logged (level Metadata)";
        setSides(e, from, after);
        noteIfEmpty(e, how);
        if (!e.existsBefore)
            startLifetime(e, h);
        m_known = after;
    }

    // Computes the state after a patch from the state before it (an empty object when it
    // created the object) where the patch kind allows: JSON and merge patches, not apply or
    // strategic merge patches, which depend on the type's schema. Sets `after` when it could;
    // returns how the new state was found, or why not.
    static std::string applyPatch(PatchKind kind, const JsonValue& patch,
        const std::optional<JsonValue>& from, std::optional<JsonValue>& after)
    {
        JsonValue work = from.value_or(JsonValue::makeObject());
        if (kind == PatchKind::JsonPatch) {
            std::string error;
            if (!applyJsonPatch(work, patch, &error))
                return "the JSON patch does not apply to the last known state (" + error + ")";
            after = std::move(work);
            return "new state: the JSON patch applied to the last known state";
        }
        if (kind == PatchKind::MergePatch) {
            applyMergePatch(work, patch);
            after = std::move(work);
            return "new state: the merge patch applied to the last known state";
        }
        return std::string(kind == PatchKind::ApplyPatch ? "the result of an apply patch"
                                                         : "the result of a strategic merge patch")
            + " is not computed here (it depends on the type's schema); log "
              "responseObject (level RequestResponse) to see it";
    }

    void replayDelete(HistoryEntry& e, ObjectHistory& h, const Bodies& b)
    {
        e.changesObject = true;
        if (h.lifetimes.empty())
            h.lifetimes.emplace_back();
        ObjectLifetime& life = h.lifetimes.back();
        const JsonValue* deletion =
            b.response ? b.response->at("/metadata/deletionTimestamp") : nullptr;
        if (b.response && deletion) {
            // Graceful deletion or finalizers: the object stays, marked for deletion.
            setSides(e, b.before, b.response);
            life.deletionPending = true;
            noteIfEmpty(e,
                "deletion accepted; the object stays until its finalizers or grace "
                "period are done (deletionTimestamp set)");
            m_known = b.response;
        } else {
            e.existsAfter = false;
            setSides(e, b.before, std::nullopt);
            noteIfEmpty(e, b.before ? "deleted" : "deleted; its last state is not in the log");
            m_known.reset();
        }
        if (!life.deletedNs) {
            life.deletedNs = e.stageNs;
            life.deletedBy = e.user;
        }
    }

    // A read shows the object as stored: if it differs from the last known state, requests
    // missing from the log (or logged without bodies) changed it.
    void replayRead(HistoryEntry& e, const Bodies& b)
    {
        if (!b.response)
            return;
        if (b.before) {
            std::vector<JsonChange> unseen = diffJson(&*b.before, &*b.response, m_options.diff);
            if (!unseen.empty()) {
                setSides(e, b.before, b.response);
                e.note = "the object differs from its last known state: changed by "
                         "requests not in the log (or logged without bodies)";
            }
        }
        m_known = b.response;
    }

    void replayOther(HistoryEntry& e)
    {
        if (!changesParent(e.subresource))
            return;
        e.changesObject = true;
        noteIfEmpty(e,
            "changed through /" + e.subresource + "; the object's new state is not in this event");
        m_known.reset();
    }

    const EventStore& m_store;
    const ObjectKey& m_key;
    const HistoryOptions& m_options;
    EventDetailReader m_reader;
    std::optional<JsonValue> m_known; // the object's last known state
};

} // namespace

std::optional<ObjectKey> ObjectKey::parse(std::string_view text, std::string* error)
{
    std::vector<std::string_view> parts;
    std::size_t at = 0;
    while (true) {
        const std::size_t slash = text.find('/', at);
        parts.push_back(text.substr(at, slash == std::string_view::npos ? slash : slash - at));
        if (slash == std::string_view::npos)
            break;
        at = slash + 1;
    }
    auto fail = [&](std::string message) -> std::optional<ObjectKey> {
        if (error)
            *error = std::move(message);
        return std::nullopt;
    };
    if (parts.size() != 4)
        return fail("expected GROUP/RESOURCE/NAMESPACE/NAME (core for the core group, - for no "
                    "namespace), e.g. apps/deployments/prod/web");
    for (std::size_t i = 0; i < 4; ++i)
        if (parts[i].empty())
            return fail(std::string(i == 0 ? "GROUP"
                                : i == 1   ? "RESOURCE"
                                : i == 2   ? "NAMESPACE"
                                           : "NAME")
                + " is empty (write core for the core group, - for no namespace)");
    ObjectKey key;
    key.group = parts[0] == "core" ? std::string() : std::string(parts[0]);
    key.resource = std::string(parts[1]);
    key.namespaceName = parts[2] == "-" ? std::string() : std::string(parts[2]);
    key.name = std::string(parts[3]);
    return key;
}

std::string ObjectKey::toString() const
{
    return (group.empty() ? std::string("core") : group) + "/" + resource + "/"
        + (namespaceName.empty() ? std::string("-") : namespaceName) + "/" + name;
}

std::string_view patchKindName(PatchKind kind)
{
    switch (kind) {
    case PatchKind::JsonPatch:
        return "json-patch";
    case PatchKind::MergePatch:
        return "merge-patch";
    case PatchKind::StrategicMergePatch:
        return "strategic-merge-patch";
    case PatchKind::ApplyPatch:
        return "apply-patch";
    case PatchKind::Unknown:
        break;
    }
    return "unknown";
}

std::string_view patchContentType(PatchKind kind)
{
    switch (kind) {
    case PatchKind::JsonPatch:
        return "application/json-patch+json";
    case PatchKind::MergePatch:
        return "application/merge-patch+json";
    case PatchKind::StrategicMergePatch:
        return "application/strategic-merge-patch+json";
    case PatchKind::ApplyPatch:
        return "application/apply-patch+yaml";
    case PatchKind::Unknown:
        break;
    }
    return "";
}

std::string_view historyActionName(HistoryAction action)
{
    switch (action) {
    case HistoryAction::Create:
        return "create";
    case HistoryAction::Update:
        return "update";
    case HistoryAction::Patch:
        return "patch";
    case HistoryAction::Delete:
        return "delete";
    case HistoryAction::Read:
        return "read";
    case HistoryAction::Other:
        break;
    }
    return "other";
}

PatchKindGuess detectPatchKind(const JsonValue* body, std::string_view requestUri,
    std::string_view apiGroup, const JsonValue* response)
{
    PatchKindGuess g;
    if (body && body->isArray()) {
        g = {PatchKind::JsonPatch, true, "the body is a list of operations (RFC 6902)"};
        return g;
    }
    if (queryParameter(requestUri, "force")) {
        g = {PatchKind::ApplyPatch, true, "the URL has force=, which only apply patches accept"};
        return g;
    }
    const std::optional<std::string_view> manager = queryParameter(requestUri, "fieldManager");
    const std::string operation = manager ? managedOperation(response, *manager) : std::string();
    if (operation == "Apply") {
        g = {PatchKind::ApplyPatch, true,
            "responseObject's managedFields record an Apply by field manager "
                + std::string(*manager)};
        return g;
    }
    if (body) {
        if (const std::string directive = strategicDirective(*body); !directive.empty()) {
            g = {PatchKind::StrategicMergePatch, true,
                "the body uses the strategic merge directive " + directive};
            return g;
        }
    }
    if (body && body->isObject() && !body->stringAt("apiVersion").empty()
        && !body->stringAt("kind").empty() && manager && operation.empty()) {
        g = {PatchKind::ApplyPatch, false,
            "a whole object (apiVersion, kind) sent with fieldManager=" + std::string(*manager)
                + ", as server-side apply sends it"};
        return g;
    }
    if (isBuiltInGroup(apiGroup)) {
        g = {PatchKind::StrategicMergePatch, false,
            manager && *manager == "kubectl-client-side-apply"
                ? "kubectl apply (client side) sends strategic merge patches for built-in types"
                : "built-in types accept strategic merge patches (kubectl patch's default); a "
                  "JSON merge patch looks the same"};
        return g;
    }
    g = {PatchKind::MergePatch, false,
        "custom resources do not accept strategic merge patches, so an object body is a JSON "
        "merge patch"};
    return g;
}

ObjectHistory buildObjectHistory(
    const EventStore& store, const ObjectKey& key, const HistoryOptions& options)
{
    return HistoryBuilder(store, key, options).build();
}

} // namespace auditscope

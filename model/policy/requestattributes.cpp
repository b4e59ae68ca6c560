// SPDX-License-Identifier: Apache-2.0
#include "requestattributes.h"

#include "report/rawfieldreader.h"
#include "store/eventstore.h"

namespace auditscope {

namespace {

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

std::vector<std::string> splitPath(std::string_view path)
{
    while (!path.empty() && path.front() == '/')
        path.remove_prefix(1);
    while (!path.empty() && path.back() == '/')
        path.remove_suffix(1);
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (true) {
        const std::size_t slash = path.find('/', start);
        parts.emplace_back(
            path.substr(start, slash == std::string_view::npos ? slash : slash - start));
        if (slash == std::string_view::npos)
            break;
        start = slash + 1;
    }
    return parts;
}

} // namespace

std::string decodedPath(std::string_view requestUri)
{
    const std::size_t query = requestUri.find('?');
    const std::string_view raw = requestUri.substr(0, query);
    std::string out;
    out.reserve(raw.size());
    for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '%' && i + 2 < raw.size()) {
            const int hi = hexValue(raw[i + 1]);
            const int lo = hexValue(raw[i + 2]);
            if (hi >= 0 && lo >= 0) {
                out.push_back(static_cast<char>(hi * 16 + lo));
                i += 2;
                continue;
            }
        }
        out.push_back(raw[i]);
    }
    return out;
}

ParsedRequestUri parseRequestUri(std::string_view requestUri)
{
    ParsedRequestUri info;
    info.path = decodedPath(requestUri);
    std::vector<std::string> parts = splitPath(info.path);
    if (parts.size() < 3 || (parts[0] != "api" && parts[0] != "apis"))
        return info;
    std::size_t cur = 1;
    if (parts[0] == "apis") {
        if (parts.size() < 4)
            return info; // API discovery: /apis/<group>/<version>
        info.apiGroup = parts[cur++];
    }
    info.apiVersion = parts[cur++];
    if (parts[cur] == "watch" || parts[cur] == "proxy") {
        if (parts.size() - cur < 2)
            return info; // kube-apiserver fails to build RequestInfo; treat as non-resource
        info.verbOverride = parts[cur++];
    }
    info.isResourceRequest = true;
    std::vector<std::string> rest(parts.begin() + static_cast<std::ptrdiff_t>(cur), parts.end());
    if (rest[0] == "namespaces") {
        if (rest.size() > 1) {
            info.namespaceName = rest[1];
            if (rest.size() > 2 && rest[2] != "status" && rest[2] != "finalize")
                rest.erase(rest.begin(), rest.begin() + 2);
        }
    }
    const bool proxyVerb = info.verbOverride == "proxy";
    if (rest.size() >= 3 && !proxyVerb)
        info.subresource = rest[2];
    if (rest.size() >= 2)
        info.name = rest[1];
    info.resource = rest[0];
    return info;
}

RequestAttributes attributesOf(const EventStore& store, EventId id, RawFieldReader& reader)
{
    RequestAttributes a;
    const std::size_t row = id.value;
    const std::uint8_t flags = store.flags[row];
    if (!(flags & NoUser)) {
        UserAttributes user;
        if (const UserId u = store.user[row])
            user.name = std::string(store.pools.users.view(u.value));
        if (const GroupSetId set = store.groupSet[row])
            for (const GroupId g : store.groupsOf(set))
                user.groups.emplace_back(store.pools.groups.view(g.value));
        a.user = std::move(user);
    }
    if (const VerbId v = store.verb[row])
        a.verb = std::string(store.pools.verbs.view(v.value));
    a.isResourceRequest = (flags & HasObjectRef) != 0;
    auto view = [](const StringPool& pool, auto idValue) {
        return idValue ? std::string(pool.view(idValue.value)) : std::string();
    };
    if (a.isResourceRequest) {
        a.apiGroup = view(store.pools.apiGroups, store.apiGroup[row]);
        a.resource = view(store.pools.resources, store.resource[row]);
        a.subresource = view(store.pools.subresources, store.subresource[row]);
        a.namespaceName = view(store.pools.namespaces, store.namespaceId[row]);
        a.name = view(store.pools.names, store.name[row]);
        if (a.verb == "create" || a.verb == "update") {
            if (const auto uri = reader.topLevelString(store, id, "requestURI")) {
                const ParsedRequestUri parsed = parseRequestUri(*uri);
                if (parsed.isResourceRequest) {
                    a.namespaceName = parsed.namespaceName;
                    a.name = parsed.name;
                }
            }
        }
    } else if (const auto uri = reader.topLevelString(store, id, "requestURI")) {
        a.path = decodedPath(*uri);
    }
    return a;
}

} // namespace auditscope

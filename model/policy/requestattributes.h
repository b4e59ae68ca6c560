// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/ids.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace auditscope {

class EventStore;
class RawFieldReader;

/// The authenticated user as the audit filter saw it.
struct UserAttributes
{
    std::string name;
    std::vector<std::string> groups;
};

/// What the policy is evaluated on (spec §1.2): kube-apiserver's authorizer attributes.
struct RequestAttributes
{
    std::optional<UserAttributes> user; ///< nullopt: no user (failed authn, bad timeout)
    std::string verb;
    bool isResourceRequest = false;
    std::string apiGroup;
    std::string resource;
    std::string subresource;
    std::string namespaceName;
    std::string name;
    std::string path; ///< decoded URL path without the query (used for non-resource requests)
};

/// kube-apiserver's RequestInfo as far as the policy needs it (spec §5.3).
struct ParsedRequestUri
{
    bool isResourceRequest = false;
    std::string path; ///< percent-decoded path, no query
    std::string verbOverride; ///< "watch"/"proxy" from the legacy path prefixes, else ""
    std::string apiGroup, apiVersion, namespaceName, resource, name, subresource;
};

/// Go's URL.Path for a request URI: the part before '?', percent-decoded (bad escapes kept).
std::string decodedPath(std::string_view requestUri);

/// Parses a request URI like pkg/endpoints/request/requestinfo.go (prefixes "api" and "apis").
ParsedRequestUri parseRequestUri(std::string_view requestUri);

/// Attributes of event `id` per spec §5: the authenticated user (never impersonatedUser;
/// NoUser gives none), objectRef fields, namespace and name from the requestURI for create
/// and update, the decoded path for non-resource requests. `reader` re-reads requestURI.
RequestAttributes attributesOf(const EventStore& store, EventId id, RawFieldReader& reader);

} // namespace auditscope

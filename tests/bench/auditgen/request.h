// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "catalog.h"
#include "jsonwriter.h"
#include "principals.h"

#include <cstdint>
#include <string_view>

namespace auditgen {

/// Audit levels and stages, with their names as logged.
enum class Level { Metadata, Request, RequestResponse };
enum class Stage { RequestReceived, ResponseStarted, ResponseComplete, Panic };

inline constexpr std::string_view kLevelNames[] = {"Metadata", "Request", "RequestResponse"};
inline constexpr std::string_view kStageNames[] = {
    "RequestReceived", "ResponseStarted", "ResponseComplete", "Panic"};

/// Verbs that send an object or patch in the request body, and verbs that only read.
inline bool isWrite(std::string_view verb)
{
    return verb == "create" || verb == "update" || verb == "patch";
}
inline bool isRead(std::string_view verb)
{
    return verb == "get" || verb == "list" || verb == "watch";
}

/// One API request: what the client sent (filled by RequestBuilder and the activities) and
/// the outcome decided when it is submitted. All its audit events are rendered from it.
struct Request
{
    char auditID[36];
    Buf customAuditId; // a client's own Audit-ID header (spec §8), used as is instead
    const Principal* who = nullptr; // nullptr: failed authentication, logged as "user":{}
    const Principal* as = nullptr; // impersonated user
    std::string_view agent, ips;
    Level level = Level::Metadata;
    std::string_view verb;
    Buf uri; // JSON-escaped requestURI
    const ResType* rt = nullptr; // nullptr: non-resource request
    Buf ns, name; // from the URL
    std::string_view sub;
    Buf bodyName, bodyUid; // metadata from a create/update body, fills later objectRefs
    uint64_t bodyRv = 0;
    Buf reqBody, respBody;
    Buf extraAnnotations; // sorted after authorization.k8s.io/*, starting with ','
    Buf reason; // allow reason (defaults to who->reason)
    int forcedCode = 0; // 0: decided by RequestBuilder::submit()
    bool allowFailures = true;
    bool aggregated = false; // served by an aggregated API server
    int64_t startDelay = 0, duration = 0; // 0: typical values for the verb
    bool dropReceived = false; // the RequestReceived event is lost
    bool dropFinal = false; // no ResponseComplete/Panic: still running when the log ends
    // Computed on submission:
    int code = 0;
    bool longRunning = false, panic = false;
    int64_t recv = 0;
    Buf refReceived, refFinal, status, startedStatus, annotations, ipsOverride;

    /// Clears everything for the next request (keeps the buffers' capacity).
    void reset();
};

/// Appends the JSON line of `r`'s audit event at stage `st`, stamped `stageTs`.
void renderEvent(Buf& b, const Request& r, Stage st, int64_t stageTs);

} // namespace auditgen

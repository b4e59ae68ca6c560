// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "catalog.h"
#include "emitter.h"
#include "principals.h"
#include "request.h"
#include "simstate.h"

#include <cstdint>
#include <string_view>

namespace auditgen {

/// Builds the current request and submits it: who sends it, its URI (resource path and query
/// in the order client-go writes them) and, on submit(), its outcome and audit events, which
/// go to the Emitter. One request at a time: begin() starts the next.
class RequestBuilder
{
public:
    RequestBuilder(SimState& sim, const World& world, Emitter& emitter);

    /// Starts a new request by `who` with a fresh auditID.
    void begin(const Principal& who);
    /// A non-resource URL such as /healthz; `verb` is the lower-case HTTP method.
    void nonResource(std::string_view path, std::string_view verb = "get");
    /// Sets verb, objectRef parts and the URI path of a resource request.
    void resource(std::string_view verb, const ResType& rt, std::string_view ns,
        std::string_view name, std::string_view sub = {});
    /// Appends a query parameter; callers add them in sorted order, as url.Values.Encode does.
    void query(std::string_view key, std::string_view value);
    void queryU(std::string_view key, uint64_t value);
    /// The query of a client-go reflector watch; also picks how long the watch stays open.
    void watchQuery(std::string_view selectorKey = {}, std::string_view selector = {});
    /// The query of a client-go reflector's initial list.
    void listQuery(std::string_view selectorKey = {}, std::string_view selector = {});

    /// The request being built: activities set its level, bodies, reason etc. directly.
    Request& request() { return m_request; }

    /// Decides the outcome, renders the request's events (RequestReceived, then
    /// ResponseStarted for long-running requests, then ResponseComplete or Panic) and hands
    /// them to the Emitter; also logs the aggregated API server's copy.
    void submit();
    /// A request rejected by authentication ("user":{}): a single ResponseStarted event with
    /// code 401, on any server. The caller sets the request's duration first.
    void submitUnauthenticated();
    /// Stages the audit policy omits (bit 1 << int(Stage)), as `omitStages` does: never written.
    void setOmittedStages(unsigned mask) { m_omitted = mask; }

private:
    int pickServer();
    void emitEvents(int server);
    void emitBackendCopy(int front);

    SimState& m_sim;
    const World& m_world;
    Emitter& m_emitter;
    Request m_request;
    unsigned m_omitted = 0;
};

} // namespace auditgen

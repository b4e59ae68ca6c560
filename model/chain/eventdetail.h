// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "report/raweventparser.h"
#include "store/eventstore.h"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace auditscope {

/// What chains and histories show of one event beyond the store's columns, re-read from its
/// raw JSON: the request URI, the response status, the annotations and the bodies as logged.
struct EventDetail
{
    bool valid = false; ///< false if the raw JSON could not be re-read (see error)
    std::string error;
    std::string requestUri; ///< unescaped, as logged
    std::string status; ///< responseStatus.status ("Success", "Failure"), if any
    std::string message; ///< responseStatus.message
    std::string reason; ///< responseStatus.reason ("NotFound", "Forbidden", ...)
    /// Every annotation, in logged order (keys sorted, as kube-apiserver writes them).
    std::vector<std::pair<std::string, std::string>> annotations;
    std::string requestObject; ///< raw JSON text as logged; empty if not logged
    std::string responseObject; ///< raw JSON text as logged; empty if not logged

    /// The annotation `key`, or "" when absent.
    std::string_view annotation(std::string_view key) const;
    /// `apiserver.latency.k8s.io/*` annotations (written when a request took over 500 ms), in
    /// logged order, with the prefix removed from the keys (`etcd`, `total`, ...).
    std::vector<std::pair<std::string, std::string>> latencyAnnotations() const;
};

/// Re-reads EventDetails. Holds a RawEventParser: one instance per thread, cheap to reuse.
class EventDetailReader
{
public:
    EventDetail read(const EventStore& store, EventId id);

private:
    RawEventParser m_parser;
};

} // namespace auditscope

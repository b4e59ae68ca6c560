// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "load/loader.h"
#include "store/eventstore.h"

#include <QString>

#include <string>
#include <vector>

namespace auditscope::test {

/// One compact audit.k8s.io/v1 Event line (no newline) with the given fields; `extra` is
/// inserted verbatim before the closing brace (start it with a comma).
inline std::string eventLine(const std::string& auditId, const std::string& stage,
    const std::string& received, const std::string& stageTime, const std::string& verb = "get",
    const std::string& extra = {})
{
    return R"({"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":")"
        + auditId + R"(","stage":")" + stage
        + R"(","requestURI":"/api/v1/namespaces/default/pods/p1","verb":")" + verb
        + R"(","user":{"username":"alice","groups":["dev","system:authenticated"]},"sourceIPs":["10.0.0.1"],"userAgent":"kubectl/v1.29","objectRef":{"resource":"pods","namespace":"default","name":"p1","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200},"requestReceivedTimestamp":")"
        + received + R"(","stageTimestamp":")" + stageTime + "\"" + extra + "}";
}

/// Loads one in-memory source named `name`.
inline LoadResult loadText(
    const std::string& text, const std::string& name = "mem.log", LoadOptions options = {})
{
    return loadAuditBuffers({{name, text}}, {}, options);
}

/// Auditids of the store in row order.
inline std::vector<std::string> auditIds(const EventStore& store)
{
    std::vector<std::string> ids;
    for (std::uint32_t i = 0; i < store.size(); ++i)
        ids.emplace_back(store.pools.auditIds.text(store.auditId[i].value));
    return ids;
}

inline QString toQString(std::string_view text)
{
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

} // namespace auditscope::test

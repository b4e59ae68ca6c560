// SPDX-License-Identifier: Apache-2.0
#include "request.h"

#include <initializer_list>

namespace auditgen {

void Request::reset()
{
    who = as = nullptr;
    agent = ips = {};
    level = Level::Metadata;
    verb = {};
    rt = nullptr;
    sub = {};
    bodyRv = 0;
    forcedCode = 0;
    allowFailures = true;
    aggregated = false;
    startDelay = duration = 0;
    dropReceived = dropFinal = false;
    code = 0;
    longRunning = panic = false;
    for (Buf* s : {&customAuditId, &uri, &ns, &name, &bodyName, &bodyUid, &reqBody, &respBody,
             &extraAnnotations, &reason, &refReceived, &refFinal, &status, &startedStatus,
             &annotations, &ipsOverride})
        s->clear();
}

void renderEvent(Buf& b, const Request& r, Stage st, int64_t stageTs)
{
    b += R"({"kind":"Event","apiVersion":"audit.k8s.io/v1","level":")";
    b += kLevelNames[static_cast<int>(r.level)];
    b += R"(","auditID":")";
    if (r.customAuditId.empty())
        b.append(r.auditID, 36);
    else
        b += r.customAuditId;
    b += R"(","stage":")";
    b += kStageNames[static_cast<int>(st)];
    b += R"(","requestURI":")";
    b += r.uri;
    b += R"(","verb":")";
    b += r.verb;
    b += R"(","user":)";
    b += r.who ? std::string_view(r.who->user) : std::string_view("{}");
    if (r.as) {
        b += R"(,"impersonatedUser":)";
        b += r.as->user;
    }
    b += R"(,"sourceIPs":[)";
    b += r.ipsOverride.empty() ? r.ips : std::string_view(r.ipsOverride);
    b += ']';
    if (!r.agent.empty()) {
        b += R"(,"userAgent":")";
        b += r.agent;
        b += '"';
    }
    if (r.rt) {
        b += R"(,"objectRef":)";
        b += st == Stage::RequestReceived ? r.refReceived : r.refFinal;
    }
    if (st != Stage::RequestReceived) {
        b += R"(,"responseStatus":)";
        b += st == Stage::ResponseStarted && !r.startedStatus.empty() ? r.startedStatus : r.status;
    }
    if ((st == Stage::ResponseComplete || st == Stage::Panic) && !r.reqBody.empty()) {
        b += R"(,"requestObject":)";
        b += r.reqBody;
    }
    if (st == Stage::ResponseComplete && !r.respBody.empty()) {
        b += R"(,"responseObject":)";
        b += r.respBody;
    }
    b += R"(,"requestReceivedTimestamp":")";
    putTime(b, r.recv);
    b += R"(","stageTimestamp":")";
    putTime(b, stageTs);
    b += '"';
    if (st != Stage::RequestReceived && !r.annotations.empty()) {
        b += R"(,"annotations":{)";
        b += r.annotations;
        b += '}';
    }
    b += "}\n";
}

} // namespace auditgen

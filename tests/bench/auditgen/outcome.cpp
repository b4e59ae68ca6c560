// SPDX-License-Identifier: Apache-2.0
// What the API server answers: response code, objectRef, Status, annotations and timing.
#include "outcome.h"

#include "catalog.h"
#include "jsonwriter.h"

#include <string_view>

namespace auditgen {

int decideCode(Request& r, Rng& rng)
{
    if (r.forcedCode)
        return r.forcedCode;
    const std::string_view v = r.verb;
    int ok = v == "create" ? 201 : 200;
    if (r.sub == "exec" || r.sub == "attach" || r.sub == "portforward")
        ok = 101;
    if (!r.allowFailures)
        return ok;
    const double u = rng.unit();
    const bool human = r.who->home < 0;
    const double p403 =
        human ? 0.015 : (r.who->name.starts_with("system:serviceaccount:") ? 0.004 : 0.0004);
    if (u < p403)
        return 403;
    double acc = p403;
    if (r.rt) {
        const double p404 = v == "get" ? 0.03
            : v == "delete"            ? 0.04
            : v == "patch"             ? 0.01
            : v == "update"            ? 0.005
                                       : 0;
        if (u < (acc += p404))
            return 404;
        const double p409 = v == "update"    ? (r.rt == &kLeases ? 0.01 : 0.025)
            : v == "create" && r.sub.empty() ? 0.01
                                             : 0;
        if (u < (acc += p409))
            return 409;
    }
    if (u < (acc += 0.0005))
        return 500;
    if (u < acc + 0.0001)
        r.panic = true;
    return ok;
}

// objectRef keys in Go order: resource, namespace, name, uid, apiGroup, apiVersion,
// resourceVersion, subresource.
void buildObjectRefs(Request& r)
{
    const ResType& rt = *r.rt;
    auto build = [&](Buf& b, std::string_view name, std::string_view uid, uint64_t rv) {
        b += R"({"resource":")";
        b += rt.plural;
        b += '"';
        if (!r.ns.empty()) {
            b += R"(,"namespace":")";
            b += r.ns;
            b += '"';
        }
        if (!name.empty()) {
            b += R"(,"name":")";
            b += name;
            b += '"';
        }
        if (!uid.empty()) {
            b += R"(,"uid":")";
            b += uid;
            b += '"';
        }
        if (!rt.group.empty()) {
            b += R"(,"apiGroup":")";
            b += rt.group;
            b += '"';
        }
        b += R"(,"apiVersion":")";
        b += rt.version;
        b += '"';
        if (rv) {
            b += R"(,"resourceVersion":)";
            putQuotedU(b, rv);
        }
        if (!r.sub.empty()) {
            b += R"(,"subresource":")";
            b += r.sub;
            b += '"';
        }
        b += '}';
    };
    build(r.refReceived, r.name, {}, 0);
    // Create and update handlers fill empty name/uid/resourceVersion from the decoded body
    // (LogRequestObject) before the later stages are written; the RequestReceived event
    // keeps the values from the URL. Requests rejected before the handler never get there.
    const bool decoded =
        (r.verb == "create" || r.verb == "update") && r.code != 403 && r.code != 401;
    if (decoded) {
        build(r.refFinal, r.name.empty() ? std::string_view(r.bodyName) : std::string_view(r.name),
            r.bodyUid, r.bodyRv);
    } else {
        r.refFinal = r.refReceived;
    }
}

namespace {

// "deployments.apps" or "pods": the qualified resource Kubernetes puts into error messages.
void putQualifiedResource(Buf& b, const ResType& rt)
{
    b += rt.plural;
    if (!rt.group.empty()) {
        b += '.';
        b += rt.group;
    }
}

// StatusDetails: name, group, kind, uid.
void putDetails(Buf& b, const Request& r, bool withUid)
{
    b += R"("details":{)";
    if (r.rt) {
        const std::string_view name =
            r.name.empty() ? std::string_view(r.bodyName) : std::string_view(r.name);
        bool comma = false;
        if (!name.empty()) {
            b += R"("name":")";
            b += name;
            b += '"';
            comma = true;
        }
        if (!r.rt->group.empty()) {
            b += comma ? R"(,"group":")" : R"("group":")";
            b += r.rt->group;
            b += '"';
            comma = true;
        }
        b += comma ? R"(,"kind":")" : R"("kind":")";
        b += r.rt->plural;
        b += '"';
        if (withUid) {
            b += R"(,"uid":")";
            putUuid(b, hashOf(r.ns, name, "uid"));
            b += '"';
        }
    }
    b += "},";
}

void putForbiddenMessage(Buf& b, const Request& r)
{
    const std::string_view user = r.as ? r.as->name : r.who->name;
    if (!r.rt) {
        b += R"(forbidden: User \")";
        b += user;
        b += R"(\" cannot )";
        b += r.verb;
        b += R"( path \")";
        b += std::string_view(r.uri).substr(0, r.uri.find('?'));
        b += R"(\")";
        return;
    }
    putQualifiedResource(b, *r.rt);
    if (!r.name.empty()) {
        b += R"( \")";
        b += r.name;
        b += R"(\")";
    }
    b += R"( is forbidden: User \")";
    b += user;
    b += R"(\" cannot )";
    b += r.verb;
    b += R"( resource \")";
    b += r.rt->plural;
    if (!r.sub.empty()) {
        b += '/';
        b += r.sub;
    }
    b += R"(\" in API group \")";
    b += r.rt->group;
    if (r.ns.empty()) {
        b += R"(\" at the cluster scope)";
    } else {
        b += R"(\" in the namespace \")";
        b += r.ns;
        b += R"(\")";
    }
}

// Added by the latency tracker when a request takes longer than 500ms (Go duration strings).
void putLatencyAnnotations(Buf& b, const Request& r, Rng& rng, int64_t totalUs)
{
    const uint64_t total = static_cast<uint64_t>(totalUs) * 1000 + rng.below(1000);
    auto entry = [&](std::string_view key, uint64_t ns) {
        b += R"("apiserver.latency.k8s.io/)";
        b += key;
        b += R"(":")";
        putGoDuration(b, ns);
        b += R"(",)";
    };
    const bool write = isWrite(r.verb) || r.verb == "delete";
    if (rng.chance(0.3))
        entry("apf-queue-wait", total * rng.between(5, 40) / 100);
    entry("etcd", total * rng.between(10, 70) / 100);
    if (write)
        entry("mutating-admission", rng.between(20000, 90000000));
    entry("response-write", rng.between(400, 9000));
    entry("serialize-response-object", rng.between(8000, 60000000));
    entry("total", total);
    entry("transform-response-object", rng.between(2000, 900000));
    if (write)
        entry("validating-admission", rng.between(20000, 120000000));
}

} // namespace

// metav1.Status keys: metadata, status, message, reason, details, code.
void buildStatus(Request& r, Rng& rng)
{
    Buf& s = r.status;
    s += R"({"metadata":{},)";
    const int c = r.code;
    const bool deleted = c == 200 && r.rt && r.verb == "delete" && r.rt != &kPods;
    if (r.panic) {
        s +=
            R"("status":"Failure","message":"APIServer panic'd: runtime error: invalid memory address or nil pointer dereference","reason":"InternalError",)";
    } else if (deleted) { // most deletes answer with a Success Status rather than the object
        s += R"("status":"Success",)";
        putDetails(s, r, true);
    } else if (c == 401) {
        s += R"("status":"Failure","message":"Unauthorized","reason":"Unauthorized",)";
    } else if (c == 403) {
        s += R"("status":"Failure","message":")";
        putForbiddenMessage(s, r);
        s += R"(","reason":"Forbidden",)";
        putDetails(s, r, false);
    } else if (c == 404) {
        s += R"("status":"Failure","message":")";
        putQualifiedResource(s, *r.rt);
        s += R"( \")";
        s += r.name;
        s += R"(\" not found","reason":"NotFound",)";
        putDetails(s, r, false);
    } else if (c == 409 && r.verb == "create") {
        s += R"("status":"Failure","message":")";
        putQualifiedResource(s, *r.rt);
        s += R"( \")";
        s += r.name.empty() ? std::string_view(r.bodyName) : std::string_view(r.name);
        s += R"(\" already exists","reason":"AlreadyExists",)";
        putDetails(s, r, false);
    } else if (c == 409) {
        s += R"("status":"Failure","message":"Operation cannot be fulfilled on )";
        putQualifiedResource(s, *r.rt);
        s += R"( \")";
        s += r.name;
        s +=
            R"(\": the object has been modified; please apply your changes to the latest version and try again","reason":"Conflict",)";
        putDetails(s, r, false);
    } else if (c == 500) {
        const std::string_view cause =
            rng.chance(0.5) ? "etcdserver: request timed out" : "etcdserver: leader changed";
        s += R"("status":"Failure","message":"Internal error occurred: )";
        s += cause;
        s += R"(","reason":"InternalError","details":{"causes":[{"message":")";
        s += cause;
        s += R"("}]},)";
    }
    s += R"("code":)";
    putU(s, r.panic ? 500 : static_cast<uint64_t>(c));
    s += '}';
    if (r.longRunning) {
        r.startedStatus = R"({"metadata":{},"code":)";
        putU(r.startedStatus, static_cast<uint64_t>(c));
        r.startedStatus += '}';
        if (c >= 400)
            r.startedStatus = r.status;
    }
}

// Map keys are sorted like Go's encoding/json does: apiserver.* < authorization.* < others.
void buildAnnotations(Request& r, Rng& rng)
{
    if (r.code == 401)
        return; // authorization never ran
    Buf& a = r.annotations;
    if (!r.longRunning && r.duration > 500 * kMs)
        putLatencyAnnotations(a, r, rng, r.duration);
    if (r.code == 403) {
        a += R"("authorization.k8s.io/decision":"forbid","authorization.k8s.io/reason":"")";
    } else {
        a += R"("authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":")";
        a += r.reason.empty() ? std::string_view(r.who->reason) : std::string_view(r.reason);
        a += '"';
        if (r.code < 400)
            a += r.extraAnnotations;
    }
}

void defaultTimings(Request& r, Rng& rng)
{
    const std::string_view v = r.verb;
    const std::string_view sub = r.sub;
    if (r.longRunning) {
        if (!r.startDelay)
            r.startDelay = sub == "exec" || sub == "attach" ? rng.between(4 * kMs, 40 * kMs)
                                                            : rng.between(300, 3 * kMs);
        if (r.code >= 400) {
            r.duration = rng.between(50, 2 * kMs);
        } else if (!r.duration) {
            if (sub == "exec" || sub == "attach")
                r.duration = rng.between(2 * kSec, 10 * kMin);
            else if (sub == "portforward")
                r.duration = rng.between(20 * kSec, 15 * kMin);
            else if (sub == "log")
                r.duration = rng.between(80 * kMs, 3 * kMin);
            else
                r.duration = rng.between(5 * kMs, 300 * kMs); // proxy
        }
        return;
    }
    if (r.duration)
        return;
    if (r.code == 403 || r.code == 401) {
        r.duration = rng.between(150, 900);
    } else if (!r.rt) {
        r.duration = rng.between(100, 2 * kMs);
    } else if (v == "get") {
        r.duration = rng.chance(0.1) ? rng.between(3 * kMs, 30 * kMs) : rng.between(300, 3 * kMs);
    } else if (v == "list") {
        r.duration =
            rng.chance(0.02) ? rng.between(500 * kMs, 4 * kSec) : rng.between(1500, 40 * kMs);
    } else if (v == "deletecollection") {
        r.duration = rng.between(20 * kMs, 900 * kMs);
    } else {
        r.duration =
            rng.chance(0.01) ? rng.between(500 * kMs, 2 * kSec) : rng.between(2 * kMs, 15 * kMs);
    }
}

} // namespace auditgen

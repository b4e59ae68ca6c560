// SPDX-License-Identifier: Apache-2.0
#include "requestbuilder.h"

#include "outcome.h"

#include <algorithm>

namespace auditgen {

RequestBuilder::RequestBuilder(SimState& sim, const World& world, Emitter& emitter)
    : m_sim(sim)
    , m_world(world)
    , m_emitter(emitter)
{ }

void RequestBuilder::begin(const Principal& who)
{
    m_request.reset();
    m_request.who = &who;
    m_request.agent = who.agent;
    m_request.ips = who.ips;
    const uint64_t hi = m_sim.rng.next();
    writeUuid(m_request.auditID, hi, m_sim.rng.next());
}

void RequestBuilder::nonResource(std::string_view path, std::string_view verb)
{
    m_request.verb = verb; // non-resource requests log the lower-case HTTP method
    m_request.uri = path;
}

void RequestBuilder::resource(std::string_view verb, const ResType& rt, std::string_view ns,
    std::string_view name, std::string_view sub)
{
    m_request.verb = verb;
    m_request.rt = &rt;
    m_request.ns = ns;
    m_request.name = name;
    m_request.sub = sub;
    Buf& u = m_request.uri;
    if (rt.group.empty()) {
        u += "/api/";
    } else {
        u += "/apis/";
        u += rt.group;
        u += '/';
    }
    u += rt.version;
    if (!ns.empty()) {
        u += "/namespaces/";
        u += ns;
    }
    u += '/';
    u += rt.plural;
    if (!name.empty()) {
        u += '/';
        u += name;
    }
    if (!sub.empty()) {
        u += '/';
        u += sub;
    }
}

// Go's JSON encoder escapes '&' as \u0026.
void RequestBuilder::query(std::string_view key, std::string_view value)
{
    m_request.uri += m_request.uri.find('?') == Buf::npos ? "?" : "\\u0026";
    m_request.uri += key;
    m_request.uri += '=';
    m_request.uri += value;
}

void RequestBuilder::queryU(std::string_view key, uint64_t value)
{
    Buf digits;
    putU(digits, value);
    query(key, digits);
}

// A client-go reflector watch: the server ends it after timeoutSeconds in [5m, 10m).
void RequestBuilder::watchQuery(std::string_view selectorKey, std::string_view selector)
{
    const uint64_t secs = 300 + m_sim.rng.below(300);
    query("allowWatchBookmarks", "true");
    if (!selectorKey.empty())
        query(selectorKey, selector);
    queryU("resourceVersion", m_sim.rv - m_sim.rng.below(5000));
    Buf timeout;
    putGoDuration(timeout, secs * 1000000000ull);
    query("timeout", timeout);
    queryU("timeoutSeconds", secs);
    query("watch", "true");
    // About half the watches run to their timeout; the others end early (connection reset,
    // "too old resource version", client restart).
    m_request.duration = m_sim.rng.chance(0.5)
        ? static_cast<int64_t>(secs) * kSec + m_sim.rng.between(100, 40000)
        : m_sim.rng.between(800 * kMs, static_cast<int64_t>(secs) * kSec);
}

void RequestBuilder::listQuery(std::string_view selectorKey, std::string_view selector)
{
    if (!selectorKey.empty())
        query(selectorKey, selector);
    query("limit", "500");
    query("resourceVersion", "0");
}

void RequestBuilder::submit()
{
    const std::string_view sub = m_request.sub;
    m_request.longRunning = m_request.verb == "watch" || m_request.verb == "proxy" || sub == "exec"
        || sub == "attach" || sub == "log" || sub == "portforward" || sub == "proxy";
    m_request.code = decideCode(m_request, m_sim.rng);
    if (m_request.code == 403 || m_request.code == 401) {
        m_request.reqBody.clear(); // rejected before the body was read
        m_request.respBody.clear();
    }
    if (m_request.rt)
        buildObjectRefs(m_request);
    buildStatus(m_request, m_sim.rng);
    if (m_request.level == Level::RequestResponse && m_request.rt
        && (m_request.code >= 400 || m_request.panic) && m_request.code != 403) {
        // A failed request's response body is the Status object itself.
        m_request.respBody = R"({"kind":"Status","apiVersion":"v1",)";
        m_request.respBody.append(m_request.status, 1);
    }
    if (m_request.level == Level::RequestResponse && m_request.verb == "delete"
        && m_request.code == 200) {
        m_request.respBody =
            R"({"kind":"Status","apiVersion":"v1",)"; // the Success Status of the delete
        m_request.respBody.append(m_request.status, 1);
    }
    if (m_request.panic)
        m_request.respBody.clear();
    defaultTimings(m_request, m_sim.rng);
    buildAnnotations(m_request, m_sim.rng);
    m_request.recv = m_sim.now;
    const int server = pickServer();
    emitEvents(server);
    if (m_request.aggregated && m_emitter.serverCount() > 1 && m_request.code != 401)
        emitBackendCopy(server);
    if (isWrite(m_request.verb) && m_request.code < 300)
        m_sim.rv += 1 + m_sim.rng.below(3);
}

void RequestBuilder::submitUnauthenticated()
{
    m_request.code = 401;
    m_request.longRunning = false;
    if (m_request.rt)
        buildObjectRefs(m_request);
    buildStatus(m_request, m_sim.rng);
    m_request.recv = m_sim.now;
    emitEvents(static_cast<int>(m_sim.rng.below(m_emitter.serverCount())));
}

int RequestBuilder::pickServer()
{
    const int n = static_cast<int>(m_emitter.serverCount());
    if (n == 1)
        return 0;
    if (!m_request.who || m_request.who->home < 0 || m_request.who->name == "system:anonymous")
        return static_cast<int>(m_sim.rng.below(n));
    return m_request.who->home % n;
}

void RequestBuilder::emitEvents(int server)
{
    auto emit = [&](Stage st, int64_t ts) {
        if ((m_omitted >> static_cast<int>(st)) & 1)
            return;
        if (st == Stage::RequestReceived && m_request.dropReceived)
            return;
        if ((st == Stage::ResponseComplete || st == Stage::Panic) && m_request.dropFinal)
            return;
        Buf& line = m_emitter.open(server, ts);
        renderEvent(line, m_request, st, ts);
        m_emitter.close(line);
    };
    const int64_t t0 = m_request.recv;
    if (!m_request.who) { // failed authentication: a single ResponseStarted event
        emit(Stage::ResponseStarted, t0 + m_request.duration);
        return;
    }
    emit(Stage::RequestReceived, t0);
    const Stage last = m_request.panic ? Stage::Panic : Stage::ResponseComplete;
    if (m_request.longRunning) {
        emit(Stage::ResponseStarted, t0 + m_request.startDelay);
        emit(last, t0 + m_request.startDelay + m_request.duration);
    } else {
        emit(last, t0 + m_request.duration);
    }
}

// kube-apiserver forwards the Audit-ID to the aggregated API server, which audits the
// request itself: same auditID, a slightly later receive time, and the front server's
// address appended to sourceIPs.
void RequestBuilder::emitBackendCopy(int front)
{
    const int n = static_cast<int>(m_emitter.serverCount());
    const int back = (front + 1 + static_cast<int>(m_sim.rng.below(n - 1))) % n;
    const int64_t frontRecv = m_request.recv, frontDuration = m_request.duration;
    m_request.ipsOverride = m_request.ips;
    m_request.ipsOverride += ",\"";
    m_request.ipsOverride += m_world.apiserverIps[static_cast<size_t>(front)];
    m_request.ipsOverride += '"';
    m_request.recv = frontRecv + m_sim.rng.between(200, 1500);
    m_request.duration = std::max<int64_t>(
        100, frontRecv + frontDuration - m_sim.rng.between(100, 400) - m_request.recv);
    m_request.annotations.clear();
    if (m_request.code != 403) {
        m_request.annotations =
            R"("authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":"")";
    } else {
        m_request.annotations =
            R"("authorization.k8s.io/decision":"forbid","authorization.k8s.io/reason":"")";
    }
    emitEvents(back);
}

} // namespace auditgen

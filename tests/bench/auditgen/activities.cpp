// SPDX-License-Identifier: Apache-2.0
// Picking an activity, and the generic operations most activities are made of.
#include "activities.h"

#include <cstdint>
#include <iterator>
#include <string>

namespace auditgen {

Activities::Activities(
    SimState& sim, const World& world, RequestBuilder& requests, BodyWriter& bodies)
    : m_sim(sim)
    , m_rng(sim.rng)
    , m_world(world)
    , m_requests(requests)
    , m_bodies(bodies)
{ }

void Activities::runRandom()
{
    struct Weighted
    {
        int weight;
        void (Activities::*fn)();
    };
    static constexpr Weighted kActivities[] = {
        {130, &Activities::nodeLease},
        {55, &Activities::leaderLease},
        {80, &Activities::kubeletWork},
        {150, &Activities::controllerWork},
        {40, &Activities::schedulerWork},
        {70, &Activities::informer},
        {15, &Activities::kubeProxyWork},
        {170, &Activities::workloadWork},
        {65, &Activities::humanWork},
        {85, &Activities::healthAndDiscovery},
        {35, &Activities::reviews},
        {10, &Activities::aggregated},
        {35, &Activities::eventRecording},
        {3, &Activities::failedAuthentication},
        {2, &Activities::anonymousNoise},
    };
    static constexpr int kTotal = [] {
        int total = 0;
        for (const auto& a : kActivities)
            total += a.weight;
        return total;
    }();
    int pick = static_cast<int>(m_rng.below(static_cast<uint64_t>(kTotal)));
    for (const auto& a : kActivities) {
        if (pick < a.weight) {
            (this->*a.fn)();
            break;
        }
        pick -= a.weight;
    }
}

// A typical audit policy: reads and noisy objects at Metadata, sensitive objects (secrets,
// tokens) mostly at Metadata, RBAC changes with full bodies, other writes mixed.
Level Activities::levelFor(std::string_view verb, const ResType& rt, std::string_view sub)
{
    if (isRead(verb) || verb == "deletecollection")
        return Level::Metadata;
    const double u = m_rng.unit();
    if (sub == "exec" || sub == "attach" || sub == "portforward")
        return Level::Request;
    if (!sub.empty() && sub != "status" && sub != "scale")
        return Level::Metadata; // binding, token, eviction
    if (rt.group == "rbac.authorization.k8s.io")
        return Level::RequestResponse;
    if (&rt == &kTokenReviews || &rt == &kSubjectAccessReviews || &rt == &kEvents
        || &rt == &kEventsV1)
        return Level::Metadata;
    if (&rt == &kSecrets)
        return u < 0.8 ? Level::Metadata : u < 0.93 ? Level::Request : Level::RequestResponse;
    if (&rt == &kLeases)
        return u < 0.8 ? Level::Metadata : Level::RequestResponse;
    if (sub == "status")
        return u < 0.45 ? Level::Metadata : u < 0.75 ? Level::Request : Level::RequestResponse;
    if (verb == "delete")
        return u < 0.7 ? Level::Metadata : Level::Request;
    if (&rt == &kPods && verb == "create")
        return u < 0.2 ? Level::Metadata : u < 0.35 ? Level::Request : Level::RequestResponse;
    return u < 0.25 ? Level::Metadata : u < 0.55 ? Level::Request : Level::RequestResponse;
}

void Activities::nameFor(Buf& out, const ResType& rt, const App& a)
{
    out.clear();
    switch (rt.names) {
    case Names::App:
        out = a.name;
        break;
    case Names::Pod:
        appendPodName(out, a, m_rng.below(static_cast<uint64_t>(a.replicas) * 2));
        break;
    case Names::ReplicaSet:
        out = a.name;
        out += '-';
        putChars(out, hashOf(a.ns, a.name, "rs"), 10, kNameAlphabet);
        break;
    case Names::ConfigMap: {
        constexpr std::string_view kSuffix[] = {"-config", "-config", "-env", "-scripts"};
        if (m_rng.chance(0.15)) {
            out = "kube-root-ca.crt";
        } else {
            out = a.name;
            out += m_rng.pick(kSuffix);
        }
        break;
    }
    case Names::Secret: {
        constexpr std::string_view kSuffix[] = {"-tls", "-db-credentials", "-api-keys"};
        out = a.name;
        out += m_rng.pick(kSuffix);
        break;
    }
    case Names::Node:
        out = m_rng.pick(m_world.nodeNames);
        break;
    case Names::Namespace:
        out = a.ns;
        break;
    case Names::Slice:
        out = a.name;
        out += '-';
        putChars(out, hashOf(a.ns, a.name, "slice"), 5, kNameAlphabet);
        break;
    case Names::Job:
        out = a.name;
        out += '-';
        putU(out,
            28512000
                + (static_cast<uint64_t>(m_sim.now / kMin) / 5)
                    * 5); // CronJob schedule time in minutes
        break;
    case Names::Event:
        appendPodName(out, a, m_rng.below(static_cast<uint64_t>(a.replicas)));
        out += '.';
        putHex(out, m_rng.next(), 16);
        break;
    case Names::Claim:
        out = "data-";
        out += a.name;
        out += "-0";
        break;
    case Names::Fixed:
        if (rt.fixed.empty())
            break;
        out = rt.fixed[m_rng.below(rt.fixed.size())];
        break;
    }
}

// Fills request/response bodies for a write, depending on the level already chosen.
void Activities::writeBodies(const App& a, std::string_view manager)
{
    Request& r = m_requests.request();
    const ResType& rt = *r.rt;
    const std::string_view verb = r.verb;
    const std::string_view name =
        r.name.empty() ? std::string_view(r.bodyName) : std::string_view(r.name);
    const std::string uid = stableUuid(r.ns, name, "uid");
    const int64_t created =
        m_sim.now - static_cast<int64_t>(hashOf(name) % (40 * 86400)) * kSec - 86400 * kSec;
    Obj o{&rt, &a, r.ns, name, {}, uid, manager, 0, created};
    if (verb == "update") { // clients send the object as they read it; its uid/rv fill objectRef
        r.bodyUid = uid;
        r.bodyRv = m_sim.rv - m_rng.below(20000);
    }
    if (r.level >= Level::Request) {
        if (verb == "create") {
            m_bodies.putObject(r.reqBody, o);
        } else if (verb == "update") {
            o.rv = r.bodyRv;
            m_bodies.putObject(r.reqBody, o);
        } else if (verb == "patch") {
            m_bodies.putPatch(r.reqBody, rt, r.ns, r.name, r.sub, a);
        } else if (verb == "delete") {
            m_bodies.putDeleteOptions(
                r.reqBody, m_rng.chance(0.5) ? std::string_view(uid) : std::string_view());
        }
    }
    if (r.level == Level::RequestResponse && verb != "delete") {
        o.rv = m_sim.rv + 1;
        if (verb == "create")
            o.created = m_sim.now;
        if (r.sub == "scale")
            m_bodies.putScale(r.respBody, o);
        else
            m_bodies.putObject(r.respBody, o);
    }
}

const App& Activities::randomAppIn(std::string_view ns)
{
    const App* found[std::size(kApps)];
    size_t n = 0;
    for (const App& a : kApps)
        if (a.ns == ns)
            found[n++] = &a;
    return n ? *found[m_rng.below(n)] : randomApp();
}

void Activities::genericOp(const Principal& p, std::string_view verb, const ResType& rt,
    const App& a, bool clusterWide, std::string_view sub)
{
    Request& r = m_requests.request();
    m_requests.begin(p);
    const bool collection = verb == "list" || verb == "watch" || verb == "deletecollection"
        || (verb == "create" && sub.empty());
    const std::string_view ns =
        rt.namespaced && !(clusterWide && collection) ? a.ns : std::string_view();
    nameFor(r.bodyName, rt, a);
    m_requests.resource(
        verb, rt, ns, collection ? std::string_view() : std::string_view(r.bodyName), sub);
    if (verb != "create" || !sub.empty())
        r.bodyName.clear(); // only a create body names a new object
    const bool kubectl = p.home < 0 || p.agent.starts_with("kubectl");
    if (verb == "list") {
        if (kubectl)
            m_requests.queryU("limit", 500);
        else
            m_requests.listQuery();
    } else if (verb == "watch") {
        m_requests.watchQuery();
    } else if (verb == "deletecollection") {
        m_scratch = "app%3D";
        m_scratch += a.name;
        m_requests.query("labelSelector", m_scratch);
    } else if (kubectl && isWrite(verb)) {
        m_requests.query(
            "fieldManager", verb == "patch" ? "kubectl-client-side-apply" : "kubectl-create");
        m_requests.query("fieldValidation", "Strict");
    } else if (!kubectl && verb != "delete" && m_rng.chance(0.6)) {
        m_requests.query("timeout", "10s");
    }
    r.level = levelFor(verb, rt, sub);
    if (isWrite(verb) || verb == "delete")
        writeBodies(a, kubectl ? "kubectl-client-side-apply" : "kube-controller-manager");
    m_requests.submit();
}

} // namespace auditgen

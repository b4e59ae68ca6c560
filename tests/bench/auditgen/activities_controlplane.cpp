// SPDX-License-Identifier: Apache-2.0
// Control-plane traffic: kubelets, kube-controller-manager, the scheduler, informers and
// kube-proxy.
#include "activities.h"

#include <cstdint>
#include <iterator>
#include <string>

namespace auditgen {

// Kubelets renew their node lease every 10s: the most frequent write in any cluster.
void Activities::nodeLease()
{
    Request& r = m_requests.request();
    const size_t i = m_rng.below(m_world.kubelets.size());
    const std::string& node = m_world.nodeNames[i];
    m_requests.begin(m_world.kubelets[i]);
    const bool update = m_rng.chance(0.85);
    m_requests.resource(update ? "update" : "get", kLeases, "kube-node-lease", node);
    m_requests.query("timeout", "10s");
    if (update) {
        r.level = m_rng.chance(0.3) ? Level::RequestResponse : Level::Metadata;
        const std::string uid = stableUuid("lease", node);
        r.bodyUid = uid;
        r.bodyRv = m_sim.rv - m_rng.below(3000);
        if (r.level == Level::RequestResponse) {
            Obj o{&kLeases, &kApps[0], "kube-node-lease", node, {}, uid, "kubelet", r.bodyRv,
                m_sim.now - 30 * 86400 * kSec};
            m_bodies.putLease(r.reqBody, o, node, 40, true);
            o.rv = m_sim.rv + 1;
            m_bodies.putLease(r.respBody, o, node, 40, true);
        }
    }
    m_requests.submit();
}

// Leader election of controllers and operators (get + update every ~2s), and the
// API servers' identity leases.
void Activities::leaderLease()
{
    Request& r = m_requests.request();
    struct Elector
    {
        const Principal* who;
        std::string_view ns, lease;
    };
    const Elector electors[] = {
        {&m_world.kcm, "kube-system", "kube-controller-manager"},
        {&m_world.scheduler, "kube-system", "kube-scheduler"},
        {&m_world.workload("ingress-nginx-controller"), "ingress-nginx", "ingress-nginx-leader"},
        {&m_world.workload("cert-manager"), "kube-system", "cert-manager-controller"},
        {&m_world.workload("cluster-autoscaler"), "kube-system", "cluster-autoscaler"},
        {&m_world.workload("spark-operator"), "data-pipeline", "spark-operator-lock"},
        {&m_world.apiservers[m_rng.below(m_world.apiservers.size())], "kube-system", "apiserver"},
    };
    const Elector& e = electors[m_rng.below(std::size(electors))];
    m_requests.begin(*e.who);
    m_scratch2 = e.lease;
    if (e.lease == "apiserver") { // identity lease: apiserver-<hash>
        m_scratch2 += '-';
        putChars(m_scratch2, hashOf("apiserver-id", e.who->user), 26,
            "abcdefghijklmnopqrstuvwxyz234567");
    }
    const std::string leaseName = m_scratch2;
    const bool update = m_rng.chance(0.6);
    m_requests.resource(update ? "update" : "get", kLeases, e.ns, leaseName);
    m_requests.query("timeout", "5s");
    if (update) {
        r.level = levelFor("update", kLeases, {});
        const std::string uid = stableUuid("lease", e.ns, leaseName);
        r.bodyUid = uid;
        r.bodyRv = m_sim.rv - m_rng.below(3000);
        if (r.level == Level::RequestResponse) {
            std::string holder = "ip-10-0-0-10.eu-west-1.compute.internal_";
            holder += stableUuid("holder", leaseName);
            Obj o{&kLeases, &kApps[0], e.ns, leaseName, {}, uid,
                std::string_view(e.who->agent).substr(0, e.who->agent.find('/')), r.bodyRv,
                m_sim.now - 12 * 86400 * kSec};
            m_bodies.putLease(r.reqBody, o, holder, 15, false);
            o.rv = m_sim.rv + 1;
            m_bodies.putLease(r.respBody, o, holder, 15, false);
        }
    }
    m_requests.submit();
}

// Kubelet traffic for the pods on its node.
void Activities::kubeletWork()
{
    Request& r = m_requests.request();
    const App& a = randomApp();
    Buf pod;
    appendPodName(pod, a, m_rng.below(static_cast<uint64_t>(a.replicas)));
    const Principal& k = m_world.kubeletOf(pod);
    const std::string node(m_world.nodeOf(pod));
    m_requests.begin(k);
    const double u = m_rng.unit();
    if (u < 0.14) {
        m_requests.resource("get", kNodes, {}, node);
        m_requests.query("resourceVersion", "0");
        m_requests.query("timeout", "10s");
    } else if (u < 0.24) {
        m_requests.resource("patch", kNodes, {}, node, "status");
        m_requests.query("timeout", "10s");
        r.level = m_rng.chance(0.3) ? Level::Request : Level::Metadata;
        if (r.level == Level::Request)
            m_bodies.putPatch(r.reqBody, kNodes, r.ns, r.name, "status", a);
    } else if (u < 0.40) {
        m_requests.resource("get", kPods, a.ns, pod);
    } else if (u < 0.58) {
        m_requests.resource("patch", kPods, a.ns, pod, "status");
        r.level = m_rng.chance(0.5) ? Level::Request : Level::Metadata;
        if (r.level == Level::Request)
            m_bodies.putPatch(r.reqBody, kPods, r.ns, r.name, "status", a);
    } else if (u < 0.70) { // projected service account token refresh (TokenRequest)
        m_requests.resource("create", kServiceAccounts, a.ns, a.name, "token");
    } else if (u < 0.84) { // the kubelet watches exactly the config maps and secrets its pods use
        const bool cm = m_rng.chance(0.6);
        m_scratch = "metadata.name%3D";
        if (cm)
            m_scratch +=
                m_rng.chance(0.5) ? std::string_view("kube-root-ca.crt") : std::string_view(a.name);
        else
            m_scratch += a.name;
        if (!cm || m_scratch.ends_with(a.name))
            m_scratch += cm ? "-config" : "-tls";
        const bool watch = m_rng.chance(0.8);
        m_requests.resource(watch ? "watch" : "list", cm ? kConfigMaps : kSecrets, a.ns, {});
        if (watch)
            m_requests.watchQuery("fieldSelector", m_scratch);
        else
            m_requests.listQuery("fieldSelector", m_scratch);
    } else if (u < 0.92) {
        const bool cm = m_rng.chance(0.5);
        m_scratch2 = a.name;
        m_scratch2 += cm ? "-config" : "-tls";
        m_requests.resource("get", cm ? kConfigMaps : kSecrets, a.ns, m_scratch2);
    } else {
        m_requests.resource("create", kEvents, a.ns, {});
        r.bodyName = pod;
        r.bodyName += '.';
        putHex(r.bodyName, m_rng.next(), 16);
    }
    m_requests
        .submit(); // the Node authorizer allows with an empty reason (Principal::reason is empty)
}

// kube-controller-manager's controllers, each with its own service account.
void Activities::controllerWork()
{
    Request& r = m_requests.request();
    const double u = m_rng.unit();
    const App& a = randomApp();
    if (u < 0.18) {
        const Principal& p = m_world.controller("replicaset-controller");
        const double v = m_rng.unit();
        if (v < 0.35) { // scale up: create a pod from the template (generateName)
            m_requests.begin(p);
            m_requests.resource("create", kPods, a.ns, {});
            r.level = levelFor("create", kPods, {});
            if (r.level >= Level::Request) {
                m_scratch2 = a.name;
                m_scratch2 += '-';
                putChars(m_scratch2, hashOf(a.ns, a.name, "rs"), 10, kNameAlphabet);
                m_scratch2 += '-';
                const std::string generateName = m_scratch2;
                Obj o{
                    &kPods, &a, {}, {}, generateName, {}, "kube-controller-manager", 0, m_sim.now};
                m_bodies.putPod(r.reqBody, o, false);
                if (r.level == Level::RequestResponse) {
                    Buf name = generateName;
                    putChars(name, m_rng.next(), 5, kNameAlphabet);
                    const std::string uid = stableUuid(a.ns, name, "uid");
                    Obj stored{&kPods, &a, a.ns, name, generateName, uid, "kube-controller-manager",
                        m_sim.rv + 1, m_sim.now};
                    m_bodies.putPod(r.respBody, stored, false);
                }
            }
            r.extraAnnotations = a.ns == "prod"
                ? R"(,"pod-security.kubernetes.io/enforce-policy":"restricted:latest")"
                : R"(,"pod-security.kubernetes.io/enforce-policy":"baseline:latest")";
            m_requests.submit();
        } else if (v < 0.55) {
            genericOp(p, "delete", kPods, a);
        } else {
            genericOp(p, "update", kReplicaSets, a, false, "status");
        }
    } else if (u < 0.30) {
        // (Random choices go into locals: the evaluation order of arguments is unspecified.)
        const std::string_view verb = m_rng.chance(0.8) ? "update" : "patch";
        const ResType& rt = m_rng.chance(0.7) ? kDeployments : kReplicaSets;
        const std::string_view sub = m_rng.chance(0.8) ? "status" : "";
        genericOp(m_world.controller("deployment-controller"), verb, rt, a, false, sub);
    } else if (u < 0.45) {
        genericOp(m_world.controller("endpointslice-controller"), "update", kEndpointSlices, a);
    } else if (u < 0.50) {
        genericOp(m_world.controller("endpoint-controller"), "update", kEndpoints, a);
    } else if (u < 0.56) {
        const Principal& p = m_world.controller("job-controller");
        const double v = m_rng.unit();
        if (v < 0.4)
            genericOp(p, "update", kJobs, a, false, "status");
        else if (v < 0.7)
            genericOp(p, "create", kPods, appNamed("data-pipeline", "airflow-scheduler"));
        else
            genericOp(p, "patch", kPods, a); // finalizer removal (JSON patch)
    } else if (u < 0.60) {
        const Principal& p = m_world.controller("cronjob-controller");
        if (m_rng.chance(0.5))
            genericOp(p, "list", kJobs, a, true);
        else {
            const std::string_view verb = m_rng.chance(0.5) ? "create" : "update";
            genericOp(p, verb, m_rng.chance(0.5) ? kJobs : kCronJobs, a);
        }
    } else if (u < 0.64) { // namespace deletion of short-lived preview environments
        const Principal& p = m_world.controller("namespace-controller");
        const ResType* types[] = {
            &kConfigMaps, &kSecrets, &kPods, &kServices, &kDeployments, &kRoleBindings, &kEvents};
        const ResType& rt = *m_rng.pick(types);
        m_requests.begin(p);
        m_scratch2 = "preview-pr-";
        putU(m_scratch2, 1200 + m_rng.below(40));
        const bool del = m_rng.chance(0.5);
        m_requests.resource(del ? "deletecollection" : "list", rt, m_scratch2, {});
        r.level = Level::Metadata;
        m_requests.submit();
    } else if (u < 0.72) {
        const Principal& p = m_world.controller("generic-garbage-collector");
        const ResType* types[] = {&kPods, &kReplicaSets, &kJobs, &kEndpointSlices, &kConfigMaps};
        const std::string_view verb = m_rng.chance(0.7) ? "get" : "delete";
        genericOp(p, verb, *m_rng.pick(types), a);
    } else if (u < 0.78) {
        const Principal& p = m_world.controller("horizontal-pod-autoscaler");
        if (m_rng.chance(0.5))
            genericOp(p, "get", kDeployments, appNamed("prod", m_rng.chance(0.5) ? "web" : "api"),
                false, "scale");
        else
            genericOp(p, "update", kHpas, appNamed("prod", m_rng.chance(0.5) ? "web" : "api"),
                false, "status");
    } else if (u < 0.82) {
        const Principal& p = m_world.controller("node-controller");
        if (m_rng.chance(0.5)) {
            m_requests.begin(p);
            m_requests.resource("list", kPods, {}, {});
            m_scratch = "spec.nodeName%3D";
            m_scratch += m_rng.pick(m_world.nodeNames);
            m_requests.query("fieldSelector", m_scratch);
            m_requests.submit();
        } else {
            genericOp(p, "patch", kNodes, a);
        }
    } else if (u < 0.86) {
        const bool daemonSet = m_rng.chance(0.5);
        genericOp(
            m_world.controller(daemonSet ? "daemon-set-controller" : "statefulset-controller"),
            "update", daemonSet ? kDaemonSets : kStatefulSets, a, false, "status");
    } else if (u < 0.90) {
        genericOp(m_world.controller("resourcequota-controller"), "list",
            m_rng.chance(0.5) ? kPods : kServices, a);
    } else if (u < 0.93) {
        m_requests.begin(m_world.controller("root-ca-cert-publisher"));
        m_requests.resource(
            m_rng.chance(0.8) ? "get" : "update", kConfigMaps, a.ns, "kube-root-ca.crt");
        r.level = Level::Metadata;
        m_requests.submit();
    } else if (u < 0.97) {
        genericOp(m_world.controller("disruption-controller"), "update", kPdbs, a, false, "status");
    } else {
        genericOp(m_world.controller("ttl-after-finished-controller"),
            m_rng.chance(0.6) ? "get" : "delete", kJobs, a);
    }
}

// The scheduler binds pods to nodes and records events.
void Activities::schedulerWork()
{
    Request& r = m_requests.request();
    const App& a = randomApp();
    Buf pod;
    appendPodName(pod, a, m_rng.below(static_cast<uint64_t>(a.replicas) * 2));
    m_requests.begin(m_world.scheduler);
    const double u = m_rng.unit();
    if (u < 0.55) {
        m_requests.resource("create", kPods, a.ns, pod, "binding");
        r.level = m_rng.chance(0.3) ? Level::Request : Level::Metadata;
        if (r.level == Level::Request) {
            r.reqBody = R"({"kind":"Binding","apiVersion":"v1","metadata":{"name":")";
            r.reqBody += pod;
            r.reqBody += R"(","namespace":")";
            r.reqBody += a.ns;
            r.reqBody += R"(","uid":")";
            putUuid(r.reqBody, hashOf(a.ns, pod, "uid"));
            r.reqBody += R"(","creationTimestamp":null},"target":{"kind":"Node","name":")";
            r.reqBody += m_world.nodeOf(pod);
            r.reqBody += R"("}})";
        }
    } else if (u < 0.85) {
        m_requests.resource("create", kEventsV1, a.ns, {});
        r.bodyName = pod;
        r.bodyName += '.';
        putHex(r.bodyName, m_rng.next(), 16);
    } else { // event series: the scheduler patches the existing event's count
        pod += '.';
        putHex(pod, hashOf(pod), 16);
        m_requests.resource("patch", kEventsV1, a.ns, pod);
    }
    m_requests.submit();
}

// Informers (client-go reflectors) of the control plane and operators: an initial
// list, then long watches that are re-established when they end.
void Activities::informer()
{
    Request& r = m_requests.request();
    const Principal* who = nullptr;
    const double u = m_rng.unit();
    if (u < 0.25)
        who = &m_world.kcm;
    else if (u < 0.35)
        who = &m_world.scheduler;
    else if (u < 0.55)
        who = &m_world.kubelets[m_rng.below(m_world.kubelets.size())];
    else if (u < 0.65)
        who = &m_world.apiservers[m_rng.below(m_world.apiservers.size())];
    else {
        do
            who = &m_world.workloads[m_rng.below(m_world.workloads.size())];
        while (who->profile == Profile::Reader);
    }
    const ResType* types[] = {&kPods, &kNodes, &kServices, &kEndpointSlices, &kConfigMaps,
        &kSecrets, &kNamespaces, &kDeployments, &kReplicaSets, &kStatefulSets, &kDaemonSets, &kJobs,
        &kCronJobs, &kPvcs, &kIngresses, &kNetworkPolicies, &kLeases, &kCrds, &kStorageClasses,
        &kClusterRoles, &kClusterRoleBindings, &kRoles, &kRoleBindings, &kHpas, &kPdbs,
        &kFlowSchemas, &kWebhooks, &kCertificates, &kApplications};
    const bool watch = m_rng.chance(0.75);
    m_requests.begin(*who);
    if (who == &m_world.kcm)
        r.agent =
            "kube-controller-manager/v1.29.2 (linux/amd64) kubernetes/4b8e819/shared-informers";
    if (who->name.starts_with("system:node:")) {
        // A kubelet only watches its own node and the pods scheduled to it.
        const bool pods = m_rng.chance(0.6);
        const std::string_view node =
            std::string_view(who->name).substr(std::string_view("system:node:").size());
        m_scratch = pods ? "spec.nodeName%3D" : "metadata.name%3D";
        m_scratch += node;
        m_requests.resource(watch ? "watch" : "list", pods ? kPods : kNodes, {}, {});
        if (watch)
            m_requests.watchQuery("fieldSelector", m_scratch);
        else
            m_requests.listQuery("fieldSelector", m_scratch);
    } else {
        m_requests.resource(watch ? "watch" : "list", *m_rng.pick(types), {}, {});
        if (watch)
            m_requests.watchQuery();
        else
            m_requests.listQuery();
    }
    m_requests.submit();
}

void Activities::kubeProxyWork()
{
    m_requests.begin(m_world.kubeProxy);
    const double u = m_rng.unit();
    const bool watch = m_rng.chance(0.8);
    const ResType& rt = u < 0.5 ? kEndpointSlices : u < 0.85 ? kServices : kNodes;
    m_requests.resource(watch ? "watch" : "list", rt, {}, {});
    // kube-proxy ignores headless services and those served by another proxy.
    constexpr std::string_view kSelector =
        "%21service.kubernetes.io%2Fheadless%2C%21service.kubernetes.io%2Fservice-proxy-name";
    if (&rt == &kNodes) {
        m_scratch = "metadata.name%3D";
        m_scratch += m_rng.pick(m_world.nodeNames);
        if (watch)
            m_requests.watchQuery("fieldSelector", m_scratch);
        else
            m_requests.listQuery("fieldSelector", m_scratch);
    } else if (watch) {
        m_requests.watchQuery("labelSelector", kSelector);
    } else {
        m_requests.listQuery("labelSelector", kSelector);
    }
    m_requests.submit();
}

} // namespace auditgen

// SPDX-License-Identifier: Apache-2.0
// Client traffic: in-cluster workloads, people with kubectl, probes and discovery, delegated
// reviews, aggregated APIs, events, failed logins and anonymous noise from the internet.
#include "activities.h"

#include <cstdint>
#include <string>

namespace auditgen {

// In-cluster workloads, by profile.
void Activities::workloadWork()
{
    Request& r = m_requests.request();
    const Principal& p = m_rng.chance(0.04)
        ? m_world.ciDeployer
        : m_world.workloads[m_rng.below(m_world.workloads.size())];
    const App& own = *p.app;
    const double u = m_rng.unit();
    switch (p.profile) {
    case Profile::Reader: { // applications reading their own configuration
        const ResType& rt = u < 0.6 ? kConfigMaps : u < 0.9 ? kSecrets : kEndpoints;
        genericOp(p, u < 0.85 ? "get" : "list", rt, own);
        break;
    }
    case Profile::Monitor: { // service discovery and scraping
        if (u < 0.15) { // scrape a kubelet through the API server proxy
            m_requests.begin(p);
            m_requests.resource("get", kNodes, {}, m_rng.pick(m_world.nodeNames), "proxy");
            r.uri += m_rng.chance(0.5) ? "/metrics/cadvisor" : "/metrics";
            m_requests.submit();
        } else if (u < 0.25) {
            m_requests.begin(p);
            m_requests.nonResource("/metrics");
            r.reason = rbacReason("ClusterRoleBinding", own.name, "ClusterRole", own.name,
                "ServiceAccount", std::string(own.name) + "/" + std::string(own.ns));
            m_requests.submit();
        } else {
            const ResType* types[] = {
                &kPods, &kEndpoints, &kServices, &kNodes, &kEndpointSlices, &kNamespaces};
            const ResType& rt = *m_rng.pick(types);
            const App& a = randomApp();
            if (rt.namespaced && m_rng.chance(0.3))
                genericOp(p, "get", rt, a);
            else
                genericOp(p, m_rng.chance(0.6) ? "watch" : "list", rt, a, true);
        }
        break;
    }
    case Profile::Operator: {
        const App& a = randomApp();
        if (own.name == "cert-manager") {
            if (u < 0.4)
                genericOp(p, "get", kSecrets, a);
            else if (u < 0.6)
                genericOp(p, "update", kSecrets, a);
            else
                genericOp(p, u < 0.8 ? "get" : "update", kCertificates, a, false,
                    u < 0.8 ? "" : "status");
        } else if (own.name == "ingress-nginx-controller") {
            if (u < 0.4)
                genericOp(p, "update", kIngresses, appNamed("prod", "web"), false, "status");
            else if (u < 0.7)
                genericOp(p, "get", kConfigMaps, own);
            else
                genericOp(p, "watch", kIngresses, a, true);
        } else if (own.name == "argocd-application-controller") {
            const ResType* types[] = {
                &kDeployments, &kServices, &kConfigMaps, &kIngresses, &kStatefulSets};
            if (u < 0.3)
                genericOp(
                    p, "get", kApplications, appNamed("argocd", "argocd-application-controller"));
            else if (u < 0.5)
                genericOp(p, "patch", kApplications, a);
            else if (u < 0.7)
                genericOp(p, "patch", *m_rng.pick(types), a);
            else
                genericOp(p, "list", *m_rng.pick(types), a, true);
        } else if (own.name == "spark-operator" || own.name == "airflow-scheduler") {
            const App& job = appNamed("data-pipeline", own.name);
            if (u < 0.3)
                genericOp(p, "create", kPods, job);
            else if (u < 0.5)
                genericOp(p, "delete", kPods, job);
            else if (u < 0.7)
                genericOp(p, "create", kConfigMaps, job);
            else
                genericOp(p, "get", kPods, job);
        } else { // coredns, metrics-server, cluster-autoscaler
            const ResType* types[] = {
                &kPods, &kNodes, &kServices, &kEndpointSlices, &kPdbs, &kNamespaces};
            if (u < 0.2)
                genericOp(p, "update", kConfigMaps, own);
            else
                genericOp(p, u < 0.6 ? "list" : "get", *m_rng.pick(types), a, true);
        }
        break;
    }
    case Profile::Deployer: { // CI/CD rolling out new builds
        const App& a = m_rng.chance(0.8) ? appNamed("staging", m_rng.chance(0.5) ? "web" : "api")
                                         : randomApp();
        if (u < 0.35)
            genericOp(p, "patch", kDeployments, a);
        else if (u < 0.55)
            genericOp(p, "get", kDeployments, a);
        else if (u < 0.7)
            genericOp(p, m_rng.chance(0.5) ? "create" : "update", kConfigMaps, a);
        else if (u < 0.8)
            genericOp(p, "create", kJobs, a);
        else if (u < 0.9)
            genericOp(p, "update", kSecrets, a);
        else
            genericOp(p, "list", kPods, a);
        break;
    }
    }
}

// People using kubectl (and one using k9s), some through impersonation.
void Activities::humanWork()
{
    Request& r = m_requests.request();
    const Principal& h = m_world.humans[m_rng.below(m_world.humans.size())];
    const bool contractor = h.name.starts_with("dave");
    const App& a = contractor ? appNamed("staging", "web")
                              : (m_rng.chance(0.6) ? randomAppIn("prod") : randomApp());
    const double u = m_rng.unit();
    if (u < 0.22) {
        genericOp(h, "get", m_rng.chance(0.6) ? kPods : kDeployments, a);
    } else if (u < 0.40) {
        const ResType* types[] = {
            &kPods, &kPods, &kDeployments, &kServices, &kEvents, &kConfigMaps, &kIngresses};
        const ResType& rt = *m_rng.pick(types);
        genericOp(h, "list", rt, a, m_rng.chance(0.15));
    } else if (u < 0.50) { // kubectl logs (-f)
        m_requests.begin(h);
        Buf pod;
        appendPodName(pod, a, m_rng.below(static_cast<uint64_t>(a.replicas)));
        m_requests.resource("get", kPods, a.ns, pod, "log");
        m_requests.query("container", a.name);
        const bool follow = m_rng.chance(0.5);
        if (follow)
            m_requests.query("follow", "true");
        m_requests.query("tailLines", follow ? "100" : "50");
        if (!follow)
            r.duration = m_rng.between(40 * kMs, 900 * kMs);
        m_requests.submit();
    } else if (u < 0.55) { // kubectl exec
        m_requests.begin(h);
        Buf pod;
        appendPodName(pod, a, m_rng.below(static_cast<uint64_t>(a.replicas)));
        m_requests.resource("create", kPods, a.ns, pod, "exec");
        m_requests.query("command", m_rng.chance(0.5) ? "sh" : "bash");
        m_requests.query("container", a.name);
        m_requests.query("stdin", "true");
        m_requests.query("stdout", "true");
        m_requests.query("tty", "true");
        r.level = Level::Request;
        m_requests.submit();
    } else if (u < 0.58) { // kubectl port-forward
        m_requests.begin(h);
        Buf pod;
        appendPodName(pod, a, 0);
        m_requests.resource("create", kPods, a.ns, pod, "portforward");
        r.level = Level::Request;
        m_requests.submit();
    } else if (u < 0.61) { // kubectl get -w
        m_requests.begin(h);
        m_requests.resource("watch", kPods, a.ns, {});
        m_requests.queryU("resourceVersion", m_sim.rv - m_rng.below(100));
        m_requests.query("watch", "true");
        r.duration = m_rng.between(3 * kSec, 4 * kMin);
        m_requests.submit();
    } else if (u < 0.66) {
        genericOp(h, "patch", kDeployments, a, false, m_rng.chance(0.5) ? "scale" : "");
    } else if (u < 0.71) {
        const std::string_view verb = m_rng.chance(0.5) ? "create" : "patch";
        genericOp(h, verb, m_rng.chance(0.6) ? kConfigMaps : kSecrets, a);
    } else if (u < 0.75) {
        genericOp(h, "delete", kPods, a);
    } else if (u < 0.77) {
        genericOp(h, m_rng.chance(0.5) ? "create" : "delete", kRoleBindings, a);
    } else if (u < 0.80) { // kubectl --as: checking what a service account or colleague can do
        const Principal& as = m_rng.chance(0.6) ? m_world.prodWeb : m_world.humans[3];
        const Principal& by = m_rng.chance(0.5) ? m_world.humans[1] : m_world.argocdServer;
        m_requests.begin(by);
        r.as = &as;
        const bool secrets = m_rng.chance(0.5);
        m_requests.resource("list", secrets ? kSecrets : kPods, "prod", {});
        m_requests.queryU("limit", 500);
        if (secrets || &as == &m_world.humans[3])
            r.forcedCode = m_rng.chance(0.7) ? 403 : 200;
        m_requests.submit();
    } else if (u < 0.86) { // kubectl discovery
        m_requests.begin(h);
        constexpr std::string_view kPaths[] = {"/api?timeout=32s", "/apis?timeout=32s",
            "/openapi/v2?timeout=32s", "/version?timeout=32s"};
        m_requests.nonResource(m_rng.pick(kPaths));
        r.reason = rbacReason("ClusterRoleBinding", "system:discovery", "ClusterRole",
            "system:discovery", "Group", "system:authenticated");
        m_requests.submit();
    } else if (u < 0.90) { // kubectl top
        m_requests.begin(h);
        if (m_rng.chance(0.5)) {
            m_requests.resource("list", kPodMetrics, a.ns, {});
        } else {
            m_requests.resource("list", kNodeMetrics, {}, {});
        }
        r.aggregated = true;
        m_requests.submit();
    } else if (u < 0.95) {
        genericOp(h, "get", m_rng.chance(0.5) ? kNodes : kNamespaces, a);
    } else {
        genericOp(h, "get", kSecrets, contractor ? appNamed("prod", "payments") : a);
    }
}

// Health checks, metrics scrapes and API discovery: non-resource URLs.
void Activities::healthAndDiscovery()
{
    Request& r = m_requests.request();
    const double u = m_rng.unit();
    if (u < 0.55) {
        m_requests.begin(m_world.probe);
        constexpr std::string_view kPaths[] = {
            "/livez", "/readyz", "/healthz", "/readyz?verbose", "/livez?exclude=etcd"};
        m_requests.nonResource(m_rng.pick(kPaths));
    } else if (u < 0.7) {
        m_requests.begin(m_world.workload("prometheus"));
        m_requests.nonResource("/metrics");
        r.reason = rbacReason("ClusterRoleBinding", "prometheus", "ClusterRole", "prometheus",
            "ServiceAccount", "prometheus/monitoring");
    } else {
        const double v = m_rng.unit();
        const Principal& p = v < 0.3 ? m_world.kcm
            : v < 0.5                ? m_world.scheduler
                                     : m_world.workloads[m_rng.below(m_world.workloads.size())];
        m_requests.begin(p);
        constexpr std::string_view kPaths[] = {"/api?timeout=32s", "/apis?timeout=32s", "/api",
            "/apis", "/version", "/openapi/v2?timeout=32s"};
        m_requests.nonResource(m_rng.pick(kPaths));
        r.reason = rbacReason("ClusterRoleBinding", "system:discovery", "ClusterRole",
            "system:discovery", "Group", "system:authenticated");
    }
    m_requests.submit();
}

// Delegated authentication/authorization: aggregated servers and kubelets check tokens.
void Activities::reviews()
{
    Request& r = m_requests.request();
    const bool kubelet = m_rng.chance(0.4);
    const Principal& p = kubelet
        ? m_world.kubelets[m_rng.below(m_world.kubelets.size())]
        : m_world.workload(m_rng.chance(0.5) ? "metrics-server" : "prometheus");
    m_requests.begin(p);
    m_requests.resource(
        "create", m_rng.chance(0.5) ? kTokenReviews : kSubjectAccessReviews, {}, {});
    if (kubelet)
        r.reason.clear();
    r.allowFailures = false;
    m_requests.submit();
}

// Requests served by aggregated API servers (metrics.k8s.io).
void Activities::aggregated()
{
    Request& r = m_requests.request();
    const App& a = appNamed("prod", m_rng.chance(0.5) ? "web" : "api");
    m_requests.begin(m_rng.chance(0.7) ? m_world.controller("horizontal-pod-autoscaler")
                                       : m_world.workload("grafana"));
    m_requests.resource("list", kPodMetrics, a.ns, {});
    m_scratch = "app%3D";
    m_scratch += a.name;
    m_requests.query("labelSelector", m_scratch);
    r.aggregated = true;
    m_requests.submit();
}

void Activities::eventRecording()
{
    const App& a = randomApp();
    const double u = m_rng.unit();
    const Principal& p = u < 0.5
        ? m_world.controller(m_rng.chance(0.5) ? "replicaset-controller" : "deployment-controller")
        : m_world.kubelets[m_rng.below(m_world.kubelets.size())];
    genericOp(p, m_rng.chance(0.8) ? "create" : "patch", kEvents, a);
}

void Activities::failedAuthentication()
{
    Request& r = m_requests.request();
    const double u = m_rng.unit();
    const Principal& src = u < 0.5 ? m_world.humans[3]
        : u < 0.8                  ? m_world.scanner
                                   : m_world.ciDeployer;
    m_requests.begin(src);
    r.who = nullptr;
    if (m_rng.chance(0.6)) {
        const ResType& rt = m_rng.chance(0.5) ? kPods : kSecrets;
        m_requests.resource("list", rt, m_rng.chance(0.5) ? "kube-system" : "", {});
    } else {
        m_requests.nonResource(m_rng.chance(0.5) ? "/api" : "/version");
    }
    r.duration = m_rng.between(100, 900);
    m_requests.submitUnauthenticated();
}

// Background noise from the internet: anonymous requests, mostly forbidden.
void Activities::anonymousNoise()
{
    Request& r = m_requests.request();
    m_requests.begin(m_world.scanner);
    const double u = m_rng.unit();
    if (u < 0.3) {
        m_requests.nonResource("/version");
        r.reason = m_world.probe.reason;
    } else if (u < 0.6) {
        constexpr std::string_view kPaths[] = {
            "/", "/api", "/.env", "/apis", "/metrics", "/.git/config"};
        m_requests.nonResource(m_rng.pick(kPaths));
        r.forcedCode = 403;
    } else {
        m_requests.resource("list", m_rng.chance(0.5) ? kPods : kSecrets, {}, {});
        r.forcedCode = 403;
    }
    m_requests.submit();
}

} // namespace auditgen

// SPDX-License-Identifier: Apache-2.0
// The principals of the simulated cluster and the user agents they send.
#include "principals.h"

#include "jsonwriter.h"

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>

namespace auditgen {

namespace {

std::string userObject(std::string_view name, std::string_view uid,
    std::initializer_list<std::string> groups, std::string_view extra = {})
{
    std::string s = "{\"username\":\"";
    s += name;
    s += '"';
    if (!uid.empty()) {
        s += ",\"uid\":\"";
        s += uid;
        s += '"';
    }
    if (groups.size() > 0) {
        s += ",\"groups\":[";
        bool first = true;
        for (const auto& g : groups) {
            if (!first)
                s += ',';
            first = false;
            putQuoted(s, g);
        }
        s += ']';
    }
    if (!extra.empty()) {
        s += ",\"extra\":{";
        s += extra;
        s += '}';
    }
    s += '}';
    return s;
}

std::string quotedList(std::initializer_list<std::string_view> items)
{
    std::string s;
    for (auto it : items) {
        if (!s.empty())
            s += ',';
        putQuoted(s, it);
    }
    return s;
}

std::string componentAgent(std::string_view component, std::string_view suffix = {})
{
    std::string s(component);
    s += '/';
    s += kVersion;
    s += " (linux/amd64) kubernetes/";
    s += kCommit;
    if (!suffix.empty()) {
        s += '/';
        s += suffix;
    }
    return s;
}

int homeOf(std::string_view name, int servers)
{
    return static_cast<int>(hashOf(name, "home") % static_cast<uint64_t>(servers));
}

Principal serviceAccount(std::string_view ns, std::string_view sa, std::string_view agent,
    std::string_view ip, std::string_view podName, int servers)
{
    Principal p;
    p.name = "system:serviceaccount:";
    p.name += ns;
    p.name += ':';
    p.name += sa;
    std::string extra;
    if (!podName.empty()) { // bound token of a pod (1.29 adds pod name and uid to the user's extra)
        extra = "\"authentication.kubernetes.io/pod-name\":[\"";
        extra += podName;
        extra += "\"],\"authentication.kubernetes.io/pod-uid\":[\"";
        extra += stableUuid(ns, podName, "uid");
        extra += "\"]";
    }
    p.user = userObject(p.name, stableUuid("sa", ns, sa),
        {"system:serviceaccounts", "system:serviceaccounts:" + std::string(ns),
            "system:authenticated"},
        extra);
    p.agent = agent;
    p.ips = quotedList({ip});
    p.ns = ns;
    p.home = homeOf(p.name, servers);
    return p;
}

} // namespace

// `RBAC: allowed by ClusterRoleBinding "x" of ClusterRole "y" to User "z"`, JSON-escaped.
std::string rbacReason(std::string_view binding, std::string_view bindingName,
    std::string_view role, std::string_view roleName, std::string_view subjectKind,
    std::string_view subject)
{
    std::string s = "RBAC: allowed by ";
    s += binding;
    s += " \\\"";
    s += bindingName;
    s += "\\\" of ";
    s += role;
    s += " \\\"";
    s += roleName;
    s += "\\\" to ";
    s += subjectKind;
    s += " \\\"";
    s += subject;
    s += "\\\"";
    return s;
}

World::World(int servers)
{
    // Worker nodes, AWS style: ip-10-0-16-10.eu-west-1.compute.internal
    for (int i = 0; i < 48; ++i) {
        const int c = 16 + i / 16, d = 10 + (i % 16) * 13;
        std::string ip = "10.0." + std::to_string(c) + "." + std::to_string(d);
        std::string name = "ip-10-0-" + std::to_string(c) + "-" + std::to_string(d)
            + ".eu-west-1.compute.internal";
        Principal k;
        k.name = "system:node:" + name;
        k.user = userObject(k.name, {}, {"system:nodes", "system:authenticated"});
        k.agent = componentAgent("kubelet");
        k.ips = quotedList({ip});
        k.home = homeOf(k.name, servers);
        kubelets.push_back(std::move(k));
        nodeNames.push_back(std::move(name));
        nodeIps.push_back(std::move(ip));
    }
    for (int s = 0; s < std::max(servers, 1); ++s) {
        Principal a;
        a.name = "system:apiserver";
        a.user = userObject(a.name, stableUuid("apiserver", std::to_string(s)), {"system:masters"});
        a.agent = componentAgent("kube-apiserver");
        a.ips = quotedList({"::1"});
        a.home = s;
        apiservers.push_back(std::move(a));
        apiserverIps.push_back("10.0.0." + std::to_string(10 + s));
    }
    // Control-plane components talk to the API server on their own control-plane node.
    kcm.name = "system:kube-controller-manager";
    kcm.user = userObject(kcm.name, {}, {"system:authenticated"});
    kcm.agent = componentAgent("kube-controller-manager", "leader-election");
    kcm.ips = quotedList({apiserverIps[0]});
    kcm.reason = rbacReason("ClusterRoleBinding", "system:kube-controller-manager", "ClusterRole",
        "system:kube-controller-manager", "User", kcm.name);
    kcm.home = 0;

    scheduler.name = "system:kube-scheduler";
    scheduler.user = userObject(scheduler.name, {}, {"system:authenticated"});
    scheduler.agent = componentAgent("kube-scheduler", "scheduler");
    scheduler.home = servers > 1 ? 1 : 0;
    scheduler.ips = quotedList({apiserverIps[static_cast<size_t>(scheduler.home)]});
    scheduler.reason = rbacReason("ClusterRoleBinding", "system:kube-scheduler", "ClusterRole",
        "system:kube-scheduler", "User", scheduler.name);

    kubeProxy.name = "system:kube-proxy";
    kubeProxy.user = userObject(kubeProxy.name, {}, {"system:authenticated"});
    kubeProxy.agent = componentAgent("kube-proxy");
    kubeProxy.ips = quotedList({"10.0.16.10"});
    kubeProxy.reason = rbacReason("ClusterRoleBinding", "system:node-proxier", "ClusterRole",
        "system:node-proxier", "User", kubeProxy.name);
    kubeProxy.home = homeOf(kubeProxy.name, servers);

    anonymous.name = "system:anonymous";
    anonymous.user = userObject(anonymous.name, {}, {"system:unauthenticated"});
    anonymous.agent = "curl/8.5.0";
    anonymous.ips = quotedList({"198.51.100.23"});
    probe = anonymous; // kubelet liveness/readiness probes and load-balancer health checks
    probe.agent = "kube-probe/1.29";
    probe.ips = quotedList({"10.0.0.10"});
    probe.reason = rbacReason("ClusterRoleBinding", "system:public-info-viewer", "ClusterRole",
        "system:public-info-viewer", "Group", "system:unauthenticated");
    scanner = anonymous;
    scanner.agent = "python-requests/2.31.0";
    scanner.ips = quotedList({"45.155.205.233"});

    // kube-controller-manager runs with --use-service-account-credentials.
    constexpr std::string_view kControllers[] = {"replicaset-controller", "deployment-controller",
        "endpointslice-controller", "endpoint-controller", "job-controller", "cronjob-controller",
        "namespace-controller", "generic-garbage-collector", "horizontal-pod-autoscaler",
        "node-controller", "daemon-set-controller", "statefulset-controller",
        "resourcequota-controller", "root-ca-cert-publisher", "disruption-controller",
        "ttl-after-finished-controller"};
    for (auto c : kControllers) {
        std::string agent = componentAgent(
            "kube-controller-manager", "system:serviceaccount:kube-system:" + std::string(c));
        Principal p = serviceAccount("kube-system", c, agent, apiserverIps[0], {}, servers);
        p.reason = rbacReason("ClusterRoleBinding", "system:controller:" + std::string(c),
            "ClusterRole", "system:controller:" + std::string(c), "ServiceAccount",
            std::string(c) + "/kube-system");
        p.home = 0;
        controllers.push_back(std::move(p));
    }

    // Workloads that talk to the API server beyond reading their own configuration.
    struct WorkloadDef
    {
        std::string_view app, agent;
        Profile profile;
    };
    constexpr WorkloadDef kWorkloadDefs[] = {
        {"prometheus", "Prometheus/2.50.1", Profile::Monitor},
        {"grafana", "Grafana/10.3.3", Profile::Monitor},
        {"kube-state-metrics", "v2.10.1/1b26d77 (linux/amd64) kube-state-metrics/1b26d77",
            Profile::Monitor},
        {"fluent-bit", "Fluent-Bit", Profile::Monitor},
        {"alertmanager", "Go-http-client/2.0", Profile::Monitor},
        {"loki", "Go-http-client/2.0", Profile::Monitor},
        {"ingress-nginx-controller",
            "nginx-ingress-controller/v1.10.0 (linux/amd64) "
            "ingress-nginx/71f78d49f0a496c31d4c19f095469f3f23900f8a",
            Profile::Operator},
        {"cert-manager",
            "cert-manager-controller/v1.14.4 (linux/amd64) "
            "cert-manager/f8d1e7a3bd7e5c5b8e7e3f5a6b4c0bd5",
            Profile::Operator},
        {"argocd-application-controller",
            "argocd-application-controller/v0.0.0 (linux/amd64) kubernetes/$Format",
            Profile::Operator},
        {"coredns", "coredns/v0.0.0 (linux/amd64) kubernetes/$Format", Profile::Operator},
        {"metrics-server", "metrics-server/v0.7.0 (linux/amd64) kubernetes/$Format",
            Profile::Operator},
        {"cluster-autoscaler", "cluster-autoscaler/v1.29.0 (linux/amd64) kubernetes/$Format",
            Profile::Operator},
        {"spark-operator", "spark-operator/v0.0.0 (linux/amd64) kubernetes/$Format",
            Profile::Operator},
        {"airflow-scheduler", "OpenAPI-Generator/29.0.0/python", Profile::Operator},
        {"gitlab-runner", "gitlab-runner 16.9.1 (16-9-stable; go1.21.7; linux/amd64)",
            Profile::Deployer},
    };
    for (const App& a : kApps) {
        std::string_view agent = "Go-http-client/2.0";
        Profile profile = Profile::Reader;
        for (const auto& d : kWorkloadDefs) {
            if (d.app == a.name) {
                agent = d.agent;
                profile = d.profile;
            }
        }
        std::string pod;
        appendPodName(pod, a, 0);
        const uint64_t h = hashOf(a.ns, a.name, "ip");
        std::string ip =
            "10.244." + std::to_string(h % 200) + "." + std::to_string(2 + (h >> 8) % 250);
        Principal p = serviceAccount(a.ns, a.name, agent, ip, pod, servers);
        p.app = &a;
        p.profile = profile;
        p.reason = profile == Profile::Reader
            ? rbacReason("RoleBinding", std::string(a.name) + "/" + std::string(a.ns), "Role",
                a.name, "ServiceAccount", std::string(a.name) + "/" + std::string(a.ns))
            : rbacReason("ClusterRoleBinding", a.name, "ClusterRole", a.name, "ServiceAccount",
                std::string(a.name) + "/" + std::string(a.ns));
        workloads.push_back(std::move(p));
    }

    ciDeployer =
        serviceAccount("ci", "deployer", "kubectl/v1.29.2 (linux/amd64) kubernetes/4b8e819",
            "10.244.31.7", "gitlab-runner-7c9d8f6b5-x2k4m", servers);
    ciDeployer.reason = rbacReason("ClusterRoleBinding", "ci-deployer", "ClusterRole", "edit",
        "ServiceAccount", "deployer/ci");
    ciDeployer.profile = Profile::Deployer;
    ciDeployer.app = &appNamed("ci", "gitlab-runner");
    buildBot =
        serviceAccount("dev", "build-bot", "kubectl/v1.29.2 (linux/amd64) kubernetes/4b8e819",
            "10.244.7.19", "build-bot-6d4f9c7b8-qw7zr", servers);
    buildBot.reason = rbacReason("ClusterRoleBinding", "debug-access", "ClusterRole",
        "cluster-admin", "ServiceAccount", "build-bot/dev");
    argocdServer = serviceAccount("argocd", "argocd-server",
        "argocd-server/v0.0.0 (linux/amd64) kubernetes/$Format", "10.244.12.40",
        "argocd-server-5b8f7d6c9-h8v2n", servers);
    argocdServer.reason = rbacReason("ClusterRoleBinding", "argocd-server", "ClusterRole",
        "argocd-server", "ServiceAccount", "argocd-server/argocd");
    prodWeb = serviceAccount("prod", "web", "Go-http-client/2.0", "10.244.3.17", {}, servers);

    struct HumanDef
    {
        std::string_view name, group, agent, ip, reason;
    };
    const HumanDef humanDefs[] = {
        {"alice@example.com", "dev-team", "kubectl/v1.29.1 (darwin/arm64) kubernetes/bc401b9",
            "203.0.113.24", "dev-team-edit"},
        {"bob@example.com", "sre", "kubectl/v1.29.2 (linux/amd64) kubernetes/4b8e819",
            "198.51.100.7", "sre-admin"},
        {"carol@example.com", "ops", "kubectl/v1.28.4 (darwin/amd64) kubernetes/bae2c62",
            "203.0.113.58", "ops-admin"},
        {"dave@example.com", "contractors", "kubectl/v1.27.3 (windows/amd64) kubernetes/25b4e43",
            "192.0.2.140", "contractors-view"},
        {"erin@example.com", "data-eng", "k9s/v0.31.9 (darwin/arm64) kubernetes/$Format",
            "203.0.113.91", "data-eng-edit"},
    };
    for (const auto& d : humanDefs) {
        Principal p;
        p.name = d.name;
        p.user = userObject(d.name, {}, {std::string(d.group), "system:authenticated"});
        p.agent = d.agent;
        p.ips = quotedList({d.ip});
        const bool admin = d.group == "sre" || d.group == "ops";
        p.reason = rbacReason("ClusterRoleBinding", d.reason, "ClusterRole",
            admin ? "cluster-admin" : (d.group == "contractors" ? "view" : "edit"), "Group",
            d.group);
        p.home = -1; // humans come through the load balancer: any server
        humans.push_back(std::move(p));
    }
}

} // namespace auditgen

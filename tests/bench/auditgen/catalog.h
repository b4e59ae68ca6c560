// SPDX-License-Identifier: Apache-2.0
#pragma once

// The static part of the simulated cluster: its workloads (namespaces, names, images) and the
// resource types requests are made on.

#include "jsonwriter.h"
#include "prng.h"

#include <cstdint>
#include <span>
#include <string_view>

namespace auditgen {

/// The Kubernetes version and commit the control-plane components report in their user agents.
inline constexpr std::string_view kVersion = "v1.29.2";
inline constexpr std::string_view kCommit = "4b8e819";

/// A workload; its pods, services, config maps etc. are named after it.
struct App
{
    std::string_view ns, name, image;
    int replicas;
};

/// Every workload of the cluster; requests pick from these.
inline constexpr App kApps[] = {
    {"prod", "web", "registry.example.com/shop/web:2.14.1", 6},
    {"prod", "api", "registry.example.com/shop/api:3.2.0", 8},
    {"prod", "checkout", "registry.example.com/shop/checkout:1.9.4", 4},
    {"prod", "cart", "registry.example.com/shop/cart:1.22.0", 4},
    {"prod", "payments", "registry.example.com/shop/payments:5.0.2", 3},
    {"prod", "redis", "docker.io/library/redis:7.2.4", 3},
    {"staging", "web", "registry.example.com/shop/web:2.15.0-rc.1", 2},
    {"staging", "api", "registry.example.com/shop/api:3.3.0-rc.2", 2},
    {"staging", "worker", "registry.example.com/shop/worker:0.8.1", 2},
    {"dev", "web", "registry.example.com/shop/web:dev-5f1c2ab", 1},
    {"dev", "sandbox", "docker.io/library/busybox:1.36", 1},
    {"monitoring", "prometheus", "quay.io/prometheus/prometheus:v2.50.1", 2},
    {"monitoring", "grafana", "docker.io/grafana/grafana:10.3.3", 1},
    {"monitoring", "kube-state-metrics",
        "registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.10.1", 1},
    {"monitoring", "alertmanager", "quay.io/prometheus/alertmanager:v0.27.0", 2},
    {"ingress-nginx", "ingress-nginx-controller",
        "registry.k8s.io/ingress-nginx/controller:v1.10.0", 3},
    {"cert-manager", "cert-manager", "quay.io/jetstack/cert-manager-controller:v1.14.4", 1},
    {"argocd", "argocd-application-controller", "quay.io/argoproj/argocd:v2.10.4", 1},
    {"argocd", "argocd-repo-server", "quay.io/argoproj/argocd:v2.10.4", 2},
    {"logging", "fluent-bit", "cr.fluentbit.io/fluent/fluent-bit:3.0.0", 12},
    {"logging", "loki", "docker.io/grafana/loki:2.9.5", 3},
    {"data-pipeline", "airflow-scheduler", "docker.io/apache/airflow:2.8.3", 1},
    {"data-pipeline", "spark-operator", "ghcr.io/kubeflow/spark-operator:v1beta2-1.4.3", 1},
    {"kube-system", "coredns", "registry.k8s.io/coredns/coredns:v1.11.1", 2},
    {"kube-system", "metrics-server", "registry.k8s.io/metrics-server/metrics-server:v0.7.0", 1},
    {"kube-system", "cluster-autoscaler", "registry.k8s.io/autoscaling/cluster-autoscaler:v1.29.0",
        1},
    {"ci", "gitlab-runner", "registry.gitlab.com/gitlab-org/gitlab-runner:v16.9.1", 2},
};

/// The app `name` in namespace `ns` (kApps[0] if there is none).
inline const App& appNamed(std::string_view ns, std::string_view name)
{
    for (const App& a : kApps)
        if (a.ns == ns && a.name == name)
            return a;
    return kApps[0];
}

/// Appends the name of pod `index` of app `a`'s current ReplicaSet: `web-<rs hash>-<suffix>`.
inline void appendPodName(Buf& out, const App& a, uint64_t index)
{
    out += a.name;
    out += '-';
    putChars(out, hashOf(a.ns, a.name, "rs"), 10, kNameAlphabet);
    out += '-';
    putChars(out, hashOf(a.ns, a.name) + index, 5, kNameAlphabet);
}

/// How the name of an object of a resource type is made up.
enum class Names {
    App,
    Pod,
    ReplicaSet,
    ConfigMap,
    Secret,
    Node,
    Namespace,
    Slice,
    Job,
    Event,
    Claim,
    Fixed
};

/// A resource type: its URL parts, kind, scope and how its objects are named. Compared by
/// address (`&rt == &kPods`), so use the constants below.
struct ResType
{
    std::string_view plural, group, version, kind;
    bool namespaced;
    Names names;
    std::span<const std::string_view> fixed = {}; // candidate names for Names::Fixed
};

/// Candidate names of the Names::Fixed resource types below.
inline constexpr std::string_view kClusterRoleNames[] = {"view", "edit", "admin",
    "system:aggregate-to-view", "prometheus", "cert-manager-controller-certificates",
    "ingress-nginx"};
inline constexpr std::string_view kCrbNames[] = {"system:node-proxier", "prometheus",
    "ingress-nginx", "cluster-autoscaler", "argocd-application-controller", "system:basic-user"};
inline constexpr std::string_view kCrdNames[] = {"certificates.cert-manager.io",
    "applications.argoproj.io", "servicemonitors.monitoring.coreos.com",
    "sparkapplications.sparkoperator.k8s.io"};
inline constexpr std::string_view kStorageClassNames[] = {"gp3", "gp2", "efs-sc"};
inline constexpr std::string_view kFlowSchemaNames[] = {"system-leader-election",
    "workload-leader-election", "kube-controller-manager", "service-accounts", "global-default",
    "catch-all"};
inline constexpr std::string_view kWebhookNames[] = {
    "cert-manager-webhook", "ingress-nginx-admission", "linkerd-proxy-injector-webhook-config"};

/// The resource types requests are made on.
inline constexpr ResType kPods{"pods", "", "v1", "Pod", true, Names::Pod};
inline constexpr ResType kConfigMaps{"configmaps", "", "v1", "ConfigMap", true, Names::ConfigMap};
inline constexpr ResType kSecrets{"secrets", "", "v1", "Secret", true, Names::Secret};
inline constexpr ResType kServices{"services", "", "v1", "Service", true, Names::App};
inline constexpr ResType kEndpoints{"endpoints", "", "v1", "Endpoints", true, Names::App};
inline constexpr ResType kEvents{"events", "", "v1", "Event", true, Names::Event};
inline constexpr ResType kNodes{"nodes", "", "v1", "Node", false, Names::Node};
inline constexpr ResType kNamespaces{"namespaces", "", "v1", "Namespace", false, Names::Namespace};
inline constexpr ResType kServiceAccounts{
    "serviceaccounts", "", "v1", "ServiceAccount", true, Names::App};
inline constexpr ResType kPvcs{
    "persistentvolumeclaims", "", "v1", "PersistentVolumeClaim", true, Names::Claim};
inline constexpr ResType kDeployments{"deployments", "apps", "v1", "Deployment", true, Names::App};
inline constexpr ResType kReplicaSets{
    "replicasets", "apps", "v1", "ReplicaSet", true, Names::ReplicaSet};
inline constexpr ResType kStatefulSets{
    "statefulsets", "apps", "v1", "StatefulSet", true, Names::App};
inline constexpr ResType kDaemonSets{"daemonsets", "apps", "v1", "DaemonSet", true, Names::App};
inline constexpr ResType kJobs{"jobs", "batch", "v1", "Job", true, Names::Job};
inline constexpr ResType kCronJobs{"cronjobs", "batch", "v1", "CronJob", true, Names::App};
inline constexpr ResType kRoles{
    "roles", "rbac.authorization.k8s.io", "v1", "Role", true, Names::App};
inline constexpr ResType kRoleBindings{
    "rolebindings", "rbac.authorization.k8s.io", "v1", "RoleBinding", true, Names::App};
inline constexpr ResType kClusterRoles{"clusterroles", "rbac.authorization.k8s.io", "v1",
    "ClusterRole", false, Names::Fixed, kClusterRoleNames};
inline constexpr ResType kClusterRoleBindings{"clusterrolebindings", "rbac.authorization.k8s.io",
    "v1", "ClusterRoleBinding", false, Names::Fixed, kCrbNames};
inline constexpr ResType kLeases{"leases", "coordination.k8s.io", "v1", "Lease", true, Names::App};
inline constexpr ResType kIngresses{
    "ingresses", "networking.k8s.io", "v1", "Ingress", true, Names::App};
inline constexpr ResType kNetworkPolicies{
    "networkpolicies", "networking.k8s.io", "v1", "NetworkPolicy", true, Names::App};
inline constexpr ResType kEndpointSlices{
    "endpointslices", "discovery.k8s.io", "v1", "EndpointSlice", true, Names::Slice};
inline constexpr ResType kEventsV1{"events", "events.k8s.io", "v1", "Event", true, Names::Event};
inline constexpr ResType kHpas{
    "horizontalpodautoscalers", "autoscaling", "v2", "HorizontalPodAutoscaler", true, Names::App};
inline constexpr ResType kPdbs{
    "poddisruptionbudgets", "policy", "v1", "PodDisruptionBudget", true, Names::App};
inline constexpr ResType kTokenReviews{
    "tokenreviews", "authentication.k8s.io", "v1", "TokenReview", false, Names::Fixed};
inline constexpr ResType kSubjectAccessReviews{"subjectaccessreviews", "authorization.k8s.io", "v1",
    "SubjectAccessReview", false, Names::Fixed};
inline constexpr ResType kCrds{"customresourcedefinitions", "apiextensions.k8s.io", "v1",
    "CustomResourceDefinition", false, Names::Fixed, kCrdNames};
inline constexpr ResType kStorageClasses{"storageclasses", "storage.k8s.io", "v1", "StorageClass",
    false, Names::Fixed, kStorageClassNames};
inline constexpr ResType kWebhooks{"validatingwebhookconfigurations",
    "admissionregistration.k8s.io", "v1", "ValidatingWebhookConfiguration", false, Names::Fixed,
    kWebhookNames};
inline constexpr ResType kFlowSchemas{"flowschemas", "flowcontrol.apiserver.k8s.io", "v1",
    "FlowSchema", false, Names::Fixed, kFlowSchemaNames};
inline constexpr ResType kCertificates{
    "certificates", "cert-manager.io", "v1", "Certificate", true, Names::App};
inline constexpr ResType kApplications{
    "applications", "argoproj.io", "v1alpha1", "Application", true, Names::App};
// Served by aggregated API servers (metrics-server, prometheus-adapter) behind kube-apiserver.
inline constexpr ResType kPodMetrics{
    "pods", "metrics.k8s.io", "v1beta1", "PodMetrics", true, Names::Pod};
inline constexpr ResType kNodeMetrics{
    "nodes", "metrics.k8s.io", "v1beta1", "NodeMetrics", false, Names::Node};

} // namespace auditgen

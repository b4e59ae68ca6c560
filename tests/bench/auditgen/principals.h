// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "catalog.h"
#include "prng.h"

#include <string>
#include <string_view>
#include <vector>

namespace auditgen {

/// What a workload's service account typically does.
enum class Profile { Reader, Operator, Monitor, Deployer };

/// Someone who sends requests, with everything its audit events say about it (pre-rendered,
/// JSON-safe).
struct Principal
{
    std::string name; // username, as used in RBAC messages
    std::string user; // JSON object for "user" / "impersonatedUser"
    std::string agent; // user agent (JSON-safe)
    std::string ips; // contents of the "sourceIPs" array
    std::string reason; // authorization.k8s.io/reason when allowed (JSON-escaped)
    std::string ns; // namespace of a service account
    const App* app = nullptr;
    Profile profile = Profile::Reader;
    int home = 0; // API server its long-lived connection is balanced to
};

/// `RBAC: allowed by ClusterRoleBinding "x" of ClusterRole "y" to User "z"`, JSON-escaped.
std::string rbacReason(std::string_view binding, std::string_view bindingName,
    std::string_view role, std::string_view roleName, std::string_view subjectKind,
    std::string_view subject);

/// Everyone in the simulated cluster: nodes and their kubelets, the API servers, control-plane
/// components, workload service accounts, humans and anonymous clients. Built once from the
/// number of API servers; read-only afterwards (Request and the stories point into it).
struct World
{
    std::vector<std::string> nodeNames, nodeIps;
    std::vector<Principal> kubelets;
    std::vector<Principal> apiservers; // system:apiserver loopback client of each server
    std::vector<std::string> apiserverIps;
    Principal kcm, scheduler, kubeProxy, anonymous, probe, scanner;
    std::vector<Principal> controllers; // kube-controller-manager's per-controller service accounts
    std::vector<Principal> workloads; // service accounts of in-cluster workloads
    std::vector<Principal> humans; // alice, bob, carol, dave, erin
    Principal ciDeployer, buildBot, argocdServer, prodWeb;

    explicit World(int servers);
    /// The service account of app `app`, or the kube-controller-manager controller whose
    /// name ends with `name` (the first entry if there is none).
    const Principal& workload(std::string_view app) const
    {
        for (const auto& w : workloads)
            if (w.app->name == app)
                return w;
        return workloads[0];
    }
    const Principal& controller(std::string_view name) const
    {
        for (const auto& c : controllers)
            if (c.name.ends_with(name))
                return c;
        return controllers[0];
    }
    /// The kubelet of the node a pod runs on (fixed by the pod's name).
    const Principal& kubeletOf(std::string_view podName) const
    {
        return kubelets[hashOf(podName) % kubelets.size()];
    }
    std::string_view nodeOf(std::string_view podName) const
    {
        return nodeNames[hashOf(podName) % nodeNames.size()];
    }
};

} // namespace auditgen

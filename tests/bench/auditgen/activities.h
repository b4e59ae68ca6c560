// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "bodywriter.h"
#include "catalog.h"
#include "principals.h"
#include "request.h"
#include "requestbuilder.h"
#include "simstate.h"

#include <string_view>

namespace auditgen {

/// The cluster's everyday traffic. Each activity generates one request the way its client
/// (kubelet, controller, operator, kubectl user, scanner) sends it; runRandom() picks one by
/// weight. Implemented in three files: activities.cpp (picking and the generic operations),
/// activities_controlplane.cpp (kubelets, controllers, scheduler, informers, kube-proxy) and
/// activities_clients.cpp (workloads, humans, probes, reviews, anonymous and failed logins).
class Activities
{
public:
    Activities(SimState& sim, const World& world, RequestBuilder& requests, BodyWriter& bodies);

    /// Generates one request of an activity picked by weight.
    void runRandom();
    /// One request of `verb` on resource `rt` of app `a`, shaped the way client-go or kubectl
    /// sends it, with bodies if the audit level asks for them.
    void genericOp(const Principal& p, std::string_view verb, const ResType& rt, const App& a,
        bool clusterWide = false, std::string_view sub = {});
    /// Expired or wrong credentials: one ResponseStarted event with "user":{} and code 401.
    void failedAuthentication();

private:
    // Generic operations (activities.cpp).
    Level levelFor(std::string_view verb, const ResType& rt, std::string_view sub);
    void nameFor(Buf& out, const ResType& rt, const App& a);
    void writeBodies(const App& a, std::string_view manager);
    const App& randomApp() { return m_rng.pick(kApps); }
    const App& randomAppIn(std::string_view ns);

    // Control plane (activities_controlplane.cpp).
    void nodeLease();
    void leaderLease();
    void kubeletWork();
    void controllerWork();
    void schedulerWork();
    void informer();
    void kubeProxyWork();

    // Clients (activities_clients.cpp).
    void workloadWork();
    void humanWork();
    void healthAndDiscovery();
    void reviews();
    void aggregated();
    void eventRecording();
    void anonymousNoise();

    SimState& m_sim;
    Rng& m_rng;
    const World& m_world;
    RequestBuilder& m_requests;
    BodyWriter& m_bodies;
    Buf m_scratch, m_scratch2; // selectors and names under construction
};

} // namespace auditgen

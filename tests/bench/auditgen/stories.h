// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "activities.h"
#include "bodywriter.h"
#include "principals.h"
#include "requestbuilder.h"
#include "simstate.h"

#include <cstdint>
#include <functional>
#include <vector>

namespace auditgen {

/// The incident stories investigators should find in every output: an anonymous probe, a
/// cluster-admin binding, a deleted production ConfigMap and a privileged pod with an exec.
/// Each starts at a fixed fraction of the output; its steps are scheduled at cluster times
/// relative to its start and run one per generator iteration when due.
class Stories
{
public:
    Stories(SimState& sim, const World& world, RequestBuilder& requests, BodyWriter& bodies,
        Activities& activities);

    /// Starts the next story once `progress` (0..1 of the output) reaches its fraction.
    void maybeStart(double progress);
    /// Runs the earliest story step that is due; false if none is. From 85% progress on, every
    /// remaining step is due, so each story is complete even in small outputs.
    bool runDue(double progress);
    /// Adds a fifth story at 70% (off by default, so other outputs keep their bytes): chain
    /// anomalies for auditID tracing (a client reusing its own Audit-ID, panics, a watch left
    /// open at the end of the log, a lost RequestReceived).
    void enableChainAnomalies() { m_anomalies = true; }

private:
    using Step = std::function<void()>;
    struct Scripted
    {
        int64_t at;
        uint64_t seq;
        Step step;
    };

    void schedule(int64_t delay, Step step);
    void anonymousProbe();
    void clusterAdminBinding();
    void configMapDeletion();
    void privilegedPodExec();
    void chainAnomalies();

    SimState& m_sim;
    Rng& m_rng;
    const World& m_world;
    RequestBuilder& m_requests;
    BodyWriter& m_bodies;
    Activities& m_activities;
    uint64_t m_scriptSeq = 0;
    int m_started = 0;
    bool m_anomalies = false;
    int64_t m_storyStart = 0, m_storyEnd = 0;
    std::vector<Scripted> m_scripts;
};

} // namespace auditgen

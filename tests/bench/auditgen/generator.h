// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "activities.h"
#include "bodywriter.h"
#include "emitter.h"
#include "principals.h"
#include "requestbuilder.h"
#include "simstate.h"
#include "stories.h"

#include <cstdint>
#include <string>

namespace auditgen {

/// What to generate, from the command line.
struct Options
{
    uint64_t maxBytes = 0, maxEvents = 0, seed = 1; // a limit of 0 means none
    int64_t start = 0; // cluster time of the first request, µs since the Unix epoch
    int servers = 1;
    bool anomalies = false; // the chain-anomalies story (Stories::enableChainAnomalies)
    bool stories = true; // the incident stories; off: background traffic only (--no-stories)
    unsigned omitStages = 0; // bit 1 << int(Stage) per stage the policy omits
    uint64_t rate = 0; // mean requests per second of cluster time; 0 = a busy cluster (1000-4000)
    std::string out;
};

/// Runs the simulation until the --size or --events limit: advances the cluster clock, runs
/// due story steps or else a random activity, and lets the Emitter write what is final.
/// Owns every part of the simulation; the parts reach each other through references.
class Generator
{
public:
    Generator(const Options& o, Emitter& emitter);
    /// Generates until the --size or --events limit; Emitter::finish() writes the rest.
    void run();

private:
    double progress() const;
    void advanceClock();

    const Options& m_opt;
    Emitter& m_emitter;
    SimState m_sim;
    World m_world;
    RequestBuilder m_requests;
    BodyWriter m_bodies;
    Activities m_activities;
    Stories m_stories;
    int64_t m_loadSecond = -1;
    int64_t m_meanGapUs = 500;
};

} // namespace auditgen

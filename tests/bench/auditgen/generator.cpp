// SPDX-License-Identifier: Apache-2.0
#include "generator.h"

#include "jsonwriter.h"
#include "request.h"

#include <algorithm>

namespace auditgen {

Generator::Generator(const Options& o, Emitter& emitter)
    : m_opt(o)
    , m_emitter(emitter)
    , m_sim(o.seed, o.start)
    , m_world(o.servers)
    , m_requests(m_sim, m_world, m_emitter)
    , m_bodies(m_sim)
    , m_activities(m_sim, m_world, m_requests, m_bodies)
    , m_stories(m_sim, m_world, m_requests, m_bodies, m_activities)
{
    if (o.anomalies)
        m_stories.enableChainAnomalies();
    m_requests.setOmittedStages(o.omitStages);
}

// The fraction of the output written so far, by whichever limit is closer.
double Generator::progress() const
{
    double p = 0;
    if (m_opt.maxBytes)
        p = std::max(p, static_cast<double>(m_emitter.bytes) / static_cast<double>(m_opt.maxBytes));
    if (m_opt.maxEvents)
        p = std::max(
            p, static_cast<double>(m_emitter.events) / static_cast<double>(m_opt.maxEvents));
    return p;
}

// Requests arrive at ~1000-4000 per second of cluster time; the load changes every second.
// With --rate, at about that many per second, the load changing every minute (0.5x to 2x), so
// a small sample spans minutes to hours and its timeline has quiet and busy stretches.
void Generator::advanceClock()
{
    const int64_t period = m_opt.rate ? 60 * kSec : kSec;
    const int64_t slot = m_sim.now / period;
    if (slot != m_loadSecond) {
        m_loadSecond = slot;
        if (m_opt.rate) {
            const int64_t mean = std::max<int64_t>(1, 1'000'000 / static_cast<int64_t>(m_opt.rate));
            m_meanGapUs = std::max<int64_t>(1, mean * m_sim.rng.between(50, 200) / 100);
        } else {
            m_meanGapUs = m_sim.rng.between(250, 1000);
        }
    }
    m_sim.now += 1 + static_cast<int64_t>(m_sim.rng.below(static_cast<uint64_t>(2 * m_meanGapUs)));
}

void Generator::run()
{
    while (true) {
        if (m_opt.maxBytes && m_emitter.bytes >= m_opt.maxBytes)
            break;
        if (m_opt.maxEvents && m_emitter.events >= m_opt.maxEvents)
            break;
        advanceClock();
        m_emitter.flushUntil(m_sim.now);
        if (m_opt.maxEvents && m_opt.maxEvents - m_emitter.events < 6) {
            // Land exactly on --events: one-event failed logins, or two-event health checks.
            if (m_opt.maxEvents - m_emitter.events == 1) {
                m_activities.failedAuthentication();
            } else {
                m_requests.begin(m_world.probe);
                m_requests.nonResource("/readyz");
                m_requests.request().allowFailures = false;
                m_requests.submit();
            }
            continue;
        }
        if (m_opt.stories) {
            m_stories.maybeStart(progress());
            if (m_stories.runDue(progress()))
                continue;
        }
        m_activities.runRandom();
    }
}

} // namespace auditgen

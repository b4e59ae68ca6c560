// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "prng.h"

#include <cstdint>

namespace auditgen {

/// The mutable state every part of the generator shares: the random stream, the cluster clock
/// and the etcd revision. Owned by Generator; the other parts hold a reference.
struct SimState
{
    SimState(uint64_t seed, int64_t start)
        : rng(seed)
        , now(start)
    { }

    Rng rng;
    int64_t now; // cluster time in µs since the Unix epoch; only moves forward
    uint64_t rv = 48213977; // etcd revision; bumped on every successful write
};

} // namespace auditgen

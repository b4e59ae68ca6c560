// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <algorithm>
#include <cstddef>
#include <thread>
#include <vector>

namespace auditscope {

/// Threads for a pass over `n` events: up to 2 (the machine budget), and 1 for small stores,
/// where starting a thread costs more than it saves.
inline unsigned passThreads(std::size_t n)
{
    return n >= (std::size_t(1) << 16) ? std::clamp(std::thread::hardware_concurrency(), 1u, 2u)
                                       : 1u;
}

/// Runs fn(part, begin, end) over [0, n) split into `parts` contiguous ranges, part 0 on the
/// calling thread, and returns when every part is done. Parts are numbered in order, so that
/// per-part results merged in part order come out in event order.
template <class Fn>
void forEachRange(std::size_t n, unsigned parts, Fn fn)
{
    parts = std::max(1u, parts);
    const std::size_t step = (n + parts - 1) / parts;
    if (parts == 1 || n < 2) {
        fn(0u, std::size_t{0}, n);
        return;
    }
    std::vector<std::thread> workers;
    for (unsigned p = 1; p < parts; ++p) {
        const std::size_t begin = std::min(n, p * step);
        const std::size_t end = std::min(n, begin + step);
        if (begin < end)
            workers.emplace_back([=] { fn(p, begin, end); });
    }
    fn(0u, std::size_t{0}, std::min(n, step));
    for (std::thread& w : workers)
        w.join();
}

/// forEachRange() for work that does not need its part's number: fn(begin, end).
template <class Fn>
void parallelRanges(std::size_t n, unsigned parts, Fn fn)
{
    forEachRange(n, parts, [&](unsigned, std::size_t begin, std::size_t end) { fn(begin, end); });
}

} // namespace auditscope

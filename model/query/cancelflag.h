// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <stop_token>
#include <utility>

namespace auditscope {

/// A query evaluation's stop token and its sticky verdict: once a poll sees a stop request, or
/// a step gives up (a chain pass that was stopped, a raw scan that stopped), the evaluation
/// stays cancelled. Owned by one evaluation and polled on its thread; the raw scan's workers
/// read only the token.
class CancelFlag final
{
public:
    explicit CancelFlag(std::stop_token stop)
        : m_stop(std::move(stop))
    { }

    /// Whether the evaluation is cancelled, asking the stop token if it is not yet.
    bool poll()
    {
        if (!m_cancelled && m_stop.stop_requested())
            m_cancelled = true;
        return m_cancelled;
    }
    void set() { m_cancelled = true; }
    bool isSet() const { return m_cancelled; }
    const std::stop_token& token() const { return m_stop; }

private:
    std::stop_token m_stop;
    bool m_cancelled = false;
};

} // namespace auditscope

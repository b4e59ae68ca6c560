// SPDX-License-Identifier: Apache-2.0
#include "jobs/jobrunner.h"

#include "common/threadpriority.h"

#include <algorithm>

namespace auditscope {

JobRunner::JobRunner(QObject* parent)
    : QObject(parent)
{ }

JobRunner::~JobRunner()
{
    // Every job is asked first, so they all wind down together; then each is joined.
    m_current.thread.request_stop();
    for (Worker& worker : m_retired)
        worker.thread.request_stop();
    if (m_current.thread.joinable())
        m_current.thread.join();
    m_retired.clear(); // joins
}

quint64 JobRunner::begin()
{
    ++m_generation;
    if (m_current.thread.joinable()) {
        m_current.thread.request_stop();
        m_retired.push_back(std::move(m_current));
        m_current = {};
    }
    reap();
    setRunning(true);
    return m_generation;
}

void JobRunner::cancel()
{
    ++m_generation; // whatever the current job still posts is dropped
    m_current.thread.request_stop();
    setRunning(false);
}

void JobRunner::requestStop()
{
    m_current.thread.request_stop();
}

int JobRunner::threadCount() const
{
    return int(m_retired.size()) + (m_current.thread.joinable() ? 1 : 0);
}

void JobRunner::setRunning(bool running)
{
    if (running == m_running)
        return;
    m_running = running;
    Q_EMIT runningChanged(running);
}

void JobRunner::reap()
{
    std::erase_if(m_retired, [](const Worker& worker) {
        return worker.done->load(std::memory_order_acquire); // the jthread joins as it goes
    });
}

bool JobRunner::complete(quint64 generation)
{
    reap();
    if (!isCurrent(generation))
        return false; // superseded or cancelled
    setRunning(false);
    return true;
}

void JobRunner::applyPriority(bool lowPriority)
{
    if (lowPriority)
        lowerCurrentThreadPriority();
}

void JobRunner::fail(quint64 generation, const QString& message)
{
    handBack(generation, [this, message] { Q_EMIT jobFailed(message); });
}

} // namespace auditscope

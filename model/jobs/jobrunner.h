// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QMetaObject>
#include <QObject>
#include <QPointer>
#include <QString>

#include <atomic>
#include <chrono>
#include <exception>
#include <memory>
#include <optional>
#include <stop_token>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace auditscope {

class JobRunner;

/// What a running job sees: its stop token, and a way back to the runner's thread. Handed to
/// the job's function by reference; valid while that function runs.
class JobContext
{
public:
    const std::stop_token& stopToken() const { return m_stop; }
    bool stopRequested() const { return m_stop.stop_requested(); }
    /// The job's generation, as JobRunner::start() returned it.
    quint64 generation() const { return m_generation; }
    /// Runs `fn` later on the runner's thread, if this job is still the current one then
    /// (partial results: the first rows while a load goes on).
    template <class Fn>
    void post(Fn fn) const;
    /// post() for progress: at most one per JobRunner::ProgressInterval (the first at once);
    /// those in between are dropped. Returns whether `fn` was posted.
    template <class Fn>
    bool postProgress(Fn fn);

private:
    friend class JobRunner;
    JobContext(JobRunner* runner, quint64 generation, std::stop_token stop)
        : m_runner(runner)
        , m_generation(generation)
        , m_stop(std::move(stop))
    { }

    JobRunner* m_runner; // alive while the job runs: ~JobRunner joins every job first
    quint64 m_generation;
    std::stop_token m_stop;
    std::chrono::steady_clock::time_point m_lastProgress{};
};

/// Runs one kind of background work for an owner on the GUI thread (hotspot's job tracker, one
/// per kind): the load, a filter, a sort, a policy evaluation, a chain build. At most one job is
/// *current*: start() asks the running one to stop and drops whatever it still delivers (by
/// generation), so results arrive on the runner's thread in order and never stale. Superseded
/// jobs are *retired*: they end on their own after their stop request and are joined once
/// finished, never waited for on the runner's thread — except by the destructor, which asks every
/// job to stop and joins them all (a job checks its stop token often, so this is short).
///
/// A job's function runs on a worker thread and must touch only what it captured by value (its
/// own copy of the inputs, shared immutable snapshots); everything that reaches the owner goes
/// through JobContext::post() or the deliver function, which run on the runner's thread. An
/// exception that escapes a job is caught on its thread and reported as jobFailed().
///
/// Keep a JobRunner as the *last* member of its owner: it is then destroyed first, and its jobs
/// are joined while everything else the owner has is still whole. Lives on one thread.
class JobRunner final : public QObject
{
    Q_OBJECT

public:
    static constexpr std::chrono::milliseconds ProgressInterval{100};

    explicit JobRunner(QObject* parent = nullptr);
    /// Asks every job to stop and joins them (results still on their way are discarded).
    ~JobRunner() override;

    /// Whether the jobs of this runner yield the cores to the runner's (GUI) thread: nice +5 on
    /// Linux, for the job's thread and the threads it starts. On by default: at 10 M events the
    /// filter, sort, analysis, detection and completion jobs that follow a load kept the GUI
    /// thread waiting for a core 50-200 ms at a time. Off for work the user waits for while the
    /// window has nothing else to do (the load), so that it does not lose to other programs.
    void setLowPriority(bool low) { m_lowPriority = low; }
    bool lowPriority() const { return m_lowPriority; }

    /// Starts `work(JobContext&)` on a new worker thread, superseding the current job. When it
    /// returns and is still current, `deliver(result)` (or `deliver()` for a void job) runs on
    /// the runner's thread, after isRunning() turned false. Returns the job's generation.
    template <class Work, class Deliver>
    quint64 start(Work work, Deliver deliver);

    /// Stops the current job and drops its result: nothing more arrives from it.
    void cancel();
    /// Asks the current job to stop early but keeps it current: it still delivers what it has
    /// (a cancelled load keeps the events read so far). Only for jobs whose early result means
    /// something: the others deliver whatever their stopped work returns.
    void requestStop();

    /// A job was started and has neither delivered nor been cancelled.
    bool isRunning() const { return m_running; }
    /// The generation of the latest job started (or cancelled).
    quint64 generation() const { return m_generation; }
    bool isCurrent(quint64 generation) const { return generation == m_generation; }
    /// Jobs whose threads have not been joined yet: the current one and the retired ones still
    /// running (for tests).
    int threadCount() const;

Q_SIGNALS:
    void runningChanged(bool running);
    /// The current job threw: `message` is what() of the exception.
    void jobFailed(const QString& message);

private:
    struct Worker
    {
        std::shared_ptr<std::atomic<bool>> done;
        std::jthread thread;
    };

    /// Supersedes the current job and returns the new job's generation (runner's thread).
    quint64 begin();
    void setRunning(bool running);
    /// Joins the retired threads that have finished (instant: they have returned).
    void reap();
    /// On the runner's thread, when job `generation` returned: true if it is still current.
    bool complete(quint64 generation);
    /// Worker side: runs the job and hands its result (or its exception) back.
    template <class Work, class Deliver>
    void run(JobContext context, Work& work, Deliver deliver);
    /// Worker side: `fn` runs on the runner's thread if the job is still current then.
    template <class Fn>
    void handBack(quint64 generation, Fn fn);
    /// Worker side, first thing: lowers the thread's priority if the runner asks for it.
    static void applyPriority(bool lowPriority);
    void fail(quint64 generation, const QString& message);

    quint64 m_generation = 0;
    bool m_running = false;
    bool m_lowPriority = true;
    std::vector<Worker> m_retired;
    Worker m_current;
};

template <class Fn>
void JobContext::post(Fn fn) const
{
    QPointer<JobRunner> runner(m_runner);
    QMetaObject::invokeMethod(
        m_runner,
        [runner, generation = m_generation, fn = std::move(fn)]() mutable {
            if (runner && runner->isCurrent(generation))
                fn();
        },
        Qt::QueuedConnection);
}

template <class Fn>
bool JobContext::postProgress(Fn fn)
{
    const auto now = std::chrono::steady_clock::now();
    if (m_lastProgress != std::chrono::steady_clock::time_point{}
        && now - m_lastProgress < JobRunner::ProgressInterval)
        return false;
    m_lastProgress = now;
    post(std::move(fn));
    return true;
}

template <class Work, class Deliver>
quint64 JobRunner::start(Work work, Deliver deliver)
{
    const quint64 generation = begin();
    auto done = std::make_shared<std::atomic<bool>>(false);
    m_current.done = done;
    m_current.thread = std::jthread(
        [this, generation, done, low = m_lowPriority, work = std::optional<Work>(std::move(work)),
            deliver = std::optional<Deliver>(std::move(deliver))](std::stop_token stop) mutable {
            applyPriority(low);
            run(JobContext(this, generation, std::move(stop)), *work, std::move(*deliver));
            // Moving a lambda copies its const captures: free the job's own copies (a snapshot may
            // be the last reference) here, on the worker, before the thread counts as done.
            work.reset();
            deliver.reset();
            done->store(true, std::memory_order_release);
            // A retired job is joined here, on the runner's thread, once it has ended.
            QMetaObject::invokeMethod(
                this, [this] { reap(); }, Qt::QueuedConnection);
        });
    return generation;
}

template <class Work, class Deliver>
void JobRunner::run(JobContext context, Work& work, Deliver deliver)
{
    using Result = std::invoke_result_t<Work&, JobContext&>;
    const quint64 generation = context.m_generation;
    try {
        if constexpr (std::is_void_v<Result>) {
            work(context);
            handBack(generation, [deliver = std::move(deliver)]() mutable { deliver(); });
        } else {
            Result result = work(context);
            handBack(
                generation, [deliver = std::move(deliver), result = std::move(result)]() mutable {
                    deliver(std::move(result));
                });
        }
    } catch (const std::exception& e) {
        fail(generation, QString::fromUtf8(e.what()));
    } catch (...) {
        fail(generation, QStringLiteral("unknown error"));
    }
}

template <class Fn>
void JobRunner::handBack(quint64 generation, Fn fn)
{
    QMetaObject::invokeMethod(
        this,
        [this, generation, fn = std::move(fn)]() mutable {
            if (complete(generation))
                fn();
        },
        Qt::QueuedConnection);
}

} // namespace auditscope

// SPDX-License-Identifier: Apache-2.0
// The one job helper every background task goes through (issue 14): results arrive on the
// owner's thread and only from the current job, cancel stops work, superseded jobs are never
// joined on the owner's thread, destroying the runner while jobs run is safe (the ASan build
// runs this test too), progress is throttled, and an exception in a job is reported.
#include "jobs/jobrunner.h"

#include <QSignalSpy>
#include <QTest>
#include <QThread>

#include <atomic>
#include <chrono>
#include <memory>
#include <semaphore>
#include <thread>
#include <vector>

#if defined(__linux__)
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

using namespace auditscope;
using namespace std::chrono_literals;

namespace {

// Waits (on the worker) until `stop` is requested or `limit` passes: a job that does not
// hang the test when the runner fails to stop it.
bool waitForStop(const JobContext& context, std::chrono::milliseconds limit = 10s)
{
    const auto end = std::chrono::steady_clock::now() + limit;
    while (!context.stopRequested() && std::chrono::steady_clock::now() < end)
        std::this_thread::sleep_for(1ms);
    return context.stopRequested();
}

} // namespace

class TestJobRunner : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void resultsArriveOnTheOwnersThread()
    {
        JobRunner runner;
        QSignalSpy running(&runner, &JobRunner::runningChanged);
        std::atomic<bool> workedElsewhere = false;
        QThread* deliveredOn = nullptr;
        int delivered = 0;
        const auto owner = std::this_thread::get_id();
        runner.start(
            [&](JobContext&) {
                workedElsewhere = std::this_thread::get_id() != owner;
                return 42;
            },
            [&](int value) {
                deliveredOn = QThread::currentThread();
                delivered = value;
                QVERIFY(!runner.isRunning()); // the owner may start the next job from here
            });
        QVERIFY(runner.isRunning());
        QTRY_COMPARE(delivered, 42);
        QVERIFY(workedElsewhere);
        QCOMPARE(deliveredOn, runner.thread());
        QCOMPARE(running.count(), 2); // true, then false
        QCOMPARE(running.at(1).at(0).toBool(), false);
    }

    void aSupersededJobsResultIsDropped()
    {
        JobRunner runner;
        std::binary_semaphore release(0);
        std::atomic<bool> firstReturned = false;
        std::vector<int> delivered;
        runner.start(
            [&](JobContext&) {
                release.acquire(); // ignores its stop request: returns a stale result later
                firstReturned = true;
                return 1;
            },
            [&](int value) { delivered.push_back(value); });
        runner.start([](JobContext&) { return 2; }, [&](int value) { delivered.push_back(value); });
        QTRY_COMPARE(delivered.size(), std::size_t(1));
        release.release();
        QTRY_VERIFY(firstReturned);
        // The first job's hand-back has had every chance to arrive; it must not have.
        QTRY_COMPARE(runner.threadCount(), 1); // the retired thread was joined once it ended
        QCoreApplication::processEvents();
        QCOMPARE(delivered, std::vector<int>{2});
        QVERIFY(!runner.isRunning());
    }

    void aSupersededJobIsNotWaitedFor()
    {
        JobRunner runner;
        std::binary_semaphore release(0);
        std::atomic<bool> released = false;
        runner.start(
            [&](JobContext&) {
                release.acquire();
                return 0;
            },
            [](int) {});
        // If start() joined the first job, it would wait for this thread's release (2 s).
        std::jthread releaser([&] {
            std::this_thread::sleep_for(2s);
            released = true;
            release.release();
        });
        bool secondDone = false;
        runner.start([](JobContext&) { return 0; }, [&](int) { secondDone = true; });
        QVERIFY2(!released, "start() waited for the superseded job");
        QTRY_VERIFY(secondDone);
        QCOMPARE(runner.threadCount(), 2); // the first still runs, retired
        releaser.join();
        QTRY_COMPARE(runner.threadCount(), 1);
    }

    void cancelStopsTheJobAndDropsItsResult()
    {
        JobRunner runner;
        std::atomic<bool> sawStop = false, returned = false;
        bool delivered = false;
        runner.start(
            [&](JobContext& context) {
                sawStop = waitForStop(context);
                returned = true;
            },
            [&] { delivered = true; });
        runner.cancel();
        QVERIFY(!runner.isRunning());
        QTRY_VERIFY(returned);
        QVERIFY(sawStop);
        // A next job retires the cancelled one; once that thread is reaped, its hand-back (queued
        // before its reap) has been handled: it must not have delivered.
        bool nextDone = false;
        runner.start([](JobContext&) {}, [&] { nextDone = true; });
        QTRY_VERIFY(nextDone);
        QTRY_COMPARE(runner.threadCount(), 1);
        QVERIFY(!delivered);
    }

    void requestStopKeepsWhatTheJobHas()
    {
        JobRunner runner;
        QString delivered;
        runner.start(
            [](JobContext& context) {
                return waitForStop(context) ? QStringLiteral("partial") : QStringLiteral("hung");
            },
            [&](QString value) { delivered = std::move(value); });
        runner.requestStop();
        QVERIFY(runner.isRunning()); // still current: its result is on its way
        QTRY_COMPARE(delivered, QStringLiteral("partial"));
        QVERIFY(!runner.isRunning());
    }

    void partialResultsComeOnlyFromTheCurrentJob()
    {
        JobRunner runner;
        std::vector<int> posted;
        std::binary_semaphore go(0);
        std::atomic<bool> firstPosted = false;
        runner.start(
            [&](JobContext& context) {
                go.acquire();
                context.post([&] { posted.push_back(1); }); // after it was superseded
                firstPosted = true;
            },
            [] {});
        bool secondDone = false;
        runner.start([](JobContext& context) { context.post([] {}); }, [&] { secondDone = true; });
        go.release();
        QTRY_VERIFY(firstPosted);
        QTRY_VERIFY(secondDone);
        QCoreApplication::processEvents();
        QVERIFY(posted.empty());

        runner.start(
            [&](JobContext& context) { context.post([&] { posted.push_back(3); }); }, [] {});
        QTRY_COMPARE(posted, std::vector<int>{3});
    }

    void progressIsThrottled()
    {
        JobRunner runner;
        int progress = 0;
        bool done = false;
        std::atomic<int> accepted = 0;
        runner.start(
            [&](JobContext& context) {
                // 2,000 reports within 20 ms: the first one passes, then one per interval.
                const auto end = std::chrono::steady_clock::now() + 20ms;
                for (int i = 0; i < 2000 || std::chrono::steady_clock::now() < end; ++i)
                    if (context.postProgress([&] { ++progress; }))
                        ++accepted;
            },
            [&] { done = true; });
        QTRY_VERIFY(done);
        QCoreApplication::processEvents();
        QVERIFY(accepted >= 1);
        QVERIFY2(accepted <= 3, qPrintable(QString::number(accepted.load())));
        QCOMPARE(progress, accepted.load());
    }

    void destroyingTheRunnerWhileJobsRunIsSafe()
    {
        auto runner = std::make_unique<JobRunner>();
        auto data = std::make_shared<std::vector<int>>(1000, 7);
        std::atomic<int> stopped = 0;
        bool delivered = false;
        for (int i = 0; i < 3; ++i) // two retired, one current
            runner->start(
                [data, &stopped](JobContext& context) {
                    while (!context.stopRequested()) {
                        context.postProgress([] {});
                        std::this_thread::sleep_for(1ms);
                    }
                    ++stopped;
                    return (*data)[0];
                },
                [&](int) { delivered = true; });
        runner.reset(); // asks all three to stop and joins them
        QCOMPARE(stopped.load(), 3);
        QCoreApplication::processEvents(); // nothing queued for the dead runner may run
        QVERIFY(!delivered);
        QCOMPARE(data.use_count(), 1); // the jobs' copies are gone with their threads
    }

    void aResultQueuedForADestroyedRunnerIsDiscarded()
    {
        auto runner = std::make_unique<JobRunner>();
        std::atomic<bool> returned = false;
        bool delivered = false;
        runner->start(
            [&](JobContext&) {
                returned = true;
                return 1;
            },
            [&](int) { delivered = true; });
        while (!returned)
            std::this_thread::sleep_for(1ms); // the hand-back is queued, not yet run
        runner.reset();
        QCoreApplication::processEvents();
        QVERIFY(!delivered);
    }

    void anExceptionInAJobIsReported()
    {
        JobRunner runner;
        QSignalSpy failed(&runner, &JobRunner::jobFailed);
        bool delivered = false;
        runner.start([](JobContext&) -> int { throw std::runtime_error("no room for the index"); },
            [&](int) { delivered = true; });
        QTRY_COMPARE(failed.count(), 1);
        QCOMPARE(failed.at(0).at(0).toString(), QStringLiteral("no room for the index"));
        QVERIFY(!delivered);
        QVERIFY(!runner.isRunning());
    }

#if defined(__linux__)
    void lowPriorityJobsYieldToTheOwner()
    {
        JobRunner runner;
        QVERIFY(runner.lowPriority()); // the default (issue 17)
        const int owner = getpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)));
        auto workerPriority = [&] {
            int worker = -100;
            runner.start(
                [](JobContext&) {
                    return getpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)));
                },
                [&](int value) { worker = value; });
            [&] { QTRY_VERIFY(!runner.isRunning()); }();
            return worker;
        };
        QCOMPARE(workerPriority(), std::min(owner + 5, 19)); // nice +5, at most 19
        QCOMPARE(getpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid))), owner);
        runner.setLowPriority(false); // work the user waits for (the load)
        QCOMPARE(workerPriority(), owner);
    }
#endif
};

QTEST_GUILESS_MAIN(TestJobRunner)
#include "tst_jobrunner.moc"

// SPDX-License-Identifier: Apache-2.0
// guistall: how long the GUI thread is busy in one go while the real main window loads, filters
// and sorts a log. A 1 ms timer ticks on the GUI thread; the longest gap between two ticks is
// the longest time the window could not repaint or react. Budget (issue #5): <= 50 ms.
// Wall-clock gaps also count time the thread was preempted, so on a busy machine the bench also
// reports the GUI thread's own CPU time between two ticks, which other processes do not inflate.
//
//   QT_QPA_PLATFORM=offscreen guistall LOG [FILTER]
#include "mainwindow.h"

#include "itemmodels/eventtablemodel.h"
#include "load/loadcontroller.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QTimer>

#include <cstdint>
#include <cstdio>
#include <ctime>

using namespace auditscope;

namespace {

double worstCpuMs = 0;

std::int64_t threadCpuNs()
{
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return std::int64_t(now.tv_sec) * 1000000000 + now.tv_nsec;
}

// Records the longest gap between ticks of a 1 ms timer, in wall-clock and thread CPU time.
class StallMeter
{
public:
    StallMeter()
    {
        m_timer.setInterval(1);
        QObject::connect(&m_timer, &QTimer::timeout, [this] {
            const qint64 now = m_clock.nsecsElapsed();
            m_longestNs = std::max(m_longestNs, now - m_lastNs);
            m_lastNs = now;
            const std::int64_t cpu = threadCpuNs();
            m_longestCpuNs = std::max(m_longestCpuNs, cpu - m_lastCpuNs);
            m_lastCpuNs = cpu;
        });
    }
    void start()
    {
        m_longestNs = 0;
        m_clock.start();
        m_lastNs = 0;
        m_longestCpuNs = 0;
        m_lastCpuNs = threadCpuNs();
        m_timer.start();
    }
    double stopMs()
    {
        // The gap up to now counts too: a stall can be what ends the phase.
        m_longestNs = std::max(m_longestNs, m_clock.nsecsElapsed() - m_lastNs);
        m_longestCpuNs = std::max(m_longestCpuNs, threadCpuNs() - m_lastCpuNs);
        m_timer.stop();
        return double(m_longestNs) / 1e6;
    }
    double longestCpuMs() const { return double(m_longestCpuNs) / 1e6; }

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_lastNs = 0;
    qint64 m_longestNs = 0;
    std::int64_t m_lastCpuNs = 0;
    std::int64_t m_longestCpuNs = 0;
};

// Runs the event loop until `signal` of `sender` fires (or 10 minutes pass).
template <class Sender, class Signal>
double waitFor(Sender* sender, Signal signal, StallMeter& meter)
{
    QEventLoop loop;
    QObject::connect(sender, signal, &loop, &QEventLoop::quit);
    QTimer::singleShot(600000, &loop, &QEventLoop::quit);
    QElapsedTimer elapsed;
    elapsed.start();
    meter.start();
    loop.exec();
    const double stall = meter.stopMs();
    std::printf("  %8.0f ms elapsed, longest GUI-thread stall %6.1f ms (wall), %6.1f ms (CPU)\n",
        double(elapsed.elapsed()), stall, meter.longestCpuMs());
    worstCpuMs = std::max(worstCpuMs, meter.longestCpuMs());
    return stall;
}

} // namespace

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    if (argc < 2) {
        std::fprintf(stderr, "usage: guistall LOG [FILTER]\n");
        return 2;
    }
    const QString log = QString::fromLocal8Bit(argv[1]);
    const QString filter =
        argc > 2 ? QString::fromLocal8Bit(argv[2]) : QStringLiteral("verb:get and code >= 200");
    MainWindow window;
    window.resize(1400, 900);
    window.show();
    StallMeter meter;
    double worst = 0;

    std::printf("load %s\n", argv[1]);
    // First rows: the first time the table's model has rows after the open (budget 0.5 s).
    QElapsedTimer sinceOpen;
    qint64 firstRowsMs = -1;
    QObject::connect(window.eventModel(), &QAbstractItemModel::modelReset, &window, [&] {
        if (firstRowsMs < 0 && window.eventModel()->rowCount() > 0)
            firstRowsMs = sinceOpen.elapsed();
    });
    QTimer::singleShot(0, &window, [&] {
        sinceOpen.start();
        window.openPaths({log});
    });
    worst = std::max(worst, waitFor(window.loadController(), &LoadController::loadFinished, meter));
    std::printf("events: %d, first rows in the table %lld ms after the open (budget 500 ms)\n",
        window.eventModel()->rowCount(), firstRowsMs);

    std::printf("filter '%s'\n", qPrintable(filter));
    QTimer::singleShot(0, &window, [&] { window.applyFilter(filter); });
    worst = std::max(worst, waitFor(&window, &MainWindow::filterFinished, meter));
    std::printf("shown: %d\n", window.eventModel()->rowCount());

    for (const EventColumn column : {EventColumn::User, EventColumn::Time}) {
        std::printf("sort by %s\n", qPrintable(eventColumnName(column)));
        QTimer::singleShot(0, &window, [&] { window.sortBy(column, true); });
        worst = std::max(worst, waitFor(&window, &MainWindow::sortFinished, meter));
    }
    std::printf("clear the filter\n");
    QTimer::singleShot(0, &window, [&] { window.applyFilter(QString()); });
    worst = std::max(worst, waitFor(&window, &MainWindow::filterFinished, meter));

    std::printf("\nlongest GUI-thread stall: %.1f ms wall clock, %.1f ms GUI-thread CPU time "
                "(budget 50 ms)\n",
        worst, worstCpuMs);
    return 0;
}

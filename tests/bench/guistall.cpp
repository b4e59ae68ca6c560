// SPDX-License-Identifier: Apache-2.0
// guistall: how long the GUI thread is busy in one go while the real main window loads, filters
// and sorts a log. A 1 ms timer ticks on the GUI thread; the longest gap between two ticks is
// the longest time the window could not repaint or react. Budget (issue #5): <= 50 ms.
//
//   QT_QPA_PLATFORM=offscreen guistall LOG [FILTER]
#include "mainwindow.h"

#include "itemmodels/eventtablemodel.h"
#include "load/loadcontroller.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QTimer>

#include <cstdio>

using namespace auditscope;

namespace {

// Records the longest gap between ticks of a 1 ms timer.
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
        });
    }
    void start()
    {
        m_longestNs = 0;
        m_clock.start();
        m_lastNs = 0;
        m_timer.start();
    }
    double stopMs()
    {
        // The gap up to now counts too: a stall can be what ends the phase.
        m_longestNs = std::max(m_longestNs, m_clock.nsecsElapsed() - m_lastNs);
        m_timer.stop();
        return double(m_longestNs) / 1e6;
    }

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_lastNs = 0;
    qint64 m_longestNs = 0;
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
    std::printf("  %-34s %8.0f ms elapsed, longest GUI-thread stall %6.1f ms\n", "",
        double(elapsed.elapsed()), stall);
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
    QTimer::singleShot(0, &window, [&] { window.openPaths({log}); });
    worst = std::max(worst, waitFor(window.loadController(), &LoadController::loadFinished, meter));
    std::printf("events: %d\n", window.eventModel()->rowCount());

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

    std::printf("\nlongest GUI-thread stall: %.1f ms (budget 50 ms)\n", worst);
    return 0;
}

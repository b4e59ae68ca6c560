// SPDX-License-Identifier: Apache-2.0
// guistall: how long the GUI thread is busy in one go while the real main window loads, filters
// and sorts a log, then while a policy is edited over it. A 1 ms timer ticks on the GUI thread;
// the longest gap between two ticks is the longest time the window could not repaint or react.
// Budget (issue #5): <= 50 ms. Wall-clock gaps also count time the thread was preempted, so on a
// busy machine the bench also reports the GUI thread's own CPU time between two ticks, which
// other processes do not inflate. The policy phases also give the keystroke-to-update latency:
// from a key event sent to the policy editor to the window showing the new evaluation.
// The window's load is compared with `auditscope-cli summary LOG` run before the window opens
// and again at the end (same file, same run), and the last lines sum up issue #17's goals.
//
//   QT_QPA_PLATFORM=offscreen guistall [--cli PATH | --no-cli] LOG [FILTER [POLICY]]
#include "mainwindow.h"

#include "investigation/loadcontroller.h"
#include "itemmodels/eventtablemodel.h"
#include "policy/policyevaluationrunner.h"
#include "policycodeedit.h"
#include "policyeditor.h"
#include "policyrulespanel.h"

#include <QApplication>
#include <QComboBox>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QKeyEvent>
#include <QProcess>
#include <QTextBlock>
#include <QTextDocument>
#include <QTimer>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <functional>
#include <optional>
#include <sys/resource.h>
#include <vector>

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

// Runs `loop` until the phase quits it (or 10 minutes pass) and prints the phase's figures.
double runMetered(QEventLoop& loop, StallMeter& meter)
{
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

// Runs the event loop until `signal` of `sender` fires (or 10 minutes pass).
template <class Sender, class Signal>
double waitFor(Sender* sender, Signal signal, StallMeter& meter)
{
    QEventLoop loop;
    QObject::connect(sender, signal, &loop, &QEventLoop::quit);
    return runMetered(loop, meter);
}

// Time the GUI thread spent on one key (press and release).
struct KeyCost
{
    double wallMs = 0;
    double cpuMs = 0;
};

// Sends a key press and release to `widget`, as the keyboard does to the focus widget.
KeyCost typeKey(QWidget* widget, int key, const QString& text)
{
    QElapsedTimer wall;
    wall.start();
    const std::int64_t cpu = threadCpuNs();
    QKeyEvent press(QEvent::KeyPress, key, Qt::NoModifier, text);
    QApplication::sendEvent(widget, &press);
    QKeyEvent release(QEvent::KeyRelease, key, Qt::NoModifier, text);
    QApplication::sendEvent(widget, &release);
    return {double(wall.nsecsElapsed()) / 1e6, double(threadCpuNs() - cpu) / 1e6};
}

// Qt's key code for a printable Latin-1 character is its upper-case code point.
KeyCost typeChar(QWidget* widget, QChar c)
{
    return typeKey(widget, c.toUpper().unicode(), QString(c));
}

double median(std::vector<double> values)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

double minimum(const std::vector<double>& values)
{
    return values.empty() ? 0 : *std::min_element(values.begin(), values.end());
}

double maximum(const std::vector<double>& values)
{
    return values.empty() ? 0 : *std::max_element(values.begin(), values.end());
}

// The line (0-based block) of a one-line `verbs: [...]` list in the rule that decides the most
// events: commenting it out widens that rule, so it takes events from later rules. -1: none.
int verbsLineToToggle(const PolicyEvaluationResult& result, const QTextDocument& text, int* rule)
{
    int line = -1;
    std::uint64_t most = 0;
    for (const PolicyRuleOutline& outline : result.outline.rules) {
        for (int l = outline.span.begin.line; outline.span.valid() && l <= outline.span.end.line;
             ++l) {
            const QString trimmed = text.findBlockByNumber(l - 1).text().trimmed();
            if (trimmed.startsWith(QLatin1String("verbs: [")) && trimmed.endsWith(QLatin1Char(']'))
                && (line < 0 || outline.events > most)) {
                line = l - 1;
                most = outline.events;
                *rule = outline.rule;
            }
        }
    }
    return line;
}

// Runs `action` from the event loop and waits for the evaluation it causes to be shown (null
// when `action` returns false).
PolicyEvaluationResultPtr settle(
    MainWindow& window, const std::function<bool()>& action, StallMeter& meter, double& worst)
{
    PolicyEvaluationRunner* runner = window.policyRunner();
    QEventLoop loop;
    // Results shown while another evaluation is pending are an older text's: wait for the last.
    QObject::connect(&window, &MainWindow::policyResultShown, &loop, [&] {
        if (!runner->isPending())
            loop.quit();
    });
    bool started = false;
    QTimer::singleShot(0, &loop, [&] {
        started = action();
        if (!started)
            loop.quit();
    });
    worst = std::max(worst, runMetered(loop, meter));
    return started ? runner->lastResult() : nullptr;
}

// Opens the policy and waits for its first evaluation (with the index build) to be shown.
PolicyEvaluationResultPtr openPolicy(
    MainWindow& window, const QString& path, StallMeter& meter, double& worst)
{
    return settle(
        window, [&] { return window.openPolicy(path); }, meter, worst);
}

// Compares the policy with its saved file ("Impact compared with" in the Rules dock) and waits
// for the first comparison (the saved file evaluated once).
PolicyEvaluationResultPtr compareWithSavedFile(MainWindow& window, StallMeter& meter, double& worst)
{
    QComboBox* compareWith = window.policyRules()->comparisonBox();
    return settle(
        window,
        [&] {
            if (compareWith->count() < 2)
                return false;
            compareWith->setCurrentIndex(1);
            Q_EMIT compareWith->activated(1);
            return true;
        },
        meter, worst);
}

// Per edit: key sent to result shown, key sent to evaluation started (the debounce), the
// evaluation on the worker, and the GUI thread's time on the key event itself.
struct EditTimes
{
    std::vector<double> latencyMs, toStartMs, workerMs, keyWallMs, keyCpuMs;
};

// Single-key edits, each waited for: '#' before `verbs:` on line `line` (0-based) comments the
// verbs out, so rule `rule` matches every verb and takes events from later rules; Backspace
// puts them back. Each key gives a valid policy that decides other events.
std::optional<EditTimes> typeKeystrokes(
    MainWindow& window, int line, int rule, StallMeter& meter, double& worst)
{
    constexpr int KeystrokeCount = 20;
    PolicyEvaluationRunner* runner = window.policyRunner();
    PolicyCodeEdit* code = window.policyEditor()->activeEditor();
    const QTextBlock block = code->document()->findBlockByNumber(line);
    const int column = int(block.text().indexOf(QLatin1String("verbs:")));
    std::printf("keystrokes: %d, alternately '#' and Backspace at line %d:%d '%s' (rule %d)\n",
        KeystrokeCount, line + 1, column + 1, qPrintable(block.text().trimmed()), rule);
    window.activateWindow();
    code->setFocus();

    EditTimes times;
    std::uint64_t ruleEvents[2] = {0, 0}; // after '#', after Backspace
    bool changed = true;
    QEventLoop loop;
    QElapsedTimer clock;
    clock.start();
    qint64 sentNs = -1, startedNs = -1;
    int sent = 0;
    auto sendNext = [&] {
        if (sent == KeystrokeCount) {
            loop.quit();
            return;
        }
        const bool comment = sent % 2 == 0;
        if (comment) {
            QTextCursor cursor(block);
            cursor.setPosition(block.position() + column);
            code->setTextCursor(cursor);
        }
        const QString before = block.text();
        startedNs = -1;
        sentNs = clock.nsecsElapsed();
        const KeyCost cost = comment ? typeChar(code, QLatin1Char('#'))
                                     : typeKey(code, Qt::Key_Backspace, QString());
        times.keyWallMs.push_back(cost.wallMs);
        times.keyCpuMs.push_back(cost.cpuMs);
        ++sent;
        if (block.text() == before) {
            changed = false; // the key did not reach the editor: no evaluation will come
            loop.quit();
        }
    };
    QObject::connect(runner, &PolicyEvaluationRunner::evaluationStarted, &loop,
        [&] { startedNs = clock.nsecsElapsed(); });
    QObject::connect(&window, &MainWindow::policyResultShown, &loop, [&] {
        if (sentNs < 0 || runner->isPending())
            return;
        times.latencyMs.push_back(double(clock.nsecsElapsed() - sentNs) / 1e6);
        times.toStartMs.push_back(double(startedNs - sentNs) / 1e6);
        const PolicyEvaluationResultPtr& result = runner->lastResult();
        times.workerMs.push_back(result->timings.totalMs);
        if (std::size_t(rule) < result->outline.rules.size())
            ruleEvents[(sent - 1) % 2] = result->outline.rules[std::size_t(rule)].events;
        sentNs = -1;
        QTimer::singleShot(100, &loop, sendNext); // a moment to look (and repaint) between keys
    });
    QTimer::singleShot(0, &loop, sendNext);
    worst = std::max(worst, runMetered(loop, meter));
    if (!changed || times.latencyMs.size() != std::size_t(KeystrokeCount))
        return std::nullopt;

    std::printf("  rule %d decides %llu events, %llu with its verbs commented out\n", rule,
        static_cast<unsigned long long>(ruleEvents[1]),
        static_cast<unsigned long long>(ruleEvents[0]));
    std::printf("  latency (ms):");
    for (const double ms : times.latencyMs)
        std::printf(" %.0f", ms);
    std::printf("\n  keystroke-to-update: min %.0f ms, median %.0f ms, max %.0f ms; of which key "
                "to evaluation start (the %d ms debounce) median %.0f ms, evaluation on the "
                "worker median %.0f ms\n",
        minimum(times.latencyMs), median(times.latencyMs), maximum(times.latencyMs),
        runner->debounceInterval(), median(times.toStartMs), median(times.workerMs));
    std::printf("  key event on the GUI thread: median %.2f ms, max %.2f ms (wall); max %.2f ms "
                "(CPU)\n",
        median(times.keyWallMs), maximum(times.keyWallMs), maximum(times.keyCpuMs));
    return times;
}

struct BurstTimes
{
    std::vector<double> keyWallMs, keyCpuMs;
    double lastKeyToShownMs = -1, lastKeyToStartMs = -1, workerMs = 0;
    int earlierShown = 0; ///< results shown before the final text's
};

// A comment typed at human speed, one key every 60-100 ms, at the end of the `kind:` line:
// each key restarts the debounce, so only the final text should be evaluated.
std::optional<BurstTimes> typeBurst(MainWindow& window, StallMeter& meter, double& worst)
{
    const QString text = QStringLiteral(" # tuning leases");
    PolicyEvaluationRunner* runner = window.policyRunner();
    PolicyCodeEdit* code = window.policyEditor()->activeEditor();
    QTextBlock block = code->document()->firstBlock();
    while (block.next().isValid() && !block.text().startsWith(QLatin1String("kind:")))
        block = block.next();
    std::printf("typing burst: '%s' at the end of line %d, one key every 60-100 ms\n",
        qPrintable(text), block.blockNumber() + 1);
    QTextCursor cursor(block);
    cursor.movePosition(QTextCursor::EndOfBlock);
    code->setTextCursor(cursor);

    BurstTimes times;
    bool shown = false;
    QEventLoop loop;
    QElapsedTimer clock;
    clock.start();
    qint64 lastKeyNs = -1, startedNs = -1;
    int typed = 0;
    std::function<void()> typeNext = [&] {
        const KeyCost cost = typeChar(code, text[typed]);
        times.keyWallMs.push_back(cost.wallMs);
        times.keyCpuMs.push_back(cost.cpuMs);
        if (++typed == text.size())
            lastKeyNs = clock.nsecsElapsed();
        else
            QTimer::singleShot(60 + typed * 23 % 41, &loop, typeNext);
    };
    QObject::connect(runner, &PolicyEvaluationRunner::evaluationStarted, &loop,
        [&] { startedNs = clock.nsecsElapsed(); });
    QObject::connect(&window, &MainWindow::policyResultShown, &loop, [&] {
        if (lastKeyNs < 0 || runner->isPending()) {
            ++times.earlierShown;
            return;
        }
        shown = true;
        times.lastKeyToShownMs = double(clock.nsecsElapsed() - lastKeyNs) / 1e6;
        times.lastKeyToStartMs = double(startedNs - lastKeyNs) / 1e6;
        times.workerMs = runner->lastResult()->timings.totalMs;
        loop.quit();
    });
    QTimer::singleShot(0, &loop, typeNext);
    worst = std::max(worst, runMetered(loop, meter));
    if (!shown)
        return std::nullopt;

    std::printf("  %d keys; earlier results shown: %d; last key to update %.0f ms (to evaluation "
                "start %.0f ms, evaluation on the worker %.0f ms)\n",
        int(times.keyWallMs.size()), times.earlierShown, times.lastKeyToShownMs,
        times.lastKeyToStartMs, times.workerMs);
    std::printf("  key event on the GUI thread: median %.2f ms, max %.2f ms (wall); max %.2f ms "
                "(CPU)\n",
        median(times.keyWallMs), maximum(times.keyWallMs), maximum(times.keyCpuMs));
    return times;
}

// CPU time (user + system) of this process's threads, or of its children that were waited for.
double cpuMs(int who)
{
    rusage usage{};
    getrusage(who, &usage);
    auto ms = [](const timeval& t) { return double(t.tv_sec) * 1e3 + double(t.tv_usec) / 1e3; };
    return ms(usage.ru_utime) + ms(usage.ru_stime);
}

// Wall and CPU time of some work: CPU time is what the work cost, whatever else the machine ran.
struct Timed
{
    double wallMs = -1, cpuMs = -1;
};

// `auditscope-cli summary LOG`, the whole process, output discarded; -1 when it did not run or
// failed.
Timed cliSummary(const QString& cli, const QString& log)
{
    QProcess process;
    process.setStandardOutputFile(QProcess::nullDevice());
    process.setStandardErrorFile(QProcess::nullDevice());
    const double cpuBefore = cpuMs(RUSAGE_CHILDREN);
    QElapsedTimer elapsed;
    elapsed.start();
    process.start(cli, {QStringLiteral("summary"), log});
    if (!process.waitForFinished(-1) || process.exitStatus() != QProcess::NormalExit
        || process.exitCode() != 0)
        return {};
    return {double(elapsed.nsecsElapsed()) / 1e6, cpuMs(RUSAGE_CHILDREN) - cpuBefore};
}

// The command line: [--cli PATH | --no-cli] LOG [FILTER [POLICY]].
struct Arguments
{
    QString cli = QStringLiteral(AUDITSCOPE_CLI_PATH); // empty: no comparison
    QString log, filter, policy;
};

std::optional<Arguments> parseArguments(const QStringList& args)
{
    Arguments a;
    QStringList positional;
    for (int i = 1; i < args.size(); ++i) {
        if (args[i] == QLatin1String("--no-cli"))
            a.cli.clear();
        else if (args[i] == QLatin1String("--cli") && i + 1 < args.size())
            a.cli = args[++i];
        else if (args[i].startsWith(QLatin1String("--")))
            return std::nullopt;
        else
            positional << args[i];
    }
    if (positional.isEmpty() || positional.size() > 3)
        return std::nullopt;
    a.log = positional[0];
    a.filter = positional.size() > 1 && !positional[1].isEmpty()
        ? positional[1]
        : QStringLiteral("verb:get and code >= 200");
    a.policy = positional.size() > 2 ? positional[2]
                                     : QStringLiteral(AUDITSCOPE_POLICY_DIR "/gke-style.yaml");
    return a;
}

// The figures of issue #17's goals.
struct Goals
{
    qint64 firstRowsMs = -1, loadedMs = -1;
    double loadCpuMs = 0;
    std::vector<Timed> cli; ///< auditscope-cli summary before the window and at the end
    double stallMs = 0, stallCpuMs = 0;
    qint64 firstPolicyResultMs = -1;
    double keystrokeMs = 0; ///< median keystroke-to-update
};

// Issue #17's goals, one line each.
void printGoals(const Goals& g)
{
    std::printf("\ngoals (issue #17):\n");
    std::printf("  first rows:             %6lld ms (goal <= 500 ms)\n", g.firstRowsMs);
    const bool cliRan = !g.cli.empty()
        && std::all_of(g.cli.begin(), g.cli.end(), [](const Timed& t) { return t.wallMs > 0; });
    if (cliRan) {
        // The mean of the runs before and after: the machine's load drifts during a long run.
        const double wall = (g.cli.front().wallMs + g.cli.back().wallMs) / 2;
        const double cpu = (g.cli.front().cpuMs + g.cli.back().cpuMs) / 2;
        std::printf("  window load:            %6lld ms, %.2fx auditscope-cli summary's %.0f ms "
                    "(mean of %.0f and %.0f; goal <= 1.2x)\n",
            g.loadedMs, double(g.loadedMs) / wall, wall, g.cli.front().wallMs, g.cli.back().wallMs);
        std::printf("                          %6.0f ms CPU, %.2fx the CLI's %.0f ms CPU\n",
            g.loadCpuMs, g.loadCpuMs / cpu, cpu);
    } else {
        std::printf("  window load:            %6lld ms, %.0f ms CPU (auditscope-cli summary %s)\n",
            g.loadedMs, g.loadCpuMs, g.cli.empty() ? "not run" : "failed");
    }
    std::printf("  longest stall:          %6.1f ms wall, %.1f ms GUI-thread CPU (goal <= 50 ms)\n",
        g.stallMs, g.stallCpuMs);
    std::printf("  first policy result:    %6lld ms (goal <= 2000 ms)\n", g.firstPolicyResultMs);
    std::printf("  keystroke-to-update:    %6.0f ms median (goal <= 100 ms)\n", g.keystrokeMs);
}

} // namespace

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    const std::optional<Arguments> args = parseArguments(QApplication::arguments());
    if (!args) {
        std::fprintf(stderr, "usage: guistall [--cli PATH | --no-cli] LOG [FILTER [POLICY]]\n");
        return 2;
    }
    // The CLI's load first (and again at the end), with nothing else of this process running.
    std::vector<Timed> cli;
    if (!args->cli.isEmpty()) {
        cli.push_back(cliSummary(args->cli, args->log));
        std::printf("auditscope-cli summary (before the window): %.0f ms, %.0f ms CPU\n",
            cli.back().wallMs, cli.back().cpuMs);
    }
    MainWindow window;
    window.resize(1400, 900);
    window.show();
    StallMeter meter;
    double worst = 0;

    std::printf("load %s\n", qPrintable(args->log));
    // First rows: the first time the table's model has rows after the open (budget 0.5 s).
    QElapsedTimer sinceOpen;
    qint64 firstRowsMs = -1;
    QObject::connect(window.eventModel(), &QAbstractItemModel::modelReset, &window, [&] {
        if (firstRowsMs < 0 && window.eventModel()->rowCount() > 0)
            firstRowsMs = sinceOpen.elapsed();
    });
    // What the window computes once the whole log is there, after the load (informational:
    // it competes with the next phases for the cores).
    qint64 loadedMs = -1, findingsMs = -1, analysisMs = -1;
    QObject::connect(&window, &MainWindow::findingsShown, &window, [&] {
        if (findingsMs < 0 && loadedMs >= 0)
            findingsMs = sinceOpen.elapsed() - loadedMs;
    });
    QObject::connect(&window, &MainWindow::analysisFinished, &window, [&] {
        if (analysisMs < 0 && loadedMs >= 0)
            analysisMs = sinceOpen.elapsed() - loadedMs;
    });
    double loadCpuMs = 0;
    QTimer::singleShot(0, &window, [&] {
        sinceOpen.start();
        loadCpuMs = cpuMs(RUSAGE_SELF);
        window.openPaths({args->log});
    });
    worst = std::max(worst, waitFor(window.loadController(), &LoadController::loadFinished, meter));
    loadedMs = sinceOpen.elapsed();
    loadCpuMs = cpuMs(RUSAGE_SELF) - loadCpuMs;
    std::printf("events: %d, first rows in the table %lld ms after the open (budget 500 ms), "
                "loaded in %lld ms, %.0f ms CPU (every thread of the window)\n",
        window.eventModel()->rowCount(), firstRowsMs, loadedMs, loadCpuMs);

    std::printf("filter '%s'\n", qPrintable(args->filter));
    QTimer::singleShot(0, &window, [&] { window.applyFilter(args->filter); });
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

    // Policy editing, on the log as loaded (no filter).
    window.policyEditor()->setAutosaveInterval(0); // the bench's edits are not for recovery
    std::printf("open policy %s\n", qPrintable(args->policy));
    QElapsedTimer openedIn;
    openedIn.start();
    const PolicyEvaluationResultPtr opened = openPolicy(window, args->policy, meter, worst);
    const qint64 firstPolicyResultMs = openedIn.elapsed();
    int rule = -1;
    const int line = opened && opened->evaluated && opened->matches
        ? verbsLineToToggle(*opened, *window.policyEditor()->activeEditor()->document(), &rule)
        : -1;
    if (line < 0) {
        std::fprintf(stderr,
            "the policy was not opened, not evaluated over the log, or has no "
            "rule with a one-line verbs list\n");
        return 1;
    }
    std::printf("rules: %zu, first result shown %lld ms after the open, evaluated on the worker "
                "in %.0f ms (index build %.0f ms), debounce %d ms\n",
        opened->outline.rules.size(), firstPolicyResultMs, opened->timings.totalMs,
        opened->timings.indexMs, window.policyRunner()->debounceInterval());
    const std::optional<EditTimes> keys = typeKeystrokes(window, line, rule, meter, worst);
    if (!keys) {
        std::fprintf(stderr, "a key did not change the policy, or its evaluation never came\n");
        return 1;
    }
    const std::optional<BurstTimes> burst = typeBurst(window, meter, worst);
    if (!burst) {
        std::fprintf(stderr, "the evaluation after the typing burst never came\n");
        return 1;
    }
    // The same edits while the impact is compared with the saved file: one more policy is
    // evaluated once, then each edit adds a comparison.
    std::printf("compare with the saved file\n");
    const PolicyEvaluationResultPtr compared = compareWithSavedFile(window, meter, worst);
    if (!compared || !compared->comparison) {
        std::fprintf(stderr, "the comparison with the saved file never came\n");
        return 1;
    }
    std::printf("  events changed by the unsaved edits: %llu\n",
        static_cast<unsigned long long>(compared->comparison->changedEvents()));
    const std::optional<EditTimes> comparedKeys = typeKeystrokes(window, line, rule, meter, worst);
    if (!comparedKeys || !window.policyRunner()->lastResult()->comparison) {
        std::fprintf(stderr, "an edit compared with the saved file was not shown\n");
        return 1;
    }

    if (!args->cli.isEmpty()) {
        cli.push_back(cliSummary(args->cli, args->log));
        std::printf("auditscope-cli summary (after the bench): %.0f ms, %.0f ms CPU\n",
            cli.back().wallMs, cli.back().cpuMs);
    }

    std::printf("\nafter the load: findings shown %s, analysis views %s\n",
        findingsMs < 0 ? "never" : qPrintable(QStringLiteral("+%1 ms").arg(findingsMs)),
        analysisMs < 0 ? "never" : qPrintable(QStringLiteral("+%1 ms").arg(analysisMs)));
    std::printf("longest GUI-thread stall: %.1f ms wall clock, %.1f ms GUI-thread CPU time "
                "(budget 50 ms)\n",
        worst, worstCpuMs);
    std::printf("keystroke-to-update latency: median %.0f ms (min %.0f, max %.0f; the debounce "
                "is %d ms of it); compared with the saved file median %.0f ms (max %.0f); last "
                "key of a burst to update %.0f ms; longest key event %.2f ms (wall)\n",
        median(keys->latencyMs), minimum(keys->latencyMs), maximum(keys->latencyMs),
        window.policyRunner()->debounceInterval(), median(comparedKeys->latencyMs),
        maximum(comparedKeys->latencyMs), burst->lastKeyToShownMs,
        std::max({maximum(keys->keyWallMs), maximum(burst->keyWallMs),
            maximum(comparedKeys->keyWallMs)}));

    printGoals({firstRowsMs, loadedMs, loadCpuMs, cli, worst, worstCpuMs, firstPolicyResultMs,
        median(keys->latencyMs)});
    return 0;
}

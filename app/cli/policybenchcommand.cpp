// SPDX-License-Identifier: Apache-2.0
// `policy bench` and `policy editbench`: the time to re-evaluate a policy over a log, and the
// policy editor's latency from an edit to its result.
#include "policycommand.h"

#include "arguments.h"
#include "commands.h"
#include "output.h"
#include "timing.h"

#include "policy/policyevaluationrunner.h"
#include "policy/policyimpact.h"
#include "policy/policystoreevaluation.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>

namespace auditscope::cli {

namespace {

// --policy POLICY [--repeat N] PATH..., shared by `policy bench` and `policy editbench`.
struct BenchArguments
{
    std::string policyPath;
    int repeat = 10;
    std::vector<std::string> paths;
};

// Fills `out`; an exit code when the arguments end the command (help, usage error).
std::optional<int> parseBenchArguments(
    const std::vector<std::string>& args, const char* command, BenchArguments& out)
{
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--policy" || a == "--repeat") {
            if (i + 1 >= args.size())
                return usageError(a + " needs a value", PolicyUsage);
            if (a == "--policy")
                out.policyPath = args[++i];
            else
                out.repeat = atLeastOne(args[++i]);
        } else if (a == "-h" || a == "--help") {
            return printUsage(PolicyUsage);
        } else if (isOption(a)) {
            return usageError("unknown option '" + a + "'", PolicyUsage);
        } else {
            out.paths.push_back(a);
        }
    }
    if (out.policyPath.empty())
        return usageError(std::string("policy ") + command + " needs --policy POLICY", PolicyUsage);
    if (out.paths.empty())
        return usageError("no PATH given", PolicyUsage);
    return std::nullopt;
}

} // namespace

int runPolicyBench(const std::vector<std::string>& args)
{
    BenchArguments bench{{}, 10, {}};
    if (const std::optional<int> done = parseBenchArguments(args, "bench", bench))
        return *done;
    const std::string& policyPath = bench.policyPath;
    const int repeat = bench.repeat;
    const std::vector<std::string>& paths = bench.paths;
    PolicyLoadResult policy = loadPolicyFile(policyPath);
    if (!policy.loadable) {
        for (const PolicyDiagnostic& d : policy.diagnostics)
            writeAll(formatPolicyDiagnostic(policyPath, d), stderr);
        std::fprintf(stderr, "%s: kube-apiserver would not load this policy\n", policyPath.c_str());
        return 1;
    }
    auto start = Clock::now();
    const LoadResult loaded = loadAuditLogs(paths);
    const double loadMs = msSince(start);
    if (loaded.store->size() == 0)
        return NothingLoadable;
    start = Clock::now();
    const auto index = PolicyAttributeIndex::build(loaded.store);
    const double indexMs = msSince(start);
    // The editor builds this too before its first result (PolicyStoreIndex::index).
    start = Clock::now();
    const auto impactIndex = PolicyImpactIndex::build(*index);
    const double impactIndexMs = msSince(start);
    const PolicyEvaluator evaluator(std::move(policy.policy));
    // The first run allocates the per-event column; later runs reuse it, as the GUI does
    // after an edit (the previous result's buffers are recycled).
    start = Clock::now();
    PolicyStoreResult result = evaluateStore(evaluator, *index);
    const double coldMs = msSince(start);
    std::vector<double> times;
    for (int r = 0; r < repeat; ++r) {
        start = Clock::now();
        evaluateStoreInto(result, evaluator, *index);
        times.push_back(msSince(start));
    }
    const double medianMs = median(times);
    const auto [fastest, slowest] = std::minmax_element(times.begin(), times.end());
    const double events = static_cast<double>(index->eventCount());
    std::uint64_t matched = 0;
    for (std::size_t r = 1; r < result.eventsPerRule.size(); ++r)
        matched += result.eventsPerRule[r];
    std::printf(
        "policy:            %s (%zu rules)\n", policyPath.c_str(), evaluator.policy().rules.size());
    std::printf("events:            %zu (%zu matched a rule)\n", index->eventCount(),
        static_cast<std::size_t>(matched));
    std::printf("load:              %.0f ms\n", loadMs);
    std::printf("attribute index:   %.1f ms (built once per store)\n", indexMs);
    std::printf("impact index:      %.1f ms (%zu groups; built once per store)\n", impactIndexMs,
        impactIndex->groups().size());
    std::printf("distinct tuples:   %zu (%zu as keyed by this policy)\n", index->tupleCount(),
        result.keyedTuples);
    std::printf("first evaluation:  %.2f ms (allocates the per-event column)\n", coldMs);
    std::printf("re-evaluation:     median %.2f ms, min %.2f, max %.2f over %d runs\n", medianMs,
        *fastest, *slowest, repeat);
    std::printf("per 10 M events:   %.2f ms (scaled linearly)\n", medianMs * 1e7 / events);
    return Success;
}

int runPolicyEditBench(const std::vector<std::string>& args)
{
    BenchArguments bench{{}, 20, {}};
    if (const std::optional<int> done = parseBenchArguments(args, "editbench", bench))
        return *done;
    const std::string& policyPath = bench.policyPath;
    const int repeat = bench.repeat;
    const std::vector<std::string>& paths = bench.paths;
    QFile file(QString::fromStdString(policyPath));
    if (!file.open(QIODevice::ReadOnly)) {
        std::fprintf(stderr, "%s: cannot read\n", policyPath.c_str());
        return 1;
    }
    const QString text = QString::fromUtf8(file.readAll());
    // An edit that changes what the policy decides: the first rule's level, back and forth.
    const qsizetype levelAt = text.indexOf(QStringLiteral("level: "));
    if (levelAt < 0) {
        std::fprintf(stderr, "%s: no rule level to edit\n", policyPath.c_str());
        return 1;
    }
    const qsizetype levelEnd = text.indexOf(QLatin1Char('\n'), levelAt);
    auto edited = [&](int i) {
        QString t = text;
        const QString level =
            i % 2 ? QStringLiteral("level: Metadata") : QStringLiteral("level: RequestResponse");
        return t.replace(
            levelAt, levelEnd - levelAt, level + QStringLiteral(" # edit ") + QString::number(i));
    };

    int argc = 1;
    char name[] = "auditscope-cli";
    char* argv[] = {name, nullptr};
    std::unique_ptr<QCoreApplication> app;
    if (!QCoreApplication::instance())
        app = std::make_unique<QCoreApplication>(argc, argv);

    auto start = Clock::now();
    const LoadResult loaded = loadAuditLogs(paths);
    const double loadMs = msSince(start);
    if (loaded.store->size() == 0)
        return NothingLoadable;

    PolicyEvaluationRunner runner;
    runner.setDebounceInterval(150);
    PolicyEvaluationResultPtr last;
    QElapsedTimer latency;
    double lastLatencyMs = 0;
    QEventLoop loop;
    QTimer guard;
    guard.setSingleShot(true);
    guard.setInterval(600000);
    QObject::connect(&guard, &QTimer::timeout, &loop, &QEventLoop::quit);
    QObject::connect(&runner, &PolicyEvaluationRunner::evaluationFinished,
        [&](const PolicyEvaluationResultPtr& r) {
            lastLatencyMs = static_cast<double>(latency.nsecsElapsed()) / 1e6;
            last = r;
            loop.quit();
        });
    // One evaluation: the text changes, the debounce is skipped (evaluateNow), and the time
    // runs until the result is emitted on this thread. Returns the caller's time in the calls.
    auto evaluate = [&](const QString& t) {
        latency.start();
        QElapsedTimer caller;
        caller.start();
        runner.setPolicyText(t);
        runner.evaluateNow();
        const double callerMs = static_cast<double>(caller.nsecsElapsed()) / 1e6;
        guard.start(); // never wait forever
        loop.exec();
        guard.stop();
        return callerMs;
    };

    runner.setStore(loaded.store);
    evaluate(text); // builds the attribute index
    if (!last || !last->matches) {
        std::fprintf(stderr, "%s: the policy does not evaluate\n", policyPath.c_str());
        return 1;
    }
    const double firstMs = lastLatencyMs;
    const double indexMs = last->timings.indexMs;
    const std::size_t events = loaded.store->size();
    std::printf(
        "policy:            %s (%zu rules)\n", policyPath.c_str(), last->load.policy.rules.size());
    std::printf("events:            %zu (load %.0f ms)\n", events, loadMs);
    std::printf("first evaluation:  %.1f ms, of which the store indexes %.1f ms (once per "
                "snapshot)\n",
        firstMs, indexMs);

    for (const bool full : {true, false}) {
        PolicyEvaluationOptions options;
        options.impact = full;
        options.lintAgainstLog = full;
        runner.setOptions(options);
        std::vector<double> total, caller, parse, evaluateMs, outline, lint, impact, worker;
        for (int i = 0; i < repeat; ++i) {
            caller.push_back(evaluate(edited(i)));
            total.push_back(lastLatencyMs);
            parse.push_back(last->timings.parseMs);
            evaluateMs.push_back(last->timings.evaluateMs);
            outline.push_back(last->timings.outlineMs);
            lint.push_back(last->timings.lintMs);
            impact.push_back(last->timings.impactMs);
            worker.push_back(last->timings.totalMs);
        }
        const auto [fastest, slowest] = std::minmax_element(total.begin(), total.end());
        std::printf("\n%s, %d edits:\n",
            full ? "full result (lint against the log, outline, impact)"
                 : "without impact and log lint",
            repeat);
        std::printf("  edit -> result:  median %.1f ms, min %.1f, max %.1f (debounce excluded)\n",
            median(total), *fastest, *slowest);
        std::printf("  worker phases:   parse %.2f, evaluate %.2f, outline %.2f, lint %.2f, "
                    "impact %.2f; worker total %.1f ms (medians)\n",
            median(parse), median(evaluateMs), median(outline), median(lint), median(impact),
            median(worker));
        std::printf(
            "  caller thread:   %.3f ms in setPolicyText + evaluateNow (median)\n", median(caller));
    }
    return Success;
}

} // namespace auditscope::cli

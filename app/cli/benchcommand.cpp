// SPDX-License-Identifier: Apache-2.0
// `bench`: load+index throughput, memory and first-snapshot latency, compared with simdjson
// scans of the same bytes; then all detection rules against one deep-field query.
#include "arguments.h"
#include "commands.h"
#include "timing.h"

#include "detect/detectionengine.h"
#include "detect/rulereader.h"
#include "load/loader.h"
#include "load/pathexpander.h"
#include "query/queryengine.h"
#include "source/sourcebuffer.h"

#include <simdjson.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <malloc.h>
#include <thread>

namespace auditscope::cli {

namespace {

constexpr const char* BenchUsage =
    "Usage: auditscope-cli bench [--repeat N] [--threads N] PATH...\n";

namespace od = simdjson::ondemand;

std::size_t heapInUse()
{
    const struct mallinfo2 info = mallinfo2();
    return info.uordblks + info.hblkhd;
}

// Reads every string value of an object and of its nested objects and arrays, two levels
// deep: what the loader reads and more, without interning or storing anything.
std::uint64_t readAllFields(od::object object, int depth)
{
    std::uint64_t bytes = 0;
    for (auto field : object) {
        od::value value;
        od::json_type type;
        if (field.value().get(value) || value.type().get(type))
            return bytes;
        std::string_view text;
        if (type == od::json_type::string && !value.get_string().get(text)) {
            bytes += text.size();
        } else if (type == od::json_type::object && depth < 2) {
            od::object inner;
            if (!value.get_object().get(inner))
                bytes += readAllFields(inner, depth + 1);
        } else if (type == od::json_type::array && depth < 2) {
            od::array array;
            if (!value.get_array().get(array)) {
                for (auto element : array) {
                    if (!element.get_string().get(text))
                        bytes += text.size();
                }
            }
        }
    }
    return bytes;
}

enum class ScanKind {
    AllFields, ///< the floor for a loader that reads fields (ARCHITECTURE's "field scan")
    TwoFields, ///< auditID and stageTimestamp only: little more than simdjson's stage 1
};

bool scanLine(
    od::parser& parser, const char* data, std::size_t length, std::size_t capacity, ScanKind kind)
{
    od::document doc;
    od::object object;
    if (parser.iterate(data, length, capacity).get(doc) || doc.get_object().get(object))
        return false;
    if (kind == ScanKind::AllFields)
        return readAllFields(object, 0) > 0;
    std::string_view auditId, stage;
    const auto idError = object.find_field_unordered("auditID").get_string().get(auditId);
    const auto stageError = object.find_field_unordered("stageTimestamp").get_string().get(stage);
    return !idError && !stageError;
}

// One simdjson On-Demand parse per line on all threads, with the loader's padding rules.
double scanSeconds(
    const std::vector<std::shared_ptr<SourceBuffer>>& buffers, unsigned threads, ScanKind kind)
{
    const auto start = Clock::now();
    for (const auto& buffer : buffers) {
        const std::string_view bytes = buffer->bytes();
        auto lineStartAfter = [&](std::size_t pos) {
            const auto nl = bytes.find('\n', pos);
            return nl == std::string_view::npos ? bytes.size() : nl + 1;
        };
        std::vector<std::jthread> workers;
        for (unsigned t = 0; t < threads; ++t) {
            workers.emplace_back([&, t] {
                const std::size_t begin =
                    t == 0 ? 0 : lineStartAfter(bytes.size() * t / threads - 1);
                const std::size_t end = t + 1 == threads
                    ? bytes.size()
                    : lineStartAfter(bytes.size() * (t + 1) / threads - 1);
                od::parser parser;
                std::vector<char> scratch;
                for (std::size_t pos = begin; pos < end;) {
                    const std::size_t next = lineStartAfter(pos);
                    const std::size_t length =
                        next - pos - (next <= bytes.size() && bytes[next - 1] == '\n');
                    const char* data = bytes.data() + pos;
                    std::size_t capacity = buffer->readableFrom(pos);
                    if (capacity < length + simdjson::SIMDJSON_PADDING) {
                        scratch.assign(data, data + length);
                        scratch.resize(length + simdjson::SIMDJSON_PADDING);
                        data = scratch.data();
                        capacity = scratch.size();
                    }
                    scanLine(parser, data, length, capacity, kind);
                    pos = next;
                }
            });
        }
    }
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// The built-in detection rules in one pass, against one query on a deep JSON path over the same
// store (the budget: all rules within 1.5x of it), on `threads` threads each.
void benchDetection(const EventStorePtr& store, int repeat, unsigned threads)
{
    const auto deep = parseQuery("requestObject.spec.containers.securityContext.privileged:true");
    const auto rules = std::make_shared<const RuleSet>(builtinRules());
    QueryOptions queryOptions;
    queryOptions.threads = threads;
    DetectionOptions detectOptions;
    detectOptions.threads = threads;
    std::vector<double> querySeconds, detectSeconds;
    std::size_t matches = 0, findings = 0;
    std::uint64_t severe = 0;
    for (int run = 0; run < repeat; ++run) {
        auto start = Clock::now();
        matches = runQuery(*store, *deep.query, {}, queryOptions).rows.size();
        querySeconds.push_back(msSince(start) / 1000);
        start = Clock::now();
        const DetectionResult result = detect(store, rules, {}, detectOptions);
        detectSeconds.push_back(msSince(start) / 1000);
        findings = result.findings.size();
        severe = result.countAtLeast(FindingSeverity::High);
        std::printf("detect run %d: %.3f s (deep-field query %.3f s)\n", run + 1,
            detectSeconds.back(), querySeconds.back());
    }
    std::size_t enabled = 0;
    for (const DetectionRule& r : rules->rules)
        enabled += r.enabled;
    const double query = median(querySeconds), all = median(detectSeconds);
    std::printf("deep-field query:       %.3f s  (requestObject.spec.containers.securityContext."
                "privileged:true, %zu events)\n",
        query, matches);
    std::printf("detect: all rules:      %.3f s  (%zu rules, %zu findings, %llu high or critical); "
                "%.2fx the deep-field query\n",
        all, enabled, findings, static_cast<unsigned long long>(severe),
        query > 0 ? all / query : 0.0);
}

struct Runs
{
    std::vector<double> seconds, open, parse, merge, index, firstSnapshot, heapPerEvent,
        storePerEvent, peakAnonymous;
};

// This process's resident anonymous memory (heap, stacks, decompressed data not spilled): the
// part the page cache cannot take back. Bytes, from /proc/self/status.
std::size_t residentAnonymousBytes()
{
    std::FILE* status = std::fopen("/proc/self/status", "r");
    if (!status)
        return 0;
    char line[256];
    std::size_t kib = 0;
    while (std::fgets(line, sizeof line, status)) {
        if (std::sscanf(line, "RssAnon: %zu kB", &kib) == 1)
            break;
    }
    std::fclose(status);
    return kib * 1024;
}

// The highest resident anonymous memory while it lives, sampled every 5 ms.
class PeakAnonymousMemory
{
public:
    PeakAnonymousMemory()
        : m_sampler([this](std::stop_token stop) {
            while (!stop.stop_requested()) {
                m_peak = std::max<std::size_t>(m_peak, residentAnonymousBytes());
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
            }
        })
    { }
    std::size_t peak()
    {
        m_sampler.request_stop();
        m_sampler.join();
        return std::max<std::size_t>(m_peak, residentAnonymousBytes());
    }

private:
    std::atomic<std::size_t> m_peak{0};
    std::jthread m_sampler;
};

} // namespace

int runBench(const std::vector<std::string>& args)
{
    int repeat = 3;
    unsigned threads = 0;
    std::vector<std::string> paths;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--repeat" && i + 1 < args.size())
            repeat = atLeastOne(args[++i]);
        else if (a == "--threads" && i + 1 < args.size())
            threads = static_cast<unsigned>(atLeastOne(args[++i]));
        else if (a == "-h" || a == "--help")
            return printUsage(BenchUsage);
        else if (isOption(a))
            return usageError("unknown option '" + a + "'", BenchUsage);
        else
            paths.push_back(a);
    }
    if (paths.empty())
        return usageError("no PATH given", BenchUsage);
    const unsigned workers = threads ? threads : std::max(1u, std::thread::hardware_concurrency());

    Runs runs;
    std::uint64_t events = 0, bytes = 0, badLines = 0;
    EventStorePtr lastStore; // of the last run, for the detection figure
    for (int run = 0; run < repeat; ++run) {
        malloc_trim(0);
        const std::size_t heapBefore = heapInUse();
        const std::size_t anonymousBefore = residentAnonymousBytes();
        LoadOptions options;
        options.threads = threads;
        options.onPartialSnapshot = [](EventStorePtr) {};
        PeakAnonymousMemory peakMeter;
        const LoadResult result = loadAuditLogs(paths, {}, options);
        const std::size_t peakAnonymous = peakMeter.peak();
        const std::size_t heapGrowth = heapInUse() - heapBefore;
        std::size_t sourceHeap = 0; // decompressed gzip is "the file", not the store
        for (const SourceInfo& s : result.store->sources)
            sourceHeap += s.buffer ? s.buffer->heapBytes() : 0;
        const LoadReport& r = result.report;
        if (run + 1 == repeat)
            lastStore = result.store;
        events = result.store->size();
        bytes = r.bytes;
        badLines = r.badLines;
        runs.seconds.push_back(r.seconds);
        runs.open.push_back(r.openSeconds);
        runs.parse.push_back(r.parseSeconds);
        runs.merge.push_back(r.mergeSeconds);
        runs.index.push_back(r.indexSeconds);
        runs.firstSnapshot.push_back(r.firstSnapshotSeconds);
        runs.peakAnonymous.push_back(
            double(peakAnonymous - std::min(peakAnonymous, anonymousBefore)));
        if (events > 0) {
            runs.heapPerEvent.push_back(
                double(heapGrowth - std::min(sourceHeap, heapGrowth)) / double(events));
            runs.storePerEvent.push_back(double(result.store->memoryBytes()) / double(events));
        }
        if (run == 0 && events > 0) {
            std::printf("store memory by part (bytes per event):\n");
            for (const auto& [part, partBytes] : result.store->memoryBreakdown())
                std::printf("  %-48s %6.1f\n", part.c_str(), double(partBytes) / double(events));
        }
        std::printf("run %d: %.3f s, %.0f MB/s, %.0f events/s, first snapshot %.3f s\n", run + 1,
            r.seconds, double(bytes) / 1e6 / r.seconds, double(events) / r.seconds,
            r.firstSnapshotSeconds);
        std::fflush(stdout);
    }

    std::vector<std::shared_ptr<SourceBuffer>> buffers;
    for (const ExpandedPath& p : expandPaths(paths)) { // the same files the load read
        if (auto opened = SourceBuffer::open(p.path); opened.buffer)
            buffers.push_back(opened.buffer);
    }
    std::vector<double> fieldScan, twoFieldScan;
    for (int run = 0; run < repeat; ++run) {
        fieldScan.push_back(scanSeconds(buffers, workers, ScanKind::AllFields));
        twoFieldScan.push_back(scanSeconds(buffers, workers, ScanKind::TwoFields));
    }

    const double seconds = median(runs.seconds);
    const double field = median(fieldScan);
    const double twoField = median(twoFieldScan);
    std::printf("\ninput:                  %llu bytes (decompressed), %llu events, %llu bad lines, "
                "%u threads\n",
        static_cast<unsigned long long>(bytes), static_cast<unsigned long long>(events),
        static_cast<unsigned long long>(badLines), workers);
    std::printf("load+index (median):    %.3f s  %.0f MB/s  %.0f events/s\n", seconds,
        double(bytes) / 1e6 / seconds, double(events) / seconds);
    std::printf("  phases (median):      open %.3f s, parse %.3f s, merge %.3f s, index %.3f s\n",
        median(runs.open), median(runs.parse), median(runs.merge), median(runs.index));
    std::printf("first partial snapshot: %.3f s after start\n", median(runs.firstSnapshot));
    std::uint64_t compressedSources = 0, spilled = 0;
    for (const SourceInfo& s : lastStore ? lastStore->sources : std::vector<SourceInfo>{}) {
        compressedSources += s.buffer && s.buffer->compressed();
        spilled += s.buffer && s.buffer->spilled();
    }
    std::printf("peak anonymous memory:  %.1f MB during the load = %.2fx the decompressed size "
                "(%llu gzip sources, %llu spilled to the cache folder)\n",
        median(runs.peakAnonymous) / 1e6, bytes ? median(runs.peakAnonymous) / double(bytes) : 0.0,
        static_cast<unsigned long long>(compressedSources),
        static_cast<unsigned long long>(spilled));
    std::printf("heap per event:         %.1f B (process heap growth, sources excluded); the store "
                "accounts for %.1f B\n",
        median(runs.heapPerEvent), median(runs.storePerEvent));
    std::printf(
        "simdjson field scan:    %.3f s  %.0f MB/s (every string field 2 levels deep, nothing "
        "stored); load+index takes %.2fx its time\n",
        field, double(bytes) / 1e6 / field, seconds / field);
    std::printf("simdjson 2-field scan:  %.3f s  %.0f MB/s (auditID and stageTimestamp only)\n",
        twoField, double(bytes) / 1e6 / twoField);
    if (events > 0)
        benchDetection(lastStore, repeat, workers);
    return events == 0 ? NothingLoadable : Success;
}

} // namespace auditscope::cli

// SPDX-License-Identifier: Apache-2.0
//
// auditgen - a fast, seeded generator of realistic Kubernetes API-server audit logs.
//
// It writes audit.k8s.io/v1 Event objects as JSON lines in the shape the kube-apiserver
// log backend produces: compact, keys in Go struct order, map keys sorted, '&' written as
// \u0026, timestamps in UTC with exactly 6 fractional digits. The same seed always gives
// byte-identical output: every random choice comes from our own xoshiro256** generator
// (prng.h), and nothing reads the wall clock except the final throughput report on stderr.
//
// Output is built in large std::string buffers with hand-written append helpers
// (jsonwriter.h) and written with fwrite in multi-megabyte blocks (emitter.h).
//
// Usage: see tests/bench/README.md, or run `auditgen --help`.

#include "emitter.h"
#include "generator.h"
#include "jsonwriter.h"
#include "request.h"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace auditgen {
namespace {

void usage(FILE* f)
{
    std::fputs(
        "usage: auditgen (--size N[K|M|G] | --events N) [--seed S] [--start 2025-03-14T09:00:00Z]\n"
        "                [--servers K] [--rate R] [--anomalies] [--no-stories]\n"
        "                [--omit-stages LIST] --out PATH|-\n"
        "  --size     stop after about this many bytes (K/M/G/T are powers of 1024)\n"
        "  --events   stop after exactly this many events\n"
        "  --seed     PRNG seed (default 1); the same seed gives byte-identical output\n"
        "  --start    cluster time of the first request, UTC (default 2025-03-14T09:00:00Z)\n"
        "  --servers  number of API servers; K > 1 writes PATH.0 .. PATH.(K-1)\n"
        "  --rate     about R requests per second of cluster time (default: a busy cluster,\n"
        "             1000-4000/s); the load varies by minute\n"
        "  --anomalies  add a story of auditID chain anomalies (reused Audit-ID, panics,\n"
        "             a watch open at the end, a lost RequestReceived)\n"
        "  --no-stories  background traffic only: no incident stories (to measure how quiet\n"
        "             detections are on normal traffic)\n"
        "  --omit-stages  comma-separated stages the audit policy omits, e.g. RequestReceived\n"
        "  --out      output file, or - for stdout (only with one server)\n",
        f);
}

bool parseSize(std::string_view s, uint64_t& out)
{
    uint64_t v = 0;
    size_t i = 0;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i)
        v = v * 10 + static_cast<uint64_t>(s[i] - '0');
    if (i == 0)
        return false;
    std::string_view unit = s.substr(i);
    uint64_t mult = 1;
    if (!unit.empty()) {
        switch (unit[0] | 0x20) {
        case 'k':
            mult = 1ull << 10;
            break;
        case 'm':
            mult = 1ull << 20;
            break;
        case 'g':
            mult = 1ull << 30;
            break;
        case 't':
            mult = 1ull << 40;
            break;
        case 'b':
            mult = 1;
            break;
        default:
            return false;
        }
        unit.remove_prefix(1);
        if (unit == "i" || unit == "iB" || unit == "ib")
            unit = {};
        if (unit == "B" || unit == "b")
            unit = {};
        if (!unit.empty())
            return false;
    }
    out = v * mult;
    return true;
}

// "RequestReceived,ResponseStarted": stage names as in the policy's omitStages.
bool parseStages(std::string_view s, unsigned& mask)
{
    mask = 0;
    while (!s.empty()) {
        const size_t comma = s.find(',');
        const std::string_view name = s.substr(0, comma);
        bool found = false;
        for (int i = 0; i < 4; ++i) {
            if (kStageNames[i] == name) {
                mask |= 1u << i;
                found = true;
            }
        }
        if (!found)
            return false;
        s = comma == std::string_view::npos ? std::string_view() : s.substr(comma + 1);
    }
    return true;
}

bool parseUint(std::string_view s, uint64_t& out)
{
    if (s.empty())
        return false;
    uint64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9')
            return false;
        v = v * 10 + static_cast<uint64_t>(c - '0');
    }
    out = v;
    return true;
}

// "2025-03-14T09:00:00Z", optionally with fractional seconds.
bool parseStart(const char* s, int64_t& out)
{
    int y, mo, d, h, mi, sec;
    int n = 0;
    if (std::sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6)
        return false;
    int64_t micros = 0;
    const char* p = s + n;
    if (*p == '.') {
        int digits = 0;
        for (++p; *p >= '0' && *p <= '9'; ++p, ++digits)
            if (digits < 6)
                micros = micros * 10 + (*p - '0');
        for (; digits < 6; ++digits)
            micros *= 10;
    }
    if (std::strcmp(p, "Z") != 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59
        || sec > 60)
        return false;
    const int64_t days = daysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
    out = ((days * 86400 + h * 3600 + mi * 60 + sec) * kSec) + micros;
    return true;
}

int runCommandLine(int argc, char** argv)
{
    Options opt;
    parseStart("2025-03-14T09:00:00Z", opt.start);
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "-h" || arg == "--help") {
            usage(stdout);
            return 0;
        }
        if (arg == "--anomalies") {
            opt.anomalies = true;
            continue;
        }
        if (arg == "--no-stories") {
            opt.stories = false;
            continue;
        }
        if (i + 1 >= argc) {
            std::fprintf(stderr, "auditgen: missing value for %s\n", argv[i]);
            usage(stderr);
            return 2;
        }
        const char* value = argv[++i];
        uint64_t n = 0;
        bool ok = true;
        if (arg == "--size")
            ok = parseSize(value, opt.maxBytes) && opt.maxBytes > 0;
        else if (arg == "--events")
            ok = parseUint(value, opt.maxEvents) && opt.maxEvents > 0;
        else if (arg == "--seed")
            ok = parseUint(value, opt.seed);
        else if (arg == "--start")
            ok = parseStart(value, opt.start);
        else if (arg == "--servers")
            ok = parseUint(value, n) && n >= 1 && n <= 64, opt.servers = static_cast<int>(n);
        else if (arg == "--rate")
            ok = parseUint(value, opt.rate) && opt.rate > 0;
        else if (arg == "--omit-stages")
            ok = parseStages(value, opt.omitStages);
        else if (arg == "--out")
            opt.out = value;
        else {
            std::fprintf(stderr, "auditgen: unknown option %s\n", argv[i - 1]);
            usage(stderr);
            return 2;
        }
        if (!ok) {
            std::fprintf(stderr, "auditgen: invalid value for %s: %s\n", argv[i - 1], value);
            return 2;
        }
    }
    if (opt.out.empty() || (!opt.maxBytes && !opt.maxEvents)) {
        usage(stderr);
        return 2;
    }
    if (opt.out == "-" && opt.servers > 1) {
        std::fputs("auditgen: --out - needs --servers 1\n", stderr);
        return 2;
    }

    std::vector<FILE*> files;
    for (int s = 0; s < opt.servers; ++s) {
        if (opt.out == "-") {
            files.push_back(stdout);
            break;
        }
        const std::string path = opt.servers > 1 ? opt.out + "." + std::to_string(s) : opt.out;
        FILE* f = std::fopen(path.c_str(), "wb");
        if (!f) {
            std::perror(path.c_str());
            return 1;
        }
        files.push_back(f);
    }

    const auto t0 = std::chrono::steady_clock::now();
    Emitter emitter(files);
    Generator generator(opt, emitter);
    generator.run();
    bool ok = emitter.finish();
    for (FILE* f : files)
        if (f != stdout && std::fclose(f) != 0)
            ok = false;
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::fprintf(stderr, "auditgen: %llu events, %llu bytes in %.2f s (%.1f MB/s)\n",
        static_cast<unsigned long long>(emitter.events),
        static_cast<unsigned long long>(emitter.bytes), secs,
        secs > 0 ? static_cast<double>(emitter.bytes) / 1e6 / secs : 0.0);
    if (!ok) {
        std::fputs("auditgen: write error\n", stderr);
        return 1;
    }
    return 0;
}

} // namespace
} // namespace auditgen

int main(int argc, char** argv)
{
    return auditgen::runCommandLine(argc, argv);
}

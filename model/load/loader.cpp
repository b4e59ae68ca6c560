// SPDX-License-Identifier: Apache-2.0
#include "loader.h"

#include "load/diagnosticsummary.h"
#include "load/eventparser.h"
#include "load/pathexpander.h"
#include "source/sourcebuffer.h"
#include "source/sourceunwrap.h"
#include "store/storebuilder.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <map>
#include <memory>
#include <thread>

namespace auditscope {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t MaxSources = 0xFFFF;
constexpr std::uint64_t MaxSameWarningsListed =
    10; // per source and message // SourceId is stored in 16 bits while parsing
constexpr std::uint64_t MaxSourceBytes = std::uint64_t(1) << 40; // OffsetColumn holds 40 bits

struct OpenedSource
{
    std::string path;
    std::shared_ptr<SourceBuffer> buffer;
    std::string error;
    std::vector<std::string> notes; ///< loaded, with something worth knowing
    std::size_t dataStart = 0; ///< first byte the parser reads
    bool standardInput = false; ///< "-": no path to compare the file with after loading
};

// Hands the opened bytes to the sniff-and-unwrap layer: transcoded, refused with one message,
// or passed on as they are.
void unwrap(OpenedSource& source)
{
    if (!source.buffer)
        return;
    UnwrappedSource unwrapped = unwrapSource(std::move(source.buffer));
    source.buffer = std::move(unwrapped.buffer);
    source.notes = std::move(unwrapped.notes);
    source.dataStart = unwrapped.dataStart;
    if (!unwrapped.error.empty())
        source.error = source.error.empty() ? std::move(unwrapped.error)
                                            : unwrapped.error + " (" + source.error + ")";
}

struct Chunk
{
    std::uint16_t source;
    std::size_t begin, end;
    bool wholeDocument;
};

double secondsSince(Clock::time_point start)
{
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// A pretty-printed JSON document (one Event or an EventList spread over many lines) has a first
// non-blank line that is not a complete object, and more content after it.
bool looksLikeWholeDocument(std::string_view bytes)
{
    std::size_t pos = bytes.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
    while (pos < bytes.size()
        && (bytes[pos] == ' ' || bytes[pos] == '\t' || bytes[pos] == '\r' || bytes[pos] == '\n'))
        ++pos;
    if (pos >= bytes.size() || bytes[pos] != '{')
        return false;
    const std::size_t newline = bytes.find('\n', pos);
    if (newline == std::string_view::npos)
        return false;
    std::string_view first = bytes.substr(pos, newline - pos);
    while (!first.empty() && (first.back() == '\r' || first.back() == ' ' || first.back() == '\t'))
        first.remove_suffix(1);
    // Only an opening line ("{", or `{"kind": "EventList", "items": [`) starts a document; a
    // damaged first JSON line must not turn a whole JSON-lines file into one document.
    if (first.empty() || std::string_view("{[,:").find(first.back()) == std::string_view::npos)
        return false;
    return bytes.find_first_not_of(" \t\r\n", newline) != std::string_view::npos;
}

std::uint32_t countLines(std::string_view bytes, std::size_t begin, std::size_t end)
{
    std::uint32_t lines = 0;
    const char* p = bytes.data() + begin;
    const char* stop = bytes.data() + end;
    while (p < stop) {
        const void* nl = std::memchr(p, '\n', static_cast<std::size_t>(stop - p));
        ++lines;
        if (!nl)
            break;
        p = static_cast<const char*>(nl) + 1;
    }
    return lines;
}

// Per source, how many of its events were copies of events kept from which source. A source's
// events and time range include its copies (the store counted only the rows it kept).
void reportDuplicates(const EventStore& store, LoadReport& report)
{
    for (const EventStore::DuplicatePlace& place : store.duplicatePlaces) {
        SourceReport& copy = report.sources[place.source.value];
        const std::int64_t timeNs = store.timeNs[place.row];
        if (copy.events == 0 || timeNs < copy.firstTimeNs)
            copy.firstTimeNs = timeNs;
        if (copy.events == 0 || timeNs > copy.lastTimeNs)
            copy.lastTimeNs = timeNs;
        ++copy.events;
        const std::uint32_t kept = store.source[place.row].value;
        auto it = std::find_if(copy.duplicatesOf.begin(), copy.duplicatesOf.end(),
            [kept](const DuplicateCount& c) { return c.keptSource == kept; });
        if (it == copy.duplicatesOf.end()) {
            copy.duplicatesOf.push_back(DuplicateCount{kept, 0});
            it = copy.duplicatesOf.end() - 1;
        }
        ++it->events;
        ++copy.duplicates;
        ++report.duplicates;
    }
    for (SourceReport& source : report.sources) {
        std::sort(source.duplicatesOf.begin(), source.duplicatesOf.end(),
            [](const DuplicateCount& a, const DuplicateCount& b) {
                return a.keptSource < b.keptSource;
            });
    }
}

class LoadJob
{
public:
    LoadJob(std::vector<OpenedSource> sources, std::stop_token stop, const LoadOptions& options,
        Clock::time_point start)
        : m_sources(std::move(sources))
        , m_stop(std::move(stop))
        , m_options(options)
        , m_start(start)
        , m_threads(
              options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency()))
    { }

    LoadResult run();

private:
    void makeChunks();
    void parseChunk(EventParser& parser, std::uint32_t chunk, std::uint64_t& events);
    std::uint32_t parsePrelude(Segment& prelude, std::size_t& preludeBytes);
    void reserveForRest(std::vector<Segment>& segments, const Segment& prelude,
        std::size_t preludeBytes, std::uint32_t next) const;
    void parseRestInParallel(std::vector<Segment>& segments, std::uint32_t next);
    void setLineBases(std::uint32_t chunks);
    void countSkippedLinesAndSetBases();
    void refuseSourcesWithoutEvents(const std::vector<Segment*>& segments);
    void reportDiagnostics(const std::vector<Segment*>& segments, LoadReport& report) const;
    void reportSources(const std::vector<SourceCounts>& counts, LoadReport& report) const;
    std::vector<SourceInfo> sourceInfos() const;
    void publishProgress(bool force);

    std::vector<OpenedSource> m_sources;
    std::stop_token m_stop;
    const LoadOptions& m_options;
    Clock::time_point m_start;
    unsigned m_threads;

    std::vector<Chunk> m_chunks;
    std::vector<std::uint32_t> m_chunkLines; // lines in each chunk (set when parsed)
    std::vector<std::uint8_t> m_chunkDone;
    std::vector<std::uint64_t> m_chunkLineBase; // lines before the chunk in its source
    std::uint64_t m_bytesTotal = 0;
    std::atomic<std::uint64_t> m_bytesDone{0};
    std::atomic<std::uint64_t> m_events{0};
    std::atomic<std::uint64_t> m_badLines{0};
    Clock::time_point m_lastProgress{};
};

void LoadJob::makeChunks()
{
    for (std::size_t s = 0; s < m_sources.size(); ++s) {
        auto& buffer = m_sources[s].buffer;
        if (buffer && buffer->bytes().size() >= MaxSourceBytes) {
            m_sources[s].error = "larger than 1 TiB after decompression; split it first";
            buffer.reset();
        }
        if (!buffer)
            continue;
        const std::string_view bytes = buffer->bytes();
        m_bytesTotal += bytes.size();
        const auto source = static_cast<std::uint16_t>(s);
        if (looksLikeWholeDocument(bytes)) {
            m_chunks.push_back(Chunk{source, 0, bytes.size(), true});
            continue;
        }
        std::size_t pos = m_sources[s].dataStart;
        while (pos < bytes.size()) {
            std::size_t end = std::min(pos + m_options.chunkBytes, bytes.size());
            if (end < bytes.size()) {
                const std::size_t newline = bytes.find('\n', end - 1);
                end = newline == std::string_view::npos ? bytes.size() : newline + 1;
            }
            m_chunks.push_back(Chunk{source, pos, end, false});
            pos = end;
        }
    }
    m_chunkLines.assign(m_chunks.size(), 0);
    m_chunkDone.assign(m_chunks.size(), 0);
}

void LoadJob::parseChunk(EventParser& parser, std::uint32_t index, std::uint64_t& events)
{
    const Chunk& chunk = m_chunks[index];
    const SourceBuffer& buffer = *m_sources[chunk.source].buffer;
    if (chunk.wholeDocument && parser.parseWholeDocument(buffer, chunk.source, index))
        m_chunkLines[index] = countLines(buffer.bytes(), chunk.begin, chunk.end);
    else
        m_chunkLines[index] =
            parser.parseLines(buffer, chunk.source, index, chunk.begin, chunk.end);
    m_chunkDone[index] = 1;
    m_bytesDone += chunk.end - chunk.begin;
    (void)events;
}

void LoadJob::publishProgress(bool force)
{
    if (!m_options.onProgress)
        return;
    const auto now = Clock::now();
    if (!force && now - m_lastProgress < m_options.progressInterval)
        return;
    m_lastProgress = now;
    LoadProgress p;
    p.bytesDone = m_bytesDone;
    p.bytesTotal = m_bytesTotal;
    p.events = m_events;
    p.badLines = m_badLines;
    p.elapsedSeconds = secondsSince(m_start);
    if (p.bytesDone > 0 && p.bytesTotal >= p.bytesDone)
        p.etaSeconds = p.elapsedSeconds / double(p.bytesDone) * double(p.bytesTotal - p.bytesDone);
    m_options.onProgress(p);
}

// Parses the first chunks on this thread, so the first rows can show at once: at least one
// chunk, then until options.preludeBytes. Returns the index of the first chunk left.
std::uint32_t LoadJob::parsePrelude(Segment& prelude, std::size_t& preludeBytes)
{
    EventParser preludeParser(prelude, m_options.maxDiagnosticsPerSource);
    std::uint32_t next = 0;
    std::uint64_t unused = 0;
    while (next < m_chunks.size() && (next == 0 || preludeBytes < m_options.preludeBytes)
        && !m_stop.stop_requested()) {
        parseChunk(preludeParser, next, unused);
        preludeBytes += m_chunks[next].end - m_chunks[next].begin;
        ++next;
    }
    m_events = prelude.size();
    m_badLines = prelude.badLineCount();
    return next;
}

// Sizes each worker's columns from the prelude's bytes per event (+10%), so they do not grow
// by doubling (each doubling copies and re-faults every column).
void LoadJob::reserveForRest(std::vector<Segment>& segments, const Segment& prelude,
    std::size_t preludeBytes, std::uint32_t next) const
{
    if (prelude.size() == 0 || next >= m_chunks.size())
        return;
    std::uint64_t remaining = 0;
    for (std::uint32_t c = next; c < m_chunks.size(); ++c)
        remaining += m_chunks[c].end - m_chunks[c].begin;
    const double bytesPerEvent = double(preludeBytes) / double(prelude.size());
    const auto estimate =
        static_cast<std::size_t>(double(remaining) / bytesPerEvent * 1.1 / m_threads);
    for (Segment& s : segments)
        s.reserve(estimate);
}

// One worker per segment takes the chunks from `next` on, in order, until none is left or a
// stop is requested; this thread publishes progress meanwhile.
void LoadJob::parseRestInParallel(std::vector<Segment>& segments, std::uint32_t next)
{
    std::atomic<std::uint32_t> nextChunk{next};
    std::atomic<unsigned> running{m_threads};
    std::vector<std::jthread> workers;
    for (unsigned t = 0; t < m_threads; ++t) {
        workers.emplace_back([&, t] {
            EventParser parser(segments[t], m_options.maxDiagnosticsPerSource);
            std::uint64_t events = 0;
            for (;;) {
                if (m_stop.stop_requested())
                    break;
                const std::uint32_t c = nextChunk++;
                if (c >= m_chunks.size())
                    break;
                const std::size_t eventsBefore = segments[t].size();
                const std::uint64_t badBefore = segments[t].badLineCount();
                parseChunk(parser, c, events);
                m_events += segments[t].size() - eventsBefore;
                m_badLines += segments[t].badLineCount() - badBefore;
            }
            --running;
        });
    }
    while (running.load() > 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        publishProgress(false);
    }
} // joins the workers

// Line bases of chunks [1, chunks), whose line counts are all known.
void LoadJob::setLineBases(std::uint32_t chunks)
{
    for (std::uint32_t c = 1; c < chunks; ++c) {
        if (m_chunks[c].source == m_chunks[c - 1].source)
            m_chunkLineBase[c] = m_chunkLineBase[c - 1] + m_chunkLines[c - 1];
    }
}

// Chunks skipped by a cancel still need their line counts for the ones after them.
void LoadJob::countSkippedLinesAndSetBases()
{
    for (std::uint32_t c = 0; c < m_chunks.size(); ++c) {
        const Chunk& chunk = m_chunks[c];
        if (!m_chunkDone[c])
            m_chunkLines[c] =
                countLines(m_sources[chunk.source].buffer->bytes(), chunk.begin, chunk.end);
    }
    setLineBases(static_cast<std::uint32_t>(m_chunks.size()));
}

// A source that gave no event at all is not an audit log, whatever its first lines looked like
// (a text file with one line that starts with '{', lines of `{garbage`): its per-line errors
// become one message for the source, with the first of them as the example.
void LoadJob::refuseSourcesWithoutEvents(const std::vector<Segment*>& segments)
{
    if (m_stop.stop_requested())
        return; // some lines were never read
    std::vector<std::uint8_t> hasEvents(m_sources.size(), 0);
    std::vector<std::uint64_t> errors(m_sources.size(), 0);
    std::vector<const Diagnostic*> first(m_sources.size(), nullptr);
    for (const Segment* seg : segments) {
        for (const std::uint16_t source : seg->source)
            hasEvents[source] = 1;
        for (const Diagnostic& d : seg->diagnostics) {
            if (d.severity != Severity::Error || d.line == 0)
                continue;
            ++errors[d.source];
            if (!first[d.source] || d.line < first[d.source]->line)
                first[d.source] = &d;
        }
        for (std::size_t src = 0; src < seg->omittedDiagnostics.size(); ++src)
            errors[src] += seg->omittedDiagnostics[src];
    }
    std::vector<std::uint8_t> refused(m_sources.size(), 0);
    for (std::size_t s = 0; s < m_sources.size(); ++s) {
        if (hasEvents[s] || errors[s] < 2 || !first[s] || !m_sources[s].error.empty())
            continue;
        refused[s] = 1;
        m_sources[s].error = "not an audit log: none of its lines is an audit event ("
            + std::to_string(errors[s]) + " lines could not be read; the first, line "
            + std::to_string(first[s]->line) + ": " + first[s]->message + ")";
    }
    for (Segment* seg : segments) {
        std::erase_if(seg->diagnostics, [&](const Diagnostic& d) {
            return refused[d.source] && d.severity == Severity::Error && d.line > 0;
        });
        for (std::size_t src = 0; src < seg->omittedDiagnostics.size(); ++src) {
            if (refused[src])
                seg->omittedDiagnostics[src] = 0;
        }
    }
}

// Moves the segments' diagnostics into the report (whose sources are sized): per source, in
// line order, at most maxDiagnosticsPerSource each; the rest (and what the parsers dropped)
// are counted.
void LoadJob::reportDiagnostics(const std::vector<Segment*>& segments, LoadReport& report) const
{
    std::vector<Diagnostic> all;
    std::vector<std::uint64_t> lastReadableLine(m_sources.size(), UINT64_MAX);
    std::vector<std::size_t> changeNotes(m_sources.size(), SIZE_MAX);
    for (std::size_t s = 0; s < m_sources.size(); ++s) {
        const auto source = static_cast<std::uint32_t>(s);
        if (!m_sources[s].error.empty())
            all.push_back(Diagnostic{source, 0, 0, m_sources[s].error});
        const SourceBuffer::FileChange change = m_sources[s].buffer && !m_sources[s].standardInput
            ? m_sources[s].buffer->changeSinceOpen(m_sources[s].path)
            : SourceBuffer::FileChange{};
        if (!change.message.empty()) {
            changeNotes[s] = all.size();
            all.push_back(Diagnostic{
                source, 0, 0, change.message, change.shrank ? Severity::Warning : Severity::Note});
        }
        // Where the cut is unknown (cut, then grown again), every line may be past it.
        if (change.shrank)
            lastReadableLine[s] =
                countLines(m_sources[s].buffer->bytes(), m_sources[s].dataStart, change.keptBytes);
        for (const std::string& note : m_sources[s].notes)
            all.push_back(Diagnostic{source, 0, 0, note, Severity::Note});
    }
    // Lines past the new end of a file that shrank read as NUL bytes: they are missing, not
    // bad, and one message says so instead of one error per line.
    std::vector<std::uint64_t> emptyAfterCut(m_sources.size(), 0);
    for (Segment* s : segments) {
        for (Diagnostic& d : s->diagnostics) {
            if (d.line > lastReadableLine[d.source]) // errors, or notes of NUL-only lines
                ++emptyAfterCut[d.source];
            else
                all.push_back(std::move(d));
        }
        std::vector<Diagnostic>().swap(s->diagnostics);
    }
    for (std::size_t s = 0; s < m_sources.size(); ++s) {
        if (emptyAfterCut[s] > 0)
            all[changeNotes[s]].message += "; " + std::to_string(emptyAfterCut[s])
                + " problems with what was read past that point (it reads as NUL bytes) are not "
                  "listed";
    }
    for (Diagnostic& d : foreignObjectWarnings(segments, m_chunkLineBase))
        all.push_back(std::move(d));
    std::stable_sort(all.begin(), all.end(), [](const Diagnostic& a, const Diagnostic& b) {
        return a.source != b.source ? a.source < b.source : a.line < b.line;
    });
    for (const Segment* seg : segments) {
        for (std::size_t src = 0; src < seg->omittedDiagnostics.size(); ++src) {
            const std::uint64_t omitted = seg->omittedDiagnostics[src];
            report.sources[src].badLines += omitted;
            report.badLines += omitted;
            report.diagnosticsOmitted += omitted;
        }
        countOmittedNotices(*seg, report);
    }
    std::vector<std::size_t> kept(m_sources.size(), 0);
    // The same warning on line after line (a shipper that wrote every code as a string, a log
    // without auditIDs) is listed for its first lines, then summed up once.
    std::map<std::pair<std::uint32_t, std::string>, std::uint64_t> sameWarning;
    std::vector<Diagnostic> repeats;
    for (Diagnostic& d : all) {
        SourceReport& sr = report.sources[d.source];
        if (d.severity != Severity::Error)
            countNotice(d.severity, 1, sr, report);
        else if (d.line > 0) {
            ++sr.badLines;
            ++report.badLines;
        }
        if (d.severity == Severity::Warning && d.line > 0
            && ++sameWarning[{d.source, d.message}] > MaxSameWarningsListed) {
            if (sameWarning[{d.source, d.message}] == MaxSameWarningsListed + 1)
                repeats.push_back(Diagnostic{d.source, 0, 0, d.message, Severity::Warning});
            continue;
        }
        if (kept[d.source]++ < m_options.maxDiagnosticsPerSource)
            report.diagnostics.push_back(std::move(d));
        else
            ++report.diagnosticsOmitted;
    }
    for (Diagnostic& r : repeats) {
        const std::uint64_t more = sameWarning[{r.source, r.message}] - MaxSameWarningsListed;
        r.message = std::to_string(more) + " more lines have the warning \"" + r.message
            + "\" (only the first " + std::to_string(MaxSameWarningsListed) + " are listed)";
        report.diagnostics.push_back(std::move(r));
    }
    std::stable_sort(report.diagnostics.begin(), report.diagnostics.end(),
        [](const Diagnostic& a, const Diagnostic& b) {
            return a.source != b.source ? a.source < b.source : a.line < b.line;
        });
}

void LoadJob::reportSources(const std::vector<SourceCounts>& counts, LoadReport& report) const
{
    for (std::size_t s = 0; s < m_sources.size(); ++s) {
        SourceReport& sr = report.sources[s];
        sr.path = m_sources[s].path;
        sr.error = m_sources[s].error;
        if (m_sources[s].buffer) {
            sr.bytes = m_sources[s].buffer->bytes().size();
            sr.compressed = m_sources[s].buffer->compressed();
        }
        sr.events = counts[s].events;
        sr.firstTimeNs = counts[s].firstTimeNs;
        sr.lastTimeNs = counts[s].lastTimeNs;
        report.bytes += sr.bytes;
    }
}

std::vector<SourceInfo> LoadJob::sourceInfos() const
{
    std::vector<SourceInfo> infos;
    for (const auto& s : m_sources)
        infos.push_back(SourceInfo{s.path, s.buffer});
    return infos;
}

LoadResult LoadJob::run()
{
    LoadResult result;
    LoadReport& report = result.report;
    report.openSeconds = secondsSince(m_start);
    makeChunks();
    publishProgress(true);

    Segment prelude;
    std::size_t preludeBytes = 0;
    const std::uint32_t next = parsePrelude(prelude, preludeBytes);
    // Line bases for the prelude chunks (a prefix of every chunk, so all are known).
    m_chunkLineBase.assign(m_chunks.size(), 0);
    setLineBases(next);
    makeLinesAbsolute(prelude, m_chunkLineBase);
    if (m_options.onPartialSnapshot && next < m_chunks.size()) {
        m_options.onPartialSnapshot(buildEventStore({&prelude}, sourceInfos(), false, 1, nullptr));
        report.firstSnapshotSeconds = secondsSince(m_start);
    }
    publishProgress(true);

    std::vector<Segment> segments(m_threads);
    reserveForRest(segments, prelude, preludeBytes, next);
    parseRestInParallel(segments, next);
    report.cancelled = m_stop.stop_requested()
        && std::find(m_chunkDone.begin(), m_chunkDone.end(), 0) != m_chunkDone.end();
    countSkippedLinesAndSetBases();
    for (Segment& s : segments)
        makeLinesAbsolute(s, m_chunkLineBase);

    std::vector<Segment*> parts{&prelude};
    for (Segment& s : segments)
        parts.push_back(&s);
    report.sources.resize(m_sources.size());
    refuseSourcesWithoutEvents(parts);
    reportDiagnostics(parts, report);
    std::vector<SourceCounts> counts;
    report.parseSeconds = secondsSince(m_start) - report.openSeconds;
    result.store = buildEventStore(std::vector<const Segment*>(parts.begin(), parts.end()),
        sourceInfos(), true, m_threads, &counts, &report.indexSeconds);
    report.mergeSeconds =
        secondsSince(m_start) - report.openSeconds - report.parseSeconds - report.indexSeconds;
    reportSources(counts, report);
    reportDuplicates(*result.store, report);
    m_events = result.store->size();
    publishProgress(true);
    report.seconds = secondsSince(m_start);
    return result;
}

std::vector<OpenedSource> openAll(
    const std::vector<std::string>& paths, const std::stop_token& stop, unsigned threads)
{
    std::vector<OpenedSource> sources;
    for (auto& entry : expandPaths(paths))
        sources.push_back(OpenedSource{entry.path, nullptr, entry.error, {}, 0, false});
    if (sources.size() > MaxSources) {
        for (std::size_t i = MaxSources; i < sources.size(); ++i)
            sources[i].error = "too many files in one investigation (the limit is 65535)";
    }
    // Decompression is the slow part of opening: open files in parallel.
    std::atomic<std::size_t> next{0};
    std::vector<std::jthread> workers;
    for (unsigned t = 0; t < std::max(1u, threads); ++t) {
        workers.emplace_back([&] {
            for (std::size_t i = next++; i < sources.size(); i = next++) {
                if (stop.stop_requested())
                    return;
                OpenedSource& s = sources[i];
                if (!s.error.empty())
                    continue;
                auto opened = SourceBuffer::open(s.path);
                s.buffer = std::move(opened.buffer);
                s.error = std::move(opened.error);
                unwrap(s);
                if (s.path == "-") {
                    s.path = "(standard input)";
                    s.standardInput = true;
                }
            }
        });
    }
    workers.clear(); // join before handing `sources` back
    return sources;
}

} // namespace

LoadResult loadAuditLogs(
    const std::vector<std::string>& paths, std::stop_token stop, const LoadOptions& options)
{
    const auto start = Clock::now();
    const unsigned threads =
        options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
    LoadJob job(openAll(paths, stop, threads), stop, options, start);
    return job.run();
}

LoadResult loadAuditBuffers(const std::vector<std::pair<std::string, std::string>>& namedContents,
    std::stop_token stop, const LoadOptions& options)
{
    const auto start = Clock::now();
    std::vector<OpenedSource> sources;
    for (const auto& [name, contents] : namedContents) {
        sources.push_back(OpenedSource{name, SourceBuffer::fromBytes(contents), {}, {}, 0, false});
        unwrap(sources.back());
    }
    LoadJob job(std::move(sources), stop, options, start);
    return job.run();
}

} // namespace auditscope

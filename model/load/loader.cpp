// SPDX-License-Identifier: Apache-2.0
#include "loader.h"

#include "load/chunkfeed.h"
#include "load/diagnosticsummary.h"
#include "load/eventparser.h"
#include "load/pathexpander.h"
#include "source/formatsniffer.h"
#include "source/sourcebuffer.h"
#include "source/sourceunwrap.h"
#include "store/storebuilder.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include <sys/stat.h>

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

// How a source's bytes reach the parser.
enum class Delivery {
    Undecided, ///< a gzip file whose first bytes are not decompressed yet
    Streamed, ///< JSON lines: chunks are published while the file decompresses
    Whole, ///< everything else: judged and chunked once complete (transcoding, a document)
};

// Decompressed bytes a gzip source must have before it is judged streamable.
constexpr std::size_t DecideBytes = std::size_t(1) << 20;

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
        , m_feed(m_sources.size(), options.preludeBytes, bool(options.onPartialSnapshot))
        , m_delivery(m_sources.size(), Delivery::Undecided)
        , m_published(m_sources.size(), 0)
        , m_expectedBytes(m_sources.size(), 0)
    { }

    LoadResult run();

private:
    void work(Segment& segment);
    void openSource(std::uint16_t index);
    void onDecompressed(std::uint16_t index, std::size_t bytes);
    void publishLines(std::uint16_t index, std::size_t upTo, bool last);
    void publishWhole(std::uint16_t index);
    std::uint32_t parseChunk(EventParser& parser, std::uint32_t index, const Chunk& chunk);
    void showPrelude(LoadReport& report);
    void runWorkers(std::vector<Segment>& segments, LoadReport& report);
    std::vector<std::uint64_t> lineBasesCountingSkipped() const;
    void estimateBytes();
    void refuseSourcesWithoutEvents(const std::vector<Segment*>& segments);
    void reportDiagnostics(const std::vector<Segment*>& segments,
        const std::vector<std::uint64_t>& lineBases, LoadReport& report) const;
    void reportSources(const std::vector<SourceCounts>& counts, LoadReport& report) const;
    std::vector<SourceInfo> sourceInfos() const;
    void publishProgress(bool force);

    std::vector<OpenedSource> m_sources;
    std::stop_token m_stop;
    const LoadOptions& m_options;
    Clock::time_point m_start;
    unsigned m_threads;

    ChunkFeed m_feed;
    mutable std::mutex m_sourcesMutex; // a source's buffer is set while others read the list
    std::vector<Delivery> m_delivery; // per source; touched by its opening thread only
    std::vector<std::size_t> m_published; // per source: bytes covered by published chunks
    std::vector<std::uint64_t> m_expectedBytes; // per source: guess until it is open
    std::mutex m_preludeMutex;
    std::vector<std::unique_ptr<Segment>> m_preludeSegments; // one per prelude chunk
    std::atomic<std::size_t> m_reservePerWorker{0}; // events, known once the prelude is parsed
    std::atomic<std::int64_t> m_openEndNs{0}; // when the last source was completely open
    std::atomic<std::uint64_t> m_bytesTotal{0};
    std::atomic<std::uint64_t> m_bytesDone{0};
    std::atomic<std::uint64_t> m_events{0};
    std::atomic<std::uint64_t> m_badLines{0};
    Clock::time_point m_lastProgress{};
};

// Until a file is open, its size on disk (gzip: times a typical ratio for audit JSON) stands
// in for its decompressed size in progress reports.
void LoadJob::estimateBytes()
{
    std::uint64_t total = 0;
    for (std::size_t s = 0; s < m_sources.size(); ++s) {
        const OpenedSource& source = m_sources[s];
        if (source.buffer) {
            m_expectedBytes[s] = source.buffer->bytes().size();
        } else if (struct stat st{};
                   source.error.empty() && ::stat(source.path.c_str(), &st) == 0) {
            const bool gz = source.path.ends_with(".gz");
            m_expectedBytes[s] = std::uint64_t(st.st_size) * (gz ? 12 : 1);
        }
        total += m_expectedBytes[s];
    }
    m_bytesTotal = total;
}

// Whether decompressed bytes can be parsed as they come: JSON lines, as the first bytes say.
bool streamable(std::string_view head)
{
    return !head.empty() && head[0] != '\0'
        && sniffSource(head.substr(0, SniffBytes)).format == SourceFormat::AuditJson
        && !looksLikeWholeDocument(head);
}

void LoadJob::onDecompressed(std::uint16_t index, std::size_t bytes)
{
    if (m_delivery[index] == Delivery::Undecided && bytes >= DecideBytes) {
        const std::string_view head = m_sources[index].buffer->bytes().substr(0, bytes);
        m_delivery[index] = streamable(head) ? Delivery::Streamed : Delivery::Whole;
    }
    if (m_delivery[index] == Delivery::Streamed)
        publishLines(index, bytes, false);
}

// Publishes chunks of about chunkBytes, each ending after a newline, from where the last one
// ended up to `upTo`; the last call publishes the rest.
void LoadJob::publishLines(std::uint16_t index, std::size_t upTo, bool last)
{
    const std::string_view bytes = m_sources[index].buffer->bytes().substr(0, upTo);
    std::size_t pos = m_published[index];
    while (pos < upTo) {
        std::size_t end = upTo;
        if (pos + m_options.chunkBytes < upTo) {
            const std::size_t newline = bytes.find('\n', pos + m_options.chunkBytes - 1);
            if (newline != std::string_view::npos)
                end = newline + 1;
            else if (!last)
                break;
        } else if (!last) {
            break;
        }
        m_feed.publish(Chunk{index, pos, end, false, false});
        pos = end;
    }
    m_published[index] = pos;
}

// A source judged once complete: one chunk for a document, line chunks otherwise.
void LoadJob::publishWhole(std::uint16_t index)
{
    OpenedSource& source = m_sources[index];
    if (source.buffer && source.buffer->bytes().size() >= MaxSourceBytes) {
        source.error = "larger than 1 TiB after decompression; split it first";
        const std::lock_guard lock(m_sourcesMutex);
        source.buffer.reset();
    }
    if (!source.buffer)
        return;
    const std::string_view bytes = source.buffer->bytes();
    if (looksLikeWholeDocument(bytes)) {
        m_feed.publish(Chunk{index, 0, bytes.size(), true, false});
        return;
    }
    m_published[index] = source.dataStart;
    publishLines(index, bytes.size(), true);
}

void LoadJob::openSource(std::uint16_t index)
{
    OpenedSource& s = m_sources[index];
    if (!s.buffer && s.error.empty()) {
        SourceBuffer::Streaming streaming;
        streaming.started = [&](const std::shared_ptr<SourceBuffer>& buffer) {
            const std::lock_guard lock(m_sourcesMutex);
            s.buffer = buffer;
        };
        streaming.progress = [&](std::size_t bytes) {
            onDecompressed(index, bytes);
            return !m_stop.stop_requested();
        };
        SourceBuffer::OpenResult opened = SourceBuffer::open(s.path, &streaming);
        if (opened.buffer != s.buffer) {
            const std::lock_guard lock(m_sourcesMutex);
            s.buffer = std::move(opened.buffer);
        }
        s.error = std::move(opened.error);
        if (!opened.note.empty())
            s.notes.push_back(std::move(opened.note));
        if (s.path == "-") {
            s.path = "(standard input)";
            s.standardInput = true;
        }
    }
    if (m_delivery[index] == Delivery::Streamed) {
        publishLines(index, s.buffer->bytes().size(), true);
    } else {
        std::shared_ptr<SourceBuffer> before = s.buffer;
        std::vector<std::string> notes = std::move(s.notes);
        {
            const std::lock_guard lock(m_sourcesMutex);
            unwrap(s);
        }
        s.notes.insert(s.notes.begin(), notes.begin(), notes.end());
        publishWhole(index);
    }
    const std::uint64_t bytes = s.buffer ? s.buffer->bytes().size() : 0;
    m_bytesTotal += bytes;
    m_bytesTotal -= m_expectedBytes[index];
    m_openEndNs =
        std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - m_start).count();
    m_feed.sourceComplete(index);
}

std::uint32_t LoadJob::parseChunk(EventParser& parser, std::uint32_t index, const Chunk& chunk)
{
    const SourceBuffer& buffer = *m_sources[chunk.source].buffer;
    std::uint32_t lines = 0;
    if (chunk.wholeDocument && parser.parseWholeDocument(buffer, chunk.source, index))
        lines = countLines(buffer.bytes(), chunk.begin, chunk.end);
    else
        lines = parser.parseLines(buffer, chunk.source, index, chunk.begin, chunk.end);
    m_bytesDone += chunk.end - chunk.begin;
    return lines;
}

// One worker: opens sources and parses chunks until none is left. Prelude chunks go to
// segments of their own (the first snapshot is built from them), the others to `segment`.
void LoadJob::work(Segment& segment)
{
    EventParser parser(segment, m_options.maxDiagnosticsPerSource);
    bool reserved = false;
    for (;;) {
        const ChunkFeed::Work w = m_feed.take(m_stop);
        if (w.kind == ChunkFeed::WorkKind::Finished)
            return;
        if (w.kind == ChunkFeed::WorkKind::Open) {
            openSource(static_cast<std::uint16_t>(w.index));
            continue;
        }
        if (w.chunk.prelude) {
            auto own = std::make_unique<Segment>();
            EventParser preludeParser(*own, m_options.maxDiagnosticsPerSource);
            const std::uint32_t lines = parseChunk(preludeParser, w.index, w.chunk);
            m_events += own->size();
            m_badLines += own->badLineCount();
            {
                const std::lock_guard lock(m_preludeMutex);
                m_preludeSegments.push_back(std::move(own));
            }
            m_feed.chunkParsed(w.index, lines);
            continue;
        }
        if (!reserved && m_reservePerWorker > 0) {
            segment.reserve(m_reservePerWorker);
            reserved = true;
        }
        const std::size_t eventsBefore = segment.size();
        const std::uint64_t badBefore = segment.badLineCount();
        const std::uint32_t lines = parseChunk(parser, w.index, w.chunk);
        m_events += segment.size() - eventsBefore;
        m_badLines += segment.badLineCount() - badBefore;
        m_feed.chunkParsed(w.index, lines);
    }
}

// The first rows: a store of the prelude's segments, handed to onPartialSnapshot while the
// rest loads. Also sizes the workers' columns from the prelude's bytes per event (+10%), so they
// do not grow by doubling (each doubling copies and re-faults every column).
void LoadJob::showPrelude(LoadReport& report)
{
    if (m_options.onPartialSnapshot && m_feed.moreThanPrelude() && !m_stop.stop_requested()) {
        const std::vector<std::uint64_t> bases = m_feed.lineBases();
        std::vector<const Segment*> parts;
        std::size_t events = 0;
        {
            const std::lock_guard lock(m_preludeMutex);
            for (auto& segment : m_preludeSegments) {
                makeLinesAbsolute(*segment, bases);
                parts.push_back(segment.get());
                events += segment->size();
            }
        }
        if (events > 0) {
            const std::uint64_t preludeBytes = m_bytesDone;
            const double bytesPerEvent = double(preludeBytes) / double(events);
            const std::uint64_t total = m_bytesTotal;
            if (total > preludeBytes)
                m_reservePerWorker = static_cast<std::size_t>(
                    double(total - preludeBytes) / bytesPerEvent * 1.1 / m_threads);
        }
        m_options.onPartialSnapshot(buildEventStore(parts, sourceInfos(), false, 1, nullptr));
        report.firstSnapshotSeconds = secondsSince(m_start);
    }
    m_feed.preludeShown();
}

// The workers run until every source is open and every chunk parsed (or a stop); this thread
// shows the first snapshot and publishes progress meanwhile.
void LoadJob::runWorkers(std::vector<Segment>& segments, LoadReport& report)
{
    std::atomic<unsigned> running{m_threads};
    std::vector<std::jthread> workers;
    for (unsigned t = 0; t < m_threads; ++t) {
        workers.emplace_back([&, t] {
            work(segments[t]);
            --running;
        });
    }
    bool preludeShown = false;
    while (running.load() > 0) {
        if (!preludeShown && m_feed.preludeParsed()) {
            showPrelude(report);
            preludeShown = true;
        }
        m_feed.waitForChange(std::chrono::milliseconds(10));
        publishProgress(false);
    }
} // joins the workers

// Per chunk, the lines before it in its source. Chunks a stop left unparsed are counted here.
std::vector<std::uint64_t> LoadJob::lineBasesCountingSkipped() const
{
    const std::vector<Chunk>& chunks = m_feed.chunks();
    std::vector<std::uint64_t> bases(chunks.size(), 0);
    std::vector<std::uint64_t> running(m_sources.size(), 0);
    for (std::size_t c = 0; c < chunks.size(); ++c) {
        const Chunk& chunk = chunks[c];
        const std::uint64_t lines = m_feed.chunkDone()[c]
            ? m_feed.chunkLines()[c]
            : countLines(m_sources[chunk.source].buffer->bytes(), chunk.begin, chunk.end);
        bases[c] = running[chunk.source];
        running[chunk.source] += lines;
    }
    return bases;
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
void LoadJob::reportDiagnostics(const std::vector<Segment*>& segments,
    const std::vector<std::uint64_t>& lineBases, LoadReport& report) const
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
    for (Diagnostic& d : foreignObjectWarnings(segments, lineBases))
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
    const std::lock_guard lock(m_sourcesMutex);
    std::vector<SourceInfo> infos;
    for (const auto& s : m_sources)
        infos.push_back(SourceInfo{s.path, s.buffer});
    return infos;
}

LoadResult LoadJob::run()
{
    LoadResult result;
    LoadReport& report = result.report;
    estimateBytes();
    publishProgress(true);

    std::vector<Segment> segments(m_threads);
    runWorkers(segments, report);
    report.cancelled = m_stop.stop_requested()
        && (!m_feed.allSourcesComplete()
            || std::find(m_feed.chunkDone().begin(), m_feed.chunkDone().end(), 0)
                != m_feed.chunkDone().end());
    // Opening overlaps parsing: `open` is until the last source was decompressed, `parse`
    // what parsing took after that.
    report.openSeconds = double(m_openEndNs.load()) / 1e9;
    report.parseSeconds = std::max(0.0, secondsSince(m_start) - report.openSeconds);
    const std::vector<std::uint64_t> lineBases = lineBasesCountingSkipped();
    for (Segment& s : segments)
        makeLinesAbsolute(s, lineBases);

    std::vector<Segment*> parts;
    for (auto& s : m_preludeSegments) {
        if (report.firstSnapshotSeconds < 0) // not made absolute for a first snapshot yet
            makeLinesAbsolute(*s, lineBases);
        parts.push_back(s.get());
    }
    for (Segment& s : segments)
        parts.push_back(&s);
    report.sources.resize(m_sources.size());
    refuseSourcesWithoutEvents(parts);
    reportDiagnostics(parts, lineBases, report);
    std::vector<SourceCounts> counts;
    const double beforeMerge = secondsSince(m_start);
    result.store = buildEventStore(std::vector<const Segment*>(parts.begin(), parts.end()),
        sourceInfos(), true, m_threads, &counts, &report.indexSeconds);
    report.mergeSeconds = secondsSince(m_start) - beforeMerge - report.indexSeconds;
    reportSources(counts, report);
    reportDuplicates(*result.store, report);
    m_events = result.store->size();
    m_bytesDone = m_bytesTotal.load();
    publishProgress(true);
    report.seconds = secondsSince(m_start);
    return result;
}

std::vector<OpenedSource> listSources(const std::vector<std::string>& paths)
{
    std::vector<OpenedSource> sources;
    for (auto& entry : expandPaths(paths))
        sources.push_back(OpenedSource{entry.path, nullptr, entry.error, {}, 0, false});
    if (sources.size() > MaxSources) {
        for (std::size_t i = MaxSources; i < sources.size(); ++i)
            sources[i].error = "too many files in one investigation (the limit is 65535)";
    }
    return sources;
}

} // namespace

LoadResult loadAuditLogs(
    const std::vector<std::string>& paths, std::stop_token stop, const LoadOptions& options)
{
    LoadJob job(listSources(paths), stop, options, Clock::now());
    return job.run();
}

LoadResult loadAuditBuffers(const std::vector<std::pair<std::string, std::string>>& namedContents,
    std::stop_token stop, const LoadOptions& options)
{
    const auto start = Clock::now();
    std::vector<OpenedSource> sources;
    for (const auto& [name, contents] : namedContents) {
        sources.push_back(OpenedSource{name, SourceBuffer::fromBytes(contents), {}, {}, 0, false});
    }
    LoadJob job(std::move(sources), stop, options, start);
    return job.run();
}

} // namespace auditscope

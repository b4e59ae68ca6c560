// SPDX-License-Identifier: Apache-2.0
#include "segmentparse.h"

#include "fuzzcheck.h"

#include "load/eventparser.h"
#include "query/queryengine.h"
#include "report/eventformat.h"
#include "report/rawfieldreader.h"
#include "store/storebuilder.h"

#include <algorithm>
#include <string>
#include <vector>

namespace auditscope::fuzz {

namespace {

// Queries over every kind of term: indexes, columns, wildcards, CIDR, times, and the raw
// re-parse of JSON paths and bare words (the part that reads hostile bytes again).
const char* const StoreQueries[] = {
    "requestObject.spec.containers.securityContext.privileged:true",
    "responseObject.metadata.generation > 2 or requestObject.spec.replicas <= 1",
    "annotations.\"authorization.k8s.io/decision\":allow",
    "\"system:\" or kube",
    "user:*a* and not verb:(get or list)",
    // No code term: the brute-force evaluator prepares one per row, over all 65536 codes.
    "ns:default or name:*a* or apigroup:\"\"",
    "time > now-1h and stagetime < \"2030-01-01\"",
    "ip:10.0.0.0/8 or ip:fd00::/8",
    "uri:*exec* or reason:*RBAC*",
    "group:system:masters as:*",
    "chain:incomplete or chain:reused",
    "level >= Request stage:ResponseComplete",
};

} // namespace

void parseInChunks(
    const std::shared_ptr<const SourceBuffer>& buffer, std::size_t chunkBytes, Segment& segment)
{
    const std::string_view bytes = buffer->bytes();
    EventParser parser(segment);
    std::vector<std::uint64_t> chunkLineBase;
    std::uint64_t lines = 0;
    std::size_t pos = 0;
    while (pos < bytes.size()) {
        std::size_t end = pos + std::min(chunkBytes, bytes.size() - pos);
        if (end < bytes.size()) {
            const std::size_t newline = bytes.find('\n', end - 1);
            end = newline == std::string_view::npos ? bytes.size() : newline + 1;
        }
        const auto chunk = static_cast<std::uint32_t>(chunkLineBase.size());
        chunkLineBase.push_back(lines);
        lines += parser.parseLines(*buffer, 0, chunk, pos, end);
        pos = end;
    }
    makeLinesAbsolute(segment, chunkLineBase);
}

bool parseWholeDocument(const std::shared_ptr<const SourceBuffer>& buffer, Segment& segment)
{
    EventParser parser(segment);
    if (!parser.parseWholeDocument(*buffer, 0, 0))
        return false;
    makeLinesAbsolute(segment, {0});
    return true;
}

EventStorePtr buildStore(const Segment& segment, std::shared_ptr<const SourceBuffer> buffer)
{
    std::vector<SourceInfo> sources{SourceInfo{"fuzz.log", std::move(buffer)}};
    return buildEventStore({&segment}, std::move(sources), true, 1, nullptr);
}

void exerciseStore(const EventStorePtr& store, std::size_t maxEvents)
{
    RawFieldReader reader;
    std::string out;
    const std::size_t shown = std::min(store->size(), maxEvents);
    for (std::uint32_t i = 0; i < shown; ++i) {
        out.clear();
        appendEvent(out, *store, EventId{i}, EventFormat::Jsonl, reader);
        appendEvent(out, *store, EventId{i}, EventFormat::Tsv, reader);
        FUZZ_CHECK(!out.empty() && out.back() == '\n');
    }
    static const std::vector<Query> queries = [] {
        std::vector<Query> parsed;
        for (const char* text : StoreQueries) {
            ParseResult result = parseQuery(text);
            FUZZ_CHECK(result.ok());
            parsed.push_back(std::move(*result.query));
        }
        return parsed;
    }();
    QueryOptions options;
    options.threads = 1;
    for (const Query& query : queries) {
        const QueryResult result = runQuery(*store, query, {}, options);
        FUZZ_CHECK(result.rows == runQueryBruteForce(*store, query, options));
    }
}

} // namespace auditscope::fuzz

// SPDX-License-Identifier: Apache-2.0
// The filter language on arbitrary text, as `auditscope-cli query check` and the GUI's filter
// bar run it: parse, print the canonical form, check the policy context, complete at a cursor,
// then run the query over a small store (with an active and a compared policy) and compare the
// engine's rows with the brute-force evaluator's.
#include "fixturestore.h"
#include "fuzzcheck.h"

#include "policy/policyeditorevaluation.h"
#include "query/querycompleter.h"
#include "query/queryengine.h"

#include <cstdint>
#include <string_view>

using namespace auditscope;

namespace {

constexpr std::string_view ActivePolicy = R"(apiVersion: audit.k8s.io/v1
kind: Policy
rules:
- level: None
  nonResourceURLs: ["/healthz*"]
- level: RequestResponse
  verbs: [update, patch, create]
  resources: [{group: "", resources: [secrets, pods]}]
- level: Metadata
  omitStages: [RequestReceived]
)";
constexpr std::string_view ComparedPolicy = R"(apiVersion: audit.k8s.io/v1
kind: Policy
rules:
- level: Request
  resources: [{group: "", resources: [pods]}]
- level: Metadata
)";

struct Fixture
{
    EventStorePtr store = fuzz::fixtureStore();
    PolicyQueryContextPtr policy;
    QueryCompleter completer{store};

    Fixture()
    {
        PolicyStoreIndex index(store);
        PolicyEvaluationResult active = evaluatePolicyText(ActivePolicy, &index);
        compareWithBaseline(active, evaluateBaseline(ComparedPolicy, &index, nullptr), &index);
        policy = active.queryContext();
        FUZZ_CHECK(policy && policy->comparesOn(*store));
        completer.setPolicyContext(policy);
    }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    static Fixture fixture;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    // The completer runs on every keystroke, on text that need not parse.
    const Completions completions = fixture.completer.complete(text, size == 0 ? 0 : size / 2);
    FUZZ_CHECK(completions.replaceOffset + completions.replaceLength <= size);

    const ParseResult parsed = parseQuery(text);
    if (!parsed.ok()) {
        // The error points into the text (or just past its end).
        FUZZ_CHECK(parsed.error.offset <= size && parsed.error.column >= 1);
        FUZZ_CHECK(!parsed.error.message.empty());
        return 0;
    }
    const Query& query = *parsed.query;
    FUZZ_CHECK(query.root < query.nodes.size());
    FUZZ_CHECK(!query.toString().empty());

    QueryOptions options;
    options.threads = 1;
    (void)checkQueryContext(query, text, *fixture.store, options); // no policy: may refuse
    options.policy = fixture.policy;
    FUZZ_CHECK(!checkQueryContext(query, text, *fixture.store, options));
    const QueryResult result = runQuery(*fixture.store, query, {}, options);
    FUZZ_CHECK(result.rows == runQueryBruteForce(*fixture.store, query, options));
    return 0;
}

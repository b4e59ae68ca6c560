// SPDX-License-Identifier: Apache-2.0
// The detection rules file on arbitrary text, as `--rules FILE`, the user's rules file and the
// GUI's "Load Detection Rules…" read it (applyRulesText over the built-in pack); then the rules
// that came out run over a small log (detect, explainMatch) and are judged against a policy
// (coverageAgainst), as `auditscope-cli detect --policy` does.
#include "fixturestore.h"
#include "fuzzcheck.h"

#include "detect/detectionengine.h"
#include "detect/rulecoverage.h"
#include "detect/rulereader.h"
#include "policy/policyreader.h"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string_view>

using namespace auditscope;

namespace {

constexpr std::string_view CoveragePolicy = R"(apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
- level: RequestResponse
  resources: [{group: "", resources: [pods]}]
- level: Metadata
)";

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    static const EventStorePtr store = fuzz::fixtureStore();
    static const Policy policy = loadPolicy(CoveragePolicy).policy;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto rules = std::make_shared<RuleSet>(applyRulesText(builtinRules(), text, "fuzz.yaml"));

    // Diagnostics are placed inside the text (or not placed at all: line 0) and say something.
    const auto lines = static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;
    for (const RuleDiagnostic& d : rules->diagnostics) {
        FUZZ_CHECK(d.line >= 0 && d.line <= lines);
        FUZZ_CHECK(d.line == 0 || d.column >= 1);
        FUZZ_CHECK(!d.message.empty());
    }
    // Ids stay unique, whatever the file adds or overrides.
    for (std::size_t i = 0; i < rules->rules.size(); ++i)
        FUZZ_CHECK(rules->find(rules->rules[i].id) == &rules->rules[i]);

    DetectionOptions options;
    options.threads = 1;
    const DetectionResult result = detect(store, rules, {}, options);
    FUZZ_CHECK(!result.cancelled);
    FUZZ_CHECK(result.context && result.context->covers(*store));
    for (const Finding& f : result.findings) {
        FUZZ_CHECK(f.rule < rules->rules.size() && !f.events.empty());
        FUZZ_CHECK(f.firstNs <= f.lastNs);
        (void)explainMatch(*store, f.events.front().value, rules->rules[f.rule]);
    }
    const std::vector<RuleCoverage> coverage = coverageAgainst(*rules, policy);
    for (const RuleCoverage& c : coverage)
        FUZZ_CHECK(c.rule < rules->rules.size() && (c.covered == c.suggestion.empty()));
    return 0;
}

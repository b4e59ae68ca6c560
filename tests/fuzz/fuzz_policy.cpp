// SPDX-License-Identifier: Apache-2.0
// The audit-policy reader on arbitrary text, as the policy editor runs it on every edit
// (evaluatePolicyText: decode and validate as kube-apiserver does, lint, evaluate over a small
// log, outline, impact, comparison with a saved version) and as `auditscope-cli policy check`
// runs it (loadPolicy, part of the former); then once more with tight reader limits.
#include "fixturestore.h"
#include "fuzzcheck.h"

#include "policy/policyeditorevaluation.h"

#include <algorithm>
#include <cstdint>
#include <string_view>

using namespace auditscope;

namespace {

// The "saved version" the edited text is compared with.
constexpr std::string_view BaselinePolicy = R"(apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
- level: None
  resources: [{group: "", resources: [events]}]
- level: RequestResponse
  resources: [{group: "", resources: [secrets, configmaps]}]
- level: Metadata
)";

struct Fixture
{
    PolicyStoreIndex index{fuzz::fixtureStore()};
    std::shared_ptr<const PolicyEvaluationResult> baseline =
        evaluateBaseline(BaselinePolicy, &index, nullptr);
};

// Diagnostics are placed inside the text (or not placed at all: line 0).
void checkDiagnostics(const std::vector<PolicyDiagnostic>& diagnostics, std::string_view text)
{
    const auto lines = static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;
    for (const PolicyDiagnostic& d : diagnostics) {
        FUZZ_CHECK(d.line >= 0 && d.line <= lines);
        FUZZ_CHECK(d.line == 0 || d.column >= 1);
        FUZZ_CHECK(!d.message.empty());
    }
}

bool hasError(const std::vector<PolicyDiagnostic>& diagnostics)
{
    return std::any_of(diagnostics.begin(), diagnostics.end(),
        [](const PolicyDiagnostic& d) { return d.severity == PolicyDiagnostic::Severity::Error; });
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    static Fixture fixture;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    PolicyEvaluationOptions options;
    options.threads = 1;
    PolicyEvaluationResult result = evaluatePolicyText(text, &fixture.index, options);
    const PolicyLoadResult& load = result.load;
    FUZZ_CHECK(load.loadable == !hasError(load.diagnostics));
    FUZZ_CHECK(!load.loadable || (load.decoded && !load.policy.rules.empty()));
    checkDiagnostics(load.diagnostics, text);
    compareWithBaseline(result, fixture.baseline, &fixture.index);
    if (result.evaluated && result.queryContext())
        result.explainEvent(EventId{0});
    (void)result.diagnostics();

    PolicyReadLimits tight;
    tight.maxBytes = 4096;
    tight.maxDepth = 6;
    const PolicyReadResult read = readPolicy(text, tight);
    FUZZ_CHECK(read.decoded == !hasError(read.diagnostics));
    checkDiagnostics(read.diagnostics, text);
    return 0;
}

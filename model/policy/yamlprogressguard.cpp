// SPDX-License-Identifier: Apache-2.0
#include "policy/yamlprogressguard.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>

#include <sstream>

namespace auditscope::policy_detail {

namespace {

/// Remembers where the last document started; ignores everything else.
class DocumentStarts final : public YAML::EventHandler
{
public:
    YAML::Mark lastStart = YAML::Mark::null_mark();

    void OnDocumentStart(const YAML::Mark& mark) override { lastStart = mark; }
    void OnDocumentEnd() override { }
    void OnNull(const YAML::Mark&, YAML::anchor_t) override { }
    void OnAlias(const YAML::Mark&, YAML::anchor_t) override { }
    void OnScalar(
        const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override
    { }
    void OnSequenceStart(
        const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override
    { }
    void OnSequenceEnd() override { }
    void OnMapStart(
        const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override
    { }
    void OnMapEnd() override { }
};

} // namespace

std::optional<YAML::Mark> findStuckYamlToken(const std::string& text)
{
    std::istringstream stream(text);
    YAML::Parser parser(stream);
    DocumentStarts starts;
    std::optional<int> previousStart;
    while (parser.HandleNextDocument(starts)) {
        // Every real document consumes at least one token, so it starts after the one before.
        if (previousStart && *previousStart == starts.lastStart.pos)
            return starts.lastStart;
        previousStart = starts.lastStart.pos;
    }
    return std::nullopt;
}

} // namespace auditscope::policy_detail

// SPDX-License-Identifier: Apache-2.0
#include "flaggedby.h"

#include "detect/detectionengine.h"
#include "itemmodels/findingsmodel.h"

#include <QStringList>

#include <algorithm>
#include <vector>

namespace auditscope {

namespace {

constexpr int MaxDetailsPerRule = 3;

QString html(std::string_view text)
{
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size())).toHtmlEscaped();
}

// The rules that flagged `row`, most severe first, then in rule order.
std::vector<std::uint32_t> rulesOf(
    const FindingQueryContext& context, const RuleSet& rules, std::uint32_t row)
{
    std::vector<std::uint32_t> out(context.ruleIndexes.begin() + context.offsets[row],
        context.ruleIndexes.begin() + context.offsets[row + 1]);
    std::erase_if(out, [&](std::uint32_t r) { return r >= rules.rules.size(); });
    std::stable_sort(out.begin(), out.end(), [&](std::uint32_t a, std::uint32_t b) {
        return rules.rules[a].severity > rules.rules[b].severity;
    });
    return out;
}

} // namespace

QString flaggedByHtml(const DetectionResult& result, EventId id)
{
    if (!result.context || !result.rules || !result.store || !id
        || !result.context->covers(*result.store))
        return {};
    const EventStore& store = *result.store;
    const RuleSet& rules = *result.rules;
    const std::vector<std::uint32_t> flagged = rulesOf(*result.context, rules, id.value);
    if (flagged.empty())
        return {};
    QString out = QObject::tr("<b>Flagged by</b>");
    for (const std::uint32_t r : flagged) {
        const DetectionRule& rule = rules.rules[r];
        out += QStringLiteral("<p style='margin-top:6px; margin-bottom:0'>"
                              "<span style='color:%1'>&#9632;</span> <b>%2</b> · %3 "
                              "<span style='color:gray'>(%4)</span>")
                   .arg(findingSeverityColorName(rule.severity),
                       findingSeverityTitle(rule.severity), html(rule.title), html(rule.id));
        // What the findings that hold this event said beyond the match.
        QStringList details;
        for (const Finding& f : result.findings) {
            if (f.rule != r || f.detail.empty()
                || !std::binary_search(f.events.begin(), f.events.end(), id))
                continue;
            if (details.size() == MaxDetailsPerRule) {
                details << QStringLiteral("…");
                break;
            }
            details << html(f.detail)
                    + (f.principal.empty() ? QString() : QStringLiteral(" · ") + html(f.principal));
        }
        if (!details.isEmpty())
            out += QStringLiteral("<br><i>%1</i>").arg(details.join(QStringLiteral("<br>")));
        if (!rule.why.empty())
            out += QStringLiteral("<br><span style='color:gray'>%1</span>").arg(html(rule.why));
        if (rule.kind != RuleKind::Integrity) {
            const std::vector<std::string> lines = explainMatch(store, id.value, rule);
            for (const std::string& line : lines)
                out += QStringLiteral("<br>&nbsp;&nbsp;<code>%1</code>").arg(html(line));
        }
        out += QStringLiteral("</p>");
    }
    return out;
}

} // namespace auditscope

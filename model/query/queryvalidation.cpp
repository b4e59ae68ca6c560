// SPDX-License-Identifier: Apache-2.0
#include "queryvalidation.h"

#include "chain/chainintegrity.h"
#include "common/enums.h"
#include "common/timestamp.h"
#include "policy/policycomparison.h"
#include "query/cidr.h"
#include "query/findingterms.h"

#include <charconv>
#include <cstdint>

namespace auditscope {

namespace {

using Verdict = std::optional<ValueError>;

/// One term being checked: the node, its operator and where its value starts.
struct Term
{
    QueryNode& node;
    const TermOperator& op;
    std::size_t valueOffset;

    const std::string& value() const { return node.value; }
    bool compares() const { return node.op != CompareOp::Match; }
    Verdict valueError(std::string message) const
    {
        return ValueError{valueOffset, std::move(message)};
    }
};

// `text` is a whole number that fits `out`.
template <class Number>
bool parseWhole(const std::string& text, Number& out)
{
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size();
}

bool onlyDigitsAndStars(const std::string& text)
{
    return text.find_first_not_of("0123456789*") == std::string::npos;
}

std::optional<std::int64_t> parseDurationNs(std::string_view text)
{
    if (text.empty())
        return std::nullopt;
    std::int64_t total = 0;
    std::size_t i = 0;
    while (i < text.size()) {
        std::int64_t amount = 0;
        const auto [end, ec] = std::from_chars(text.data() + i, text.data() + text.size(), amount);
        if (ec != std::errc() || end == text.data() + i)
            return std::nullopt;
        i = static_cast<std::size_t>(end - text.data());
        std::int64_t unit = 0;
        if (text.substr(i, 2) == "ms") {
            unit = 1'000'000;
            i += 2;
        } else if (i < text.size()) {
            switch (text[i++]) {
            case 's':
                unit = 1'000'000'000LL;
                break;
            case 'm':
                unit = 60'000'000'000LL;
                break;
            case 'h':
                unit = 3'600'000'000'000LL;
                break;
            case 'd':
                unit = 86'400'000'000'000LL;
                break;
            case 'w':
                unit = 7 * 86'400'000'000'000LL;
                break;
            default:
                return std::nullopt;
            }
        } else {
            return std::nullopt;
        }
        // A typed amount can be any size: overflow is "not a duration", never wrapped.
        std::int64_t part = 0;
        if (__builtin_mul_overflow(amount, unit, &part)
            || __builtin_add_overflow(total, part, &total))
            return std::nullopt;
    }
    return total;
}

// `<`, `>` and friends on a text field.
Verdict comparesText(const Term& t)
{
    const std::string name(t.node.field == QueryField::Json ? std::string_view("this field")
                                                            : queryFieldName(t.node.field));
    return ValueError{t.op.offset,
        "'" + std::string(t.op.text) + "' compares numbers, times and levels; '" + name
            + "' is text"};
}

Verdict checkCode(const Term& t)
{
    if (t.node.wildcard && !t.compares()) {
        if (onlyDigitsAndStars(t.value()))
            return std::nullopt;
    } else if (parseWhole(t.value(), t.node.number) && t.node.number >= 0) {
        return std::nullopt;
    }
    return t.valueError(
        "expected an HTTP status code (a number) after '" + std::string(t.op.text) + "'");
}

// now, now-1h, now+30m: relative to the last event.
Verdict checkRelativeTime(const Term& t)
{
    const std::string& v = t.value();
    t.node.relativeTime = true;
    if (v.size() == 3)
        return std::nullopt;
    if (v[3] == '-' || v[3] == '+') {
        if (const auto d = parseDurationNs(std::string_view(v).substr(4))) {
            t.node.number = v[3] == '-' ? -*d : *d;
            return std::nullopt;
        }
    }
    return ValueError{t.valueOffset + 3, "expected a duration like now-1h, now-30m or now-2d"};
}

Verdict checkTime(const Term& t)
{
    const std::string& v = t.value();
    if (t.node.wildcard)
        return t.valueError("times take no wildcards; use time >= A and time < B");
    if (v.starts_with("now"))
        return checkRelativeTime(t);
    std::optional<std::int64_t> time = parseRfc3339(v);
    if (!time && v.size() == 10)
        time = parseRfc3339(v + "T00:00:00Z");
    if (!time)
        return t.valueError("expected an RFC 3339 time (2025-03-14T09:00:00Z) or now-1h");
    t.node.number = *time;
    return std::nullopt;
}

Verdict checkRule(const Term& t)
{
    const std::string& v = t.value();
    if (!t.compares() && v == "none") {
        t.node.number = -1;
        return std::nullopt;
    }
    if (!t.compares() && t.node.wildcard && onlyDigitsAndStars(v))
        return std::nullopt;
    if (parseWhole(v, t.node.number) && t.node.number >= 0)
        return std::nullopt;
    const std::string expected = "expected a rule number (0 is the first rule)";
    return t.valueError(t.compares() ? expected + " after '" + std::string(t.op.text) + "'"
                                     : expected + " or 'none'");
}

// A glob of the value, or the value itself, names a known text.
bool names(const Term& t, std::string_view known)
{
    return t.node.wildcard ? globMatch(t.value(), known) : t.value() == known;
}

Verdict checkPolicyChange(const Term& t)
{
    if (t.compares())
        return comparesText(t);
    bool known = t.value() == "changed" || (t.node.wildcard && globMatch(t.value(), "changed"));
    for (int c = 0; c < PolicyChangeCount; ++c)
        known = known || names(t, policyChangeName(PolicyChange(c)));
    if (known)
        return std::nullopt;
    return t.valueError("unknown policy change '" + t.value()
        + "' (changed, same, dropped, added, raised, lowered)");
}

Verdict checkEmitted(const Term& t)
{
    if (t.compares())
        return comparesText(t);
    if (t.value() == "true" || t.value() == "false") {
        t.node.number = t.value() == "true";
        return std::nullopt;
    }
    return t.valueError("expected true or false");
}

// Stage, Level and PolicyLevel: a name; levels also compare (Metadata < Request).
Verdict checkStageOrLevel(const Term& t)
{
    const std::string& v = t.value();
    const bool stage = t.node.field == QueryField::Stage;
    if (t.compares() && stage)
        return comparesText(t);
    if (t.node.wildcard && !t.compares())
        return std::nullopt;
    if (stage ? parseStage(v).has_value() : parseLevel(v).has_value()) {
        t.node.number = stage ? int(*parseStage(v)) : int(*parseLevel(v));
        return std::nullopt;
    }
    return t.valueError(stage
            ? "unknown stage '" + v
                + "' (RequestReceived, ResponseStarted, ResponseComplete, Panic)"
            : "unknown level '" + v + "' (None, Metadata, Request, RequestResponse)");
}

Verdict checkChain(const Term& t)
{
    if (t.compares())
        return comparesText(t);
    bool known = t.value() == ChainOkName;
    for (const ChainFlagInfo& info : chainFlagInfos())
        known = known || names(t, info.name);
    if (known || (t.node.wildcard && globMatch(t.value(), ChainOkName)))
        return std::nullopt;
    std::string flags;
    for (const ChainFlagInfo& info : chainFlagInfos())
        flags += std::string(info.name) + ", ";
    return t.valueError(
        "unknown chain flag '" + t.value() + "' (" + flags + std::string(ChainOkName) + ")");
}

Verdict checkIp(const Term& t)
{
    if (t.compares())
        return comparesText(t);
    if (t.value().find('/') != std::string::npos && !isValidIpOrCidr(t.value()))
        return t.valueError("expected an address range like 10.0.0.0/8");
    return std::nullopt;
}

// A detection rule id ([a-z0-9-]+), or a glob of ids; which ids exist is checked against the
// findings (checkQueryContext), as the rules can change.
Verdict checkFinding(const Term& t)
{
    if (t.compares())
        return comparesText(t);
    if (t.value().find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-*") == std::string::npos)
        return std::nullopt;
    return t.valueError("expected a detection rule id (a-z, 0-9 and '-', e.g. "
                        "privileged-container) or a glob like secret-*");
}

// A severity name (any case); severities also compare (info < low < ... < critical).
Verdict checkSeverity(const Term& t)
{
    if (t.node.wildcard && !t.compares())
        return std::nullopt;
    if (const std::optional<int> index = findingSeverityIndex(t.value())) {
        t.node.number = *index;
        return std::nullopt;
    }
    return t.valueError("unknown severity '" + t.value() + "' (info, low, medium, high, critical)");
}

// JSON values match as text; comparisons read the value as a number.
Verdict checkJson(const Term& t)
{
    if (!t.compares() || parseWhole(t.value(), t.node.real))
        return std::nullopt;
    return t.valueError("expected a number after '" + std::string(t.op.text) + "'");
}

} // namespace

std::optional<ValueError> validateTermValue(
    QueryNode& node, const TermOperator& op, std::size_t valueOffset)
{
    const Term t{node, op, valueOffset};
    switch (node.field) {
    case QueryField::Code:
        return checkCode(t);
    case QueryField::Time:
    case QueryField::StageTime:
        return checkTime(t);
    case QueryField::Rule:
        return checkRule(t);
    case QueryField::PolicyChange:
        return checkPolicyChange(t);
    case QueryField::Emitted:
    case QueryField::Warning:
        return checkEmitted(t); // true or false
    case QueryField::Stage:
    case QueryField::PolicyLevel:
    case QueryField::Level:
        return checkStageOrLevel(t);
    case QueryField::Chain:
        return checkChain(t);
    case QueryField::Finding:
        return checkFinding(t);
    case QueryField::Severity:
        return checkSeverity(t);
    case QueryField::Ip:
        return checkIp(t);
    case QueryField::Json:
        return checkJson(t);
    case QueryField::Text:
        return std::nullopt;
    default:
        return t.compares() ? comparesText(t) : std::nullopt;
    }
}

} // namespace auditscope

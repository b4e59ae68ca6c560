// SPDX-License-Identifier: Apache-2.0
#include "detect/ruledecoder.h"

#include "detect/rulefields.h"
#include "policy/yamlscalar.h"
#include "query/cidr.h"
#include "query/policyterms.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <optional>
#include <utility>

namespace auditscope::detect_detail {

namespace {

using Severity = RuleDiagnostic::Severity;

const std::vector<std::string_view> TopLevelKeys{"settings", "rules"};
const std::vector<std::string_view> SettingsKeys{
    "productionNamespaces", "maintenanceWindows", "privateRanges"};
const std::vector<std::string_view> RuleKeys{"id", "title", "severity", "why", "references",
    "mitre", "match", "threshold", "firstSeen", "sequence", "integrity", "outsideMaintenance",
    "disabled"};
const std::vector<std::string_view> ThresholdKeys{"count", "window", "by", "distinct"};
const std::vector<std::string_view> FirstSeenKeys{
    "by", "baseline", "baselineRequests", "newValueOf"};
const std::vector<std::string_view> SequenceKeys{"then", "window", "by"};
const std::vector<std::string_view> IntegrityKeys{"check", "factor"};
const std::vector<std::string_view> CheckNames{
    "silence", "ratedrop", "clockskew", "leveldrop", "rotationgap"};

std::string describe(const YAML::Node& node)
{
    switch (node.Type()) {
    case YAML::NodeType::Map:
        return "a mapping";
    case YAML::NodeType::Sequence:
        return "a list";
    case YAML::NodeType::Scalar:
        return "'" + node.Scalar() + "'";
    default:
        return "nothing";
    }
}

std::string quotedKey(std::string_view s)
{
    return "'" + std::string(s) + "'";
}

std::string unknownKeyMessage(
    std::string_view key, std::string_view where, const std::vector<std::string_view>& known)
{
    std::string message = "unknown key " + quotedKey(key) + " in " + std::string(where);
    const std::string close = didYouMean(key, known);
    if (!close.empty())
        message += "; did you mean " + quotedKey(close) + "?";
    message += " (ignored)";
    return message;
}

bool validRuleId(std::string_view id)
{
    return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    });
}

bool validMitreId(std::string_view id)
{
    const auto digits = [&](std::size_t from, std::size_t n) {
        return id.size() >= from + n
            && std::all_of(id.begin() + static_cast<std::ptrdiff_t>(from),
                id.begin() + static_cast<std::ptrdiff_t>(from + n),
                [](char c) { return c >= '0' && c <= '9'; });
    };
    if (id.size() == 5)
        return id[0] == 'T' && digits(1, 4);
    return id.size() == 9 && id[0] == 'T' && digits(1, 4) && id[5] == '.' && digits(6, 3);
}

bool validNamespaceGlob(std::string_view glob)
{
    return !glob.empty() && std::all_of(glob.begin(), glob.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '*';
    });
}

IntegrityCheck checkFromName(std::string_view name)
{
    static constexpr IntegrityCheck Checks[] = {IntegrityCheck::Silence, IntegrityCheck::RateDrop,
        IntegrityCheck::ClockSkew, IntegrityCheck::LevelDrop, IntegrityCheck::RotationGap};
    for (std::size_t i = 0; i < CheckNames.size(); ++i)
        if (CheckNames[i] == name)
            return Checks[i];
    return IntegrityCheck::None;
}

/// The state fields of a rule back to their defaults, for a rule whose kind changes.
void resetState(DetectionRule& rule)
{
    const DetectionRule defaults;
    rule.windowNs = defaults.windowNs;
    rule.count = defaults.count;
    rule.distinct.reset();
    rule.by.clear();
    rule.baselineNs = defaults.baselineNs;
    rule.baselineRequests = defaults.baselineRequests;
    rule.newValueOf.reset();
    rule.then.clear();
    rule.expandedThen.clear();
    rule.thenQuery = {};
    rule.check = IntegrityCheck::None;
    rule.factor = 0;
}

bool sameSettings(const DetectionSettings& a, const DetectionSettings& b)
{
    return a.productionNamespaces == b.productionNamespaces
        && a.maintenanceWindows == b.maintenanceWindows && a.privateRanges == b.privateRanges;
}

/// The YAML nodes of one entry whose values a later check may point at.
struct EntryNodes
{
    // (A default-constructed YAML::Node is a defined null, hence the optionals.)
    YAML::Node entry;
    std::optional<YAML::Node> match, then, matchKey, thenKey;
    bool severityGiven = false; ///< the severity has a default, so whether it was written
};

class RulesDecoder
{
public:
    RulesDecoder(std::string_view text, const std::string& file, RuleSet& set)
        : m_text(text)
        , m_file(file)
        , m_set(set)
    { }

    void apply(const YAML::Node& root);

private:
    void report(
        Severity severity, const YAML::Node& at, const std::string& ruleId, std::string message);
    void error(const YAML::Node& at, const std::string& ruleId, std::string message)
    {
        report(Severity::Error, at, ruleId, std::move(message));
    }
    void warning(const YAML::Node& at, const std::string& ruleId, std::string message)
    {
        report(Severity::Warning, at, ruleId, std::move(message));
    }
    void reportAt(
        Severity severity, int line, int column, const std::string& ruleId, std::string message)
    {
        m_set.diagnostics.push_back({severity, m_file, line, column, ruleId, std::move(message)});
    }

    // Scalars and lists; each reports its own problem and returns nullopt.
    std::optional<std::string> text(
        const YAML::Node& v, const std::string& id, std::string_view key, bool allowEmpty = false);
    std::optional<std::vector<std::string>> textList(
        const YAML::Node& v, const std::string& id, std::string_view key);
    std::optional<bool> boolean(const YAML::Node& v, const std::string& id, std::string_view key);
    std::optional<long long> integer(
        const YAML::Node& v, const std::string& id, std::string_view key, long long min);
    std::optional<std::int64_t> duration(
        const YAML::Node& v, const std::string& id, std::string_view key, bool allowZero);
    std::optional<QueryField> keyField(
        const YAML::Node& v, const std::string& id, std::string_view key);
    std::optional<std::vector<QueryField>> keyFields(
        const YAML::Node& v, const std::string& id, std::string_view key);
    /// The key/value pairs of a mapping (non-scalar keys are warned about and skipped).
    std::vector<std::pair<YAML::Node, YAML::Node>> pairs(const YAML::Node& map,
        const std::string& id, std::string_view where, const std::vector<std::string_view>& known);

    void decodeSettings(const YAML::Node& node);
    std::vector<std::string> settingsList(const YAML::Node& value, std::string_view key);
    void decodeRules(const YAML::Node& node);
    void decodeEntry(const YAML::Node& entry);
    bool decodeField(const YAML::Node& key, const YAML::Node& value, DetectionRule& rule,
        EntryNodes& nodes, std::string& stateKey);
    bool decodeState(const YAML::Node& key, const YAML::Node& value, DetectionRule& rule);
    bool decodeThreshold(const YAML::Node& key, const YAML::Node& value, DetectionRule& rule);
    bool decodeFirstSeen(const YAML::Node& value, DetectionRule& rule);
    bool decodeSequence(
        const YAML::Node& key, const YAML::Node& value, DetectionRule& rule, EntryNodes& nodes);
    bool decodeIntegrity(const YAML::Node& key, const YAML::Node& value, DetectionRule& rule);
    bool checkComplete(const DetectionRule& rule, bool isNew, const EntryNodes& nodes);
    bool compile(DetectionRule& rule, const EntryNodes& nodes);
    void recompileUntouched(const YAML::Node& settingsNode);

    std::string_view m_text;
    const std::string& m_file;
    RuleSet& m_set;
    std::map<std::string, int> m_seenIds; ///< id → line of its entry in this document
    std::vector<bool> m_touched; ///< per rule of m_set: replaced or added by this document
};

void RulesDecoder::report(
    Severity severity, const YAML::Node& at, const std::string& ruleId, std::string message)
{
    const YAML::Mark mark = at.Mark();
    const bool located = !mark.is_null() && mark.line >= 0;
    reportAt(severity, located ? mark.line + 1 : 0, located ? mark.column + 1 : 0, ruleId,
        std::move(message));
}

std::optional<std::string> RulesDecoder::text(
    const YAML::Node& v, const std::string& id, std::string_view key, bool allowEmpty)
{
    if (!v.IsScalar()) {
        error(v, id, std::string(key) + " must be text, not " + describe(v));
        return std::nullopt;
    }
    if (!allowEmpty && v.Scalar().empty()) {
        error(v, id, std::string(key) + " is empty");
        return std::nullopt;
    }
    return v.Scalar();
}

std::optional<std::vector<std::string>> RulesDecoder::textList(
    const YAML::Node& v, const std::string& id, std::string_view key)
{
    std::vector<std::string> out;
    if (v.IsScalar()) // one item written without brackets
        return std::vector<std::string>{v.Scalar()};
    if (v.IsNull())
        return out;
    if (!v.IsSequence()) {
        error(v, id, std::string(key) + " must be a list of text, not " + describe(v));
        return std::nullopt;
    }
    for (const YAML::Node& item : v) {
        if (!item.IsScalar()) {
            error(item, id,
                "the items of " + std::string(key) + " must be text, not " + describe(item));
            return std::nullopt;
        }
        out.push_back(item.Scalar());
    }
    return out;
}

std::optional<bool> RulesDecoder::boolean(
    const YAML::Node& v, const std::string& id, std::string_view key)
{
    bool value = false;
    if (v.IsScalar() && policy_detail::isGoYamlBool(v.Scalar(), &value))
        return value;
    error(v, id, std::string(key) + " must be true or false, not " + describe(v));
    return std::nullopt;
}

std::optional<long long> RulesDecoder::integer(
    const YAML::Node& v, const std::string& id, std::string_view key, long long min)
{
    long long value = 0;
    if (v.IsScalar()) {
        const std::string& s = v.Scalar();
        const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
        if (ec == std::errc() && end == s.data() + s.size() && !s.empty() && value >= min
            && value <= 1'000'000'000)
            return value;
    }
    error(v, id,
        std::string(key) + " must be a whole number from " + std::to_string(min) + ", not "
            + describe(v));
    return std::nullopt;
}

std::optional<std::int64_t> RulesDecoder::duration(
    const YAML::Node& v, const std::string& id, std::string_view key, bool allowZero)
{
    if (v.IsScalar()) {
        const std::optional<std::int64_t> ns = parseRuleDuration(v.Scalar());
        if (ns && (*ns > 0 || allowZero))
            return ns;
        if (ns) {
            error(v, id, std::string(key) + " must be longer than 0");
            return std::nullopt;
        }
    }
    error(v, id,
        "bad duration " + describe(v) + " for " + std::string(key)
            + ": use a number and a unit, e.g. 500ms, 60s, 5m, 36h, 7d");
    return std::nullopt;
}

std::optional<QueryField> RulesDecoder::keyField(
    const YAML::Node& v, const std::string& id, std::string_view key)
{
    if (!v.IsScalar()) {
        error(v, id, std::string(key) + " must be a field name, not " + describe(v));
        return std::nullopt;
    }
    if (const std::optional<QueryField> field = parseKeyField(v.Scalar()))
        return field;
    std::string message = "unknown field " + quotedKey(v.Scalar()) + " in " + std::string(key);
    const std::string close = didYouMean(v.Scalar(), keyFieldNames());
    message += close.empty() ? "; use user, ip, useragent, verb, resource, ns, name, group, as, "
                               "code, apigroup or subresource"
                             : "; did you mean " + quotedKey(close) + "?";
    error(v, id, message);
    return std::nullopt;
}

std::optional<std::vector<QueryField>> RulesDecoder::keyFields(
    const YAML::Node& v, const std::string& id, std::string_view key)
{
    std::vector<QueryField> out;
    if (v.IsScalar()) {
        const std::optional<QueryField> f = keyField(v, id, key);
        if (!f)
            return std::nullopt;
        out.push_back(*f);
        return out;
    }
    if (!v.IsSequence() || v.size() == 0) {
        error(v, id,
            std::string(key) + " must be a list of one or more field names, not " + describe(v));
        return std::nullopt;
    }
    for (const YAML::Node& item : v) {
        const std::optional<QueryField> f = keyField(item, id, key);
        if (!f)
            return std::nullopt;
        out.push_back(*f);
    }
    return out;
}

std::vector<std::pair<YAML::Node, YAML::Node>> RulesDecoder::pairs(const YAML::Node& map,
    const std::string& id, std::string_view where, const std::vector<std::string_view>& known)
{
    std::vector<std::pair<YAML::Node, YAML::Node>> out;
    for (auto it = map.begin(); it != map.end(); ++it) {
        const YAML::Node key = it->first;
        if (!key.IsScalar()) {
            warning(key, id, "a key in " + std::string(where) + " must be text (ignored)");
            continue;
        }
        if (std::find(known.begin(), known.end(), key.Scalar()) == known.end()) {
            warning(key, id, unknownKeyMessage(key.Scalar(), where, known));
            continue;
        }
        out.emplace_back(key, it->second);
    }
    return out;
}

void RulesDecoder::apply(const YAML::Node& root)
{
    if (root.IsNull())
        return; // an empty file: nothing to change
    if (!root.IsMap()) {
        error(root, "",
            "a rules file is a mapping with 'settings:' and 'rules:', not " + describe(root));
        return;
    }
    m_touched.assign(m_set.rules.size(), false);
    std::optional<YAML::Node> settings, rules;
    for (const auto& [key, value] : pairs(root, "", "the rules file", TopLevelKeys))
        (key.Scalar() == "settings" ? settings : rules) = value;
    const DetectionSettings before = m_set.settings;
    if (settings)
        decodeSettings(*settings);
    if (rules)
        decodeRules(*rules);
    if (settings && !sameSettings(before, m_set.settings))
        recompileUntouched(*settings);
}

std::vector<std::string> RulesDecoder::settingsList(const YAML::Node& value, std::string_view key)
{
    std::vector<std::string> out;
    const std::optional<std::vector<std::string>> items = textList(value, "", key);
    if (!items)
        return out;
    // Items are checked one by one: a bad one is left out, the others apply.
    const auto itemNode = [&](std::size_t i) { return value.IsSequence() ? value[i] : value; };
    for (std::size_t i = 0; i < items->size(); ++i) {
        const std::string& item = (*items)[i];
        std::string problem;
        if (key == "productionNamespaces" && !validNamespaceGlob(item))
            problem = "bad namespace " + quotedKey(item)
                + ": use lower-case letters, digits, '-' and '*' (a glob)";
        else if (key == "privateRanges" && !isValidIpOrCidr(item))
            problem = "bad address range " + quotedKey(item) + ": use CIDRs such as 10.0.0.0/8";
        else if (key == "maintenanceWindows")
            problem = maintenanceWindowError(item);
        if (problem.empty())
            out.push_back(item);
        else
            error(itemNode(i), "", problem + " (left out)");
    }
    return out;
}

void RulesDecoder::decodeSettings(const YAML::Node& node)
{
    if (node.IsNull())
        return;
    if (!node.IsMap()) {
        error(node, "", "settings must be a mapping, not " + describe(node));
        return;
    }
    for (const auto& [key, value] : pairs(node, "", "settings", SettingsKeys)) {
        const std::string& name = key.Scalar();
        std::vector<std::string> items = settingsList(value, name);
        if (name == "productionNamespaces")
            m_set.settings.productionNamespaces = std::move(items);
        else if (name == "maintenanceWindows")
            m_set.settings.maintenanceWindows = std::move(items);
        else
            m_set.settings.privateRanges = std::move(items);
    }
}

void RulesDecoder::decodeRules(const YAML::Node& node)
{
    if (node.IsNull())
        return;
    if (!node.IsSequence()) {
        error(node, "", "rules must be a list of rules ('- id: ...'), not " + describe(node));
        return;
    }
    for (const YAML::Node& entry : node)
        decodeEntry(entry);
}

void RulesDecoder::decodeEntry(const YAML::Node& entry)
{
    if (!entry.IsMap()) {
        error(entry, "",
            "a rule is a mapping (id, title, severity, why, match, ...), not " + describe(entry));
        return;
    }
    std::optional<YAML::Node> idValue;
    for (auto it = entry.begin(); it != entry.end(); ++it)
        if (it->first.IsScalar() && it->first.Scalar() == "id")
            idValue = it->second;
    if (!idValue) {
        error(entry, "", "a rule without an id (left out)");
        return;
    }
    const YAML::Node idNode = *idValue;
    const std::optional<std::string> id = text(idNode, "", "id");
    if (!id)
        return;
    if (!validRuleId(*id)) {
        error(idNode, "", "bad id " + quotedKey(*id) + ": use lower-case letters, digits and '-'");
        return;
    }
    const int line = entry.Mark().line + 1;
    if (const auto [seen, added] = m_seenIds.emplace(*id, line); !added) {
        error(idNode, *id,
            "duplicate id: the rule at line " + std::to_string(seen->second)
                + " has it already (left out)");
        return;
    }
    const auto existing = std::find_if(m_set.rules.begin(), m_set.rules.end(),
        [&](const DetectionRule& r) { return r.id == *id; });
    const bool isNew = existing == m_set.rules.end();
    DetectionRule rule = isNew ? DetectionRule{} : *existing;
    rule.id = *id;
    EntryNodes nodes;
    nodes.entry = entry;
    std::string stateKey;
    bool ok = true;
    bool onlyDisables = true;
    for (const auto& [key, value] : pairs(entry, *id, "a rule", RuleKeys)) {
        if (key.Scalar() != "id" && key.Scalar() != "disabled")
            onlyDisables = false;
        if (key.Scalar() != "id")
            ok = decodeField(key, value, rule, nodes, stateKey) && ok;
    }
    if (isNew && onlyDisables) {
        std::vector<std::string_view> ids;
        for (const DetectionRule& r : m_set.rules)
            ids.push_back(r.id);
        const std::string close = didYouMean(*id, ids);
        warning(idNode, *id,
            "there is no rule " + *id + " to change"
                + (close.empty() ? std::string() : "; did you mean " + quotedKey(close) + "?")
                + " (ignored)");
        return;
    }
    if (!ok || !checkComplete(rule, isNew, nodes) || !compile(rule, nodes))
        return;
    rule.origin = {m_file, entry.Mark().line + 1, entry.Mark().column + 1};
    if (isNew) {
        m_set.rules.push_back(std::move(rule));
        m_touched.push_back(true);
    } else {
        m_touched[static_cast<std::size_t>(existing - m_set.rules.begin())] = true;
        *existing = std::move(rule);
    }
}

bool RulesDecoder::decodeField(const YAML::Node& key, const YAML::Node& value, DetectionRule& rule,
    EntryNodes& nodes, std::string& stateKey)
{
    const std::string& name = key.Scalar();
    const std::string& id = rule.id;
    if (name == "title" || name == "why" || name == "match") {
        const std::optional<std::string> s = text(value, id, name);
        if (!s)
            return false;
        if (name == "match") {
            nodes.match = value;
            nodes.matchKey = key;
        }
        (name == "title" ? rule.title : name == "why" ? rule.why : rule.match) = *s;
        return true;
    }
    if (name == "severity") {
        const std::optional<std::string> s = text(value, id, name);
        const std::optional<FindingSeverity> severity = s ? parseFindingSeverity(*s) : std::nullopt;
        if (s && !severity)
            error(value, id,
                "unknown severity " + quotedKey(*s) + ": use info, low, medium, high or critical");
        if (severity)
            rule.severity = *severity;
        nodes.severityGiven = true;
        return severity.has_value();
    }
    if (name == "references" || name == "mitre") {
        std::optional<std::vector<std::string>> items = textList(value, id, name);
        if (!items)
            return false;
        if (name == "references") {
            rule.references = std::move(*items);
            return true;
        }
        rule.mitre.clear();
        for (std::size_t i = 0; i < items->size(); ++i) {
            if (validMitreId((*items)[i]))
                rule.mitre.push_back((*items)[i]);
            else
                warning(value.IsSequence() ? value[i] : value, id,
                    "bad ATT&CK technique id " + quotedKey((*items)[i])
                        + ": use T1234 or T1234.001 (left out)");
        }
        return true;
    }
    if (name == "outsideMaintenance" || name == "disabled") {
        const std::optional<bool> b = boolean(value, id, name);
        if (b && name == "disabled")
            rule.enabled = !*b;
        else if (b)
            rule.outsideMaintenance = *b;
        return b.has_value();
    }
    // A state block: threshold, firstSeen, sequence or integrity.
    if (!stateKey.empty()) {
        error(key, id,
            "a rule has at most one of threshold, firstSeen, sequence and integrity; "
                + quotedKey(stateKey) + " came first");
        return false;
    }
    stateKey = name;
    if (name == "sequence")
        return decodeSequence(key, value, rule, nodes);
    return decodeState(key, value, rule);
}

bool RulesDecoder::decodeState(const YAML::Node& key, const YAML::Node& value, DetectionRule& rule)
{
    if (!value.IsMap()) {
        error(value, rule.id, key.Scalar() + " must be a mapping, not " + describe(value));
        return false;
    }
    if (key.Scalar() == "threshold")
        return decodeThreshold(key, value, rule);
    if (key.Scalar() == "firstSeen")
        return decodeFirstSeen(value, rule);
    return decodeIntegrity(key, value, rule);
}

bool RulesDecoder::decodeThreshold(
    const YAML::Node& key, const YAML::Node& value, DetectionRule& rule)
{
    // An override of a threshold keeps the parameters it does not give.
    if (rule.kind != RuleKind::Threshold)
        resetState(rule);
    rule.kind = RuleKind::Threshold;
    bool ok = true;
    for (const auto& [k, v] : pairs(value, rule.id, "threshold", ThresholdKeys)) {
        const std::string& name = k.Scalar();
        if (name == "count") {
            const std::optional<long long> n = integer(v, rule.id, "count", 1);
            ok = ok && n;
            rule.count = n ? static_cast<int>(*n) : rule.count;
        } else if (name == "window") {
            const std::optional<std::int64_t> ns = duration(v, rule.id, "window", false);
            ok = ok && ns;
            rule.windowNs = ns.value_or(rule.windowNs);
        } else if (name == "by") {
            std::optional<std::vector<QueryField>> by = keyFields(v, rule.id, "by");
            ok = ok && by;
            if (by)
                rule.by = std::move(*by);
        } else {
            const std::optional<QueryField> f = keyField(v, rule.id, "distinct");
            ok = ok && f;
            rule.distinct = f;
        }
    }
    if (ok && (rule.count == 0 || rule.windowNs == 0)) {
        error(key, rule.id, "threshold needs a count and a window, e.g. {count: 10, window: 60s}");
        return false;
    }
    return ok;
}

bool RulesDecoder::decodeFirstSeen(const YAML::Node& value, DetectionRule& rule)
{
    if (rule.kind != RuleKind::FirstSeen)
        resetState(rule);
    rule.kind = RuleKind::FirstSeen;
    bool ok = true;
    for (const auto& [k, v] : pairs(value, rule.id, "firstSeen", FirstSeenKeys)) {
        const std::string& name = k.Scalar();
        if (name == "by") {
            std::optional<std::vector<QueryField>> by = keyFields(v, rule.id, "by");
            ok = ok && by;
            if (by)
                rule.by = std::move(*by);
        } else if (name == "baseline") {
            const std::optional<std::int64_t> ns = duration(v, rule.id, "baseline", true);
            ok = ok && ns;
            rule.baselineNs = ns.value_or(rule.baselineNs);
        } else if (name == "baselineRequests") {
            const std::optional<long long> n = integer(v, rule.id, "baselineRequests", 0);
            ok = ok && n;
            rule.baselineRequests = n ? static_cast<int>(*n) : rule.baselineRequests;
        } else {
            const std::optional<QueryField> f = keyField(v, rule.id, "newValueOf");
            ok = ok && f;
            rule.newValueOf = f;
        }
    }
    return ok;
}

bool RulesDecoder::decodeSequence(
    const YAML::Node& key, const YAML::Node& value, DetectionRule& rule, EntryNodes& nodes)
{
    if (!value.IsMap()) {
        error(value, rule.id, "sequence must be a mapping, not " + describe(value));
        return false;
    }
    if (rule.kind != RuleKind::Sequence)
        resetState(rule);
    rule.kind = RuleKind::Sequence;
    bool ok = true;
    for (const auto& [k, v] : pairs(value, rule.id, "sequence", SequenceKeys)) {
        const std::string& name = k.Scalar();
        if (name == "then") {
            const std::optional<std::string> s = text(v, rule.id, "then");
            ok = ok && s;
            rule.then = s.value_or(rule.then);
            nodes.then = v;
            nodes.thenKey = k;
        } else if (name == "window") {
            const std::optional<std::int64_t> ns = duration(v, rule.id, "window", false);
            ok = ok && ns;
            rule.windowNs = ns.value_or(rule.windowNs);
        } else {
            std::optional<std::vector<QueryField>> by = keyFields(v, rule.id, "by");
            ok = ok && by;
            if (by)
                rule.by = std::move(*by);
        }
    }
    if (ok && (rule.then.empty() || rule.windowNs == 0)) {
        error(key, rule.id,
            "sequence needs then and a window, e.g. {then: 'verb:create', window: 5m}");
        return false;
    }
    return ok;
}

bool RulesDecoder::decodeIntegrity(
    const YAML::Node& key, const YAML::Node& value, DetectionRule& rule)
{
    if (rule.kind != RuleKind::Integrity)
        resetState(rule);
    rule.kind = RuleKind::Integrity;
    bool ok = true;
    for (const auto& [k, v] : pairs(value, rule.id, "integrity", IntegrityKeys)) {
        if (k.Scalar() == "check") {
            const std::optional<std::string> s = text(v, rule.id, "check");
            const IntegrityCheck check = s ? checkFromName(*s) : IntegrityCheck::None;
            if (s && check == IntegrityCheck::None) {
                const std::string close = didYouMean(*s, CheckNames);
                error(v, rule.id,
                    "unknown check " + quotedKey(*s)
                        + (close.empty() ? std::string(
                               ": use silence, ratedrop, clockskew, leveldrop or rotationgap")
                                         : "; did you mean " + quotedKey(close) + "?"));
            }
            ok = ok && check != IntegrityCheck::None;
            rule.check = check == IntegrityCheck::None ? rule.check : check;
            continue;
        }
        double factor = 0;
        const std::string s = v.IsScalar() ? v.Scalar() : std::string();
        const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), factor);
        if (ec != std::errc() || end != s.data() + s.size() || s.empty() || !(factor > 0)) {
            error(v, rule.id, "factor must be a number above 0, not " + describe(v));
            ok = false;
        } else {
            rule.factor = factor;
        }
    }
    if (ok && rule.check == IntegrityCheck::None) {
        error(key, rule.id,
            "integrity needs a check: silence, ratedrop, clockskew, leveldrop "
            "or rotationgap");
        return false;
    }
    return ok;
}

bool RulesDecoder::checkComplete(const DetectionRule& rule, bool isNew, const EntryNodes& nodes)
{
    bool ok = true;
    const auto require = [&](bool present, const char* what) {
        if (!present) {
            error(nodes.entry, rule.id, std::string("a new rule needs ") + what + " (left out)");
            ok = false;
        }
    };
    if (isNew) {
        require(!rule.title.empty(), "a title");
        require(nodes.severityGiven, "a severity");
    }
    if (rule.kind == RuleKind::Integrity) {
        if (nodes.matchKey) {
            error(*nodes.matchKey, rule.id,
                "an integrity rule has no match: it checks the log "
                "itself");
            ok = false;
        }
    } else if (rule.match.empty()) {
        if (isNew)
            require(false, "a match");
        else {
            error(nodes.entry, rule.id, "this rule needs a match");
            ok = false;
        }
    }
    return ok;
}

bool RulesDecoder::compile(DetectionRule& rule, const EntryNodes& nodes)
{
    if (rule.kind == RuleKind::Integrity) {
        rule.match.clear();
        rule.expandedMatch.clear();
        rule.matchQuery = {};
        return true;
    }
    std::size_t offset = 0;
    bool inThen = false;
    const std::string problem = compileRule(rule, m_set.settings, offset, inThen);
    if (problem.empty())
        return true;
    const std::optional<YAML::Node>& value = inThen ? nodes.then : nodes.match;
    const std::string where = inThen ? "then: " : "match: ";
    std::optional<TextPos> pos;
    if (value && !value->Mark().is_null())
        pos = scalarValuePosition(m_text, static_cast<std::size_t>(value->Mark().pos), offset);
    if (pos)
        reportAt(Severity::Error, pos->line + 1, pos->column + 1, rule.id, where + problem);
    else // the match came from the rule being changed, not from this entry
        error(value ? *value : nodes.entry, rule.id, where + problem);
    return false;
}

void RulesDecoder::recompileUntouched(const YAML::Node& settingsNode)
{
    for (std::size_t i = 0; i < m_set.rules.size();) {
        DetectionRule& rule = m_set.rules[i];
        std::size_t offset = 0;
        bool inThen = false;
        const std::string problem = rule.kind == RuleKind::Integrity || m_touched[i]
            ? std::string()
            : compileRule(rule, m_set.settings, offset, inThen);
        if (problem.empty()) {
            ++i;
            continue;
        }
        // Settings are checked item by item, so this takes an unusual glob or range.
        error(settingsNode, rule.id,
            "with these settings the rule's " + std::string(inThen ? "then" : "match")
                + " is no longer valid: " + problem + " (left out)");
        m_set.rules.erase(m_set.rules.begin() + static_cast<std::ptrdiff_t>(i));
        m_touched.erase(m_touched.begin() + static_cast<std::ptrdiff_t>(i));
    }
}

} // namespace

std::string compileRule(
    DetectionRule& rule, const DetectionSettings& settings, std::size_t& offset, bool& inThen)
{
    const auto compileOne = [&](const std::string& written, std::string& expanded,
                                Query& query) -> std::string {
        if (const std::optional<std::size_t> at = findingTermOffset(written)) {
            offset = *at;
            return "a rule cannot use finding: or severity (they read the findings of rules)";
        }
        std::vector<MacroSpan> spans;
        expanded = expandMacros(written, settings, &spans);
        ParseResult parsed = parseQuery(expanded);
        if (!parsed.ok()) {
            offset = unexpandedOffset(parsed.error.offset, spans);
            return parsed.error.message;
        }
        if (const QueryNode* policyTerm = firstPolicyTerm(*parsed.query)) {
            offset = unexpandedOffset(policyTerm->offset, spans);
            return "a rule cannot use rule:, policylevel:, emitted: or policychange: (they read "
                   "the policy editor's result, which detection does not have)";
        }
        query = std::move(*parsed.query);
        return {};
    };
    inThen = false;
    std::string problem = compileOne(rule.match, rule.expandedMatch, rule.matchQuery);
    if (!problem.empty() || rule.kind != RuleKind::Sequence)
        return problem;
    inThen = true;
    return compileOne(rule.then, rule.expandedThen, rule.thenQuery);
}

void applyRulesDocument(
    const YAML::Node& root, std::string_view text, const std::string& file, RuleSet& set)
{
    RulesDecoder(text, file, set).apply(root);
}

} // namespace auditscope::detect_detail

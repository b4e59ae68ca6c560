// SPDX-License-Identifier: Apache-2.0
#include "policyreader.h"

#include "policy/policyvalidation.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

namespace auditscope {

namespace {

using Severity = PolicyDiagnostic::Severity;

SourcePos posOf(const YAML::Node& node)
{
    const YAML::Mark mark = node.Mark();
    if (mark.is_null())
        return {};
    return {mark.line + 1, mark.column + 1};
}

/// What a YAML scalar resolves to under go-yaml v2 (the resolver sigs.k8s.io/yaml uses).
enum class Kind { Null, Bool, Int, Float, String, Sequence, Map };

const char* kindName(Kind kind)
{
    switch (kind) {
    case Kind::Null:
        return "null";
    case Kind::Bool:
        return "bool";
    case Kind::Int:
        return "number";
    case Kind::Float:
        return "number";
    case Kind::String:
        return "string";
    case Kind::Sequence:
        return "array";
    case Kind::Map:
        return "object";
    }
    return "value";
}

bool isGoYamlBool(std::string_view s, bool* value)
{
    static constexpr std::array<std::string_view, 12> Trues = {
        "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON", ""};
    static constexpr std::array<std::string_view, 12> Falses = {
        "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF", ""};
    if (s.empty())
        return false;
    if (std::find(Trues.begin(), Trues.end(), s) != Trues.end()) {
        if (value)
            *value = true;
        return true;
    }
    if (std::find(Falses.begin(), Falses.end(), s) != Falses.end()) {
        if (value)
            *value = false;
        return true;
    }
    return false;
}

bool allOf(std::string_view s, const char* set)
{
    return !s.empty() && s.find_first_not_of(set) == std::string_view::npos;
}

/// strconv.ParseInt(s, 0, 64) syntax (sign, 0x/0o/0b prefixes, leading-0 octal).
bool isGoInt(std::string_view s)
{
    if (!s.empty() && (s[0] == '+' || s[0] == '-'))
        s.remove_prefix(1);
    if (s.empty())
        return false;
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        return allOf(s.substr(2), "0123456789abcdefABCDEF");
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'O'))
        return allOf(s.substr(2), "01234567");
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B'))
        return allOf(s.substr(2), "01");
    if (s[0] == '0')
        return allOf(s, "01234567");
    return allOf(s, "0123456789");
}

/// go-yaml v2's yamlStyleFloat: ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$
bool isYamlFloat(std::string_view s)
{
    std::size_t i = 0;
    auto digits = [&] {
        const std::size_t start = i;
        while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])))
            ++i;
        return i > start;
    };
    if (i < s.size() && (s[i] == '+' || s[i] == '-'))
        ++i;
    if (i < s.size() && s[i] == '.') {
        ++i;
        if (!digits())
            return false;
    } else {
        if (!digits())
            return false;
        if (i < s.size() && s[i] == '.') {
            ++i;
            digits();
        }
    }
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        if (i < s.size() && (s[i] == '+' || s[i] == '-'))
            ++i;
        if (!digits())
            return false;
    }
    return i == s.size();
}

Kind resolvePlain(std::string_view s)
{
    if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL")
        return Kind::Null;
    if (isGoYamlBool(s, nullptr))
        return Kind::Bool;
    static constexpr std::array<std::string_view, 12> Special = {".inf", ".Inf", ".INF", "+.inf",
        "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", ".nan", ".NaN", ".NAN"};
    if (std::find(Special.begin(), Special.end(), s) != Special.end())
        return Kind::Float;
    std::string plain(s);
    plain.erase(std::remove(plain.begin(), plain.end(), '_'), plain.end());
    if (!(std::isdigit(static_cast<unsigned char>(s[0])) || s[0] == '+' || s[0] == '-'
            || s[0] == '.'))
        return Kind::String;
    if (s[0] != '.' && isGoInt(plain))
        return Kind::Int;
    if (isYamlFloat(plain))
        return Kind::Float;
    return Kind::String;
}

Kind kindOf(const YAML::Node& node)
{
    switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
        return Kind::Null;
    case YAML::NodeType::Sequence:
        return Kind::Sequence;
    case YAML::NodeType::Map:
        return Kind::Map;
    case YAML::NodeType::Scalar:
        break;
    }
    const std::string& tag = node.Tag();
    const std::string& text = node.Scalar();
    if (tag == "?")
        return resolvePlain(text);
    static const std::string Core = "tag:yaml.org,2002:";
    if (tag.rfind(Core, 0) == 0) {
        const std::string t = tag.substr(Core.size());
        if (t == "null")
            return Kind::Null;
        if (t == "bool")
            return Kind::Bool;
        if (t == "int")
            return Kind::Int;
        if (t == "float")
            return Kind::Float;
    }
    return Kind::String; // "!" (quoted, block scalar), !!str, !!timestamp, custom tags
}

std::string describe(const YAML::Node& node, Kind kind)
{
    if (node.Type() == YAML::NodeType::Scalar)
        return std::string(kindName(kind)) + " " + node.Scalar();
    return kindName(kind);
}

/// Levenshtein-free "did you mean": same letters ignoring case, or a known singular/plural.
std::string suggestKey(std::string_view key, std::initializer_list<std::string_view> known)
{
    auto lower = [](std::string_view s) {
        std::string out(s);
        std::transform(out.begin(), out.end(), out.begin(),
            [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        return out;
    };
    const std::string k = lower(key);
    for (const std::string_view candidate : known) {
        const std::string c = lower(candidate);
        if (c == k || c == k + "s" || c + "s" == k)
            return std::string(candidate);
    }
    return {};
}

class Decoder
{
public:
    /// `text` is what yaml-cpp parsed; `baseOffset` the bytes before it in the caller's text
    /// (a byte order mark), added to span offsets.
    Decoder(
        std::vector<PolicyDiagnostic>& diagnostics, std::string_view text, std::size_t baseOffset)
        : m_diagnostics(diagnostics)
        , m_text(text)
        , m_baseOffset(baseOffset)
    { }

    bool failed() const { return m_failed; }

    void decodeTop(const YAML::Node& root, Policy& policy)
    {
        if (kindOf(root) == Kind::Null) {
            error(posOf(root), "", "the policy is empty");
            return;
        }
        if (root.Type() != YAML::NodeType::Map) {
            error(posOf(root), "",
                "a policy must be an object (apiVersion, kind, rules, ...), not "
                    + describe(root, kindOf(root)));
            return;
        }
        std::optional<std::string> apiVersion, kind;
        SourcePos apiVersionPos, kindPos;
        YAML::Node dataNode;
        forEachField(root, "",
            {"apiVersion", "kind", "metadata", "omitStages", "omitManagedFields", "rules"},
            [&](const std::string& key, const YAML::Node& value, const std::string& path) {
                if (key == "apiVersion") {
                    apiVersionPos = posOf(value);
                    apiVersion = stringField(value, path);
                } else if (key == "kind") {
                    kindPos = posOf(value);
                    kind = stringField(value, path);
                } else if (key == "metadata") {
                    const Kind k = kindOf(value);
                    if (k != Kind::Null && k != Kind::Map)
                        error(posOf(value), path,
                            std::string("metadata must be an object, not ") + kindName(k));
                } else if (key == "omitStages") {
                    policy.omitStages = stringList(value, path);
                } else if (key == "omitManagedFields") {
                    policy.omitManagedFieldsPos = posOf(value);
                    policy.omitManagedFields = boolField(value, path).value_or(false);
                } else if (key == "rules") {
                    policy.rulesPos = posOf(value);
                    policy.rules = rules(value, path);
                } else if (key == "data") {
                    dataNode = value;
                }
            });
        checkTypeMeta(root, apiVersion, apiVersionPos, kind, kindPos, dataNode);
    }

private:
    void add(Severity severity, SourcePos pos, std::string path, std::string message)
    {
        m_diagnostics.push_back(
            {severity, pos.line, pos.column, std::move(path), std::move(message)});
        if (severity == Severity::Error)
            m_failed = true;
    }
    void error(SourcePos pos, std::string path, std::string message)
    {
        add(Severity::Error, pos, std::move(path), std::move(message));
    }
    void warning(SourcePos pos, std::string path, std::string message)
    {
        add(Severity::Warning, pos, std::move(path), std::move(message));
    }

    static std::string join(const std::string& path, std::string_view key)
    {
        return path.empty() ? std::string(key) : path + "." + std::string(key);
    }

    /// Calls `onField` for each known key, in text order; the last of duplicate keys wins
    /// because later calls overwrite. Unknown keys are warnings (strict decoding fails,
    /// lenient decoding ignores them); `data` is passed through for the ConfigMap hint.
    void forEachField(const YAML::Node& map, const std::string& path,
        std::initializer_list<std::string_view> known,
        const std::function<void(const std::string&, const YAML::Node&, const std::string&)>&
            onField)
    {
        std::set<std::string> seen;
        for (auto it = map.begin(); it != map.end(); ++it) {
            const YAML::Node keyNode = it->first;
            const YAML::Node value = it->second;
            std::string key;
            const Kind keyKind = kindOf(keyNode);
            if (keyNode.Type() == YAML::NodeType::Scalar) {
                key = keyNode.Scalar();
                bool b = false;
                if (keyKind == Kind::Bool && isGoYamlBool(key, &b))
                    key = b ? "true" : "false"; // sigs.k8s.io/yaml stringifies bool keys
            } else {
                warning(posOf(keyNode), path,
                    std::string("ignored a key that is ") + kindName(keyKind) + ", not a string");
                continue;
            }
            const std::string fieldPath = join(path, key);
            if (!seen.insert(key).second)
                warning(posOf(keyNode), fieldPath,
                    "duplicate key \"" + key
                        + "\": strict decoding fails, so kube-apiserver decodes leniently "
                          "and the last value wins");
            if (std::find(known.begin(), known.end(), key) == known.end()) {
                std::string message = "unknown field \"" + key + "\" is ignored";
                const std::string suggestion = suggestKey(key, known);
                if (!suggestion.empty() && suggestion.size() == key.size())
                    message +=
                        " (field names are case-sensitive; did you mean \"" + suggestion + "\"?)";
                else if (!suggestion.empty())
                    message += " (did you mean \"" + suggestion + "\"?)";
                warning(posOf(keyNode), fieldPath, message);
                if (key == "data" && path.empty())
                    onField(key, value, fieldPath);
                continue;
            }
            onField(key, value, fieldPath);
        }
    }

    std::optional<std::string> stringField(const YAML::Node& node, const std::string& path)
    {
        const Kind kind = kindOf(node);
        if (kind == Kind::Null)
            return std::string();
        if (kind != Kind::String) {
            error(posOf(node), path,
                "expected a string, found " + describe(node, kind) + quoteHint(kind));
            return std::nullopt;
        }
        return node.Scalar();
    }

    static std::string quoteHint(Kind kind)
    {
        if (kind == Kind::Bool)
            return " (YAML 1.1 reads unquoted y/n/yes/no/on/off/true/false as booleans; "
                   "quote it)";
        if (kind == Kind::Int || kind == Kind::Float)
            return " (quote it)";
        return {};
    }

    std::optional<bool> boolField(const YAML::Node& node, const std::string& path)
    {
        const Kind kind = kindOf(node);
        if (kind == Kind::Null)
            return std::nullopt;
        bool value = false;
        if (kind == Kind::Bool) {
            const std::string& text = node.Scalar();
            if (!isGoYamlBool(text, &value))
                value = text == "true" || text == "True" || text == "TRUE";
            return value;
        }
        error(posOf(node), path, "expected true or false, found " + describe(node, kind));
        return std::nullopt;
    }

    StringList stringList(const YAML::Node& node, const std::string& path)
    {
        StringList list;
        list.pos = posOf(node);
        const Kind kind = kindOf(node);
        if (kind == Kind::Null)
            return list;
        if (kind != Kind::Sequence) {
            error(posOf(node), path,
                "expected a list of strings, found " + describe(node, kind)
                    + (kind == Kind::String ? " (write [\"" + node.Scalar() + "\"])" : ""));
            return list;
        }
        std::size_t i = 0;
        for (const YAML::Node& item : node) {
            const std::string itemPath = path + "[" + std::to_string(i++) + "]";
            const std::optional<std::string> value = stringField(item, itemPath);
            list.values.push_back(value.value_or(std::string()));
            list.positions.push_back(posOf(item));
        }
        return list;
    }

    std::vector<PolicyRule> rules(const YAML::Node& node, const std::string& path)
    {
        std::vector<PolicyRule> result;
        const Kind kind = kindOf(node);
        if (kind == Kind::Null)
            return result;
        if (kind != Kind::Sequence) {
            error(posOf(node), path, "expected a list of rules, found " + describe(node, kind));
            return result;
        }
        std::size_t i = 0;
        std::size_t previousBegin = NoOffset;
        for (const YAML::Node& item : node) {
            const std::string rulePath = path + "[" + std::to_string(i++) + "]";
            PolicyRule rule;
            rule.pos = posOf(item);
            rule.span = itemSpan(item, node.Style() == YAML::EmitterStyle::Flow, previousBegin);
            const Kind itemKind = kindOf(item);
            if (itemKind == Kind::Map) {
                forEachField(item, rulePath,
                    {"level", "users", "userGroups", "verbs", "resources", "namespaces",
                        "nonResourceURLs", "omitStages", "omitManagedFields"},
                    [&](const std::string& key, const YAML::Node& value, const std::string& p) {
                        if (key == "level") {
                            rule.levelPos = posOf(value);
                            rule.level = stringField(value, p).value_or(std::string());
                        } else if (key == "users") {
                            rule.users = stringList(value, p);
                        } else if (key == "userGroups") {
                            rule.userGroups = stringList(value, p);
                        } else if (key == "verbs") {
                            rule.verbs = stringList(value, p);
                        } else if (key == "resources") {
                            rule.resourcesPos = posOf(value);
                            rule.resources = groupResources(value, p);
                        } else if (key == "namespaces") {
                            rule.namespaces = stringList(value, p);
                        } else if (key == "nonResourceURLs") {
                            rule.nonResourceURLs = stringList(value, p);
                        } else if (key == "omitStages") {
                            rule.omitStages = stringList(value, p);
                        } else if (key == "omitManagedFields") {
                            rule.omitManagedFieldsPos = posOf(value);
                            rule.omitManagedFields = boolField(value, p);
                        }
                    });
            } else if (itemKind != Kind::Null) {
                error(posOf(item), rulePath,
                    "expected a rule object, found " + describe(item, itemKind));
            }
            rule.parsedLevel = parseLevel(rule.level);
            result.push_back(std::move(rule));
        }
        return result;
    }

    std::vector<GroupResources> groupResources(const YAML::Node& node, const std::string& path)
    {
        std::vector<GroupResources> result;
        const Kind kind = kindOf(node);
        if (kind == Kind::Null)
            return result;
        if (kind != Kind::Sequence) {
            error(posOf(node), path,
                "expected a list of {group, resources, resourceNames} entries, found "
                    + describe(node, kind));
            return result;
        }
        std::size_t i = 0;
        for (const YAML::Node& item : node) {
            const std::string entryPath = path + "[" + std::to_string(i++) + "]";
            GroupResources entry;
            entry.pos = posOf(item);
            const Kind itemKind = kindOf(item);
            if (itemKind == Kind::Map) {
                forEachField(item, entryPath, {"group", "resources", "resourceNames"},
                    [&](const std::string& key, const YAML::Node& value, const std::string& p) {
                        if (key == "group") {
                            entry.groupPos = posOf(value);
                            entry.group = stringField(value, p).value_or(std::string());
                        } else if (key == "resources") {
                            entry.resources = stringList(value, p);
                        } else if (key == "resourceNames") {
                            entry.resourceNames = stringList(value, p);
                        }
                    });
            } else if (itemKind != Kind::Null) {
                error(posOf(item), entryPath,
                    "expected a {group, resources, resourceNames} object, found "
                        + describe(item, itemKind));
            }
            result.push_back(std::move(entry));
        }
        return result;
    }

    void checkTypeMeta(const YAML::Node& root, const std::optional<std::string>& apiVersion,
        SourcePos apiVersionPos, const std::optional<std::string>& kind, SourcePos kindPos,
        const YAML::Node& dataNode)
    {
        const SourcePos rootPos = posOf(root);
        bool hasApiVersionKey = apiVersionPos.line != 0;
        if (!hasApiVersionKey || (apiVersion && apiVersion->empty())) {
            error(hasApiVersionKey ? apiVersionPos : rootPos, "apiVersion",
                "apiVersion is missing: kube-apiserver rejects the policy (\"unknown group "
                "version field in policy\"); add `apiVersion: audit.k8s.io/v1`");
        } else if (apiVersion && *apiVersion != "audit.k8s.io/v1") {
            if (*apiVersion == "audit.k8s.io/v1beta1" || *apiVersion == "audit.k8s.io/v1alpha1")
                error(apiVersionPos, "apiVersion",
                    "apiVersion " + *apiVersion
                        + " was removed in Kubernetes 1.24 and no longer loads; change it to "
                          "`apiVersion: audit.k8s.io/v1` (the Policy fields are the same)");
            else
                error(apiVersionPos, "apiVersion",
                    "unsupported apiVersion \"" + *apiVersion
                        + "\": an audit policy must use `apiVersion: audit.k8s.io/v1`");
        }
        const bool hasKindKey = kindPos.line != 0;
        if (!hasKindKey || (kind && kind->empty())) {
            if (hasApiVersionKey)
                warning(hasKindKey ? kindPos : rootPos, "kind",
                    "kind is missing; kube-apiserver defaults it to Policy from the "
                    "apiVersion (by code reading, not verified); add `kind: Policy`");
        } else if (kind && *kind != "Policy") {
            std::string message = "kind must be Policy, not \"" + *kind + "\"";
            if (*kind == "ConfigMap" && dataNode && dataNode.Type() == YAML::NodeType::Map)
                message += ": this is a ConfigMap that wraps policy documents in `data`; "
                           "check one of its entries on its own";
            error(kindPos, "kind", message);
        }
    }

    // --- Source spans -------------------------------------------------------------------
    // yaml-cpp marks only where a node starts; where it ends is found in the text.

    static constexpr std::size_t NoOffset = std::string_view::npos;

    /// Offset one past the end of the line that contains `offset`, without the newline and
    /// without trailing spaces or a comment (a '#' after a space).
    std::size_t lineContentEnd(std::size_t offset) const
    {
        std::size_t lineEnd = m_text.find('\n', offset);
        if (lineEnd == NoOffset)
            lineEnd = m_text.size();
        std::size_t end = lineEnd;
        for (std::size_t k = offset; k < lineEnd; ++k)
            if (m_text[k] == '#' && k > offset && (m_text[k - 1] == ' ' || m_text[k - 1] == '\t')) {
                end = k;
                break;
            }
        while (end > offset
            && (m_text[end - 1] == ' ' || m_text[end - 1] == '\t' || m_text[end - 1] == '\r'))
            --end;
        return end;
    }

    std::size_t indentOfLineAt(std::size_t offset) const
    {
        const std::size_t lineStart = offset == 0 ? 0 : m_text.rfind('\n', offset - 1) + 1;
        std::size_t k = lineStart;
        while (k < m_text.size() && m_text[k] == ' ')
            ++k;
        return k - lineStart;
    }

    /// The end (exclusive byte offset) of the scalar that starts at `p`.
    std::size_t scalarEnd(const YAML::Node& node, std::size_t p) const
    {
        const char c = m_text[p];
        if (c == '"') {
            for (std::size_t k = p + 1; k < m_text.size(); ++k) {
                if (m_text[k] == '\\')
                    ++k;
                else if (m_text[k] == '"')
                    return k + 1;
            }
            return m_text.size();
        }
        if (c == '\'') {
            for (std::size_t k = p + 1; k < m_text.size(); ++k) {
                if (m_text[k] != '\'')
                    continue;
                if (k + 1 < m_text.size() && m_text[k + 1] == '\'')
                    ++k; // '' is an escaped quote
                else
                    return k + 1;
            }
            return m_text.size();
        }
        if (c == '|' || c == '>') {
            // Block scalar: every following line that is blank or indented deeper than the line
            // of its header belongs to it.
            const std::size_t indent = indentOfLineAt(p);
            std::size_t end = lineContentEnd(p);
            std::size_t lineStart = m_text.find('\n', p);
            while (lineStart != NoOffset && ++lineStart < m_text.size()) {
                std::size_t k = lineStart;
                while (k < m_text.size() && m_text[k] == ' ')
                    ++k;
                std::size_t lineEnd = m_text.find('\n', lineStart);
                if (lineEnd == NoOffset)
                    lineEnd = m_text.size();
                const bool blank =
                    m_text.substr(k, lineEnd - k).find_first_not_of(" \t\r") == NoOffset;
                if (!blank && k - lineStart <= indent)
                    break;
                if (!blank) {
                    end = lineEnd;
                    while (end > k && (m_text[end - 1] == '\r' || m_text[end - 1] == ' '))
                        --end;
                }
                lineStart = lineEnd;
            }
            return end;
        }
        // Plain scalar: its text is its value unless it is folded over several lines.
        const std::string& value = node.Scalar();
        if (!value.empty() && m_text.compare(p, value.size(), value) == 0)
            return p + value.size();
        return lineContentEnd(p);
    }

    /// The end (exclusive byte offset) of `node`, or NoOffset when it has no position.
    std::size_t nodeEnd(const YAML::Node& node) const
    {
        const YAML::Mark mark = node.Mark();
        if (mark.is_null() || mark.pos < 0 || static_cast<std::size_t>(mark.pos) >= m_text.size())
            return NoOffset;
        const auto start = static_cast<std::size_t>(mark.pos);
        std::size_t end = start;
        auto extend = [&](const YAML::Node& child) {
            const YAML::Mark m = child.Mark();
            // An alias refers to a node written earlier: its mark is not inside this node.
            if (m.is_null() || m.pos < mark.pos)
                return;
            const std::size_t e = nodeEnd(child);
            if (e != NoOffset)
                end = std::max(end, e);
        };
        switch (node.Type()) {
        case YAML::NodeType::Scalar:
            return scalarEnd(node, start);
        case YAML::NodeType::Sequence:
            for (const YAML::Node& item : node)
                extend(item);
            break;
        case YAML::NodeType::Map:
            for (auto it = node.begin(); it != node.end(); ++it) {
                extend(it->first);
                extend(it->second);
            }
            break;
        default:
            return NoOffset;
        }
        if (node.Style() == YAML::EmitterStyle::Flow) {
            // Past the last item: spaces, commas and comments, then the closing bracket.
            std::size_t k = end == start ? start + 1 : end;
            while (k < m_text.size()) {
                const char c = m_text[k];
                if (c == ']' || c == '}')
                    return k + 1;
                if (c == '#')
                    k = m_text.find('\n', k) == NoOffset ? m_text.size() : m_text.find('\n', k);
                else
                    ++k;
            }
            return m_text.size();
        }
        return end;
    }

    SourcePos posAtOffset(std::size_t offset) const
    {
        if (m_lineStarts.empty()) {
            m_lineStarts.push_back(0);
            for (std::size_t k = 0; k < m_text.size(); ++k)
                if (m_text[k] == '\n')
                    m_lineStarts.push_back(k + 1);
        }
        const auto it = std::upper_bound(m_lineStarts.begin(), m_lineStarts.end(), offset) - 1;
        return {
            static_cast<int>(it - m_lineStarts.begin()) + 1, static_cast<int>(offset - *it) + 1};
    }

    /// The span of a rule: from its '-' indicator (block lists) or its own start (flow lists)
    /// to its end. `previousBegin` is the start of the previous rule; a rule that does not
    /// start after it is an alias and gets no span.
    SourceSpan itemSpan(const YAML::Node& item, bool flowList, std::size_t& previousBegin) const
    {
        SourceSpan span;
        const YAML::Mark mark = item.Mark();
        if (mark.is_null() || mark.pos < 0 || static_cast<std::size_t>(mark.pos) >= m_text.size())
            return span;
        std::size_t begin = static_cast<std::size_t>(mark.pos);
        if (previousBegin != NoOffset && begin <= previousBegin)
            return span;
        std::size_t end = nodeEnd(item);
        if (end == NoOffset || end < begin)
            end = begin;
        if (!flowList) {
            std::size_t k = begin;
            while (k > 0
                && (m_text[k - 1] == ' ' || m_text[k - 1] == '\t' || m_text[k - 1] == '\n'
                    || m_text[k - 1] == '\r'))
                --k;
            if (k > 0 && m_text[k - 1] == '-')
                begin = k - 1;
        }
        previousBegin = static_cast<std::size_t>(mark.pos);
        span.begin = posAtOffset(begin);
        span.end = posAtOffset(end);
        span.beginOffset = begin + m_baseOffset;
        span.endOffset = end + m_baseOffset;
        return span;
    }

    std::vector<PolicyDiagnostic>& m_diagnostics;
    std::string_view m_text;
    std::size_t m_baseOffset = 0;
    mutable std::vector<std::size_t> m_lineStarts; ///< filled on first use
    bool m_failed = false;
};

/// Returns the 0-based byte offset of the first invalid UTF-8 sequence, or npos.
std::size_t firstInvalidUtf8(std::string_view s)
{
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            ++i;
            continue;
        }
        int extra = 0;
        std::uint32_t cp = 0;
        if ((c & 0xE0) == 0xC0) {
            extra = 1;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            extra = 2;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            extra = 3;
            cp = c & 0x07;
        } else {
            return i;
        }
        if (i + static_cast<std::size_t>(extra) >= s.size())
            return i;
        for (int k = 1; k <= extra; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0) != 0x80)
                return i;
            cp = (cp << 6) | (cc & 0x3F);
        }
        if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800)
            || (extra == 3 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF))
            return i;
        i += static_cast<std::size_t>(extra) + 1;
    }
    return std::string_view::npos;
}

SourcePos posOfOffset(std::string_view s, std::size_t offset)
{
    SourcePos pos{1, 1};
    for (std::size_t i = 0; i < offset && i < s.size(); ++i) {
        if (s[i] == '\n') {
            ++pos.line;
            pos.column = 1;
        } else if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
            ++pos.column;
        }
    }
    return pos;
}

/// Byte-level checks before yaml-cpp sees the text: encoding, control characters, tab
/// indentation and nesting depth (yaml-cpp recurses per level, so depth is bounded first).
bool preScan(
    std::string_view text, const PolicyReadLimits& limits, std::vector<PolicyDiagnostic>& out)
{
    auto fail = [&](std::size_t offset, std::string message) {
        const SourcePos pos = posOfOffset(text, offset);
        out.push_back({Severity::Error, pos.line, pos.column, "", std::move(message)});
        return false;
    };
    if (text.size() > limits.maxBytes)
        return fail(0,
            "the policy is larger than " + std::to_string(limits.maxBytes)
                + " bytes; refusing to read it");
    if (const std::size_t bad = firstInvalidUtf8(text); bad != std::string_view::npos)
        return fail(bad, "invalid UTF-8 byte sequence; a policy must be UTF-8 text");
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F)
            return fail(i,
                "control character 0x" + std::string(1, "0123456789abcdef"[c >> 4])
                    + std::string(1, "0123456789abcdef"[c & 15]) + " is not allowed in YAML");
    }

    // Approximate structural depth: block indentation levels + leading "- " items on a line +
    // open flow brackets. Over-estimates a little, which is fine for a limit of 200.
    std::vector<int> indents;
    int flow = 0;
    char quote = 0;
    bool inBlockScalar = false;
    int blockScalarIndent = -1;
    std::size_t lineStart = 0;
    while (lineStart <= text.size()) {
        std::size_t lineEnd = text.find('\n', lineStart);
        if (lineEnd == std::string_view::npos)
            lineEnd = text.size();
        const std::string_view line = text.substr(lineStart, lineEnd - lineStart);
        std::size_t indent = 0;
        while (indent < line.size() && line[indent] == ' ')
            ++indent;
        const bool blank = line.find_first_not_of(" \t\r") == std::string_view::npos;
        if (inBlockScalar) {
            if (blank || static_cast<int>(indent) > blockScalarIndent) {
                lineStart = lineEnd + 1;
                continue;
            }
            inBlockScalar = false;
        }
        if (flow == 0 && quote == 0 && !blank && indent < line.size() && line[indent] == '\t')
            return fail(lineStart + indent,
                "tab character in indentation; YAML indentation must use spaces");
        int depth = 0;
        std::size_t i = indent;
        if (flow == 0 && quote == 0 && !blank && line[indent] != '#') {
            while (!indents.empty() && indents.back() >= static_cast<int>(indent))
                indents.pop_back();
            indents.push_back(static_cast<int>(indent));
            while (
                i < line.size() && line[i] == '-' && (i + 1 == line.size() || line[i + 1] == ' ')) {
                ++depth;
                i += 2;
                while (i < line.size() && line[i] == ' ')
                    ++i;
            }
        }
        char prev = ' ';
        char lastSignificant = 0;
        for (; i < line.size(); ++i) {
            const char c = line[i];
            if (quote) {
                if (c == '\\' && quote == '"')
                    ++i;
                else if (c == quote)
                    quote = 0;
            } else if (c == '#' && (prev == ' ' || prev == '\t')) {
                break;
            } else if ((c == '"' || c == '\'')
                && (lastSignificant == 0 || lastSignificant == ':' || lastSignificant == '-'
                    || lastSignificant == '[' || lastSignificant == '{' || lastSignificant == ','
                    || lastSignificant == '?')) {
                quote = c;
            } else if (c == '[' || c == '{') {
                ++flow;
            } else if ((c == ']' || c == '}') && flow > 0) {
                --flow;
            }
            if (c != ' ' && c != '\t' && c != '\r')
                lastSignificant = quote && c != quote ? 'x' : c;
            prev = c;
            const int total = static_cast<int>(indents.size()) + depth + flow;
            if (total > limits.maxDepth)
                return fail(lineStart + i,
                    "the policy nests deeper than " + std::to_string(limits.maxDepth)
                        + " levels; refusing to read it");
        }
        if (static_cast<int>(indents.size()) + depth + flow > limits.maxDepth)
            return fail(lineStart,
                "the policy nests deeper than " + std::to_string(limits.maxDepth)
                    + " levels; refusing to read it");
        // A block scalar header ("key: |", "- >-") makes the following deeper lines text.
        if (quote == 0 && flow == 0) {
            std::string_view content = line.substr(0, std::min(line.size(), i));
            while (!content.empty()
                && (content.back() == ' ' || content.back() == '\r' || content.back() == '\t'))
                content.remove_suffix(1);
            std::size_t k = content.size();
            while (k > 0
                && (std::isdigit(static_cast<unsigned char>(content[k - 1]))
                    || content[k - 1] == '+' || content[k - 1] == '-'))
                --k;
            if (k > 0 && (content[k - 1] == '|' || content[k - 1] == '>')
                && (k == 1 || content[k - 2] == ' ')) {
                inBlockScalar = true;
                blockScalarIndent = static_cast<int>(indent);
            }
        }
        lineStart = lineEnd + 1;
    }
    return true;
}

/// Counts nodes as go-yaml would materialise them (aliases expanded), up to `budget`.
bool withinExpansionBudget(const YAML::Node& node, std::size_t& budget, int depth, int maxDepth)
{
    if (budget == 0 || depth > maxDepth)
        return false;
    --budget;
    if (node.Type() == YAML::NodeType::Sequence) {
        for (const YAML::Node& item : node)
            if (!withinExpansionBudget(item, budget, depth + 1, maxDepth))
                return false;
    } else if (node.Type() == YAML::NodeType::Map) {
        for (auto it = node.begin(); it != node.end(); ++it) {
            if (!withinExpansionBudget(it->first, budget, depth + 1, maxDepth)
                || !withinExpansionBudget(it->second, budget, depth + 1, maxDepth))
                return false;
        }
    }
    return true;
}

bool hasError(const std::vector<PolicyDiagnostic>& diagnostics)
{
    return std::any_of(diagnostics.begin(), diagnostics.end(),
        [](const PolicyDiagnostic& d) { return d.severity == Severity::Error; });
}

} // namespace

PolicyReadResult readPolicy(std::string_view text, const PolicyReadLimits& limits)
{
    PolicyReadResult result;
    std::size_t bomBytes = 0;
    if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") {
        text.remove_prefix(3); // a UTF-8 byte order mark is allowed
        bomBytes = 3;
    }
    if (!preScan(text, limits, result.diagnostics))
        return result;
    try {
        std::vector<YAML::Node> documents = YAML::LoadAll(std::string(text));
        // A trailing "---" adds an empty document; only real documents count.
        std::vector<YAML::Node> real;
        for (const YAML::Node& doc : documents)
            if (doc.Type() != YAML::NodeType::Null || documents.size() == 1)
                real.push_back(doc);
        if (real.empty()) {
            result.diagnostics.push_back({Severity::Error, 1, 1, "", "the policy is empty"});
            return result;
        }
        if (real.size() > 1) {
            const SourcePos pos = posOf(real[1]);
            result.diagnostics.push_back({Severity::Error, pos.line, pos.column, "",
                "the file holds " + std::to_string(real.size())
                    + " YAML documents; a policy file must hold exactly one Policy"});
            return result;
        }
        std::size_t budget = limits.maxExpandedNodes;
        if (!withinExpansionBudget(real[0], budget, 0, limits.maxDepth + 8)) {
            result.diagnostics.push_back({Severity::Error, 1, 1, "",
                "the document expands to more than " + std::to_string(limits.maxExpandedNodes)
                    + " nodes or nests too deeply through aliases (excessive aliasing); "
                      "refusing to read it"});
            return result;
        }
        Decoder decoder(result.diagnostics, text, bomBytes);
        decoder.decodeTop(real[0], result.policy);
    } catch (const YAML::Exception& e) {
        const SourcePos pos =
            e.mark.is_null() ? SourcePos{} : SourcePos{e.mark.line + 1, e.mark.column + 1};
        result.diagnostics.push_back(
            {Severity::Error, pos.line, pos.column, "", "YAML syntax error: " + e.msg});
    } catch (const std::exception& e) {
        result.diagnostics.push_back(
            {Severity::Error, 0, 0, "", std::string("could not read the policy: ") + e.what()});
    }
    result.decoded = !hasError(result.diagnostics);
    return result;
}

PolicyLoadResult loadPolicy(std::string_view text, const PolicyReadLimits& limits)
{
    PolicyReadResult read = readPolicy(text, limits);
    PolicyLoadResult result;
    result.diagnostics = std::move(read.diagnostics);
    result.policy = std::move(read.policy);
    result.decoded = read.decoded;
    if (read.decoded) {
        std::vector<PolicyDiagnostic> validation = validatePolicy(result.policy);
        result.diagnostics.insert(result.diagnostics.end(), validation.begin(), validation.end());
        if (result.policy.rules.empty()) {
            const SourcePos pos = result.policy.rulesPos;
            result.diagnostics.push_back({Severity::Error, pos.line, pos.column, "rules",
                "loaded illegal policy with 0 rules: kube-apiserver refuses a policy without "
                "rules"});
        }
    }
    result.loadable = !hasError(result.diagnostics);
    return result;
}

PolicyLoadResult loadPolicyFile(const std::string& path, const PolicyReadLimits& limits)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        PolicyLoadResult result;
        result.diagnostics.push_back(
            {Severity::Error, 0, 0, "", "cannot open policy file " + path});
        return result;
    }
    std::string text;
    in.seekg(0, std::ios::end);
    const std::streamoff size = in.tellg();
    if (size > static_cast<std::streamoff>(limits.maxBytes)) {
        PolicyLoadResult result;
        result.diagnostics.push_back({Severity::Error, 0, 0, "",
            "the policy file is larger than " + std::to_string(limits.maxBytes) + " bytes"});
        return result;
    }
    in.seekg(0, std::ios::beg);
    text.resize(static_cast<std::size_t>(std::max<std::streamoff>(size, 0)));
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    return loadPolicy(text, limits);
}

} // namespace auditscope

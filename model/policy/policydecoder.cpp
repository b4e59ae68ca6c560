// SPDX-License-Identifier: Apache-2.0
#include "policydecoder.h"

#include "policy/yamlscalar.h"
#include "policy/yamlsourcepositions.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>

namespace auditscope::policy_detail {

namespace {

using Severity = PolicyDiagnostic::Severity;

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

/// One pass over a document's nodes: reads the fields it knows into a Policy, and reports
/// what kube-apiserver's decoder would reject (Error) or ignore (Warning).
class Decoder
{
public:
    /// `text` is what yaml-cpp parsed; `baseOffset` the bytes before it in the caller's text
    /// (a byte order mark), added to span offsets.
    Decoder(
        std::vector<PolicyDiagnostic>& diagnostics, std::string_view text, std::size_t baseOffset)
        : m_diagnostics(diagnostics)
        , m_positions(text, baseOffset)
    { }

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

    /// One key/value pair of a mapping after its merge keys are applied.
    struct Field
    {
        YAML::Node key, value;
        SourcePos mergedAt; ///< the "<<" that brought it in; 0:0 when written in the mapping
    };

    /// A plain "<<" (or one tagged !!merge): go-yaml's merge key. A quoted "<<" is a string.
    static bool isMergeKey(const YAML::Node& key)
    {
        return key.Type() == YAML::NodeType::Scalar && key.Scalar() == "<<"
            && (key.Tag() == "?" || key.Tag() == "tag:yaml.org,2002:merge");
    }

    /// Where the value of the merge key `key` was written: an alias's mark is its anchor's,
    /// so it is found in the text, after "<<:".
    SourcePos mergeValuePos(const YAML::Node& key, const YAML::Node& value) const
    {
        if (!value.Mark().is_null() && value.Mark().pos > key.Mark().pos)
            return posOf(value);
        return m_positions.positionAfterMergeKey(key);
    }

    /// Appends the pairs of `map` to `out` as go-yaml v2 decodes them into a map: in text
    /// order, a merge key's mapping (or each mapping of its list, last first) in its place, and
    /// the last value of a key wins. So "<<" overrides keys written before it, keys written
    /// after it override it, and an earlier mapping of the list overrides a later one.
    bool flattenMerges(const YAML::Node& map, const std::string& path, SourcePos mergedAt,
        int depth, std::vector<Field>& out)
    {
        if (depth > MaxMergeDepth) {
            error(posOf(map), join(path, "<<"),
                "merge keys nest more than " + std::to_string(MaxMergeDepth)
                    + " deep; refusing to read them");
            return false;
        }
        bool ok = true;
        for (auto it = map.begin(); it != map.end(); ++it) {
            if (!isMergeKey(it->first)) {
                out.push_back({it->first, it->second, mergedAt});
                continue;
            }
            const SourcePos at = mergedAt.line ? mergedAt : posOf(it->first);
            const YAML::Node value = it->second;
            if (value.Type() == YAML::NodeType::Map) {
                ok = flattenMerges(value, path, at, depth + 1, out) && ok;
            } else if (value.Type() == YAML::NodeType::Sequence
                && std::all_of(value.begin(), value.end(),
                    [](const YAML::Node& n) { return n.Type() == YAML::NodeType::Map; })) {
                std::vector<YAML::Node> maps(value.begin(), value.end());
                for (auto m = maps.rbegin(); m != maps.rend(); ++m)
                    ok = flattenMerges(*m, path, at, depth + 1, out) && ok;
            } else {
                badMerge(it->first, value, path);
                ok = false;
            }
        }
        return ok;
    }

    void badMerge(const YAML::Node& key, const YAML::Node& value, const std::string& path)
    {
        SourcePos pos = mergeValuePos(key, value);
        std::string what = describe(value, kindOf(value));
        if (value.Type() == YAML::NodeType::Sequence) {
            for (const YAML::Node& item : value)
                if (item.Type() != YAML::NodeType::Map) {
                    what = "a list holding " + describe(item, kindOf(item));
                    if (!item.Mark().is_null() && item.Mark().pos > key.Mark().pos)
                        pos = posOf(item);
                    break;
                }
        }
        error(pos, join(path, "<<"),
            "map merge requires a mapping or a list of mappings after \"<<\", not " + what
                + "; kube-apiserver fails to decode the policy (\"map merge requires map or "
                  "sequence of maps as the value\")");
    }

    /// "written at 4:3" or "merged in by << at 9:3".
    static std::string origin(const Field& field)
    {
        const SourcePos written = posOf(field.key);
        if (!field.mergedAt.line)
            return "written at " + std::to_string(written.line) + ":"
                + std::to_string(written.column);
        return "merged in by << at " + std::to_string(field.mergedAt.line) + ":"
            + std::to_string(field.mergedAt.column);
    }

    void duplicateWarning(const Field& earlier, const Field& later, const std::string& key,
        const std::string& fieldPath)
    {
        if (!earlier.mergedAt.line && !later.mergedAt.line) {
            warning(posOf(later.key), fieldPath,
                "duplicate key \"" + key
                    + "\": strict decoding fails, so kube-apiserver decodes leniently "
                      "and the last value wins");
            return;
        }
        warning(later.mergedAt.line ? later.mergedAt : posOf(later.key), fieldPath,
            "key \"" + key + "\" is set twice (" + origin(earlier) + ", then " + origin(later)
                + "): strict decoding fails (\"already set in map\"), so kube-apiserver "
                  "decodes leniently and the value "
                + origin(later) + " wins");
    }

    /// Calls `onField` for each known key, in text order with merge keys applied; the last of
    /// duplicate keys wins because later calls overwrite. Unknown keys are warnings (strict
    /// decoding fails, lenient decoding ignores them); `data` is passed through for the
    /// ConfigMap hint.
    void forEachField(const YAML::Node& map, const std::string& path,
        std::initializer_list<std::string_view> known,
        const std::function<void(const std::string&, const YAML::Node&, const std::string&)>&
            onField)
    {
        std::vector<Field> fields;
        flattenMerges(map, path, {}, 0, fields);
        std::map<std::string, std::size_t> seen;
        for (std::size_t i = 0; i < fields.size(); ++i) {
            const YAML::Node& keyNode = fields[i].key;
            const YAML::Node& value = fields[i].value;
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
            if (const auto [it, inserted] = seen.emplace(key, i); !inserted) {
                duplicateWarning(fields[it->second], fields[i], key, fieldPath);
                it->second = i;
            }
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
        std::size_t previousBegin = YamlSourcePositions::NoOffset;
        for (const YAML::Node& item : node) {
            const std::string rulePath = path + "[" + std::to_string(i++) + "]";
            PolicyRule rule;
            rule.pos = posOf(item);
            rule.span =
                m_positions.itemSpan(item, node.Style() == YAML::EmitterStyle::Flow, previousBegin);
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

    /// Merges through aliases can chain; go-yaml's alias ratio stops long chains well before.
    static constexpr int MaxMergeDepth = 1000;

    std::vector<PolicyDiagnostic>& m_diagnostics;
    YamlSourcePositions m_positions;
};

} // namespace

void decodePolicy(const YAML::Node& root, std::string_view text, std::size_t baseOffset,
    Policy& policy, std::vector<PolicyDiagnostic>& diagnostics)
{
    Decoder(diagnostics, text, baseOffset).decodeTop(root, policy);
}

} // namespace auditscope::policy_detail

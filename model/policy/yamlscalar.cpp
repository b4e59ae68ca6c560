// SPDX-License-Identifier: Apache-2.0
#include "yamlscalar.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace auditscope::policy_detail {

namespace {

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

} // namespace

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

} // namespace auditscope::policy_detail

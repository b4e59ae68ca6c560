// SPDX-License-Identifier: Apache-2.0
#include "detect/rulefields.h"

#include "query/querychars.h"

#include <algorithm>
#include <array>
#include <climits>

namespace auditscope::detect_detail {

namespace {

constexpr std::int64_t NsPerMs = 1'000'000;

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

bool isWordChar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || isDigit(c) || c == '_';
}

/// Minutes since midnight of "HH:MM" (00:00 .. 24:00), or -1.
int parseClock(std::string_view s)
{
    if (s.size() != 5 || s[2] != ':' || !isDigit(s[0]) || !isDigit(s[1]) || !isDigit(s[3])
        || !isDigit(s[4]))
        return -1;
    const int hours = (s[0] - '0') * 10 + (s[1] - '0');
    const int minutes = (s[3] - '0') * 10 + (s[4] - '0');
    if (minutes > 59 || hours > 24 || (hours == 24 && minutes != 0))
        return -1;
    return hours * 60 + minutes;
}

/// The or-list a macro stands for: `(a or b)`; `(" ")` (a value no namespace or address
/// has) when the setting is empty, so `ns:$production` then matches nothing.
std::string orList(const std::vector<std::string>& values)
{
    if (values.empty())
        return "(\" \")";
    std::string out = "(";
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i > 0)
            out += " or ";
        out += values[i];
    }
    return out + ')';
}

bool macroMayStartAfter(char c)
{
    return isQuerySpace(c) || c == ':' || c == '(' || c == '=';
}

/// Bytes of the UTF-8 encoding of code point `cp`.
std::size_t utf8Length(std::uint32_t cp)
{
    return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

std::uint32_t hexValue(std::string_view text, std::size_t from, std::size_t digits)
{
    std::uint32_t value = 0;
    for (std::size_t k = 0; k < digits && from + k < text.size(); ++k) {
        const char c = asciiLower(text[from + k]);
        const int d = isDigit(c) ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : 0;
        value = (value << 4) | static_cast<std::uint32_t>(d);
    }
    return value;
}

TextPos positionOf(std::string_view text, std::size_t offset)
{
    TextPos pos;
    std::size_t lineStart = 0;
    for (std::size_t i = 0; i < offset && i < text.size(); ++i)
        if (text[i] == '\n') {
            ++pos.line;
            lineStart = i + 1;
        }
    pos.column = static_cast<int>(offset - lineStart);
    return pos;
}

/// From a line break at `i` (or spaces before one): skips the break, blank lines and the next
/// line's indentation, and returns how many value bytes that run folds into (`literal`: one
/// per break; otherwise one space, or one newline per blank line).
std::size_t skipLineBreak(std::string_view text, std::size_t& i, bool literal, std::size_t indent)
{
    std::size_t breaks = 0;
    while (i < text.size()) {
        std::size_t j = i;
        while (j < text.size() && (text[j] == ' ' || text[j] == '\t' || text[j] == '\r'))
            ++j;
        if (j >= text.size() || text[j] != '\n')
            break;
        ++breaks;
        i = j + 1;
    }
    std::size_t skipped = 0;
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')
        && (indent == 0 || skipped < indent)) {
        ++i;
        ++skipped;
    }
    if (literal)
        return breaks;
    return breaks <= 1 ? 1 : breaks - 1;
}

} // namespace

std::optional<std::int64_t> parseRuleDuration(std::string_view text)
{
    if (text == "0")
        return 0;
    if (text.empty())
        return std::nullopt;
    std::int64_t total = 0;
    std::size_t i = 0;
    while (i < text.size()) {
        std::int64_t number = 0;
        const std::size_t digitsStart = i;
        while (i < text.size() && isDigit(text[i])) {
            if (number > INT64_MAX / 10)
                return std::nullopt;
            number = number * 10 + (text[i++] - '0');
        }
        if (i == digitsStart)
            return std::nullopt;
        std::int64_t unit = 0;
        if (text.substr(i, 2) == "ms") {
            unit = NsPerMs;
            i += 2;
        } else if (i < text.size()) {
            switch (text[i]) {
            case 's':
                unit = 1000 * NsPerMs;
                break;
            case 'm':
                unit = 60'000 * NsPerMs;
                break;
            case 'h':
                unit = 3'600'000 * NsPerMs;
                break;
            case 'd':
                unit = 86'400'000 * NsPerMs;
                break;
            default:
                return std::nullopt;
            }
            ++i;
        } else {
            return std::nullopt; // a number without a unit
        }
        std::int64_t part = 0;
        if (__builtin_mul_overflow(number, unit, &part)
            || __builtin_add_overflow(total, part, &total))
            return std::nullopt;
    }
    return total;
}

const std::vector<std::string_view>& keyFieldNames()
{
    static const std::vector<std::string_view> names{"user", "ip", "useragent", "ua", "verb",
        "resource", "subresource", "ns", "namespace", "name", "group", "as", "code", "apigroup"};
    return names;
}

std::optional<QueryField> parseKeyField(std::string_view name)
{
    static constexpr std::array<std::pair<std::string_view, QueryField>, 14> Fields{{
        {"user", QueryField::User},
        {"ip", QueryField::Ip},
        {"useragent", QueryField::UserAgent},
        {"ua", QueryField::UserAgent},
        {"verb", QueryField::Verb},
        {"resource", QueryField::Resource},
        {"subresource", QueryField::Subresource},
        {"ns", QueryField::Namespace},
        {"namespace", QueryField::Namespace},
        {"name", QueryField::Name},
        {"group", QueryField::Group},
        {"as", QueryField::As},
        {"code", QueryField::Code},
        {"apigroup", QueryField::ApiGroup},
    }};
    for (const auto& [alias, field] : Fields)
        if (asciiIEquals(alias, name))
            return field;
    return std::nullopt;
}

std::string maintenanceWindowError(std::string_view text)
{
    static constexpr std::array<std::string_view, 8> Days{
        "daily", "mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    const std::size_t space = text.find(' ');
    if (space == std::string_view::npos)
        return "expected a day and a time range, e.g. \"Sat 02:00-06:00\" or \"daily "
               "03:00-04:00\"";
    const std::string_view day = text.substr(0, space);
    std::string_view range = text.substr(space + 1);
    while (!range.empty() && range.front() == ' ')
        range.remove_prefix(1);
    if (std::none_of(
            Days.begin(), Days.end(), [&](std::string_view d) { return asciiIEquals(d, day); }))
        return "unknown day '" + std::string(day)
            + "': use daily or Mon, Tue, Wed, Thu, Fri, Sat, Sun";
    const std::size_t dash = range.find('-');
    const int start = dash == std::string_view::npos ? -1 : parseClock(range.substr(0, dash));
    const int end = dash == std::string_view::npos ? -1 : parseClock(range.substr(dash + 1));
    if (start < 0 || end < 0)
        return "bad time range '" + std::string(range)
            + "': use HH:MM-HH:MM (UTC), e.g. 02:00-06:00";
    if (start == end)
        return "the window " + std::string(range) + " is empty";
    return {};
}

std::string didYouMean(std::string_view word, const std::vector<std::string_view>& candidates)
{
    std::string_view best;
    std::size_t bestDistance = SIZE_MAX;
    for (std::string_view c : candidates) {
        const std::size_t d = asciiEditDistance(word, c);
        if (d < bestDistance) {
            bestDistance = d;
            best = c;
        }
    }
    if (best.empty() || bestDistance > std::max<std::size_t>(2, word.size() / 3))
        return {};
    return std::string(best);
}

std::string expandMacros(
    std::string_view match, const DetectionSettings& settings, std::vector<MacroSpan>* spans)
{
    static constexpr std::string_view Production = "$production", Private = "$private";
    std::string out;
    out.reserve(match.size());
    char quote = 0;
    for (std::size_t i = 0; i < match.size(); ++i) {
        const char c = match[i];
        if (quote) {
            out += c;
            if (c == '\\' && i + 1 < match.size())
                out += match[++i];
            else if (c == '"')
                quote = 0;
            continue;
        }
        if (c == '"') {
            quote = c;
            out += c;
            continue;
        }
        const bool boundary = i == 0 || macroMayStartAfter(match[i - 1]);
        std::string_view macro;
        for (std::string_view m : {Production, Private})
            if (boundary && match.substr(i, m.size()) == m
                && (i + m.size() == match.size() || !isWordChar(match[i + m.size()])))
                macro = m;
        if (macro.empty()) {
            out += c;
            continue;
        }
        const std::string expansion =
            orList(macro == Production ? settings.productionNamespaces : settings.privateRanges);
        if (spans)
            spans->push_back({i, macro.size(), out.size(), expansion.size()});
        out += expansion;
        i += macro.size() - 1;
    }
    return out;
}

std::size_t unexpandedOffset(std::size_t expandedOffset, const std::vector<MacroSpan>& spans)
{
    std::ptrdiff_t shift = 0;
    for (const MacroSpan& s : spans) {
        if (expandedOffset < s.expandedOffset)
            break;
        if (expandedOffset < s.expandedOffset + s.expandedLength)
            return s.offset;
        shift +=
            static_cast<std::ptrdiff_t>(s.expandedLength) - static_cast<std::ptrdiff_t>(s.length);
    }
    return static_cast<std::size_t>(static_cast<std::ptrdiff_t>(expandedOffset) - shift);
}

std::optional<std::size_t> findingTermOffset(std::string_view match)
{
    char quote = 0;
    for (std::size_t i = 0; i < match.size(); ++i) {
        const char c = match[i];
        if (quote) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                quote = 0;
            continue;
        }
        if (c == '"') {
            quote = c;
            continue;
        }
        const bool wordStart = isWordChar(c)
            && (i == 0 || isQuerySpace(match[i - 1]) || match[i - 1] == '(' || match[i - 1] == '!'
                || match[i - 1] == '-');
        if (!wordStart)
            continue;
        std::size_t end = i;
        while (end < match.size() && isWordChar(match[end]))
            ++end;
        const std::string_view word = match.substr(i, end - i);
        std::size_t next = end;
        while (next < match.size() && isQuerySpace(match[next]))
            ++next;
        const bool asField = next < match.size()
            && (match[next] == ':' || match[next] == '=' || match[next] == '<' || match[next] == '>'
                || match[next] == '!');
        if (asField && (asciiIEquals(word, "finding") || asciiIEquals(word, "severity")))
            return i;
        i = end - 1;
    }
    return std::nullopt;
}

std::optional<TextPos> scalarValuePosition(
    std::string_view text, std::size_t scalarStart, std::size_t valueOffset)
{
    if (scalarStart >= text.size())
        return std::nullopt;
    const char first = text[scalarStart];
    const bool doubleQuoted = first == '"', singleQuoted = first == '\'';
    const bool block = first == '|' || first == '>';
    const bool literal = first == '|';
    std::size_t i = scalarStart + ((doubleQuoted || singleQuoted) ? 1 : 0);
    std::size_t indent = 0;
    if (block) {
        // The value starts on the line after the header, at the first content line's indent.
        i = text.find('\n', scalarStart);
        if (i == std::string_view::npos)
            return std::nullopt;
        ++i;
        std::size_t j = i;
        while (j < text.size() && (text[j] == ' ' || text[j] == '\n' || text[j] == '\r')) {
            if (text[j] == '\n')
                i = j + 1;
            ++j;
        }
        while (i + indent < text.size() && text[i + indent] == ' ')
            ++indent;
        i += indent;
    }
    std::size_t decoded = 0;
    while (i < text.size()) {
        if (decoded >= valueOffset)
            return positionOf(text, i);
        const char c = text[i];
        if ((doubleQuoted && c == '"') || (singleQuoted && c == '\'' && text.substr(i, 2) != "''"))
            return decoded == valueOffset ? std::optional(positionOf(text, i)) : std::nullopt;
        std::size_t j = i;
        while (!block && j < text.size() && (text[j] == ' ' || text[j] == '\t' || text[j] == '\r'))
            ++j;
        if (j < text.size() && text[j] == '\n') {
            i = j;
            decoded += skipLineBreak(text, i, literal, block ? indent : 0);
            continue;
        }
        if (doubleQuoted && c == '\\' && i + 1 < text.size()) {
            const char e = text[i + 1];
            if (e == '\n') { // an escaped line break joins the lines
                i += 2;
                while (i < text.size() && (text[i] == ' ' || text[i] == '\t'))
                    ++i;
                continue;
            }
            const std::size_t digits = e == 'x' ? 2 : e == 'u' ? 4 : e == 'U' ? 8 : 0;
            decoded += digits ? utf8Length(hexValue(text, i + 2, digits)) : 1;
            i += 2 + digits;
            continue;
        }
        i += singleQuoted && text.substr(i, 2) == "''" ? 2 : 1;
        ++decoded;
    }
    return decoded == valueOffset ? std::optional(positionOf(text, i)) : std::nullopt;
}

} // namespace auditscope::detect_detail

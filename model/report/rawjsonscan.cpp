// SPDX-License-Identifier: Apache-2.0
#include "rawjsonscan.h"

#include <cstring>

namespace auditscope {

namespace rawjson {

std::size_t skipSpace(std::string_view s, std::size_t i)
{
    while (i < s.size() && isSpace(s[i]))
        ++i;
    return i;
}

std::size_t skipString(std::string_view s, std::size_t i)
{
    // memchr to each quote, then the backslashes right before it: an odd run escapes it.
    const char* data = s.data();
    const std::size_t first = i + 1;
    std::size_t from = first;
    while (from < s.size()) {
        const void* found = std::memchr(data + from, '"', s.size() - from);
        if (!found)
            return npos;
        const std::size_t quote = static_cast<std::size_t>(static_cast<const char*>(found) - data);
        std::size_t run = quote;
        while (run > first && data[run - 1] == '\\')
            --run;
        if ((quote - run) % 2 == 0)
            return quote + 1;
        from = quote + 1;
    }
    return npos;
}

std::size_t skipValue(std::string_view s, std::size_t i)
{
    if (i >= s.size())
        return npos;
    if (s[i] == '"')
        return skipString(s, i);
    if (s[i] != '{' && s[i] != '[') { // a number, true, false or null: up to its delimiter
        while (i < s.size() && s[i] != ',' && s[i] != '}' && s[i] != ']' && !isSpace(s[i]))
            ++i;
        return i < s.size() ? i : npos;
    }
    int depth = 0;
    while (i < s.size()) {
        const char c = s[i];
        if (c == '"') {
            i = skipString(s, i);
            if (i == npos)
                return npos;
            continue;
        }
        if (c == '{' || c == '[')
            ++depth;
        else if ((c == '}' || c == ']') && --depth == 0)
            return i + 1;
        ++i;
    }
    return npos;
}

} // namespace rawjson

RawScan scanTopLevelString(std::string_view json, std::string_view key)
{
    using namespace rawjson;
    const RawScan unsure;
    std::size_t i = skipSpace(json, 0);
    if (i >= json.size() || json[i] != '{')
        return unsure;
    i = skipSpace(json, i + 1);
    if (i < json.size() && json[i] == '}')
        return {RawScanResult::Absent, {}};
    while (i < json.size()) {
        if (json[i] != '"')
            return unsure;
        const std::size_t keyEnd = skipString(json, i);
        if (keyEnd == npos)
            return unsure;
        const std::string_view name = json.substr(i + 1, keyEnd - i - 2);
        if (name.find('\\') != npos)
            return unsure; // an escaped key could spell `key`
        i = skipSpace(json, keyEnd);
        if (i >= json.size() || json[i] != ':')
            return unsure;
        i = skipSpace(json, i + 1);
        if (i >= json.size())
            return unsure;
        if (name == key) {
            if (json[i] != '"')
                return unsure; // not a string: the parser says what it is
            const std::size_t end = skipString(json, i);
            if (end == npos)
                return unsure;
            const std::string_view value = json.substr(i + 1, end - i - 2);
            return {RawScanResult::Found, value, value.find('\\') != npos};
        }
        i = skipValue(json, i);
        if (i == npos)
            return unsure;
        i = skipSpace(json, i);
        if (i >= json.size())
            return unsure;
        if (json[i] == '}')
            return {RawScanResult::Absent, {}};
        if (json[i] != ',')
            return unsure;
        i = skipSpace(json, i + 1);
    }
    return unsure;
}

} // namespace auditscope

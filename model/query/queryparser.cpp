// SPDX-License-Identifier: Apache-2.0
// Recursive-descent parser of the filter language, straight over the characters: a value may
// contain ':' and a word's meaning (field, keyword, value, bare word) depends on what follows.
#include "query.h"

#include "chain/chainintegrity.h"
#include "common/enums.h"
#include "common/timestamp.h"
#include "policy/policycomparison.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>

namespace auditscope {

namespace {

char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string lowered(std::string_view text)
{
    std::string out(text);
    for (char& c : out)
        c = lower(c);
    return out;
}

bool isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool isFieldChar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'
        || c == '.' || c == '-' || c == '/';
}

std::size_t editDistance(std::string_view a, std::string_view b)
{
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
            diagonal = up;
        }
    }
    return row[b.size()];
}

// Top-level keys of an audit Event (spec §9) that may start a JSON path.
constexpr std::array<std::string_view, 20> EventKeys{"kind", "apiVersion", "level", "auditID",
    "stage", "requestURI", "verb", "user", "impersonatedUser", "authenticationMetadata",
    "sourceIPs", "userAgent", "objectRef", "responseStatus", "requestObject", "responseObject",
    "requestReceivedTimestamp", "stageTimestamp", "annotations", "metadata"};

struct ResolvedField
{
    QueryField field = QueryField::Json;
    std::vector<std::string> path;
};

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
        total += amount * unit;
    }
    return total;
}

bool validIpOrCidr(std::string_view text)
{
    const std::size_t slash = text.find('/');
    const std::string address(text.substr(0, slash));
    unsigned char buffer[16];
    int bits = 32;
    if (inet_pton(AF_INET, address.c_str(), buffer) != 1) {
        if (inet_pton(AF_INET6, address.c_str(), buffer) != 1)
            return false;
        bits = 128;
    }
    if (slash == std::string_view::npos)
        return true;
    int prefix = -1;
    const std::string_view digits = text.substr(slash + 1);
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
    return ec == std::errc() && end == digits.data() + digits.size() && prefix >= 0
        && prefix <= bits;
}

class Parser
{
public:
    explicit Parser(std::string_view text)
        : m_text(text)
    { }

    ParseResult run()
    {
        ParseResult result;
        skipSpaces();
        std::uint32_t root;
        if (atEnd()) {
            root = add(QueryNode{});
        } else {
            root = parseOr();
            skipSpaces();
            if (!m_failed && !atEnd())
                fail(m_pos, peek() == ')' ? "unexpected ')'" : "expected 'and' or 'or'");
        }
        if (m_failed) {
            result.error = m_error;
            return result;
        }
        Query query;
        query.nodes = std::move(m_nodes);
        query.root = root;
        result.query = std::move(query);
        return result;
    }

private:
    bool atEnd() const { return m_pos >= m_text.size(); }
    char peek(std::size_t ahead = 0) const
    {
        return m_pos + ahead < m_text.size() ? m_text[m_pos + ahead] : '\0';
    }
    void skipSpaces()
    {
        while (!atEnd() && isSpace(m_text[m_pos]))
            ++m_pos;
    }

    std::uint32_t fail(std::size_t offset, std::string message)
    {
        if (!m_failed) {
            m_failed = true;
            m_error.offset = offset;
            std::size_t column = 1;
            for (std::size_t i = 0; i < offset && i < m_text.size(); ++i)
                column += (static_cast<unsigned char>(m_text[i]) & 0xC0) != 0x80;
            m_error.column = column;
            m_error.message = std::move(message);
        }
        return add(QueryNode{});
    }

    std::uint32_t add(QueryNode node)
    {
        m_nodes.push_back(std::move(node));
        return static_cast<std::uint32_t>(m_nodes.size() - 1);
    }

    std::uint32_t combine(
        QueryNode::Kind kind, std::vector<std::uint32_t> children, std::size_t start)
    {
        if (children.size() == 1)
            return children.front();
        QueryNode node;
        node.kind = kind;
        node.children = std::move(children);
        node.offset = start;
        node.length = m_pos - start;
        return add(std::move(node));
    }

    // The keyword at the cursor ("and", "or", "not", "&&", "||"), lower-case, or "".
    std::string keywordAt() const
    {
        if (peek() == '&' && peek(1) == '&')
            return "and";
        if (peek() == '|' && peek(1) == '|')
            return "or";
        std::size_t end = m_pos;
        while (end < m_text.size() && ((m_text[end] | 0x20) >= 'a' && (m_text[end] | 0x20) <= 'z'))
            ++end;
        if (end < m_text.size() && !isSpace(m_text[end]) && m_text[end] != '(' && m_text[end] != ')'
            && m_text[end] != '"')
            return {};
        const std::string word = lowered(m_text.substr(m_pos, end - m_pos));
        return word == "and" || word == "or" || word == "not" ? word : std::string();
    }
    void consumeKeyword()
    {
        if (peek() == '&' || peek() == '|')
            m_pos += 2;
        else
            while (!atEnd() && (m_text[m_pos] | 0x20) >= 'a' && (m_text[m_pos] | 0x20) <= 'z')
                ++m_pos;
    }

    // `or` binds looser than `and` (explicit or by juxtaposition). The same precedence holds for
    // whole terms and for the values of a group `field:(a or b c)`: `unary` parses one operand.
    template <class Unary>
    std::uint32_t parseOrOf(Unary unary)
    {
        const std::size_t start = m_pos;
        std::vector<std::uint32_t> children{parseAndOf(unary)};
        while (!m_failed) {
            skipSpaces();
            if (keywordAt() != "or")
                break;
            consumeKeyword();
            children.push_back(parseAndOf(unary));
        }
        return combine(QueryNode::Kind::Or, std::move(children), start);
    }

    template <class Unary>
    std::uint32_t parseAndOf(Unary unary)
    {
        const std::size_t start = m_pos;
        std::vector<std::uint32_t> children{unary()};
        while (!m_failed) {
            skipSpaces();
            if (atEnd() || peek() == ')')
                break;
            const std::string keyword = keywordAt();
            if (keyword == "or")
                break;
            if (keyword == "and")
                consumeKeyword();
            children.push_back(unary());
        }
        return combine(QueryNode::Kind::And, std::move(children), start);
    }

    std::uint32_t parseOr()
    {
        return parseOrOf([this] { return parseUnary(); });
    }

    std::uint32_t parseValueOr(const ResolvedField& field)
    {
        return parseOrOf([this, &field] { return parseValueUnary(field); });
    }

    std::uint32_t parseUnary()
    {
        skipSpaces();
        const std::size_t start = m_pos;
        bool negate = false;
        if (keywordAt() == "not") {
            consumeKeyword();
            negate = true;
        } else if ((peek() == '-' || peek() == '!') && m_pos + 1 < m_text.size()
            && !isSpace(peek(1)) && peek(1) != '=') {
            ++m_pos;
            negate = true;
        }
        if (negate) {
            QueryNode node;
            node.kind = QueryNode::Kind::Not;
            node.children.push_back(parseUnary());
            node.offset = start;
            node.length = m_pos - start;
            return add(std::move(node));
        }
        return parsePrimary();
    }

    std::uint32_t parsePrimary()
    {
        skipSpaces();
        if (atEnd())
            return fail(m_pos,
                m_pos == 0 ? "expected a term"
                           : "expected a term after '" + std::string(lastWord()) + "'");
        const char c = peek();
        if (c == '(') {
            const std::size_t open = m_pos++;
            skipSpaces();
            if (peek() == ')')
                return fail(m_pos, "expected a term inside '()'");
            const std::uint32_t inner = parseOr();
            skipSpaces();
            if (m_failed)
                return inner;
            if (peek() != ')')
                return fail(m_pos,
                    "expected ')' to close the '(' at col " + std::to_string(columnOf(open)));
            ++m_pos;
            return inner;
        }
        if (c == ')')
            return fail(m_pos, "unexpected ')'");
        const std::string keyword = keywordAt();
        if (keyword == "and" || keyword == "or")
            return fail(m_pos, "expected a term before '" + keyword + "'");
        if (c == '"') {
            const std::size_t start = m_pos;
            std::string phrase;
            if (!readQuoted(phrase))
                return add(QueryNode{});
            return textNode(std::move(phrase), start);
        }
        return parseFieldTermOrWord();
    }

    std::string_view lastWord() const
    {
        std::size_t end = m_pos;
        while (end > 0 && isSpace(m_text[end - 1]))
            --end;
        std::size_t begin = end;
        while (begin > 0 && !isSpace(m_text[begin - 1]))
            --begin;
        return m_text.substr(begin, end - begin);
    }

    std::size_t columnOf(std::size_t offset) const
    {
        std::size_t column = 1;
        for (std::size_t i = 0; i < offset; ++i)
            column += (static_cast<unsigned char>(m_text[i]) & 0xC0) != 0x80;
        return column;
    }

    // Reads "..." at the cursor (backslash escapes the next character).
    bool readQuoted(std::string& out)
    {
        const std::size_t open = m_pos++;
        while (!atEnd()) {
            const char c = m_text[m_pos++];
            if (c == '"')
                return true;
            if (c == '\\' && !atEnd())
                out.push_back(m_text[m_pos++]);
            else
                out.push_back(c);
        }
        fail(open, "unterminated quoted string");
        return false;
    }

    std::uint32_t textNode(std::string phrase, std::size_t start)
    {
        if (phrase.empty())
            return fail(start, "empty phrase");
        QueryNode node;
        node.kind = QueryNode::Kind::Match;
        node.field = QueryField::Text;
        node.value = std::move(phrase);
        node.offset = start;
        node.length = m_pos - start;
        return add(std::move(node));
    }

    std::uint32_t parseFieldTermOrWord()
    {
        const std::size_t start = m_pos;
        // Field: name characters and "quoted" segments after a dot.
        std::vector<std::string> segments(1);
        std::size_t p = m_pos;
        while (p < m_text.size()) {
            const char c = m_text[p];
            if (c == '"' && p > start && m_text[p - 1] == '.') {
                std::size_t q = p + 1;
                std::string segment;
                while (q < m_text.size() && m_text[q] != '"')
                    segment.push_back(m_text[q++]);
                if (q >= m_text.size())
                    break;
                segments.back() = segment;
                p = q + 1;
                continue;
            }
            if (!isFieldChar(c))
                break;
            if (c == '.')
                segments.emplace_back();
            else
                segments.back().push_back(c);
            ++p;
        }
        std::size_t afterField = p;
        while (afterField < m_text.size() && isSpace(m_text[afterField]))
            ++afterField;
        const char next = afterField < m_text.size() ? m_text[afterField] : '\0';
        const char next2 = afterField + 1 < m_text.size() ? m_text[afterField + 1] : '\0';
        const bool isOperator = next == ':' || next == '=' || next == '<' || next == '>'
            || (next == '!' && next2 == '=');
        if (p == start || !isOperator) {
            // A bare word: substring of the raw event.
            std::size_t end = m_pos;
            while (end < m_text.size() && !isSpace(m_text[end]) && m_text[end] != '('
                && m_text[end] != ')')
                ++end;
            if (end == m_pos)
                return fail(m_pos, "expected a term");
            const std::string_view word = m_text.substr(m_pos, end - m_pos);
            m_pos = end;
            if (word == "*") {
                QueryNode all;
                all.offset = start;
                all.length = 1;
                return add(std::move(all));
            }
            return textNode(std::string(word), start);
        }
        const std::string_view fieldText = m_text.substr(start, p - start);
        ResolvedField resolved;
        if (!resolveField(segments, fieldText, start, resolved))
            return add(QueryNode{});
        m_pos = afterField;
        const std::size_t opOffset = m_pos;
        CompareOp op = CompareOp::Match;
        bool notEqual = false;
        if (next == ':') {
            m_pos += 1;
        } else if (next == '=') {
            m_pos += next2 == '=' ? 2 : 1;
        } else if (next == '!') {
            m_pos += 2;
            notEqual = true;
        } else if (next == '<' || next == '>') {
            const bool orEqual = next2 == '=';
            op = next == '<' ? (orEqual ? CompareOp::Le : CompareOp::Lt)
                             : (orEqual ? CompareOp::Ge : CompareOp::Gt);
            m_pos += orEqual ? 2 : 1;
        }
        const std::string_view opText = m_text.substr(opOffset, m_pos - opOffset);
        skipSpaces();
        if (op == CompareOp::Match && next == ':' && peek() == '(')
            return parseValueUnary(resolved); // the group only: what follows is the next term
        const std::uint32_t term = parseValue(resolved, op, opText, start);
        if (!notEqual || m_failed)
            return term;
        QueryNode node;
        node.kind = QueryNode::Kind::Not;
        node.children.push_back(term);
        node.offset = start;
        node.length = m_pos - start;
        return add(std::move(node));
    }

    bool resolveField(const std::vector<std::string>& segments, std::string_view fieldText,
        std::size_t offset, ResolvedField& out)
    {
        std::string key;
        for (const std::string& s : segments) {
            if (!key.empty())
                key += '.';
            key += lowered(s);
        }
        for (const FieldName& f : queryFieldNames()) {
            if (lowered(f.name) == key) {
                out.field = f.field;
                return true;
            }
        }
        if (key == "uri" || key == "requesturi") {
            out.path = {"requestURI"};
            return true;
        }
        if (key == "reason") {
            out.path = {"annotations", "authorization.k8s.io/reason"};
            return true;
        }
        const std::string first = lowered(segments.front());
        for (std::string_view k : EventKeys) {
            if (lowered(k) == first && !segments.front().empty()) {
                for (const std::string& s : segments) {
                    if (s.empty()) {
                        fail(offset, "empty segment in field '" + std::string(fieldText) + "'");
                        return false;
                    }
                }
                out.path = segments;
                return true;
            }
        }
        // Did you mean: the closest alias, JSON path or event key.
        std::string best;
        std::size_t bestDistance = SIZE_MAX;
        auto consider = [&](std::string_view candidate) {
            const std::size_t d = editDistance(key, lowered(candidate));
            if (d < bestDistance) {
                bestDistance = d;
                best = std::string(candidate);
            }
        };
        for (const FieldName& f : queryFieldNames())
            consider(f.name);
        consider("uri");
        consider("reason");
        for (std::string_view k : EventKeys)
            consider(k);
        std::string message = "unknown field '" + std::string(fieldText) + "'";
        if (bestDistance <= std::max<std::size_t>(2, key.size() / 3))
            message += "; did you mean '" + best + "'?";
        else
            message += "; quote text to search for it";
        fail(offset, message);
        return false;
    }

    // field:( a or b and not c ): every leaf is a term of `field`.
    std::uint32_t parseValueUnary(const ResolvedField& field)
    {
        skipSpaces();
        const std::size_t start = m_pos;
        if (keywordAt() == "not" || ((peek() == '-' || peek() == '!') && !isSpace(peek(1)))) {
            if (peek() == '-' || peek() == '!')
                ++m_pos;
            else
                consumeKeyword();
            QueryNode node;
            node.kind = QueryNode::Kind::Not;
            node.children.push_back(parseValueUnary(field));
            node.offset = start;
            node.length = m_pos - start;
            return add(std::move(node));
        }
        if (peek() == '(') {
            const std::size_t open = m_pos++;
            const std::uint32_t inner = parseValueOr(field);
            skipSpaces();
            if (m_failed)
                return inner;
            if (peek() != ')')
                return fail(m_pos,
                    "expected ')' to close the '(' at col " + std::to_string(columnOf(open)));
            ++m_pos;
            return inner;
        }
        return parseValue(field, CompareOp::Match, ":", start);
    }

    std::uint32_t parseValue(
        const ResolvedField& field, CompareOp op, std::string_view opText, std::size_t start)
    {
        skipSpaces();
        const std::size_t valueOffset = m_pos;
        std::string value;
        const std::string keyword = keywordAt();
        if (atEnd() || peek() == ')' || peek() == '(' || !keyword.empty())
            return fail(m_pos, "expected a value after '" + std::string(opText) + "'");
        if (peek() == '"') {
            if (!readQuoted(value))
                return add(QueryNode{});
        } else {
            while (!atEnd() && !isSpace(peek()) && peek() != '(' && peek() != ')')
                value.push_back(m_text[m_pos++]);
        }
        QueryNode node;
        node.kind = QueryNode::Kind::Match;
        node.field = field.field;
        node.path = field.path;
        node.op = op;
        node.wildcard = value.find('*') != std::string::npos;
        node.offset = start;
        node.length = m_pos - start;
        node.value = std::move(value);
        if (!validate(node, opText, valueOffset))
            return add(QueryNode{});
        return add(std::move(node));
    }

    bool validate(QueryNode& node, std::string_view opText, std::size_t valueOffset)
    {
        const std::string& v = node.value;
        const bool compare = node.op != CompareOp::Match;
        const std::string name(node.field == QueryField::Json ? std::string_view("this field")
                                                              : queryFieldName(node.field));
        switch (node.field) {
        case QueryField::Code: {
            if (node.wildcard && !compare) {
                if (v.find_first_not_of("0123456789*") == std::string::npos)
                    return true;
            } else {
                const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), node.number);
                if (ec == std::errc() && end == v.data() + v.size() && node.number >= 0)
                    return true;
            }
            fail(valueOffset,
                "expected an HTTP status code (a number) after '" + std::string(opText) + "'");
            return false;
        }
        case QueryField::Time:
        case QueryField::StageTime: {
            if (node.wildcard) {
                fail(valueOffset, "times take no wildcards; use time >= A and time < B");
                return false;
            }
            if (v.starts_with("now")) {
                node.relativeTime = true;
                if (v.size() == 3)
                    return true;
                if (v[3] == '-' || v[3] == '+') {
                    if (const auto d = parseDurationNs(std::string_view(v).substr(4))) {
                        node.number = v[3] == '-' ? -*d : *d;
                        return true;
                    }
                }
                fail(valueOffset + 3, "expected a duration like now-1h, now-30m or now-2d");
                return false;
            }
            std::optional<std::int64_t> t = parseRfc3339(v);
            if (!t && v.size() == 10)
                t = parseRfc3339(v + "T00:00:00Z");
            if (!t) {
                fail(valueOffset, "expected an RFC 3339 time (2025-03-14T09:00:00Z) or now-1h");
                return false;
            }
            node.number = *t;
            return true;
        }
        case QueryField::Rule: {
            if (!compare && v == "none") {
                node.number = -1;
                return true;
            }
            if (!compare && node.wildcard
                && v.find_first_not_of("0123456789*") == std::string::npos)
                return true;
            const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), node.number);
            if (ec == std::errc() && end == v.data() + v.size() && node.number >= 0)
                return true;
            fail(valueOffset,
                compare ? "expected a rule number (0 is the first rule) after '"
                        + std::string(opText) + "'"
                        : std::string("expected a rule number (0 is the first rule) or 'none'"));
            return false;
        }
        case QueryField::PolicyChange: {
            if (compare)
                break;
            bool known = v == "changed" || (node.wildcard && globMatch(v, "changed"));
            for (int c = 0; c < PolicyChangeCount; ++c) {
                const std::string_view change = policyChangeName(PolicyChange(c));
                known = known || (node.wildcard ? globMatch(v, change) : v == change);
            }
            if (known)
                return true;
            fail(valueOffset,
                "unknown policy change '" + v
                    + "' (changed, same, dropped, added, raised, lowered)");
            return false;
        }
        case QueryField::Emitted:
            if (compare)
                break;
            if (v == "true" || v == "false") {
                node.number = v == "true";
                return true;
            }
            fail(valueOffset, "expected true or false");
            return false;
        case QueryField::Stage:
        case QueryField::PolicyLevel:
        case QueryField::Level: {
            const bool stage = node.field == QueryField::Stage;
            if (compare && stage) {
                fail(static_cast<std::size_t>(opText.data() - m_text.data()),
                    "'" + std::string(opText) + "' compares numbers, times and levels; '" + name
                        + "' is text");
                return false;
            }
            if (node.wildcard && !compare)
                return true;
            if (stage ? parseStage(v).has_value() : parseLevel(v).has_value()) {
                node.number = stage ? int(*parseStage(v)) : int(*parseLevel(v));
                return true;
            }
            fail(valueOffset,
                stage ? "unknown stage '" + v
                        + "' (RequestReceived, ResponseStarted, ResponseComplete, Panic)"
                      : "unknown level '" + v + "' (None, Metadata, Request, RequestResponse)");
            return false;
        }
        case QueryField::Chain: {
            if (compare)
                break;
            bool known = v == ChainOkName;
            for (const ChainFlagInfo& info : chainFlagInfos())
                known = known || (node.wildcard ? globMatch(v, info.name) : v == info.name);
            if (known || (node.wildcard && globMatch(v, ChainOkName)))
                return true;
            std::string names;
            for (const ChainFlagInfo& info : chainFlagInfos())
                names += std::string(info.name) + ", ";
            fail(valueOffset,
                "unknown chain flag '" + v + "' (" + names + std::string(ChainOkName) + ")");
            return false;
        }
        case QueryField::Ip:
            if (compare)
                break;
            if (v.find('/') != std::string::npos && !validIpOrCidr(v)) {
                fail(valueOffset, "expected an address range like 10.0.0.0/8");
                return false;
            }
            return true;
        case QueryField::Json:
            if (!compare)
                return true;
            {
                const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), node.real);
                if (ec == std::errc() && end == v.data() + v.size())
                    return true;
                fail(valueOffset, "expected a number after '" + std::string(opText) + "'");
                return false;
            }
        case QueryField::Text:
            return true;
        default:
            if (!compare)
                return true;
            break;
        }
        fail(static_cast<std::size_t>(opText.data() - m_text.data()),
            "'" + std::string(opText) + "' compares numbers, times and levels; '" + name
                + "' is text");
        return false;
    }

    std::string_view m_text;
    std::size_t m_pos = 0;
    std::vector<QueryNode> m_nodes;
    bool m_failed = false;
    QueryError m_error;
};

void appendQuoted(std::string& out, std::string_view text)
{
    out.push_back('"');
    for (char c : text) {
        if (c == '"' || c == '\\')
            out.push_back('\\');
        out.push_back(c);
    }
    out.push_back('"');
}

void appendNode(std::string& out, const Query& q, std::uint32_t index)
{
    const QueryNode& n = q.nodes[index];
    switch (n.kind) {
    case QueryNode::Kind::All:
        out += "(all)";
        return;
    case QueryNode::Kind::And:
    case QueryNode::Kind::Or:
    case QueryNode::Kind::Not:
        out += n.kind == QueryNode::Kind::And ? "(and"
            : n.kind == QueryNode::Kind::Or   ? "(or"
                                              : "(not";
        for (std::uint32_t child : n.children) {
            out.push_back(' ');
            appendNode(out, q, child);
        }
        out.push_back(')');
        return;
    case QueryNode::Kind::Match:
        break;
    }
    if (n.field == QueryField::Json) {
        out += "json:";
        for (std::size_t i = 0; i < n.path.size(); ++i) {
            if (i > 0)
                out.push_back('.');
            if (n.path[i].find_first_of("./") != std::string::npos)
                appendQuoted(out, n.path[i]);
            else
                out += n.path[i];
        }
    } else {
        out += queryFieldName(n.field);
    }
    static constexpr std::array<std::string_view, 5> Ops{":", "<", "<=", ">", ">="};
    out += Ops[static_cast<std::size_t>(n.op)];
    if ((n.field == QueryField::Time || n.field == QueryField::StageTime) && !n.relativeTime)
        appendQuoted(out, formatRfc3339Micros(n.number));
    else
        appendQuoted(out, n.value);
}

} // namespace

const std::vector<FieldName>& queryFieldNames()
{
    static const std::vector<FieldName> names{
        {"user", QueryField::User, true},
        {"group", QueryField::Group, true},
        {"as", QueryField::As, true},
        {"verb", QueryField::Verb, true},
        {"resource", QueryField::Resource, true},
        {"subresource", QueryField::Subresource, true},
        {"ns", QueryField::Namespace, true},
        {"namespace", QueryField::Namespace, true},
        {"name", QueryField::Name, true},
        {"apigroup", QueryField::ApiGroup, true},
        {"apiversion", QueryField::ApiVersion, true},
        {"code", QueryField::Code, true},
        {"stage", QueryField::Stage, true},
        {"level", QueryField::Level, true},
        {"ip", QueryField::Ip, true},
        {"ua", QueryField::UserAgent, true},
        {"id", QueryField::AuditId, true},
        {"decision", QueryField::Decision, true},
        {"time", QueryField::Time, true},
        {"stagetime", QueryField::StageTime, true},
        {"file", QueryField::File, true},
        {"chain", QueryField::Chain, true},
        {"rule", QueryField::Rule, true},
        {"policylevel", QueryField::PolicyLevel, true},
        {"emitted", QueryField::Emitted, true},
        {"policychange", QueryField::PolicyChange, true},
        {"user.username", QueryField::User, false},
        {"user.groups", QueryField::Group, false},
        {"impersonatedUser.username", QueryField::As, false},
        {"objectRef.resource", QueryField::Resource, false},
        {"objectRef.subresource", QueryField::Subresource, false},
        {"objectRef.namespace", QueryField::Namespace, false},
        {"objectRef.name", QueryField::Name, false},
        {"objectRef.apiGroup", QueryField::ApiGroup, false},
        {"objectRef.apiVersion", QueryField::ApiVersion, false},
        {"responseStatus.code", QueryField::Code, false},
        {"sourceIPs", QueryField::Ip, false},
        {"userAgent", QueryField::UserAgent, false},
        {"auditID", QueryField::AuditId, false},
        {"annotations.authorization.k8s.io/decision", QueryField::Decision, false},
        {"requestReceivedTimestamp", QueryField::Time, false},
        {"stageTimestamp", QueryField::StageTime, false},
    };
    return names;
}

std::string_view queryFieldName(QueryField field)
{
    switch (field) {
    case QueryField::User:
        return "user";
    case QueryField::Group:
        return "group";
    case QueryField::As:
        return "as";
    case QueryField::Verb:
        return "verb";
    case QueryField::Resource:
        return "resource";
    case QueryField::Subresource:
        return "subresource";
    case QueryField::Namespace:
        return "ns";
    case QueryField::Name:
        return "name";
    case QueryField::ApiGroup:
        return "apigroup";
    case QueryField::ApiVersion:
        return "apiversion";
    case QueryField::Code:
        return "code";
    case QueryField::Stage:
        return "stage";
    case QueryField::Level:
        return "level";
    case QueryField::Ip:
        return "ip";
    case QueryField::UserAgent:
        return "ua";
    case QueryField::AuditId:
        return "id";
    case QueryField::Decision:
        return "decision";
    case QueryField::Time:
        return "time";
    case QueryField::StageTime:
        return "stagetime";
    case QueryField::File:
        return "file";
    case QueryField::Chain:
        return "chain";
    case QueryField::Rule:
        return "rule";
    case QueryField::PolicyLevel:
        return "policylevel";
    case QueryField::Emitted:
        return "emitted";
    case QueryField::PolicyChange:
        return "policychange";
    case QueryField::Json:
        return "json";
    case QueryField::Text:
        return "text";
    }
    return "?";
}

bool globMatch(std::string_view pattern, std::string_view text)
{
    // Iterative matcher with backtracking to the last star: O(|p|·|t|) worst case.
    std::size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
    while (t < text.size()) {
        if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            mark = t;
        } else if (p < pattern.size() && pattern[p] == text[t]) {
            ++p;
            ++t;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            t = ++mark;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*')
        ++p;
    return p == pattern.size();
}

std::string Query::toString() const
{
    std::string out;
    if (!nodes.empty())
        appendNode(out, *this, root);
    return out;
}

ParseResult parseQuery(std::string_view text)
{
    return Parser(text).run();
}

} // namespace auditscope

// SPDX-License-Identifier: Apache-2.0
// Recursive-descent parser of the filter language, straight over the characters: a value may
// contain ':' and a word's meaning (field, keyword, value, bare word) depends on what follows.
// Fields are resolved by fieldresolver.h, values checked by queryvalidation.h.
// Nesting is bounded here (MaxQueryNesting, see nested()): the parser is the only producer of
// query trees, so every later recursive walk over a tree (printer, evaluator, brute force,
// validation, completion) is bounded by it too.
#include "query/query.h"

#include "common/limits.h"
#include "query/fieldresolver.h"
#include "query/querychars.h"
#include "query/queryvalidation.h"

#include <optional>

namespace auditscope {

namespace {

// Byte offset of the first byte that does not start well-formed UTF-8 (RFC 3629: no overlong
// forms, no surrogates, nothing above U+10FFFF), or npos. A query is matched byte for byte
// against UTF-8 logs, so text that is not UTF-8 could only ever match nothing.
std::size_t invalidUtf8Offset(std::string_view text)
{
    std::size_t i = 0;
    while (i < text.size()) {
        const auto lead = static_cast<unsigned char>(text[i]);
        if (lead < 0x80) {
            ++i;
            continue;
        }
        std::size_t length = 0;
        unsigned char low = 0x80, high = 0xBF; // the range of the second byte
        if (lead >= 0xC2 && lead <= 0xDF) {
            length = 2;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            length = 3;
            low = lead == 0xE0 ? 0xA0 : 0x80;
            high = lead == 0xED ? 0x9F : 0xBF;
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            length = 4;
            low = lead == 0xF0 ? 0x90 : 0x80;
            high = lead == 0xF4 ? 0x8F : 0xBF;
        } else {
            return i;
        }
        if (text.size() - i < length)
            return i;
        for (std::size_t k = 1; k < length; ++k) {
            const auto c = static_cast<unsigned char>(text[i + k]);
            if (c < (k == 1 ? low : 0x80) || c > (k == 1 ? high : 0xBF))
                return i;
        }
        i += length;
    }
    return std::string_view::npos;
}

std::string hexByte(unsigned char c)
{
    static constexpr char Digits[] = "0123456789ABCDEF";
    return {'0', 'x', Digits[c >> 4], Digits[c & 0xF]};
}

/// The field at the start of a term: its segments (split at dots, quoted ones unquoted) and
/// the offset just past it.
struct FieldScan
{
    std::vector<std::string> segments = std::vector<std::string>(1);
    std::size_t end = 0;
};

/// The operator after a field: `:`, `=`, `==`, `!=`, `<`, `<=`, `>`, `>=`.
struct ScannedOperator
{
    CompareOp op = CompareOp::Match;
    bool colon = false; ///< `:` (which also opens a group `field:(a or b)`)
    bool notEqual = false; ///< `!=`: the negated `=` term
    std::size_t length = 0;
};

class Parser
{
public:
    explicit Parser(std::string_view text)
        : m_text(text)
    { }

    ParseResult run()
    {
        ParseResult result;
        if (const std::size_t bad = invalidUtf8Offset(m_text); bad != std::string_view::npos) {
            fail(bad,
                "invalid UTF-8 (byte " + hexByte(static_cast<unsigned char>(m_text[bad])) + ")");
            result.error = m_error;
            return result;
        }
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
    char charAt(std::size_t offset) const { return offset < m_text.size() ? m_text[offset] : '\0'; }
    char peek(std::size_t ahead = 0) const { return charAt(m_pos + ahead); }
    void skipSpaces()
    {
        while (!atEnd() && isQuerySpace(m_text[m_pos]))
            ++m_pos;
    }

    std::uint32_t fail(std::size_t offset, std::string message)
    {
        if (!m_failed) {
            m_failed = true;
            m_error.offset = offset;
            m_error.column = columnAt(m_text, offset);
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

    // The negation of `child`, written from `start` to the cursor.
    std::uint32_t negation(std::uint32_t child, std::size_t start)
    {
        QueryNode node;
        node.kind = QueryNode::Kind::Not;
        node.children.push_back(child);
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
        if (end < m_text.size() && !isQuerySpace(m_text[end]) && m_text[end] != '('
            && m_text[end] != ')' && m_text[end] != '"')
            return {};
        const std::string word = asciiLowered(m_text.substr(m_pos, end - m_pos));
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
        if (keywordAt() == "not") {
            consumeKeyword();
            return nested(start, [this, start] { return negation(parseUnary(), start); });
        }
        if ((peek() == '-' || peek() == '!') && m_pos + 1 < m_text.size() && !isQuerySpace(peek(1))
            && peek(1) != '=') {
            ++m_pos;
            return nested(start, [this, start] { return negation(parseUnary(), start); });
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
            return nested(open, [this, open] { return closeGroup(parseOr(), open); });
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

    // Parses one level of nesting (a parenthesis, a `field:(` group or a negation) opened at
    // `open`. Recursion follows nesting, so it stops at MaxQueryNesting with an error located at
    // the opening that goes too deep, before the stack can overflow.
    template <class Parse>
    std::uint32_t nested(std::size_t open, Parse parse)
    {
        if (m_depth >= MaxQueryNesting)
            return fail(open, "nesting deeper than " + std::to_string(MaxQueryNesting));
        ++m_depth;
        const std::uint32_t node = parse();
        --m_depth;
        return node;
    }

    // Expects the ')' of the group opened at `open`, whose contents parsed to `inner`.
    std::uint32_t closeGroup(std::uint32_t inner, std::size_t open)
    {
        skipSpaces();
        if (m_failed)
            return inner;
        if (peek() != ')')
            return fail(m_pos,
                "expected ')' to close the '(' at col " + std::to_string(columnAt(m_text, open)));
        ++m_pos;
        return inner;
    }

    std::string_view lastWord() const
    {
        std::size_t end = m_pos;
        while (end > 0 && isQuerySpace(m_text[end - 1]))
            --end;
        std::size_t begin = end;
        while (begin > 0 && !isQuerySpace(m_text[begin - 1]))
            --begin;
        return m_text.substr(begin, end - begin);
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
        const FieldScan field = scanField(start);
        std::size_t opOffset = field.end;
        while (opOffset < m_text.size() && isQuerySpace(m_text[opOffset]))
            ++opOffset;
        const std::optional<ScannedOperator> op = operatorAt(opOffset);
        if (field.end == start || !op)
            return parseBareWord(start);
        return parseFieldTerm(start, field, opOffset, *op);
    }

    // Field characters, and "quoted" segments after a dot, from `start` on.
    FieldScan scanField(std::size_t start) const
    {
        FieldScan scan;
        std::size_t p = start;
        while (p < m_text.size()) {
            const char c = m_text[p];
            if (c == '"' && p > start && m_text[p - 1] == '.') {
                const std::size_t close = m_text.find('"', p + 1);
                if (close == std::string_view::npos)
                    break;
                scan.segments.back() = std::string(m_text.substr(p + 1, close - p - 1));
                p = close + 1;
                continue;
            }
            if (!isFieldChar(c))
                break;
            if (c == '.')
                scan.segments.emplace_back();
            else
                scan.segments.back().push_back(c);
            ++p;
        }
        scan.end = p;
        return scan;
    }

    std::optional<ScannedOperator> operatorAt(std::size_t offset) const
    {
        const char next = charAt(offset), next2 = charAt(offset + 1);
        switch (next) {
        case ':':
            return ScannedOperator{CompareOp::Match, true, false, 1};
        case '=':
            return ScannedOperator{CompareOp::Match, false, false, next2 == '=' ? 2u : 1u};
        case '!':
            if (next2 != '=')
                return std::nullopt;
            return ScannedOperator{CompareOp::Match, false, true, 2};
        case '<':
        case '>': {
            const bool orEqual = next2 == '=';
            const CompareOp op = next == '<' ? (orEqual ? CompareOp::Le : CompareOp::Lt)
                                             : (orEqual ? CompareOp::Ge : CompareOp::Gt);
            return ScannedOperator{op, false, false, orEqual ? 2u : 1u};
        }
        default:
            return std::nullopt;
        }
    }

    // A bare word: a substring of the raw event, where `*` matches any run of characters, as in
    // values (a quoted phrase is the one way to search for a literal `*`); `*` alone matches
    // every event.
    std::uint32_t parseBareWord(std::size_t start)
    {
        std::size_t end = m_pos;
        while (end < m_text.size() && !isQuerySpace(m_text[end]) && m_text[end] != '('
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
        const std::uint32_t text = textNode(std::string(word), start);
        m_nodes[text].wildcard = word.find('*') != std::string_view::npos;
        return text;
    }

    std::uint32_t parseFieldTerm(
        std::size_t start, const FieldScan& field, std::size_t opOffset, ScannedOperator op)
    {
        ResolvedField resolved;
        std::string error;
        if (!resolveQueryField(
                field.segments, m_text.substr(start, field.end - start), resolved, error))
            return fail(start, std::move(error));
        m_pos = opOffset + op.length;
        const TermOperator written{op.op, m_text.substr(opOffset, op.length), opOffset};
        skipSpaces();
        if (op.colon && peek() == '(')
            return parseValueUnary(resolved); // the group only: what follows is the next term
        const std::uint32_t term = parseValue(resolved, written, start);
        if (!op.notEqual || m_failed)
            return term;
        return negation(term, start);
    }

    // field:( a or b and not c ): every leaf is a term of `field`.
    std::uint32_t parseValueUnary(const ResolvedField& field)
    {
        skipSpaces();
        const std::size_t start = m_pos;
        if (keywordAt() == "not" || ((peek() == '-' || peek() == '!') && !isQuerySpace(peek(1)))) {
            if (peek() == '-' || peek() == '!')
                ++m_pos;
            else
                consumeKeyword();
            return nested(
                start, [this, &field, start] { return negation(parseValueUnary(field), start); });
        }
        if (peek() == '(') {
            const std::size_t open = m_pos++;
            return nested(
                open, [this, &field, open] { return closeGroup(parseValueOr(field), open); });
        }
        return parseValue(field, TermOperator{CompareOp::Match, ":", start}, start);
    }

    std::uint32_t parseValue(const ResolvedField& field, const TermOperator& op, std::size_t start)
    {
        skipSpaces();
        const std::size_t valueOffset = m_pos;
        std::string value;
        const std::string keyword = keywordAt();
        if (atEnd() || peek() == ')' || peek() == '(' || !keyword.empty())
            return fail(m_pos, "expected a value after '" + std::string(op.text) + "'");
        if (peek() == '"') {
            if (!readQuoted(value))
                return add(QueryNode{});
        } else {
            while (!atEnd() && !isQuerySpace(peek()) && peek() != '(' && peek() != ')')
                value.push_back(m_text[m_pos++]);
        }
        QueryNode node;
        node.kind = QueryNode::Kind::Match;
        node.field = field.field;
        node.path = field.path;
        node.op = op.op;
        node.wildcard = value.find('*') != std::string::npos;
        node.offset = start;
        node.length = m_pos - start;
        node.value = std::move(value);
        if (const std::optional<ValueError> error = validateTermValue(node, op, valueOffset))
            return fail(error->offset, error->message);
        return add(std::move(node));
    }

    std::string_view m_text;
    std::size_t m_pos = 0;
    std::vector<QueryNode> m_nodes;
    bool m_failed = false;
    int m_depth = 0; ///< parentheses, groups and negations open at the cursor
    QueryError m_error;
};

} // namespace

ParseResult parseQuery(std::string_view text)
{
    return Parser(text).run();
}

} // namespace auditscope

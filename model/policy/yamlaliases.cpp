// SPDX-License-Identifier: Apache-2.0
#include "yamlaliases.h"

#include "policy/yamlsourcepositions.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <cctype>
#include <cstdint>
#include <limits>
#include <sstream>
#include <string>

namespace auditscope::policy_detail {

namespace {

using Severity = PolicyDiagnostic::Severity;

SourcePos posOfMark(const YAML::Mark& mark)
{
    return {mark.line + 1, mark.column + 1};
}

std::string decimal(std::uint64_t n)
{
    return std::to_string(n);
}

/// go-yaml v2's allowedAliasRatio: the share of decoded nodes that may come from aliases.
double allowedAliasRatio(std::uint64_t decoded)
{
    constexpr double Low = 400000, High = 4000000;
    if (decoded <= Low)
        return 0.99;
    if (decoded >= High)
        return 0.10;
    return 0.99 - 0.89 * ((static_cast<double>(decoded) - Low) / (High - Low));
}

/// A located problem; thrown out of the event handler to stop the replay.
struct AliasProblem
{
    YAML::Mark mark;
    std::string message;
};

/// Counts nodes in the order go-yaml's decoder visits them, with each alias standing for the
/// whole node it refers to: the node count of every anchored node is known when its alias
/// comes, because an alias can refer only to a node written earlier (or an unfinished
/// ancestor, which is the "contains itself" error).
class AliasReplay : public YAML::EventHandler
{
public:
    explicit AliasReplay(std::string_view text)
        : m_text(text)
    { }

    void OnDocumentStart(const YAML::Mark&) override { m_decoded = 1; } // the document node
    void OnDocumentEnd() override { }
    void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override { leaf(mark, anchor); }
    void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
        const std::string&) override
    {
        leaf(mark, anchor);
    }
    void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
        YAML::EmitterStyle::value) override
    {
        open(mark, anchor);
    }
    void OnSequenceEnd() override { close(); }
    void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
        YAML::EmitterStyle::value) override
    {
        open(mark, anchor);
    }
    void OnMapEnd() override { close(); }

    void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override
    {
        const Anchor& target = anchorAt(anchor);
        const std::string name = aliasName(mark);
        if (target.open)
            throw AliasProblem{mark,
                "the alias *" + name + " is inside the node it refers to (&" + name + " at "
                    + std::to_string(target.mark.line + 1) + ":"
                    + std::to_string(target.mark.column + 1)
                    + "), so that node would contain itself; kube-apiserver's YAML reader "
                      "refuses it (\"anchor '"
                    + name + "' value contains itself\")"};
        m_decoded = add(m_decoded, add(1, target.size));
        m_fromAliases = add(m_fromAliases, target.size);
        // Within one expansion the alias share only grows, so checking at its end suffices.
        if (excessive())
            throw AliasProblem{mark,
                "excessive aliasing: expanding the alias *" + name + " (" + decimal(target.size)
                    + " nodes) brings the document to " + decimal(m_decoded) + " nodes, "
                    + decimal(m_fromAliases) + " of them copies made by aliases; "
                    + "kube-apiserver's YAML reader refuses it (\"document contains excessive "
                      "aliasing\")"};
        addToParent(add(1, target.size));
    }

private:
    struct Anchor
    {
        std::uint64_t size = 0;
        bool open = false;
        YAML::Mark mark;
    };
    struct Open
    {
        std::uint64_t size = 1;
        YAML::anchor_t anchor = 0;
    };

    static std::uint64_t add(std::uint64_t a, std::uint64_t b)
    {
        constexpr std::uint64_t Max = std::numeric_limits<std::uint64_t>::max() / 4;
        return a > Max - b ? Max : a + b;
    }

    bool excessive() const
    {
        return m_fromAliases > 100 && m_decoded > 1000
            && static_cast<double>(m_fromAliases) / static_cast<double>(m_decoded)
            > allowedAliasRatio(m_decoded);
    }

    Anchor& anchorAt(YAML::anchor_t anchor)
    {
        if (anchor >= m_anchors.size())
            m_anchors.resize(anchor + 1);
        return m_anchors[anchor];
    }

    /// The name after '*' at the alias's mark.
    std::string aliasName(const YAML::Mark& mark) const
    {
        std::size_t k = static_cast<std::size_t>(std::max(mark.pos, 0)) + 1;
        const std::size_t begin = k;
        while (k < m_text.size() && !std::isspace(static_cast<unsigned char>(m_text[k]))
            && std::string_view(",[]{}").find(m_text[k]) == std::string_view::npos)
            ++k;
        return std::string(m_text.substr(std::min(begin, m_text.size()), k - begin));
    }

    void countPlain(const YAML::Mark& mark)
    {
        m_decoded = add(m_decoded, 1);
        if (excessive())
            throw AliasProblem{mark,
                "excessive aliasing: the document has " + decimal(m_decoded) + " nodes, "
                    + decimal(m_fromAliases)
                    + " of them copies made by aliases; kube-apiserver's YAML reader refuses "
                      "it (\"document contains excessive aliasing\")"};
    }

    void leaf(const YAML::Mark& mark, YAML::anchor_t anchor)
    {
        countPlain(mark);
        if (anchor) {
            Anchor& a = anchorAt(anchor);
            a = Anchor{1, false, mark};
        }
        addToParent(1);
    }

    void open(const YAML::Mark& mark, YAML::anchor_t anchor)
    {
        countPlain(mark);
        if (anchor)
            anchorAt(anchor) = Anchor{0, true, mark};
        m_stack.push_back({1, anchor});
    }

    void close()
    {
        if (m_stack.empty())
            return;
        const Open done = m_stack.back();
        m_stack.pop_back();
        if (done.anchor) {
            Anchor& a = anchorAt(done.anchor);
            a.size = done.size;
            a.open = false;
        }
        addToParent(done.size);
    }

    void addToParent(std::uint64_t size)
    {
        if (!m_stack.empty())
            m_stack.back().size = add(m_stack.back().size, size);
    }

    std::string_view m_text;
    std::vector<Anchor> m_anchors; ///< by yaml-cpp's anchor id
    std::vector<Open> m_stack;
    std::uint64_t m_decoded = 0; ///< go-yaml's decodeCount
    std::uint64_t m_fromAliases = 0; ///< go-yaml's aliasCount
};

/// Remembers the last quoted scalar that yaml-cpp reported.
class LastQuotedScalar : public YAML::EventHandler
{
public:
    explicit LastQuotedScalar(std::string_view text)
        : m_text(text)
    { }
    std::optional<YAML::Mark> last;

    void OnDocumentStart(const YAML::Mark&) override { }
    void OnDocumentEnd() override { }
    void OnNull(const YAML::Mark&, YAML::anchor_t) override { }
    void OnAlias(const YAML::Mark&, YAML::anchor_t) override { }
    void OnScalar(
        const YAML::Mark& mark, const std::string&, YAML::anchor_t, const std::string&) override
    {
        const auto p = static_cast<std::size_t>(std::max(mark.pos, 0));
        if (p < m_text.size() && (m_text[p] == '"' || m_text[p] == '\''))
            last = mark;
    }
    void OnSequenceStart(
        const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override
    { }
    void OnSequenceEnd() override { }
    void OnMapStart(
        const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override
    { }
    void OnMapEnd() override { }

private:
    std::string_view m_text;
};

/// The mark, when a quoted scalar starts there and is never closed.
std::optional<SourcePos> unclosedAt(std::string_view text, const YAML::Mark& mark)
{
    if (mark.is_null() || mark.pos < 0 || static_cast<std::size_t>(mark.pos) >= text.size())
        return std::nullopt;
    const auto p = static_cast<std::size_t>(mark.pos);
    if ((text[p] != '"' && text[p] != '\'') || quotedScalarEnd(text, p) != std::string_view::npos)
        return std::nullopt;
    return posOfMark(mark);
}

} // namespace

bool mayContainAlias(std::string_view text)
{
    for (std::size_t k = text.find('*'); k != std::string_view::npos; k = text.find('*', k + 1)) {
        const char before = k == 0 ? ' ' : text[k - 1];
        if (!std::isalnum(static_cast<unsigned char>(before)) && before != '/' && before != '*')
            return true;
    }
    return false;
}

bool checkAliases(std::string_view text, std::vector<PolicyDiagnostic>& out)
{
    std::istringstream in{std::string(text)};
    AliasReplay replay(text);
    try {
        YAML::Parser parser(in);
        parser.HandleNextDocument(replay);
    } catch (const AliasProblem& problem) {
        const SourcePos pos = posOfMark(problem.mark);
        out.push_back({Severity::Error, pos.line, pos.column, "", problem.message});
        return false;
    } catch (const YAML::Exception&) {
        // yaml-cpp already accepted this text once; nothing more to say here.
    }
    return true;
}

std::optional<SourcePos> unterminatedQuote(
    const YAML::Node& root, std::string_view text, int maxDepth)
{
    // An unclosed quote swallows the rest of the text, so its scalar is the last node:
    // follow the last child down. An alias's mark lies before its parent's; it is not followed.
    YAML::Node node;
    node.reset(root);
    for (int depth = 0; depth <= maxDepth; ++depth) {
        if (node.Type() == YAML::NodeType::Scalar)
            return unclosedAt(text, node.Mark());
        YAML::Node last;
        auto consider = [&](const YAML::Node& child) {
            if (child.Mark().is_null() || child.Mark().pos < node.Mark().pos)
                return;
            if (!last.IsDefined() || last.Mark().is_null() || child.Mark().pos >= last.Mark().pos)
                last.reset(child);
        };
        if (node.Type() == YAML::NodeType::Sequence) {
            for (const YAML::Node& item : node)
                consider(item);
        } else if (node.Type() == YAML::NodeType::Map) {
            for (auto it = node.begin(); it != node.end(); ++it) {
                consider(it->first);
                consider(it->second);
            }
        }
        const bool sameNode =
            last.IsDefined() && last.Mark().pos == node.Mark().pos && last.Type() == node.Type();
        if (!last.IsDefined() || last.IsNull() || sameNode)
            return std::nullopt;
        node.reset(last);
    }
    return std::nullopt;
}

std::optional<SourcePos> unterminatedQuote(std::string_view text)
{
    // yaml-cpp fails at the end of a text without a final newline; with one, it reports the
    // scalar before failing (or not failing) later.
    const std::string withNewline = std::string(text) + "\n";
    std::istringstream in(withNewline);
    LastQuotedScalar handler(withNewline);
    try {
        YAML::Parser parser(in);
        while (parser.HandleNextDocument(handler)) { }
    } catch (const YAML::Exception&) {
        // expected: the text was already found to be broken
    }
    if (!handler.last)
        return std::nullopt;
    return unclosedAt(text, *handler.last);
}

} // namespace auditscope::policy_detail

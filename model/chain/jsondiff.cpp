// SPDX-License-Identifier: Apache-2.0
#include "jsondiff.h"

#include "common/limits.h"

#include <algorithm>
#include <charconv>

namespace auditscope {

namespace {

class Differ
{
public:
    Differ(const DiffOptions& options, std::vector<JsonChange>& out)
        : m_options(options)
        , m_out(out)
    { }

    void diff(const JsonValue* before, const JsonValue* after, std::string& path)
    {
        if (ignored(path))
            return;
        if (!before && !after)
            return;
        if (!before) {
            emit(JsonChange::Kind::Added, path, nullptr, after);
            return;
        }
        if (!after) {
            emit(JsonChange::Kind::Removed, path, before, nullptr);
            return;
        }
        if (before->type() != after->type()) {
            emit(JsonChange::Kind::Changed, path, before, after);
            return;
        }
        const std::size_t base = path.size();
        if (before->isObject()) {
            for (const JsonValue::Member& m : before->members()) {
                path += '/';
                path += jsonPointerToken(m.first);
                diff(&m.second, after->find(m.first), path);
                path.resize(base);
            }
            for (const JsonValue::Member& m : after->members()) {
                if (before->find(m.first))
                    continue;
                path += '/';
                path += jsonPointerToken(m.first);
                diff(nullptr, &m.second, path);
                path.resize(base);
            }
            return;
        }
        if (before->isArray()) {
            const auto& a = before->items();
            const auto& b = after->items();
            for (std::size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
                path += '/';
                path += std::to_string(i);
                diff(i < a.size() ? &a[i] : nullptr, i < b.size() ? &b[i] : nullptr, path);
                path.resize(base);
            }
            return;
        }
        if (!(*before == *after))
            emit(JsonChange::Kind::Changed, path, before, after);
    }

    bool ignored(std::string_view path) const
    {
        auto covers = [&](std::string_view prefix) {
            return path.starts_with(prefix)
                && (path.size() == prefix.size() || path[prefix.size()] == '/');
        };
        if (m_options.suppressNoise)
            for (const std::string& p : noisePaths())
                if (covers(p))
                    return true;
        for (const std::string& p : m_options.ignoredPaths)
            if (covers(p))
                return true;
        return false;
    }

    // The value at `path` without the ignored paths below it.
    JsonValue stripped(const JsonValue& value, const std::string& path) const
    {
        JsonValue copy = value;
        std::string at = path;
        strip(copy, at);
        return copy;
    }

private:
    void emit(JsonChange::Kind kind, const std::string& path, const JsonValue* before,
        const JsonValue* after)
    {
        JsonChange c;
        c.kind = kind;
        c.path = path;
        if (before)
            c.oldValue = stripped(*before, path).toJson();
        if (after)
            c.newValue = stripped(*after, path).toJson();
        m_out.push_back(std::move(c));
    }

    void strip(JsonValue& value, std::string& path) const
    {
        const std::size_t base = path.size();
        if (value.isObject()) {
            auto& members = value.members();
            for (auto it = members.begin(); it != members.end();) {
                path += '/';
                path += jsonPointerToken(it->first);
                if (ignored(path)) {
                    it = members.erase(it);
                } else {
                    strip(it->second, path);
                    ++it;
                }
                path.resize(base);
            }
        } else if (value.isArray()) {
            auto& items = value.items();
            for (std::size_t i = 0; i < items.size(); ++i) {
                path += '/';
                path += std::to_string(i);
                strip(items[i], path);
                path.resize(base);
            }
        }
    }

    const DiffOptions& m_options;
    std::vector<JsonChange>& m_out;
};

bool parseIndex(std::string_view token, std::size_t size, bool allowEnd, std::size_t& index)
{
    if (allowEnd && token == "-") {
        index = size;
        return true;
    }
    if (token.empty() || (token.size() > 1 && token[0] == '0'))
        return false;
    const auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), index);
    return ec == std::errc() && end == token.data() + token.size()
        && (allowEnd ? index <= size : index < size);
}

// The container holding the last token of `pointer`, and that token.
JsonValue* parentOf(JsonValue& doc, std::string_view pointer, std::string& last)
{
    const auto tokens = splitJsonPointer(pointer);
    if (!tokens || tokens->empty())
        return nullptr;
    last = tokens->back();
    std::string parent;
    for (std::size_t i = 0; i + 1 < tokens->size(); ++i)
        parent += '/' + jsonPointerToken((*tokens)[i]);
    return doc.at(parent);
}

bool addAt(JsonValue& doc, std::string_view pointer, JsonValue value)
{
    if (pointer.empty()) {
        doc = std::move(value);
        return true;
    }
    std::string last;
    JsonValue* parent = parentOf(doc, pointer, last);
    if (!parent)
        return false;
    if (parent->isObject()) {
        parent->set(last, std::move(value));
        return true;
    }
    std::size_t index = 0;
    if (!parent->isArray() || !parseIndex(last, parent->items().size(), true, index))
        return false;
    parent->items().insert(
        parent->items().begin() + static_cast<std::ptrdiff_t>(index), std::move(value));
    return true;
}

bool removeAt(JsonValue& doc, std::string_view pointer, JsonValue* removed = nullptr)
{
    std::string last;
    JsonValue* parent = parentOf(doc, pointer, last);
    if (!parent)
        return false;
    if (parent->isObject()) {
        JsonValue* v = parent->find(last);
        if (!v)
            return false;
        if (removed)
            *removed = *v;
        return parent->erase(last);
    }
    std::size_t index = 0;
    if (!parent->isArray() || !parseIndex(last, parent->items().size(), false, index))
        return false;
    if (removed)
        *removed = parent->items()[index];
    parent->items().erase(parent->items().begin() + static_cast<std::ptrdiff_t>(index));
    return true;
}

// Levels of containers in `value` (0 for a scalar). Values here come from parsed bodies, never
// deeper than MaxJsonDepth, so this recursion is bounded.
int nestingOf(const JsonValue& value)
{
    int deepest = 0;
    for (const JsonValue& item : value.items())
        deepest = std::max(deepest, nestingOf(item));
    for (const JsonValue::Member& member : value.members())
        deepest = std::max(deepest, nestingOf(member.second));
    return value.isArray() || value.isObject() ? deepest + 1 : 0;
}

// Whether putting `value` at `pointer` keeps the document within MaxJsonDepth. Without this
// check, copies of a document into itself (in one patch or over a history of patches) would
// nest it without bound, and every later walk over it would recurse that deep.
bool fitsAt(std::string_view pointer, const JsonValue& value)
{
    const auto tokens = splitJsonPointer(pointer);
    const std::size_t levels = tokens ? tokens->size() : 0;
    return levels + static_cast<std::size_t>(nestingOf(value)) <= std::size_t(MaxJsonDepth);
}

} // namespace

std::string_view jsonChangeKindName(JsonChange::Kind kind)
{
    switch (kind) {
    case JsonChange::Kind::Added:
        return "added";
    case JsonChange::Kind::Removed:
        return "removed";
    case JsonChange::Kind::Changed:
        return "changed";
    }
    return "changed";
}

const std::vector<std::string>& noisePaths()
{
    static const std::vector<std::string> paths{
        "/metadata/resourceVersion", "/metadata/managedFields"};
    return paths;
}

std::vector<JsonChange> diffJson(
    const JsonValue* before, const JsonValue* after, const DiffOptions& options)
{
    std::vector<JsonChange> out;
    std::string path;
    Differ(options, out).diff(before, after, path);
    return out;
}

JsonValue withoutIgnored(const JsonValue& value, const DiffOptions& options)
{
    std::vector<JsonChange> unused;
    return Differ(options, unused).stripped(value, {});
}

bool applyJsonPatch(JsonValue& doc, const JsonValue& patch, std::string* error)
{
    auto fail = [&](std::size_t i, std::string message) {
        if (error)
            *error = "operation " + std::to_string(i) + ": " + message;
        return false;
    };
    if (!patch.isArray())
        return fail(0, "a JSON patch is an array of operations");
    JsonValue work = doc;
    for (std::size_t i = 0; i < patch.items().size(); ++i) {
        const JsonValue& op = patch.items()[i];
        if (!op.isObject())
            return fail(i, "not an object");
        const std::string_view name = op.stringAt("op");
        const JsonValue* pathValue = op.find("path");
        if (!pathValue || !pathValue->isString())
            return fail(i, "no \"path\"");
        const std::string& path = pathValue->text();
        const JsonValue* value = op.find("value");
        if (name == "add" || name == "replace" || name == "test") {
            if (!value)
                return fail(i, "no \"value\"");
            if (name != "test" && !fitsAt(path, *value))
                return fail(i, "the result would nest deeper than " + std::to_string(MaxJsonDepth));
            if (name == "test") {
                const JsonValue* current = work.at(path);
                if (!current || !(*current == *value))
                    return fail(i, "test failed at " + path);
                continue;
            }
            if (name == "replace") {
                JsonValue* target = work.at(path); // replaced in place: member order kept
                if (!target)
                    return fail(i, "nothing to replace at " + path);
                *target = *value;
            } else if (!addAt(work, path, *value)) {
                return fail(i, "cannot add at " + path);
            }
        } else if (name == "remove") {
            if (path.empty() || !removeAt(work, path))
                return fail(i, "nothing to remove at " + path);
        } else if (name == "move" || name == "copy") {
            const std::string_view from = op.stringAt("from");
            const JsonValue* source = work.at(from);
            if (!op.find("from") || !source)
                return fail(i, "nothing at \"from\" " + std::string(from));
            if (!fitsAt(path, *source))
                return fail(i, "the result would nest deeper than " + std::to_string(MaxJsonDepth));
            JsonValue moved = *source;
            if (name == "move") {
                if (path.starts_with(from) && path.size() > from.size() && path[from.size()] == '/')
                    return fail(i, "cannot move a value into itself");
                if (!removeAt(work, from))
                    return fail(i, "cannot remove \"from\" " + std::string(from));
            }
            if (!addAt(work, path, std::move(moved)))
                return fail(i, "cannot add at " + path);
        } else {
            return fail(i, "unknown op \"" + std::string(name) + "\"");
        }
    }
    doc = std::move(work);
    return true;
}

void applyMergePatch(JsonValue& doc, const JsonValue& patch)
{
    if (!patch.isObject()) {
        doc = patch;
        return;
    }
    if (!doc.isObject())
        doc = JsonValue::makeObject();
    for (const JsonValue::Member& m : patch.members()) {
        if (m.second.isNull()) {
            doc.erase(m.first);
        } else if (JsonValue* existing = doc.find(m.first)) {
            applyMergePatch(*existing, m.second);
        } else {
            JsonValue fresh;
            applyMergePatch(fresh, m.second);
            doc.set(m.first, std::move(fresh));
        }
    }
}

} // namespace auditscope

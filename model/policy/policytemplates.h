// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QList>
#include <QString>

namespace auditscope {

/// A bundled policy template (resources/policies, compiled into the model as Qt resources
/// under PolicyTemplate::ResourcePrefix): a snippet to insert or a complete policy to start
/// from. Plain data.
struct PolicyTemplate
{
    static constexpr const char* ResourcePrefix = ":/auditscope/policies/";

    enum class Kind {
        RuleSnippet, ///< rules (block-list items at column 0) to insert under `rules:`
        TopLevelSnippet, ///< top-level fields (e.g. omitStages) to insert before `rules:`
        Policy, ///< a complete policy file
    };
    QString id; ///< stable, e.g. "leases-none"
    Kind kind = Kind::RuleSnippet;
    QString title; ///< short, for a menu
    QString description; ///< one line
    QString resourcePath; ///< ":/auditscope/policies/snippets/leases-none.yaml"
    int ruleCount = 0; ///< rules the template adds (or holds, for a policy)

    /// The template's YAML text (UTF-8 resource); empty if the resource is missing.
    QString text() const;
};

/// The bundled templates in index order (resources/policies/templates.json): snippets, then
/// complete policies. Empty if the index is missing or malformed.
QList<PolicyTemplate> policyTemplates();

/// `snippet` with every non-empty line indented by `columns` spaces, ending in a newline: what
/// to insert under a `rules:` list whose items are indented by `columns`.
QString indentedSnippet(const QString& snippet, int columns);

} // namespace auditscope

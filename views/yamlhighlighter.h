// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QPalette>
#include <QSyntaxHighlighter>
#include <QTextCharFormat>

#include "syntaxformats.h"

namespace auditscope {

/// Highlights the YAML of an audit policy line by line: comments, mapping keys, quoted strings,
/// audit levels and stages, numbers and booleans, list dashes. Colours derive from a palette,
/// so dark themes work. Block scalars and multi-line quoted strings are rare in policies and
/// are highlighted as plain lines.
class YamlHighlighter final : public QSyntaxHighlighter
{
    Q_OBJECT

public:
    enum class Token { Comment, Key, String, Keyword, Number, Punctuation };

    explicit YamlHighlighter(QTextDocument* document);
    /// Derives the colours from `palette` (its Text) and highlights again.
    void setPalette(const QPalette& palette);
    QTextCharFormat format(Token token) const;

protected:
    void highlightBlock(const QString& text) override;

private:
    void highlightScalar(const QString& text, int start, int end);

    SyntaxFormats m_formats;
};

} // namespace auditscope

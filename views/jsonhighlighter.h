// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QPalette>
#include <QSyntaxHighlighter>
#include <QTextCharFormat>

#include "syntaxformats.h"

namespace auditscope {

/// Highlights JSON text (keys, strings, numbers, true/false/null) with colours derived from a
/// palette, so dark themes work. Strings must not span lines (true of any JSON text: a newline
/// inside a string is escaped).
class JsonHighlighter final : public QSyntaxHighlighter
{
    Q_OBJECT

public:
    enum class Token { Key, String, Number, Literal };

    explicit JsonHighlighter(QTextDocument* document);
    /// Derives the colours from `palette` (its Text and Base) and highlights again.
    void setPalette(const QPalette& palette);
    QTextCharFormat format(Token token) const;

protected:
    void highlightBlock(const QString& text) override;

private:
    SyntaxFormats m_formats;
};

} // namespace auditscope

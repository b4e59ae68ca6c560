// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QColor>
#include <QPalette>
#include <QTextCharFormat>

namespace auditscope {

/// `from` moved `amount` (0..1) of the way to `to`: how views derive tints and syntax colours
/// from the palette, so light and dark themes both read.
QColor blendColors(const QColor& from, const QColor& to, double amount);

/// The text formats the JSON and YAML highlighters share, from one palette: the same key,
/// string, number and keyword colours in the event pane and the policy editor.
struct SyntaxFormats
{
    QTextCharFormat key, string, number, keyword, comment, punctuation;

    static SyntaxFormats fromPalette(const QPalette& palette);
};

} // namespace auditscope

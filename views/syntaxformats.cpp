// SPDX-License-Identifier: Apache-2.0
#include "syntaxformats.h"

#include <QFont>

namespace auditscope {

QColor blendColors(const QColor& from, const QColor& to, double amount)
{
    return QColor::fromRgbF(float(from.redF() * (1 - amount) + to.redF() * amount),
        float(from.greenF() * (1 - amount) + to.greenF() * amount),
        float(from.blueF() * (1 - amount) + to.blueF() * amount));
}

SyntaxFormats SyntaxFormats::fromPalette(const QPalette& palette)
{
    // A hue mixed into the text colour: dark on light themes, light on dark ones.
    const QColor text = palette.color(QPalette::Text);
    SyntaxFormats f;
    f.key.setForeground(blendColors(text, QColor(30, 90, 210), 0.7));
    f.key.setFontWeight(QFont::DemiBold);
    f.string.setForeground(blendColors(text, QColor(20, 150, 60), 0.7));
    f.number.setForeground(blendColors(text, QColor(200, 100, 20), 0.7));
    f.keyword.setForeground(blendColors(text, QColor(170, 50, 190), 0.7));
    f.comment.setForeground(blendColors(text, QColor(128, 128, 128), 0.8));
    f.comment.setFontItalic(true);
    f.punctuation.setForeground(blendColors(text, QColor(128, 128, 128), 0.6));
    return f;
}

} // namespace auditscope

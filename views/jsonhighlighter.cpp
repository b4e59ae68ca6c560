// SPDX-License-Identifier: Apache-2.0
#include "jsonhighlighter.h"

#include <QFont>

#include <algorithm>

namespace auditscope {

namespace {

// A hue mixed into the text colour: dark on light themes, light on dark ones.
QColor mix(const QColor& text, const QColor& hue, double amount)
{
    return QColor::fromRgbF(float(text.redF() * (1 - amount) + hue.redF() * amount),
        float(text.greenF() * (1 - amount) + hue.greenF() * amount),
        float(text.blueF() * (1 - amount) + hue.blueF() * amount));
}

bool isNumberChar(QChar c)
{
    return c.isDigit() || c == QLatin1Char('-') || c == QLatin1Char('+') || c == QLatin1Char('.')
        || c == QLatin1Char('e') || c == QLatin1Char('E');
}

} // namespace

JsonHighlighter::JsonHighlighter(QTextDocument* document)
    : QSyntaxHighlighter(document)
{
    setPalette(QPalette());
}

void JsonHighlighter::setPalette(const QPalette& palette)
{
    const QColor text = palette.color(QPalette::Text);
    m_key = {};
    m_key.setForeground(mix(text, QColor(30, 90, 210), 0.7));
    m_key.setFontWeight(QFont::DemiBold);
    m_string = {};
    m_string.setForeground(mix(text, QColor(20, 150, 60), 0.7));
    m_number = {};
    m_number.setForeground(mix(text, QColor(200, 100, 20), 0.7));
    m_literal = {};
    m_literal.setForeground(mix(text, QColor(170, 50, 190), 0.7));
    rehighlight();
}

QTextCharFormat JsonHighlighter::format(Token token) const
{
    switch (token) {
    case Token::Key:
        return m_key;
    case Token::String:
        return m_string;
    case Token::Number:
        return m_number;
    case Token::Literal:
        return m_literal;
    }
    return {};
}

void JsonHighlighter::highlightBlock(const QString& text)
{
    const auto size = static_cast<int>(text.size());
    int i = 0;
    while (i < size) {
        const QChar c = text.at(i);
        if (c == QLatin1Char('"')) {
            int end = i + 1;
            while (end < size && text.at(end) != QLatin1Char('"'))
                end += text.at(end) == QLatin1Char('\\') ? 2 : 1;
            end = std::min(end + 1, size);
            int next = end;
            while (next < size && text.at(next).isSpace())
                ++next;
            const bool key = next < size && text.at(next) == QLatin1Char(':');
            setFormat(i, end - i, key ? m_key : m_string);
            i = end;
        } else if (c.isDigit() || c == QLatin1Char('-')) {
            int end = i;
            while (end < size && isNumberChar(text.at(end)))
                ++end;
            setFormat(i, end - i, m_number);
            i = end;
        } else if (c.isLetter()) {
            int end = i;
            while (end < size && text.at(end).isLetter())
                ++end;
            const QStringView word = QStringView(text).mid(i, end - i);
            if (word == u"true" || word == u"false" || word == u"null")
                setFormat(i, end - i, m_literal);
            i = end;
        } else {
            ++i;
        }
    }
}

} // namespace auditscope

// SPDX-License-Identifier: Apache-2.0
#include "jsonhighlighter.h"

#include <QFont>

#include <algorithm>

namespace auditscope {

namespace {

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
    m_formats = SyntaxFormats::fromPalette(palette);
    rehighlight();
}

QTextCharFormat JsonHighlighter::format(Token token) const
{
    switch (token) {
    case Token::Key:
        return m_formats.key;
    case Token::String:
        return m_formats.string;
    case Token::Number:
        return m_formats.number;
    case Token::Literal:
        return m_formats.keyword;
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
            setFormat(i, end - i, key ? m_formats.key : m_formats.string);
            i = end;
        } else if (c.isDigit() || c == QLatin1Char('-')) {
            int end = i;
            while (end < size && isNumberChar(text.at(end)))
                ++end;
            setFormat(i, end - i, m_formats.number);
            i = end;
        } else if (c.isLetter()) {
            int end = i;
            while (end < size && text.at(end).isLetter())
                ++end;
            const QStringView word = QStringView(text).mid(i, end - i);
            if (word == u"true" || word == u"false" || word == u"null")
                setFormat(i, end - i, m_formats.keyword);
            i = end;
        } else {
            ++i;
        }
    }
}

} // namespace auditscope

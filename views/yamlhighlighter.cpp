// SPDX-License-Identifier: Apache-2.0
#include "yamlhighlighter.h"

#include <QFont>

namespace auditscope {

namespace {

// Words an audit policy gives meaning to: levels, stages, booleans.
bool isKeyword(QStringView word)
{
    static const QStringView words[] = {u"None", u"Metadata", u"Request", u"RequestResponse",
        u"RequestReceived", u"ResponseStarted", u"ResponseComplete", u"Panic", u"true", u"false",
        u"null", u"Policy"};
    for (QStringView w : words)
        if (word == w)
            return true;
    return false;
}

bool isNumber(QStringView word)
{
    if (word.isEmpty())
        return false;
    for (QChar c : word)
        if (!c.isDigit() && c != QLatin1Char('.') && c != QLatin1Char('-'))
            return false;
    return word.front().isDigit() || word.size() > 1;
}

// Where a comment starts (a '#' at the start or after a space, outside quotes), or -1.
int commentStart(const QString& text)
{
    QChar quote;
    for (int i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (!quote.isNull()) {
            if (c == quote)
                quote = QChar();
            continue;
        }
        if (c == QLatin1Char('"') || c == QLatin1Char('\''))
            quote = c;
        else if (c == QLatin1Char('#') && (i == 0 || text.at(i - 1).isSpace()))
            return i;
    }
    return -1;
}

} // namespace

YamlHighlighter::YamlHighlighter(QTextDocument* document)
    : QSyntaxHighlighter(document)
{
    setPalette(QPalette());
}

void YamlHighlighter::setPalette(const QPalette& palette)
{
    m_formats = SyntaxFormats::fromPalette(palette);
    rehighlight();
}

QTextCharFormat YamlHighlighter::format(Token token) const
{
    switch (token) {
    case Token::Comment:
        return m_formats.comment;
    case Token::Key:
        return m_formats.key;
    case Token::String:
        return m_formats.string;
    case Token::Keyword:
        return m_formats.keyword;
    case Token::Number:
        return m_formats.number;
    case Token::Punctuation:
        return m_formats.punctuation;
    }
    return {};
}

void YamlHighlighter::highlightBlock(const QString& text)
{
    const int comment = commentStart(text);
    const int end = comment < 0 ? int(text.size()) : comment;
    if (comment >= 0)
        setFormat(comment, int(text.size()) - comment, m_formats.comment);
    int i = 0;
    while (i < end && text.at(i).isSpace())
        ++i;
    // Sequence dashes ("- ", possibly nested: "- - ").
    while (i < end && text.at(i) == QLatin1Char('-') && (i + 1 == end || text.at(i + 1) == u' ')) {
        setFormat(i, 1, m_formats.punctuation);
        i += 2;
        while (i < end && text.at(i).isSpace())
            ++i;
    }
    if (i >= end)
        return;
    if (text.at(i) == QLatin1Char('-') && text.mid(i, 3) == QLatin1String("---")) {
        setFormat(i, 3, m_formats.punctuation);
        return;
    }
    // A mapping key: text up to ": " or a trailing ':' (outside quotes).
    QChar quote;
    for (int j = i; j < end; ++j) {
        const QChar c = text.at(j);
        if (!quote.isNull()) {
            if (c == quote)
                quote = QChar();
            continue;
        }
        if (c == QLatin1Char('"') || c == QLatin1Char('\'')) {
            quote = c;
        } else if (c == QLatin1Char(':') && (j + 1 == end || text.at(j + 1).isSpace())) {
            setFormat(i, j - i, m_formats.key);
            setFormat(j, 1, m_formats.punctuation);
            i = j + 1;
            break;
        } else if (c == QLatin1Char('[') || c == QLatin1Char('{')) {
            break; // a flow collection: no key on this line
        }
    }
    highlightScalar(text, i, end);
}

// Values: quoted strings, keywords and numbers, flow-collection punctuation.
void YamlHighlighter::highlightScalar(const QString& text, int start, int end)
{
    int i = start;
    while (i < end) {
        const QChar c = text.at(i);
        if (c == QLatin1Char('"') || c == QLatin1Char('\'')) {
            int j = i + 1;
            while (j < end && text.at(j) != c)
                j += (c == QLatin1Char('"') && text.at(j) == QLatin1Char('\\')) ? 2 : 1;
            j = std::min(j + 1, end);
            setFormat(i, j - i, m_formats.string);
            i = j;
        } else if (c == QLatin1Char('[') || c == QLatin1Char(']') || c == QLatin1Char('{')
            || c == QLatin1Char('}') || c == QLatin1Char(',')) {
            setFormat(i, 1, m_formats.punctuation);
            ++i;
        } else if (c.isSpace()) {
            ++i;
        } else {
            int j = i;
            while (j < end && !text.at(j).isSpace() && text.at(j) != QLatin1Char(',')
                && text.at(j) != QLatin1Char(']') && text.at(j) != QLatin1Char('}'))
                ++j;
            const QStringView word = QStringView(text).mid(i, j - i);
            if (isKeyword(word))
                setFormat(i, j - i, m_formats.keyword);
            else if (isNumber(word))
                setFormat(i, j - i, m_formats.number);
            i = j;
        }
    }
}

} // namespace auditscope

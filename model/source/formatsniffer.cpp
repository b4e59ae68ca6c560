// SPDX-License-Identifier: Apache-2.0
#include "formatsniffer.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>

namespace auditscope {

namespace {

bool startsWith(std::string_view text, std::string_view prefix)
{
    return text.substr(0, prefix.size()) == prefix;
}

SniffResult result(SourceFormat format, std::string message)
{
    SniffResult r;
    r.format = format;
    r.message = std::move(message);
    return r;
}

// Magic numbers of compressors and archives that are not gzip (gzip is decompressed before
// sniffing), with the command that unpacks each.
struct Magic
{
    std::string_view bytes;
    std::string_view what;
    std::string_view command;
};

constexpr std::array<Magic, 8> CompressedMagics{{
    {"\x28\xB5\x2F\xFD", "zstd-compressed data", "zstd -d FILE"},
    {std::string_view("\xFD\x37\x7A\x58\x5A\x00", 6), "xz-compressed data", "xz -d FILE"},
    {"\x04\x22\x4D\x18", "lz4-compressed data", "lz4 -d FILE"},
    {"LZIP", "lzip-compressed data", "lzip -d FILE"},
    {"PK\x03\x04", "a zip archive", "unzip FILE"},
    {"\x37\x7A\xBC\xAF\x27\x1C", "a 7-Zip archive", "7z x FILE"},
    {"\x1F\x9D", "compress (.Z) data", "uncompress FILE"},
    {"\x1F\x8B", "gzip data inside gzip", "zcat FILE | gzip -d"},
}};

// bzip2: "BZh" and a block size digit, then the block magic.
bool isBzip2(std::string_view head)
{
    return head.size() >= 10 && startsWith(head, "BZh") && head[3] >= '1' && head[3] <= '9'
        && (head.substr(4, 6) == "\x31\x41\x59\x26\x53\x59"
            || head.substr(4, 6) == "\x17\x72\x45\x38\x50\x90");
}

std::optional<SniffResult> sniffCompressed(std::string_view head)
{
    for (const Magic& m : CompressedMagics) {
        if (startsWith(head, m.bytes))
            return result(SourceFormat::Compressed,
                std::string(m.what) + ", not an audit log: decompress it first (`"
                    + std::string(m.command) + "`)");
    }
    if (isBzip2(head))
        return result(SourceFormat::Compressed,
            "bzip2-compressed data, not an audit log: decompress it first (`bzip2 -d FILE`)");
    if (head.size() > 262 && head.substr(257, 5) == "ustar")
        return result(SourceFormat::Compressed,
            "a tar archive, not an audit log: extract it first (`tar -xf FILE`) and open the "
            "folder");
    if (startsWith(head,
            "\x7F"
            "ELF"))
        return result(SourceFormat::Binary, "an executable (ELF), not an audit log");
    return std::nullopt;
}

// UTF-16 / UTF-32 by byte order mark, or without one by the zero bytes of ASCII text: JSON
// starts with ASCII, so its code units have zero high bytes in a fixed pattern.
std::optional<SniffResult> sniffWideText(std::string_view head)
{
    auto wide = [](SourceFormat format, bool bigEndian, bool bom) {
        SniffResult r;
        r.format = format;
        r.bigEndian = bigEndian;
        r.byteOrderMark = bom;
        const char* unit = format == SourceFormat::Utf16 ? "UTF-16" : "UTF-32";
        r.message = std::string(unit) + (bigEndian ? "BE" : "LE")
            + " text: transcoded to UTF-8 while loading (columns in messages count UTF-8 bytes)";
        return r;
    };
    if (startsWith(head, std::string_view("\xFF\xFE\x00\x00", 4)))
        return wide(SourceFormat::Utf32, false, true);
    if (startsWith(head, std::string_view("\x00\x00\xFE\xFF", 4)))
        return wide(SourceFormat::Utf32, true, true);
    if (startsWith(head, "\xFF\xFE"))
        return wide(SourceFormat::Utf16, false, true);
    if (startsWith(head, "\xFE\xFF"))
        return wide(SourceFormat::Utf16, true, true);

    // Without a BOM: look at up to 64 code units of 4 bytes. In ASCII-only UTF-32LE every unit
    // is `c 0 0 0`; in UTF-16LE every pair is `c 0`; the big-endian forms mirror them.
    const std::size_t units = std::min<std::size_t>(head.size() / 4, 64);
    if (units < 2)
        return std::nullopt;
    auto zero = [&](std::size_t i) { return head[i] == '\0'; };
    bool u32le = true, u32be = true, u16le = true, u16be = true;
    for (std::size_t u = 0; u < units; ++u) {
        const std::size_t i = u * 4;
        u32le = u32le && !zero(i) && zero(i + 1) && zero(i + 2) && zero(i + 3);
        u32be = u32be && zero(i) && zero(i + 1) && zero(i + 2) && !zero(i + 3);
        u16le = u16le && !zero(i) && zero(i + 1) && !zero(i + 2) && zero(i + 3);
        u16be = u16be && zero(i) && !zero(i + 1) && zero(i + 2) && !zero(i + 3);
    }
    if (u32le || u32be)
        return wide(SourceFormat::Utf32, u32be, false);
    if (u16le || u16be)
        return wide(SourceFormat::Utf16, u16be, false);
    return std::nullopt;
}

bool isBlank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

// A line quoted in a message: at most 60 bytes, control characters and non-ASCII shown as `?`
// (the bytes may be anything; a crafted file must not drive the user's terminal).
std::string quoteLine(std::string_view text)
{
    std::string_view line = text.substr(0, text.find('\n'));
    if (!line.empty() && line.back() == '\r')
        line.remove_suffix(1);
    std::string out;
    for (const char c : line.substr(0, 60)) {
        const auto u = static_cast<unsigned char>(c);
        out.push_back(u >= 0x20 && u < 0x7F ? c : '?');
    }
    return line.size() > 60 ? out + "..." : out;
}

// Length of the valid UTF-8 sequence at text[pos], or 0 if the bytes there are not one.
std::size_t utf8SequenceLength(std::string_view text, std::size_t pos)
{
    const auto lead = static_cast<unsigned char>(text[pos]);
    const std::size_t length = lead < 0x80 ? 1
        : lead >= 0xC2 && lead <= 0xDF     ? 2
        : lead >= 0xE0 && lead <= 0xEF     ? 3
        : lead >= 0xF0 && lead <= 0xF4     ? 4
                                           : 0;
    if (length == 0 || pos + length > text.size())
        return 0;
    for (std::size_t i = 1; i < length; ++i) {
        if ((static_cast<unsigned char>(text[pos + i]) & 0xC0) != 0x80)
            return 0;
    }
    return length;
}

// Share of the non-NUL bytes that are not text (control characters other than whitespace,
// bytes that are not valid UTF-8), in percent. NUL runs are left out: copytruncate leaves them
// in real logs.
int binaryPercent(std::string_view text)
{
    std::size_t counted = 0, binary = 0;
    for (std::size_t pos = 0; pos < text.size();) {
        const auto u = static_cast<unsigned char>(text[pos]);
        if (u == 0) {
            ++pos;
            continue;
        }
        const std::size_t length = utf8SequenceLength(text, pos);
        if (length == 0 || (u < 0x20 && !isBlank(text[pos])) || u == 0x7F) {
            ++binary;
            ++counted;
            ++pos;
            continue;
        }
        counted += length;
        pos += length;
    }
    return counted ? static_cast<int>(binary * 100 / counted) : 0;
}

struct LineCounts
{
    std::size_t lines = 0; ///< lines with something on them
    std::size_t objects = 0; ///< of which start with '{' (after blanks and NULs)
};

LineCounts countLines(std::string_view text)
{
    LineCounts counts;
    std::size_t pos = 0;
    while (pos < text.size()) {
        // NUL runs are what copytruncate leaves before a line; the line parser skips them.
        const std::size_t first = text.find_first_not_of(std::string_view(" \t\r\f\v\0", 6), pos);
        if (first == std::string_view::npos)
            break;
        if (text[first] != '\n') {
            ++counts.lines;
            counts.objects += text[first] == '{';
        }
        const std::size_t newline = text.find('\n', first);
        if (newline == std::string_view::npos)
            break;
        pos = newline + 1;
    }
    return counts;
}

// What a text that has no JSON object line is, with the best hint we can give.
SniffResult sniffText(std::string_view text, std::size_t headSize)
{
    const std::size_t first = text.find_first_not_of(" \t\r\n\f\v");
    if (binaryPercent(text) >= 10)
        return result(SourceFormat::Binary,
            "binary data, not an audit log (not UTF-8 text and not a compressed format it "
            "knows)");
    if (text.find(" AUDIT: id=\"") != std::string_view::npos)
        return result(SourceFormat::LegacyText,
            "the legacy text audit format (kube-apiserver --audit-log-format=legacy), which is "
            "not read: only JSON audit logs are (--audit-log-format=json, the default since "
            "Kubernetes 1.8)");
    if (text.find("kind: Policy") != std::string_view::npos)
        return result(SourceFormat::NotJson,
            "an audit policy (YAML), not a log: open it as a policy (File > Open Policy, or "
            "--policy)");
    const std::string scope = headSize >= SniffBytes ? "in the first 64 KiB" : "in the file";
    return result(SourceFormat::NotJson,
        "not an audit log: no line " + scope
            + " is a JSON object (kube-apiserver writes one JSON Event per line); it starts "
              "with \""
            + quoteLine(text.substr(first)) + "\"");
}

} // namespace

SniffResult sniffSource(std::string_view head)
{
    head = head.substr(0, SniffBytes);
    if (auto compressed = sniffCompressed(head))
        return *compressed;
    if (auto wide = sniffWideText(head))
        return *wide;
    std::string_view text = head;
    if (startsWith(text, "\xEF\xBB\xBF"))
        text.remove_prefix(3);
    // Leading NULs are what copytruncate leaves where the old data was; judge what follows.
    const std::size_t firstByte = text.find_first_not_of('\0');
    if (firstByte == std::string_view::npos) {
        if (text.empty())
            return result(SourceFormat::Empty, "the file is empty");
        return result(SourceFormat::Binary,
            "only NUL bytes" + std::string(head.size() >= SniffBytes ? " in the first 64 KiB" : "")
                + ", not an audit log");
    }
    text.remove_prefix(firstByte);
    const std::size_t firstText = text.find_first_not_of(" \t\r\n\f\v");
    if (firstText == std::string_view::npos) {
        if (head.size() < SniffBytes)
            return result(SourceFormat::Empty, "the file holds only blank lines");
        return {};
    }
    // An array's elements are objects on their own lines: look at the array first.
    if (text[firstText] == '[')
        return result(SourceFormat::JsonArray,
            "a JSON array, not JSON lines: convert it first (`jq -c '.[]' FILE > FILE.jsonl`)");
    // Random bytes have the odd line that starts with '{'; a log with a damaged region still
    // has mostly JSON lines. Only a source that is mostly not text is refused as binary.
    const LineCounts lines = countLines(text);
    if (lines.objects > 0 && (lines.objects * 2 >= lines.lines || binaryPercent(text) < 10))
        return {};
    return sniffText(text, head.size());
}

namespace {

void appendUtf8(std::string& out, std::uint32_t cp)
{
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

constexpr std::uint32_t Replacement = 0xFFFD;

std::uint32_t readUnit(std::string_view bytes, std::size_t at, std::size_t width, bool bigEndian)
{
    std::uint32_t value = 0;
    for (std::size_t b = 0; b < width; ++b) {
        const auto byte = static_cast<unsigned char>(bytes[at + b]);
        value |= std::uint32_t(byte) << (8 * (bigEndian ? width - 1 - b : b));
    }
    return value;
}

} // namespace

std::string transcodeToUtf8(std::string_view bytes, const SniffResult& sniffed)
{
    const std::size_t width = sniffed.format == SourceFormat::Utf32 ? 4 : 2;
    std::size_t pos = sniffed.byteOrderMark ? width : 0;
    std::string out;
    out.reserve(bytes.size() / width + 16);
    while (pos + width <= bytes.size()) {
        std::uint32_t cp = readUnit(bytes, pos, width, sniffed.bigEndian);
        pos += width;
        if (width == 2 && cp >= 0xD800 && cp <= 0xDBFF) {
            // A high surrogate needs a low one after it.
            const std::uint32_t low =
                pos + 2 <= bytes.size() ? readUnit(bytes, pos, 2, sniffed.bigEndian) : 0;
            if (low >= 0xDC00 && low <= 0xDFFF) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                pos += 2;
            } else {
                cp = Replacement;
            }
        } else if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
            cp = Replacement;
        }
        appendUtf8(out, cp);
    }
    if (pos < bytes.size())
        appendUtf8(out, Replacement); // a cut-off last code unit
    return out;
}

} // namespace auditscope

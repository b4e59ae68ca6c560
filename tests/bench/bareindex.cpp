// SPDX-License-Identifier: Apache-2.0
// bareindex: the yardstick for the loader (issue #17). Maps a JSON-lines audit log, splits it
// into chunks and, on N threads, parses one line per simdjson On-Demand iterate, reading the
// columns the loader keeps into plain per-thread vectors (strings interned per thread, no
// merge, no indexes, no diagnostics). Usage: bareindex [--threads N] [--repeat N] FILE
#include <simdjson.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <span>
#include <string>
#include <sys/mman.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>
#include <unordered_map>
#include <vector>

namespace {

namespace od = simdjson::ondemand;
using u32 = std::uint32_t;
constexpr u32 None = UINT32_MAX;

// Dense ids for the strings of one kind; the bytes are copied once into 1 MiB blocks.
class Interner
{
public:
    u32 intern(std::string_view s)
    {
        if (const auto it = m_ids.find(s); it != m_ids.end())
            return it->second;
        if (m_blocks.empty() || m_used + s.size() > BlockSize) {
            m_blocks.push_back(std::make_unique<char[]>(std::max(BlockSize, s.size())));
            m_used = 0;
        }
        char* copy = m_blocks.back().get() + m_used;
        std::memcpy(copy, s.data(), s.size());
        m_used += s.size();
        return m_ids.emplace(std::string_view(copy, s.size()), u32(m_ids.size())).first->second;
    }

private:
    static constexpr std::size_t BlockSize = 1 << 20;
    std::unordered_map<std::string_view, u32> m_ids;
    std::vector<std::unique_ptr<char[]>> m_blocks;
    std::size_t m_used = 0;
};

// RFC 3339 ("2025-03-14T09:00:00.123456Z", or an offset) to ns since the epoch; INT64_MIN if not.
std::int64_t parseTime(std::string_view s)
{
    auto num = [&](std::size_t at, std::size_t n) {
        std::int64_t v = 0;
        for (std::size_t i = at; i < at + n; ++i)
            v = (s[i] >= '0' && s[i] <= '9') ? v * 10 + (s[i] - '0') : INT64_MIN / 100;
        return v;
    };
    if (s.size() < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':')
        return INT64_MIN;
    std::int64_t y = num(0, 4), m = num(5, 2), d = num(8, 2);
    std::size_t pos = 19;
    std::int64_t frac = 0, scale = 1'000'000'000;
    if (s[pos] == '.')
        for (++pos; pos < s.size() && s[pos] >= '0' && s[pos] <= '9'; ++pos)
            frac = frac * 10 + (s[pos] - '0'), scale /= 10;
    std::int64_t offset = 0;
    if (pos + 6 == s.size() && (s[pos] == '+' || s[pos] == '-'))
        offset = (s[pos] == '+' ? 1 : -1) * (num(pos + 1, 2) * 3600 + num(pos + 4, 2) * 60);
    else if (pos + 1 != s.size() || s[pos] != 'Z')
        return INT64_MIN;
    y -= m <= 2; // days since 1970-01-01 in the proleptic Gregorian calendar
    const std::int64_t era = y / 400, yoe = y - era * 400;
    const std::int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const std::int64_t days = era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
    const std::int64_t secs = days * 86400 + num(11, 2) * 3600 + num(14, 2) * 60 + num(17, 2);
    return secs < 0 ? INT64_MIN : (secs - offset) * 1'000'000'000 + frac * scale;
}

// The id columns, in this order.
enum Column {
    Verb,
    User,
    GroupSet,
    Impersonated,
    SourceIp,
    UserAgent,
    ApiGroup,
    ApiVersion,
    Resource,
    Subresource,
    Namespace,
    Name,
    Decision,
    AuditId,
    IdColumns
};

struct Columns // one thread's events; ids index the interner of their column
{
    Interner pools[IdColumns], groups;
    std::vector<u32> ids[IdColumns], line, rawLength;
    std::vector<std::int64_t> time, stageTime;
    std::vector<std::uint8_t> stage, level, flags;
    std::vector<std::uint16_t> code;
    std::vector<std::uint64_t> rawOffset;
    std::vector<std::pair<u32, u32>> extraIps; // (row, ip) after the first sourceIPs entry
    std::string setKey;
};

struct Row
{
    u32 id[IdColumns];
    std::int64_t time = INT64_MIN, stageTime = INT64_MIN, code = 0;
    std::uint8_t stage = 0, level = 0, flags = 0;
};

struct Key // a string field read into a column
{
    std::string_view name;
    Column column;
};
constexpr Key TopKeys[] = {{"verb", Verb}, {"auditID", AuditId}, {"userAgent", UserAgent}};
constexpr Key RefKeys[] = {{"resource", Resource}, {"namespace", Namespace}, {"name", Name},
    {"apiGroup", ApiGroup}, {"apiVersion", ApiVersion}, {"subresource", Subresource}};
constexpr Key UserKeys[] = {{"username", User}};
constexpr Key ImpersonatedKeys[] = {{"username", Impersonated}};
constexpr Key AnnotationKeys[] = {{"authorization.k8s.io/decision", Decision}};

std::string_view keyOf(od::field& f) // the keys we read have no escapes
{
    const char* k = f.key().raw();
    return {k, std::size_t(static_cast<const char*>(std::memchr(k, '"', 64)) - k)};
}

std::string_view text(od::value v)
{
    std::string_view s;
    return v.get_string().get(s) ? std::string_view() : s;
}

std::uint8_t oneOf(std::string_view s, std::initializer_list<std::string_view> names)
{
    const auto it = std::find(names.begin(), names.end(), s);
    return it == names.end() ? 0 : std::uint8_t(1 + (it - names.begin()));
}

template <class Fn>
void forEachString(od::value v, Fn fn)
{
    od::array a;
    if (!v.get_array().get(a))
        for (auto e : a)
            if (std::string_view s; !e.get_string().get(s))
                fn(s);
}

// Interns the fields of `o` named in `keys` into `row`; other(key, value) sees the rest.
template <class Other>
void readObject(od::object o, std::span<const Key> keys, Row& row, Columns& c, Other other)
{
    for (auto result : o) {
        od::field f;
        if (std::move(result).get(f))
            return;
        const std::string_view k = keyOf(f);
        const auto key =
            std::find_if(keys.begin(), keys.end(), [&](auto& x) { return x.name == k; });
        if (key == keys.end())
            other(k, f.value());
        else if (std::string_view s; !f.value().get_string().get(s))
            row.id[key->column] = c.pools[key->column].intern(s);
    }
}

template <class Other = void (*)(std::string_view, od::value)>
void readObject(
    od::value v, std::span<const Key> keys, Row& row, Columns& c,
    Other other = [](std::string_view, od::value) {})
{
    if (od::object o; !v.get_object().get(o))
        readObject(o, keys, row, c, other);
}

void parseEvent(od::object event, Columns& c, std::uint64_t offset, u32 length, u32 lineNo)
{
    Row row;
    std::fill(std::begin(row.id), std::end(row.id), None);
    const auto rowIndex = u32(c.time.size());
    readObject(event, TopKeys, row, c, [&](std::string_view k, od::value v) {
        if (k == "requestReceivedTimestamp")
            row.time = parseTime(text(v));
        else if (k == "stageTimestamp")
            row.stageTime = parseTime(text(v));
        else if (k == "stage")
            row.stage =
                oneOf(text(v), {"RequestReceived", "ResponseStarted", "ResponseComplete", "Panic"});
        else if (k == "level")
            row.level = oneOf(text(v), {"None", "Metadata", "Request", "RequestResponse"});
        else if (k == "requestObject" || k == "responseObject")
            row.flags |= k == "requestObject" ? 1 : 2;
        else if (k == "objectRef")
            row.flags |= 4, readObject(v, RefKeys, row, c);
        else if (k == "impersonatedUser")
            readObject(v, ImpersonatedKeys, row, c);
        else if (k == "responseStatus")
            readObject(v, {}, row, c, [&](std::string_view k2, od::value x) {
                if (k2 == "code" && x.get_int64().get(row.code) == simdjson::SUCCESS)
                    row.flags |= 8;
            });
        else if (k == "annotations")
            readObject(v, AnnotationKeys, row, c, [&](std::string_view k2, od::value x) {
                row.flags |= k2 == "audit.k8s.io/truncated" && text(x) == "true" ? 16 : 0;
            });
        else if (k == "sourceIPs")
            forEachString(v, [&](std::string_view ip) {
                if (row.id[SourceIp] == None)
                    row.id[SourceIp] = c.pools[SourceIp].intern(ip);
                else
                    c.extraIps.emplace_back(rowIndex, c.pools[SourceIp].intern(ip));
            });
        else if (k == "user")
            readObject(v, UserKeys, row, c, [&](std::string_view k2, od::value x) {
                if (k2 != "groups")
                    return;
                c.setKey.clear(); // the set is keyed by its members' ids
                forEachString(x, [&](std::string_view g) {
                    const u32 id = c.groups.intern(g);
                    c.setKey.append(reinterpret_cast<const char*>(&id), sizeof id);
                });
                row.id[GroupSet] = c.pools[GroupSet].intern(c.setKey);
            });
    });
    for (int i = 0; i < IdColumns; ++i)
        c.ids[i].push_back(row.id[i]);
    c.time.push_back(row.time), c.stageTime.push_back(row.stageTime);
    c.stage.push_back(row.stage), c.level.push_back(row.level), c.flags.push_back(row.flags);
    c.code.push_back(std::uint16_t(row.code)), c.line.push_back(lineNo);
    c.rawOffset.push_back(offset), c.rawLength.push_back(length);
}

// Parses the lines of [begin, end) into `c`; a line near the end of the mapping is copied so
// that simdjson can read its padding.
void parseChunk(std::string_view file, std::size_t begin, std::size_t end, od::parser& parser,
    Columns& c, std::vector<char>& scratch)
{
    u32 lineNo = 0;
    for (std::size_t pos = begin; pos < end; ++lineNo) {
        const char* nl = static_cast<const char*>(std::memchr(file.data() + pos, '\n', end - pos));
        const std::size_t lineEnd = nl ? std::size_t(nl - file.data()) : end;
        const char* data = file.data() + pos;
        const std::size_t length = lineEnd - pos;
        if (file.size() - pos < length + simdjson::SIMDJSON_PADDING) {
            scratch.assign(data, data + length);
            scratch.resize(length + simdjson::SIMDJSON_PADDING);
            data = scratch.data();
        }
        od::document doc;
        od::object event;
        if (length > 0
            && !parser.iterate(data, length, length + simdjson::SIMDJSON_PADDING).get(doc)
            && !doc.get_object().get(event))
            parseEvent(event, c, pos, u32(length), lineNo);
        pos = lineEnd + 1;
    }
}

// Maps the file and indexes it; returns the seconds this took (or -1), and the events.
double indexOnce(const char* path, unsigned threads, std::size_t& events, std::size_t& size)
{
    const auto start = std::chrono::steady_clock::now();
    const int fd = open(path, O_RDONLY);
    struct stat st = {};
    if (fd < 0 || fstat(fd, &st) != 0 || st.st_size == 0)
        return -1;
    size = std::size_t(st.st_size);
    void* map = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED)
        return -1;
    const std::string_view file(static_cast<const char*>(map), size);
    constexpr std::size_t ChunkBytes = 4 << 20; // as the loader's
    std::vector<std::pair<std::size_t, std::size_t>> chunks;
    for (std::size_t pos = 0; pos < file.size();) {
        std::size_t end = std::min(pos + ChunkBytes, file.size());
        const std::size_t nl = end < file.size() ? file.find('\n', end - 1) : file.npos;
        end = nl == file.npos ? file.size() : nl + 1;
        chunks.emplace_back(pos, end);
        pos = end;
    }
    std::vector<Columns> columns(threads);
    std::atomic<std::size_t> next{0};
    {
        std::vector<std::jthread> workers;
        for (unsigned t = 0; t < threads; ++t)
            workers.emplace_back([&, t] {
                od::parser parser;
                std::vector<char> scratch;
                for (std::size_t i = next++; i < chunks.size(); i = next++)
                    parseChunk(
                        file, chunks[i].first, chunks[i].second, parser, columns[t], scratch);
            });
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    events = 0;
    for (const Columns& c : columns)
        events += c.time.size();
    munmap(map, size);
    return seconds;
}

} // namespace

int main(int argc, char** argv)
{
    unsigned threads = 2;
    int repeat = 1;
    const char* path = nullptr;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a == "--threads" && i + 1 < argc)
            threads = unsigned(std::max(1, std::atoi(argv[++i])));
        else if (a == "--repeat" && i + 1 < argc)
            repeat = std::max(1, std::atoi(argv[++i]));
        else
            path = argv[i];
    }
    std::vector<double> runs;
    std::size_t events = 0, size = 0;
    for (int r = 0; r < repeat && path; ++r) {
        runs.push_back(indexOnce(path, threads, events, size));
        if (runs.back() < 0)
            break;
        std::printf("run %d: %.3f s\n", r + 1, runs.back());
    }
    if (runs.empty() || runs.back() < 0) {
        std::fprintf(
            stderr, "usage: bareindex [--threads N] [--repeat N] FILE (plain JSON lines)\n");
        return 2;
    }
    std::sort(runs.begin(), runs.end());
    const double s = runs[runs.size() / 2];
    std::printf("bareindex (median of %d): %.3f s  %.0f MB/s  %.0f events/s  (%zu events, %zu "
                "bytes, %u threads)\n",
        repeat, s, double(size) / 1e6 / s, double(events) / s, events, size, threads);
}

// SPDX-License-Identifier: Apache-2.0
#include "sourcebuffer.h"

#include "source/formatsniffer.h"
#include "source/mappingguard.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

namespace auditscope {

namespace {

// simdjson needs this many readable bytes past the end of what it parses.
constexpr std::size_t Padding = 64;

std::string systemError(const std::string& what)
{
    return what + ": " + std::strerror(errno);
}

// Decompressed data beyond the machine's memory cannot be held: a gzip bomb stops there.
std::size_t memoryLimitBytes()
{
    const long pages = sysconf(_SC_PHYS_PAGES);
    const long pageSize = sysconf(_SC_PAGESIZE);
    return pages > 0 && pageSize > 0 ? std::size_t(pages) * std::size_t(pageSize) : SIZE_MAX;
}

// A malloc'd buffer filled from the front, with Padding spare bytes at the end (zeroed by
// finish()). Growth doubles and stops at the machine's memory, keeping what is there.
struct Inflated
{
    char* data = nullptr;
    std::size_t size = 0;
    std::size_t capacity = 0;
    std::string error;

    /// Makes room for at least 64 KiB more; false (with `error` set) when it cannot.
    bool makeRoom(const char* what)
    {
        if (data && capacity - Padding - size >= (1 << 16))
            return true;
        const std::size_t wanted = data ? capacity * 2 : capacity;
        if (data && wanted > memoryLimitBytes()) {
            error = std::string(what) + " would exceed this machine's memory: kept the first "
                + std::to_string(size) + " bytes";
            return false;
        }
        char* grown = static_cast<char*>(std::realloc(data, wanted));
        if (!grown) {
            error = std::string("out of memory while ") + what;
            return false;
        }
        data = grown;
        capacity = wanted;
        return true;
    }
    void finish()
    {
        if (data)
            std::memset(data + size, 0, Padding);
    }
};

// True if the first SniffBytes of `read` are neither text nor anything the loader reads.
bool notText(const Inflated& read)
{
    const SourceFormat format = sniffSource({read.data, SniffBytes}).format;
    return format == SourceFormat::Binary || format == SourceFormat::Compressed;
}

// Decompresses every gzip member in [data, data+size) into a padded buffer. Returns the buffer
// even on error, with what decompressed so far.

Inflated inflateAll(const unsigned char* data, std::size_t size)
{
    Inflated out;
    out.capacity = std::min(std::max<std::size_t>(size * 4, 1 << 16) + Padding, memoryLimitBytes());
    if (!out.makeRoom("decompressing"))
        return out;
    z_stream zs{};
    if (inflateInit2(&zs, 15 + 16) != Z_OK) { // 15 + 16: gzip wrapper
        out.error = "zlib initialisation failed";
        return out;
    }
    bool sniffed = false;
    std::size_t fed = 0; // input bytes handed to zlib so far (avail_in is 32-bit: feed slices)
    int members = 0;
    for (;;) {
        if (zs.avail_in == 0 && fed < size) {
            const std::size_t slice = std::min<std::size_t>(size - fed, std::size_t(1) << 30);
            zs.next_in = const_cast<unsigned char*>(data + fed);
            zs.avail_in = static_cast<uInt>(slice);
            fed += slice;
        }
        if (!out.makeRoom("decompressing"))
            break;
        const std::size_t room =
            std::min<std::size_t>(out.capacity - Padding - out.size, std::size_t(1) << 30);
        zs.next_out = reinterpret_cast<unsigned char*>(out.data + out.size);
        zs.avail_out = static_cast<uInt>(room);
        const int rc = inflate(&zs, Z_NO_FLUSH);
        out.size += room - zs.avail_out;
        if (!sniffed && out.size >= SniffBytes) {
            // gzip of /dev/zero or of a binary inflates forever: its head is enough to refuse.
            sniffed = true;
            if (notText(out))
                break;
        }
        if (rc == Z_OK)
            continue;
        const std::size_t consumed = fed - zs.avail_in;
        if (rc == Z_BUF_ERROR && zs.avail_in == 0 && fed < size)
            continue; // needs the next input slice
        if (rc == Z_STREAM_END) {
            ++members;
            // Another member may follow (multi-member gzip, `cat a.gz b.gz`); trailing zero
            // padding ends the stream quietly.
            const unsigned char* rest = data + consumed;
            const std::size_t restSize = size - consumed;
            if (restSize == 0)
                break;
            if (restSize >= 2 && rest[0] == 0x1f && rest[1] == 0x8b) {
                inflateReset(&zs);
                zs.next_in = const_cast<unsigned char*>(rest);
                zs.avail_in =
                    static_cast<uInt>(std::min<std::size_t>(restSize, std::size_t(1) << 30));
                fed = consumed + zs.avail_in;
                continue;
            }
            if (std::all_of(rest, rest + restSize, [](unsigned char c) { return c == 0; }))
                break;
            out.error = "unexpected bytes after gzip member " + std::to_string(members)
                + " at compressed offset " + std::to_string(consumed) + " (ignored)";
            break;
        }
        if (rc == Z_BUF_ERROR) {
            out.error = "truncated gzip stream: kept the " + std::to_string(out.size)
                + " bytes that decompressed";
        } else {
            out.error = std::string("corrupt gzip data (") + (zs.msg ? zs.msg : "zlib error")
                + ") near compressed offset " + std::to_string(consumed) + ": kept the "
                + std::to_string(out.size) + " bytes that decompressed";
        }
        break;
    }
    inflateEnd(&zs);
    out.finish();
    return out;
}

} // namespace

SourceBuffer::~SourceBuffer()
{
    if (m_owned)
        std::free(const_cast<char*>(m_data));
    else
        releaseMapping();
}

std::shared_ptr<SourceBuffer> SourceBuffer::fromBytes(std::string_view bytes)
{
    std::shared_ptr<SourceBuffer> buffer(new SourceBuffer);
    char* data = static_cast<char*>(std::malloc(bytes.size() + Padding));
    if (!bytes.empty()) // an empty view may hold a null pointer, which memcpy must not get
        std::memcpy(data, bytes.data(), bytes.size());
    std::memset(data + bytes.size(), 0, Padding);
    buffer->m_data = data;
    buffer->m_size = bytes.size();
    buffer->m_readable = bytes.size() + Padding;
    buffer->m_fileSize = bytes.size();
    buffer->m_owned = true;
    return buffer;
}

namespace {

bool isGzip(const char* data, std::size_t size);

// A stream whose first bytes are not text (/dev/zero, /dev/urandom, a binary or another
// compressor's data piped in) is not read to its end, which may never come: its first
// SniffBytes are enough to say what it is (the sniff-and-unwrap layer says it again, as the
// source's one message). Text is read whole: events may follow a text preamble.
bool refusedAfterSniffing(const Inflated& read)
{
    return read.size >= SniffBytes && !isGzip(read.data, read.size) && notText(read);
}

// Reads a pipe or character device to its end into a malloc'd, padded buffer.
Inflated readStream(int fd)
{
    Inflated out;
    out.capacity = (1 << 20) + Padding;
    bool sniffed = false;
    while (out.makeRoom("reading the stream")) {
        if (!sniffed && out.size >= SniffBytes) {
            sniffed = true;
            if (refusedAfterSniffing(out)) {
                out.size = SniffBytes;
                break;
            }
        }
        const ssize_t n = ::read(fd, out.data + out.size, out.capacity - Padding - out.size);
        if (n == 0)
            break;
        if (n < 0) {
            if (errno == EINTR)
                continue;
            out.error = systemError("read failed");
            break;
        }
        out.size += static_cast<std::size_t>(n);
    }
    out.finish();
    return out;
}

bool isGzip(const char* data, std::size_t size)
{
    return size >= 2 && static_cast<unsigned char>(data[0]) == 0x1f
        && static_cast<unsigned char>(data[1]) == 0x8b;
}

} // namespace

void SourceBuffer::adopt(char* data, std::size_t size, std::size_t capacity, bool compressed)
{
    m_data = data;
    m_size = size;
    m_readable = capacity;
    m_owned = true;
    m_compressed = compressed;
}

SourceBuffer::OpenResult SourceBuffer::fromMaybeCompressedBytes(std::string_view bytes)
{
    OpenResult result;
    if (!isGzip(bytes.data(), bytes.size())) {
        result.buffer = fromBytes(bytes);
        return result;
    }
    Inflated inflated =
        inflateAll(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
    result.error = std::move(inflated.error);
    if (!inflated.data)
        return result;
    std::shared_ptr<SourceBuffer> buffer(new SourceBuffer);
    buffer->m_fileSize = bytes.size();
    buffer->adopt(inflated.data, inflated.size, inflated.capacity, true);
    result.buffer = std::move(buffer);
    return result;
}

SourceBuffer::OpenResult SourceBuffer::open(const std::string& path)
{
    OpenResult result;
    // "-" is standard input. O_NONBLOCK: opening a FIFO that has no writer must not hang.
    const int fd = path == "-" ? ::fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 0)
                               : ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        result.error = systemError("cannot open");
        return result;
    }
    struct stat st
    {
    };
    if (fstat(fd, &st) != 0) {
        result.error = systemError("cannot stat");
        ::close(fd);
        return result;
    }
    std::shared_ptr<SourceBuffer> buffer(new SourceBuffer);
    buffer->m_fileSize = static_cast<std::uint64_t>(st.st_size);
    if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)) {
        // A pipe (`<(zcat audit.log.gz)`): read it whole, then decompress if it is gzip.
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
        Inflated raw = readStream(fd);
        ::close(fd);
        result.error = std::move(raw.error);
        if (!raw.data)
            return result;
        if (isGzip(raw.data, raw.size)) {
            Inflated inflated =
                inflateAll(reinterpret_cast<const unsigned char*>(raw.data), raw.size);
            std::free(raw.data);
            if (!inflated.error.empty())
                result.error = std::move(inflated.error);
            if (!inflated.data)
                return result;
            buffer->adopt(inflated.data, inflated.size, inflated.capacity, true);
        } else {
            buffer->adopt(raw.data, raw.size, raw.capacity, false);
        }
        result.buffer = std::move(buffer);
        return result;
    }
    if (!S_ISREG(st.st_mode)) {
        result.error = S_ISDIR(st.st_mode) ? "is a directory" : "not a regular file";
        ::close(fd);
        return result;
    }
    const auto size = static_cast<std::size_t>(st.st_size);
    if (size == 0) {
        ::close(fd);
        result.buffer = fromBytes({});
        return result;
    }
    void* address = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
    ::close(fd);
    if (address == MAP_FAILED) {
        result.error = systemError("cannot map");
        return result;
    }
    madvise(address, size, MADV_SEQUENTIAL);
    buffer->m_device = static_cast<std::uint64_t>(st.st_dev);
    buffer->m_inode = static_cast<std::uint64_t>(st.st_ino);
    buffer->m_data = static_cast<const char*>(address);
    buffer->m_size = size;
    buffer->m_readable = size;
    buffer->m_mapping = address;
    buffer->m_mappingSize = size;
    buffer->m_guardSlot = MappingGuard::registerMapping(address, size, &buffer->m_shrunk);
    if (isGzip(buffer->m_data, size)) {
        Inflated inflated = inflateAll(static_cast<const unsigned char*>(address), size);
        const bool shrunk = buffer->m_shrunk.load();
        buffer->releaseMapping();
        result.error = std::move(inflated.error);
        if (shrunk)
            result.error = "the file shrank while it was being read: " + result.error;
        if (!inflated.data)
            return result;
        buffer->adopt(inflated.data, inflated.size, inflated.capacity, true);
    }
    result.buffer = std::move(buffer);
    return result;
}

SourceBuffer::FileChange SourceBuffer::changeSinceOpen(const std::string& path) const
{
    FileChange change;
    if (!m_mapping)
        return change;
    const bool faulted = shrankWhileOpen();
    struct stat st
    {
    };
    const bool same = ::stat(path.c_str(), &st) == 0
        && static_cast<std::uint64_t>(st.st_dev) == m_device
        && static_cast<std::uint64_t>(st.st_ino) == m_inode;
    const auto now = same ? static_cast<std::uint64_t>(st.st_size) : 0;
    if (same && now < m_fileSize) {
        change.shrank = true;
        change.keptBytes = now;
        change.message = "the file shrank from " + std::to_string(m_fileSize) + " to "
            + std::to_string(now)
            + " bytes while loading (truncated in place, e.g. by logrotate's copytruncate); "
              "events after byte "
            + std::to_string(now) + " are missing";
    } else if (faulted) {
        // Truncated, then grown or replaced again: where it was cut is not known any more.
        change.shrank = true;
        change.keptBytes = 0;
        change.message = "the file was truncated while loading"
            + std::string(same ? " and has grown again" : " and then replaced")
            + "; events in the part that was cut off are missing";
    } else if (!same) {
        change.message = "the file was replaced while loading (rotated?); the events are those "
                         "of the file as it was when opened";
    } else if (now > m_fileSize) {
        change.message = "the file grew from " + std::to_string(m_fileSize) + " to "
            + std::to_string(now) + " bytes while loading; the " + std::to_string(now - m_fileSize)
            + " bytes added were not read (Reload reads them)";
    }
    return change;
}

void SourceBuffer::releaseMapping()
{
    MappingGuard::unregisterMapping(m_guardSlot);
    m_guardSlot = -1;
    if (m_mapping)
        munmap(m_mapping, m_mappingSize);
    m_mapping = nullptr;
    m_data = nullptr;
    m_size = m_readable = 0;
}

} // namespace auditscope

// SPDX-License-Identifier: Apache-2.0
#include "sourcebuffer.h"

#include "source/byteregion.h"
#include "source/formatsniffer.h"
#include "source/gzipinflate.h"
#include "source/mappingguard.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

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

// A malloc'd buffer filled from the front (a pipe read to its end), with Padding spare bytes
// at the end (zeroed by finish()). Growth doubles and stops at the machine's memory, keeping
// what is there.
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

} // namespace

SourceBuffer::~SourceBuffer()
{
    if (m_region)
        m_region.reset();
    else if (m_owned)
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

bool SourceBuffer::spilled() const
{
    return m_region && m_region->backing() == ByteRegion::Backing::SpillFile;
}

std::size_t SourceBuffer::heapBytes() const
{
    if (m_region)
        return spilled() ? 0 : m_region->backedBytes();
    return m_owned ? m_readable.load() : 0;
}

std::string SourceBuffer::inflateFrom(std::string_view compressed, std::string& note,
    const Streaming* streaming, const std::shared_ptr<SourceBuffer>& self)
{
    ByteRegion::CreateResult created =
        ByteRegion::create(m_spillToCache ? ByteRegion::cacheFolder() : std::string());
    note = std::move(created.note);
    if (!created.region)
        return "cannot decompress: " + note;
    m_region = std::move(created.region);
    m_data = m_region->data();
    m_compressed = true;
    if (streaming && streaming->started)
        streaming->started(self);
    const std::string error = inflateGzip(compressed, *m_region, [&](std::size_t bytes) {
        // Readers may parse up to `bytes`, with their padding inside what is written.
        m_readable.store(bytes, std::memory_order_release);
        m_size.store(bytes > Padding ? bytes - Padding : 0, std::memory_order_release);
        return !streaming || !streaming->progress
            || streaming->progress(bytes - std::min(bytes, Padding));
    });
    m_region->finish(Padding);
    m_readable.store(m_region->backedBytes(), std::memory_order_release);
    m_size.store(m_region->size(), std::memory_order_release);
    return error;
}

SourceBuffer::OpenResult SourceBuffer::fromMaybeCompressedBytes(std::string_view bytes)
{
    OpenResult result;
    if (!isGzip(bytes.data(), bytes.size())) {
        result.buffer = fromBytes(bytes);
        return result;
    }
    std::shared_ptr<SourceBuffer> buffer(new SourceBuffer);
    buffer->m_fileSize = bytes.size();
    buffer->m_spillToCache = false; // bytes in memory stay in memory
    result.error = buffer->inflateFrom(bytes, result.note, nullptr, buffer);
    if (buffer->m_region)
        result.buffer = std::move(buffer);
    return result;
}

SourceBuffer::OpenResult SourceBuffer::open(const std::string& path, const Streaming* streaming)
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
            std::string error =
                buffer->inflateFrom({raw.data, raw.size}, result.note, streaming, buffer);
            std::free(raw.data);
            if (!error.empty())
                result.error = std::move(error);
            if (!buffer->m_region)
                return result;
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
    if (isGzip(static_cast<const char*>(address), size)) {
        // The compressed file is read once, from this mapping, which goes when it is done.
        std::atomic<bool> shrunk{false};
        const int guardSlot = MappingGuard::registerMapping(address, size, &shrunk);
        result.error = buffer->inflateFrom(
            {static_cast<const char*>(address), size}, result.note, streaming, buffer);
        MappingGuard::unregisterMapping(guardSlot);
        munmap(address, size);
        if (shrunk)
            result.error = "the file shrank while it was being read: " + result.error;
        if (buffer->m_region)
            result.buffer = std::move(buffer);
        return result;
    }
    buffer->m_device = static_cast<std::uint64_t>(st.st_dev);
    buffer->m_inode = static_cast<std::uint64_t>(st.st_ino);
    buffer->m_data = static_cast<const char*>(address);
    buffer->m_size = size;
    buffer->m_readable = size;
    buffer->m_mapping = address;
    buffer->m_mappingSize = size;
    buffer->m_guardSlot = MappingGuard::registerMapping(address, size, &buffer->m_shrunk);
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

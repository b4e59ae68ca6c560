// SPDX-License-Identifier: Apache-2.0
#include "byteregion.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

namespace auditscope {

namespace {

constexpr std::size_t MiB = std::size_t(1) << 20;
constexpr std::size_t MaxRegionBytes = std::size_t(1) << 40; // the store's offsets hold 40 bits
// The spill stops before the folder's file system has less than this left: filling a user's
// disk to the last byte breaks every other program on it.
constexpr std::size_t KeepFreeBytes = 512 * MiB;
// The region grows by a quarter of its size, at least this (page aligned): a 30 GB file is a
// few dozen mappings.
constexpr std::size_t MinGrowthBytes = 8 * MiB;

std::mutex folderMutex;
bool folderChosen = false;
std::string chosenFolder;

std::string defaultCacheFolder()
{
    if (const char* dir = std::getenv("AUDITSCOPE_CACHE_DIR"))
        return dir;
    if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg == '/')
        return std::string(xdg) + "/auditscope";
    if (const char* home = std::getenv("HOME"); home && *home)
        return std::string(home) + "/.cache/auditscope";
    return "/tmp";
}

std::size_t physicalMemoryBytes()
{
    const long pages = sysconf(_SC_PHYS_PAGES);
    const long pageSize = sysconf(_SC_PAGESIZE);
    return pages > 0 && pageSize > 0 ? std::size_t(pages) * std::size_t(pageSize) : MaxRegionBytes;
}

std::size_t roundUp(std::size_t n, std::size_t to)
{
    return (n + to - 1) / to * to;
}

// Creates every missing folder of `path` (mode 0700: decompressed logs are as private as the
// logs themselves).
bool makeFolders(const std::string& path)
{
    for (std::size_t slash = path.find('/', 1);; slash = path.find('/', slash + 1)) {
        const std::string part = path.substr(0, slash);
        if (::mkdir(part.c_str(), 0700) != 0 && errno != EEXIST)
            return false;
        if (slash == std::string::npos)
            return true;
    }
}

// An unlinked file in `folder`: nothing is left behind, even if the program is killed.
int openUnlinkedFile(const std::string& folder, std::string& error)
{
    if (!makeFolders(folder)) {
        error = "cannot create the cache folder " + folder + ": " + std::strerror(errno);
        return -1;
    }
    int fd = ::open(folder.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0)
        return fd;
    // File systems without O_TMPFILE: a named file, removed at once.
    std::string name = folder + "/auditscope-spill-XXXXXX";
    fd = ::mkostemp(name.data(), O_CLOEXEC);
    if (fd < 0) {
        error = "cannot create a file in the cache folder " + folder + ": " + std::strerror(errno);
        return -1;
    }
    ::unlink(name.c_str());
    return fd;
}

std::size_t freeBytes(int fd)
{
    struct statvfs fs
    {
    };
    if (::fstatvfs(fd, &fs) != 0)
        return MaxRegionBytes;
    return std::size_t(fs.f_bavail) * std::size_t(fs.f_frsize);
}

} // namespace

std::string ByteRegion::cacheFolder()
{
    const std::lock_guard lock(folderMutex);
    return folderChosen ? chosenFolder : defaultCacheFolder();
}

void ByteRegion::setCacheFolder(const std::string& folder)
{
    const std::lock_guard lock(folderMutex);
    folderChosen = true;
    chosenFolder = folder;
}

ByteRegion::CreateResult ByteRegion::create(const std::string& folder)
{
    CreateResult result;
    std::unique_ptr<ByteRegion> region(new ByteRegion);
    if (!folder.empty()) {
        std::string error;
        region->m_fd = openUnlinkedFile(folder, error);
        if (region->m_fd < 0)
            result.note = error + "; decompressed into memory instead";
        else
            region->m_folder = folder;
    }
    region->m_limit = region->m_fd >= 0 ? freeBytes(region->m_fd) : physicalMemoryBytes();
    region->m_limit = std::min(region->m_limit, MaxRegionBytes);
    // Address space only: PROT_NONE and MAP_NORESERVE reserve no memory and no swap.
    region->m_reserved = roundUp(region->m_limit, MinGrowthBytes) + MinGrowthBytes;
    void* base = ::mmap(
        nullptr, region->m_reserved, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED) {
        result.note = std::string("cannot reserve address space: ") + std::strerror(errno);
        return result;
    }
    region->m_base = static_cast<char*>(base);
    result.region = std::move(region);
    return result;
}

ByteRegion::~ByteRegion()
{
    if (m_base)
        ::munmap(m_base, m_reserved);
    if (m_fd >= 0)
        ::close(m_fd);
}

bool ByteRegion::growSpill(std::size_t newBacked, std::string& error)
{
    const std::size_t grow = newBacked - m_backed;
    if (freeBytes(m_fd) < grow + KeepFreeBytes) {
        error = "the cache folder " + m_folder
            + " is almost full (decompressing further would "
              "leave less than 512 MiB free; choose a folder with more space, see the README)";
        return false;
    }
    // Blocks are allocated before the pages are mapped: a full disk is an error here, never a
    // SIGBUS on a page written later.
    const int rc = ::posix_fallocate(m_fd, off_t(m_backed), off_t(grow));
    if (rc != 0) {
        error = "cannot extend the decompressed file in the cache folder " + m_folder + ": "
            + std::strerror(rc);
        return false;
    }
    // Read-only: the data goes in through commit()'s pwrite.
    void* at =
        ::mmap(m_base + m_backed, grow, PROT_READ, MAP_SHARED | MAP_FIXED, m_fd, off_t(m_backed));
    if (at == MAP_FAILED) {
        error = std::string("cannot map the decompressed file: ") + std::strerror(errno);
        return false;
    }
    return true;
}

bool ByteRegion::makeRoom(std::size_t bytes, std::string& error)
{
    if (m_fd >= 0 && m_stagingBytes < bytes) {
        m_staging = std::make_unique_for_overwrite<char[]>(bytes);
        m_stagingBytes = bytes;
    }
    if (m_backed - m_size >= bytes)
        return true;
    const std::size_t wanted = m_size + bytes;
    if (wanted > m_limit || wanted + MinGrowthBytes > m_reserved) {
        error = m_fd >= 0 ? "the cache folder " + m_folder
                + " has no room for more (kept the first " + std::to_string(m_size) + " bytes)"
                          : "decompressing would exceed this machine's memory: kept the first "
                + std::to_string(m_size) + " bytes";
        return false;
    }
    const std::size_t newBacked = std::min(
        roundUp(std::max(wanted, m_backed + std::max(MinGrowthBytes, m_backed / 4)), MiB * 2),
        m_reserved);
    if (m_fd >= 0) {
        if (!growSpill(newBacked, error))
            return false;
    } else if (::mprotect(m_base + m_backed, newBacked - m_backed, PROT_READ | PROT_WRITE) != 0) {
        error = std::string("out of memory while decompressing (") + std::strerror(errno)
            + "): kept the first " + std::to_string(m_size) + " bytes";
        return false;
    }
    m_backed = newBacked;
    return true;
}

bool ByteRegion::commit(std::size_t bytes, std::string& error)
{
    if (m_fd < 0) {
        m_size += bytes;
        return true;
    }
    for (std::size_t done = 0; done < bytes;) {
        const ssize_t n =
            ::pwrite(m_fd, m_staging.get() + done, bytes - done, off_t(m_size + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            error = "cannot write the decompressed file in the cache folder " + m_folder + ": "
                + std::strerror(n < 0 ? errno : ENOSPC);
            return false;
        }
        done += std::size_t(n);
    }
    m_size += bytes;
    return true;
}

void ByteRegion::finish(std::size_t padding)
{
    std::string ignored;
    if (!makeRoom(padding, ignored))
        padding = std::min(padding, m_backed - m_size); // full: the tail is zero anyway
    if (m_fd >= 0) {
        const std::size_t size = m_size;
        std::memset(m_staging.get(), 0, padding);
        if (!commit(padding, ignored))
            errno = 0; // fallocate'd blocks that were never written read as zeros anyway
        m_size = size;
    } else {
        std::memset(m_base + m_size, 0, padding);
    }
    m_staging.reset();
    m_stagingBytes = 0;
    const std::size_t keep = roundUp(m_size + padding, std::size_t(sysconf(_SC_PAGESIZE)));
    if (keep < m_reserved) {
        ::munmap(m_base + keep, m_reserved - keep);
        m_reserved = keep;
    }
    // Give the disk blocks past the end back (if that fails, they go when the file closes).
    if (m_fd >= 0 && keep < m_backed && ::ftruncate(m_fd, off_t(keep)) != 0)
        errno = 0;
    m_backed = std::min(m_backed, m_reserved);
}

} // namespace auditscope

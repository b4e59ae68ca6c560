// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <algorithm>
#include <cstddef>
#include <memory>
#include <string>

namespace auditscope {

/// A growing run of bytes at a fixed address, for decompressed data: readers may parse the part
/// already written while the rest is still being written, so it must never move. Address space
/// is reserved up front (nothing is allocated for it); the region is backed as it grows, either
/// by an unlinked file in the cache folder (the spill: the page cache decides what stays in
/// memory, so logs larger than memory open) or by anonymous memory (when no cache folder can be
/// used, and for bytes already in memory).
class ByteRegion
{
public:
    enum class Backing { SpillFile, Memory };

    ~ByteRegion();
    ByteRegion(const ByteRegion&) = delete;
    ByteRegion& operator=(const ByteRegion&) = delete;

    struct CreateResult
    {
        std::unique_ptr<ByteRegion> region; ///< null only if no address space could be reserved
        std::string note; ///< set when a spill was wanted but memory is used ("cannot use ...")
    };
    /// A region backed by an unlinked file in `folder`, or by memory when `folder` is empty or
    /// cannot be used (the note says why).
    static CreateResult create(const std::string& folder);

    char* data() const { return m_base; }
    std::size_t size() const { return m_size; }
    Backing backing() const { return m_fd >= 0 ? Backing::SpillFile : Backing::Memory; }
    /// Bytes backed (readable) from data(): at least size() plus the padding once finished.
    std::size_t backedBytes() const { return m_backed; }

    /// Makes room for at least `bytes` after size(), to be written at writeArea(); false, with
    /// `error` set, when the region cannot grow (the folder is full or nearly so, the memory is
    /// used up, the limit reached).
    bool makeRoom(std::size_t bytes, std::string& error);
    /// Where the next bytes go (room for what makeRoom() asked for): right after size() in
    /// memory, or a staging buffer that commit() writes to the spill file. Writing the file with
    /// pwrite() costs about a quarter of the kernel time that faulting in its mapped pages one by
    /// one does (200 MiB: 0.05 s against 0.21 s), and the mapping stays read-only.
    char* writeArea() { return m_fd >= 0 ? m_staging.get() : m_base + m_size; }
    /// The first `bytes` at writeArea() now hold data and follow size(); false, with `error` set,
    /// when the spill file could not be written (nothing is added then).
    bool commit(std::size_t bytes, std::string& error);
    /// Drops everything written (a stream decoded again from its start).
    void clear() { m_size = 0; }
    /// Size goes back up to `size` over bytes written before clear(), which are still there.
    void keepEarlierBytes(std::size_t size) { m_size = std::max(m_size, size); }
    /// Zeroes `padding` bytes after the data (simdjson reads past the end) and gives back the
    /// reserved address space beyond them.
    void finish(std::size_t padding);

    /// The folder spill files go to: $AUDITSCOPE_CACHE_DIR, else $XDG_CACHE_HOME/auditscope, else
    /// ~/.cache/auditscope; or what setCacheFolder() chose. Empty: decompress into memory.
    static std::string cacheFolder();
    /// Overrides the cache folder for this process (`--cache-dir`); "" means memory.
    static void setCacheFolder(const std::string& folder);

private:
    ByteRegion() = default;
    bool growSpill(std::size_t newBacked, std::string& error);

    char* m_base = nullptr;
    std::size_t m_reserved = 0; ///< address space reserved at m_base
    std::size_t m_backed = 0; ///< bytes from m_base that are backed (file or memory)
    std::size_t m_size = 0; ///< bytes written
    std::size_t m_limit = 0; ///< never back more than this (free space or physical memory)
    int m_fd = -1; ///< the unlinked spill file, or -1 for memory
    std::unique_ptr<char[]> m_staging; ///< spill only: what commit() writes to the file
    std::size_t m_stagingBytes = 0;
    std::string m_folder;
};

} // namespace auditscope

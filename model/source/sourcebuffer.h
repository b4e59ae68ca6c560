// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace auditscope {

class ByteRegion;

/// The bytes of one source: a memory-mapped plain file, or a gzip file decompressed into a
/// ByteRegion this object owns (spilled to an unlinked file in the cache folder, or in memory).
/// Raw events are (offset, length) into these bytes. Immutable once opened (while a gzip file
/// is still decompressing, bytes() grows); readable from any thread.
class SourceBuffer
{
public:
    ~SourceBuffer();
    SourceBuffer(const SourceBuffer&) = delete;
    SourceBuffer& operator=(const SourceBuffer&) = delete;

    /// Opens `path`: gzip (by magic bytes) is decompressed, anything else is mapped.
    /// On failure `buffer` is null and `error` says why. A truncated or corrupt gzip gives both
    /// a buffer (what decompressed) and an error.
    struct OpenResult
    {
        std::shared_ptr<SourceBuffer> buffer;
        std::string error;
        std::string note; ///< loaded, with something to know ("decompressed into memory: ...")
    };
    /// For a gzip file: `started` gets the buffer before decompression starts, and `progress`
    /// the bytes decompressed so far after each step (readers may parse that many bytes from
    /// then on); `progress` returning false stops decompression (a cancel).
    struct Streaming
    {
        std::function<void(const std::shared_ptr<SourceBuffer>&)> started;
        std::function<bool(std::size_t decompressedBytes)> progress;
    };
    static OpenResult open(const std::string& path, const Streaming* streaming = nullptr);
    /// A buffer owning a copy of `bytes` (tests, stdin).
    static std::shared_ptr<SourceBuffer> fromBytes(std::string_view bytes);
    /// Like open(), for bytes already in memory: gzip (by magic bytes) is decompressed, anything
    /// else is copied. The gzip reader's entry point for tests and fuzzing.
    static OpenResult fromMaybeCompressedBytes(std::string_view bytes);

    std::string_view bytes() const { return {m_data, m_size.load(std::memory_order_acquire)}; }
    /// Bytes readable from `offset` on, including padding past the end (for simdjson).
    std::size_t readableFrom(std::size_t offset) const
    {
        return m_readable.load(std::memory_order_acquire) - offset;
    }
    /// True for a mapped file, which another program may change or truncate while it is read.
    bool mayChangeWhileRead() const { return m_mapping != nullptr; }
    /// True when decompressed data went to a spill file in the cache folder.
    bool spilled() const;
    bool compressed() const { return m_compressed; }
    std::uint64_t fileSizeBytes() const { return m_fileSize; }
    /// True if the mapped file shrank after it was opened: the missing bytes read as NUL.
    bool shrankWhileOpen() const { return m_shrunk.load(std::memory_order_relaxed); }
    /// How the file at `path` differs from what was mapped (plain files only).
    struct FileChange
    {
        std::string message; ///< empty when it did not change; else one sentence for the report
        bool shrank = false; ///< events may be missing
        std::uint64_t keptBytes = 0; ///< when shrank: the bytes still there (its new size)
    };
    FileChange changeSinceOpen(const std::string& path) const;
    /// Anonymous memory owned (data read from a pipe, decompressed data not spilled); 0 for a
    /// mapped file and for spilled data (the page cache holds those).
    std::size_t heapBytes() const;

private:
    SourceBuffer() = default;
    /// Takes ownership of a malloc'd buffer with `capacity - size` zeroed padding bytes.
    void adopt(char* data, std::size_t size, std::size_t capacity, bool compressed);
    /// Decompresses `compressed` into a new region of this buffer (streamed if asked).
    std::string inflateFrom(std::string_view compressed, std::string& note,
        const Streaming* streaming, const std::shared_ptr<SourceBuffer>& self);
    void releaseMapping();

    const char* m_data = nullptr;
    std::atomic<std::size_t> m_size{0};
    std::atomic<std::size_t> m_readable{0}; // m_size, plus padding for owned buffers
    std::unique_ptr<ByteRegion> m_region; // decompressed data
    std::uint64_t m_fileSize = 0;
    std::uint64_t m_device = 0, m_inode = 0; // of a mapped file, to tell a rotation from a change
    bool m_owned = false; // malloc'd (free) vs mmap'd (munmap)
    bool m_compressed = false;
    bool m_spillToCache = true; // false: decompress into memory (bytes that were in memory)
    void* m_mapping = nullptr;
    std::size_t m_mappingSize = 0;
    int m_guardSlot = -1; // MappingGuard registration of the mapping
    std::atomic<bool> m_shrunk{false}; // set by the SIGBUS handler
};

} // namespace auditscope

// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace auditscope {

/// The bytes of one source: a memory-mapped plain file, or a gzip file decompressed into
/// memory this object owns. Raw events are (offset, length) into these bytes.
/// Immutable after opening; readable from any thread.
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
    };
    static OpenResult open(const std::string& path);
    /// A buffer owning a copy of `bytes` (tests, stdin).
    static std::shared_ptr<SourceBuffer> fromBytes(std::string_view bytes);
    /// Like open(), for bytes already in memory: gzip (by magic bytes) is decompressed, anything
    /// else is copied. The gzip reader's entry point for tests and fuzzing.
    static OpenResult fromMaybeCompressedBytes(std::string_view bytes);

    std::string_view bytes() const { return {m_data, m_size}; }
    /// Bytes readable from `offset` on, including padding past the end (for simdjson).
    std::size_t readableFrom(std::size_t offset) const { return m_readable - offset; }
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
    /// Heap bytes owned (decompressed data); 0 for a mapping.
    std::size_t heapBytes() const { return m_owned ? m_readable : 0; }

private:
    SourceBuffer() = default;
    /// Takes ownership of a malloc'd buffer with `capacity - size` zeroed padding bytes.
    void adopt(char* data, std::size_t size, std::size_t capacity, bool compressed);
    void releaseMapping();

    const char* m_data = nullptr;
    std::size_t m_size = 0;
    std::size_t m_readable = 0; // m_size, plus padding for owned buffers
    std::uint64_t m_fileSize = 0;
    std::uint64_t m_device = 0, m_inode = 0; // of a mapped file, to tell a rotation from a change
    bool m_owned = false; // malloc'd (free) vs mmap'd (munmap)
    bool m_compressed = false;
    void* m_mapping = nullptr;
    std::size_t m_mappingSize = 0;
    int m_guardSlot = -1; // MappingGuard registration of the mapping
    std::atomic<bool> m_shrunk{false}; // set by the SIGBUS handler
};

} // namespace auditscope

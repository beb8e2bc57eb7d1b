#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Memory for the large lookup tables (the rank table's slots, the backtracking trie and merges):
/// aligned to 2 MiB and, on Linux, advised to use transparent huge pages, so that random lookups
/// over many megabytes do not also miss the TLB at every step.
enum HugePages {
    static let pageSize = 2 << 20

    /// Uninitialized memory for `capacity` values; free it with ``free(_:)``.
    static func allocate<T>(_ type: T.Type, capacity: Int) -> UnsafeMutablePointer<T> {
        let bytes = max(MemoryLayout<T>.stride * capacity, 1)
        // Below a huge page, ordinary memory: rounding up would waste more than it saves.
        let alignment = bytes >= pageSize ? pageSize : max(MemoryLayout<T>.alignment, 16)
        let rounded = (bytes + alignment - 1) / alignment * alignment
        var raw: UnsafeMutableRawPointer?
        guard posix_memalign(&raw, alignment, rounded) == 0, let raw else {
            fatalError("out of memory: \(rounded) bytes")
        }
        #if os(Linux)
        if alignment == pageSize { _ = madvise(raw, rounded, MADV_HUGEPAGE) }
        #endif
        return raw.bindMemory(to: T.self, capacity: capacity)
    }

    /// One block for several tables of `sizes` bytes each: the block (free it with ``free(_:)``)
    /// and the start of each table, 64-byte aligned.
    static func allocate(sizes: [Int]) -> (block: UnsafeMutablePointer<UInt8>, tables: [UnsafeMutableRawPointer]) {
        var starts: [Int] = []
        var total = 0
        for size in sizes {
            starts.append(total)
            total += (size + 63) & ~63
        }
        let block = allocate(UInt8.self, capacity: total)
        return (block, starts.map { UnsafeMutableRawPointer(block + $0) })
    }

    /// Frees memory from ``allocate(_:capacity:)``.
    static func free<T>(_ pointer: UnsafeMutablePointer<T>) {
        #if canImport(Glibc)
        Glibc.free(pointer)
        #else
        Darwin.free(pointer)
        #endif
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// The first `count` bytes (0-7) of a little-endian word read from memory, the others zero.
@inline(__always)
func firstBytes(_ word: UInt64, _ count: Int) -> UInt64 {
    word & ((UInt64(1) &<< UInt64(truncatingIfNeeded: count &* 8)) &- 1)
}

/// An open-addressing hash table from token bytes to rank, with the bytes of every token.
///
/// Slots hold the first twelve bytes of the key, its length and its rank, so a lookup of a key of
/// at most twelve bytes (all but 1% of the tokens that whole pieces match) touches one slot. Longer
/// keys compare the rest of their bytes against ``bytes``. The table is immutable once built and
/// never reallocated, so the hot loops use raw pointers into it.
final class RankTable: @unchecked Sendable {
    struct Slot {
        var key8: UInt64
        /// Bytes 8..<12 of the key, zero past its end.
        var tail4: UInt32
        /// `length << 24 | rank`, 0 = empty; the length saturates at 255 (``lengthTag(_:)``).
        var lengthRank: UInt32
    }

    /// Ranks must be below this (they share a slot's last word with the length).
    static let rankLimitMax = 1 << 24

    /// The length part of ``Slot/lengthRank`` for a key of `length` bytes.
    @inline(__always)
    static func lengthTag(_ length: Int) -> UInt32 {
        UInt32(truncatingIfNeeded: min(length, 255)) &<< 24
    }

    /// Sentinel for "not a token".
    static let none: UInt32 = .max

    /// The memory of all the tables below but ``bytes`` (see ``HugePages``).
    private let block: UnsafeMutablePointer<UInt8>
    let slots: UnsafeMutablePointer<Slot>
    let mask: Int
    /// The home slot of a hash is its top bits: `hash >> slotShift`.
    let slotShift: UInt64
    /// All token bytes, concatenated, followed by 16 zero bytes of padding.
    let bytes: UnsafeMutablePointer<UInt8>
    /// Offset in ``bytes`` of each rank's bytes (index = rank); `length == 0` means no such rank.
    let offsets: UnsafeMutablePointer<UInt32>
    let lengths: UnsafeMutablePointer<UInt32>
    /// One past the highest rank.
    let rankLimit: Int
    /// Number of tokens.
    let count: Int
    /// Rank of each single byte, or ``none``.
    let byteRanks: UnsafeMutablePointer<UInt32>
    /// Two bits in one word (``filterBits(_:)``, from the hash's top bits) for every token: a lookup
    /// with either bit clear is a miss without touching the (much larger) slot array.
    let filter: UnsafeMutablePointer<UInt64>
    static let filterShift: UInt64 = 64 - 22  // 2^22 bits = 512 KiB

    /// The filter word of a hash and its two bits (a blocked Bloom filter: two bits in one word).
    /// The word is the hash's top 16 bits, the bits come from bits 33-44: the hash is one multiply
    /// (``hash(_:_:)``), whose top bits are its best mixed.
    @inline(__always)
    static func filterBits(_ h: UInt64) -> (word: Int, bits: UInt64) {
        let word = Int(truncatingIfNeeded: h &>> (filterShift &+ 6))
        let b1 = (h &>> 39) & 63
        let b2 = (h &>> 33) & 63
        return (word, 1 &<< b1 | 1 &<< b2)
    }
    /// Rank of each two-byte string (index `b0 | b1 << 8`), or ``none``.
    let pairRanks: UnsafeMutablePointer<UInt32>
    /// Length of the longest token.
    let maxTokenLength: Int
    /// Bytes used by the table, for memory reports.
    let memoryFootprint: Int
    /// The backtracking tables, built on first use (`.some(nil)` if they cannot be built).
    private let backtrackingState = Mutex<BacktrackingTables??>(nil)

    /// Bytes of long pieces that calls have merged with the heap merge while the backtracking
    /// tables were not built, over the life of the table (see ``addHeapMergedBytes(_:)``).
    private let heapMergedBytes = Atomic<Int>(0)

    /// Counts `bytes` more of long pieces merged without the backtracking tables and returns the
    /// total so far. Kept per table, not per call, so that a process that counts many small
    /// inputs (a gateway's requests) builds the tables once their long pieces add up to
    /// ``BytePairMerger/backtrackingBuildBytes``, as one large input does.
    func addHeapMergedBytes(_ bytes: Int) -> Int {
        heapMergedBytes.add(bytes, ordering: .relaxed).newValue
    }

    /// The backtracking tables if they are built: `nil` if not yet, `.some(nil)` if they cannot be.
    var builtBacktracking: BacktrackingTables?? {
        backtrackingState.withLock { $0 }
    }

    /// The tables of backtracking BPE for long pieces; built on the first call (0.1-0.2 s of CPU
    /// for o200k_base), `nil` if this vocabulary cannot have them.
    var backtracking: BacktrackingTables? {
        backtrackingState.withLock { state in
            if let built = state { return built }
            let built = BacktrackingTables(table: self)
            state = .some(built)
            return built
        }
    }

    /// Builds the table from token byte strings, given as (offset, length) into `storage`, and ranks.
    /// Takes ownership of `storage`, which must have room for 16 bytes past `used`.
    /// Sets `duplicate` to the index of a span whose bytes an earlier span already has.
    init(storage: UnsafeMutablePointer<UInt8>, used total: Int, spans: [(offset: Int, length: Int, rank: UInt32)],
         duplicate: inout Int?) {
        (storage + total).initialize(repeating: 0, count: 16)
        bytes = storage
        var maxRank = 0
        var longest = 0
        for span in spans {
            maxRank = max(maxRank, Int(span.rank))
            longest = max(longest, span.length)
        }
        maxTokenLength = longest
        rankLimit = spans.isEmpty ? 0 : maxRank + 1
        var capacity = 1024
        while capacity < spans.count * 5 / 2 { capacity <<= 1 }
        mask = capacity - 1
        slotShift = UInt64(64 - capacity.trailingZeroBitCount)
        let ranks = max(rankLimit, 1)
        let memory = HugePages.allocate(sizes: [capacity * MemoryLayout<Slot>.stride, (1 << 16) * 8, 65536 * 4,
                                                256 * 4, ranks * 4, ranks * 4])
        block = memory.block
        slots = memory.tables[0].bindMemory(to: Slot.self, capacity: capacity)
        slots.initialize(repeating: Slot(key8: 0, tail4: 0, lengthRank: 0), count: capacity)
        filter = memory.tables[1].bindMemory(to: UInt64.self, capacity: 1 << 16)
        filter.initialize(repeating: 0, count: 1 << 16)
        pairRanks = memory.tables[2].bindMemory(to: UInt32.self, capacity: 65536)
        pairRanks.initialize(repeating: RankTable.none, count: 65536)
        byteRanks = memory.tables[3].bindMemory(to: UInt32.self, capacity: 256)
        offsets = memory.tables[4].bindMemory(to: UInt32.self, capacity: ranks)
        offsets.initialize(repeating: 0, count: ranks)
        lengths = memory.tables[5].bindMemory(to: UInt32.self, capacity: ranks)
        lengths.initialize(repeating: 0, count: ranks)
        byteRanks.initialize(repeating: RankTable.none, count: 256)
        count = spans.count
        memoryFootprint = total + 16 + rankLimit * 8 + capacity * MemoryLayout<Slot>.stride + 1024 + 65536 * 4 + (1 << 19)
        duplicate = nil
        for (index, span) in spans.enumerated() where span.length > 0 {
            offsets[Int(span.rank)] = UInt32(span.offset)
            lengths[Int(span.rank)] = UInt32(span.length)
            let key = bytes + span.offset
            if span.length == 1 { byteRanks[Int(key[0])] = span.rank }
            if span.length == 2 { pairRanks[Int(key[0]) | Int(key[1]) << 8] = span.rank }
            if !insert(key, span.length, span.rank) { duplicate = index }
        }
    }

    deinit {
        HugePages.free(block)
        bytes.deallocate()
    }

    /// Hash of `length` bytes at `key`, with its first eight bytes and its bytes 8..<12 (zero past
    /// the end); reads up to 7 bytes past the end, which must be readable. A key of up to eight
    /// bytes costs one multiply (its length mixed in first); callers use the top bits (the home slot
    /// is `hash >> slotShift`, the filter word the top 16), which depend on every bit of the key.
    @inline(__always)
    static func hash(_ key: UnsafePointer<UInt8>, _ length: Int) -> (key8: UInt64, tail4: UInt32, hash: UInt64) {
        let raw = UnsafeRawPointer(key)
        var word = raw.loadUnaligned(as: UInt64.self)
        if length < 8 { word = firstBytes(word, length) }
        var h = seed(word, length)
        var tail4: UInt32 = 0
        if length > 8 {
            var next = raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
            if length < 16 { next = firstBytes(next, length &- 8) }
            tail4 = UInt32(truncatingIfNeeded: next)
            h = (h &* 0xFF51_AFD7_ED55_8CCD) ^ next
            var offset = 16
            while offset < length {
                next = raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                let left = length &- offset
                if left < 8 { next = firstBytes(next, left) }
                h = (h &* 0xFF51_AFD7_ED55_8CCD) ^ next
                offset &+= 8
            }
            h ^= h &>> 29
        }
        return (word, tail4, finish(h))
    }

    /// The first step of ``hash(_:_:)``: the key's first word with its length mixed in.
    @inline(__always)
    static func seed(_ word: UInt64, _ length: Int) -> UInt64 {
        word ^ (UInt64(truncatingIfNeeded: length) &* 0x9E37_79B9_7F4A_7C15)
    }

    /// The last step of ``hash(_:_:)``: one multiply, whose top bits callers use.
    @inline(__always)
    static func finish(_ h: UInt64) -> UInt64 {
        h &* 0xD6E8_FEB8_6659_FD93
    }

    private func insert(_ key: UnsafePointer<UInt8>, _ length: Int, _ rank: UInt32) -> Bool {
        let (key8, tail4, h) = RankTable.hash(key, length)
        let (word, bits) = RankTable.filterBits(h)
        filter[word] |= bits
        var index = Int(truncatingIfNeeded: h &>> slotShift)
        while true {
            let slot = slots[index]
            if slot.lengthRank == 0 {
                slots[index] = Slot(key8: key8, tail4: tail4, lengthRank: RankTable.lengthTag(length) | rank)
                return true
            }
            let other = Int(slot.lengthRank & 0xFF_FFFF)
            if slot.key8 == key8 && Int(lengths[other]) == length
                && (length <= 8 || memcmp(key + 8, bytes + Int(offsets[other]) + 8, length - 8) == 0)
            {
                return false
            }
            index = (index &+ 1) & mask
        }
    }

    /// The rank of `length` bytes at `key` (`length` at least 1), or ``none``. Reads up to 7 bytes
    /// past the end.
    @inline(__always)
    func rank(_ key: UnsafePointer<UInt8>, _ length: Int) -> UInt32 {
        if length == 2 { return pairRanks[Int(key[0]) | Int(key[1]) &<< 8] }
        if length <= 8 {
            // One word of key (``hash(_:_:)`` for up to eight bytes, without its branches): its
            // bytes and the length tag decide, since bytes 8..<12 of such a slot are zero.
            let key8 = UnsafeRawPointer(key).loadUnaligned(as: UInt64.self)
                & (UInt64.max &>> UInt64(truncatingIfNeeded: (8 &- length) &<< 3))
            let h = RankTable.finish(RankTable.seed(key8, length))
            let (word, bits) = RankTable.filterBits(h)
            if filter[word] & bits != bits { return RankTable.none }
            var index = Int(truncatingIfNeeded: h &>> slotShift)
            let tag = UInt32(truncatingIfNeeded: length) &<< 24
            while true {
                let slot = slots[index]
                if slot.key8 == key8 && slot.lengthRank & 0xFF00_0000 == tag { return slot.lengthRank & 0xFF_FFFF }
                if slot.lengthRank == 0 { return RankTable.none }
                index = (index &+ 1) & mask
            }
        }
        let (key8, tail4, h) = RankTable.hash(key, length)
        let (word, bits) = RankTable.filterBits(h)
        if filter[word] & bits != bits { return RankTable.none }
        var index = Int(truncatingIfNeeded: h &>> slotShift)
        let tag = RankTable.lengthTag(length)
        while true {
            let slot = slots[index]
            if slot.key8 == key8 && slot.tail4 == tail4 && slot.lengthRank & 0xFF00_0000 == tag {
                let rank = slot.lengthRank & 0xFF_FFFF
                if length <= 12 || tailMatches(key, length, rank) { return rank }
            } else if slot.lengthRank == 0 {
                return RankTable.none
            }
            index = (index &+ 1) & mask
        }
    }

    /// Whether the bytes of `key` past the first twelve are those of the token `rank`, whose
    /// slot has the same first twelve bytes and length tag (`length` more than 12).
    @inline(never)
    private func tailMatches(_ key: UnsafePointer<UInt8>, _ length: Int, _ rank: UInt32) -> Bool {
        Int(lengths[Int(rank)]) == length && memcmp(key + 12, bytes + Int(offsets[Int(rank)]) + 12, length &- 12) == 0
    }

    /// Whether `rank` names a token in this table.
    @inline(__always)
    func contains(rank: Int) -> Bool {
        rank >= 0 && rank < rankLimit && lengths[rank] != 0
    }
}

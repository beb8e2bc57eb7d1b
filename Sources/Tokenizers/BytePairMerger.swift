/// Scratch space and the merge loops of byte-pair encoding over one piece at a time.
///
/// Short pieces use tiktoken's own algorithm (a vector of parts and a linear scan for the lowest
/// rank), which is fastest for the few bytes of a typical piece. Longer pieces use backtracking
/// BPE (``BacktrackingTables``), linear in the piece, once the process has built its tables; until
/// then (and for vocabularies that cannot have them) a binary heap of candidate pairs over a
/// linked list of parts, which performs the same merges in the same order (lowest rank first,
/// leftmost on ties) in O(n log n).
struct BytePairMerger: ~Copyable {
    static let longPiece = 16
    /// Pieces at least this long use backtracking BPE (see ``BacktrackingTables``) once its tables
    /// are built.
    static let backtrackingPiece = 17
    /// Building the backtracking tables costs about what the heap merge spends on this many bytes
    /// of long pieces (or on one piece this long), so a call builds them only past that point:
    /// short inputs never pay for them, long ones soon stop paying for the heap.
    static let backtrackingBuildBytes = 128 * 1024

    let table: RankTable
    /// Pieces at least this long use backtracking BPE.
    let backtrackFrom: Int
    /// Whether pieces are cut at hard boundaries (tests compare with and without).
    let cuts: Bool
    /// The backtracking tables, fetched on the first piece that needs them.
    private var backtracking: BacktrackingTables?
    private var backtrackingFetched = false
    /// The hard boundaries of the backtracking tables, once fetched (a value: no reference counting).
    private var boundaries: HardBoundaries?
    /// Whether a piece looked for the hard boundaries and found the tables not built (looking
    /// never builds them; the next fetch that builds or adopts them clears this).
    private var tablesNotBuilt = false
    /// Answers of ``BacktrackingTables/isValidPair(_:_:)``, direct-mapped:
    /// `(first << 21 | second) << 1 | valid`, 0 = empty (allocated with the tables, or kept from
    /// an earlier call: the answers depend only on the tables).
    private var validPairs: UnsafeMutablePointer<UInt64>?
    static let validPairBits = 12
    /// The part buffers (kept from an earlier call, or new), read through the accessors below.
    private var buffers: MergeBuffers
    private var starts: UnsafeMutablePointer<Int32> { buffers.starts }
    private var ranks: UnsafeMutablePointer<UInt32> { buffers.ranks }
    private var previous: UnsafeMutablePointer<Int32> { buffers.previous }
    private var heap: UnsafeMutablePointer<UInt64> { buffers.heap }
    private var tokens: UnsafeMutablePointer<UInt32> { buffers.tokens }
    private var scratch: UnsafeMutablePointer<UInt32> { buffers.scratch }
    /// Results of recent short pieces (see ``enableCache(bits:tokens:)``).
    private(set) var cache: PieceCache?
    /// A cache kept from an earlier call and not (yet) enabled for this one.
    private var idleCache: PieceCache?
    /// Where the cache and the pair memo go when this merger ends, for the next call.
    private let pool: ScratchPool?

    /// Caches the tokens of short pieces that are not whole tokens in at least `2^bits` slots, or
    /// only their number when `tokens` is false (for counting), so that recurring words are merged
    /// once. Takes the cache an earlier call left in the pool, with what it holds, if it is that
    /// large; otherwise a new one.
    mutating func enableCache(bits: Int, tokens: Bool = true) {
        guard cache == nil else { return }
        if let idle = idleCache {
            idleCache = nil
            if idle.bits >= bits && idle.holdsTokens == tokens {
                cache = idle
                return
            }
            idle.free()
        }
        cache = PieceCache(bits: bits, tokens: tokens)
    }

    /// - Parameter pool: scratch of earlier calls to start from, and to give this merger's back to
    ///   when it ends; `nil`: its own, freed at the end.
    init(table: RankTable, backtrackFrom: Int = BytePairMerger.backtrackingPiece, cuts: Bool = true,
         pool: ScratchPool? = nil) {
        self.table = table
        self.backtrackFrom = backtrackFrom
        self.cuts = cuts
        self.pool = pool
        let kept = pool?.take()
        buffers = kept?.buffers ?? MergeBuffers(capacity: BytePairMerger.longPiece + 2)
        if let kept {
            idleCache = kept.cache
            validPairs = kept.validPairs
            if let tables = kept.tables { adopt(tables) }
        }
    }

    deinit {
        if let pool {
            // Buffers grown for a long piece (32 bytes per byte of it) are not kept.
            let keep = buffers.capacity <= MergeBuffers.keptCapacity
            if !keep { buffers.free() }
            pool.give(MergerScratch(cache: cache ?? idleCache, validPairs: validPairs, buffers: keep ? buffers : nil,
                                    tables: backtrackingFetched ? .some(backtracking) : nil))
        } else {
            validPairs?.deallocate()
            cache?.free()
            idleCache?.free()
            buffers.free()
        }
    }

    private mutating func reserve(_ n: Int) {
        if n > buffers.capacity { buffers.grow(to: n) }
    }

    /// Rank of `piece[from..<to]`, or ``RankTable/none``.
    @inline(__always)
    private func rank(_ piece: UnsafePointer<UInt8>, _ from: Int, _ to: Int) -> UInt32 {
        table.rank(piece + from, to &- from)
    }

    /// Encodes one piece, calling `emit` with each token rank in order.
    /// The caller has already handled one-byte pieces and pieces that are whole tokens.
    ///
    /// A piece with three-byte characters (CJK, kana, Hangul) that misses the cache is first cut
    /// at its hard boundaries (``HardBoundaries/isHardBoundary(_:)``), once the backtracking
    /// tables are built: in Chinese, Japanese and Korean text about half the boundaries between
    /// characters are hard, and the parts are single characters and words that recur.
    @inline(__always)
    mutating func merge(_ piece: UnsafePointer<UInt8>, _ length: Int, _ emit: (UInt32) -> Void) {
        if length <= BytePairMerger.longPiece && length < backtrackFrom {
            guard let cache else {
                let partCount = mergeShort(piece, length)
                for k in 0..<(partCount &- 1) { emit(tokens[k]) }
                return
            }
            let (k0, k1) = PieceCache.key(piece, length)
            let slot = cache.slot(k0, k1, length)
            let n = PieceCache.lookup(slot, k0, k1, length)
            if n > 0 {
                for k in 0..<n { emit(cache.token(slot, k)) }
                return
            }
            if cuts && PieceCache.hasWide(k0, k1), let n = cutShort(piece, length) {
                for k in 0..<n { emit(scratch[k]) }
                cache.store(slot, k0, k1, length, scratch, n)
                return
            }
            let count = shortMiss(piece, length, k0, k1, slot)
            for k in 0..<count { emit(tokens[k]) }
            return
        }
        if cuts, let boundaries = builtBoundaries(),
           boundaries.forEachHardSegment(piece, length, { start, part in mergePart(piece + start, part, emit) })
        {
            return
        }
        mergeLongPiece(piece, length, emit)
    }

    /// The number of tokens of one piece, without building them (see ``merge(_:_:_:)``).
    @inline(__always)
    mutating func count(_ piece: UnsafePointer<UInt8>, _ length: Int) -> Int {
        if length <= BytePairMerger.longPiece && length < backtrackFrom {
            guard let cache else { return mergeShort(piece, length) &- 1 }
            let (k0, k1) = PieceCache.key(piece, length)
            let slot = cache.slot(k0, k1, length)
            let cached = PieceCache.lookup(slot, k0, k1, length)
            if cached > 0 { return cached }
            if cuts && PieceCache.hasWide(k0, k1), let n = cutShortCount(piece, length) {
                cache.store(slot, k0, k1, length, nil, n)
                return n
            }
            return shortMiss(piece, length, k0, k1, slot)
        }
        var total = 0
        if cuts, let boundaries = builtBoundaries(),
           boundaries.forEachHardSegment(piece, length, { start, part in total &+= countPart(piece + start, part) })
        {
            return total
        }
        return countLongPiece(piece, length)
    }

    /// A short piece that missed the cache, cut at its hard boundaries: its tokens in ``scratch``
    /// and their number, or `nil` if it has no hard boundary (or the tables are not built).
    @inline(__always)
    private mutating func cutShort(_ piece: UnsafePointer<UInt8>, _ length: Int) -> Int? {
        guard let boundaries = builtBoundaries() else { return nil }
        let scratch = self.scratch
        var n = 0
        let cut = boundaries.forEachHardSegment(piece, length) { start, part in
            mergePart(piece + start, part) { token in
                scratch[n] = token
                n &+= 1
            }
        }
        return cut ? n : nil
    }

    /// The number of tokens of a short piece that missed the cache, cut at its hard boundaries, or
    /// `nil` if it has no hard boundary (or the tables are not built): ``cutShort(_:_:)`` without
    /// the tokens.
    @inline(__always)
    private mutating func cutShortCount(_ piece: UnsafePointer<UInt8>, _ length: Int) -> Int? {
        guard let boundaries = builtBoundaries() else { return nil }
        var n = 0
        let cut = boundaries.forEachHardSegment(piece, length) { start, part in
            n &+= countPart(piece + start, part)
        }
        return cut ? n : nil
    }

    /// Tokens of a part of a piece cut at hard boundaries (it has none itself): the steps of
    /// ``merge(_:_:_:)`` without the cut, written out so that no function calls itself and all of
    /// them inline.
    @inline(__always)
    private mutating func mergePart(_ part: UnsafePointer<UInt8>, _ length: Int, _ emit: (UInt32) -> Void) {
        if length == 1 { return emit(table.byteRanks[Int(part[0])]) }
        let whole = length <= table.maxTokenLength ? table.rank(part, length) : RankTable.none
        if whole != RankTable.none { return emit(whole) }
        if length <= BytePairMerger.longPiece && length < backtrackFrom, let cache {
            let (k0, k1) = PieceCache.key(part, length)
            let slot = cache.slot(k0, k1, length)
            let n = PieceCache.lookup(slot, k0, k1, length)
            if n > 0 {
                for k in 0..<n { emit(cache.token(slot, k)) }
                return
            }
            let count = shortMiss(part, length, k0, k1, slot)
            for k in 0..<count { emit(tokens[k]) }
        } else if length <= BytePairMerger.longPiece && length < backtrackFrom {
            let partCount = mergeShort(part, length)
            for k in 0..<(partCount &- 1) { emit(tokens[k]) }
        } else {
            mergeLongPiece(part, length, emit)
        }
    }

    /// The number of tokens of a part of a piece cut at hard boundaries (see ``mergePart(_:_:_:)``).
    @inline(__always)
    private mutating func countPart(_ part: UnsafePointer<UInt8>, _ length: Int) -> Int {
        if length == 1 { return 1 }
        if length == 3, let boundaries, boundaries.isTokenCharacter(part) { return 1 }
        if length <= table.maxTokenLength && table.rank(part, length) != RankTable.none { return 1 }
        if length <= BytePairMerger.longPiece && length < backtrackFrom {
            guard let cache else { return mergeShort(part, length) &- 1 }
            let (k0, k1) = PieceCache.key(part, length)
            let slot = cache.slot(k0, k1, length)
            let cached = PieceCache.lookup(slot, k0, k1, length)
            if cached > 0 { return cached }
            return shortMiss(part, length, k0, k1, slot)
        }
        return countLongPiece(part, length)
    }

    /// A short piece that missed the cache: its tokens in ``tokens``, stored in the cache slot.
    /// - Returns: the number of tokens.
    @inline(__always)
    private mutating func shortMiss(
        _ piece: UnsafePointer<UInt8>, _ length: Int, _ k0: UInt64, _ k1: UInt64, _ slot: UnsafeMutableRawPointer
    ) -> Int {
        // tiktoken's merge, also for multilingual pieces: once they are cut at hard boundaries it
        // is 4-5% faster over multi.txt than backtracking them (which it was not before the cuts).
        let n = mergeShort(piece, length) &- 1
        cache?.store(slot, k0, k1, length, tokens, n)
        return n
    }

    /// Tokens of a piece too long for the cache: backtracking, or the heap merge.
    private mutating func mergeLongPiece(_ piece: UnsafePointer<UInt8>, _ length: Int, _ emit: (UInt32) -> Void) {
        if length >= backtrackFrom {
            let n = mergeBacktracking(piece, length)
            if n >= 0 {
                for k in 0..<n { emit(tokens[k]) }
                return
            }
        }
        mergeLong(piece, length)
        var k = 0
        while k < length {
            emit(tokens[k])
            k = Int(starts[k])
        }
    }

    /// The number of tokens of a piece too long for the cache.
    private mutating func countLongPiece(_ piece: UnsafePointer<UInt8>, _ length: Int) -> Int {
        if length >= backtrackFrom {
            let n = mergeBacktracking(piece, length)
            if n >= 0 { return n }
        }
        mergeLong(piece, length)
        var k = 0
        var n = 0
        while k < length {
            k = Int(starts[k])
            n &+= 1
        }
        return n
    }

    /// The hard boundaries if this merger has the backtracking tables or they are built, without
    /// building them.
    @inline(__always)
    private mutating func builtBoundaries() -> HardBoundaries? {
        if backtrackingFetched { return boundaries }
        if tablesNotBuilt { return nil }
        guard let built = table.builtBacktracking else {
            tablesNotBuilt = true
            return nil
        }
        adopt(built)
        return boundaries
    }

    /// Takes the backtracking tables (or their absence) once they are built.
    private mutating func adopt(_ built: BacktrackingTables?) {
        backtracking = built
        boundaries = built?.hardBoundaries
        backtrackingFetched = true
        tablesNotBuilt = false
        if built != nil && validPairs == nil {
            let pairs = UnsafeMutablePointer<UInt64>.allocate(capacity: 1 << BytePairMerger.validPairBits)
            pairs.initialize(repeating: 0, count: 1 << BytePairMerger.validPairBits)
            validPairs = pairs
        }
    }

    /// tiktoken's `byte_pair_merge`; leaves the part starts (and the end) in `starts`.
    /// - Returns: the number of entries in `starts` (parts + 1).
    @inline(__always)
    private mutating func mergeShort(_ piece: UnsafePointer<UInt8>, _ length: Int) -> Int {
        let none = RankTable.none
        var minRank = none
        var minIndex = 0
        for i in 0..<(length &- 1) {
            let r = table.pairRanks[Int(piece[i]) | Int(piece[i &+ 1]) &<< 8]
            if r < minRank { minRank = r; minIndex = i }
            starts[i] = Int32(truncatingIfNeeded: i)
            ranks[i] = r
            tokens[i] = table.byteRanks[Int(piece[i])]
        }
        tokens[length &- 1] = table.byteRanks[Int(piece[length &- 1])]
        starts[length &- 1] = Int32(truncatingIfNeeded: length &- 1)
        ranks[length &- 1] = none
        starts[length] = Int32(truncatingIfNeeded: length)
        ranks[length] = none
        var count = length &+ 1
        while minRank != none {
            let i = minIndex
            if i > 0 {
                ranks[i &- 1] = i &+ 2 < count
                    ? rank(piece, Int(starts[i &- 1]), Int(starts[i &+ 2])) : none
            }
            ranks[i] = i &+ 3 < count ? rank(piece, Int(starts[i]), Int(starts[i &+ 3])) : none
            tokens[i] = minRank
            count &-= 1
            // The next merge: the lowest rank, leftmost on ties. Parts up to i stay where they are;
            // part i + 1 is removed by moving the later ones down, which one loop does while it
            // goes on looking for the minimum.
            minRank = none
            var j = 0
            while j <= i {
                if ranks[j] < minRank {
                    minRank = ranks[j]
                    minIndex = j
                }
                j &+= 1
            }
            while j < count {
                starts[j] = starts[j &+ 1]
                let r = ranks[j &+ 1]
                ranks[j] = r
                tokens[j] = tokens[j &+ 1]
                if r < minRank {
                    minRank = r
                    minIndex = j
                }
                j &+= 1
            }
        }
        return count
    }

    /// Backtracking BPE (see ``BacktrackingTables``); leaves the tokens in `tokens`.
    /// - Returns: the number of tokens, or -1 if the tables are not available (yet).
    private mutating func mergeBacktracking(_ piece: UnsafePointer<UInt8>, _ length: Int) -> Int {
        if !backtrackingFetched {
            if let built = table.builtBacktracking {
                adopt(built)
            } else if backtrackFrom < BytePairMerger.backtrackingPiece
                || table.addHeapMergedBytes(length) >= BytePairMerger.backtrackingBuildBytes
            {
                adopt(table.backtracking)
            } else {
                return -1
            }
        }
        guard let tables = backtracking, let validPairs else { return -1 }
        @inline(__always) func isValid(_ first: UInt32, _ second: UInt32) -> Bool {
            let key = UInt64(first) &<< 21 | UInt64(second)
            let slot = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) &>> UInt64(64 - BytePairMerger.validPairBits))
            let entry = validPairs[slot]
            if entry &>> 1 == key && entry != 0 { return entry & 1 != 0 }
            let valid = tables.isValidPair(first, second)
            validPairs[slot] = key &<< 1 | (valid ? 1 : 0)
            return valid
        }
        reserve(length + 1)
        let none = RankTable.none
        // heap holds the bit field: bit p set = position p may still end a token.
        let bits = heap
        bits.update(repeating: ~0, count: (length &+ 64) &>> 6)
        let lengths = tables.lengths
        let nextPrefix = tables.nextPrefix
        var count = 0
        var position = 0
        var (next, nextLength) = tables.longestMatchAndLength(piece, 0, length)
        while next != none {
            var token = next
            var tokenLength = nextLength
            let last = count > 0 ? tokens[count &- 1] : none
            while true {
                let end = position &+ tokenLength
                if bits[end &>> 6] & (1 &<< UInt64(end & 63)) != 0 && (last == none || isValid(last, token)) {
                    tokens[count] = token
                    count &+= 1
                    position = end
                    if end < length {
                        (next, nextLength) = tables.longestMatchAndLength(piece, end, length)
                    } else {
                        next = none
                    }
                    break
                }
                let shorter = nextPrefix[Int(token)]
                if shorter != none {
                    token = shorter
                    tokenLength = Int(lengths[Int(shorter)])
                    continue
                }
                guard last != none else { return -1 }
                bits[position &>> 6] &= ~(1 &<< UInt64(position & 63))
                count &-= 1
                nextLength = Int(lengths[Int(last)])
                position &-= nextLength
                next = last
                break
            }
        }
        return position == length ? count : -1
    }

    /// Heap-driven merge for long pieces; leaves `starts[p]` = start of the part after the part
    /// that starts at `p`, for each surviving part (the last one links to `length`).
    private mutating func mergeLong(_ piece: UnsafePointer<UInt8>, _ length: Int) {
        reserve(length + 1)
        let maxToken = table.maxTokenLength
        let none = RankTable.none
        var heapCount = 0
        @inline(__always) func push(_ value: UInt64) {
            var i = heapCount
            heapCount += 1
            while i > 0 {
                let parent = (i - 1) >> 1
                if heap[parent] <= value { break }
                heap[i] = heap[parent]
                i = parent
            }
            heap[i] = value
        }
        @inline(__always) func pop() -> UInt64 {
            let top = heap[0]
            heapCount -= 1
            let last = heap[heapCount]
            var i = 0
            while true {
                var child = 2 * i + 1
                if child >= heapCount { break }
                if child + 1 < heapCount && heap[child + 1] < heap[child] { child += 1 }
                if last <= heap[child] { break }
                heap[i] = heap[child]
                i = child
            }
            heap[i] = last
            return top
        }
        @inline(__always) func pairRank(_ from: Int, _ to: Int) -> UInt32 {
            to - from > maxToken ? none : rank(piece, from, to)
        }
        // starts[p]: next part; previous[p]: previous part; ranks[p]: rank of the pair that starts
        // at p (none if there is none or p is merged away); tokens[p]: token of part p.
        for i in 0..<length {
            starts[i] = Int32(i + 1)
            previous[i] = Int32(i - 1)
            tokens[i] = table.byteRanks[Int(piece[i])]
        }
        for i in 0..<(length - 1) {
            let r = table.pairRanks[Int(piece[i]) | Int(piece[i + 1]) &<< 8]
            ranks[i] = r
            if r != none { push(UInt64(r) << 32 | UInt64(i)) }
        }
        ranks[length - 1] = none
        while heapCount > 0 {
            let top = pop()
            let r = UInt32(top >> 32)
            let p = Int(top & 0xFFFF_FFFF)
            guard ranks[p] == r else { continue }  // stale: the pair at p changed or p was merged away
            let q = Int(starts[p])
            let end = Int(starts[q])
            // merge q into p
            ranks[q] = none
            tokens[p] = r
            starts[p] = Int32(end)
            if end < length { previous[end] = Int32(p) }
            let before = Int(previous[p])
            if before >= 0 {
                let rb = pairRank(before, end)
                ranks[before] = rb
                if rb != none { push(UInt64(rb) << 32 | UInt64(before)) }
            }
            if end < length {
                let rn = pairRank(p, Int(starts[end]))
                ranks[p] = rn
                if rn != none { push(UInt64(rn) << 32 | UInt64(p)) }
            } else {
                ranks[p] = none
            }
        }
    }
}

/// The part buffers of a ``BytePairMerger``, kept with its scratch so that a call allocates
/// nothing (``grow(to:)`` enlarges them for long pieces).
struct MergeBuffers {
    /// Buffers of at most this capacity go back to the pool (128 KiB); larger ones, grown for one
    /// long piece, are freed when their call ends.
    static let keptCapacity = 4096
    private(set) var capacity: Int
    /// Part starts (short path) or next-part links (long path).
    private(set) var starts: UnsafeMutablePointer<Int32>
    private(set) var ranks: UnsafeMutablePointer<UInt32>
    private(set) var previous: UnsafeMutablePointer<Int32>
    private(set) var heap: UnsafeMutablePointer<UInt64>
    /// Token rank of each part.
    private(set) var tokens: UnsafeMutablePointer<UInt32>
    /// The tokens of a short piece cut at hard boundaries (at most one per byte); never grown.
    let scratch: UnsafeMutablePointer<UInt32>

    /// New buffers for parts of up to `capacity` bytes.
    init(capacity: Int) {
        self.capacity = capacity
        scratch = .allocate(capacity: BytePairMerger.longPiece)
        (starts, ranks, previous, heap, tokens) = MergeBuffers.parts(capacity)
    }

    private static func parts(_ capacity: Int) -> (
        UnsafeMutablePointer<Int32>, UnsafeMutablePointer<UInt32>, UnsafeMutablePointer<Int32>,
        UnsafeMutablePointer<UInt64>, UnsafeMutablePointer<UInt32>
    ) {
        (.allocate(capacity: capacity), .allocate(capacity: capacity), .allocate(capacity: capacity),
         .allocate(capacity: 2 * capacity + 4), .allocate(capacity: capacity))
    }

    /// Replaces the part buffers (not ``scratch``) with ones for `capacity` bytes; their contents go.
    mutating func grow(to capacity: Int) {
        freeParts()
        self.capacity = capacity
        (starts, ranks, previous, heap, tokens) = MergeBuffers.parts(capacity)
    }

    private func freeParts() {
        starts.deallocate()
        ranks.deallocate()
        previous.deallocate()
        heap.deallocate()
        tokens.deallocate()
    }

    func free() {
        freeParts()
        scratch.deallocate()
    }
}

/// A direct-mapped cache from pieces of 2 to 16 bytes to their (at most 11) tokens, or for
/// counting only to their number of tokens. Each slot is one 64-byte cache line (half a line when
/// counting): the piece's bytes as two words, `length << 8 | count` (0 = empty) and the tokens. A
/// piece whose hash picks a taken slot replaces what was there.
struct PieceCache {
    static let maxTokens = 11
    static let slotBytes = 64
    /// Slots of a cache that only counts: no tokens, so half a cache line (the cache's lines then
    /// hold two pieces each, and more of the rank table stays in the CPU's cache).
    static let countSlotBytes = 32
    let slots: UnsafeMutableRawPointer
    private let shift: UInt64
    /// The cache has `2^bits` slots.
    let bits: Int
    /// Whether slots hold tokens (for encoding) or only their number (for counting).
    let holdsTokens: Bool
    /// log2 of the slot size.
    private let slotShift: Int

    init(bits: Int, tokens: Bool = true) {
        self.bits = bits
        holdsTokens = tokens
        slotShift = (tokens ? PieceCache.slotBytes : PieceCache.countSlotBytes).trailingZeroBitCount
        shift = UInt64(64 - bits)
        slots = .allocate(byteCount: 1 << (bits + slotShift), alignment: PieceCache.slotBytes)
        clear()
    }

    /// Empties every slot.
    func clear() {
        slots.initializeMemory(as: UInt8.self, repeating: 0, count: 1 << (bits + slotShift))
    }

    /// Slots for an input of `bytes` bytes: one per 128 bytes, from 2^10 (64 KiB) to 2^14 (1 MiB).
    static func bits(forInput bytes: Int) -> Int {
        var bits = 10
        while bits < PieceCache.capBits && (128 << bits) < bytes { bits += 1 }
        return bits
    }
    /// The largest cache: 2^14 slots, 1 MiB.
    static let capBits = 14

    func free() {
        slots.deallocate()
    }

    /// The piece's bytes as two words; reads up to 16 bytes, which the padded input allows.
    @inline(__always)
    static func key(_ piece: UnsafePointer<UInt8>, _ length: Int) -> (UInt64, UInt64) {
        let raw = UnsafeRawPointer(piece)
        var k0 = raw.loadUnaligned(as: UInt64.self)
        var k1: UInt64 = 0
        if length < 8 {
            k0 = firstBytes(k0, length)
        } else if length > 8 {
            k1 = raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
            if length < 16 { k1 = firstBytes(k1, length &- 8) }
        }
        return (k0, k1)
    }

    /// Whether the piece has a byte of a multi-byte UTF-8 character (the bytes past the piece are 0).
    @inline(__always)
    static func hasWide(_ k0: UInt64, _ k1: UInt64) -> Bool {
        (k0 | k1) & 0x8080_8080_8080_8080 != 0
    }

    /// The slot of a key.
    @inline(__always)
    func slot(_ k0: UInt64, _ k1: UInt64, _ length: Int) -> UnsafeMutableRawPointer {
        let h = (k0 &* 0x9E37_79B9_7F4A_7C15) ^ ((k1 ^ UInt64(truncatingIfNeeded: length)) &* 0xC2B2_AE3D_27D4_EB4F)
        return slots + Int(truncatingIfNeeded: h &>> shift) &<< slotShift
    }

    /// The number of tokens cached in `slot` for this piece, or 0.
    @inline(__always)
    static func lookup(_ slot: UnsafeMutableRawPointer, _ k0: UInt64, _ k1: UInt64, _ length: Int) -> Int {
        let meta = slot.load(fromByteOffset: 16, as: UInt32.self)
        guard meta &>> 8 == UInt32(truncatingIfNeeded: length), slot.load(as: UInt64.self) == k0,
              slot.load(fromByteOffset: 8, as: UInt64.self) == k1
        else { return 0 }
        return Int(meta & 0xFF)
    }

    /// The `k`th token cached in `slot` (of a cache that holds tokens).
    @inline(__always)
    func token(_ slot: UnsafeMutableRawPointer, _ k: Int) -> UInt32 {
        assert(holdsTokens, "tokens read from a piece cache that only counts")
        return slot.load(fromByteOffset: 20 &+ 4 &* k, as: UInt32.self)
    }

    /// Caches the piece's `count` tokens from `source` in `slot`, or only their number if the cache
    /// does not hold tokens. A cache that holds tokens stores nothing without them (`source` nil)
    /// or if there are more than ``maxTokens``.
    @inline(__always)
    func store(
        _ slot: UnsafeMutableRawPointer, _ k0: UInt64, _ k1: UInt64, _ length: Int,
        _ source: UnsafeMutablePointer<UInt32>?, _ count: Int
    ) {
        guard count > 0 && (!holdsTokens || (source != nil && count <= PieceCache.maxTokens)) else { return }
        slot.storeBytes(of: k0, as: UInt64.self)
        slot.storeBytes(of: k1, toByteOffset: 8, as: UInt64.self)
        slot.storeBytes(of: UInt32(truncatingIfNeeded: length) &<< 8 | UInt32(truncatingIfNeeded: count),
                        toByteOffset: 16, as: UInt32.self)
        guard holdsTokens, let source else { return }
        for k in 0..<count { slot.storeBytes(of: source[k], toByteOffset: 20 &+ 4 &* k, as: UInt32.self) }
    }
}

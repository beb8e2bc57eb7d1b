/// The immutable tables of an ``Encoding`` and the encode, count and decode loops.
final class EncodingCore: @unchecked Sendable {
    struct Special {
        let text: String
        let bytes: [UInt8]
        let id: UInt32
    }

    /// Inputs at least this long cache the tokens of short pieces: all of them, since the cache is
    /// kept from call to call (``ScratchPool``).
    static let cacheThreshold = 0

    /// Inputs at least this long use a ``PieceCache`` (tests change it).
    let cacheFrom: Int
    /// The scratch of finished calls (piece caches, pair memos, buffers), for the next ones.
    let encodeScratch = ScratchPool()
    let countScratch = ScratchPool()
    /// Slots of the piece cache as a power of two; `nil`: sized by the input (tests set it).
    let cacheBits: Int?

    let table: RankTable
    let pattern: SplitPattern
    let specialTokens: [String: Int]
    let specials: [Special]
    let specialBytes: [Int: [UInt8]]

    /// Pieces at least this long use backtracking BPE (tests lower it to check every piece).
    let backtrackFrom: Int

    init(table: RankTable, pattern: SplitPattern, specialTokens: [String: Int],
         backtrackFrom: Int = BytePairMerger.backtrackingPiece, cacheFrom: Int = EncodingCore.cacheThreshold,
         cacheBits: Int? = nil) {
        self.table = table
        self.cacheFrom = cacheFrom
        self.cacheBits = cacheBits
        self.backtrackFrom = backtrackFrom
        self.pattern = pattern
        self.specialTokens = specialTokens
        specials = specialTokens.map { Special(text: $0.key, bytes: Array($0.key.utf8), id: UInt32($0.value)) }
            .sorted { $0.bytes.count != $1.bytes.count ? $0.bytes.count > $1.bytes.count : $0.text < $1.text }
        specialBytes = Dictionary(specialTokens.map { ($0.value, Array($0.key.utf8)) }, uniquingKeysWith: { a, _ in a })
    }

    func allowedList(_ allowed: AllowedSpecial) -> [Special] {
        switch allowed {
        case .none: []
        case .all: specials
        case .some(let set): specials.filter { set.contains($0.text) }
        }
    }

    // MARK: Encode

    /// Calls `body` with a copy of the text's UTF-8 followed by 16 zero bytes, so that hashing may
    /// read whole words past the end of a piece.
    @inline(__always)
    private func withPaddedUTF8<R>(_ text: String, _ body: (UnsafePointer<UInt8>, Int) -> R) -> R {
        var text = text
        return text.withUTF8 { utf8 in
            let n = utf8.count
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: n + 16) { buffer in
                let p = buffer.baseAddress!
                if n > 0 { p.initialize(from: utf8.baseAddress!, count: n) }
                (p + n).initialize(repeating: 0, count: 16)
                return body(UnsafePointer(p), n)
            }
        }
    }

    /// Splits `[0, n)` at allowed special tokens (none may be empty); calls `ordinary(start, end)`
    /// for text between them and `special(id)` for each special token. The earliest match wins,
    /// and at one position the first token of `allowed` that matches (callers sort longest first).
    /// Also the added tokens of ``HuggingFaceCore``, which may be a thousand: only positions whose
    /// byte starts one of them are compared.
    @inline(__always)
    static func forEachSegment(
        _ p: UnsafePointer<UInt8>, _ n: Int, _ allowed: [Special], ordinary: (Int, Int) -> Void,
        special: (UInt32) -> Void
    ) {
        if allowed.isEmpty {
            ordinary(0, n)
            return
        }
        var firstBytes = [Bool](repeating: false, count: 256)
        for s in allowed { firstBytes[Int(s.bytes[0])] = true }
        var segmentStart = 0
        var i = 0
        outer: while i < n {
            if firstBytes[Int(p[i])] {
                for s in allowed where s.bytes[0] == p[i] && s.bytes.count <= n - i {
                    var matched = true
                    for k in 1..<s.bytes.count where p[i + k] != s.bytes[k] {
                        matched = false
                        break
                    }
                    if matched {
                        if i > segmentStart { ordinary(segmentStart, i) }
                        special(s.id)
                        i += s.bytes.count
                        segmentStart = i
                        continue outer
                    }
                }
            }
            i += 1
        }
        if n > segmentStart { ordinary(segmentStart, n) }
    }

    func encode(_ text: String, allowed: [Special]) -> [Int] {
        withPaddedUTF8(text) { p, n in
            var out = TokenBuffer(capacity: n / 3 + 16)
            defer { out.free() }
            var merger = BytePairMerger(table: table, backtrackFrom: backtrackFrom, pool: encodeScratch)
            if n >= cacheFrom { merger.enableCache(bits: cacheBits ?? PieceCache.bits(forInput: n)) }
            EncodingCore.forEachSegment(p, n, allowed) { start, end in
                switch pattern {
                case .cl100k: encodeSegment(CL100KPreTokenizer(), p + start, end - start, &merger, &out)
                case .o200k: encodeSegment(O200KPreTokenizer(), p + start, end - start, &merger, &out)
                case .p50k: encodeSegment(P50KPreTokenizer(), p + start, end - start, &merger, &out)
                }
            } special: { id in
                out.append(id)
            }
            return out.array()
        }
    }

    func count(_ text: String, allowed: [Special]) -> Int {
        withPaddedUTF8(text) { p, n in
            var total = 0
            var merger = BytePairMerger(table: table, backtrackFrom: backtrackFrom, pool: countScratch)
            if n >= cacheFrom { merger.enableCache(bits: cacheBits ?? PieceCache.bits(forInput: n), tokens: false) }
            EncodingCore.forEachSegment(p, n, allowed) { start, end in
                switch pattern {
                case .cl100k: total += countSegment(CL100KPreTokenizer(), p + start, end - start, &merger)
                case .o200k: total += countSegment(O200KPreTokenizer(), p + start, end - start, &merger)
                case .p50k: total += countSegment(P50KPreTokenizer(), p + start, end - start, &merger)
                }
            } special: { _ in
                total += 1
            }
            return total
        }
    }

    @inline(__always)
    private func encodeSegment<P: PreTokenizer>(
        _ splitter: P, _ p: UnsafePointer<UInt8>, _ n: Int, _ merger: inout BytePairMerger, _ out: inout TokenBuffer
    ) {
        let table = self.table
        var i = 0
        while i < n {
            let end = splitter.pieceEnd(p, n, i)
            let length = end &- i
            let piece = p + i
            if length == 1 {
                out.append(table.byteRanks[Int(piece[0])])
            } else {
                let whole = length <= table.maxTokenLength ? table.rank(piece, length) : RankTable.none
                if whole != RankTable.none {
                    out.append(whole)
                } else {
                    merger.merge(piece, length) { out.append($0) }
                }
            }
            i = end
        }
    }

    @inline(__always)
    private func countSegment<P: PreTokenizer>(
        _ splitter: P, _ p: UnsafePointer<UInt8>, _ n: Int, _ merger: inout BytePairMerger
    ) -> Int {
        let table = self.table
        var total = 0
        var i = 0
        while i < n {
            let end = splitter.pieceEnd(p, n, i)
            let length = end &- i
            if length == 1 {
                total &+= 1
            } else if length <= table.maxTokenLength && table.rank(p + i, length) != RankTable.none {
                total &+= 1
            } else {
                total &+= merger.count(p + i, length)
            }
            i = end
        }
        return total
    }

    // MARK: Decode

    func decodeBytes(_ tokens: [Int]) throws(TokenizerError) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(tokens.count * 4)
        for token in tokens {
            if table.contains(rank: token) {
                let offset = Int(table.offsets[token])
                let length = Int(table.lengths[token])
                out.append(contentsOf: UnsafeBufferPointer(start: table.bytes + offset, count: length))
            } else if let bytes = specialBytes[token] {
                out.append(contentsOf: bytes)
            } else {
                throw .unknownToken(token)
            }
        }
        return out
    }
}

/// A growable buffer of token ids with an unchecked fast append.
struct TokenBuffer {
    private(set) var base: UnsafeMutablePointer<UInt32>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    @inline(__always)
    mutating func append(_ id: UInt32) {
        if count == capacity { grow() }
        base[count] = id
        count &+= 1
    }

    private mutating func grow() {
        let bigger = UnsafeMutablePointer<UInt32>.allocate(capacity: capacity * 2)
        bigger.moveInitialize(from: base, count: count)
        base.deallocate()
        base = bigger
        capacity *= 2
    }

    /// The ids as an array of `Int`.
    func array() -> [Int] {
        [Int](unsafeUninitializedCapacity: count) { buffer, initialized in
            for i in 0..<count { buffer[i] = Int(base[i]) }
            initialized = count
        }
    }

    func free() { base.deallocate() }
}

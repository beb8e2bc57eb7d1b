/// The tables of backtracking byte-pair encoding, which gives tiktoken's tokens in linear time.
///
/// The algorithm is the one of GitHub's `bpe` crate (rust-gems): walk the piece left to right,
/// taking the longest token that starts at the current position, and accept it only if it forms a
/// *valid pair* with the token before it (a pair that BPE itself would leave adjacent); otherwise
/// try the next shorter token that is a prefix of it, and when none is left, step back one token
/// and mark the position as a dead end. Whether a pair is valid is decided by undoing the merges
/// of both tokens at the boundary (``splitLeft``/``splitRight``) and checking that no pair across
/// the boundary would have been merged first (``pairToken``).
///
/// Built once per rank table, on the first long piece (see ``RankTable/backtracking``).
final class BacktrackingTables: @unchecked Sendable {
    static let none = RankTable.none
    /// Ranks must be below 2^21 so that a pair of them and the token merged from them fit a word.
    static let rankBits = 21

    /// The memory of the tables below that are not the rank table's (see ``HugePages``).
    private let block: UnsafeMutablePointer<UInt8>
    /// Byte length of each token (the rank table's).
    let lengths: UnsafeMutablePointer<UInt32>
    /// Trie nodes that end a token have the token's rank as id; the others have ids from here up.
    private let rankLimit: UInt32
    /// The node (and token) of each byte: the rank table's.
    private let byteTokens: UnsafeMutablePointer<UInt32>
    /// The node of each two-byte prefix (index `b0 | b1 << 8`), or ``none``.
    private let twoByteNodes: UnsafeMutablePointer<UInt32>
    /// Edges from nodes of depth 2 and more, open addressing:
    /// `((node << 8 | byte) + 1) << 32 | child`; 0 = empty.
    private let edges: UnsafeMutablePointer<UInt64>
    private let edgeMask: Int
    private let edgeShift: UInt64
    /// Two bits in one word per hash of every edge key (``filterWordBits(_:)``): a clear bit is a
    /// missing edge.
    private let edgeFilter: UnsafeMutablePointer<UInt64>
    /// Steps over whole three-byte UTF-8 characters (CJK, kana, Hangul, ...), so that a walk over
    /// such text makes one lookup per character instead of one per byte. Open addressing, one word
    /// per entry, `key << 22 | value`, 0 = empty; a key (38 bits, ``charKey``) is the node, a kind
    /// bit and the character's 16 bits of payload:
    /// - a *character* entry: the node three bytes down, and bit 21 set if a node one or two bytes
    ///   down is a token (then the partial entry gives it);
    /// - a *partial* entry, for a node other than the root and the first two bytes of a character
    ///   whose node one or two bytes down is a token: that token (the deeper).
    /// A walk that finds no character entry ends inside the character, where the partial entry (if
    /// the node has any, see ``partialNodes``) gives the token on the way.
    private let charEntries: UnsafeMutablePointer<UInt64>
    private let charMask: Int
    private let charShift: UInt64
    /// One bit per hash of every character step's key (about one bit in eight set): most walks end
    /// at a character with no step, and this answers them without a probe.
    private let charFilter: UnsafeMutablePointer<UInt64>
    private let charFilterShift: UInt64
    /// Whether the walk uses ``charEntries`` (node ids must fit 21 bits).
    private let charSteps: Bool
    /// One bit per node: whether it has partial entries.
    private let partialNodes: UnsafeMutablePointer<UInt64>
    /// The id of the trie's root in ``charEntries`` keys (node ids are below it).
    static let root: UInt32 = (1 << 21) - 2
    /// For each token, the longest token that is a proper prefix of it, or ``none``.
    let nextPrefix: UnsafeMutablePointer<UInt32>
    /// The two tokens each token is merged from, `left << 32 | right`; a token that is not a
    /// merge points to itself.
    let splits: UnsafeMutablePointer<UInt64>
    /// Every merge as `(left << 21 | right) << 22 | merged`, open addressing; 0 = empty.
    private let pairs: UnsafeMutablePointer<UInt64>
    private let pairMask: Int
    private let pairShift: UInt64
    /// Two bits in one word per hash of every merge's pair.
    private let pairFilter: UnsafeMutablePointer<UInt64>
    static let filterBits = 21
    /// The rank table's ranks of two-byte strings (index `b0 | b1 << 8`).
    private let pairRanks: UnsafeMutablePointer<UInt32>
    /// The byte of each rank below 256, if every such rank is a single byte (as in tiktoken's
    /// encodings): then ``pairToken(_:_:)`` reads the merge of two byte tokens from ``pairRanks``
    /// (a few cache lines for the bytes of one script) instead of ``pairs`` (4 MiB for
    /// o200k_base): random letters 7-11% faster. Set once the merges are built, since ``pairs``
    /// holds only the merges so far while they are.
    private var lowRankBytes: UnsafeMutablePointer<UInt8>? = nil
    /// Where pieces can be cut (see ``HardBoundaries``).
    let hardBoundaries: HardBoundaries
    /// Bytes used, for memory reports.
    let memoryFootprint: Int

    /// Builds the tables, or returns `nil` if the vocabulary does not suit them: 2^21 ranks or
    /// more, more than 2^24 trie nodes, a byte that is not a token, or a token that no merge of two
    /// lower-ranked tokens builds (BPE can never produce it, but the longest-match walk would).
    init?(table: RankTable) {
        let limit = table.rankLimit
        guard limit > 0, limit < 1 << BacktrackingTables.rankBits else { return nil }
        var totalBytes = 0
        for rank in 0..<limit { totalBytes += Int(table.lengths[rank]) }
        for byte in 0..<256 where table.byteRanks[byte] == RankTable.none { return nil }
        guard totalBytes + 257 < 1 << 24 else { return nil }
        lengths = table.lengths
        // Trie. A node that ends a token has the token's rank as its id, the others ids from
        // `limit` up, so a walk needs no table to know which nodes are tokens. One- and two-byte
        // prefixes are in direct tables, deeper edges in a hash table. Built with temporary ids
        // first (0 the root, 1...256 the bytes), in a table sized by the byte total.
        var buildCapacity = 1024
        while buildCapacity < totalBytes { buildCapacity <<= 1 }
        let buildEdges = UnsafeMutablePointer<UInt64>.allocate(capacity: buildCapacity)
        buildEdges.initialize(repeating: 0, count: buildCapacity)
        defer { buildEdges.deallocate() }
        let buildShift = UInt64(64 - buildCapacity.trailingZeroBitCount)
        let twoByteTemporary = UnsafeMutablePointer<UInt32>.allocate(capacity: 65536)
        twoByteTemporary.initialize(repeating: 0, count: 65536)
        defer { twoByteTemporary.deallocate() }
        let tokensOfNodes = UnsafeMutablePointer<UInt32>.allocate(capacity: totalBytes + 257)
        tokensOfNodes.initialize(repeating: BacktrackingTables.none, count: totalBytes + 257)
        defer { tokensOfNodes.deallocate() }
        var nodes = 257
        var edgeCount = 0
        for rank in 0..<limit {
            let length = Int(table.lengths[rank])
            guard length > 0 else { continue }
            let bytes = table.bytes + Int(table.offsets[rank])
            var node = Int(bytes[0]) + 1
            if length >= 2 {
                let index = Int(bytes[0]) | Int(bytes[1]) << 8
                if twoByteTemporary[index] == 0 {
                    twoByteTemporary[index] = UInt32(nodes)
                    nodes += 1
                }
                node = Int(twoByteTemporary[index])
            }
            for k in 2..<max(length, 2) {
                let key = UInt64(node) << 8 | UInt64(bytes[k])
                var index = BacktrackingTables.slot(key, buildShift)
                while true {
                    let entry = buildEdges[index]
                    if entry == 0 {
                        buildEdges[index] = key << 32 | UInt64(nodes)
                        node = nodes
                        nodes += 1
                        edgeCount += 1
                        break
                    }
                    if entry >> 32 == key {
                        node = Int(entry & 0xFFFF_FFFF)
                        break
                    }
                    index = (index &+ 1) & (buildCapacity - 1)
                }
            }
            tokensOfNodes[node] = UInt32(rank)
        }
        // Final ids.
        let finalIDs = UnsafeMutablePointer<UInt32>.allocate(capacity: nodes)
        defer { finalIDs.deallocate() }
        var nextID = limit
        for node in 0..<nodes {
            if tokensOfNodes[node] != BacktrackingTables.none {
                finalIDs[node] = tokensOfNodes[node]
            } else {
                finalIDs[node] = UInt32(truncatingIfNeeded: nextID)
                nextID += 1
            }
        }
        guard nextID < 1 << 24 - 1 else { return nil }
        rankLimit = UInt32(limit)
        byteTokens = table.byteRanks
        var edgeCapacity = 1024
        while edgeCapacity < edgeCount * 2 { edgeCapacity <<= 1 }
        let filterWords = 1 << (BacktrackingTables.filterBits - 6)
        var pairCapacity = 1024
        while pairCapacity < limit * 2 { pairCapacity <<= 1 }
        let memory = HugePages.allocate(sizes: [edgeCapacity * 8, filterWords * 8, 65536 * 4, limit * 8,
                                                pairCapacity * 8, filterWords * 8, limit * 4])
        block = memory.block
        twoByteNodes = memory.tables[2].bindMemory(to: UInt32.self, capacity: 65536)
        for index in 0..<65536 {
            let node = twoByteTemporary[index]
            twoByteNodes[index] = node == 0 ? BacktrackingTables.none : finalIDs[Int(node)]
        }
        let shift = UInt64(64 - edgeCapacity.trailingZeroBitCount)
        edges = memory.tables[0].bindMemory(to: UInt64.self, capacity: edgeCapacity)
        edges.initialize(repeating: 0, count: edgeCapacity)
        edgeFilter = memory.tables[1].bindMemory(to: UInt64.self, capacity: filterWords)
        edgeFilter.initialize(repeating: 0, count: filterWords)
        for slot in 0..<buildCapacity where buildEdges[slot] != 0 {
            let entry = buildEdges[slot]
            let parent = UInt64(finalIDs[Int(entry >> 40)])
            let key = (parent << 8 | (entry >> 32 & 0xFF)) + 1
            let child = UInt64(finalIDs[Int(entry & 0xFFFF_FFFF)])
            var index = BacktrackingTables.slot(key, shift)
            while edges[index] != 0 { index = (index &+ 1) & (edgeCapacity - 1) }
            edges[index] = key << 32 | child
            let (word, bits) = BacktrackingTables.filterWordBits(key)
            edgeFilter[word] |= bits
        }
        edgeMask = edgeCapacity - 1
        edgeShift = shift
        // Character steps: every trie path of a lead byte E0-EF and two continuation bytes, from
        // any node, found from the tokens that contain one; and the partial entries.
        var fullSteps: [UInt64: UInt32] = [:]
        var partialSteps: [UInt64: UInt32] = [:]
        func addPartial(_ node: UInt32, _ b0: UInt8, _ b1: UInt8, _ token: UInt32) {
            let key = BacktrackingTables.charKey(node, b0, b1, nil)
            if let old = partialSteps[key], table.lengths[Int(old)] >= table.lengths[Int(token)] { return }
            partialSteps[key] = token
        }
        charSteps = nextID <= Int(BacktrackingTables.root)
        var path = [UInt32](repeating: 0, count: table.maxTokenLength + 1)
        for rank in 0..<limit where charSteps {
            let length = Int(table.lengths[rank])
            let bytes = table.bytes + Int(table.offsets[rank])
            var hasLead = false
            for k in 0..<length where bytes[k] & 0xF0 == 0xE0 { hasLead = true; break }
            guard hasLead else { continue }
            path[0] = BacktrackingTables.root
            for k in 0..<length {
                path[k + 1] = switch k {
                case 0: byteTokens[Int(bytes[0])]
                case 1: twoByteNodes[Int(bytes[0]) | Int(bytes[1]) << 8]
                default: BacktrackingTables.edgeChild(path[k], bytes[k], edges, edgeFilter, edgeShift, edgeMask)
                }
            }
            for k in 0..<length where bytes[k] & 0xF0 == 0xE0 {
                let b0 = bytes[k]
                var inner = path[k + 1] < UInt32(limit) ? path[k + 1] : BacktrackingTables.none
                if k + 2 <= length && bytes[k + 1] & 0xC0 == 0x80 && path[k + 2] < UInt32(limit) { inner = path[k + 2] }
                if k + 2 < length && BacktrackingTables.continuations(bytes[k + 1], bytes[k + 2]) {
                    let key = BacktrackingTables.charKey(path[k], b0, bytes[k + 1], bytes[k + 2])
                    fullSteps[key] = path[k + 3] | (inner != BacktrackingTables.none ? 1 << 21 : 0)
                    if inner != BacktrackingTables.none && path[k] != BacktrackingTables.root {
                        addPartial(path[k], b0, bytes[k + 1], inner)
                    }
                } else if path[k] == BacktrackingTables.root {
                    continue  // the root's partial steps are the one- and two-byte tables
                } else if k + 2 == length && bytes[k + 1] & 0xC0 == 0x80 {
                    addPartial(path[k], b0, bytes[k + 1], UInt32(rank))  // ends two bytes into a character
                } else if k + 1 == length {
                    // The token ends one byte into a character: whatever the next byte.
                    for b1 in UInt8(0x80)...0xBF { addPartial(path[k], b0, b1, UInt32(rank)) }
                }
            }
        }
        var charCapacity = 1024
        while charCapacity < (fullSteps.count + partialSteps.count) * 2 { charCapacity <<= 1 }
        charMask = charCapacity - 1
        charShift = UInt64(64 - charCapacity.trailingZeroBitCount)
        charEntries = HugePages.allocate(UInt64.self, capacity: charCapacity)
        charEntries.initialize(repeating: 0, count: charCapacity)
        var charFilterBits = 4096
        while charFilterBits < fullSteps.count * 8 { charFilterBits <<= 1 }
        charFilterShift = UInt64(64 - charFilterBits.trailingZeroBitCount)
        charFilter = HugePages.allocate(UInt64.self, capacity: charFilterBits / 64)
        charFilter.initialize(repeating: 0, count: charFilterBits / 64)
        for key in fullSteps.keys {
            let bit = Int(truncatingIfNeeded: (key &* 0xC2B2_AE3D_27D4_EB4F) &>> charFilterShift)
            charFilter[bit >> 6] |= 1 << UInt64(bit & 63)
        }
        let partialWords = (nextID + 63) / 64
        partialNodes = HugePages.allocate(UInt64.self, capacity: partialWords)
        partialNodes.initialize(repeating: 0, count: partialWords)
        for (key, value) in fullSteps.sorted(by: { $0.key < $1.key }) + partialSteps.sorted(by: { $0.key < $1.key }) {
            if key & 0x1_0000 == 0 {
                let node = Int(key >> 17) - 1
                partialNodes[node >> 6] |= 1 << UInt64(node & 63)
            }
            var index = BacktrackingTables.slot(key, charShift)
            while charEntries[index] != 0 { index = (index + 1) & charMask }
            charEntries[index] = key << 22 | UInt64(value)
        }
        hardBoundaries = HardBoundaries(table: table)
        pairRanks = table.pairRanks
        // Merges.
        nextPrefix = memory.tables[6].bindMemory(to: UInt32.self, capacity: limit)
        nextPrefix.initialize(repeating: BacktrackingTables.none, count: limit)
        splits = memory.tables[3].bindMemory(to: UInt64.self, capacity: limit)
        pairMask = pairCapacity - 1
        pairShift = UInt64(64 - pairCapacity.trailingZeroBitCount)
        pairs = memory.tables[4].bindMemory(to: UInt64.self, capacity: pairCapacity)
        pairs.initialize(repeating: 0, count: pairCapacity)
        pairFilter = memory.tables[5].bindMemory(to: UInt64.self, capacity: filterWords)
        pairFilter.initialize(repeating: 0, count: filterWords)
        memoryFootprint = 65536 * 4 + edgeCapacity * 8 + limit * 12 + pairCapacity * 8 + HardBoundaries.bytes
            + 2 * filterWords * 8 + charCapacity * 8 + partialWords * 8 + charFilterBits / 8
        for rank in 0..<limit {
            splits[rank] = UInt64(rank) << 32 | UInt64(rank)
            let length = Int(table.lengths[rank])
            guard length > 1 else { continue }
            nextPrefix[rank] = longestMatch(table.bytes + Int(table.offsets[rank]), 0, length - 1)
        }
        // Reverse-engineer each token's last merge, in rank order: the longest prefix token whose
        // rest is a token, both of lower rank, that BPE would leave adjacent.
        for rank in 0..<limit {
            let length = Int(table.lengths[rank])
            guard length > 1 else { continue }
            let bytes = table.bytes + Int(table.offsets[rank])
            var left = nextPrefix[rank]
            while left != BacktrackingTables.none {
                let leftLength = Int(table.lengths[Int(left)])
                let right = table.rank(bytes + leftLength, length - leftLength)
                if right != BacktrackingTables.none && left < UInt32(rank) && right < UInt32(rank)
                    && isValidPair(left, right)
                {
                    insertPair(left, right, UInt32(rank))
                    splits[rank] = UInt64(left) << 32 | UInt64(right)
                    break
                }
                left = nextPrefix[Int(left)]
            }
        }
        for rank in 0..<limit where table.lengths[rank] > 1 && splits[rank] == UInt64(rank) << 32 | UInt64(rank) {
            return nil
        }
        if limit >= 256 && (0..<256).allSatisfy({ table.lengths[$0] == 1 }) {
            let bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
            for rank in 0..<256 { bytes[rank] = table.bytes[Int(table.offsets[rank])] }
            lowRankBytes = bytes
        }
    }

    deinit {
        HugePages.free(block)
        HugePages.free(charEntries)
        HugePages.free(partialNodes)
        HugePages.free(charFilter)
        lowRankBytes?.deallocate()
        hardBoundaries.free()
    }

    /// Whether both bytes are UTF-8 continuation bytes (`10xxxxxx`).
    @inline(__always)
    static func continuations(_ b1: UInt8, _ b2: UInt8) -> Bool {
        (b1 ^ 0x80) | (b2 ^ 0x80) < 0x40
    }

    /// Key of the step from `node` over the character `b0 b1 b2` (lead byte E0-EF), or of the
    /// partial entry of `node`, `b0` and `b1` when `b2` is nil.
    @inline(__always)
    static func charKey(_ node: UInt32, _ b0: UInt8, _ b1: UInt8, _ b2: UInt8?) -> UInt64 {
        let base = (UInt64(node) &+ 1) &<< 17 | UInt64(b0 & 0x0F) &<< 12 | UInt64(b1 & 0x3F) &<< 6
        guard let b2 else { return base }
        return base | 0x1_0000 | UInt64(b2 & 0x3F)
    }

    /// The entry of the step from `node` over a three-byte character: the node three bytes down,
    /// with bit 21 set if a token lies one or two bytes down; ``none`` if there is no such step.
    @inline(__always)
    func charStep(_ node: UInt32, _ b0: UInt8, _ b1: UInt8, _ b2: UInt8) -> UInt32 {
        let key = BacktrackingTables.charKey(node, b0, b1, b2)
        let bit = Int(truncatingIfNeeded: (key &* 0xC2B2_AE3D_27D4_EB4F) &>> charFilterShift)
        if charFilter[bit &>> 6] & (1 &<< UInt64(truncatingIfNeeded: bit & 63)) == 0 { return BacktrackingTables.none }
        return charProbe(key)
    }

    /// The deepest token one or two bytes down from `node` over `b0 b1`, or ``none``.
    @inline(__always)
    func partialStep(_ node: UInt32, _ b0: UInt8, _ b1: UInt8) -> UInt32 {
        if node == BacktrackingTables.root {
            let two = twoByteNodes[Int(b0) | Int(b1) &<< 8]
            return two < rankLimit ? two : byteTokens[Int(b0)]
        }
        let n = Int(node)
        if partialNodes[n &>> 6] & (1 &<< UInt64(truncatingIfNeeded: n & 63)) == 0 { return BacktrackingTables.none }
        let key = BacktrackingTables.charKey(node, b0, b1, nil)
        return charProbe(key)
    }

    /// The entry stored under a character-step key (linear probing), or ``none``.
    @inline(__always)
    func charProbe(_ key: UInt64) -> UInt32 {
        var index = BacktrackingTables.slot(key, charShift)
        while true {
            let entry = charEntries[index]
            if entry &>> 22 == key { return UInt32(truncatingIfNeeded: entry & 0x3F_FFFF) }
            if entry == 0 { return BacktrackingTables.none }
            index = (index &+ 1) & charMask
        }
    }

    /// The child of a node of depth 2 or more over `byte`, or ``none``.
    @inline(__always)
    func edgeChild(_ node: UInt32, _ byte: UInt8) -> UInt32 {
        BacktrackingTables.edgeChild(node, byte, edges, edgeFilter, edgeShift, edgeMask)
    }

    @inline(__always)
    private static func edgeChild(
        _ node: UInt32, _ byte: UInt8, _ edges: UnsafeMutablePointer<UInt64>, _ filter: UnsafeMutablePointer<UInt64>,
        _ shift: UInt64, _ mask: Int
    ) -> UInt32 {
        let key = (UInt64(node) &<< 8 | UInt64(byte)) &+ 1
        let (word, bits) = filterWordBits(key)
        if filter[word] & bits != bits { return none }
        var index = slot(key, shift)
        while true {
            let entry = edges[index]
            if entry &>> 32 == key { return UInt32(truncatingIfNeeded: entry) }
            if entry == 0 { return none }
            index = (index &+ 1) & mask
        }
    }

    @inline(__always)
    private static func slot(_ key: UInt64, _ shift: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) &>> shift)
    }

    @inline(__always)
    private static func filterWordBits(_ key: UInt64) -> (word: Int, bits: UInt64) {
        // The edge and pair filters set two bits in one word (a blocked Bloom filter): about 1%
        // false positives for the pairs instead of 9%, 8% for the edges instead of 17%.
        let h = key &* 0xC2B2_AE3D_27D4_EB4F
        let word = Int(truncatingIfNeeded: h &>> UInt64(64 - (filterBits - 6)))
        let b1 = (h &>> UInt64(64 - filterBits)) & 63
        let b2 = (h &>> UInt64(64 - filterBits - 6)) & 63
        return (word, 1 &<< b1 | 1 &<< b2)
    }


    private func insertPair(_ left: UInt32, _ right: UInt32, _ token: UInt32) {
        let key = UInt64(left) << 21 | UInt64(right)
        let (word, bits) = BacktrackingTables.filterWordBits(key)
        pairFilter[word] |= bits
        var index = BacktrackingTables.slot(key, pairShift)
        while pairs[index] != 0 && pairs[index] >> 22 != key { index = (index &+ 1) & pairMask }
        pairs[index] = key << 22 | UInt64(token)
    }

    /// The token merged from `left` and `right`, or ``none``.
    @inline(__always)
    func pairToken(_ left: UInt32, _ right: UInt32) -> UInt32 {
        if left | right < 256, let lowRankBytes {
            return pairRanks[Int(lowRankBytes[Int(left)]) | Int(lowRankBytes[Int(right)]) &<< 8]
        }
        return mergedPair(left, right)
    }

    /// Whether ``pairToken(_:_:)`` reads the merges of two byte tokens from the two-byte table.
    var readsByteMergesDirectly: Bool { lowRankBytes != nil }

    /// The token merged from `left` and `right` in the table of merges, or ``none``.
    @inline(__always)
    func mergedPair(_ left: UInt32, _ right: UInt32) -> UInt32 {
        let key = UInt64(left) &<< 21 | UInt64(right)
        let (word, bits) = BacktrackingTables.filterWordBits(key)
        if pairFilter[word] & bits != bits { return BacktrackingTables.none }
        var index = BacktrackingTables.slot(key, pairShift)
        while true {
            let entry = pairs[index]
            if entry &>> 22 == key && entry != 0 { return UInt32(truncatingIfNeeded: entry & 0x3F_FFFF) }
            if entry == 0 { return BacktrackingTables.none }
            index = (index &+ 1) & pairMask
        }
    }

    /// The longest token that `bytes[from..<end]` starts with (`from < end`): a walk down the
    /// trie, one step per three-byte character (``charStep(_:_:_:_:)``) or per other byte.
    @inline(__always)
    func longestMatch(_ bytes: UnsafePointer<UInt8>, _ from: Int, _ end: Int) -> UInt32 {
        longestMatchAndLength(bytes, from, end).token
    }

    /// ``longestMatch(_:_:_:)`` and the token's length in bytes.
    @inline(__always)
    func longestMatchAndLength(_ bytes: UnsafePointer<UInt8>, _ from: Int, _ end: Int) -> (token: UInt32, length: Int) {
        let limit = rankLimit
        let steps = charSteps
        var best: UInt32
        var bestEnd: Int
        var node: UInt32
        // The last character step with a token inside it and no token found since: that token is
        // deeper than `best` (looked up only if the walk ends without a deeper one).
        var pending = false
        var pendingNode: UInt32 = 0
        var pendingB0: UInt8 = 0
        var pendingB1: UInt8 = 0
        var i: Int
        let b0 = bytes[from]
        if steps && b0 & 0xF0 == 0xE0 && from &+ 2 < end
            && BacktrackingTables.continuations(bytes[from &+ 1], bytes[from &+ 2])
        {
            let b1 = bytes[from &+ 1]
            let step = charStep(BacktrackingTables.root, b0, b1, bytes[from &+ 2])
            let two = twoByteNodes[Int(b0) | Int(b1) &<< 8]
            if two < limit {
                best = two
                bestEnd = from &+ 2
            } else {
                best = byteTokens[Int(b0)]
                bestEnd = from &+ 1
            }
            if step == BacktrackingTables.none { return (best, bestEnd &- from) }
            node = step & 0x1F_FFFF
            if node < limit {
                best = node
                bestEnd = from &+ 3
            }
            i = from &+ 3
        } else {
            best = byteTokens[Int(b0)]
            bestEnd = from &+ 1
            if from &+ 1 >= end { return (best, 1) }
            node = twoByteNodes[Int(b0) | Int(bytes[from &+ 1]) &<< 8]
            if node == BacktrackingTables.none { return (best, 1) }
            if node < limit {
                best = node
                bestEnd = from &+ 2
            }
            i = from &+ 2
        }
        // Nodes of depth 2 and more.
        while i < end {
            let b = bytes[i]
            if steps && b & 0xF0 == 0xE0 && i &+ 2 < end {
                let b1 = bytes[i &+ 1]
                let b2 = bytes[i &+ 2]
                if BacktrackingTables.continuations(b1, b2) {
                    let step = charStep(node, b, b1, b2)
                    if step == BacktrackingTables.none {
                        // The walk ends inside this character.
                        let inner = partialStep(node, b, b1)
                        if inner != BacktrackingTables.none { return (inner, Int(lengths[Int(inner)])) }
                        break
                    }
                    let child = step & 0x1F_FFFF
                    if child < limit {
                        best = child
                        bestEnd = i &+ 3
                        pending = false
                    } else if step & 0x20_0000 != 0 {
                        pending = true
                        pendingNode = node
                        pendingB0 = b
                        pendingB1 = b1
                    }
                    node = child
                    i &+= 3
                    continue
                }
            }
            let child = edgeChild(node, b)
            if child == BacktrackingTables.none { break }
            node = child
            if child < limit {
                best = child
                bestEnd = i &+ 1
                pending = false
            }
            i &+= 1
        }
        if pending {
            let inner = partialStep(pendingNode, pendingB0, pendingB1)
            return (inner, Int(lengths[Int(inner)]))
        }
        return (best, bestEnd &- from)
    }

    /// Whether BPE can leave `first` and `second` adjacent: undo the merges at their boundary, the
    /// later merge first, and fail if a pair across the boundary would have merged before.
    @inline(__always)
    func isValidPair(_ first: UInt32, _ second: UInt32) -> Bool {
        var left = first
        var right = second
        var limit = UInt32.max
        while true {
            let combined = pairToken(left, right)
            if combined != BacktrackingTables.none && combined < limit { return false }
            if left > right {
                limit = left
                left = UInt32(truncatingIfNeeded: splits[Int(left)])
                if left == limit {
                    limit = right &+ 1
                    right = UInt32(truncatingIfNeeded: splits[Int(right)] &>> 32)
                    if right &+ 1 == limit { return true }
                }
            } else {
                limit = right &+ 1
                right = UInt32(truncatingIfNeeded: splits[Int(right)] &>> 32)
                if right &+ 1 == limit {
                    limit = left
                    left = UInt32(truncatingIfNeeded: splits[Int(left)])
                    if left == limit { return true }
                }
            }
        }
    }
}

/// Where a piece can be cut: the boundaries between two three-byte UTF-8 characters (CJK, kana,
/// Hangul, ...) that no token can span. Value type over tables the ``BacktrackingTables`` own.
struct HardBoundaries: @unchecked Sendable {
    /// Pairs of three-byte characters that some token holds side by side (`c << 16 | d`, each as
    /// its 16 bits of payload), as a blocked Bloom filter (two bits in one word, ``softBits``
    /// bits): a false positive only keeps a boundary that could have been cut.
    private let softPairs: UnsafeMutablePointer<UInt64>
    static let softBits = 18
    /// One bit per three-byte character (its payload) that some token holds followed by only
    /// the first one or two bytes of a three-byte character.
    private let softAfter: UnsafeMutablePointer<UInt64>
    /// One bit per `(x & 0x3F) << 8 | y`: a token that starts inside a character has the
    /// continuation byte `x` of that first, partial character followed by the byte `y`.
    private let midStarts: UnsafeMutablePointer<UInt64>
    /// One bit per three-byte character (its payload) that is a token by itself: most parts of a
    /// cut piece are single characters, and this answers them without the rank table.
    private let tokenCharacters: UnsafeMutablePointer<UInt64>
    /// Bytes used, for memory reports.
    static let bytes = (1 << softBits) / 8 + 8192 + 2048 + 8192

    init(table: RankTable) {
        tokenCharacters = .allocate(capacity: 1024)
        tokenCharacters.initialize(repeating: 0, count: 1024)
        softPairs = .allocate(capacity: 1 << (HardBoundaries.softBits - 6))
        softPairs.initialize(repeating: 0, count: 1 << (HardBoundaries.softBits - 6))
        softAfter = .allocate(capacity: 1024)
        softAfter.initialize(repeating: 0, count: 1024)
        midStarts = .allocate(capacity: 256)
        midStarts.initialize(repeating: 0, count: 256)
        for rank in 0..<table.rankLimit {
            let length = Int(table.lengths[rank])
            let bytes = table.bytes + Int(table.offsets[rank])
            if length == 3 && HardBoundaries.isThreeByte(bytes, 3) {
                let c = threeByteScalar(bytes)
                tokenCharacters[Int(c >> 6)] |= 1 << UInt64(c & 63)
            }
            var k = 0
            while k < length && bytes[k] & 0xC0 == 0x80 {
                if k + 1 < length {
                    let bit = Int(bytes[k] & 0x3F) << 8 | Int(bytes[k + 1])
                    midStarts[bit >> 6] |= 1 << UInt64(bit & 63)
                }
                k += 1
            }
            while k < length {
                guard HardBoundaries.isThreeByte(bytes + k, length - k) else { k += 1; continue }
                let c = threeByteScalar(bytes + k)
                if HardBoundaries.isThreeByte(bytes + k + 3, length - k - 3) {
                    let (word, bits) = HardBoundaries.softWordBits(UInt64(c) << 16 | UInt64(threeByteScalar(bytes + k + 3)))
                    softPairs[word] |= bits
                } else if k + 3 < length && bytes[k + 3] & 0xF0 == 0xE0 {
                    softAfter[Int(c) >> 6] |= 1 << UInt64(c & 63)
                }
                k += 3
            }
        }
    }

    func free() {
        tokenCharacters.deallocate()
        softPairs.deallocate()
        softAfter.deallocate()
        midStarts.deallocate()
    }

    /// Whether the three bytes at `p`, a part of a cut piece, are a three-byte character that is a
    /// token by itself. (A part of three bytes that starts with a lead byte is one whole character:
    /// every part starts or ends with a character that passed ``isThreeByte(_:_:)``.)
    @inline(__always)
    func isTokenCharacter(_ p: UnsafePointer<UInt8>) -> Bool {
        guard p[0] & 0xF0 == 0xE0 else { return false }
        let c = threeByteScalar(p)
        return tokenCharacters[Int(c &>> 6)] & (1 &<< UInt64(c & 63)) != 0
    }

    /// Whether the `available` bytes at `p` start with a three-byte UTF-8 character.
    @inline(__always)
    static func isThreeByte(_ p: UnsafePointer<UInt8>, _ available: Int) -> Bool {
        available >= 3 && p[0] & 0xF0 == 0xE0 && BacktrackingTables.continuations(p[1], p[2])
    }

    @inline(__always)
    private static func softWordBits(_ key: UInt64) -> (word: Int, bits: UInt64) {
        let h = key &* 0x9E37_79B9_7F4A_7C15
        let word = Int(truncatingIfNeeded: h &>> UInt64(64 - (softBits - 6)))
        let b1 = (h &>> UInt64(64 - softBits - 6)) & 63
        let b2 = (h &>> UInt64(64 - softBits - 12)) & 63
        return (word, 1 &<< b1 | 1 &<< b2)
    }

    /// Whether no token can span the boundary between the three-byte characters at `p` and
    /// `p + 3`: no token holds the first character followed by (a start of) the second, and no
    /// token that starts inside the first character reaches the second. Then no merge of BPE
    /// crosses the boundary, so the tokens of a piece are those of its two sides, each on its
    /// own: the merges on one side happen in the same order whatever the other side holds.
    @inline(__always)
    func isHardBoundary(_ p: UnsafePointer<UInt8>) -> Bool {
        isHardBoundary(threeByteScalar(p), p[2], p[3], threeByteScalar(p + 3))
    }

    /// ``isHardBoundary(_:)`` for the characters `c` and `d` (their payloads), given the last byte of
    /// `c` and the first of `d`.
    @inline(__always)
    func isHardBoundary(_ c: UInt32, _ last: UInt8, _ first: UInt8, _ d: UInt32) -> Bool {
        if softAfter[Int(c &>> 6)] & (1 &<< UInt64(c & 63)) != 0 { return false }
        let mid = Int(last & 0x3F) &<< 8 | Int(first)
        if midStarts[mid &>> 6] & (1 &<< UInt64(mid & 63)) != 0 { return false }
        let (word, bits) = HardBoundaries.softWordBits(UInt64(c) &<< 16 | UInt64(d))
        return softPairs[word] & bits != bits
    }

    /// Cuts a piece at its hard boundaries (``isHardBoundary(_:)``) and calls `body` with the
    /// start and length of each part, in order; returns `false`, calling nothing, if there is none.
    @inline(__always)
    func forEachHardSegment(_ piece: UnsafePointer<UInt8>, _ length: Int, _ body: (Int, Int) -> Void) -> Bool {
        var start = 0
        var i = 0
        while i &+ 6 <= length {
            guard HardBoundaries.isThreeByte(piece + i, 3) else {
                i &+= 1
                continue
            }
            // A run of three-byte characters, each decoded once.
            var c = threeByteScalar(piece + i)
            while i &+ 6 <= length && HardBoundaries.isThreeByte(piece + (i &+ 3), 3) {
                let d = threeByteScalar(piece + (i &+ 3))
                if isHardBoundary(c, piece[i &+ 2], piece[i &+ 3], d) {
                    body(start, i &+ 3 &- start)
                    start = i &+ 3
                }
                c = d
                i &+= 3
            }
            i &+= 3
        }
        guard start > 0 else { return false }
        body(start, length &- start)
        return true
    }
}

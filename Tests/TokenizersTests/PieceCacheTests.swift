import Foundation
import Testing
@testable import Tokenizers

/// The cache of short pieces changes speed, never ids: tiktoken's ids with the cache off, sized by
/// the input, and tiny (two slots, so that pieces evict each other all the time); and the cache's
/// own slots: hits, misses on collisions, eviction, lengths, overflow.
struct PieceCacheTests {
    static let names: [EncodingName] = [.cl100kBase, .o200kBase]

    /// Golden block hashes of the adversarial strings, as in ``ParityTests``.
    static func blockHashes(_ encoded: [[Int]], blockSize: Int) -> [String] {
        (0..<(encoded.count / blockSize)).map { block in
            var h: UInt64 = 0xCBF2_9CE4_8422_2325
            for index in (block * blockSize)..<((block + 1) * blockSize) {
                h = Support.fnv(encoded[index], h)
                h = (h ^ 0xFFFF_FFFF) &* 0x100_0000_01B3
            }
            return Support.hex(h)
        }
    }

    @Test(arguments: names)
    func cacheOnOffAndTinyGiveTiktokenIds(name: EncodingName) throws {
        let golden = try Support.goldenJSON()
        let base = try Encoding.load(name)
        // With the backtracking tables built, short pieces with multi-byte characters that miss
        // the cache use backtracking BPE ("always", "tiny"), the others tiktoken's merge ("off").
        #expect(base.core.table.backtracking != nil)
        let variants: [(String, Encoding)] = [
            ("off", base.usingPieceCache(from: .max, bits: nil)),
            ("always", base.usingPieceCache(from: 0, bits: nil)),
            ("tiny", base.usingPieceCache(from: 0, bits: 1)),
        ]
        // Corpus: multi.txt, whose chunks are long enough for the default cache.
        let chunkBytes = golden["chunkBytes"] as! Int
        let corpus = (golden["corpus"] as! [String: Any])[name.rawValue] as! [String: Any]
        let expected = (corpus["multi.txt"] as! [String: Any])["chunks"] as! [[Any]]
        let url = Support.sharedData.appendingPathComponent("corpus/multi.txt")
        let chunks = Support.chunks([UInt8](try Data(contentsOf: url)), size: chunkBytes)
        // Adversarial strings: short, so only the forced caches are on; the first 20,000.
        let blockSize = golden["blockSize"] as! Int
        let count = 20 * blockSize
        let blocks = ((golden["adversarial"] as! [String: Any])[name.rawValue] as! [String: Any])["blocks"] as! [String]
        let strings = try Support.adversarialStrings(count: golden["adversarialCount"] as! Int,
                                                     seed: UInt64(golden["adversarialSeed"] as! Int))
        let short = Array(strings.prefix(count))
        for (label, encoding) in variants {
            for (index, ids) in encoding.encodeBatch(chunks).enumerated() {
                #expect(Support.hex(Support.fnv(ids)) == expected[index][0] as! String,
                        "\(name.rawValue) cache \(label): multi.txt chunk \(index)")
            }
            #expect(encoding.countBatch(chunks) == chunks.indices.map { expected[$0][1] as! Int },
                    "\(name.rawValue) cache \(label): counts")
            let encoded = encoding.encodeBatch(short)
            #expect(Self.blockHashes(encoded, blockSize: blockSize) == Array(blocks.prefix(20)),
                    "\(name.rawValue) cache \(label): adversarial strings")
            #expect(encoding.countBatch(short) == encoded.map(\.count))
        }
        // One long input with everything in it, so that cached pieces recur across kinds of text.
        let mixed = chunks.joined() + short.joined(separator: " ")
        let reference = variants[0].1.encode(mixed)
        for (label, encoding) in variants.dropFirst() {
            #expect(encoding.encode(mixed) == reference, "\(name.rawValue) cache \(label): mixed input")
            #expect(encoding.count(mixed) == reference.count)
        }
        #expect(base.encode(mixed) == reference)
    }

    /// Calls keep their piece caches and pair memos for later calls (``ScratchPool``): each call
    /// takes a scratch no other call holds and gives it back at the end, so ids stay tiktoken's
    /// while caches warmed by other texts pass from call to call and from thread to thread.
    @Test(arguments: names)
    func cachesKeptFromCallToCallStayExact(name: EncodingName) throws {
        let base = try Encoding.load(name)
        let off = base.usingPieceCache(from: .max, bits: nil)
        let pooled = base.usingPieceCache(from: 0, bits: nil)  // its own pools, empty
        let url = Support.sharedData.appendingPathComponent("corpus/multi.txt")
        let multi = Support.chunks([UInt8](try Data(contentsOf: url)), size: 2_000)
        let strings = try Support.adversarialStrings(count: 4_000, seed: 7)
        var texts = multi + strings
        let expected = Dictionary(texts.map { ($0, off.encode($0)) }, uniquingKeysWith: { first, _ in first })

        #expect(pooled.core.countScratch.count == 0 && pooled.core.encodeScratch.count == 0)
        #expect(pooled.count(texts[0]) == expected[texts[0]]!.count)
        #expect(pooled.encode(texts[0]) == expected[texts[0]]!)
        #expect(pooled.core.countScratch.count == 1 && pooled.core.encodeScratch.count == 1)

        var rng = Support.SplitMix64(state: 5)
        for round in 0..<4 {
            // Another order each round, so that each text meets caches that other texts filled.
            for i in stride(from: texts.count - 1, to: 0, by: -1) { texts.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
            if round == 2 { pooled.clearCaches() }
            let encoded = pooled.encodeBatch(texts)  // on every core at once
            let counted = pooled.countBatch(texts)
            var wrong = 0
            for (index, text) in texts.enumerated() where encoded[index] != expected[text] || counted[index] != expected[text]!.count {
                wrong += 1
            }
            #expect(wrong == 0, "\(name.rawValue) round \(round): \(wrong) of \(texts.count) texts")
        }
        #expect(pooled.core.encodeScratch.count <= pooled.core.encodeScratch.limit)
        #expect(pooled.core.countScratch.count >= 1)
    }

    /// A call that grew its buffers for a long piece does not leave them in the pool (they take
    /// 32 bytes per byte of the piece); the next call starts from small ones and is as exact.
    @Test func buffersGrownForALongPieceAreNotKept() throws {
        let base = try Encoding.load(.o200kBase)
        let pooled = base.usingPieceCache(from: 0, bits: nil)
        var rng = Support.SplitMix64(state: 3)
        let letters = Array("abcdefghijklmnopqrstuvwxyz".utf8)
        let long = String(decoding: (0..<300_000).map { _ in letters[Int(rng.next() % 26)] }, as: UTF8.self)
        let expected = base.usingPieceCache(from: .max, bits: nil).encode(long)
        #expect(pooled.encode(long) == expected)
        let kept = try #require(pooled.core.encodeScratch.take())
        #expect(kept.buffers == nil)
        #expect(kept.cache != nil && kept.tables != nil)
        pooled.core.encodeScratch.give(kept)
        #expect(pooled.encode(long) == expected)
        #expect(pooled.encode("a short one") == base.encode("a short one"))
        let small = try #require(pooled.core.encodeScratch.take())
        #expect((small.buffers?.capacity ?? 0) <= MergeBuffers.keptCapacity && small.buffers != nil)
        small.free()
    }

    /// `bytes` followed by 16 zero bytes, as the encoder pads its input.
    static func padded(_ text: String) -> [UInt8] { Array(text.utf8) + [UInt8](repeating: 0, count: 16) }

    @Test func slotsHitMissAndEvict() throws {
        let cache = PieceCache(bits: 1)
        defer { cache.free() }
        var tokens: [UInt32] = [7, 8, 9]
        func put(_ text: String, _ count: Int) {
            let bytes = Self.padded(text)
            bytes.withUnsafeBufferPointer { b in
                let (k0, k1) = PieceCache.key(b.baseAddress!, text.utf8.count)
                tokens.withUnsafeMutableBufferPointer { t in
                    cache.store(cache.slot(k0, k1, text.utf8.count), k0, k1, text.utf8.count, t.baseAddress!, count)
                }
            }
        }
        func get(_ text: String, length: Int? = nil) -> [UInt32] {
            let bytes = Self.padded(text)
            let length = length ?? text.utf8.count
            return bytes.withUnsafeBufferPointer { b in
                let (k0, k1) = PieceCache.key(b.baseAddress!, length)
                let slot = cache.slot(k0, k1, length)
                let n = PieceCache.lookup(slot, k0, k1, length)
                return (0..<n).map { cache.token(slot, $0) }
            }
        }
        put(" hello", 3)
        #expect(get(" hello") == [7, 8, 9])
        // Only the piece's own bytes count: what follows it in the text is not part of the key.
        #expect(get(" hello world", length: 6) == [7, 8, 9])
        #expect(get(" hell").isEmpty)
        #expect(get(" hello!").isEmpty)
        #expect(get(" hello\0").isEmpty)  // same key words, another length
        // 16-byte pieces use both key words.
        put("abcdefghijklmnop", 2)
        #expect(get("abcdefghijklmnop") == [7, 8])
        #expect(get("abcdefghijklmnoq").isEmpty)
        // Two slots: of three pieces, two share a slot, and the later one evicts the earlier.
        let pieces = ["alpha", "beta", "gamma"]
        let slots = pieces.map { text in
            Self.padded(text).withUnsafeBufferPointer { b in
                let (k0, k1) = PieceCache.key(b.baseAddress!, text.utf8.count)
                return cache.slot(k0, k1, text.utf8.count)
            }
        }
        let (a, b) = slots[0] == slots[1] ? (0, 1) : slots[0] == slots[2] ? (0, 2) : (1, 2)
        put(pieces[a], 1)
        #expect(get(pieces[a]) == [7])
        put(pieces[b], 2)
        #expect(get(pieces[b]) == [7, 8])
        #expect(get(pieces[a]).isEmpty)
        // More tokens than a slot holds: not stored, so the piece stays a miss.
        tokens = Array(1...12)
        put("twelve tokens", 12)
        #expect(get("twelve tokens").isEmpty)
        put("eleven", 11)
        #expect(get("eleven") == Array(1...11))
        // Without its tokens a piece is not stored in a cache that holds tokens.
        Self.padded("no tokens").withUnsafeBufferPointer { b in
            let (k0, k1) = PieceCache.key(b.baseAddress!, 9)
            cache.store(cache.slot(k0, k1, 9), k0, k1, 9, nil, 2)
        }
        #expect(get("no tokens").isEmpty)
    }

    /// A cache for counting keeps only the number of tokens, in 32-byte slots, and any number of
    /// them (a piece of 16 bytes may have 16 tokens).
    @Test func countingSlotsHoldTheNumberOnly() throws {
        let cache = PieceCache(bits: 4, tokens: false)
        defer { cache.free() }
        var tokens = [UInt32](repeating: 5, count: 16)
        var seen = Set<UnsafeMutableRawPointer>()
        for (text, count) in [(" hello", 3), ("abcdefghijklmnop", 16), ("twelve tokens", 12)] {
            let bytes = Self.padded(text)
            bytes.withUnsafeBufferPointer { b in
                let (k0, k1) = PieceCache.key(b.baseAddress!, text.utf8.count)
                let slot = cache.slot(k0, k1, text.utf8.count)
                #expect((slot - cache.slots) % PieceCache.countSlotBytes == 0)
                #expect(slot - cache.slots < PieceCache.countSlotBytes << 4)
                seen.insert(slot)
                #expect(PieceCache.lookup(slot, k0, k1, text.utf8.count) == 0)
                tokens.withUnsafeMutableBufferPointer { t in
                    cache.store(slot, k0, k1, text.utf8.count, t.baseAddress!, count)
                }
                #expect(PieceCache.lookup(slot, k0, k1, text.utf8.count) == count)
                // The next slot starts 32 bytes on and is untouched by the store.
                if slot - cache.slots + 2 * PieceCache.countSlotBytes <= PieceCache.countSlotBytes << 4 {
                    let next = slot + PieceCache.countSlotBytes
                    #expect(seen.contains(next) || next.load(fromByteOffset: 16, as: UInt32.self) == 0)
                }
            }
        }
    }

    @Test func sizeFollowsTheInput() {
        #expect(PieceCache.bits(forInput: 16 * 1024) == 10)
        #expect(PieceCache.bits(forInput: 1_400_000) == 14)
        #expect(PieceCache.bits(forInput: 100_000_000) == 14)
        #expect((10...14).contains(PieceCache.bits(forInput: 300_000)))
    }
}

import Foundation
import Testing
@testable import Tokenizers

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Long pieces (no spaces): exact ids against tiktoken (Golden/long_golden.json, made by
/// Scripts/tokenizer_long_golden.py), backtracking BPE against tiktoken everywhere, and time that
/// grows linearly with the length of a piece.
struct LongPieceTests {
    static let names: [EncodingName] = [.cl100kBase, .o200kBase, .p50kBase]

    static func golden() throws -> [String: Any] {
        let data = try Data(contentsOf: Support.golden.appendingPathComponent("long_golden.json"))
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    /// The strings of Scripts/tokenizer_long_golden.py.
    static func cases() throws -> [(name: String, text: String)] {
        let spec = try golden()["cases"] as! [String: Any]
        return spec.keys.sorted().map { name in
            let entry = spec[name] as! [String: Any]
            let length = entry["length"] as! Int
            if let unit = entry["alphabet"] as? String {
                return (name, String(repeating: unit, count: length))
            }
            let ranges = entry["alphabet"] as! [[Int]]
            let points = ranges.flatMap { $0[0]...$0[1] }
            var rng = Support.SplitMix64(state: UInt64(entry["seed"] as! Int))
            var text = String.UnicodeScalarView()
            for _ in 0..<length {
                text.append(Unicode.Scalar(UInt32(points[Int(rng.next() % UInt64(points.count))]))!)
            }
            return (name, String(text))
        }
    }

    @Test(arguments: names)
    func longPiecesMatchTiktoken(name: EncodingName) throws {
        let expected = (try Self.golden()["ids"] as! [String: Any])[name.rawValue] as! [String: [Any]]
        let encoding = try Encoding.load(name)
        let heapOnly = encoding.usingBacktracking(from: .max)
        let cases = try Self.cases()
        #expect(cases.count == expected.count)
        for (caseName, text) in cases {
            let golden = try #require(expected[caseName])
            let ids = encoding.encode(text)
            #expect(Support.hex(Support.fnv(ids)) == golden[0] as! String, "\(name.rawValue) \(caseName)")
            #expect(ids.count == golden[1] as! Int, "\(name.rawValue) \(caseName)")
            #expect(encoding.count(text) == ids.count, "\(name.rawValue) \(caseName)")
            #expect(heapOnly.encode(text) == ids, "\(name.rawValue) \(caseName): heap merge")
            #expect(try encoding.decode(ids) == text)
        }
    }

    /// Backtracking BPE for every piece that is not a token, over the corpus and the adversarial
    /// strings: the same ids as tiktoken.
    @Test(arguments: names)
    func backtrackingEverywhereMatchesTiktoken(name: EncodingName) throws {
        let golden = try Support.goldenJSON()
        let encoding = try Encoding.load(name).usingBacktracking(from: 2)
        // Corpus: multi.txt whole, the first chunk of the others.
        let chunkBytes = golden["chunkBytes"] as! Int
        let corpus = (golden["corpus"] as! [String: Any])[name.rawValue] as! [String: Any]
        for file in corpus.keys.sorted() {
            let expected = (corpus[file] as! [String: Any])["chunks"] as! [[Any]]
            let url = Support.sharedData.appendingPathComponent("corpus").appendingPathComponent(file)
            let data = [UInt8](try Data(contentsOf: url))
            let chunks = Support.chunks(data, size: chunkBytes)
            let used = file == "multi.txt" ? chunks : Array(chunks.prefix(1))
            for (index, ids) in encoding.encodeBatch(used).enumerated() {
                #expect(Support.hex(Support.fnv(ids)) == expected[index][0] as! String, "\(name.rawValue) \(file) chunk \(index)")
            }
            #expect(encoding.countBatch(used) == used.indices.map { expected[$0][1] as! Int })
        }
        // Adversarial strings.
        let count = golden["adversarialCount"] as! Int
        let seed = UInt64(golden["adversarialSeed"] as! Int)
        let blockSize = golden["blockSize"] as! Int
        let blocks = ((golden["adversarial"] as! [String: Any])[name.rawValue] as! [String: Any])["blocks"] as! [String]
        let strings = try Support.adversarialStrings(count: count, seed: seed)
        let encoded = encoding.encodeBatch(strings)
        var mismatches: [Int] = []
        for block in 0..<(count / blockSize) {
            var h: UInt64 = 0xCBF2_9CE4_8422_2325
            for index in (block * blockSize)..<((block + 1) * blockSize) {
                h = Support.fnv(encoded[index], h)
                h = (h ^ 0xFFFF_FFFF) &* 0x100_0000_01B3
            }
            if Support.hex(h) != blocks[block] { mismatches.append(block) }
        }
        #expect(mismatches.isEmpty, "\(name.rawValue): adversarial blocks differ from tiktoken: \(mismatches.prefix(20))")
    }

    /// Every token of the vocabulary encodes to itself through backtracking, as through tiktoken's
    /// merge (a token that BPE cannot build would break the backtracking tables).
    @Test(arguments: names)
    func everyTokenEncodesToItself(name: EncodingName) throws {
        let encoding = try Encoding.load(name)
        let table = encoding.core.table
        let tables = try #require(table.backtracking)
        var merger = BytePairMerger(table: table, backtrackFrom: 2)
        var bad: [Int] = []
        for rank in 0..<table.rankLimit where table.lengths[rank] > 1 {
            let bytes = table.bytes + Int(table.offsets[rank])
            var out: [UInt32] = []
            merger.merge(bytes, Int(table.lengths[rank])) { out.append($0) }
            if out != [UInt32(rank)] { bad.append(rank) }
        }
        #expect(bad.isEmpty, "\(name.rawValue): tokens that do not encode to themselves: \(bad.prefix(20))")
        #expect(tables.memoryFootprint > 1_000_000)
        #expect(encoding.memoryFootprint == table.memoryFootprint + tables.memoryFootprint)
    }

    /// The merge of two byte tokens read from the two-byte table is the one the table of merges
    /// holds, for every pair of bytes (tiktoken's encodings have their bytes as ranks 0-255).
    @Test(arguments: names)
    func byteMergesFromTheTwoByteTable(name: EncodingName) throws {
        let table = try Encoding.load(name).core.table
        let tables = try #require(table.backtracking)
        #expect(tables.readsByteMergesDirectly)
        var differ: [String] = []
        for b0 in 0..<256 {
            for b1 in 0..<256 {
                let left = table.byteRanks[b0], right = table.byteRanks[b1]
                let direct = tables.pairToken(left, right), merged = tables.mergedPair(left, right)
                if direct != merged { differ.append("\(b0) \(b1): \(direct) != \(merged)") }
            }
        }
        #expect(differ.count == 0, "\(name.rawValue): \(differ.prefix(20))")
    }

    /// The trie walk of backtracking BPE (whole three-byte characters in one step, other bytes one
    /// at a time) finds the longest token at every byte offset, as a lookup of every length does:
    /// over multi.txt (Hangul, kana, CJK, starting inside characters too) and over random bytes
    /// made of lead bytes, continuation bytes and ASCII (cut characters, invalid sequences).
    @Test(arguments: names)
    func trieWalkFindsTheLongestToken(name: EncodingName) throws {
        let table = try Encoding.load(name).core.table
        let tables = try #require(table.backtracking)
        func reference(_ p: UnsafePointer<UInt8>, _ end: Int) -> UInt32 {
            for length in stride(from: min(end, table.maxTokenLength), through: 1, by: -1) {
                let rank = table.rank(p, length)
                if rank != RankTable.none { return rank }
            }
            return RankTable.none
        }
        var rng = Support.SplitMix64(state: 11)
        let alphabet: [UInt8] = [0xE3, 0xE4, 0xE5, 0xEA, 0xEB, 0xEC, 0xE2, 0xE6, 0x80, 0x81, 0x82, 0x83, 0x84,
                                 0x8B, 0x90, 0x9C, 0xA4, 0xB0, 0xBC, 0xBF, 0x20, 0x61, 0x2E, 0xC3]
        var random = (0..<60_000).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
        let multi = [UInt8](try Data(contentsOf: Support.sharedData.appendingPathComponent("corpus/multi.txt")))
        var samples = [random, Array(multi.prefix(300_000))]
        samples[0] += [UInt8](repeating: 0, count: 16)
        samples[1] += [UInt8](repeating: 0, count: 16)
        random = []
        var mismatches: [String] = []
        for (index, sample) in samples.enumerated() {
            sample.withUnsafeBufferPointer { buffer in
                let p = buffer.baseAddress!
                let n = buffer.count - 16
                for from in 0..<n where mismatches.count < 10 {
                    let end = min(n, from + 1 + Int(rng.next() % 40))
                    let walk = tables.longestMatch(p, from, end)
                    let expected = reference(p + from, end - from)
                    if walk != expected { mismatches.append("sample \(index) at \(from): \(walk) != \(expected)") }
                }
            }
        }
        #expect(mismatches.isEmpty, "\(name.rawValue): \(mismatches)")
    }

    /// A rank file with a token that no merge builds ("abc" without "ab" or "bc"): BPE never
    /// produces it, so the backtracking tables are refused and long pieces use the heap merge.
    @Test func unreachableTokenDisablesBacktracking() throws {
        var lines = (0..<256).map { "\(Data([UInt8($0)]).base64EncodedString()) \($0)" }
        lines.append("\(Data("abc".utf8).base64EncodedString()) 256")
        lines.append("\(Data("ca".utf8).base64EncodedString()) 257")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("unreachable-\(UInt64.random(in: 0...UInt64.max)).tiktoken").path
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let encoding = try Encoding(name: "unreachable", rankFile: path, pattern: .cl100k)
        #expect(encoding.core.table.backtracking == nil)
        let text = String(repeating: "abc", count: 50_000)  // one piece of 150 KB
        var expected = [97]
        for _ in 0..<49_999 { expected += [98, 257] }  // a, then b and "ca" over and over
        expected += [98, 99]
        #expect(encoding.encode(text) == expected)
        #expect(encoding.count(text) == expected.count)
    }

    /// Small inputs add up: a process that counts many small inputs with long pieces (a gateway's
    /// requests) builds the backtracking tables once their long pieces reach 128 KiB in all, as one
    /// large input does; before, each call started again from zero and never got there.
    @Test func smallInputsAddUpToBuildTheTables() throws {
        let path = Support.sharedData.appendingPathComponent("vocab/cl100k_base.tiktoken").path
        let fresh = try Encoding(name: "cl100k_base", rankFile: path, pattern: .cl100k)  // its own tables
        let reference = try Encoding.load(.cl100kBase)
        var rng = Support.SplitMix64(state: 2026)
        func built() -> Bool {
            if case .some(.some) = fresh.core.table.builtBacktracking { return true }
            return false
        }
        let letters = Array("abcdefghijklmnopqrstuvwxyz".utf8)
        for call in 0..<80 {  // one 2,000-byte piece per call: 128 KiB after 66 calls
            let text = String(decoding: (0..<2_000).map { _ in letters[Int(rng.next() % 26)] }, as: UTF8.self)
            #expect(fresh.count(text) == reference.count(text))
            #expect(fresh.encode(text) == reference.encode(text))
            if call == 30 { #expect(!built(), "built after \((call + 1) * 4_000) bytes of long pieces") }
        }
        #expect(built())
    }

    static func threadCPUSeconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    /// Best thread CPU time of `repeats` runs of `body`: robust to a loaded machine.
    static func cpuTime(_ repeats: Int, _ body: () -> Void) -> Double {
        var best = Double.infinity
        for _ in 0..<repeats {
            let start = threadCPUSeconds()
            body()
            best = min(best, threadCPUSeconds() - start)
        }
        return best
    }

    /// A piece four times as long takes about four times as long (not sixteen), and a long piece
    /// costs, per byte, within a small factor of prose.
    @Test(arguments: [EncodingName.cl100kBase, .o200kBase])
    func longPiecesAreLinear(name: EncodingName) throws {
        let encoding = try Encoding.load(name)
        var rng = Support.SplitMix64(state: 7)
        let letters = Array("abcdefghijklmnopqrstuvwxyz".utf8)
        let long = String(decoding: (0..<400_000).map { _ in letters[Int(rng.next() % 26)] }, as: UTF8.self)
        let quarter = String(long.prefix(100_000))
        let url = Support.sharedData.appendingPathComponent("corpus/prose.txt")
        let prose = String(decoding: try Data(contentsOf: url).prefix(400_000), as: UTF8.self)
        _ = encoding.count(long)  // builds the backtracking tables (a piece over 128 KB)
        let quarterTime = Self.cpuTime(3) { _ = encoding.count(quarter) }
        let longTime = Self.cpuTime(3) { _ = encoding.count(long) }
        let proseTime = Self.cpuTime(3) { _ = encoding.count(prose) }
        let repeated = String(repeating: "a", count: 400_000)
        let repeatedTime = Self.cpuTime(3) { _ = encoding.count(repeated) }
        #expect(longTime < quarterTime * 6, "400 KB: \(longTime) s, 100 KB: \(quarterTime) s")
        // Random letters make about twice as many tokens per byte as prose, each needing a trie walk
        // and pair checks: measured 5x prose in debug builds, 10-12x in release (where prose is
        // fast). The heap merge this replaced was 60x.
        #expect(longTime < proseTime * 20, "letters: \(longTime) s, prose: \(proseTime) s")
        #expect(repeatedTime < proseTime * 4, "'a' x 400,000: \(repeatedTime) s, prose: \(proseTime) s")
    }
}

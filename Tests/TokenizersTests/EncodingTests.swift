import Foundation
import Testing
@testable import Tokenizers

struct EncodingTests {
    @Test func knownIds() throws {
        let cl100k = try Encoding.load(.cl100kBase)
        let o200k = try Encoding.load(.o200kBase)
        #expect(cl100k.encode("hello world") == [15339, 1917])
        #expect(o200k.encode("hello world") == [24912, 2375])
        #expect(cl100k.count("hello world") == 2)
        #expect(try cl100k.decode([15339, 1917]) == "hello world")
        #expect(cl100k.encode("") == [])
        #expect(cl100k.count("") == 0)
    }

    @Test func specialTokensAreOrdinaryUnlessAllowed() throws {
        let cl100k = try Encoding.load(.cl100kBase)
        let text = "a<|endoftext|>b"
        let ordinary = cl100k.encodeOrdinary(text)
        #expect(!ordinary.contains(100257))
        #expect(cl100k.encode(text) == ordinary)
        let allowed = cl100k.encode(text, allowedSpecial: .all)
        #expect(allowed == [64, 100257, 65])
        #expect(cl100k.count(text, allowedSpecial: .all) == 3)
        #expect(cl100k.encode(text, allowedSpecial: .some(["<|fim_prefix|>"])) == ordinary)
        #expect(try cl100k.decode(allowed) == text)
        #expect(throws: TokenizerError.disallowedSpecialToken("<|endoftext|>")) {
            try cl100k.encodeChecked(text)
        }
        #expect(try cl100k.encodeChecked(text, allowedSpecial: .all) == allowed)
    }

    @Test func unknownTokenFailsToDecode() throws {
        let o200k = try Encoding.load(.o200kBase)
        #expect(throws: TokenizerError.unknownToken(999_999_999)) { try o200k.decode([999_999_999]) }
        let p50k = try Encoding.load(.p50kBase)
        #expect(try p50k.decode([50256]) == "<|endoftext|>")
    }

    @Test func loadsFromPathAndVerifiesChecksum() throws {
        let path = Support.sharedData.appendingPathComponent("vocab/p50k_base.tiktoken").path
        let loaded = try Encoding(name: "p50k", rankFile: path, pattern: .p50k, specialTokens: ["<|endoftext|>": 50256],
                                  sha256: EncodingName.p50kBase.sha256)
        #expect(loaded.encode("hello world") == [31373, 995])
        #expect(throws: TokenizerError.self) {
            try Encoding(name: "p50k", rankFile: path, pattern: .p50k, sha256: String(repeating: "0", count: 64))
        }
        #expect(throws: TokenizerError.self) {
            try Encoding(name: "x", rankFile: "/nonexistent/file.tiktoken", pattern: .cl100k)
        }
        #expect(throws: TokenizerError.unknownEncoding("nope")) { try Encoding.load(named: "nope") }
    }

    @Test func malformedRankFileIsRejected() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID()).tiktoken")
        try Data("YQ== 0\nYg== x\n".utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(throws: TokenizerError.malformedRankFile(path: url.path, line: 2)) {
            try Encoding(name: "bad", rankFile: url.path, pattern: .cl100k)
        }
        try Data("YQ== 0\nYQ== 1\n".utf8).write(to: url)
        #expect(throws: TokenizerError.duplicateToken(path: url.path, line: 2)) {
            try Encoding(name: "bad", rankFile: url.path, pattern: .cl100k)
        }
    }

    /// Slots hold a key's first twelve bytes and its length up to 255; longer keys are checked
    /// against the token's own bytes and length. Tokens of 11-17 and 255-301 bytes that share
    /// their first bytes are found, and keys beside them are not.
    @Test func rankLookupsOfKeysThatShareTheirFirstTwelveBytes() throws {
        let long = String(repeating: "a", count: 300)
        let tokens = (0..<256).map { [UInt8($0)] }
            + ["abcdefghijk", "abcdefghijkl", "abcdefghijklmn", "abcdefghijklmo", "abcdefghijklmnop",
               "abcdefghijklmnopq", long, long + "a", String(repeating: "a", count: 255)].map { Array($0.utf8) }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("long-\(UUID()).tiktoken")
        let lines = tokens.enumerated().map { "\(Data($0.element).base64EncodedString()) \($0.offset)" }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let table = try Encoding(name: "long", rankFile: url.path, pattern: .cl100k).core.table
        func rank(_ text: String) -> Int? {
            var padded = Array(text.utf8) + [UInt8](repeating: 0x61, count: 16)
            let r = padded.withUnsafeMutableBufferPointer { table.rank($0.baseAddress!, text.utf8.count) }
            return r == RankTable.none ? nil : Int(r)
        }
        for (index, token) in tokens.enumerated() where token.count > 2 {
            #expect(rank(String(decoding: token, as: UTF8.self)) == index)
        }
        for text in ["abcdefghij", "abcdefghijklm", "abcdefghijklmp", "abcdefghijklmnoq", "abcdefghijklmnopr",
                     String(repeating: "a", count: 254), String(repeating: "a", count: 256),
                     String(repeating: "a", count: 299), String(repeating: "a", count: 302)] {
            #expect(rank(text) == nil, "\(text.utf8.count) bytes")
        }
        // Ranks share a word with the length: 2^24 and more are refused.
        try Data("YQ== 0\nYg== 16777216\n".utf8).write(to: url)
        #expect(throws: TokenizerError.malformedRankFile(path: url.path, line: 2)) {
            try Encoding(name: "bad", rankFile: url.path, pattern: .cl100k)
        }
    }

    @Test func sha256() {
        let empty = [UInt8]()
        #expect(empty.withUnsafeBufferPointer(SHA256.hex(_:))
            == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let abc = Array("abc".utf8)
        #expect(abc.withUnsafeBufferPointer(SHA256.hex(_:))
            == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    /// Cases from the issue, with ids from tiktoken 0.14.
    @Test(arguments: [
        ("cl100k_base", "line\r\nnext\rlone", [1074, 319, 3684, 201, 75, 606]),
        ("o200k_base", "line\r\nnext\rlone", [1137, 370, 7311, 201, 75, 690]),
        ("cl100k_base", "HE'S WE'LL it's", [1837, 13575, 20255, 6, 4178, 433, 596]),
        ("o200k_base", "HE'S WE'LL it's", [2895, 31233, 26919, 6, 7454, 4275]),
        ("cl100k_base", "a   b  \n", [64, 256, 293, 2355]),
        ("o200k_base", "a   b  \n", [64, 256, 287, 4066]),
        ("cl100k_base", "x\u{a0}y\u{3000}z\u{2028}w\u{85}v ", [87, 4194, 88, 23249, 89, 378, 101, 86, 126, 227, 85, 220]),
        ("o200k_base", "x\u{a0}y\u{3000}z\u{2028}w\u{85}v ", [87, 5310, 88, 1397, 89, 51008, 86, 126, 227, 85, 220]),
        ("cl100k_base", "e\u{301}\u{301} \u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467} \u{661}\u{662}\u{663}\u{664}",
         [68, 54939, 54939, 62904, 101, 378, 235, 9468, 239, 102, 378, 235, 9468, 239, 100, 220, 149, 94, 149, 95, 149, 96, 149, 97]),
        ("o200k_base", "e\u{301}\u{301} \u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467} \u{661}\u{662}\u{663}\u{664}",
         [68, 13430, 13430, 61138, 101, 2524, 28823, 102, 2524, 28823, 100, 220, 46600, 53184, 81473, 98713]),
    ])
    func issueCases(name: String, text: String, expected: [Int]) throws {
        let encoding = try Encoding.load(named: name)
        #expect(encoding.encode(text) == expected)
        #expect(encoding.count(text) == expected.count)
        #expect(try encoding.decode(expected) == text)
    }

    /// A long piece with no spaces is not quadratic: the heap merge is O(n log n), so four times
    /// the length costs about 4.5 times the time (quadratic merging would cost 16 times). In
    /// release, 1 MB takes about 0.3 s; see BENCHMARKS.md.
    /// The heap merge, backtracking and tiktoken's vector merge give the same tokens.
    @Test func longAndShortMergesAgree() throws {
        let encoding = try Encoding.load(.o200kBase)
        let heap = encoding.usingBacktracking(from: .max)
        let backtracking = encoding.usingBacktracking(from: 2)
        var rng = Support.SplitMix64(state: 11)
        let alphabet = Array("aeioustrnlkmxyzq".utf8)
        for _ in 0..<300 {
            let length = 20 + Int(rng.next() % 300)
            let bytes = (0..<length).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            let text = String(decoding: bytes, as: UTF8.self)
            let reference = referenceMerge(encoding, bytes)
            #expect(encoding.encode(text) == reference, "\(text)")
            #expect(heap.encode(text) == reference, "heap merge: \(text)")
            #expect(backtracking.encode(text) == reference, "backtracking: \(text)")
        }
    }

    /// tiktoken's byte_pair_merge, written plainly.
    func referenceMerge(_ encoding: Encoding, _ piece: [UInt8]) -> [Int] {
        var parts = piece.map { [$0] }
        func rank(_ bytes: [UInt8]) -> Int? {
            bytes.withUnsafeBufferPointer { b -> Int? in
                var padded = Array(b) + [UInt8](repeating: 0, count: 16)
                let r = padded.withUnsafeMutableBufferPointer { encoding.core.table.rank($0.baseAddress!, b.count) }
                return r == RankTable.none ? nil : Int(r)
            }
        }
        while parts.count > 1 {
            var best: (rank: Int, index: Int)?
            for i in 0..<(parts.count - 1) {
                if let r = rank(parts[i] + parts[i + 1]), best == nil || r < best!.rank { best = (r, i) }
            }
            guard let best else { break }
            parts[best.index] += parts[best.index + 1]
            parts.remove(at: best.index + 1)
        }
        return parts.map { rank($0)! }
    }

    /// Random bytes (decoded with replacement) and random scalars never crash and round-trip.
    @Test func fuzzRoundTrip() throws {
        var rng = Support.SplitMix64(state: 99)
        for name in EncodingName.allCases {
            let encoding = try Encoding.load(name)
            for _ in 0..<2000 {
                let length = Int(rng.next() % 40)
                let text: String
                if rng.next() % 2 == 0 {
                    text = String(decoding: (0..<length).map { _ in UInt8(truncatingIfNeeded: rng.next()) }, as: UTF8.self)
                } else {
                    var s = String.UnicodeScalarView()
                    for _ in 0..<length {
                        var v = UInt32(truncatingIfNeeded: rng.next() % 0x110000)
                        if (0xD800...0xDFFF).contains(v) { v = 0x20 }
                        s.append(Unicode.Scalar(v)!)
                    }
                    text = String(s)
                }
                let ids = encoding.encode(text, allowedSpecial: .all)
                #expect(try encoding.decode(ids) == text)
                #expect(encoding.count(text, allowedSpecial: .all) == ids.count)
            }
        }
    }

    @Test func batchMatchesSingle() throws {
        let encoding = try Encoding.load(.o200kBase)
        let texts = (0..<50).map { "text number \($0) with 'LL and  spaces\r\n" }
        #expect(encoding.encodeBatch(texts) == texts.map { encoding.encode($0) })
        #expect(encoding.countBatch(texts) == texts.map { encoding.count($0) })
        #expect(encoding.encodeBatch([]) == [])
    }

    @Test(arguments: [
        ("gpt-4o", EncodingName.o200kBase, false), ("gpt-4o-mini-2024-07-18", .o200kBase, false),
        ("gpt-4.1", .o200kBase, false), ("gpt-5", .o200kBase, false), ("o1", .o200kBase, false),
        ("o3-mini", .o200kBase, false), ("openai/gpt-4o", .o200kBase, false), ("gpt-4", .cl100kBase, false),
        ("gpt-4-turbo", .cl100kBase, false), ("gpt-3.5-turbo", .cl100kBase, false),
        ("text-embedding-3-small", .cl100kBase, false), ("text-davinci-003", .p50kBase, false),
        ("claude-3-5-sonnet-20241022", .cl100kBase, true), ("anthropic/claude-sonnet-4", .cl100kBase, true),
        ("gemini-1.5-pro", .o200kBase, true),
    ])
    func modelMap(model: String, encoding: EncodingName, estimate: Bool) throws {
        let tokenizer = try #require(ModelTokenizer(model: model))
        #expect(tokenizer.encoding == encoding)
        #expect(tokenizer.isEstimate == estimate)
        #expect(ModelTokenizer(model: "llama-nonexistent") == nil)
    }
}

import Foundation
import Testing
@testable import Tokenizers

/// Ids identical to tiktoken's, checked against golden hashes made by Scripts/tokenizer_golden.py.
struct ParityTests {
    static let names: [EncodingName] = [.cl100kBase, .o200kBase, .p50kBase]

    @Test(arguments: names)
    func corpusMatchesTiktoken(name: EncodingName) throws {
        let golden = try Support.goldenJSON()
        let chunkBytes = golden["chunkBytes"] as! Int
        let corpus = (golden["corpus"] as! [String: Any])[name.rawValue] as! [String: Any]
        let encoding = try Encoding.load(name)
        for file in corpus.keys.sorted() {
            let expected = (corpus[file] as! [String: Any])["chunks"] as! [[Any]]
            let url = Support.sharedData.appendingPathComponent("corpus").appendingPathComponent(file)
            let data = [UInt8](try Data(contentsOf: url))
            let chunks = Support.chunks(data, size: chunkBytes)
            #expect(chunks.count == expected.count)
            let encoded = encoding.encodeBatch(chunks)
            let counted = encoding.countBatch(chunks)
            for (index, ids) in encoded.enumerated() where index < expected.count {
                #expect(Support.hex(Support.fnv(ids)) == expected[index][0] as! String, "\(name.rawValue) \(file) chunk \(index)")
                #expect(ids.count == expected[index][1] as! Int)
                #expect(counted[index] == ids.count)
            }
        }
    }

    @Test(arguments: names)
    func adversarialStringsMatchTiktoken(name: EncodingName) throws {
        let golden = try Support.goldenJSON()
        let count = golden["adversarialCount"] as! Int
        let seed = UInt64(golden["adversarialSeed"] as! Int)
        let blockSize = golden["blockSize"] as! Int
        let expected = (golden["adversarial"] as! [String: Any])[name.rawValue] as! [String: Any]
        let blocks = expected["blocks"] as! [String]
        let strings = try Support.adversarialStrings(count: count, seed: seed)
        let encoding = try Encoding.load(name)
        let encoded = encoding.encodeBatch(strings)
        var total = 0
        var mismatches = 0
        for block in 0..<(count / blockSize) {
            var h: UInt64 = 0xCBF2_9CE4_8422_2325
            for index in (block * blockSize)..<((block + 1) * blockSize) {
                h = Support.fnv(encoded[index], h)
                h = (h ^ 0xFFFF_FFFF) &* 0x100_0000_01B3
                total += encoded[index].count
            }
            if Support.hex(h) != blocks[block] {
                mismatches += 1
                #expect(Bool(false), "\(name.rawValue): adversarial block \(block) differs from tiktoken")
            }
        }
        #expect(mismatches == 0)
        #expect(total == expected["tokens"] as! Int)
        // decode(encode(x)) == x and count == encode.count, for every string.
        var roundTripFailures = 0
        for (index, ids) in encoded.enumerated() where try encoding.decode(ids) != strings[index] {
            roundTripFailures += 1
        }
        #expect(roundTripFailures == 0)
        let counts = encoding.countBatch(strings)
        #expect(counts == encoded.map(\.count))
    }

    @Test(arguments: names)
    func codePointSweepMatchesTiktoken(name: EncodingName) throws {
        let golden = try Support.goldenJSON()
        let expected = (golden["sweep"] as! [String: Any])[name.rawValue] as! [String]
        let encoding = try Encoding.load(name)
        let strings = (0..<expected.count).map(Support.sweepString(block:))
        let encoded = encoding.encodeBatch(strings)
        var bad: [String] = []
        for (block, ids) in encoded.enumerated() where Support.hex(Support.fnv(ids)) != expected[block] {
            bad.append(String(block << 8, radix: 16))
        }
        #expect(bad.isEmpty, "\(name.rawValue): code-point blocks differ from tiktoken: \(bad.prefix(40))")
    }
}

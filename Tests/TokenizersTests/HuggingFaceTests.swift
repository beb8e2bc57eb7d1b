import Foundation
import Testing
@testable import Tokenizers

/// tokenizer.json parity with the Hugging Face `tokenizers` library (Scripts/tokenizer_hf_golden.py).
struct HuggingFaceTests {
    static let files = ["anthropic_tokenizer.json", "deepseek_tokenizer.json"]

    static func golden() throws -> [String: Any] {
        let data = try Data(contentsOf: Support.golden.appendingPathComponent("hf_golden.json"))
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    @Test(arguments: files)
    func matchesHuggingFace(file: String) throws {
        let golden = try Self.golden()
        let expected = (golden["tokenizers"] as! [String: Any])[file] as! [String: Any]
        let tokenizer = try HuggingFaceTokenizer(
            contentsOf: Support.sharedData.appendingPathComponent("vocab/\(file)").path)
        let fixed = golden["fixed"] as! [String]
        let fixedIDs = expected["fixed"] as! [[Int]]
        for (text, ids) in zip(fixed, fixedIDs) {
            #expect(tokenizer.encode(text, allowedSpecial: .all) == ids, "\(file): \(text.debugDescription)")
            #expect(tokenizer.count(text, allowedSpecial: .all) == ids.count)
        }
        let headBytes = golden["head"] as! Int
        let corpus = expected["corpus"] as! [String: [Any]]
        for (name, value) in corpus {
            let data = [UInt8](try Data(contentsOf: Support.sharedData.appendingPathComponent("corpus/\(name)")))
            let head = Support.chunks(data, size: headBytes)[0]
            let ids = tokenizer.encode(head, allowedSpecial: .all)
            #expect(Support.hex(Support.fnv(ids)) == value[0] as! String, "\(file) \(name)")
            #expect(ids.count == value[1] as! Int)
        }
        let strings = try Support.adversarialStrings(count: golden["adversarialCount"] as! Int,
                                                     seed: 20_261_129)
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for s in strings {
            h = Support.fnv(tokenizer.encode(s, allowedSpecial: .all), h)
            h = (h ^ 0xFFFF_FFFF) &* 0x100_0000_01B3
        }
        #expect(Support.hex(h) == expected["adversarial"] as! String, "\(file) adversarial strings")
    }

    /// Added tokens that are not special are always matched; special ones only when allowed, and
    /// otherwise are ordinary text. Ids from `tokenizers` 0.23.3 (`encode(text,
    /// add_special_tokens=False)`, with `encode_special_tokens` on for `.none`).
    @Test(arguments: [
        ("<｜User｜>hi there<｜Assistant｜>ok<｜end▁of▁sentence｜>",
         [128803, 6366, 1031, 128804, 633, 30, 28217, 523, 5487, 226, 2154, 5487, 226, 85, 51015, 28217, 32],
         [128803, 6366, 1031, 128804, 633, 1]),
        ("a<｜fim▁begin｜>x<｜fim▁hole｜>y<｜fim▁end｜>",
         [67, 128801, 90, 128800, 91, 128802], [67, 128801, 90, 128800, 91, 128802]),
        ("<｜begin▁of▁sentence｜><|EOT|> <｜tool▁calls▁begin｜><｜tool▁call▁begin｜>",
         [30, 28217, 8277, 5487, 226, 2154, 5487, 226, 85, 51015, 28217, 32, 128805, 223, 128806, 128808],
         [0, 128805, 223, 128806, 128808]),
    ])
    func addedTokensMatchLikeHuggingFace(text: String, ordinary: [Int], allSpecial: [Int]) throws {
        let tokenizer = try HuggingFaceTokenizer(
            contentsOf: Support.sharedData.appendingPathComponent("vocab/deepseek_tokenizer.json").path)
        #expect(tokenizer.encode(text) == ordinary)
        #expect(tokenizer.encode(text, allowedSpecial: .all) == allSpecial)
        #expect(tokenizer.count(text) == ordinary.count)
    }

    @Test func decodesAndRejectsBadFiles() throws {
        let tokenizer = try HuggingFaceTokenizer(
            contentsOf: Support.sharedData.appendingPathComponent("vocab/deepseek_tokenizer.json").path)
        let text = "Hello, 世界! 123"
        #expect(try tokenizer.decode(tokenizer.encode(text)) == text)
        #expect(throws: TokenizerError.self) { try HuggingFaceTokenizer(data: Data("[]".utf8)) }
        // An added token with no text would match everywhere.
        let emptyAdded = #"{"model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}, "added_tokens": [{"id": 1, "content": ""}]}"#
        #expect(throws: TokenizerError.invalidTokenizerJSON("an added token with empty content (id 1)")) {
            try HuggingFaceTokenizer(data: Data(emptyAdded.utf8))
        }
        #expect(throws: TokenizerError.self) { try HuggingFaceTokenizer(contentsOf: "/nonexistent/tokenizer.json") }
    }
}

import Foundation
@testable import Tokenizers

/// Paths and generators shared by the tests.
enum Support {
    /// The repository root, from this file's path.
    static let root: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    /// `../shared/data` beside the repository.
    static let sharedData: URL = root.deletingLastPathComponent().appendingPathComponent("shared/data")
    static let golden: URL = root.appendingPathComponent("Tests/TokenizersTests/Golden")

    static func goldenJSON() throws -> [String: Any] {
        let data = try Data(contentsOf: golden.appendingPathComponent("golden.json"))
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    /// FNV-1a 64 over token ids, as Scripts/tokenizer_golden.py computes it.
    static func fnv(_ ids: [Int], _ start: UInt64 = 0xCBF2_9CE4_8422_2325) -> UInt64 {
        var h = start
        for id in ids { h = (h ^ UInt64(id)) &* 0x100_0000_01B3 }
        return h
    }

    static func hex(_ value: UInt64) -> String {
        let s = String(value, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }

    struct SplitMix64 {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// The adversarial strings of Scripts/tokenizer_golden.py.
    static func adversarialStrings(count: Int, seed: UInt64) throws -> [String] {
        let data = try Data(contentsOf: golden.appendingPathComponent("adversarial_fragments.json"))
        let spec = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        let fragments = spec["fragments"] as! [String]
        let ranges = (spec["ranges"] as! [[Int]]).map { (UInt64($0[0]), UInt64($0[1])) }
        var rng = SplitMix64(state: seed)
        var out: [String] = []
        out.reserveCapacity(count)
        for _ in 0..<count {
            var s = ""
            let k = 1 + rng.next() % 10
            for _ in 0..<k {
                if rng.next() % 100 < 70 {
                    s += fragments[Int(rng.next() % UInt64(fragments.count))]
                } else {
                    let (lo, hi) = ranges[Int(rng.next() % UInt64(ranges.count))]
                    s.unicodeScalars.append(Unicode.Scalar(UInt32(lo + rng.next() % (hi - lo + 1)))!)
                }
            }
            out.append(s)
        }
        return out
    }

    /// The code-point sweep strings of Scripts/tokenizer_golden.py.
    static func sweepString(block: Int) -> String {
        // surrogates; planes 4-13 (unassigned) and 15-16 (private use) hold no classes
        if (0xD8...0xDF).contains(block) || (0x400..<0xE00).contains(block) || block >= 0xF00 { return "" }
        var s = ""
        for cp in (block << 8)..<((block + 1) << 8) {
            let c = String(Unicode.Scalar(UInt32(cp))!)
            s += "x\(c)x \(c)\(c) 1\(c)1 A\(c)a a\(c)A \(c)'s \(c)'S\t\(c)\n\(c)  \(c)\(c). !\(c)\r\n"
        }
        return s
    }

    /// Chunks of a corpus file, ending after the first newline at or past `size` bytes.
    static func chunks(_ data: [UInt8], size: Int) -> [String] {
        var out: [String] = []
        var start = 0
        while start < data.count {
            var end = data.count
            var i = start + size
            while i < data.count {
                if data[i] == 0x0A { end = i + 1; break }
                i += 1
            }
            out.append(String(decoding: data[start..<end], as: UTF8.self))
            start = end
        }
        return out
    }
}

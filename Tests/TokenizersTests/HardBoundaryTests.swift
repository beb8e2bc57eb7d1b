import Foundation
import Testing
@testable import Tokenizers

/// Cutting a piece at its hard boundaries (no token can span them) gives the tokens of the whole
/// piece: checked against the merges without cuts on strings made to have many boundaries of both
/// kinds, through the long-piece path and through the cached short-piece path.
struct HardBoundaryTests {
    static let names: [EncodingName] = [.cl100kBase, .o200kBase, .p50kBase]

    /// Random pieces: one to six parts, each a token made only of three-byte characters (a word or
    /// one character), a character of such a token, or now and then a byte that cuts a character
    /// short or an ASCII letter; so side by side there are pairs that tokens hold and pairs that
    /// none does.
    static func pieces(_ table: RankTable, count: Int, seed: UInt64) -> [[UInt8]] {
        var words: [[UInt8]] = []
        for rank in 0..<table.rankLimit where table.lengths[rank] >= 3 {
            let bytes = Array(UnsafeBufferPointer(start: table.bytes + Int(table.offsets[rank]), count: Int(table.lengths[rank])))
            var k = 0
            while k + 3 <= bytes.count && bytes[k] & 0xF0 == 0xE0 && bytes[k + 1] & 0xC0 == 0x80 && bytes[k + 2] & 0xC0 == 0x80 {
                k += 3
            }
            if k == bytes.count { words.append(bytes) }
        }
        let characters = Array(Set(words.flatMap { word in stride(from: 0, to: word.count, by: 3).map { Array(word[$0..<$0 + 3]) } }))
            .sorted { $0.lexicographicallyPrecedes($1) }
        var rng = Support.SplitMix64(state: seed)
        return (0..<count).map { _ in
            var piece: [UInt8] = []
            for _ in 0..<(1 + Int(rng.next() % 6)) {
                switch rng.next() % 16 {
                case 0: piece.append(UInt8(0xE0 + rng.next() % 16))
                case 1: piece.append(UInt8(0x61 + rng.next() % 26))
                case 2...7: piece += characters[Int(rng.next() % UInt64(characters.count))]
                default: piece += words[Int(rng.next() % UInt64(words.count))]
                }
            }
            return piece
        }
    }

    @Test(arguments: names)
    func cutsGiveTheTokensOfTheWholePiece(name: EncodingName) throws {
        let table = try Encoding.load(name).core.table
        let tables = try #require(table.backtracking)
        let pieces = HardBoundaryTests.pieces(table, count: 60_000, seed: 5)
        // Long-piece path for every piece (backtracking), and the cached short-piece path.
        var cutLong = BytePairMerger(table: table, backtrackFrom: 2)
        var plainLong = BytePairMerger(table: table, backtrackFrom: 2, cuts: false)
        var cutShort = BytePairMerger(table: table)
        cutShort.enableCache(bits: 8)
        var plainShort = BytePairMerger(table: table, cuts: false)
        var mismatches: [String] = []
        var cutPieces = 0
        for piece in pieces {
            let padded = piece + [UInt8](repeating: 0, count: 16)
            padded.withUnsafeBufferPointer { buffer in
                let p = buffer.baseAddress!
                let n = piece.count
                if tables.hardBoundaries.forEachHardSegment(p, n, { _, _ in }) { cutPieces += 1 }
                var expected: [UInt32] = []
                plainLong.merge(p, n) { expected.append($0) }
                var reference: [UInt32] = []
                plainShort.merge(p, n) { reference.append($0) }
                var long: [UInt32] = []
                cutLong.merge(p, n) { long.append($0) }
                var short: [UInt32] = []
                cutShort.merge(p, n) { short.append($0) }
                let counts = [cutLong.count(p, n), cutShort.count(p, n)]
                if long != expected || short != expected || reference != expected || counts != [expected.count, expected.count] {
                    mismatches.append(piece.map { String($0, radix: 16) }.joined(separator: " "))
                }
            }
        }
        let differing = mismatches.count
        #expect(differing == 0, "\(name.rawValue): pieces differ, e.g. \(mismatches.prefix(3))")
        // The strings must exercise the cuts: most pieces of several parts have a hard boundary.
        #expect(cutPieces > pieces.count / 4, "\(name.rawValue): only \(cutPieces) of \(pieces.count) pieces were cut")
    }

    /// A boundary inside a token is never hard, and the boundary between two characters that no
    /// token holds side by side is.
    @Test func boundariesInsideTokensAreSoft() throws {
        let table = try Encoding.load(.o200kBase).core.table
        let tables = try #require(table.backtracking)
        var inside = 0
        var hard: [String] = []
        for rank in 0..<table.rankLimit where table.lengths[rank] >= 6 {
            let p = table.bytes + Int(table.offsets[rank])
            let n = Int(table.lengths[rank])
            for k in 0..<(n - 5) where HardBoundaries.isThreeByte(p + k, 3) && HardBoundaries.isThreeByte(p + k + 3, 3) {
                inside += 1
                if tables.hardBoundaries.isHardBoundary(p + k) { hard.append("token \(rank) at byte \(k + 3)") }
            }
        }
        #expect(inside > 10_000)
        let hardInside = hard.count
        #expect(hardInside == 0, "hard boundaries inside tokens, e.g. \(hard.prefix(3))")
        // Two rare characters that no token holds side by side: 龘 (U+9F98) and 齉 (U+9F49).
        let pair = Array("龘齉".utf8) + [UInt8](repeating: 0, count: 16)
        #expect(table.rank(pair, 6) == RankTable.none)
        #expect(pair.withUnsafeBufferPointer { tables.hardBoundaries.isHardBoundary($0.baseAddress!) })
    }
}

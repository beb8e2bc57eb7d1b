/// Parses the `.tiktoken` rank-file format: one `base64(bytes) SPACE rank` per line.
enum RankFile {
    private static let base64Values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, char) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[Int(char)] = UInt8(index)
        }
        return table
    }()

    /// Builds a ``RankTable`` from the bytes of a rank file.
    /// - Throws: ``TokenizerError/malformedRankFile(path:line:)`` or ``TokenizerError/duplicateToken(path:line:)``.
    static func parse(_ data: UnsafeBufferPointer<UInt8>, path: String) throws(TokenizerError) -> RankTable {
        let n = data.count
        // Decoded bytes are at most 3/4 of the input; pad for word-sized reads.
        let storage = UnsafeMutablePointer<UInt8>.allocate(capacity: n + 16)
        var used = 0
        var spans: [(offset: Int, length: Int, rank: UInt32)] = []
        spans.reserveCapacity(n / 10)
        var line = 0
        var failure = false
        if let p = data.baseAddress {
            base64Values.withUnsafeBufferPointer { values in
                let values = values.baseAddress!
                var i = 0
                while i < n {
                    line += 1
                    let offset = used
                    let start = i
                    while i < n {
                        let b = p[i]
                        if b == 0x20 || b == 0x0A { break }
                        i &+= 1
                    }
                    var length = i - start
                    while length > 0 && p[start + length - 1] == 0x3D { length -= 1 }  // '=' padding
                    var bad: UInt8 = 0
                    var k = start
                    let whole = start + (length & ~3)
                    while k < whole {
                        let v0 = values[Int(p[k])], v1 = values[Int(p[k + 1])]
                        let v2 = values[Int(p[k + 2])], v3 = values[Int(p[k + 3])]
                        bad |= (v0 | v1 | v2 | v3) & 0xC0
                        let v = UInt32(v0) << 18 | UInt32(v1) << 12 | UInt32(v2) << 6 | UInt32(v3)
                        storage[used] = UInt8(truncatingIfNeeded: v >> 16)
                        storage[used + 1] = UInt8(truncatingIfNeeded: v >> 8)
                        storage[used + 2] = UInt8(truncatingIfNeeded: v)
                        used &+= 3
                        k &+= 4
                    }
                    switch length & 3 {
                    case 0: break
                    case 2:
                        let v0 = values[Int(p[k])], v1 = values[Int(p[k + 1])]
                        bad |= (v0 | v1) & 0xC0
                        storage[used] = (v0 << 2) | ((v1 & 0x3F) >> 4)
                        used &+= 1
                    case 3:
                        let v0 = values[Int(p[k])], v1 = values[Int(p[k + 1])], v2 = values[Int(p[k + 2])]
                        bad |= (v0 | v1 | v2) & 0xC0
                        let v = UInt32(v0 & 0x3F) << 10 | UInt32(v1 & 0x3F) << 4 | UInt32(v2 & 0x3F) >> 2
                        storage[used] = UInt8(truncatingIfNeeded: v >> 8)
                        storage[used + 1] = UInt8(truncatingIfNeeded: v)
                        used &+= 2
                    default:
                        bad = 0xFF
                    }
                    if bad != 0 { failure = true; return }
                    if used == offset {
                        if i < n && p[i] == 0x0A { i &+= 1; continue }  // blank line
                        if i >= n { line -= 1; break }
                        failure = true; return
                    }
                    guard i < n, p[i] == 0x20 else { failure = true; return }
                    i &+= 1
                    var rank: UInt64 = 0
                    var digits = 0
                    while i < n {
                        let d = p[i] &- 0x30
                        if d > 9 { break }
                        rank = rank &* 10 &+ UInt64(d)
                        digits &+= 1
                        i &+= 1
                    }
                    if i < n && p[i] == 0x0D { i &+= 1 }
                    guard digits > 0, digits < 10, rank < UInt64(RankTable.rankLimitMax), i >= n || p[i] == 0x0A else {
                        failure = true; return
                    }
                    i &+= 1
                    spans.append((offset, used - offset, UInt32(rank)))
                }
            }
        }
        if failure {
            storage.deallocate()
            throw .malformedRankFile(path: path, line: line)
        }
        var duplicate: Int?
        let table = RankTable(storage: storage, used: used, spans: spans, duplicate: &duplicate)
        if let duplicate { throw .duplicateToken(path: path, line: duplicate + 1) }
        return table
    }
}

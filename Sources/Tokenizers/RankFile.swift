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
        var storage = [UInt8]()
        storage.reserveCapacity(data.count * 3 / 4)
        var spans: [(offset: Int, length: Int, rank: UInt32)] = []
        spans.reserveCapacity(data.count / 12)
        let n = data.count
        var i = 0
        var line = 0
        let values = base64Values
        try values.withUnsafeBufferPointer { (values) throws(TokenizerError) in
            while i < n {
                line += 1
                // base64 up to the space
                let offset = storage.count
                var accumulator: UInt32 = 0
                var bits = 0
                while i < n && data[i] != 0x20 && data[i] != 0x0A {
                    let b = data[i]
                    i += 1
                    if b == 0x3D { continue }  // '='
                    let v = values[Int(b)]
                    if v == 0xFF { throw .malformedRankFile(path: path, line: line) }
                    accumulator = accumulator << 6 | UInt32(v)
                    bits += 6
                    if bits >= 8 {
                        bits -= 8
                        storage.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
                    }
                }
                if i < n && data[i] == 0x0A && storage.count == offset {
                    i += 1  // blank line
                    continue
                }
                guard i < n, data[i] == 0x20 else {
                    if i >= n && storage.count == offset { break }
                    throw .malformedRankFile(path: path, line: line)
                }
                i += 1
                var rank: UInt64 = 0
                var digits = 0
                while i < n && data[i] >= 0x30 && data[i] <= 0x39 {
                    rank = rank * 10 + UInt64(data[i] - 0x30)
                    digits += 1
                    i += 1
                    if rank > UInt64(UInt32.max - 1) { throw .malformedRankFile(path: path, line: line) }
                }
                if i < n && data[i] == 0x0D { i += 1 }
                guard digits > 0, i >= n || data[i] == 0x0A, storage.count > offset else {
                    throw .malformedRankFile(path: path, line: line)
                }
                i += 1
                spans.append((offset, storage.count - offset, UInt32(rank)))
            }
        }
        var duplicate: Int?
        let table = RankTable(storage: storage, spans: spans, duplicate: &duplicate)
        if let duplicate { throw .duplicateToken(path: path, line: duplicate + 1) }
        return table
    }
}

public import Foundation

/// A Hugging Face `tokenizer.json` byte-level BPE tokenizer.
///
/// Supports the NFC, NFKC and Sequence normalizers; the ByteLevel (with or without its GPT-2 split,
/// which runs on the hand-written ``SplitPattern/p50k`` pre-tokenizer), Split (a general regex path
/// with `NSRegularExpression`) and Sequence pre-tokenizers; added and special tokens; merges given
/// as `"a b"` strings or `["a", "b"]` pairs. Merges apply lowest rank first, leftmost on ties, as
/// the `tokenizers` library does.
///
/// ```swift
/// let tokenizer = try HuggingFaceTokenizer(contentsOf: "deepseek_tokenizer.json")
/// let n = tokenizer.count("hello world", allowedSpecial: .all)
/// ```
public struct HuggingFaceTokenizer: TokenCounter {
    /// The file name the tokenizer came from.
    public let name: String
    let core: HuggingFaceCore

    /// Loads a `tokenizer.json` file.
    /// - Throws: ``TokenizerError/unreadableFile(path:reason:)`` or ``TokenizerError/invalidTokenizerJSON(_:)``.
    public init(contentsOf path: String) throws(TokenizerError) {
        let data = try TextFiles.bytes(of: path)
        do { try self.init(data: data, name: URL(fileURLWithPath: path).lastPathComponent) } catch {
            throw error.inFile(path)
        }
    }

    /// Parses the contents of a `tokenizer.json` file.
    /// - Throws: ``TokenizerError/invalidTokenizerJSON(_:)``.
    public init(data: Data, name: String = "tokenizer.json") throws(TokenizerError) {
        self.name = name
        core = try HuggingFaceCore(data: data)
    }

    /// Encodes text. Added tokens that are not special are always recognised, as in `tokenizers`;
    /// special added tokens only when `allowedSpecial` allows them (otherwise they are ordinary text).
    public func encode(_ text: String, allowedSpecial: AllowedSpecial = .none) -> [Int] {
        core.encode(text, allowed: allowedSpecial).map(Int.init)
    }

    /// Counts the tokens of text.
    public func count(_ text: String, allowedSpecial: AllowedSpecial = .none) -> Int {
        core.encode(text, allowed: allowedSpecial).count
    }

    /// Decodes ids to text (ByteLevel decoding; invalid UTF-8 becomes U+FFFD).
    /// - Throws: ``TokenizerError/unknownToken(_:)``.
    public func decode(_ tokens: [Int]) throws(TokenizerError) -> String {
        var bytes: [UInt8] = []
        for token in tokens {
            guard token >= 0, token < core.idBytes.count, let b = core.idBytes[token] else { throw .unknownToken(token) }
            bytes.append(contentsOf: b)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// The tables and steps of a ``HuggingFaceTokenizer``.
final class HuggingFaceCore: @unchecked Sendable {
    enum Normalizer { case nfc, nfkc }
    enum PreStep {
        case byteLevel(addPrefixSpace: Bool, useRegex: Bool)
        case split(NSRegularExpression, behavior: String, invert: Bool)
    }
    struct Added {
        /// The token's text, bytes and id, as the special-token scan takes them.
        let token: EncodingCore.Special
        let special: Bool
    }

    var normalizers: [Normalizer] = []
    var steps: [PreStep] = []
    var added: [Added] = []
    /// Bytes of each id (byte-level decoded; added tokens as their UTF-8).
    var idBytes: [[UInt8]?] = []
    /// Id of each single byte.
    var byteIDs = [UInt32](repeating: .max, count: 256)
    /// (left id, right id) -> (merge rank, merged id).
    var merges: [UInt64: (rank: UInt32, id: UInt32)] = [:]

    /// GPT-2's byte-to-unicode table.
    static let byteToScalar: [UInt32] = {
        var bs: [Int] = Array(33...126) + Array(161...172) + Array(174...255)
        var cs = bs
        var n = 0
        for b in 0..<256 where !bs.contains(b) {
            bs.append(b)
            cs.append(256 + n)
            n += 1
        }
        var table = [UInt32](repeating: 0, count: 256)
        for (b, c) in zip(bs, cs) { table[b] = UInt32(c) }
        return table
    }()

    init(data: Data) throws(TokenizerError) {
        guard let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw .invalidTokenizerJSON("not a JSON object")
        }
        guard let model = root["model"] as? [String: Any], (model["type"] as? String ?? "BPE") == "BPE",
              let vocab = model["vocab"] as? [String: Any], let mergeList = model["merges"] as? [Any]
        else { throw .invalidTokenizerJSON("the model is not a BPE model with a vocab and merges") }
        // GPT-2's byte-level scalars are all below 512: a table, not a dictionary (one lookup per
        // scalar of every token).
        var scalarToByte = [Int16](repeating: -1, count: 512)
        for (b, c) in HuggingFaceCore.byteToScalar.enumerated() { scalarToByte[Int(c)] = Int16(b) }
        var strings: [String: UInt32] = [:]
        strings.reserveCapacity(vocab.count)
        merges.reserveCapacity(mergeList.count)
        var maxID = 0
        for (token, value) in vocab {
            guard let id = (value as? NSNumber)?.intValue else { throw .invalidTokenizerJSON("vocab id of \(token)") }
            strings[token] = UInt32(id)
            maxID = max(maxID, id)
        }
        let addedList = root["added_tokens"] as? [[String: Any]] ?? []
        for token in addedList { maxID = max(maxID, (token["id"] as? NSNumber)?.intValue ?? 0) }
        idBytes = [[UInt8]?](repeating: nil, count: maxID + 1)
        for (token, id) in strings {
            var bytes: [UInt8] = []
            var ok = true
            bytes.reserveCapacity(token.utf8.count)
            for scalar in token.unicodeScalars {
                let b = scalar.value < 512 ? scalarToByte[Int(scalar.value)] : -1
                if b >= 0 { bytes.append(UInt8(b)) } else { ok = false; break }
            }
            if !ok { bytes = Array(token.utf8) }
            idBytes[Int(id)] = bytes
            if bytes.count == 1 && ok { byteIDs[Int(bytes[0])] = id }
        }
        for (rank, entry) in mergeList.enumerated() {
            let pair: [String]
            if let text = entry as? String {
                // Split at the first space, found in the UTF-8 (a Character search costs more).
                if let space = text.utf8.firstIndex(of: 0x20) {
                    pair = [String(text[..<space]), String(text[text.utf8.index(after: space)...])]
                } else {
                    pair = [text]
                }
            } else if let list = entry as? [String] {
                pair = list
            } else {
                throw .invalidTokenizerJSON("merge \(rank + 1) is neither \"a b\" nor [\"a\", \"b\"]")
            }
            guard pair.count == 2, let left = strings[pair[0]], let right = strings[pair[1]],
                  let merged = strings[pair[0] + pair[1]]
            else { throw .invalidTokenizerJSON("merge \(rank + 1) names tokens that are not in the vocab") }
            let key = UInt64(left) << 32 | UInt64(right)
            if merges[key] == nil { merges[key] = (UInt32(rank), merged) }
        }
        for token in addedList {
            guard let content = token["content"] as? String, let id = (token["id"] as? NSNumber)?.intValue else {
                throw .invalidTokenizerJSON("an added token without content or id")
            }
            guard !content.isEmpty else { throw .invalidTokenizerJSON("an added token with empty content (id \(id))") }
            added.append(Added(token: EncodingCore.Special(text: content, bytes: Array(content.utf8), id: UInt32(id)),
                               special: token["special"] as? Bool ?? false))
            idBytes[id] = Array(content.utf8)
        }
        added.sort { $0.token.bytes.count > $1.token.bytes.count }
        try parseNormalizer(root["normalizer"])
        try parsePreTokenizer(root["pre_tokenizer"])
    }

    private func parseNormalizer(_ value: Any?) throws(TokenizerError) {
        guard let object = value as? [String: Any] else { return }
        switch object["type"] as? String {
        case "NFC": normalizers.append(.nfc)
        case "NFKC": normalizers.append(.nfkc)
        case "Sequence":
            for item in object["normalizers"] as? [Any] ?? [] { try parseNormalizer(item) }
        case let other:
            throw .invalidTokenizerJSON("unsupported normalizer \(other ?? "?")")
        }
    }

    private func parsePreTokenizer(_ value: Any?) throws(TokenizerError) {
        guard let object = value as? [String: Any] else { return }
        switch object["type"] as? String {
        case "ByteLevel":
            steps.append(.byteLevel(addPrefixSpace: object["add_prefix_space"] as? Bool ?? true,
                                    useRegex: object["use_regex"] as? Bool ?? true))
        case "Split":
            let pattern = object["pattern"] as? [String: Any]
            let source: String
            if let regex = pattern?["Regex"] as? String {
                source = regex
            } else if let literal = pattern?["String"] as? String {
                source = NSRegularExpression.escapedPattern(for: literal)
            } else {
                throw .invalidTokenizerJSON("a Split pre-tokenizer without a pattern")
            }
            let behavior = object["behavior"] as? String ?? "Isolated"
            guard ["Isolated", "Removed"].contains(behavior) else {
                throw .invalidTokenizerJSON("unsupported Split behavior \(behavior)")
            }
            do {
                steps.append(.split(try NSRegularExpression(pattern: source), behavior: behavior,
                                    invert: object["invert"] as? Bool ?? false))
            } catch {
                throw .invalidTokenizerJSON("the Split pattern \(source) does not compile")
            }
        case "Sequence":
            for item in object["pretokenizers"] as? [Any] ?? [] { try parsePreTokenizer(item) }
        case let other:
            throw .invalidTokenizerJSON("unsupported pre-tokenizer \(other ?? "?")")
        }
    }

    // MARK: Encode

    func encode(_ text: String, allowed: AllowedSpecial) -> [UInt32] {
        var out: [UInt32] = []
        // Added tokens first, special ones only when allowed: matched on the UTF-8 bytes, exactly
        // (as `tokenizers` does), by the scan of tiktoken's special tokens (``added`` is sorted
        // longest first).
        let usable = added.compactMap { added -> EncodingCore.Special? in
            guard added.special else { return added.token }
            switch allowed {
            case .none: return nil
            case .all: return added.token
            case .some(let set): return set.contains(added.token.text) ? added.token : nil
            }
        }
        var text = text
        text.withUTF8 { utf8 in
            guard let base = utf8.baseAddress else { return }
            EncodingCore.forEachSegment(base, utf8.count, usable) { start, end in
                encodeOrdinary(String(decoding: UnsafeBufferPointer(rebasing: utf8[start..<end]), as: UTF8.self), into: &out)
            } special: { id in
                out.append(id)
            }
        }
        return out
    }

    private func encodeOrdinary(_ text: String, into out: inout [UInt32]) {
        var normalized = text
        for normalizer in normalizers {
            switch normalizer {
            case .nfc: normalized = normalized.precomposedStringWithCanonicalMapping
            case .nfkc: normalized = normalized.precomposedStringWithCompatibilityMapping
            }
        }
        var pieces = [normalized]
        for step in steps {
            var next: [String] = []
            for piece in pieces { split(piece, step, into: &next) }
            pieces = next
        }
        // The tokens of each distinct piece, for this call: words recur, and a merge is a dozen
        // dictionary lookups where the cache is one (keyed by bytes, which hash without the
        // Unicode normalisation a String key costs).
        var merged: [[UInt8]: [UInt32]] = [:]
        for piece in pieces where !piece.isEmpty {
            let bytes = Array(piece.utf8)
            if let tokens = merged[bytes] {
                out.append(contentsOf: tokens)
                continue
            }
            let start = out.count
            merge(bytes, into: &out)
            if merged.count < HuggingFaceCore.cachedPieces { merged[bytes] = Array(out[start...]) }
        }
    }

    /// Distinct pieces whose tokens one call keeps.
    static let cachedPieces = 1 << 16

    private func split(_ piece: String, _ step: PreStep, into out: inout [String]) {
        switch step {
        case .byteLevel(let addPrefixSpace, let useRegex):
            let text = addPrefixSpace && !piece.hasPrefix(" ") ? " " + piece : piece
            guard useRegex else { out.append(text); return }
            var utf8 = Array(text.utf8)
            let n = utf8.count
            utf8.append(contentsOf: [UInt8](repeating: 0, count: 16))
            utf8.withUnsafeBufferPointer { buffer in
                let splitter = P50KPreTokenizer()
                var i = 0
                while i < n {
                    let end = splitter.pieceEnd(buffer.baseAddress!, n, i)
                    out.append(String(decoding: buffer[i..<end], as: UTF8.self))
                    i = end
                }
            }
        case .split(let regex, let behavior, let invert):
            // Parts are sliced from the String itself, not copied out of an NSString (that bridging
            // took a quarter of a DeepSeek count). The matches' UTF-16 offsets become indices by
            // walking the UTF-16 view forward (they come in order): `Range(_:in:)` would refuse a
            // match that ends inside a grapheme, such as between "\r" and "\n".
            let removed = behavior == "Removed"
            let utf16 = piece.utf16
            var cursor = utf16.startIndex
            var cursorOffset = 0
            func index(_ offset: Int) -> String.Index {
                cursor = utf16.index(cursor, offsetBy: offset - cursorOffset)
                cursorOffset = offset
                return cursor
            }
            var last = piece.startIndex
            func emit(_ part: Substring, isMatch: Bool) {
                if removed && isMatch != invert { return }
                out.append(String(part))
            }
            for match in regex.matches(in: piece, range: NSRange(location: 0, length: utf16.count)) {
                let lower = index(match.range.location)
                let upper = index(match.range.location + match.range.length)
                if lower > last { emit(piece[last..<lower], isMatch: false) }
                if upper > lower { emit(piece[lower..<upper], isMatch: true) }
                last = upper
            }
            if last < piece.endIndex { emit(piece[last...], isMatch: false) }
        }
    }

    /// Byte-level BPE of one piece: lowest merge rank first, leftmost on ties.
    private func merge(_ bytes: [UInt8], into out: inout [UInt32]) {
        var symbols = bytes.map { byteIDs[Int($0)] }
        while symbols.count > 1 {
            var best: (rank: UInt32, index: Int, id: UInt32)?
            for i in 0..<(symbols.count - 1) {
                if let m = merges[UInt64(symbols[i]) << 32 | UInt64(symbols[i + 1])], best == nil || m.rank < best!.rank {
                    best = (m.rank, i, m.id)
                }
            }
            guard let best else { break }
            symbols[best.index] = best.id
            symbols.remove(at: best.index + 1)
        }
        out.append(contentsOf: symbols)
    }
}

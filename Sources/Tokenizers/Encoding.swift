import Foundation
import Synchronization

/// The encodings bundled with the package.
public enum EncodingName: String, CaseIterable, Sendable, Codable {
    /// GPT-4, GPT-3.5, text-embedding-3.
    case cl100kBase = "cl100k_base"
    /// GPT-4o, GPT-4.1, GPT-5, the o-series.
    case o200kBase = "o200k_base"
    /// Legacy Codex and text-davinci models.
    case p50kBase = "p50k_base"

    /// The hand-written pre-tokenizer for this encoding.
    public var pattern: SplitPattern {
        switch self {
        case .cl100kBase: .cl100k
        case .o200kBase: .o200k
        case .p50kBase: .p50k
        }
    }

    /// The special tokens of this encoding and their ids, as tiktoken defines them.
    public var specialTokens: [String: Int] {
        switch self {
        case .cl100kBase:
            ["<|endoftext|>": 100257, "<|fim_prefix|>": 100258, "<|fim_middle|>": 100259,
             "<|fim_suffix|>": 100260, "<|endofprompt|>": 100276]
        case .o200kBase: ["<|endoftext|>": 199999, "<|endofprompt|>": 200018]
        case .p50kBase: ["<|endoftext|>": 50256]
        }
    }

    /// The SHA-256 of the bundled rank file.
    public var sha256: String {
        switch self {
        case .cl100kBase: "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"
        case .o200kBase: "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d"
        case .p50kBase: "94b5ca7dff4d00767bc256fdd1b27e5b17361d7b8a5f968547f9f23eb70d2069"
        }
    }
}

/// A split pattern with a hand-written pre-tokenizer.
public enum SplitPattern: String, Sendable, Equatable, CaseIterable {
    /// cl100k_base's pattern.
    case cl100k
    /// o200k_base's pattern.
    case o200k
    /// p50k_base's (and r50k_base's and GPT-2's) pattern.
    case p50k
}

/// Which special tokens `encode` recognises in the text; the rest is ordinary text.
public enum AllowedSpecial: Sendable, Equatable {
    /// None: every `<|...|>` is ordinary text, as tiktoken's `encode_ordinary`.
    case none
    /// Every special token of the encoding.
    case all
    /// These special tokens only.
    case some(Set<String>)
}

/// A tiktoken-compatible byte-pair encoding: exact ids, hand-written pre-tokenizers.
///
/// ```swift
/// let encoding = try Encoding.load(.o200kBase)
/// let ids = encoding.encode("hello world")      // [24912, 2375]
/// let n = encoding.count("hello world")          // 2, without building an array
/// let text = try encoding.decode(ids)            // "hello world"
/// ```
///
/// `Encoding` is a value type that shares its immutable tables; it is cheap to copy and safe to use
/// from any number of threads at once.
public struct Encoding: Sendable, TokenCounter {
    /// The encoding's name, such as `cl100k_base`.
    public let name: String
    let core: EncodingCore

    /// Loads a `.tiktoken` rank file from `path`.
    /// - Parameters:
    ///   - name: A name for messages and output.
    ///   - path: The rank file.
    ///   - pattern: The split pattern the encoding was trained with.
    ///   - specialTokens: Special tokens and their ids.
    ///   - sha256: When given, the file must have this SHA-256.
    /// - Throws: ``TokenizerError``.
    public init(
        name: String, rankFile path: String, pattern: SplitPattern, specialTokens: [String: Int] = [:],
        sha256: String? = nil
    ) throws(TokenizerError) {
        let data = try TextFiles.bytes(of: path, options: .mappedIfSafe)
        try self.init(name: name, rankFileData: data, path: path, pattern: pattern, specialTokens: specialTokens,
                      sha256: sha256)
    }

    init(
        name: String, rankFileData data: Data, path: String, pattern: SplitPattern, specialTokens: [String: Int],
        sha256: String?
    ) throws(TokenizerError) {
        // Verify the SHA-256 on one core while the other parses and builds the table.
        let result: Result<RankTable, TokenizerError> = data.withUnsafeBytes { raw in
            let bytes = UnsafeSendableBox(raw.bindMemory(to: UInt8.self))
            let digest = UnsafeSendableBuffer<String?>(count: 1)
            let parsed = UnsafeSendableBuffer<Result<RankTable, TokenizerError>?>(count: 1)
            defer { digest.free(); parsed.free() }
            DispatchQueue.concurrentPerform(iterations: sha256 == nil ? 1 : 2) { index in
                if index == 1 {
                    digest.pointer[0] = SHA256.hex(bytes.value)
                } else {
                    do throws(TokenizerError) {
                        parsed.pointer[0] = .success(try RankFile.parse(bytes.value, path: path))
                    } catch {
                        parsed.pointer[0] = .failure(error)
                    }
                }
            }
            if let sha256, let actual = digest.pointer[0], actual != sha256 {
                return .failure(.checksumMismatch(name: name, expected: sha256, actual: actual))
            }
            return parsed.pointer[0]!
        }
        let table = try result.get()
        self.name = name
        core = EncodingCore(table: table, pattern: pattern, specialTokens: specialTokens)
    }

    init(name: String, core: EncodingCore) {
        self.name = name
        self.core = core
    }

    /// A copy that uses backtracking BPE for every piece of at least `length` bytes that is not a
    /// token (tests use it to check the backtracking path on short pieces too).
    func usingBacktracking(from length: Int) -> Encoding {
        Encoding(name: name, core: EncodingCore(table: core.table, pattern: core.pattern,
                                                specialTokens: core.specialTokens, backtrackFrom: length))
    }

    /// A copy whose calls cache short pieces from inputs of `from` bytes, in `2^bits` slots (`nil`:
    /// sized by the input); tests use it to compare the cache on, off and tiny.
    func usingPieceCache(from: Int, bits: Int?) -> Encoding {
        Encoding(name: name, core: EncodingCore(table: core.table, pattern: core.pattern,
                                                specialTokens: core.specialTokens, backtrackFrom: core.backtrackFrom,
                                                cacheFrom: from, cacheBits: bits))
    }

    private static let cache = Mutex<[EncodingName: Encoding]>([:])

    /// Loads a bundled encoding, verifying its SHA-256; later calls return the same tables.
    /// - Throws: ``TokenizerError/missingResource(_:)`` or ``TokenizerError/checksumMismatch(name:expected:actual:)``.
    public static func load(_ name: EncodingName) throws(TokenizerError) -> Encoding {
        if let cached = cache.withLock({ $0[name] }) { return cached }
        guard let url = Bundle.module.url(forResource: name.rawValue, withExtension: "tiktoken") else {
            throw .missingResource("\(name.rawValue).tiktoken")
        }
        let encoding = try Encoding(
            name: name.rawValue, rankFile: url.path, pattern: name.pattern, specialTokens: name.specialTokens,
            sha256: name.sha256)
        return cache.withLock { cache in
            if let existing = cache[name] { return existing }
            cache[name] = encoding
            return encoding
        }
    }

    /// Loads a bundled encoding by name (`cl100k_base`, `o200k_base`, `p50k_base`).
    /// - Throws: ``TokenizerError/unknownEncoding(_:)`` and the errors of ``load(_:)``.
    public static func load(named name: String) throws(TokenizerError) -> Encoding {
        guard let known = EncodingName(rawValue: name) else { throw .unknownEncoding(name) }
        return try load(known)
    }

    /// The encoding a model uses; for closed tokenizers, the encoding their estimate is based on.
    /// - Throws: ``TokenizerError/unknownModel(_:)``.
    public static func forModel(_ model: String) throws(TokenizerError) -> Encoding {
        guard let tokenizer = ModelTokenizer(model: model) else { throw .unknownModel(model) }
        return try load(tokenizer.encoding)
    }

    /// The special tokens this encoding knows, with their ids.
    public var specialTokens: [String: Int] { core.specialTokens }

    /// The number of ordinary tokens (ranks) in the vocabulary.
    public var ordinaryTokenCount: Int { core.table.count }

    /// One more than the highest token id, special tokens included.
    public var vocabularySize: Int { max(core.table.rankLimit, (core.specialTokens.values.max() ?? -1) + 1) }

    /// The approximate memory the loaded tables use, in bytes, including the backtracking tables
    /// once a long input has built them.
    public var memoryFootprint: Int {
        core.table.memoryFootprint + ((core.table.builtBacktracking ?? nil)?.memoryFootprint ?? 0)
    }

    /// Encodes text, ignoring special tokens (they are encoded as ordinary text), like tiktoken's
    /// `encode_ordinary`.
    public func encodeOrdinary(_ text: String) -> [Int] {
        core.encode(text, allowed: [])
    }

    /// Encodes text; the special tokens in `allowedSpecial` become their ids, other text that looks
    /// like a special token is ordinary text.
    public func encode(_ text: String, allowedSpecial: AllowedSpecial = .none) -> [Int] {
        core.encode(text, allowed: core.allowedList(allowedSpecial))
    }

    /// Encodes text like tiktoken's `encode` with its defaults: the special tokens in `allowedSpecial`
    /// become their ids, and any other special token in the text is an error.
    /// - Throws: ``TokenizerError/disallowedSpecialToken(_:)``.
    public func encodeChecked(_ text: String, allowedSpecial: AllowedSpecial = .none) throws(TokenizerError) -> [Int] {
        let allowed = core.allowedList(allowedSpecial)
        for (token, _) in core.specialTokens.sorted(by: { $0.key < $1.key })
        where !allowed.contains(where: { $0.text == token }) && text.contains(token) {
            throw .disallowedSpecialToken(token)
        }
        return core.encode(text, allowed: allowed)
    }

    /// The number of tokens `encode(text, allowedSpecial:)` would return, computed without
    /// building the array of ids.
    public func count(_ text: String, allowedSpecial: AllowedSpecial = .none) -> Int {
        core.count(text, allowed: core.allowedList(allowedSpecial))
    }

    /// Forgets the pieces that earlier calls merged and kept for later calls, so that the next
    /// call starts as the first call of the process did; the memory stays allocated for reuse.
    ///
    /// Calls keep their caches of merged pieces (a few hundred KiB each, one per call that ran at
    /// the same time, at most 16): a word merged once is not merged again by a later call. Nothing
    /// needs this for correctness; benchmarks call it so that each timed call sees its text for the
    /// first time.
    public func clearCaches() {
        core.encodeScratch.clear()
        core.countScratch.clear()
    }

    /// The bytes of the tokens, concatenated.
    /// - Throws: ``TokenizerError/unknownToken(_:)``.
    public func decodeBytes(_ tokens: [Int]) throws(TokenizerError) -> [UInt8] {
        try core.decodeBytes(tokens)
    }

    /// The text of the tokens; byte sequences that are not valid UTF-8 become U+FFFD.
    /// - Throws: ``TokenizerError/unknownToken(_:)``.
    public func decode(_ tokens: [Int]) throws(TokenizerError) -> String {
        String(decoding: try core.decodeBytes(tokens), as: UTF8.self)
    }

    /// The bytes of one token, or `nil` if the id is unknown.
    public func tokenBytes(_ token: Int) -> [UInt8]? {
        try? core.decodeBytes([token])
    }

    /// Encodes many texts on every core.
    public func encodeBatch(_ texts: [String], allowedSpecial: AllowedSpecial = .none) -> [[Int]] {
        let allowed = core.allowedList(allowedSpecial)
        return parallelMap(texts) { core.encode($0, allowed: allowed) }
    }

    /// Counts the tokens of many texts on every core.
    public func countBatch(_ texts: [String], allowedSpecial: AllowedSpecial = .none) -> [Int] {
        let allowed = core.allowedList(allowedSpecial)
        return parallelMap(texts) { core.count($0, allowed: allowed) }
    }
}

/// Anything that counts tokens of text: a tiktoken ``Encoding`` or a ``HuggingFaceTokenizer``.
public protocol TokenCounter: Sendable {
    /// A name for output, such as `cl100k_base`.
    var name: String { get }
    /// Encodes text as token ids.
    func encode(_ text: String, allowedSpecial: AllowedSpecial) -> [Int]
    /// Counts the tokens of text.
    func count(_ text: String, allowedSpecial: AllowedSpecial) -> Int
    /// Decodes token ids to text.
    func decode(_ tokens: [Int]) throws(TokenizerError) -> String
}

/// Runs `transform` over `items` on every core, keeping the order.
func parallelMap<T: Sendable, R: Sendable>(_ items: [T], _ transform: @Sendable (T) -> R) -> [R] {
    if items.count <= 1 { return items.map(transform) }
    let results = UnsafeSendableBuffer<R?>(count: items.count)
    defer { results.free() }
    let workers = min(items.count, max(1, ProcessInfo.processInfo.activeProcessorCount))
    let next = Atomic<Int>(0)
    DispatchQueue.concurrentPerform(iterations: workers) { _ in
        while true {
            let index = next.add(1, ordering: .relaxed).oldValue
            if index >= items.count { break }
            results.pointer[index] = transform(items[index])
        }
    }
    return (0..<items.count).map { results.pointer[$0]! }
}

/// A value handed to worker threads that only read it while its owner keeps it alive.
struct UnsafeSendableBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// A raw buffer that worker threads write disjoint elements of.
final class UnsafeSendableBuffer<T>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<T>
    let count: Int
    init(count: Int) where T: ExpressibleByNilLiteral {
        self.count = count
        pointer = .allocate(capacity: count)
        pointer.initialize(repeating: nil, count: count)
    }
    func free() {
        pointer.deinitialize(count: count)
        pointer.deallocate()
    }
}

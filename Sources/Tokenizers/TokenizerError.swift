/// Everything that can go wrong when loading or using a tokenizer.
///
/// Each case describes the problem in words a person can act on; the `tokenomics` CLI prints the
/// ``description`` as is.
public enum TokenizerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A file could not be read.
    case unreadableFile(path: String, reason: String)
    /// A bundled or downloaded vocabulary does not have the expected SHA-256.
    case checksumMismatch(name: String, expected: String, actual: String)
    /// A line of a `.tiktoken` rank file is malformed.
    case malformedRankFile(path: String, line: Int)
    /// The same token bytes appear twice in a rank file.
    case duplicateToken(path: String, line: Int)
    /// No encoding with this name is known.
    case unknownEncoding(String)
    /// No encoding is known for this model name.
    case unknownModel(String)
    /// A bundled resource is missing from the package.
    case missingResource(String)
    /// The text contains a special token that was not allowed.
    case disallowedSpecialToken(String)
    /// A token id has no bytes in this encoding.
    case unknownToken(Int)
    /// A `tokenizer.json` file is malformed or uses a feature we do not support; `path` names the
    /// file when it was read from one.
    case invalidTokenizerJSON(String, path: String? = nil)
    /// A chat request is malformed; `path` names the file when it was read from one.
    case invalidChat(String, path: String? = nil)

    /// This error, naming `path` as the file whose content it is about (for the errors that
    /// carry a path of their own; the others are returned as they are).
    public func inFile(_ path: String) -> TokenizerError {
        switch self {
        case .invalidTokenizerJSON(let reason, nil): .invalidTokenizerJSON(reason, path: path)
        case .invalidChat(let reason, nil): .invalidChat(reason, path: path)
        default: self
        }
    }

    public var description: String {
        switch self {
        case .unreadableFile(let path, let reason):
            return "Cannot read \(path): \(reason)."
        case .checksumMismatch(let name, let expected, let actual):
            return "The vocabulary \(name) has SHA-256 \(actual), expected \(expected); the file is corrupt or not the one expected."
        case .malformedRankFile(let path, let line):
            return "\(path) line \(line) is not `base64 SPACE rank` with a rank below 16777216; is it a .tiktoken rank file?"
        case .duplicateToken(let path, let line):
            return "\(path) line \(line) repeats token bytes that an earlier line already has."
        case .unknownEncoding(let name):
            return "Unknown encoding '\(name)'. Known encodings: \(EncodingName.allCases.map(\.rawValue).joined(separator: ", "))."
        case .unknownModel(let name):
            return "No tokenizer is known for model '\(name)'. Pass --encoding cl100k_base or o200k_base instead."
        case .missingResource(let name):
            return "The bundled resource \(name) is missing from the Tokenizers package."
        case .disallowedSpecialToken(let token):
            return "The text contains the special token \(token), which is not allowed here; allow it or encode it as ordinary text."
        case .unknownToken(let id):
            return "Token id \(id) does not exist in this encoding."
        case .invalidTokenizerJSON(let reason, let path):
            return path.map { "\($0) is not a usable tokenizer.json: \(reason)." } ?? "Invalid tokenizer.json: \(reason)."
        case .invalidChat(let reason, let path):
            return path.map { "\($0) is not a valid chat request: \(reason)." } ?? "Invalid chat request: \(reason)."
        }
    }
}

import Foundation
import Pricing
import Tokenizers
import TokenomicsCore

/// A token count the scenario gave as text (inline or in a file) and the modeller counted.
public struct CountedText: Sendable, Equatable {
    /// The field, as `interactions[0].calls[1].input.system`.
    public var field: String
    /// `file:line` of the field in the scenario.
    public var location: String
    /// Where the text came from: `text` for inline text, or the path of the file read.
    public var source: String
    /// The tokens counted (for a closed tokenizer, the labelled estimate).
    public var tokens: Int
    /// The encoding that counted, such as `o200k_base`.
    public var encoding: String
    /// Whether ``tokens`` is an estimate (the model's tokenizer is closed or unknown).
    public var isEstimate: Bool
    /// How the estimate was made, when ``isEstimate``: `cl100k_base x 1.2 (claude)`.
    public var estimateBasis: String?

    public init(field: String, location: String, source: String, tokens: Int, encoding: String, isEstimate: Bool, estimateBasis: String?) {
        self.field = field
        self.location = location
        self.source = source
        self.tokens = tokens
        self.encoding = encoding
        self.isEstimate = isEstimate
        self.estimateBasis = estimateBasis
    }

    /// One line for a report's notes.
    public var note: String {
        let origin = source == "text" ? "text" : "the text of \(source)"
        if isEstimate {
            return "\(field): \(origin) estimated at \(tokens) tokens (\(estimateBasis ?? encoding); the model's tokenizer is not public)."
        }
        return "\(field): \(origin) counted as \(tokens) tokens with \(encoding)."
    }
}

/// Counts the text a scenario gives where a token count belongs, with the call's model tokenizer.
///
/// A token field accepts a number, inline text (`system: "You are a helpful..."`), or a mapping
/// `{text: "..."}` or `{file: prompt.txt}` (relative to the scenario's directory).
final class ScenarioTextCounter {
    /// The directory that relative `file:` paths start from.
    let baseDirectory: String
    /// Every text counted so far, in reading order.
    private(set) var counted: [CountedText] = []

    init(scenarioFile: String) {
        let directory = (scenarioFile as NSString).deletingLastPathComponent
        baseDirectory = directory.isEmpty || scenarioFile == "-" ? FileManager.default.currentDirectoryPath : directory
    }

    /// Whether a field holds text to count rather than a number.
    static func holdsText(_ fields: YAMLFields, _ key: String) -> Bool {
        switch fields.shape(key) {
        case .mapping:
            guard let parts = try? fields.mapping(key) else { return false }
            return parts.has("text") || parts.has("file")
        case .scalar(let text):
            return Double(text.filter { $0 != "_" && $0 != "," }) == nil
        case .sequence, nil:
            return false
        }
    }

    /// Counts the text of `fields[key]` (inline, `{text:}` or `{file:}`) for `model`.
    func count(_ fields: YAMLFields, _ key: String, model: ModelPrice) throws(YAMLFields.Problem) -> Int {
        let text: String
        let source: String
        let location = fields.location(of: key)
        if let parts = try? fields.mapping(key), parts.has("text") || parts.has("file") {
            if parts.has("text") && parts.has("file") { throw parts.problem("file", "give text or file, not both") }
            if parts.has("text") {
                text = try parts.string("text")
                source = "text"
            } else {
                let path = try parts.string("file")
                let full = path.hasPrefix("/") ? path : (baseDirectory as NSString).appendingPathComponent(path)
                guard let data = FileManager.default.contents(atPath: full) else {
                    throw parts.problem("file", "cannot read '\(full)'; the path is relative to the scenario's directory")
                }
                text = String(decoding: data, as: UTF8.self)
                source = path
            }
            try parts.rejectUnknown()
        } else {
            text = try fields.string(key)
            source = "text"
        }
        let tokenizer = ModelTokenizer(model: model.name)
            ?? ModelTokenizer(model: "\(model.provider)/\(model.name)")
            ?? ModelTokenizer(encoding: .o200kBase, factor: 1, family: "unknown")
        let tokens: Int
        do {
            tokens = try tokenizer.count(text)
        } catch {
            throw fields.problem(key, "cannot count the text: \(error)")
        }
        let basis: String? = tokenizer.isEstimate
            ? (tokenizer.factor == 1 ? "\(tokenizer.encoding.rawValue), \(model.name)'s tokenizer is unknown"
                : "\(tokenizer.encoding.rawValue) x \(tokenizer.factor) for \(tokenizer.family ?? "closed") models")
            : nil
        counted.append(CountedText(
            field: fields.fieldPath(key), location: location, source: source, tokens: tokens,
            encoding: tokenizer.encoding.rawValue, isEstimate: tokenizer.isEstimate, estimateBasis: basis
        ))
        return tokens
    }
}

import ArgumentParser
import CostModel
import Foundation
import Pricing
import Reports
import Synchronization
public import Tokenizers
public import TokenomicsCore

extension Tokenomics {
    /// `tokenomics count`: the tokens of files, directories, standard input or a chat request.
    struct Count: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "count",
            abstract: "Count the tokens of files, directories, standard input or a chat request.",
            discussion: """
                Counts exactly with tiktoken's encodings (cl100k_base, o200k_base, p50k_base) or a Hugging Face \
                tokenizer.json. For closed tokenizers (Claude, Gemini) the count is an estimate, labelled as such. \
                Text that looks like a special token (<|endoftext|>) is ordinary text unless --allow-special. \
                Binary files are skipped and reported; invalid UTF-8 is read with replacement characters.
                """
        )

        @Argument(help: "Files or directories (recursive). Standard input when none.")
        var paths: [String] = []

        @Option(help: "Encoding: cl100k_base, o200k_base or p50k_base (default o200k_base).")
        var encoding: String?

        @Option(help: "Model name; picks its encoding (gpt-4o, gpt-4, claude-sonnet-4, ...).")
        var model: String?

        @Option(help: "A Hugging Face tokenizer.json file.")
        var tokenizer: String?

        @Option(help: "A chat request (JSON with \"messages\") to count with the model's framing.")
        var chat: String?

        @Flag(help: "Count special tokens such as <|endoftext|> as one token each.")
        var allowSpecial = false

        @Flag(help: "Print JSON.")
        var json = false

        @OptionGroup var catalog: CatalogOptions

        func validate() throws {
            let chosen = [encoding, model, tokenizer].compactMap { $0 }
            if chosen.count > 1 {
                throw ValidationError("Give at most one of --encoding, --model and --tokenizer.")
            }
            if let encoding, EncodingName(rawValue: encoding) == nil {
                throw ValidationError(TokenizerError.unknownEncoding(encoding).description)
            }
            if let model, ModelTokenizer(model: model) == nil {
                throw ValidationError(TokenizerError.unknownModel(model).description)
            }
            if chat != nil && !paths.isEmpty {
                throw ValidationError("--chat counts one chat request; do not also give files.")
            }
        }

        func run() async throws {
            // Bad input (a missing file, a malformed chat or tokenizer file) exits 2, other
            // failures 1: TokenizerError is a ReportableError.
            var output = try makeOutput(standardInput: { FileHandle.standardInput.readDataToEndOfFile() })
            try price(&output)
            for warning in output.warnings {
                FileHandle.standardError.write(Data("warning: \(warning)\n".utf8))
            }
            print(json ? output.json() : output.table(), terminator: "")
        }

        /// With `--model`, the input cost of the counted tokens, from the price catalog.
        func price(_ output: inout CountOutput) throws {
            guard let model else { return }
            guard let sheet = try catalog.load().find(model) else {
                output.warnings.append("\(model) is not in the price catalog: no input cost (see `tokenomics models`)")
                return
            }
            output.pricedModel = sheet.name
            output.inputCost = try CostCalculator.cost(of: sheet, usage: Usage(input: output.total)).total
        }

        /// Loads the tokenizer the options name.
        func loadCounter() throws(TokenizerError) -> (any TokenCounter, ModelTokenizer?) {
            if let tokenizer {
                return (try HuggingFaceTokenizer(contentsOf: tokenizer), nil)
            }
            if let model {
                guard let known = ModelTokenizer(model: model) else { throw .unknownModel(model) }
                return (try Encoding.load(known.encoding), known)
            }
            return (try Encoding.load(named: encoding ?? EncodingName.o200kBase.rawValue), nil)
        }

        /// Counts what the options name; `standardInput` supplies stdin when no file is given.
        func makeOutput(standardInput: () -> Data) throws(TokenizerError) -> CountOutput {
            let (counter, modelTokenizer) = try loadCounter()
            let allowed: AllowedSpecial = allowSpecial ? .all : .none
            var output = CountOutput(encoding: counter.name, model: model, modelTokenizer: modelTokenizer)
            if let chat {
                let data = try TextFiles.bytes(of: chat)
                let messages: [ChatMessage]
                do { messages = try ChatMessage.parse(data) } catch { throw error.inFile(chat) }
                let counted = counter.countChat(messages, framing: .forModel(model))
                let tokens = modelTokenizer?.adjust(counted.total) ?? counted.total
                output.files.append(.init(path: chat, tokens: tokens))
                output.chatMessages = counted.perMessage.count
                if counted.uncountedParts > 0 {
                    output.warnings.append("\(chat): \(counted.uncountedParts) non-text content part(s) not counted")
                }
                return output
            }
            if paths.isEmpty {
                let content = TextFiles.decode(standardInput())
                output.add(path: "-", counted: TextFiles.count(content, with: counter, allowedSpecial: allowed))
                return output
            }
            let files = try TextFiles.expand(paths)
            let line = files.count > 1 && isatty(STDERR_FILENO) != 0 ? CountProgress(files: files.count) : nil
            var progress: (@Sendable (Int, Int) -> Void)?
            if let line { progress = { done, bytes in line.update(done: done, bytes: bytes) } }
            let counted = try TextFiles.count(files, with: counter, allowedSpecial: allowed, progress: progress)
            line?.finish()
            for (path, result) in zip(files, counted) { output.add(path: path, counted: result) }
            return output
        }
    }
}

extension TokenizerError: ReportableError {
    public var isBadInput: Bool { isInputError }

    /// Whether the error is the user's input (exit 2) rather than a runtime failure (exit 1).
    var isInputError: Bool {
        switch self {
        case .unreadableFile, .unknownEncoding, .unknownModel, .invalidTokenizerJSON, .invalidChat,
             .malformedRankFile, .duplicateToken, .disallowedSpecialToken:
            return true
        case .checksumMismatch, .missingResource, .unknownToken:
            return false
        }
    }
}

/// A progress line on standard error while `tokenomics count` reads many files: files done, bytes
/// and files per second, redrawn at most 5 times a second, cleared at the end.
final class CountProgress: Sendable {
    private let files: Int
    private let start = ContinuousClock.now
    private let lastDrawn = Mutex<Duration?>(nil)

    init(files: Int) { self.files = files }

    func update(done: Int, bytes: Int) {
        let elapsed = ContinuousClock.now - start
        guard elapsed > .milliseconds(500), lastDrawn.withLock({ last in
            if let last, elapsed - last < .milliseconds(200) { return false }
            last = elapsed
            return true
        }) else { return }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let line = String(format: "\r\u{1B}[K%d/%d files, %.1f MB, %.0f files/s", done, files, Double(bytes) / 1_048_576,
                          Double(done) / max(seconds, 1e-9))
        FileHandle.standardError.write(Data(line.utf8))
    }

    func finish() {
        if lastDrawn.withLock({ $0 }) != nil { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}

/// What `tokenomics count` found.
struct CountOutput: Equatable {
    struct File: Equatable {
        var path: String
        var tokens: Int
    }

    var encoding: String
    var model: String?
    var modelTokenizer: ModelTokenizer?
    var files: [File] = []
    var skipped: [String] = []
    var warnings: [String] = []
    var chatMessages: Int?
    /// The catalog model that priced the input, with `--model`.
    var pricedModel: String?
    /// What the counted tokens cost as input to that model.
    var inputCost: Money?

    var total: Int { files.reduce(0) { $0 + $1.tokens } }
    var isEstimate: Bool { modelTokenizer?.isEstimate ?? false }

    /// Adds one file's result: its tokens (adjusted for an estimated model), or a skipped binary.
    mutating func add(path: String, counted: TextFiles.Counted) {
        switch counted {
        case .binary:
            skipped.append(path)
            warnings.append("\(path): binary file skipped")
        case .tokens(let exact, let replaced):
            if replaced { warnings.append("\(path): not valid UTF-8; invalid bytes read as U+FFFD") }
            files.append(File(path: path, tokens: modelTokenizer?.adjust(exact) ?? exact))
        }
    }

    func table() -> String {
        let label = isEstimate ? "tokens (estimate)" : "tokens"
        let width = max(5, files.map(\.path.count).max() ?? 0)
        let numbers = files.map { String($0.tokens) } + [String(total)]
        let numberWidth = max(label.count, numbers.map(\.count).max() ?? 0)
        func pad(_ s: String, _ n: Int, left: Bool) -> String {
            let fill = String(repeating: " ", count: max(0, n - s.count))
            return left ? fill + s : s + fill
        }
        var out = pad("file", width, left: false) + "  " + pad(label, numberWidth, left: true) + "\n"
        for file in files {
            out += pad(file.path, width, left: false) + "  " + pad(String(file.tokens), numberWidth, left: true) + "\n"
        }
        out += pad("total", width, left: false) + "  " + pad(String(total), numberWidth, left: true) + "\n"
        var notes = "encoding: \(encoding)"
        if let model { notes += ", model: \(model)" }
        if let tokenizer = modelTokenizer, tokenizer.isEstimate {
            notes += " (estimate: \(tokenizer.family ?? "closed") tokenizer approximated as \(encoding) x \(tokenizer.factor))"
        }
        if !skipped.isEmpty { notes += ", skipped \(skipped.count) binary file(s)" }
        if let inputCost, let pricedModel {
            notes += "; input cost on \(pricedModel): \(inputCost.formatted())" + (isEstimate ? " (estimate)" : "")
        }
        return out + notes + "\n"
    }

    func json() -> String {
        var members: [(String, JSONValue)] = [
            ("encoding", .string(encoding)),
            ("files", .array(files.map { .object([("path", .string($0.path)), ("tokens", .int($0.tokens))]) })),
            ("total", .int(total)),
        ]
        if !skipped.isEmpty { members.append(("skipped", .array(skipped.map(JSONValue.string)))) }
        if let model {
            members.append(("model", .string(model)))
            members.append(("estimate", .bool(isEstimate)))
            if let tokenizer = modelTokenizer, tokenizer.isEstimate { members.append(("estimate_factor", .double(tokenizer.factor))) }
        }
        if let inputCost {
            members.append(("priced_model", .optional(pricedModel, JSONValue.string)))
            members.append(("input_cost_usd", .money(inputCost)))
            members.append(("input_cost_usd_exact", .moneyString(inputCost)))
        }
        if let chatMessages { members.append(("chat_messages", .int(chatMessages))) }
        return JSONValue.object(members).serialized() + "\n"
    }
}

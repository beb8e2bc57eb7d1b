import Pricing
public import TokenomicsCore

/// Why an analysis could not run or was stopped.
public enum AnalysisError: Error, Equatable, Sendable, CustomStringConvertible {
    /// An input could not be opened or read.
    case io(String)
    /// A file could not be opened.
    case cannotOpen(file: String, reason: String)
    /// A malformed line stopped the run (`--strict`).
    case badLine(BadLine)
    /// The input format could not be recognised.
    case unknownFormat(file: String)
    /// A setting is invalid.
    case invalidOption(String)
    /// No scenario can be fitted from the log (nothing the catalog prices), or the fit failed.
    case cannotFit(String)

    public var description: String {
        switch self {
        case .io(let why): "Read error: \(why)."
        case .cannotOpen(let file, let reason): "Cannot open '\(file)': \(reason). Check the path and its permissions."
        case .badLine(let bad): "\(bad.file):\(bad.line): \(bad.reason) (stopped by --strict; drop --strict to count bad lines and go on)."
        case .unknownFormat(let file):
            "Cannot tell the format of '\(file)': it is not JSON lines, an OpenAI usage CSV, LiteLLM SpendLogs or OTLP JSON. Name it with --input-format."
        case .invalidOption(let why): why
        case .cannotFit(let why): "Cannot fit a scenario: \(why)"
        }
    }
}

extension AnalysisError: ReportableError {
    public var isBadInput: Bool {
        switch self {
        case .io: false
        case .cannotOpen, .badLine, .unknownFormat, .invalidOption, .cannotFit: true
        }
    }
}

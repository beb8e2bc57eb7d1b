/// An error the command line reports as it is: its description says what went wrong, where, and
/// what to do, and ``isBadInput`` chooses the exit code (2 for bad input, 1 otherwise).
///
/// Each module's error type conforms, so the executable needs no list of them.
public protocol ReportableError: Error, CustomStringConvertible {
    /// True when the caller's input is at fault (exit code 2), false for other failures (exit 1).
    var isBadInput: Bool { get }
}

extension MoneyParseError: ReportableError {
    public var isBadInput: Bool { true }
}
extension YAMLFields.Problem: ReportableError {
    public var isBadInput: Bool { true }
}

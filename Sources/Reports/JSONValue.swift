public import Pricing

/// A JSON value with ordered keys and exact numbers, for stable, documented output.
///
/// Money is written as a JSON number with its full exact decimal (`0.0135`), never through
/// `Double`; use ``money(_:)`` for that and ``moneyString(_:)`` for the string form.
public indirect enum JSONValue: Sendable, Equatable {
    case object([(String, JSONValue)])
    case array([JSONValue])
    case string(String)
    /// A number, already formatted as JSON number text.
    case number(String)
    case bool(Bool)
    case null

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool { lhs.serialized() == rhs.serialized() }

    /// An integer.
    public static func int(_ value: Int) -> JSONValue { .number(String(value)) }

    /// A floating-point number (statistics, shares); non-finite values become `null`.
    public static func double(_ value: Double) -> JSONValue {
        guard value.isFinite else { return .null }
        if value == value.rounded(), abs(value) < 1e15 { return .number(String(Int64(value))) }
        return .number("\(value)")
    }

    /// An exact amount of USD as a JSON number.
    public static func money(_ value: Money) -> JSONValue { .number(value.exactString) }

    /// An exact amount of USD as a JSON string (no exponent).
    public static func moneyString(_ value: Money) -> JSONValue { .string(value.exactString) }

    /// An optional value, `null` when absent.
    public static func optional<T>(_ value: T?, _ transform: (T) -> JSONValue) -> JSONValue {
        value.map(transform) ?? .null
    }

    /// The value as JSON text; pretty-printed with two-space indentation unless `compact`.
    public func serialized(compact: Bool = false) -> String {
        var out = ""
        write(into: &out, indent: 0, compact: compact)
        return out
    }

    private func write(into out: inout String, indent: Int, compact: Bool) {
        let newline = compact ? "" : "\n"
        let pad = compact ? "" : String(repeating: "  ", count: indent + 1)
        let closePad = compact ? "" : String(repeating: "  ", count: indent)
        switch self {
        case .object(let members):
            if members.isEmpty { out += "{}"; return }
            out += "{" + newline
            for (index, (key, value)) in members.enumerated() {
                out += pad + Self.quote(key) + (compact ? ":" : ": ")
                value.write(into: &out, indent: indent + 1, compact: compact)
                out += (index < members.count - 1 ? "," : "") + newline
            }
            out += closePad + "}"
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            out += "[" + newline
            for (index, item) in items.enumerated() {
                out += pad
                item.write(into: &out, indent: indent + 1, compact: compact)
                out += (index < items.count - 1 ? "," : "") + newline
            }
            out += closePad + "]"
        case .string(let text): out += Self.quote(text)
        case .number(let text): out += text
        case .bool(let value): out += value ? "true" : "false"
        case .null: out += "null"
        }
    }

    /// A JSON string literal.
    public static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

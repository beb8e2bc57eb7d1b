/// A JSON value: ordered keys and numbers kept as their exact text, so a decimal is never rounded
/// through `Double` and output keeps the order it was built in.
///
/// It is the project's one JSON value type, for everything that reads or writes JSON: reports and
/// the CLI's `--json` output, the ledger's JSON (``LedgerJSON`` in `Ledger`), the gateway's request
/// and response bodies and its admin API, and the catalog importer. Build values with the cases
/// and the helpers (``int(_:)``, ``double(_:)``, ``money(_:)``, ``moneyString(_:)``,
/// ``optional(_:_:)``), write them with ``serialized(compact:sortedKeys:)`` or
/// ``serializedBytes(compact:sortedKeys:)``, read them with ``parse(_:)-(_:)`` and the accessors.
///
/// ```swift
/// let value = JSONValue.object([("total_usd", .money(cost)), ("calls", .int(3))])
/// print(value.serialized())                    // pretty-printed, two-space indentation
/// let body = try JSONValue.parse(Array(#"{"model": "gpt-4o"}"#.utf8))
/// body["model"]?.stringValue                   // "gpt-4o"
/// ```
public indirect enum JSONValue: Sendable, Equatable {
    case object([(key: String, value: JSONValue)])
    case array([JSONValue])
    case string(String)
    /// A number as JSON number text, exactly as written or parsed (`"1.0000000000000001e-07"`).
    case number(String)
    case bool(Bool)
    case null

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.object(let a), .object(let b)):
            a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        case (.array(let a), .array(let b)): a == b
        case (.string(let a), .string(let b)): a == b
        case (.number(let a), .number(let b)): a == b
        case (.bool(let a), .bool(let b)): a == b
        case (.null, .null): true
        default: false
        }
    }
}

// MARK: - Building

extension JSONValue {
    /// An integer.
    public static func int(_ value: Int) -> JSONValue { .number(String(value)) }

    /// A floating-point number (statistics, shares); non-finite values become `null`.
    ///
    /// Whole numbers below 10¹⁵ are written without a fraction (`3`, not `3.0`); others as Swift
    /// prints a `Double` (the shortest text that reads back as the same value).
    public static func double(_ value: Double) -> JSONValue {
        guard value.isFinite else { return .null }
        if value == value.rounded(), abs(value) < 1e15 { return .number(String(Int64(value))) }
        return .number("\(value)")
    }

    /// An exact amount of USD as a JSON number (`0.0000000125`, never through `Double`).
    public static func money(_ value: Money) -> JSONValue { .number(value.exactString) }

    /// An exact amount of USD as a JSON string with no exponent (`"0.0000000125"`).
    public static func moneyString(_ value: Money) -> JSONValue { .string(value.exactString) }

    /// An optional value: `transform(value)`, or `null` when absent.
    public static func optional<T>(_ value: T?, _ transform: (T) -> JSONValue) -> JSONValue {
        value.map(transform) ?? .null
    }

    /// The object with `key` set: replaced where it is, or appended.
    public func setting(_ key: String, _ value: JSONValue) -> JSONValue {
        guard case .object(var members) = self else { return self }
        if let index = members.firstIndex(where: { $0.key == key }) {
            members[index].value = value
        } else {
            members.append((key, value))
        }
        return .object(members)
    }

    /// The object without the members named in `keys`.
    public func removing(_ keys: Set<String>) -> JSONValue {
        guard case .object(let members) = self else { return self }
        return .object(members.filter { !keys.contains($0.key) })
    }
}

// MARK: - Reading

extension JSONValue {
    /// The value of an object's member (the first, if a key repeats); nil when absent or not an object.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// The text of a string.
    public var stringValue: String? { if case .string(let s) = self { s } else { nil } }

    /// A number as an `Int`: its integer text, or a non-negative whole `Double` below 9 × 10¹⁸
    /// (`1e3`, `12.0`).
    public var intValue: Int? {
        guard case .number(let text) = self else { return nil }
        return Int(text) ?? Double(text).flatMap { $0.isFinite && $0 >= 0 && $0 < 9e18 ? Int($0) : nil }
    }

    /// A number as a `Double` (for statistics; never for money: use the ``number(_:)`` text).
    public var doubleValue: Double? { if case .number(let text) = self { Double(text) } else { nil } }

    /// The value of a boolean.
    public var boolValue: Bool? { if case .bool(let b) = self { b } else { nil } }

    /// The items of an array.
    public var arrayValue: [JSONValue]? { if case .array(let items) = self { items } else { nil } }

    /// The members of an object, in order.
    public var objectValue: [(key: String, value: JSONValue)]? { if case .object(let members) = self { members } else { nil } }

    /// Whether the value is an object.
    public var isObject: Bool { if case .object = self { true } else { false } }

    /// Every string inside the value, depth first, leaving out the members named in `skippingKeys`
    /// at any depth (the gateway counts a prompt's text this way).
    public func collectStrings(into texts: inout [String], skippingKeys: Set<String> = []) {
        switch self {
        case .string(let s): texts.append(s)
        case .array(let items): for item in items { item.collectStrings(into: &texts, skippingKeys: skippingKeys) }
        case .object(let members):
            for member in members where !skippingKeys.contains(member.key) { member.value.collectStrings(into: &texts, skippingKeys: skippingKeys) }
        default: break
        }
    }
}

import Yams

/// Reads typed fields from a YAML (or JSON) document, with errors that name the file, line and
/// field, and that reject unknown fields.
///
/// The one reader for every YAML input: custom models (`Pricing`), scenarios and plans
/// (`Modeling`) and the gateway's configuration. Yams stays an implementation detail: callers see
/// fields, their ``Shape`` and their locations, never YAML nodes.
///
/// ```swift
/// let root = try YAMLFields.parse(text, file: "models.yaml")
/// for item in try root.sequence("models") {
///     let name = try item.string("name")
///     let price = try item.money("input", required: false)
///     try item.rejectUnknown()
/// }
/// ```
public struct YAMLFields {
    /// The file name used in messages.
    public let file: String
    /// The dotted path of this mapping in the document (`models[2]`).
    public let path: String
    /// The node (a mapping, normally).
    let node: Node
    private let seen: SeenKeys

    final class SeenKeys {
        // Only used from one thread during decoding.
        var keys: Set<String> = []
    }

    /// A problem in a YAML document, with where it is.
    public struct Problem: Error, Equatable, Sendable, CustomStringConvertible {
        /// `file:line`.
        public var location: String
        /// The dotted path of the field.
        public var field: String
        /// What is wrong and what to do.
        public var reason: String
        public var description: String { "\(location): \(field.isEmpty ? "" : "field '\(field)': ")\(reason)" }

        public init(location: String, field: String, reason: String) {
            self.location = location
            self.field = field
            self.reason = reason
        }
    }

    init(file: String, path: String, node: Node) {
        self.file = file
        self.path = path
        self.node = node
        self.seen = SeenKeys()
    }

    /// Parses a document and returns its root mapping.
    public static func parse(_ text: String, file: String) throws(Problem) -> YAMLFields {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw Problem(location: "\(file):\(Self.line(of: error))", field: "", reason: "invalid YAML: \(Self.problem(of: error))")
        } catch {
            throw Problem(location: file, field: "", reason: "invalid YAML: \(error)")
        }
        guard let node, node.mapping != nil else {
            throw Problem(location: "\(file):1", field: "", reason: "expected a mapping of fields at the top level")
        }
        return YAMLFields(file: file, path: "", node: node)
    }

    static func line(of error: YamlError) -> Int {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): mark.line
        default: 1
        }
    }

    static func problem(of error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _): problem
        default: "\(error)"
        }
    }

    /// `file:line` of a node (this mapping's by default).
    func location(_ node: Node? = nil) -> String {
        "\(file):\((node ?? self.node).mark?.line ?? 1)"
    }

    /// `file:line` of this mapping.
    public func location() -> String { location(nil) }

    /// `file:line` of a field's value (of this mapping when the field is absent), marking the
    /// field as known.
    public func location(of key: String) -> String { location(value(key)) }

    /// The dotted path of a field, as `interactions[0].calls[1].input`.
    public func fieldPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// A problem at a field of this mapping.
    public func problem(_ key: String, _ reason: String) -> Problem {
        Problem(location: location(value(key) ?? node), field: fieldPath(key), reason: reason)
    }

    /// The raw node of a field, marking the field as known.
    func value(_ key: String) -> Node? {
        seen.keys.insert(key)
        return node.mapping?[key]
    }

    /// What a field holds, before it is read as one type or another.
    public enum Shape: Sendable, Equatable {
        /// Text, a number or a boolean, as written (`"auto"`, `"1_000"`).
        case scalar(String)
        /// A mapping of fields.
        case mapping
        /// A list.
        case sequence
    }

    /// What a field holds, or nil when it is absent (or an alias Yams left unresolved); marks the
    /// field as known.
    public func shape(_ key: String) -> Shape? {
        guard let node = value(key) else { return nil }
        if let scalar = node.scalar { return .scalar(scalar.string) }
        if node.mapping != nil { return .mapping }
        return node.sequence != nil ? .sequence : nil
    }

    /// Whether the field is present.
    public func has(_ key: String) -> Bool { node.mapping?[key] != nil }

    /// The field names present, in document order.
    public var keys: [String] { node.mapping?.keys.compactMap(\.string) ?? [] }

    /// Throws for the first field that no accessor asked for.
    public func rejectUnknown(allowed: Set<String> = []) throws(Problem) {
        guard let mapping = node.mapping else { return }
        for (key, value) in mapping {
            guard let name = key.string else { continue }
            if !seen.keys.contains(name) && !allowed.contains(name) {
                throw Problem(location: location(key.mark == nil ? value : key), field: fieldPath(name), reason: "unknown field")
            }
        }
    }

    /// A text field.
    public func string(_ key: String) throws(Problem) -> String {
        guard let found = try string(key, required: false) else { throw problem(key, "missing (required)") }
        return found
    }

    /// An optional text field.
    public func string(_ key: String, required: Bool) throws(Problem) -> String? {
        guard let node = value(key) else {
            if required { throw problem(key, "missing (required)") }
            return nil
        }
        guard let scalar = node.scalar else { throw problem(key, "expected text") }
        return scalar.string
    }

    /// An optional exact decimal, such as a price; never read through `Double`.
    public func money(_ key: String) throws(Problem) -> Money? {
        guard let text = try string(key, required: false) else { return nil }
        do {
            return try Money(exactly: text)
        } catch {
            throw problem(key, "expected an amount in USD, found '\(text)'")
        }
    }

    /// An optional non-negative whole number.
    public func integer(_ key: String) throws(Problem) -> Int? {
        guard let text = try string(key, required: false) else { return nil }
        let cleaned = text.replacingUnderscoresAndCommas()
        if let value = Int(cleaned), value >= 0 { return value }
        if let decimal = try? Decimal128Text.parse(cleaned), !decimal.negative,
            let units = try? decimal.scaled(to: 0, rounding: .exact, original: cleaned), units <= Int128(Int.max)
        {
            return Int(units)
        }
        throw problem(key, "expected a non-negative whole number, found '\(text)'")
    }

    /// An optional number (statistics, shares): may pass through `Double`.
    public func double(_ key: String) throws(Problem) -> Double? {
        guard let text = try string(key, required: false) else { return nil }
        guard let value = Double(text.replacingUnderscoresAndCommas()), value.isFinite else {
            throw problem(key, "expected a number, found '\(text)'")
        }
        return value
    }

    /// An optional boolean.
    public func bool(_ key: String) throws(Problem) -> Bool? {
        guard let text = try string(key, required: false) else { return nil }
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw problem(key, "expected true or false, found '\(text)'")
        }
    }

    /// An optional nested mapping.
    public func mapping(_ key: String) throws(Problem) -> YAMLFields? {
        guard let node = value(key) else { return nil }
        guard node.mapping != nil else { throw problem(key, "expected a mapping of fields") }
        return YAMLFields(file: file, path: fieldPath(key), node: node)
    }

    /// A sequence of mappings (empty when absent).
    public func sequence(_ key: String) throws(Problem) -> [YAMLFields] {
        guard let node = value(key) else { return [] }
        guard let items = node.sequence else { throw problem(key, "expected a list") }
        var result: [YAMLFields] = []
        for (index, item) in items.enumerated() {
            guard item.mapping != nil else {
                throw Problem(location: location(item), field: "\(fieldPath(key))[\(index)]", reason: "expected a mapping of fields")
            }
            result.append(YAMLFields(file: file, path: "\(fieldPath(key))[\(index)]", node: item))
        }
        return result
    }

    /// A sequence of scalars (empty when absent).
    public func strings(_ key: String) throws(Problem) -> [String] {
        guard let node = value(key) else { return [] }
        if let scalar = node.scalar { return [scalar.string] }
        guard let items = node.sequence else { throw problem(key, "expected a list") }
        var result: [String] = []
        for item in items {
            guard let scalar = item.scalar else { throw Problem(location: location(item), field: fieldPath(key), reason: "expected text items") }
            result.append(scalar.string)
        }
        return result
    }
}

extension String {
    func replacingUnderscoresAndCommas() -> String {
        String(filter { $0 != "_" && $0 != "," })
    }
}

/// A reader is used on one thread while a document is decoded.
@available(*, unavailable)
extension YAMLFields: Sendable {}

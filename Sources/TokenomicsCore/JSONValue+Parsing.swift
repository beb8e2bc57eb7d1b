/// The JSON reader: exact number text, key order, and the line and column of every error.
extension JSONValue {
    /// A syntax error with its line and column.
    public struct SyntaxError: Error, Equatable, Sendable, CustomStringConvertible {
        public var line: Int
        public var column: Int
        public var reason: String
        public var description: String { "line \(line), column \(column): \(reason)" }
    }

    /// Parses UTF-8 JSON text: numbers keep their exact text, objects their key order.
    ///
    /// Also accepts `NaN` (Python's `json` writes it; it reads back as the number text `NaN`).
    /// - Throws: ``SyntaxError`` with the line and column of the first error.
    public static func parse(_ bytes: [UInt8]) throws(SyntaxError) -> JSONValue {
        var parser = Parser(bytes: bytes)
        parser.skipWhitespace()
        let value = try parser.value(depth: 0)
        try parser.end()
        return value
    }

    /// Parses JSON text; see ``parse(_:)-(_:)``.
    public static func parse(_ text: String) throws(SyntaxError) -> JSONValue { try parse(Array(text.utf8)) }

    /// A member of an object, with the line its value starts on (1-based).
    public struct Member: Sendable, Equatable {
        public var key: String
        public var value: JSONValue
        public var line: Int
    }

    /// Parses UTF-8 JSON text whose value should be an object, and returns its members with the
    /// line of each, for messages that name where an entry is (`prices.json:1204 entry 'gpt-4o'`).
    ///
    /// - Returns: the members in order, or nil when the value is not an object.
    /// - Throws: ``SyntaxError`` with the line and column of the first error.
    public static func parseMembers(_ bytes: [UInt8]) throws(SyntaxError) -> [Member]? {
        var parser = Parser(bytes: bytes)
        parser.skipWhitespace()
        guard parser.index < bytes.count, bytes[parser.index] == UInt8(ascii: "{") else {
            _ = try parser.value(depth: 0)
            try parser.end()
            return nil
        }
        var members: [Member] = []
        try parser.object(depth: 0) { key, value, line in members.append(Member(key: key, value: value, line: line)) }
        try parser.end()
        return members
    }

    struct Parser {
        let bytes: [UInt8]
        var index = 0
        var line = 1
        var lineStart = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        func error(_ reason: String) -> SyntaxError {
            SyntaxError(line: line, column: index - lineStart + 1, reason: reason)
        }

        /// Checks that only whitespace follows the value.
        mutating func end() throws(SyntaxError) {
            skipWhitespace()
            if index < bytes.count { throw error("unexpected text after the JSON value") }
        }

        mutating func skipWhitespace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x09, 0x0D: index += 1
                case 0x0A: index += 1; line += 1; lineStart = index
                default: return
                }
            }
        }

        mutating func value(depth: Int) throws(SyntaxError) -> JSONValue {
            guard depth < 512 else { throw error("nested too deeply") }
            guard index < bytes.count else { throw error("unexpected end of input") }
            switch bytes[index] {
            case UInt8(ascii: "{"):
                var members: [(key: String, value: JSONValue)] = []
                try object(depth: depth) { key, value, _ in members.append((key, value)) }
                return .object(members)
            case UInt8(ascii: "["):
                index += 1
                var items: [JSONValue] = []
                skipWhitespace()
                if index < bytes.count && bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
                while true {
                    skipWhitespace()
                    items.append(try value(depth: depth + 1))
                    skipWhitespace()
                    guard index < bytes.count else { throw error("unterminated array") }
                    if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                    if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
                    throw error("expected ',' or ']'")
                }
            case UInt8(ascii: "\""):
                return .string(try string())
            case UInt8(ascii: "t"): return try literal("true", .bool(true))
            case UInt8(ascii: "f"): return try literal("false", .bool(false))
            case UInt8(ascii: "n"): return try literal("null", .null)
            case UInt8(ascii: "N"): return try literal("NaN", .number("NaN"))
            default:
                let start = index
                while index < bytes.count {
                    let byte = bytes[index]
                    let isNumberByte = (byte >= 0x30 && byte <= 0x39) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+")
                        || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
                    if !isNumberByte { break }
                    index += 1
                }
                if start == index { throw error("unexpected character '\(Character(Unicode.Scalar(bytes[index])))'") }
                return .number(String(decoding: bytes[start..<index], as: UTF8.self))
            }
        }

        /// Reads an object (at its `{`), handing each member and the line its value starts on to `add`.
        mutating func object(depth: Int, _ add: (String, JSONValue, Int) -> Void) throws(SyntaxError) {
            index += 1
            skipWhitespace()
            if index < bytes.count && bytes[index] == UInt8(ascii: "}") { index += 1; return }
            while true {
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a string key") }
                let key = try string()
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':' after key \"\(key)\"") }
                index += 1
                skipWhitespace()
                let valueLine = line
                add(key, try value(depth: depth + 1), valueLine)
                skipWhitespace()
                guard index < bytes.count else { throw error("unterminated object") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "}") { index += 1; return }
                throw error("expected ',' or '}'")
            }
        }

        mutating func literal(_ word: String, _ result: JSONValue) throws(SyntaxError) -> JSONValue {
            let utf8 = Array(word.utf8)
            guard index + utf8.count <= bytes.count, Array(bytes[index..<index + utf8.count]) == utf8 else {
                throw error("unexpected literal")
            }
            index += utf8.count
            return result
        }

        mutating func string() throws(SyntaxError) -> String {
            index += 1  // opening quote
            var scalars: [UInt8] = []
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") { index += 1; return String(decoding: scalars, as: UTF8.self) }
                if byte == UInt8(ascii: "\\") {
                    index += 1
                    guard index < bytes.count else { break }
                    let escaped = bytes[index]
                    index += 1
                    switch escaped {
                    case UInt8(ascii: "n"): scalars.append(0x0A)
                    case UInt8(ascii: "t"): scalars.append(0x09)
                    case UInt8(ascii: "r"): scalars.append(0x0D)
                    case UInt8(ascii: "b"): scalars.append(0x08)
                    case UInt8(ascii: "f"): scalars.append(0x0C)
                    case UInt8(ascii: "u"):
                        guard index + 4 <= bytes.count, let code = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16) else {
                            throw error("bad \\u escape")
                        }
                        index += 4
                        var scalarValue = code
                        if (0xD800..<0xDC00).contains(code), index + 6 <= bytes.count, bytes[index] == UInt8(ascii: "\\"),
                            bytes[index + 1] == UInt8(ascii: "u"),
                            let low = UInt32(String(decoding: bytes[index + 2..<index + 6], as: UTF8.self), radix: 16),
                            (0xDC00..<0xE000).contains(low)
                        {
                            scalarValue = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                            index += 6
                        }
                        let scalar = Unicode.Scalar(scalarValue) ?? "\u{FFFD}"
                        scalars.append(contentsOf: Array(String(scalar).utf8))
                    default: scalars.append(escaped)
                    }
                    continue
                }
                if byte == 0x0A { line += 1; lineStart = index + 1 }
                scalars.append(byte)
                index += 1
            }
            throw error("unterminated string")
        }
    }
}

/// The one JSON writer: every JSON the project prints or sends is written here.
extension JSONValue {
    /// The value as JSON text.
    ///
    /// - Parameters:
    ///   - compact: no whitespace at all (`{"a":1}`); otherwise two-space indentation with one
    ///     member or item a line, `": "` after keys, and `{}`/`[]` for empty containers.
    ///   - sortedKeys: objects written in key order (`String`'s `<`) instead of their own: the
    ///     canonical form the gateway's result cache hashes.
    public func serialized(compact: Bool = false, sortedKeys: Bool = false) -> String {
        String(decoding: serializedBytes(compact: compact, sortedKeys: sortedKeys), as: UTF8.self)
    }

    /// The value as UTF-8 JSON text; see ``serialized(compact:sortedKeys:)``.
    public func serializedBytes(compact: Bool = false, sortedKeys: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(into: &out, compact: compact, sortedKeys: sortedKeys)
        return out
    }

    /// Appends the value as UTF-8 JSON text to `out`; see ``serialized(compact:sortedKeys:)``.
    public func write(into out: inout [UInt8], compact: Bool = false, sortedKeys: Bool = false) {
        write(into: &out, indent: 0, compact: compact, sortedKeys: sortedKeys)
    }

    private func write(into out: inout [UInt8], indent: Int, compact: Bool, sortedKeys: Bool) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let value): out.append(contentsOf: (value ? "true" : "false").utf8)
        case .number(let text): out.append(contentsOf: text.utf8)
        case .string(let text): Self.writeString(text, into: &out)
        case .array(let items):
            if items.isEmpty { out.append(contentsOf: "[]".utf8); return }
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                Self.newline(&out, indent: indent + 1, compact: compact)
                item.write(into: &out, indent: indent + 1, compact: compact, sortedKeys: sortedKeys)
            }
            Self.newline(&out, indent: indent, compact: compact)
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            if members.isEmpty { out.append(contentsOf: "{}".utf8); return }
            out.append(UInt8(ascii: "{"))
            let ordered = sortedKeys ? members.sorted { $0.key < $1.key } : members
            for (index, member) in ordered.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                Self.newline(&out, indent: indent + 1, compact: compact)
                Self.writeString(member.key, into: &out)
                out.append(UInt8(ascii: ":"))
                if !compact { out.append(UInt8(ascii: " ")) }
                member.value.write(into: &out, indent: indent + 1, compact: compact, sortedKeys: sortedKeys)
            }
            Self.newline(&out, indent: indent, compact: compact)
            out.append(UInt8(ascii: "}"))
        }
    }

    private static func newline(_ out: inout [UInt8], indent: Int, compact: Bool) {
        guard !compact else { return }
        out.append(0x0A)
        out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * indent))
    }

    /// A JSON string literal: `"a\"b"`.
    public static func quote(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 2)
        writeString(text, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `text` as a JSON string literal: `"` and `\` escaped, newline, return and tab as
    /// `\n`, `\r`, `\t`, other control characters as `\u00XX`; everything else as its UTF-8 bytes.
    public static func writeString(_ text: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [0x5C, 0x22])
            case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0..<0x20:
                out.append(contentsOf: [0x5C, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), Hex.digit(byte >> 4), Hex.digit(byte & 15)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

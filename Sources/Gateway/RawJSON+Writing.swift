import Foundation
import Pricing

extension RawJSON {
    /// Compact JSON text. With `sortedKeys`, objects are written in key order: the canonical form the result cache hashes.
    func serialized(sortedKeys: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(into: &out, sortedKeys: sortedKeys)
        return out
    }

    func write(into out: inout [UInt8], sortedKeys: Bool) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .number(let text): out.append(contentsOf: text.utf8)
        case .string(let s): Self.writeString(s, into: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                item.write(into: &out, sortedKeys: sortedKeys)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            let ordered = sortedKeys ? members.sorted { $0.key < $1.key } : members
            for (i, member) in ordered.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                Self.writeString(member.key, into: &out)
                out.append(UInt8(ascii: ":"))
                member.value.write(into: &out, sortedKeys: sortedKeys)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    static func writeString(_ s: String, into out: inout [UInt8]) { RawJSONWriter.writeString(s, into: &out) }

    /// The object with `key` set (replaced in place, or appended).
    func setting(_ key: String, _ value: RawJSON) -> RawJSON {
        guard case .object(var members) = self else { return self }
        if let index = members.firstIndex(where: { $0.key == key }) {
            members[index].value = value
        } else {
            members.append((key: key, value: value, line: 0))
        }
        return .object(members)
    }

    /// The object without `keys`.
    func removing(_ keys: Set<String>) -> RawJSON {
        guard case .object(let members) = self else { return self }
        return .object(members.filter { !keys.contains($0.key) })
    }

    var stringValue: String? { if case .string(let s) = self { s } else { nil } }
    var intValue: Int? { if case .number(let n) = self { Int(n) ?? Double(n).flatMap { $0.isFinite && $0 >= 0 && $0 < 9e18 ? Int($0) : nil } } else { nil } }
    var doubleValue: Double? { if case .number(let n) = self { Double(n) } else { nil } }
    var boolValue: Bool? { if case .bool(let b) = self { b } else { nil } }
    var arrayValue: [RawJSON]? { if case .array(let a) = self { a } else { nil } }
    var isObject: Bool { if case .object = self { true } else { false } }

    /// Every string inside the value, depth first (used to count a prompt's text).
    func collectStrings(into texts: inout [String], skippingKeys: Set<String> = []) {
        switch self {
        case .string(let s): texts.append(s)
        case .array(let items): for item in items { item.collectStrings(into: &texts, skippingKeys: skippingKeys) }
        case .object(let members):
            for member in members where !skippingKeys.contains(member.key) { member.value.collectStrings(into: &texts, skippingKeys: skippingKeys) }
        default: break
        }
    }
}

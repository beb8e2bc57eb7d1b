/// Lower-case hexadecimal text of bytes (digests, ids), without Foundation's `String(format:)`,
/// which costs microseconds per byte.
public enum Hex: Sendable {
    /// `[0x0f, 0xa0]` → `"0fa0"`.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var out = [UInt8]()
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            out.append(digit(byte >> 4))
            out.append(digit(byte & 15))
        }
        return String(decoding: out, as: UTF8.self)
    }

    @inline(__always) static func digit(_ value: UInt8) -> UInt8 { value < 10 ? 0x30 + value : 0x57 + value }
}

import CostModel
import Pricing
import TokenomicsCore

/// A hand-written field extractor for our JSON-lines events (DESIGN.md section 4).
///
/// It walks one line's bytes once, reads integers straight from the digits, keeps `cost_usd`
/// exact, interns names without building `String`s, and skips unknown keys. It never builds a
/// general JSON tree.
struct JSONLParser {
    /// Decoded escaped strings land here (rare).
    private var scratch: [[UInt8]] = [[], [], [], [], [], []]
    /// Field slices: start and count in the line; -2 when absent, -1 when decoded into `scratch`.

    /// Six (start, count) pairs held inline (no array, no uniqueness checks on the hot path).
    struct Slots {
        var start: (Int, Int, Int, Int, Int, Int) = (-2, -2, -2, -2, -2, -2)
        var count: (Int, Int, Int, Int, Int, Int) = (0, 0, 0, 0, 0, 0)

        @inline(__always) subscript(start index: Int) -> Int {
            get {
                switch index {
                case 0: start.0
                case 1: start.1
                case 2: start.2
                case 3: start.3
                case 4: start.4
                default: start.5
                }
            }
            set {
                switch index {
                case 0: start.0 = newValue
                case 1: start.1 = newValue
                case 2: start.2 = newValue
                case 3: start.3 = newValue
                case 4: start.4 = newValue
                default: start.5 = newValue
                }
            }
        }

        @inline(__always) subscript(count index: Int) -> Int {
            get {
                switch index {
                case 0: count.0
                case 1: count.1
                case 2: count.2
                case 3: count.3
                case 4: count.4
                default: count.5
                }
            }
            set {
                switch index {
                case 0: count.0 = newValue
                case 1: count.1 = newValue
                case 2: count.2 = newValue
                case 3: count.3 = newValue
                case 4: count.4 = newValue
                default: count.5 = newValue
                }
            }
        }
    }

    enum Field: Int { case user = 0, feature, model, requestHash, interaction, tier }

    /// Parses one line into the accumulator; returns nil on success or the reason it is malformed.
    /// Whitespace-only lines return `""` (not an event, not an error).
    mutating func parse(_ line: UnsafeRawBufferPointer, into acc: inout Accumulator) -> String? {
        let n = line.count
        var i = 0
        let p = (line.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!).assumingMemoryBound(to: UInt8.self)
        @inline(__always) func skipSpace() {
            while i < n {
                let b = p[i]
                if b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0A { i += 1 } else { break }
            }
        }
        skipSpace()
        if i == n { return "" }
        guard p[i] == UInt8(ascii: "{") else { return "not a JSON object" }
        i += 1

        var timestamp: Int64? = nil
        var input = 0, output = 0, cached = 0, cacheWrite = 0, cacheWrite1h = 0, reasoning = 0
        var billed: Int128? = nil
        var tier = ServiceTier.standard
        // Field slices: (start, count) into the line, or -1 start for the scratch buffer.
        var slots = Slots()

        skipSpace()
        if i < n && p[i] == UInt8(ascii: "}") {
            i += 1
        } else {
            while true {
                skipSpace()
                guard i < n, p[i] == UInt8(ascii: "\"") else { return i < n ? "expected a key at column \(i + 1)" : "truncated line" }
                // Key (keys we know have no escapes; an escaped key is skipped as unknown).
                let keyStart = i + 1
                var j = Self.scanString(p, keyStart, n)
                var escaped = false
                if j < n && p[j] == UInt8(ascii: "\\") { j = keyStart }
                while j < n && p[j] != UInt8(ascii: "\"") {
                    if p[j] == UInt8(ascii: "\\") { escaped = true; j += 1 }
                    j += 1
                }
                guard j < n else { return "truncated line" }
                let key = escaped ? UnsafeRawBufferPointer(start: nil, count: 0) : UnsafeRawBufferPointer(rebasing: line[keyStart..<j])
                i = j + 1
                skipSpace()
                guard i < n, p[i] == UInt8(ascii: ":") else { return "expected ':' at column \(i + 1)" }
                i += 1
                skipSpace()
                guard i < n else { return "truncated line" }
                let kind = Self.keyKind(key)
                switch kind {
                case .timestamp:
                    if p[i] == UInt8(ascii: "\"") {
                        guard let (s, e) = Self.rawString(line, &i) else { return "bad string for 'ts'" }
                        guard let t = UTC.parseTimestamp(UnsafeRawBufferPointer(rebasing: line[s..<e])) else {
                            return "'ts' is not an ISO 8601 date-time or epoch number"
                        }
                        timestamp = t
                    } else {
                        let s = i
                        Self.skipNumber(line, &i)
                        guard let t = UTC.parseTimestamp(UnsafeRawBufferPointer(rebasing: line[s..<i])) else { return "'ts' is not a timestamp" }
                        timestamp = t
                    }
                case .tokens(let which):
                    var value = 0
                    if p[i] == UInt8(ascii: "n") {
                        guard Self.literal(line, &i, "null") else { return "bad value for '\(Self.tokenKeys[which])'" }
                    } else {
                        guard let v = Self.integer(line, &i) else { return "'\(Self.tokenKeys[which])' is not a whole number" }
                        value = v
                    }
                    switch which {
                    case 0: input = value
                    case 1: output = value
                    case 2: cached = value
                    case 3: cacheWrite = value
                    case 4: cacheWrite1h = value
                    default: reasoning = value
                    }
                case .cost:
                    if p[i] == UInt8(ascii: "n") {
                        guard Self.literal(line, &i, "null") else { return "bad value for 'cost_usd'" }
                        billed = nil
                    } else if p[i] == UInt8(ascii: "\"") {
                        guard let (s, e) = Self.rawString(line, &i) else { return "bad string for 'cost_usd'" }
                        guard let v = Self.decimalUnits(UnsafeRawBufferPointer(rebasing: line[s..<e])) else { return "'cost_usd' is not an exact amount" }
                        billed = v
                    } else {
                        let s = i
                        Self.skipNumber(line, &i)
                        guard i > s, let v = Self.decimalUnits(UnsafeRawBufferPointer(rebasing: line[s..<i])) else { return "'cost_usd' is not a number" }
                        billed = v
                    }
                case .name(let field):
                    if p[i] == UInt8(ascii: "n") {
                        guard Self.literal(line, &i, "null") else { return "bad value at column \(i + 1)" }
                        slots[start: field.rawValue] = -2
                    } else {
                        guard p[i] == UInt8(ascii: "\"") else { return "'\(Self.nameKeys[field.rawValue])' must be a string" }
                        let s = i + 1
                        var k = Self.scanString(p, s, n)
                        var hasEscape = false
                        if k < n && p[k] == UInt8(ascii: "\\") { k = s }
                        while k < n && p[k] != UInt8(ascii: "\"") {
                            if p[k] == UInt8(ascii: "\\") { hasEscape = true; k += 1 }
                            k += 1
                        }
                        guard k < n else { return "truncated line" }
                        if hasEscape {
                            guard let decoded = Self.unescape(UnsafeRawBufferPointer(rebasing: line[s..<k])) else { return "bad escape in a string" }
                            scratch[field.rawValue] = decoded
                            slots[start: field.rawValue] = -1
                        } else {
                            slots[start: field.rawValue] = s
                            slots[count: field.rawValue] = k - s
                        }
                        i = k + 1
                    }
                case .unknown:
                    guard Self.skipValue(line, &i, depth: 0) else { return "malformed JSON value at column \(i + 1)" }
                }
                skipSpace()
                guard i < n else { return "truncated line" }
                if p[i] == UInt8(ascii: ",") { i += 1; continue }
                if p[i] == UInt8(ascii: "}") { i += 1; break }
                return "expected ',' or '}' at column \(i + 1)"
            }
        }
        skipSpace()
        guard i == n else { return "unexpected text after the JSON object at column \(i + 1)" }

        guard slots[start: Field.user.rawValue] != -2 else { return "missing field 'user'" }
        guard slots[start: Field.model.rawValue] != -2 else { return "missing field 'model'" }
        guard let timestamp else { return "missing field 'ts'" }
        if slots[start: Field.tier.rawValue] != -2 {
            guard let t = withField(.tier, line, slots, { Self.tier($0) }) else {
                return "'tier' must be standard, batch, flex or priority"
            }
            tier = t
        }
        let usage = Usage(input: input, output: output, cachedInput: cached, cacheWrite: cacheWrite, cacheWrite1h: cacheWrite1h, reasoning: reasoning)
        if input < 0 || output < 0 || cached < 0 || cacheWrite < 0 || cacheWrite1h < 0 || reasoning < 0
            || cached + cacheWrite + cacheWrite1h > input || reasoning > output
        {
            do { try usage.validate() } catch { return error.description }
        }
        let user = withField(.user, line, slots) { acc.userID($0) }
        let feature = slots[start: Field.feature.rawValue] == -2 ? acc.featureID(UnsafeRawBufferPointer(start: nil, count: 0))
            : withField(.feature, line, slots) { acc.featureID($0) }
        let model = withField(.model, line, slots) { acc.modelID($0) }
        let request = slots[start: Field.requestHash.rawValue] == -2 ? 0
            : withField(.requestHash, line, slots) { $0.isEmpty ? 0 : Accumulator.fingerprint($0) }
        let interaction = slots[start: Field.interaction.rawValue] == -2 ? 0
            : withField(.interaction, line, slots) { $0.isEmpty ? 0 : Accumulator.fingerprint($0) }
        acc.record(
            user: user, feature: feature, model: model, timestamp: timestamp, usage: usage, tier: tier, billed: billed,
            requestFingerprint: request, interactionFingerprint: interaction
        )
        return nil
    }

    @inline(__always)
    private func withField<T>(
        _ field: Field, _ line: UnsafeRawBufferPointer, _ slots: Slots, _ body: (UnsafeRawBufferPointer) -> T
    ) -> T {
        let start = slots[start: field.rawValue]
        if start >= 0 { return body(UnsafeRawBufferPointer(start: line.baseAddress! + start, count: slots[count: field.rawValue])) }
        return scratch[field.rawValue].withUnsafeBytes(body)
    }

    /// The index of the first `"` or `\\` at or after `from` (or `n`), eight bytes at a time.
    @inline(__always)
    static func scanString(_ p: UnsafePointer<UInt8>, _ from: Int, _ n: Int) -> Int {
        var i = from
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        while i + 8 <= n {
            let word = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)
            let quote = word ^ 0x2222_2222_2222_2222
            let slash = word ^ 0x5C5C_5C5C_5C5C_5C5C
            let found = ((quote &- ones) & ~quote | (slash &- ones) & ~slash) & highs
            if found != 0 { return i + found.trailingZeroBitCount / 8 }
            i += 8
        }
        while i < n {
            if p[i] == 0x22 || p[i] == 0x5C { return i }
            i += 1
        }
        return n
    }

    // MARK: Keys

    enum KeyKind { case timestamp, tokens(Int), cost, name(Field), unknown }

    static let tokenKeys = ["input_tokens", "output_tokens", "cached_input_tokens", "cache_write_tokens", "cache_write_1h_tokens", "reasoning_tokens"]
    static let nameKeys = ["user", "feature", "model", "request_hash", "interaction_id", "tier"]

    @inline(__always)
    static func keyKind(_ key: UnsafeRawBufferPointer) -> KeyKind {
        @inline(__always) func eq(_ literal: StaticString) -> Bool {
            literal.utf8CodeUnitCount == key.count && memcmpBytes(literal.utf8Start, key.baseAddress!, key.count)
        }
        switch key.count {
        case 2: if eq("ts") { return .timestamp }
        case 4:
            if eq("user") { return .name(.user) }
            if eq("tier") { return .name(.tier) }
        case 5: if eq("model") { return .name(.model) }
        case 7:
            if eq("feature") { return .name(.feature) }
            if eq("user_id") { return .name(.user) }
        case 8: if eq("cost_usd") { return .cost }
        case 9: if eq("timestamp") { return .timestamp }
        case 10: if eq("session_id") { return .name(.interaction) }
        case 12:
            if eq("input_tokens") { return .tokens(0) }
            if eq("request_hash") { return .name(.requestHash) }
            if eq("service_tier") { return .name(.tier) }
        case 13: if eq("output_tokens") { return .tokens(1) }
        case 14: if eq("interaction_id") { return .name(.interaction) }
        case 16: if eq("reasoning_tokens") { return .tokens(5) }
        case 18: if eq("cache_write_tokens") { return .tokens(3) }
        case 19: if eq("cached_input_tokens") { return .tokens(2) }
        case 21: if eq("cache_write_1h_tokens") { return .tokens(4) }
        default: break
        }
        return .unknown
    }

    static func tier(_ bytes: UnsafeRawBufferPointer) -> ServiceTier? {
        let text = String(decoding: bytes, as: UTF8.self).lowercased()
        switch text {
        case "", "standard", "default", "auto", "on_demand": return .standard
        default: return ServiceTier(rawValue: text)
        }
    }

    // MARK: Values

    /// A string without escapes, returned as a byte range; `i` moves past the closing quote.
    @inline(__always)
    static func rawString(_ line: UnsafeRawBufferPointer, _ i: inout Int) -> (Int, Int)? {
        let p = (line.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!).assumingMemoryBound(to: UInt8.self)
        let s = i + 1
        var k = s
        while k < line.count && p[k] != UInt8(ascii: "\"") {
            if p[k] == UInt8(ascii: "\\") { return nil }
            k += 1
        }
        guard k < line.count else { return nil }
        i = k + 1
        return (s, k)
    }

    @inline(__always)
    static func literal(_ line: UnsafeRawBufferPointer, _ i: inout Int, _ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard i + count <= line.count, memcmpBytes(word.utf8Start, line.baseAddress! + i, count) else { return false }
        i += count
        return true
    }

    /// A whole number (a fraction of zeros such as `12.0` is accepted).
    @inline(__always)
    static func integer(_ line: UnsafeRawBufferPointer, _ i: inout Int) -> Int? {
        let p = (line.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!).assumingMemoryBound(to: UInt8.self)
        let n = line.count
        var negative = false
        if i < n && p[i] == UInt8(ascii: "-") { negative = true; i += 1 }
        var value = 0
        var digits = 0
        while i < n {
            let d = p[i] &- 48
            if d > 9 { break }
            if digits >= 18 { return nil }
            value = value &* 10 &+ Int(d)
            digits += 1
            i += 1
        }
        guard digits > 0 else { return nil }
        if i < n && p[i] == UInt8(ascii: ".") {
            i += 1
            while i < n && p[i] == UInt8(ascii: "0") { i += 1 }
            if i < n && p[i] &- 48 <= 9 { return nil }
        }
        if i < n && (p[i] == UInt8(ascii: "e") || p[i] == UInt8(ascii: "E")) { return nil }
        return negative ? -value : value
    }

    @inline(__always)
    static func skipNumber(_ line: UnsafeRawBufferPointer, _ i: inout Int) {
        let p = (line.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!).assumingMemoryBound(to: UInt8.self)
        while i < line.count {
            let b = p[i]
            if (b >= 48 && b <= 57) || b == UInt8(ascii: "-") || b == UInt8(ascii: "+") || b == UInt8(ascii: ".") || b == UInt8(ascii: "e")
                || b == UInt8(ascii: "E")
            {
                i += 1
            } else {
                break
            }
        }
    }

    /// Exact Money units (10⁻²¹ USD) of decimal text: a fast path for plain decimals, then the
    /// general `Money(exactly:)` parser for exponents and other forms.
    static func decimalUnits(_ bytes: UnsafeRawBufferPointer) -> Int128? {
        let n = bytes.count
        var i = 0
        var negative = false
        if i < n && bytes[i] == UInt8(ascii: "-") { negative = true; i += 1 }
        var whole: Int128 = 0
        var digits = 0
        while i < n, bytes[i] &- 48 <= 9 {
            if digits > 16 { return slowDecimal(bytes) }
            whole = whole * 10 + Int128(bytes[i] &- 48)
            digits += 1
            i += 1
        }
        var fraction: Int128 = 0
        var places = 0
        if i < n && bytes[i] == UInt8(ascii: ".") {
            i += 1
            while i < n, bytes[i] &- 48 <= 9 {
                if places >= Money.scale {
                    if bytes[i] != UInt8(ascii: "0") { return nil }
                } else {
                    fraction = fraction * 10 + Int128(bytes[i] &- 48)
                    places += 1
                }
                i += 1
            }
        }
        if i != n { return slowDecimal(bytes) }
        guard digits > 0 || places > 0 else { return nil }
        var units = whole * Money.unitsPerDollar
        if places > 0 { units += fraction * pow10(Money.scale - places) }
        return negative ? -units : units
    }

    static func slowDecimal(_ bytes: UnsafeRawBufferPointer) -> Int128? {
        try? Money(exactly: String(decoding: bytes, as: UTF8.self)).units
    }

    /// Skips any JSON value; false when it is malformed.
    static func skipValue(_ line: UnsafeRawBufferPointer, _ i: inout Int, depth: Int) -> Bool {
        let p = (line.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!).assumingMemoryBound(to: UInt8.self)
        let n = line.count
        guard i < n, depth < 64 else { return false }
        switch p[i] {
        case UInt8(ascii: "\""):
            i += 1
            while i < n && p[i] != UInt8(ascii: "\"") {
                if p[i] == UInt8(ascii: "\\") { i += 1 }
                i += 1
            }
            guard i < n else { return false }
            i += 1
            return true
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let close = p[i] == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
            let isObject = close == UInt8(ascii: "}")
            i += 1
            func space() { while i < n && (p[i] == 0x20 || p[i] == 0x09) { i += 1 } }
            space()
            if i < n && p[i] == close { i += 1; return true }
            while true {
                space()
                if isObject {
                    guard i < n, p[i] == UInt8(ascii: "\""), skipValue(line, &i, depth: depth + 1) else { return false }
                    space()
                    guard i < n, p[i] == UInt8(ascii: ":") else { return false }
                    i += 1
                    space()
                }
                guard skipValue(line, &i, depth: depth + 1) else { return false }
                space()
                guard i < n else { return false }
                if p[i] == UInt8(ascii: ",") { i += 1; continue }
                if p[i] == close { i += 1; return true }
                return false
            }
        case UInt8(ascii: "t"): return literal(line, &i, "true")
        case UInt8(ascii: "f"): return literal(line, &i, "false")
        case UInt8(ascii: "n"): return literal(line, &i, "null")
        default:
            let s = i
            skipNumber(line, &i)
            return i > s
        }
    }

    /// Decodes JSON string escapes.
    static func unescape(_ bytes: UnsafeRawBufferPointer) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b != UInt8(ascii: "\\") { out.append(b); i += 1; continue }
            i += 1
            guard i < bytes.count else { return nil }
            switch bytes[i] {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                guard i + 4 < bytes.count, var code = hex4(bytes, i + 1) else { return nil }
                i += 4
                if code >= 0xD800 && code < 0xDC00, i + 6 < bytes.count, bytes[i + 1] == UInt8(ascii: "\\"), bytes[i + 2] == UInt8(ascii: "u"),
                    let low = hex4(bytes, i + 3), low >= 0xDC00 && low < 0xE000
                {
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    i += 6
                }
                guard let scalar = Unicode.Scalar(code) else { return nil }
                out.append(contentsOf: Array(String(Character(scalar)).utf8))
            default: return nil
            }
            i += 1
        }
        return out
    }

    static func hex4(_ bytes: UnsafeRawBufferPointer, _ at: Int) -> UInt32? {
        var value: UInt32 = 0
        for k in 0..<4 {
            let c = bytes[at + k]
            let d: UInt32
            switch c {
            case 48...57: d = UInt32(c - 48)
            case 65...70: d = UInt32(c - 55)
            case 97...102: d = UInt32(c - 87)
            default: return nil
            }
            value = value * 16 + d
        }
        return value
    }
}

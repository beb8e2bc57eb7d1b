/// A hand-written pre-tokenizer: splits UTF-8 text into the pieces that a tiktoken split pattern
/// would produce, without a regex engine.
///
/// `pieceEnd` returns the end of the piece that starts at `start`; `start < count`, and the text
/// is valid UTF-8, so every scalar read stays in bounds.
protocol PreTokenizer: Sendable {
    func pieceEnd(_ text: UnsafePointer<UInt8>, _ count: Int, _ start: Int) -> Int
}

/// The scalar of the three-byte UTF-8 character at `p` (lead byte E0-EF): its 16 bits of payload.
@inline(__always)
func threeByteScalar(_ p: UnsafePointer<UInt8>) -> UInt32 {
    UInt32(p[0] & 0x0F) &<< 12 | UInt32(p[1] & 0x3F) &<< 6 | UInt32(p[2] & 0x3F)
}

/// Decodes the scalar at `index` of valid UTF-8: its value and length in bytes.
@inline(__always)
func decodeScalar(_ p: UnsafePointer<UInt8>, _ index: Int) -> (UInt32, Int) {
    let b0 = UInt32(p[index])
    if b0 < 0x80 { return (b0, 1) }
    if b0 < 0xE0 { return (((b0 & 0x1F) << 6) | (UInt32(p[index &+ 1]) & 0x3F), 2) }
    if b0 < 0xF0 { return (threeByteScalar(p + index), 3) }
    return (
        ((b0 & 0x07) << 18) | ((UInt32(p[index &+ 1]) & 0x3F) << 12) | ((UInt32(p[index &+ 2]) & 0x3F) << 6)
            | (UInt32(p[index &+ 3]) & 0x3F), 4
    )
}

private let L = UnicodeClasses.letter
private let N = UnicodeClasses.number
private let WS = UnicodeClasses.space
private let UP = UnicodeClasses.upper
private let LO = UnicodeClasses.lower
private let apostrophe: UInt32 = 0x27

@inline(__always)
private func isNewline(_ c: UInt32) -> Bool { c == 0x0A || c == 0x0D }

extension UnicodeClasses {
    /// End of the run of scalars whose flags intersect `mask`, from `index`.
    @inline(__always)
    func runEnd(_ p: UnsafePointer<UInt8>, _ count: Int, _ index: Int, _ mask: UInt8) -> Int {
        var j = index
        while j < count {
            let b = p[j]
            if b < 0x80 {
                if flags(UInt32(b)) & mask == 0 { break }
                j &+= 1
            } else {
                let (c, l) = decodeScalar(p, j)
                if flags(c) & mask == 0 { break }
                j &+= l
            }
        }
        return j
    }

    /// End of the run of "other" scalars (not `\s`, `\p{L}` or `\p{N}`) from `index`.
    @inline(__always)
    func otherRunEnd(_ p: UnsafePointer<UInt8>, _ count: Int, _ index: Int) -> Int {
        var j = index
        while j < count {
            let (c, l) = decodeScalar(p, j)
            if flags(c) & (L | N | WS) != 0 { break }
            j &+= l
        }
        return j
    }
}

/// End of the run of ASCII bytes in `lo...hi` from `index` (after `| 0x20` when `fold`, so that
/// `a...z` with `fold` takes both cases), eight bytes at a time. Reads up to 7 bytes past `count`,
/// which the padded input allows; the result never passes `count`.
@inline(__always)
func asciiRunEnd(_ p: UnsafePointer<UInt8>, _ count: Int, _ index: Int, lo: UInt8, hi: UInt8, fold: Bool) -> Int {
    let ones: UInt64 = 0x0101_0101_0101_0101
    let high: UInt64 = 0x8080_8080_8080_8080
    let addLow = ones &* UInt64(0x80 &- lo)
    let addHigh = ones &* UInt64(0x80 &- (hi &+ 1))
    var j = index
    while j < count {
        var x = UnsafeRawPointer(p + j).loadUnaligned(as: UInt64.self)
        if fold { x |= ones &* 0x20 }
        let low7 = x & ~high
        let inRange = (low7 &+ addLow) & ~(low7 &+ addHigh) & ~x & high
        let outside = ~inRange & high
        if outside == 0 {
            j &+= 8
            continue
        }
        j &+= outside.trailingZeroBitCount >> 3
        break
    }
    return min(j, count)
}

/// Classes of bytes for the ASCII fast paths (non-ASCII bytes have none).
enum AsciiByteClass {
    static let upper: UInt8 = 1
    static let lower: UInt8 = 2
    static let letter: UInt8 = 3
    /// May stand before letters in `[^\r\n\p{L}\p{N}]?`: ASCII, not a letter, digit, CR or LF.
    static let prefix: UInt8 = 4

    /// 256 entries, never freed.
    nonisolated(unsafe) static let table: UnsafePointer<UInt8> = {
        let t = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        t.initialize(repeating: 0, count: 256)
        for b in 0..<128 {
            switch b {
            case 0x41...0x5A: t[b] = upper
            case 0x61...0x7A: t[b] = lower
            case 0x30...0x39, 0x0A, 0x0D: t[b] = 0
            default: t[b] = prefix
            }
        }
        return UnsafePointer(t)
    }()
}

/// End of a run of CR and LF bytes (and `/` when `slash`) from `index`.
@inline(__always)
private func newlineRunEnd(_ p: UnsafePointer<UInt8>, _ count: Int, _ index: Int, slash: Bool) -> Int {
    var j = index
    while j < count {
        let b = p[j]
        if b == 0x0A || b == 0x0D || (slash && b == 0x2F) { j &+= 1 } else { break }
    }
    return j
}

/// Matches the tail of a whitespace run: the `\s++$`, `\s*[\r\n]`, `\s+(?!\S)` and `\s`
/// alternatives (cl100k order when `endFirst`, o200k order otherwise: `\s*[\r\n]+`, `\s+(?!\S)`, `\s+`).
@inline(__always)
private func whitespaceEnd(
    _ classes: UnicodeClasses, _ p: UnsafePointer<UInt8>, _ count: Int, _ start: Int, _ firstLength: Int,
    endFirst: Bool
) -> Int {
    var j = start &+ firstLength
    var lastStart = start
    let b0 = p[start]
    var newlineEnd = (b0 == 0x0A || b0 == 0x0D) ? start &+ 1 : -1
    while j < count {
        let (c, l) = decodeScalar(p, j)
        if classes.flags(c) & WS == 0 { break }
        if isNewline(c) { newlineEnd = j &+ 1 }
        lastStart = j
        j &+= l
    }
    if endFirst {
        if j == count { return count }
        if newlineEnd >= 0 { return newlineEnd }
    } else {
        if newlineEnd >= 0 { return newlineEnd }
        if j == count { return count }
    }
    if lastStart > start { return lastStart }
    return j
}

extension UnicodeClasses {
    /// End of a run of `\p{L}` from `index`: ASCII letters eight at a time, then the general path.
    @inline(__always)
    func letterRunEnd(_ p: UnsafePointer<UInt8>, _ count: Int, _ index: Int) -> Int {
        let j = asciiRunEnd(p, count, index, lo: 0x61, hi: 0x7A, fold: true)
        if j < count && p[j] >= 0x80 { return runEnd(p, count, j, UnicodeClasses.letter) }
        return j
    }
}

/// The cl100k_base split pattern:
/// `'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s`
struct CL100KPreTokenizer: PreTokenizer, @unchecked Sendable {
    let classes = UnicodeClasses.shared

    @inline(__always)
    func pieceEnd(_ p: UnsafePointer<UInt8>, _ count: Int, _ i: Int) -> Int {
        let (c0, l0) = decodeScalar(p, i)
        let f0 = classes.flags(c0)
        if c0 == apostrophe && i &+ 1 < count {
            let (c1, l1) = decodeScalar(p, i &+ 1)
            switch c1 {
            case 0x73, 0x53, 0x17F, 0x64, 0x44, 0x6D, 0x4D, 0x74, 0x54:  // s S ſ d D m M t T
                return i &+ 1 &+ l1
            case 0x6C, 0x4C:  // l L
                if i &+ 2 < count, p[i &+ 2] | 0x20 == 0x6C { return i &+ 3 }
            case 0x76, 0x56, 0x72, 0x52:  // v V r R
                if i &+ 2 < count, p[i &+ 2] | 0x20 == 0x65 { return i &+ 3 }
            default: break
            }
        }
        if f0 & L != 0 { return classes.letterRunEnd(p, count, i &+ l0) }
        if f0 & N == 0 && !isNewline(c0) {
            let j = i &+ l0
            if j < count {
                let (c1, l1) = decodeScalar(p, j)
                if classes.flags(c1) & L != 0 { return classes.letterRunEnd(p, count, j &+ l1) }
            }
        }
        // Digits, punctuation and whitespace: the same steps as o200k_base's below (with `[\r\n]*`
        // for `[\r\n/]*` and cl100k's whitespace order), written out in each: as one shared
        // function the compiler kept them out of line, which cost 12% more instructions on code.txt.
        if f0 & N != 0 {
            var j = i &+ l0
            var k = 1
            while k < 3 && j < count {
                let (c, l) = decodeScalar(p, j)
                if classes.flags(c) & N == 0 { break }
                j &+= l
                k &+= 1
            }
            return j
        }
        if c0 == 0x20 && i &+ 1 < count {
            let (c1, l1) = decodeScalar(p, i &+ 1)
            if classes.flags(c1) & (L | N | WS) == 0 {
                return newlineRunEnd(p, count, classes.otherRunEnd(p, count, i &+ 1 &+ l1), slash: false)
            }
        }
        if f0 & (L | N | WS) == 0 {
            return newlineRunEnd(p, count, classes.otherRunEnd(p, count, i &+ l0), slash: false)
        }
        return whitespaceEnd(classes, p, count, i, l0, endFirst: true)
    }
}

/// The o200k_base split pattern:
/// `[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?`
/// `|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?`
/// `|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+`, with the backtracking of a
/// Perl-style engine reproduced where the classes overlap (`\p{Lm}`, `\p{Lo}`, `\p{M}`).
struct O200KPreTokenizer: PreTokenizer, @unchecked Sendable {
    let classes = UnicodeClasses.shared
    let asciiByteClass = AsciiByteClass.table

    /// `(?i:'s|'t|'re|'ve|'m|'ll|'d)?` at `index`: the apostrophe test inline, the rest (rare) out of
    /// line, so that the letter paths stay small.
    @inline(__always)
    func contractionEnd(_ p: UnsafePointer<UInt8>, _ count: Int, _ index: Int) -> Int {
        guard index &+ 1 < count, p[index] == 0x27 else { return index }
        return contractionAfterApostrophe(p, count, index)
    }

    /// ``contractionEnd(_:_:_:)`` past its test: `p[index]` is an apostrophe and `index + 1 < count`.
    @inline(never)
    func contractionAfterApostrophe(_ p: UnsafePointer<UInt8>, _ count: Int, _ index: Int) -> Int {
        let (c1, l1) = decodeScalar(p, index &+ 1)
        switch c1 {
        case 0x73, 0x53, 0x17F, 0x74, 0x54, 0x6D, 0x4D, 0x64, 0x44:  // s S ſ t T m M d D
            return index &+ 1 &+ l1
        case 0x72, 0x52, 0x76, 0x56:  // r R v V
            if index &+ 2 < count, p[index &+ 2] | 0x20 == 0x65 { return index &+ 3 }
        case 0x6C, 0x4C:
            if index &+ 2 < count, p[index &+ 2] | 0x20 == 0x6C { return index &+ 3 }
        default: break
        }
        return index
    }

    /// `U* W+` from `start`, with backtracking; -1 if it does not match.
    ///
    /// One pass: `U*` takes the run of `U` scalars; if the scalar after the run is in `W`, `W+`
    /// continues from there. Otherwise a backtracking engine gives back scalars of the run until
    /// the last one in `W`, which `W+` takes alone (the scalars after it are not in `W`), so the
    /// match ends after the last `W` scalar of the run.
    @inline(__always)
    func upperThenLower(_ p: UnsafePointer<UInt8>, _ count: Int, _ start: Int) -> Int {
        var j = start
        var lastLowerEnd = -1
        // Runs of three-byte characters in both classes (the Lo letters of CJK, kana and Hangul).
        while j &+ 2 < count && p[j] & 0xF0 == 0xE0 {
            if !classes.isUpperAndLower(threeByteScalar(p + j)) { break }
            j &+= 3
            lastLowerEnd = j
        }
        while j < count {
            let (c, l) = decodeScalar(p, j)
            let f = classes.flags(c)
            if f & UP == 0 {
                if f & LO != 0 { return classes.runEnd(p, count, j &+ l, LO) }
                break
            }
            j &+= l
            if f & LO != 0 { lastLowerEnd = j }
        }
        return lastLowerEnd
    }

    /// `[^\s\p{L}\p{N}]+[\r\n/]*` over ASCII from `start`, when every byte involved is ASCII; -1
    /// otherwise (then the general path decides).
    @inline(__always)
    func asciiPunctuationEnd(_ p: UnsafePointer<UInt8>, _ count: Int, _ start: Int) -> Int {
        var j = start
        while j < count {
            let b = p[j]
            if b >= 0x80 { return -1 }
            if classes.table[Int(b)] & (L | N | WS) != 0 { break }
            j &+= 1
        }
        return newlineRunEnd(p, count, j, slash: true)
    }

    @inline(__always)
    func pieceEnd(_ p: UnsafePointer<UInt8>, _ count: Int, _ i: Int) -> Int {
        // ASCII-only fast path for the letter alternatives (`P? U* W+ C?` and `P? U+ W* C?` over
        // ASCII); leaves the block when a non-ASCII byte is involved (then the general path
        // decides). Written out here, not as a method: the compiler kept that method out of line,
        // and a call per piece cost about a tenth of the splitter.
        ascii: do {
            let c0 = asciiByteClass[Int(p[i])]
            var j = i
            if c0 & AsciiByteClass.letter == 0 {
                if c0 & AsciiByteClass.prefix == 0 { break ascii }
                j = i &+ 1
                if j >= count { break ascii }
            }
            let c1 = asciiByteClass[Int(p[j])]
            if c1 & AsciiByteClass.letter == 0 { break ascii }
            if c1 & AsciiByteClass.upper != 0 {
                j = asciiRunEnd(p, count, j &+ 1, lo: 0x41, hi: 0x5A, fold: false)
                if j < count && p[j] >= 0x80 { break ascii }
            }
            j = asciiRunEnd(p, count, j, lo: 0x61, hi: 0x7A, fold: false)
            if j < count && p[j] >= 0x80 { break ascii }
            return contractionEnd(p, count, j)
        }
        // ASCII punctuation (optionally after one space) not followed by a letter: only
        // ` ?[^\s\p{L}\p{N}]+[\r\n/]*` can match.
        let b0 = p[i]
        if b0 < 0x80 && i &+ 1 < count {
            let b1 = p[i &+ 1]
            if b1 < 0x80 && (b1 | 0x20) &- 0x61 >= 26 {
                let q0 = classes.table[Int(b0)] & (L | N | WS) == 0
                let q1 = classes.table[Int(b1)] & (L | N | WS) == 0
                if q0 || (b0 == 0x20 && q1) {
                    let e = asciiPunctuationEnd(p, count, q0 ? i &+ 1 : i &+ 2)
                    if e >= 0 { return e }
                }
            }
        }
        let (c0, l0) = decodeScalar(p, i)
        let f0 = classes.flags(c0)
        // Letters, optionally after one non-letter, non-digit, non-newline scalar.
        let isPrefix = f0 & (L | N) == 0 && !isNewline(c0)
        if isPrefix || f0 & (UP | LO) != 0 {
            // Alternative 1: P? U* W+ C?
            if isPrefix {
                let e = upperThenLower(p, count, i &+ l0)
                if e >= 0 { return contractionEnd(p, count, e) }
            }
            if f0 & (UP | LO) != 0 {
                let e = upperThenLower(p, count, i)
                if e >= 0 { return contractionEnd(p, count, e) }
            }
            // Alternative 2: P? U+ W* C?
            if isPrefix {
                let u = classes.runEnd(p, count, i &+ l0, UP)
                if u > i &+ l0 { return contractionEnd(p, count, classes.runEnd(p, count, u, LO)) }
            }
            if f0 & UP != 0 {
                let u = classes.runEnd(p, count, i &+ l0, UP)
                return contractionEnd(p, count, classes.runEnd(p, count, u, LO))
            }
        }
        if f0 & N != 0 {
            var j = i &+ l0
            var k = 1
            while k < 3 && j < count {
                let (c, l) = decodeScalar(p, j)
                if classes.flags(c) & N == 0 { break }
                j &+= l
                k &+= 1
            }
            return j
        }
        if c0 == 0x20 && i &+ 1 < count {
            let (c1, l1) = decodeScalar(p, i &+ 1)
            if classes.flags(c1) & (L | N | WS) == 0 {
                return newlineRunEnd(p, count, classes.otherRunEnd(p, count, i &+ 1 &+ l1), slash: true)
            }
        }
        if f0 & (L | N | WS) == 0 {
            return newlineRunEnd(p, count, classes.otherRunEnd(p, count, i &+ l0), slash: true)
        }
        return whitespaceEnd(classes, p, count, i, l0, endFirst: false)
    }
}

/// The p50k_base / r50k_base / gpt2 split pattern:
/// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
struct P50KPreTokenizer: PreTokenizer, @unchecked Sendable {
    let classes = UnicodeClasses.shared

    @inline(__always)
    func pieceEnd(_ p: UnsafePointer<UInt8>, _ count: Int, _ i: Int) -> Int {
        let b0 = p[i]
        if b0 == 0x27 && i &+ 1 < count {
            switch p[i &+ 1] {
            case 0x73, 0x74, 0x6D, 0x64: return i &+ 2  // s t m d
            case 0x72, 0x76: if i &+ 2 < count, p[i &+ 2] == 0x65 { return i &+ 3 }  // re ve
            case 0x6C: if i &+ 2 < count, p[i &+ 2] == 0x6C { return i &+ 3 }  // ll
            default: break
            }
        }
        let k = (b0 == 0x20 && i &+ 1 < count) ? i &+ 1 : i
        let (c, l) = decodeScalar(p, k)
        let f = classes.flags(c)
        if f & L != 0 { return classes.letterRunEnd(p, count, k &+ l) }
        if f & N != 0 { return classes.runEnd(p, count, k &+ l, N) }
        if f & WS == 0 { return classes.otherRunEnd(p, count, k &+ l) }
        // Whitespace: \s+(?!\S) | \s+
        let (_, l0) = decodeScalar(p, i)
        var j = i &+ l0
        var lastStart = i
        while j < count {
            let (c, l) = decodeScalar(p, j)
            if classes.flags(c) & WS == 0 { break }
            lastStart = j
            j &+= l
        }
        if j == count { return count }
        if lastStart > i { return lastStart }
        return j
    }
}

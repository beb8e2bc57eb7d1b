/// A small SHA-256 (FIPS 180-4), used to verify bundled vocabularies without a crypto dependency.
enum SHA256 {
    private static let k: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]

    @inline(__always)
    private static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x &>> n) | (x &<< (32 &- n)) }

    /// One round, with the working variables renamed instead of moved.
    @inline(__always)
    private static func round(
        _ a: UInt32, _ b: UInt32, _ c: UInt32, _ d: inout UInt32, _ e: UInt32, _ f: UInt32, _ g: UInt32,
        _ h: inout UInt32, _ kw: UInt32
    ) {
        let t1 = h &+ (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) &+ ((e & f) ^ (~e & g)) &+ kw
        d = d &+ t1
        h = t1 &+ (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) &+ ((a & b) ^ (a & c) ^ (b & c))
    }

    /// Compresses `blocks` 64-byte blocks at `p` into `h`.
    private static func compress(
        _ h: UnsafeMutablePointer<UInt32>, _ p: UnsafeRawPointer, _ blocks: Int, _ k: UnsafePointer<UInt32>,
        _ w: UnsafeMutablePointer<UInt32>
    ) {
        var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7]
        for block in 0..<blocks {
            let base = p + block &* 64
            for t in 0..<16 {
                w[t] = UInt32(bigEndian: base.loadUnaligned(fromByteOffset: t &* 4, as: UInt32.self))
            }
            for t in 16..<64 {
                let x = w[t &- 15], y = w[t &- 2]
                let s0 = rotr(x, 7) ^ rotr(x, 18) ^ (x &>> 3)
                let s1 = rotr(y, 17) ^ rotr(y, 19) ^ (y &>> 10)
                w[t] = w[t &- 16] &+ s0 &+ w[t &- 7] &+ s1
            }
            let (a0, b0, c0, d0, e0, f0, g0, h0) = (a, b, c, d, e, f, g, hh)
            var t = 0
            while t < 64 {
                round(a, b, c, &d, e, f, g, &hh, k[t] &+ w[t])
                round(hh, a, b, &c, d, e, f, &g, k[t + 1] &+ w[t + 1])
                round(g, hh, a, &b, c, d, e, &f, k[t + 2] &+ w[t + 2])
                round(f, g, hh, &a, b, c, d, &e, k[t + 3] &+ w[t + 3])
                round(e, f, g, &hh, a, b, c, &d, k[t + 4] &+ w[t + 4])
                round(d, e, f, &g, hh, a, b, &c, k[t + 5] &+ w[t + 5])
                round(c, d, e, &f, g, hh, a, &b, k[t + 6] &+ w[t + 6])
                round(b, c, d, &e, f, g, hh, &a, k[t + 7] &+ w[t + 7])
                t &+= 8
            }
            a = a &+ a0; b = b &+ b0; c = c &+ c0; d = d &+ d0
            e = e &+ e0; f = f &+ f0; g = g &+ g0; hh = hh &+ h0
        }
        h[0] = a; h[1] = b; h[2] = c; h[3] = d; h[4] = e; h[5] = f; h[6] = g; h[7] = hh
    }

    /// The lowercase hexadecimal SHA-256 of `bytes`.
    static func hex(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        var state: [UInt32] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]
        let count = bytes.count
        var tail = [UInt8](bytes[(count - count % 64)...])
        tail.append(0x80)
        while tail.count % 64 != 56 { tail.append(0) }
        let bits = UInt64(count) * 8
        for shift in stride(from: 56, through: 0, by: -8) { tail.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift))) }
        var w = [UInt32](repeating: 0, count: 64)
        state.withUnsafeMutableBufferPointer { h in
            k.withUnsafeBufferPointer { k in
                w.withUnsafeMutableBufferPointer { w in
                    if let base = bytes.baseAddress, count >= 64 {
                        compress(h.baseAddress!, UnsafeRawPointer(base), count / 64, k.baseAddress!, w.baseAddress!)
                    }
                    tail.withUnsafeBytes { t in
                        compress(h.baseAddress!, t.baseAddress!, t.count / 64, k.baseAddress!, w.baseAddress!)
                    }
                }
            }
        }
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for word in state {
            for shift in stride(from: 28, through: 0, by: -4) {
                out.append(digits[Int((word >> UInt32(shift)) & 0xF)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

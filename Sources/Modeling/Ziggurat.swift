#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Standard normal variates by Marsaglia and Tsang's ziggurat (128 layers).
///
/// Nearly every draw costs one 64-bit random number, a table lookup and a multiply: no `log`,
/// `sqrt` or trigonometry, which is what makes the lognormal Monte Carlo fast. The layer index
/// comes from the low 7 bits and the value from the high 32 bits of the same 64-bit draw, so the
/// two are independent (the original 32-bit RNOR shared bits between them).
struct Ziggurat: Sendable {
    /// |hz| below `k[i]` is inside layer i's rectangle.
    let k: [Int64]
    /// Scale from hz to x for layer i.
    let w: [Double]
    /// The density at layer i's edge.
    let f: [Double]

    static let shared = Ziggurat()

    static let tail = 3.442619855899

    init() {
        var k = [Int64](repeating: 0, count: 128)
        var w = [Double](repeating: 0, count: 128)
        var f = [Double](repeating: 0, count: 128)
        let m1 = 2147483648.0
        var dn = Self.tail
        var tn = dn
        let vn = 9.91256303526217e-3
        let q = vn / exp(-0.5 * dn * dn)
        k[0] = Int64((dn / q) * m1)
        k[1] = 0
        w[0] = q / m1
        w[127] = dn / m1
        f[0] = 1
        f[127] = exp(-0.5 * dn * dn)
        for i in stride(from: 126, through: 1, by: -1) {
            dn = (-2 * log(vn / dn + exp(-0.5 * dn * dn))).squareRoot()
            k[i + 1] = Int64((dn / tn) * m1)
            tn = dn
            f[i] = exp(-0.5 * dn * dn)
            w[i] = dn / m1
        }
        self.k = k
        self.w = w
        self.f = f
    }

    /// One standard normal value.
    @inline(__always)
    static func normal(_ rng: inout Xoshiro256, _ k: UnsafeBufferPointer<Int64>, _ w: UnsafeBufferPointer<Double>, _ f: UnsafeBufferPointer<Double>) -> Double {
        var bits = rng.next()
        var hz = Int64(Int32(truncatingIfNeeded: bits >> 32))
        var iz = Int(bits & 127)
        if abs(hz) < k[iz] { return Double(hz) * w[iz] }
        while true {
            if iz == 0 {
                // The tail beyond the base layer, by Marsaglia's exponential method.
                var x: Double
                var y: Double
                repeat {
                    x = -log(rng.uniformOpen()) / tail
                    y = -log(rng.uniformOpen())
                } while y + y < x * x
                return hz > 0 ? tail + x : -tail - x
            }
            let x = Double(hz) * w[iz]
            if f[iz] + rng.uniform() * (f[iz - 1] - f[iz]) < exp(-0.5 * x * x) { return x }
            bits = rng.next()
            hz = Int64(Int32(truncatingIfNeeded: bits >> 32))
            iz = Int(bits & 127)
            if abs(hz) < k[iz] { return Double(hz) * w[iz] }
        }
    }
}

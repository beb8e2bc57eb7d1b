#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Pricing
public import TokenomicsCore

/// The Monte Carlo: draws users' monthly interactions from a ``Population``, deterministically.
///
/// Users are simulated in fixed blocks; each block has its own generator stream derived from the
/// seed, so the same seed gives the same numbers whatever the number of cores. Blocks run in
/// parallel as child tasks of a task group.
public enum Simulation: Sendable {
    /// Users per block (one generator stream each).
    public static let blockSize = 32_768

    /// What one plan took in over a month of simulated users, as exact integer tallies from which
    /// revenue and cost follow exactly.
    public struct PlanTally: Sendable, Hashable {
        /// Users simulated.
        public var users: Int = 0
        /// Interactions served (after the plan's cap).
        public var served: Int = 0
        /// Interactions past a usage plan's included ones.
        public var overage: Int = 0
        /// Credit packs bought (credits plans).
        public var packs: Int = 0

        public init() {}

        static func + (lhs: PlanTally, rhs: PlanTally) -> PlanTally {
            var sum = lhs
            sum.users += rhs.users
            sum.served += rhs.served
            sum.overage += rhs.overage
            sum.packs += rhs.packs
            return sum
        }

        /// The plan's revenue over these users, exact.
        public func revenue(_ plan: Plan) -> Money {
            switch plan.kind {
            case .flat(let price): price * users
            case .usage(let base, _, let overagePrice): base * users + overagePrice * overage
            case .credits(let packPrice, _): packPrice * packs
            }
        }

        /// The inference cost over these users at a cost per interaction, exact.
        public func cost(perInteraction: Money) -> Money { perInteraction * served }
    }

    /// The numbers the hot loop needs from a plan.
    struct PlanShape: Sendable {
        var cap: Int
        var included: Int
        var pack: Int

        init(_ plan: Plan?) {
            cap = plan?.capInteractions ?? Int.max
            included = Int.max
            pack = 0
            switch plan?.kind {
            case .usage(_, let included, _)?: self.included = included
            case .credits(_, let pack)?: self.pack = pack
            default: break
            }
        }
    }

    /// Draws `users` users' interactions for one month, in user order (not sorted).
    ///
    /// - Parameters:
    ///   - population: the distribution.
    ///   - users: how many users.
    ///   - seed: the seed; the same seed gives the same sample.
    ///   - month: which month (an independent stream of the seed).
    public static func sample(_ population: Population, users: Int, seed: UInt64, month: Int = 0) async -> [Int] {
        let blocks = (users + blockSize - 1) / blockSize
        var parts = [[Int]](repeating: [], count: blocks)
        await withTaskGroup(of: (Int, [Int]).self) { group in
            for block in 0..<blocks {
                group.addTask {
                    let count = min(blockSize, users - block * blockSize)
                    var rng = Xoshiro256(seed: seed, stream: stream(month: month, block: block))
                    var values = [Int](repeating: 0, count: count)
                    fill(&values, population, &rng)
                    return (block, values)
                }
            }
            for await (block, values) in group { parts[block] = values }
        }
        return parts.flatMap { $0 }
    }

    static func stream(month: Int, block: Int) -> UInt64 { UInt64(month) << 32 | UInt64(block) }

    /// Fills a block with users' interactions: each drawn real number is rounded stochastically
    /// (up with probability equal to its fractional part), so the mean is kept exactly.
    ///
    /// The distribution is switched on once per block, and each case has its own tight loop
    /// (the hot path of the modeller).
    static func fill(_ values: inout [Int], _ population: Population, _ rng: inout Xoshiro256) {
        let limit = 1e12
        values.withUnsafeMutableBufferPointer { buffer in
            let count = buffer.count
            switch population {
            case .lognormal(let mu, let sigma):
                let table = Ziggurat.shared
                table.k.withUnsafeBufferPointer { k in
                    table.w.withUnsafeBufferPointer { w in
                        table.f.withUnsafeBufferPointer { f in
                            for index in 0..<count {
                                let z = Ziggurat.normal(&rng, k, w, f)
                                buffer[index] = Int(min(exp(mu + sigma * z), limit) + rng.uniform())
                            }
                        }
                    }
                }
            case .pareto(let scale, let shape):
                let exponent = -1 / shape
                for index in 0..<count {
                    buffer[index] = Int(min(scale * exp(exponent * log(rng.uniformOpen())), limit) + rng.uniform())
                }
            default:
                var spare: Double?
                for index in 0..<count {
                    buffer[index] = Int(min(population.draw(&rng, spare: &spare), limit) + rng.uniform())
                }
            }
        }
    }

    /// Simulates `users` users for `months` months (each month an independent draw) and tallies
    /// what each plan serves and bills, per month.
    ///
    /// This is the projection's engine and the modeller's benchmark kernel.
    ///
    /// - Returns: `tallies[month][plan]`, with one extra last column for "no plan" (all demand
    ///   served).
    public static func months(_ population: Population, users: Int, months: Int, plans: [Plan], seed: UInt64) async -> [[PlanTally]] {
        let shapes = plans.map(PlanShape.init) + [PlanShape(nil)]
        let blocks = (users + blockSize - 1) / blockSize
        var totals = [[PlanTally]](repeating: [PlanTally](repeating: PlanTally(), count: shapes.count), count: months)
        await withTaskGroup(of: [[PlanTally]].self) { group in
            for block in 0..<blocks {
                group.addTask {
                    let count = min(blockSize, users - block * blockSize)
                    var result = [[PlanTally]]()
                    result.reserveCapacity(months)
                    var values = [Int](repeating: 0, count: count)
                    for month in 0..<months {
                        var rng = Xoshiro256(seed: seed, stream: stream(month: month + 1, block: block))
                        fill(&values, population, &rng)
                        result.append(shapes.map { tally(values, $0) })
                    }
                    return result
                }
            }
            for await part in group {
                for month in 0..<months {
                    for plan in 0..<shapes.count { totals[month][plan] = totals[month][plan] + part[month][plan] }
                }
            }
        }
        return totals
    }

    @inline(__always)
    static func tally(_ values: [Int], _ shape: PlanShape) -> PlanTally {
        var served = 0
        var overage = 0
        var packs = 0
        let cap = shape.cap
        let included = shape.included
        values.withUnsafeBufferPointer { buffer in
            if shape.pack > 0 {
                // ⌈s / pack⌉ by a floating-point reciprocal, corrected to the exact quotient
                // (an integer division per user is the slowest instruction of the loop).
                let pack = shape.pack
                let inverse = 1 / Double(pack)
                // Wrapping arithmetic: the values are far from overflow (draws are capped at 10¹²),
                // and without overflow checks the loops compile to straight-line or vector code.
                for wanted in buffer {
                    let s = min(wanted, cap)
                    served &+= s
                    let n = s &+ pack &- 1
                    var q = Int(Double(n) * inverse)
                    if q &* pack > n { q &-= 1 } else if (q &+ 1) &* pack <= n { q &+= 1 }
                    packs &+= max(1, q)
                }
            } else if included != Int.max {
                for wanted in buffer {
                    let s = min(wanted, cap)
                    served &+= s
                    // max(0, s − included) without a branch: usage straddles the included
                    // interactions, so a branch here mispredicts about half the time.
                    let past = s &- included
                    overage &+= past & ~(past >> 63)
                }
            } else {
                for wanted in buffer { served &+= min(wanted, cap) }
            }
        }
        var tally = PlanTally()
        tally.users = values.count
        tally.served = served
        tally.overage = overage
        tally.packs = packs
        return tally
    }
}


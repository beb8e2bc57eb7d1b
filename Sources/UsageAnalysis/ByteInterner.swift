import Foundation
import TokenomicsCore

/// Maps names (byte strings) to dense integer ids without allocating a `String` per lookup.
///
/// Open addressing over 64-bit hashes; names are stored once, back to back. Memory grows with the
/// number of distinct names only.
struct ByteInterner: Sendable {
    private var slots: [Int32]          // id + 1, 0 = empty
    private var slotHashes: [UInt64]
    private var mask: Int
    private(set) var storage: [UInt8] = []
    private(set) var offsets: [Int] = [0]

    init(capacity: Int = 64) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [Int32](repeating: 0, count: size)
        slotHashes = [UInt64](repeating: 0, count: size)
        mask = size - 1
    }

    /// Number of distinct names.
    var count: Int { offsets.count - 1 }

    /// The name of an id.
    func name(_ id: Int) -> String {
        String(decoding: storage[offsets[id]..<offsets[id + 1]], as: UTF8.self)
    }

    /// All names, by id.
    var names: [String] { (0..<count).map(name) }

    @inline(__always)
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        // FNV-1a over 8-byte words, then a finaliser (fast and good enough for short names).
        var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(bytes.count)
        var index = 0
        let count = bytes.count
        while index + 8 <= count {
            let word = bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            h = (h ^ word) &* 0x100_0000_01b3
            h ^= h >> 29
            index += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while index < count {
            tail |= UInt64(bytes[index]) << shift
            shift += 8
            index += 1
        }
        h = (h ^ tail) &* 0x9e37_79b9_7f4a_7c15
        h ^= h >> 32
        h = h &* 0xd6e8_feb8_6659_fd93
        h ^= h >> 32
        return h
    }

    /// The id of a name, adding it when new.
    @inline(__always)
    mutating func intern(_ bytes: UnsafeRawBufferPointer) -> Int {
        let h = Self.hash(bytes)
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let stored = slots[slot]
            if stored == 0 { break }
            if slotHashes[slot] == h {
                let id = Int(stored) - 1
                let start = offsets[id]
                let length = offsets[id + 1] - start
                if length == bytes.count {
                    let equal = storage.withUnsafeBytes { all in
                        length == 0 || memcmpBytes(all.baseAddress! + start, bytes.baseAddress!, length)
                    }
                    if equal { return id }
                }
            }
            slot = (slot + 1) & mask
        }
        let id = count
        storage.append(contentsOf: bytes)
        offsets.append(storage.count)
        slots[slot] = Int32(id + 1)
        slotHashes[slot] = h
        if count * 2 > slots.count { grow() }
        return id
    }

    /// The id of a name given as a `String`.
    mutating func intern(_ name: String) -> Int {
        var copy = name
        return copy.withUTF8 { intern(UnsafeRawBufferPointer($0)) }
    }

    /// The id of a name if present.
    func lookup(_ name: String) -> Int? {
        let bytes = Array(name.utf8)
        return bytes.withUnsafeBytes { raw -> Int? in
            let h = Self.hash(raw)
            var slot = Int(truncatingIfNeeded: h) & mask
            while slots[slot] != 0 {
                let id = Int(slots[slot]) - 1
                if slotHashes[slot] == h, storage[offsets[id]..<offsets[id + 1]].elementsEqual(bytes) { return id }
                slot = (slot + 1) & mask
            }
            return nil
        }
    }

    private mutating func grow() {
        let size = slots.count * 2
        var newSlots = [Int32](repeating: 0, count: size)
        var newHashes = [UInt64](repeating: 0, count: size)
        let newMask = size - 1
        for index in 0..<slots.count where slots[index] != 0 {
            var slot = Int(truncatingIfNeeded: slotHashes[index]) & newMask
            while newSlots[slot] != 0 { slot = (slot + 1) & newMask }
            newSlots[slot] = slots[index]
            newHashes[slot] = slotHashes[index]
        }
        slots = newSlots
        slotHashes = newHashes
        mask = newMask
    }
}

@inline(__always)
func memcmpBytes(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ count: Int) -> Bool {
    var index = 0
    while index + 8 <= count {
        if a.loadUnaligned(fromByteOffset: index, as: UInt64.self) != b.loadUnaligned(fromByteOffset: index, as: UInt64.self) { return false }
        index += 8
    }
    while index < count {
        if a.load(fromByteOffset: index, as: UInt8.self) != b.load(fromByteOffset: index, as: UInt8.self) { return false }
        index += 1
    }
    return true
}

/// A set of 64-bit fingerprints, optionally with an exact cost attached to each first occurrence.
///
/// Used for exact-duplicate detection (`request_hash`). Only a table that will be merged into an
/// earlier one needs the costs (a key it shares with the earlier table was a duplicate there, and
/// its first occurrence's cost is then saved too): 8 bytes per distinct request, or 16 with costs
/// (costs that do not fit 64 bits of 10⁻¹⁹ USD go to a side table). Open addressing with linear
/// probing, slots chosen from the key's high bits, at most 80% full.
struct FingerprintTable: Sendable {
    private(set) var keys: [UInt64]
    private var costs: [Int64]
    private var bigCosts: [UInt64: Int128] = [:]
    private var size: Int
    private(set) var count = 0
    private var hasZero = false
    private var zeroCost: Int128 = 0
    /// Beyond this many distinct fingerprints new ones are no longer remembered.
    let limit: Int
    /// Whether first-occurrence costs are kept (needed to merge this table into an earlier one).
    let storesCosts: Bool
    private(set) var saturated = false

    static let bigMarker = Int64.min

    init(limit: Int = 50_000_000, storesCosts: Bool = true, capacity: Int = 0) {
        self.limit = limit
        self.storesCosts = storesCosts
        size = Self.slots(for: capacity)
        keys = [UInt64](repeating: 0, count: size)
        costs = storesCosts ? [Int64](repeating: 0, count: size) : []
    }

    static func slots(for capacity: Int) -> Int { max(1024, capacity + capacity / 4 + 1) }

    @inline(__always)
    private func home(_ key: UInt64) -> Int { Int(truncatingIfNeeded: key.multipliedFullWidth(by: UInt64(size)).high) }

    /// Inserts a fingerprint with the cost (Money units) of this occurrence; returns true when it
    /// was already present (a duplicate).
    @inline(__always)
    mutating func insert(_ key: UInt64, cost: Int128) -> Bool {
        if key == 0 {
            if hasZero { return true }
            hasZero = true
            zeroCost = cost
            return false
        }
        var slot = home(key)
        while true {
            let stored = keys[slot]
            if stored == key { return true }
            if stored == 0 { break }
            slot += 1
            if slot == size { slot = 0 }
        }
        if count >= limit { saturated = true; return false }
        keys[slot] = key
        if storesCosts {
            if cost.isMultiple(of: 100), let small = Int64(exactly: cost / 100), small != Self.bigMarker {
                costs[slot] = small
            } else {
                costs[slot] = Self.bigMarker
                bigCosts[key] = cost
            }
        }
        count += 1
        if count * 5 > size * 4 { rebuild(size * 2) }
        return false
    }

    /// Makes room for `total` fingerprints without growing.
    mutating func reserve(_ total: Int) {
        let needed = Self.slots(for: min(total, limit))
        if needed > size { rebuild(max(needed, size * 2)) }
    }

    /// Calls `body` with every fingerprint and the cost of its first occurrence (nil when costs
    /// are not kept).
    func forEach(_ body: (UInt64, Int128?) -> Void) {
        if hasZero { body(0, storesCosts ? zeroCost : nil) }
        for index in 0..<size where keys[index] != 0 {
            guard storesCosts else { body(keys[index], nil); continue }
            let small = costs[index]
            body(keys[index], small == Self.bigMarker ? bigCosts[keys[index]]! : Int128(small) * 100)
        }
    }

    private mutating func rebuild(_ newSize: Int) {
        let oldKeys = keys
        let oldCosts = costs
        keys = []
        costs = []
        size = newSize
        keys = [UInt64](repeating: 0, count: newSize)
        if storesCosts { costs = [Int64](repeating: 0, count: newSize) }
        for index in 0..<oldKeys.count where oldKeys[index] != 0 {
            var slot = home(oldKeys[index])
            while keys[slot] != 0 {
                slot += 1
                if slot == newSize { slot = 0 }
            }
            keys[slot] = oldKeys[index]
            if storesCosts { costs[slot] = oldCosts[index] }
        }
    }
}

/// A HyperLogLog sketch: an approximate distinct count in fixed memory (4 KiB, ~1.6% error).
struct DistinctSketch: Sendable {
    private var registers = [UInt8](repeating: 0, count: 4096)

    @inline(__always)
    mutating func insert(_ hash: UInt64) {
        let index = Int(hash >> 52)
        let rest = (hash << 12) | (1 << 11)
        let rank = UInt8(rest.leadingZeroBitCount + 1)
        if rank > registers[index] { registers[index] = rank }
    }

    mutating func merge(_ other: DistinctSketch) {
        for index in 0..<registers.count where other.registers[index] > registers[index] { registers[index] = other.registers[index] }
    }

    var estimate: Double {
        let m = Double(registers.count)
        var sum = 0.0
        var zeros = 0
        for register in registers {
            sum += 1.0 / Double(UInt64(1) << UInt64(register))
            if register == 0 { zeros += 1 }
        }
        let alpha = 0.7213 / (1 + 1.079 / m)
        let raw = alpha * m * m / sum
        if raw <= 2.5 * m, zeros > 0 { return m * log(m / Double(zeros)) }
        return raw
    }
}

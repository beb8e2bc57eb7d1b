public import CostModel
import Pricing
import TokenomicsCore

/// Summed token counts.
public struct TokenTotals: Sendable, Hashable {
    public var input = 0
    public var output = 0
    public var cachedInput = 0
    public var cacheWrite = 0
    public var reasoning = 0

    public init() {}

    @inline(__always)
    mutating func add(_ u: Usage) {
        input += u.input
        output += u.output
        cachedInput += u.cachedInput
        cacheWrite += u.cacheWrite + u.cacheWrite1h
        reasoning += u.reasoning
    }

    mutating func add(_ other: TokenTotals) {
        input += other.input
        output += other.output
        cachedInput += other.cachedInput
        cacheWrite += other.cacheWrite
        reasoning += other.reasoning
    }

    /// The share of input tokens read from the provider's prompt cache.
    public var cacheHitRate: Double { input == 0 ? 0 : Double(cachedInput) / Double(input) }

    /// The totals as a `Usage` (cache writes as 5-minute writes).
    public var usage: Usage {
        Usage(input: input, output: output, cachedInput: cachedInput, cacheWrite: cacheWrite, reasoning: reasoning)
    }
}

/// A malformed input line: where it is and what is wrong.
public struct BadLine: Sendable, Hashable, CustomStringConvertible {
    /// The file (or `-` for standard input).
    public var file: String
    /// The 1-based line number (for OTLP JSON files, the record number).
    public var line: Int
    /// What is wrong.
    public var reason: String

    public init(file: String, line: Int, reason: String) {
        self.file = file
        self.line = line
        self.reason = reason
    }

    public var description: String { "\(file):\(line): \(reason)" }
}

/// Per-group sums that every breakdown shares.
struct GroupSums: Sendable {
    var events = 0
    var pricedEvents = 0
    var cost: Int128 = 0
    var tokens = TokenTotals()
    var cacheSaving: Int128 = 0

    mutating func merge(_ other: GroupSums) {
        events += other.events
        pricedEvents += other.pricedEvents
        cost += other.cost
        tokens.add(other.tokens)
        cacheSaving += other.cacheSaving
    }
}

struct ModelSums: Sendable {
    var sums = GroupSums()
    var unpricedEvents = 0
    var billedEvents = 0
    var billed: Int128 = 0
    var catalogForBilled: Int128 = 0
    var billedWithoutCatalog = 0

    mutating func merge(_ other: ModelSums) {
        sums.merge(other.sums)
        unpricedEvents += other.unpricedEvents
        billedEvents += other.billedEvents
        billed += other.billed
        catalogForBilled += other.catalogForBilled
        billedWithoutCatalog += other.billedWithoutCatalog
    }
}

struct FeatureSums: Sendable {
    var sums = GroupSums()
    var eventsWithInteraction = 0
    var interactions = DistinctSketch()

    mutating func merge(_ other: FeatureSums) {
        sums.merge(other.sums)
        eventsWithInteraction += other.eventsWithInteraction
        interactions.merge(other.interactions)
    }
}

struct FeatureModelSums: Sendable {
    var sums = GroupSums()
    var maxInput = 0
    var maxOutput = 0
    /// Model requests the events stand for (more than the events when a row sums a time bucket).
    var requests = 0
    /// The part billed at the batch tier, and its requests.
    var batch = GroupSums()
    var batchRequests = 0

    mutating func merge(_ other: FeatureModelSums) {
        sums.merge(other.sums)
        maxInput = max(maxInput, other.maxInput)
        maxOutput = max(maxOutput, other.maxOutput)
        requests += other.requests
        batch.merge(other.batch)
        batchRequests += other.batchRequests
    }
}

struct UserMonth: Sendable {
    var cost: Int128 = 0
    var events = 0
    var interactions = 0
}

/// The streaming state of an analysis: memory grows with distinct users, features, models,
/// days, user-months and request hashes, never with events.
struct Accumulator: Sendable {
    var catalog: Catalog

    var users = ByteInterner(capacity: 1024)
    var features = ByteInterner()
    var models = ByteInterner()

    var userCost: [Int128] = []
    var userEvents: [Int] = []
    var userLastMonth: [Int32] = []
    var userLastSlot: [Int32] = []
    var userLastInteraction: [UInt64] = []
    var userMonthSlots: [UInt64: Int32] = [:]
    var userMonths: [UserMonth] = []
    var userMonthKeys: [UInt64] = []

    var modelSums: [ModelSums] = []
    var pricers: [FastPricer?] = []
    var modelResolved: [Bool] = []
    var featureSums: [FeatureSums] = []
    var featureModel: [Int: FeatureModelSums] = [:]
    var days: [Int: GroupSums] = [:]
    /// Hot-path storage for feature×model and day sums (folded into the dictionaries on demand).
    var featureModelSlot: [Int: Int32] = [:]
    var featureModelKeys: [Int] = []
    var featureModelSums: [FeatureModelSums] = []
    var daySlot: [Int: Int32] = [:]
    var dayKeys: [Int] = []
    var daySums: [GroupSums] = []
    var lastDay = Int.min
    var lastDaySlot = 0
    var lastMonthDay = Int.min
    var lastMonthIndex: Int32 = 0

    var totals = GroupSums()
    var billedEvents = 0
    var unpricedEvents = 0
    var duplicates = FingerprintTable()
    var duplicateEvents = 0
    var duplicateCost: Int128 = 0
    var eventsWithHash = 0
    var firstTimestamp = Int64.max
    var lastTimestamp = Int64.min

    var badLineCount = 0
    var badLines: [BadLine] = []
    /// Lines read (for line-number offsets when chunks are merged).
    var lines = 0

    init(catalog: Catalog) { self.catalog = catalog }

    // MARK: Recording

    @inline(__always)
    mutating func userID(_ bytes: UnsafeRawBufferPointer) -> Int {
        let id = users.intern(bytes)
        if id == userCost.count {
            userCost.append(0)
            userEvents.append(0)
            userLastMonth.append(-1)
            userLastSlot.append(-1)
            userLastInteraction.append(0)
        }
        return id
    }

    @inline(__always)
    mutating func featureID(_ bytes: UnsafeRawBufferPointer) -> Int {
        let id = features.intern(bytes)
        if id == featureSums.count { featureSums.append(FeatureSums()) }
        return id
    }

    @inline(__always)
    mutating func modelID(_ bytes: UnsafeRawBufferPointer) -> Int {
        let id = models.intern(bytes)
        if id == modelSums.count {
            modelSums.append(ModelSums())
            pricers.append(nil)
            modelResolved.append(false)
        }
        return id
    }

    mutating func recordBadLine(file: String, line: Int, reason: String) {
        badLineCount += 1
        if badLines.count < 10 { badLines.append(BadLine(file: file, line: line, reason: reason)) }
    }

    /// Records one event by interned ids. `requestFingerprint`/`interactionFingerprint` are 0 when
    /// absent (a real hash of 0 is remapped by the callers).
    @inline(__always)
    mutating func record(
        user: Int, feature: Int, model: Int, timestamp: Int64, usage: Usage, tier: ServiceTier, billed: Int128?,
        requestFingerprint: UInt64, interactionFingerprint: UInt64, requests: Int = 1
    ) {
        if !modelResolved[model] {
            modelResolved[model] = true
            if let price = catalog.find(models.name(model)), price.hasTokenPrices { pricers[model] = FastPricer(model: price) }
        }
        var catalogPrice: (cost: Int128, saving: Int128)? = nil
        if pricers[model] != nil { catalogPrice = pricers[model]!.price(usage, tier: tier) }

        let cost: Int128
        var priced = true
        if let billed {
            cost = billed
            billedEvents += 1
            modelSums[model].billedEvents += 1
            modelSums[model].billed += billed
            if let catalogPrice { modelSums[model].catalogForBilled += catalogPrice.cost } else { modelSums[model].billedWithoutCatalog += 1 }
        } else if let catalogPrice {
            cost = catalogPrice.cost
        } else {
            cost = 0
            priced = false
            unpricedEvents += 1
            modelSums[model].unpricedEvents += 1
        }
        let saving = catalogPrice?.saving ?? 0

        if timestamp < firstTimestamp { firstTimestamp = timestamp }
        if timestamp > lastTimestamp { lastTimestamp = timestamp }

        @inline(__always) func add(_ sums: inout GroupSums) {
            sums.events += 1
            sums.tokens.add(usage)
            if priced {
                sums.pricedEvents += 1
                sums.cost += cost
                sums.cacheSaving += saving
            }
        }
        add(&totals)
        add(&modelSums[model].sums)
        add(&featureSums[feature].sums)
        let fmKey = feature << 24 | model
        let fmSlot: Int
        if let found = featureModelSlot[fmKey] {
            fmSlot = Int(found)
        } else {
            fmSlot = featureModelSums.count
            featureModelSlot[fmKey] = Int32(fmSlot)
            featureModelKeys.append(fmKey)
            featureModelSums.append(FeatureModelSums())
        }
        add(&featureModelSums[fmSlot].sums)
        featureModelSums[fmSlot].requests += requests
        if tier == .batch {
            add(&featureModelSums[fmSlot].batch)
            featureModelSums[fmSlot].batchRequests += requests
        }
        if usage.input > featureModelSums[fmSlot].maxInput { featureModelSums[fmSlot].maxInput = usage.input }
        if usage.output > featureModelSums[fmSlot].maxOutput { featureModelSums[fmSlot].maxOutput = usage.output }
        let day = UTC.day(of: timestamp)
        if day != lastDay {
            if let found = daySlot[day] {
                lastDaySlot = Int(found)
            } else {
                lastDaySlot = daySums.count
                daySlot[day] = Int32(lastDaySlot)
                dayKeys.append(day)
                daySums.append(GroupSums())
            }
            lastDay = day
        }
        add(&daySums[lastDaySlot])

        userEvents[user] += 1
        userCost[user] += cost
        // User-month slot, cached per user (logs are mostly in time order).
        if day != lastMonthDay {
            lastMonthDay = day
            lastMonthIndex = Int32(UTC.monthIndex(ofDay: day))
        }
        let monthIndex = lastMonthIndex
        var slot: Int
        if userLastMonth[user] == monthIndex {
            slot = Int(userLastSlot[user])
        } else {
            let key = UInt64(user) << 24 | UInt64(UInt32(bitPattern: monthIndex) & 0xFF_FFFF)
            if let existing = userMonthSlots[key] {
                slot = Int(existing)
            } else {
                slot = userMonths.count
                userMonths.append(UserMonth())
                userMonthKeys.append(key)
                userMonthSlots[key] = Int32(slot)
            }
            userLastMonth[user] = monthIndex
            userLastSlot[user] = Int32(slot)
        }
        userMonths[slot].cost += cost
        userMonths[slot].events += 1

        if interactionFingerprint != 0 {
            featureSums[feature].eventsWithInteraction += 1
            featureSums[feature].interactions.insert(interactionFingerprint &* 0x9e37_79b9_7f4a_7c15 ^ UInt64(feature))
            if userLastInteraction[user] != interactionFingerprint {
                userLastInteraction[user] = interactionFingerprint
                userMonths[slot].interactions += 1
            }
        } else {
            userMonths[slot].interactions += requests
        }

        if requestFingerprint != 0 {
            eventsWithHash += 1
            if duplicates.insert(requestFingerprint, cost: cost) {
                duplicateEvents += 1
                duplicateCost += cost
            }
        }
    }

    /// Records an event from any source.
    mutating func add(_ event: UsageEvent) {
        var user = event.user, feature = event.feature, model = event.model
        let u = user.withUTF8 { userID(UnsafeRawBufferPointer($0)) }
        let f = feature.withUTF8 { featureID(UnsafeRawBufferPointer($0)) }
        let m = model.withUTF8 { modelID(UnsafeRawBufferPointer($0)) }
        record(
            user: u, feature: f, model: m, timestamp: event.timestamp, usage: event.usage, tier: event.tier,
            billed: event.billedCost?.units, requestFingerprint: Self.fingerprint(event.requestHash),
            interactionFingerprint: Self.fingerprint(event.interactionID), requests: max(1, event.requests)
        )
    }

    static func fingerprint(_ text: String?) -> UInt64 {
        guard var text, !text.isEmpty else { return 0 }
        return text.withUTF8 { fingerprint(UnsafeRawBufferPointer($0)) }
    }

    @inline(__always)
    static func fingerprint(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        let h = ByteInterner.hash(bytes)
        return h == 0 ? 1 : h
    }

    // MARK: Merging

    /// Moves the hot-path slot arrays into the keyed dictionaries.
    mutating func fold() {
        for (index, key) in featureModelKeys.enumerated() { featureModel[key, default: FeatureModelSums()].merge(featureModelSums[index]) }
        for (index, key) in dayKeys.enumerated() { days[key, default: GroupSums()].merge(daySums[index]) }
        featureModelSlot = [:]
        featureModelKeys = []
        featureModelSums = []
        daySlot = [:]
        dayKeys = []
        daySums = []
        lastDay = Int.min
    }

    /// Adds another accumulator's state; `other` covers input that comes after this one's.
    mutating func merge(_ other: Accumulator) {
        fold()
        var other = other
        other.fold()
        var userMap = [Int](repeating: 0, count: other.users.count)
        other.users.storage.withUnsafeBytes { raw in
            for id in 0..<other.users.count {
                let slice = UnsafeRawBufferPointer(rebasing: raw[other.users.offsets[id]..<other.users.offsets[id + 1]])
                userMap[id] = userID(slice)
            }
        }
        var featureMap = [Int](repeating: 0, count: other.features.count)
        other.features.storage.withUnsafeBytes { raw in
            for id in 0..<other.features.count {
                featureMap[id] = featureID(UnsafeRawBufferPointer(rebasing: raw[other.features.offsets[id]..<other.features.offsets[id + 1]]))
            }
        }
        var modelMap = [Int](repeating: 0, count: other.models.count)
        other.models.storage.withUnsafeBytes { raw in
            for id in 0..<other.models.count {
                modelMap[id] = modelID(UnsafeRawBufferPointer(rebasing: raw[other.models.offsets[id]..<other.models.offsets[id + 1]]))
            }
        }
        for id in 0..<other.users.count {
            userCost[userMap[id]] += other.userCost[id]
            userEvents[userMap[id]] += other.userEvents[id]
        }
        for (index, key) in other.userMonthKeys.enumerated() {
            let user = userMap[Int(key >> 24)]
            let newKey = UInt64(user) << 24 | (key & 0xFF_FFFF)
            let part = other.userMonths[index]
            if let slot = userMonthSlots[newKey] {
                userMonths[Int(slot)].cost += part.cost
                userMonths[Int(slot)].events += part.events
                userMonths[Int(slot)].interactions += part.interactions
            } else {
                userMonthSlots[newKey] = Int32(userMonths.count)
                userMonths.append(part)
                userMonthKeys.append(newKey)
            }
        }
        // Reset per-user caches: slots changed meaning for merged users.
        for index in userLastMonth.indices { userLastMonth[index] = -1 }
        for id in 0..<other.models.count { modelSums[modelMap[id]].merge(other.modelSums[id]) }
        for id in 0..<other.features.count { featureSums[featureMap[id]].merge(other.featureSums[id]) }
        for (key, value) in other.featureModel {
            let newKey = featureMap[key >> 24] << 24 | modelMap[key & 0xFF_FFFF]
            featureModel[newKey, default: FeatureModelSums()].merge(value)
        }
        for (day, value) in other.days { days[day, default: GroupSums()].merge(value) }
        totals.merge(other.totals)
        billedEvents += other.billedEvents
        unpricedEvents += other.unpricedEvents
        duplicateEvents += other.duplicateEvents
        duplicateCost += other.duplicateCost
        eventsWithHash += other.eventsWithHash
        duplicates.reserve(duplicates.count + other.duplicates.count)
        precondition(other.duplicates.storesCosts || other.duplicates.count == 0, "a merged table must keep first-occurrence costs")
        other.duplicates.forEach { key, firstCost in
            if duplicates.insert(key, cost: firstCost ?? 0) {
                duplicateEvents += 1
                duplicateCost += firstCost ?? 0
            }
        }
        firstTimestamp = min(firstTimestamp, other.firstTimestamp)
        lastTimestamp = max(lastTimestamp, other.lastTimestamp)
        badLineCount += other.badLineCount
        for bad in other.badLines where badLines.count < 10 { badLines.append(bad) }
        lines += other.lines
    }
}

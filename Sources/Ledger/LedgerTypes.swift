public import CostModel
public import Foundation
import Pricing
public import TokenomicsCore

/// What a budget applies to.
public enum BudgetScope: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// One virtual key (the subject is the key id).
    case key
    /// One user, across all of the user's keys (the subject is the user name).
    case user
    /// One feature, across all users (the subject is the feature name).
    case feature

    public var description: String { rawValue }
}

/// How often a budget's spend starts again from zero (in UTC).
public enum BudgetPeriod: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// From 00:00 UTC each day.
    case day
    /// From Monday 00:00 UTC each week.
    case week
    /// From the first of each month, 00:00 UTC.
    case month
    /// Never: a lifetime budget.
    case total

    public var description: String { rawValue }

    /// The start of the period that contains `date`, in Unix milliseconds (0 for ``total``).
    ///
    /// Periods are UTC days, Monday-based weeks and calendar months. Computed with integer
    /// arithmetic on days since 1970 (the gateway asks for every budget on every request; a
    /// `Calendar` costs more than the reservation's SQL).
    public func start(containing date: Date) -> Int64 {
        let millisPerDay: Int64 = 86_400_000
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        let days = millis >= 0 ? millis / millisPerDay : (millis - millisPerDay + 1) / millisPerDay
        switch self {
        case .total:
            return 0
        case .day:
            return days * millisPerDay
        case .week:
            // 1970-01-01 was a Thursday: three days after a Monday.
            let sinceMonday = ((days + 3) % 7 + 7) % 7
            return (days - sinceMonday) * millisPerDay
        case .month:
            let (year, month, _) = Self.civil(days: days)
            return Self.days(year: year, month: month, day: 1) * millisPerDay
        }
    }

    /// Year, month (1-12) and day of days since 1970-01-01 in the proleptic Gregorian calendar
    /// (Howard Hinnant's `civil_from_days`).
    public static func civil(days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shifted = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shifted + 2) / 5 + 1
        let month = shifted < 10 ? shifted + 3 : shifted - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Days since 1970-01-01 of a date in the proleptic Gregorian calendar (`days_from_civil`).
    static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

/// What to create a virtual key with.
public struct NewKey: Sendable, Hashable {
    /// The user the key belongs to.
    public var user: String
    /// The feature requests made with this key are attributed to, if any.
    public var feature: String?
    /// Requests per minute allowed on this key (nil: the gateway's default).
    public var rpm: Int?
    /// Tokens per minute allowed on this key (nil: the gateway's default).
    public var tpm: Int?
    /// A budget on the key itself, if any.
    public var budget: Money?
    /// The period of ``budget``.
    public var period: BudgetPeriod

    public init(user: String, feature: String? = nil, rpm: Int? = nil, tpm: Int? = nil, budget: Money? = nil, period: BudgetPeriod = .month) {
        self.user = user
        self.feature = feature
        self.rpm = rpm
        self.tpm = tpm
        self.budget = budget
        self.period = period
    }
}

/// A stored virtual key (never its secret).
public struct KeyInfo: Sendable, Hashable, Codable {
    /// The public identifier, also the second part of the secret (`tk-ID-…`).
    public var id: String
    public var user: String
    public var feature: String?
    public var rpm: Int?
    public var tpm: Int?
    /// When the key was created.
    public var createdAt: Date
    /// When the key was revoked, if it was.
    public var revokedAt: Date?

    public init(id: String, user: String, feature: String? = nil, rpm: Int? = nil, tpm: Int? = nil, createdAt: Date, revokedAt: Date? = nil) {
        self.id = id
        self.user = user
        self.feature = feature
        self.rpm = rpm
        self.tpm = tpm
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }

    /// True when the key has been revoked.
    public var isRevoked: Bool { revokedAt != nil }
}

/// A key as just created: the only time its secret is known.
public struct IssuedKey: Sendable, Hashable {
    /// The secret to hand to the caller, `tk-…`. It is stored only as a SHA-256 hash.
    public var secret: String
    /// The stored key.
    public var info: KeyInfo
}

/// A budget to create or replace.
public struct BudgetSetting: Sendable, Hashable {
    public var scope: BudgetScope
    /// The key id, user name or feature name.
    public var subject: String
    /// The most that may be spent per period.
    public var limit: Money
    public var period: BudgetPeriod
    /// Share of the limit at which the gateway warns, in percent (default 80).
    public var softPercent: Int

    public init(scope: BudgetScope, subject: String, limit: Money, period: BudgetPeriod, softPercent: Int = 80) {
        self.scope = scope
        self.subject = subject
        self.limit = limit
        self.period = period
        self.softPercent = softPercent
    }
}

/// A budget with its spend in the current period.
public struct BudgetStatus: Sendable, Hashable {
    public var scope: BudgetScope
    public var subject: String
    public var period: BudgetPeriod
    public var limit: Money
    /// Settled spend in the current period.
    public var spent: Money
    /// Worst-case cost of requests in flight.
    public var reserved: Money
    public var softPercent: Int
    /// Start of the current period, Unix milliseconds.
    public var periodStart: Int64

    public init(scope: BudgetScope, subject: String, period: BudgetPeriod, limit: Money, spent: Money, reserved: Money, softPercent: Int, periodStart: Int64) {
        self.scope = scope
        self.subject = subject
        self.period = period
        self.limit = limit
        self.spent = spent
        self.reserved = reserved
        self.softPercent = softPercent
        self.periodStart = periodStart
    }

    /// What may still be reserved: limit − spent − reserved (never below zero).
    public var remaining: Money {
        let left = limit - spent - reserved
        return left < .zero ? .zero : left
    }

    /// The same budget moved to the period containing `now`: spend starts again from zero in a new period.
    func rolled(to now: Date) -> BudgetStatus {
        let start = period.start(containing: now)
        guard start > periodStart else { return self }
        var copy = self
        copy.spent = .zero
        copy.periodStart = start
        return copy
    }

    /// The budget after a request made at `time` settles: the hold is released, and the cost is
    /// charged unless the request belongs to a period that has already ended.
    func settled(held: Money, cost: Money, at time: Date) -> BudgetStatus {
        var copy = rolled(to: time)
        copy.reserved -= held
        if copy.reserved < .zero { copy.reserved = .zero }
        if period.start(containing: time) >= copy.periodStart { copy.spent += cost }
        return copy
    }

    /// True when spent + reserved has reached the soft threshold.
    public var isPastSoftThreshold: Bool {
        (spent + reserved) * 100 >= limit * softPercent
    }
}

/// A request to hold the worst-case cost of a call against every budget that applies.
public struct ReservationRequest: Sendable, Hashable {
    /// A unique id (the gateway uses 128 random bits in hex); it also identifies the request row.
    public var id: String
    public var keyID: String?
    public var user: String?
    public var feature: String?
    public var model: String
    /// The API path, kept so that a crash recovery can write a meaningful row.
    public var endpoint: String
    /// The worst-case cost; rounded to the femto-dollar before it is held.
    public var amount: Money
    public var at: Date

    public init(id: String, keyID: String?, user: String?, feature: String?, model: String, endpoint: String = "", amount: Money, at: Date = Date()) {
        self.id = id
        self.endpoint = endpoint
        self.keyID = keyID
        self.user = user
        self.feature = feature
        self.model = model
        self.amount = amount
        self.at = at
    }

    /// The budgets that may apply: the key's, the user's and the feature's.
    var subjects: [(BudgetScope, String)] {
        var result: [(BudgetScope, String)] = []
        if let keyID { result.append((.key, keyID)) }
        if let user { result.append((.user, user)) }
        if let feature { result.append((.feature, feature)) }
        return result
    }
}

/// The result of ``LedgerStore/reserve(_:)``.
public enum ReservationResult: Sendable, Hashable {
    /// The amount is held; the statuses are the applicable budgets after the hold.
    case reserved(held: Money, budgets: [BudgetStatus])
    /// A budget cannot fit the amount; nothing was held. The status is that budget's before the attempt.
    case refused(BudgetStatus, needed: Money)
}

/// One open reservation (a request in flight, or one whose process crashed).
public struct OpenReservation: Sendable, Hashable {
    public var id: String
    public var keyID: String?
    public var user: String?
    public var feature: String?
    public var model: String
    public var endpoint: String
    public var amount: Money
    public var at: Date
}

/// One row of the ledger: a request the gateway handled.
public struct RequestRecord: Sendable, Hashable {
    /// Row id, increasing; nil before it is stored.
    public var id: Int64?
    /// The reservation this request held, if it held one; settling releases it.
    public var reservationID: String?
    /// When the request arrived.
    public var time: Date
    public var keyID: String?
    public var user: String?
    public var feature: String?
    /// The API path, such as `/v1/chat/completions`.
    public var endpoint: String
    /// The model the client asked for (an alias stays an alias here).
    public var modelRequested: String
    /// The model that answered, if any did.
    public var modelServed: String?
    /// The upstream that answered.
    public var upstream: String?
    public var usage: Usage
    /// What the call cost (zero for a cache hit).
    public var cost: Money
    /// What the result cache saved (the cost of the call it replaced).
    public var saving: Money
    public var cacheHit: Bool
    /// The HTTP status returned to the client (0 for a request recovered after a crash).
    public var status: Int
    /// The error code returned, if any (`budget_exceeded`, `rate_limit_exceeded`, …).
    public var errorCode: String?
    /// Whole-request latency in microseconds.
    public var latencyMicros: Int64
    /// Time to the upstream's complete response, in microseconds.
    public var upstreamLatencyMicros: Int64?
    /// True when some token counts were estimated locally rather than reported by the provider.
    public var estimated: Bool
    public var stream: Bool

    public init(
        id: Int64? = nil, reservationID: String? = nil, time: Date, keyID: String? = nil, user: String? = nil, feature: String? = nil,
        endpoint: String, modelRequested: String, modelServed: String? = nil, upstream: String? = nil, usage: Usage = Usage(),
        cost: Money = .zero, saving: Money = .zero, cacheHit: Bool = false, status: Int, errorCode: String? = nil,
        latencyMicros: Int64 = 0, upstreamLatencyMicros: Int64? = nil, estimated: Bool = false, stream: Bool = false
    ) {
        self.id = id
        self.reservationID = reservationID
        self.time = time
        self.keyID = keyID
        self.user = user
        self.feature = feature
        self.endpoint = endpoint
        self.modelRequested = modelRequested
        self.modelServed = modelServed
        self.upstream = upstream
        self.usage = usage
        self.cost = cost
        self.saving = saving
        self.cacheHit = cacheHit
        self.status = status
        self.errorCode = errorCode
        self.latencyMicros = latencyMicros
        self.upstreamLatencyMicros = upstreamLatencyMicros
        self.estimated = estimated
        self.stream = stream
    }
}

/// What spend is grouped by in ``LedgerStore/spend(by:since:)``.
public enum SpendGrouping: String, Sendable, Hashable, CaseIterable {
    case user, feature, model, key, day

    var column: String {
        switch self {
        case .user: "userName"
        case .feature: "feature"
        case .model: "modelServed"
        case .key: "keyID"
        case .day: "(timeMs / 86400000)"
        }
    }
}

/// Spend of one group.
public struct SpendRow: Sendable, Hashable {
    /// The group's value (user, feature, model, key id, or the UTC day as `YYYY-MM-DD`); empty when null.
    public var group: String
    public var requests: Int
    public var cacheHits: Int
    public var cost: Money
    public var saving: Money
    public var inputTokens: Int
    public var outputTokens: Int
}

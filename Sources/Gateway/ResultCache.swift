import CostModel
import Crypto
import Foundation
import Pricing
import Synchronization
import TokenomicsCore

/// Responses kept for identical requests: exact match on a hash of the normalised request, with a
/// time to live and a bound on entries (least recently used goes first).
final class ResultCache: Sendable {
    struct Entry: Sendable {
        var body: [UInt8]
        var contentType: String
        /// What the original call cost: the saving each hit records.
        var cost: Money
        var modelServed: String
        var usage: Usage
        var expires: ContinuousClock.Instant
    }

    private struct State {
        var entries: [String: (entry: Entry, tick: UInt64)] = [:]
        var tick: UInt64 = 0
    }

    private let state = Mutex(State())
    private let clock = ContinuousClock()
    let maxEntries: Int
    let ttl: Duration

    init(maxEntries: Int, ttl: Duration) {
        self.maxEntries = maxEntries
        self.ttl = ttl
    }

    /// The hash of a normalised request: endpoint, scope (the user, unless shared) and the canonical JSON body.
    static func key(endpoint: String, scope: String, canonicalBody: [UInt8]) -> String {
        var hasher = SHA256()
        hasher.update(data: Array(endpoint.utf8) + [0] + Array(scope.utf8) + [0])
        hasher.update(data: canonicalBody)
        return Hex.encode(hasher.finalize())
    }

    func get(_ key: String) -> Entry? {
        let now = clock.now
        return state.withLock { state in
            guard let found = state.entries[key] else { return nil }
            if found.entry.expires <= now {
                state.entries[key] = nil
                return nil
            }
            state.tick += 1
            state.entries[key] = (found.entry, state.tick)
            return found.entry
        }
    }

    func put(_ key: String, body: [UInt8], contentType: String, cost: Money, modelServed: String, usage: Usage) {
        let entry = Entry(body: body, contentType: contentType, cost: cost, modelServed: modelServed, usage: usage, expires: clock.now.advanced(by: ttl))
        state.withLock { state in
            state.tick += 1
            state.entries[key] = (entry, state.tick)
            if state.entries.count > maxEntries {
                // Evict the least recently used eighth at once, so eviction costs O(1) amortised per insert.
                let excess = max(1, state.entries.count - maxEntries + maxEntries / 8)
                let victims = state.entries.sorted { $0.value.tick < $1.value.tick }.prefix(excess).map(\.key)
                for victim in victims { state.entries[victim] = nil }
            }
        }
    }

    var count: Int { state.withLock { $0.entries.count } }
}

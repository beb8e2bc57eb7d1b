import Foundation
import Synchronization

/// Requests-per-minute and tokens-per-minute limits, as token buckets held in this process.
///
/// A bucket of capacity `limit` refills at `limit / 60` per second, so a full minute's allowance
/// may be spent at once and then trickles back, as OpenAI's limits behave. Buckets live in memory:
/// with several gateway instances each enforces its own share (see docs/gateway.md).
final class RateLimiter: Sendable {
    struct Bucket {
        var level: Double
        var updated: ContinuousClock.Instant
    }

    /// What one limit said about a request.
    struct Verdict: Sendable {
        var limit: Int
        var remaining: Int
        /// Seconds until the request would fit (0 when it fits now).
        var retryAfter: Double
        var allowed: Bool { retryAfter == 0 }
    }

    private let buckets = Mutex<[String: Bucket]>([:])
    private let clock = ContinuousClock()

    /// Takes `amount` from the bucket `name` (capacity `limit` per minute) if it fits; nothing is taken otherwise.
    func take(_ name: String, amount: Int, limit: Int) -> Verdict {
        let now = clock.now
        return buckets.withLock { all in
            var bucket = all[name] ?? Bucket(level: Double(limit), updated: now)
            let elapsed = bucket.updated.duration(to: now)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            bucket.level = min(Double(limit), bucket.level + seconds * Double(limit) / 60)
            bucket.updated = now
            let needed = Double(min(amount, limit))
            if bucket.level >= needed {
                bucket.level -= Double(amount)
                all[name] = bucket
                return Verdict(limit: limit, remaining: max(0, Int(bucket.level.rounded(.down))), retryAfter: 0)
            }
            all[name] = bucket
            let wait = (needed - bucket.level) * 60 / Double(limit)
            return Verdict(limit: limit, remaining: max(0, Int(bucket.level.rounded(.down))), retryAfter: max(wait, 0.001))
        }
    }

    /// Takes tokens after the fact (completion tokens learnt from the response); may go negative.
    func charge(_ name: String, amount: Int, limit: Int) {
        guard amount > 0 else { return }
        buckets.withLock { all in
            if var bucket = all[name] {
                bucket.level -= Double(amount)
                all[name] = bucket
            }
        }
    }

    /// Gives back what ``take(_:amount:limit:)`` took, when a later check refuses the request.
    func refund(_ name: String, amount: Int, limit: Int) {
        buckets.withLock { all in
            if var bucket = all[name] {
                bucket.level = min(Double(limit), bucket.level + Double(amount))
                all[name] = bucket
            }
        }
    }
}

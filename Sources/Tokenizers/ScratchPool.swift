import Foundation
import Synchronization

/// What a ``BytePairMerger`` keeps from one call to the next: its piece cache and its memo of
/// pair checks, whose contents depend only on the rank table, so a later call of the same encoding
/// may use them as they stand; its part buffers; and the backtracking tables once it has fetched
/// them. A call then allocates nothing and takes no lock but the pool's.
struct MergerScratch: @unchecked Sendable {
    var cache: PieceCache?
    var validPairs: UnsafeMutablePointer<UInt64>?
    var buffers: MergeBuffers?
    /// The backtracking tables as fetched (`.some(nil)`: they cannot be built); `nil` if not
    /// fetched, since they may be built later.
    var tables: BacktrackingTables??

    /// Empties the cache and the memo, keeping their memory.
    func clear() {
        cache?.clear()
        validPairs?.update(repeating: 0, count: 1 << BytePairMerger.validPairBits)
    }

    func free() {
        cache?.free()
        validPairs?.deallocate()
        buffers?.free()
    }
}

/// The scratch of finished calls of one encoding, for its next calls (one pool for encoding, one
/// for counting, since their caches differ).
///
/// A call takes one scratch (or starts without) and gives it back when it ends, so a scratch is
/// only ever used by one call at a time and needs no lock of its own; the pool's lock is taken
/// twice per call. Keeping the caches means that words an earlier call merged are not merged again:
/// a process that counts many small inputs (the gateway's requests, a directory of small files)
/// merges each recurring word once, not once per input. The pool keeps at most ``limit``
/// scratches (one per call that ran at the same time, at most about 1.2 MiB each: buffers grown for
/// a long piece are freed, see ``MergeBuffers/keptCapacity``); more are freed.
final class ScratchPool: Sendable {
    private let idle = Mutex<[MergerScratch]>([])
    /// Scratches kept at most: one per core, at least 4, at most 16.
    let limit = min(max(ProcessInfo.processInfo.activeProcessorCount, 4), 16)

    /// A scratch an earlier call gave back, or `nil`.
    func take() -> MergerScratch? {
        idle.withLock { $0.popLast() }
    }

    /// Keeps `scratch` for a later call, or frees it if the pool is full.
    func give(_ scratch: MergerScratch) {
        let kept = idle.withLock { idle in
            guard idle.count < limit else { return false }
            idle.append(scratch)
            return true
        }
        if !kept { scratch.free() }
    }

    /// Empties every kept cache and memo (the memory stays allocated for the next calls).
    func clear() {
        idle.withLock { idle in
            for scratch in idle { scratch.clear() }
        }
    }

    /// The number of scratches kept (for tests).
    var count: Int { idle.withLock { $0.count } }

    deinit {
        idle.withLock { idle in
            for scratch in idle { scratch.free() }
            idle.removeAll()
        }
    }
}

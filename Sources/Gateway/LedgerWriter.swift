public import Ledger
public import Logging
public import ServiceLifecycle
import Synchronization

/// Writes request rows to the ledger off the hot path, in batches.
///
/// Handlers call ``record(_:)``, which appends to a bounded in-memory buffer and returns at once
/// unless the buffer is full (then it waits for the writer: memory stays bounded and nothing is
/// dropped). ``run()`` flushes a batch whenever ``GatewayConfig/ledgerBatchSize`` rows are waiting
/// or ``GatewayConfig/ledgerFlushInterval`` has passed, and flushes everything left on graceful
/// shutdown. A row that settles a reservation is durable once flushed; until then its reservation
/// (committed before the request was forwarded) is what a crash recovery bills.
public final class LedgerWriter: Service, Sendable {
    private struct State {
        var buffer: [RequestRecord] = []
        var spaceWaiters: [CheckedContinuation<Void, Never>] = []
        var flushWaiters: [CheckedContinuation<Void, Never>] = []
        var wake: CheckedContinuation<Void, Never>?
        var stopped = false
    }

    private let state = Mutex(State())
    let ledger: any LedgerStore
    let batchSize: Int
    let capacity: Int
    let interval: Duration
    let logger: Logger

    public init(ledger: any LedgerStore, batchSize: Int, capacity: Int, interval: Duration, logger: Logger) {
        self.ledger = ledger
        self.batchSize = batchSize
        self.capacity = capacity
        self.interval = interval
        self.logger = logger
    }

    /// Queues a row; waits only while the buffer is full.
    public func record(_ record: RequestRecord) async {
        while true {
            let queued: Bool = state.withLock { state in
                guard state.buffer.count < capacity || state.stopped else { return false }
                state.buffer.append(record)
                if state.buffer.count >= batchSize, let wake = state.wake {
                    state.wake = nil
                    wake.resume()
                }
                return true
            }
            if queued { return }
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if state.buffer.count < capacity || state.stopped { return true }
                    state.spaceWaiters.append(continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
    }

    /// Rows waiting to be written.
    public var pending: Int { state.withLock { $0.buffer.count } }

    /// Waits until every row queued before the call is written (tests, admin reads).
    public func flush() async {
        if pending == 0 { return }
        await withCheckedContinuation { continuation in
            let done = state.withLock { state -> Bool in
                if state.buffer.isEmpty { return true }
                state.flushWaiters.append(continuation)
                if let wake = state.wake {
                    state.wake = nil
                    wake.resume()
                }
                return false
            }
            if done { continuation.resume() }
        }
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            await loop()
        } onGracefulShutdown: {
            self.state.withLock { state in
                state.stopped = true
                if let wake = state.wake {
                    state.wake = nil
                    wake.resume()
                }
            }
        }
        await writeAll()
    }

    private func loop() async {
        while !state.withLock({ $0.stopped }) {
            if pending < batchSize {
                await sleepOrWake()
            }
            await writeBatch()
        }
    }

    private func sleepOrWake() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [interval] in try? await Task.sleep(for: interval) }
            group.addTask {
                await withTaskCancellationHandler {
                    await withCheckedContinuation { continuation in
                        let resumeNow = self.state.withLock { state -> Bool in
                            if Task.isCancelled || state.stopped || state.buffer.count >= self.batchSize || !state.flushWaiters.isEmpty { return true }
                            state.wake = continuation
                            return false
                        }
                        if resumeNow { continuation.resume() }
                    }
                } onCancel: {
                    let wake: CheckedContinuation<Void, Never>? = self.state.withLock { state in
                        defer { state.wake = nil }
                        return state.wake
                    }
                    wake?.resume()
                }
            }
            await group.next()
            group.cancelAll()
        }
    }

    /// Writes up to one batch; on a storage error keeps the rows and retries later.
    private func writeBatch() async {
        let batch: [RequestRecord] = state.withLock { state in
            let batch = Array(state.buffer.prefix(batchSize))
            return batch
        }
        guard !batch.isEmpty else {
            resumeFlushWaitersIfEmpty()
            return
        }
        do {
            try await ledger.settle(batch)
            let waiters: [CheckedContinuation<Void, Never>] = state.withLock { state in
                state.buffer.removeFirst(batch.count)
                let waiters = state.spaceWaiters
                state.spaceWaiters = []
                return waiters
            }
            for waiter in waiters { waiter.resume() }
            resumeFlushWaitersIfEmpty()
        } catch {
            logger.error("ledger write failed; retrying", metadata: ["ledger.rows": "\(batch.count)", "error": "\(error)"])
            try? await Task.sleep(for: .milliseconds(200))
        }
    }

    private func resumeFlushWaitersIfEmpty() {
        let waiters: [CheckedContinuation<Void, Never>] = state.withLock { state in
            guard state.buffer.isEmpty else { return [] }
            let waiters = state.flushWaiters
            state.flushWaiters = []
            return waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Writes everything left (shutdown); gives up after repeated storage errors so shutdown cannot hang.
    private func writeAll() async {
        var failures = 0
        while pending > 0 && failures < 10 {
            let before = pending
            await writeBatch()
            if pending >= before { failures += 1 }
        }
        if pending > 0 {
            logger.error("ledger rows could not be written at shutdown; their reservations will be recovered", metadata: ["ledger.rows": "\(pending)"])
        }
        let waiters: [CheckedContinuation<Void, Never>] = state.withLock { state in
            let all = state.spaceWaiters + state.flushWaiters
            state.spaceWaiters = []
            state.flushWaiters = []
            return all
        }
        for waiter in waiters { waiter.resume() }
    }
}

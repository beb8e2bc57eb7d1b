import GRDB
import Synchronization

/// Checkpoints an SQLite database's write-ahead log from a connection of its own, at a fixed
/// interval, so that the writer never does it inside a transaction on the request path.
///
/// A `PASSIVE` checkpoint copies committed pages from the WAL into the database file (and syncs
/// it) without taking the write lock: writers keep appending meanwhile. Once the WAL is fully
/// copied, the next write transaction starts it over from the beginning, so it stays as long as
/// one interval's writes.
final class WALCheckpointer: Sendable {
    private struct Running: Sendable {
        let connection: DatabaseQueue
        let task: Task<Void, Never>
    }

    private let running = Mutex<Running?>(nil)

    /// Starts checkpointing the database at `path` every `interval` (a second call does nothing).
    func start(path: String, every interval: Duration) throws {
        try running.withLock { running in
            guard running == nil else { return }
            var configuration = Configuration()
            configuration.label = "WAL checkpointer"
            let connection = try DatabaseQueue(path: path, configuration: configuration)
            let task = Task.detached(priority: .utility) {
                while !Task.isCancelled {
                    try? await Task.sleep(for: interval)
                    if Task.isCancelled { break }
                    // SQLITE_BUSY (another checkpoint running) is not an error worth stopping for:
                    // the next round, or the writer's own fallback checkpoint, does the work.
                    _ = try? await connection.writeWithoutTransaction { db in try db.checkpoint(.passive) }
                }
            }
            running = Running(connection: connection, task: task)
        }
    }

    /// Stops checkpointing and closes the connection.
    func stop() async throws {
        guard let stopped = running.withLock({ running in
            defer { running = nil }
            return running
        }) else { return }
        stopped.task.cancel()
        await stopped.task.value
        try stopped.connection.close()
    }
}

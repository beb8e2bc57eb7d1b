import Foundation
import Ledger
import LedgerTestSupport
import Testing

/// Background WAL checkpoints (`serve`'s SQLite ledger): committed writes reach the database file
/// without the writer checkpointing, and a ledger without them keeps small writes in the WAL.
struct WALCheckpointTests {
    static func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }

    /// Waits up to `seconds` for `condition`.
    static func eventually(seconds: Double, _ condition: () -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return condition()
    }

    static func freshLedger() async throws -> (SQLiteLedger, String) {
        guard case .sqlite(let path) = try await Backend.sqlite.scratchURL() else { fatalError("not a SQLite URL") }
        let ledger = try SQLiteLedger(path: path)
        try await ledger.migrate()
        return (ledger, path)
    }

    static func writeKeys(_ ledger: SQLiteLedger, _ count: Int) async throws {
        for index in 0..<count {
            _ = try await ledger.createKey(NewKey(user: "user-\(index)", feature: "chat", rpm: 60, tpm: 1000), now: Date())
        }
    }

    @Test func backgroundCheckpointsCopyCommittedWritesIntoTheFile() async throws {
        let (ledger, path) = try await WALCheckpointTests.freshLedger()
        try ledger.checkpointInBackground(every: .milliseconds(20))
        // The migration's pages first.
        #expect(try await WALCheckpointTests.eventually(seconds: 10) { WALCheckpointTests.fileSize(path) > 0 })
        try await Task.sleep(for: .milliseconds(100))
        let before = WALCheckpointTests.fileSize(path)
        try await WALCheckpointTests.writeKeys(ledger, 40)
        let grown = try await WALCheckpointTests.eventually(seconds: 10) { WALCheckpointTests.fileSize(path) > before }
        #expect(grown, "the database file stayed at \(before) bytes: the writes were not checkpointed")
        #expect(try await ledger.keys(user: nil).count == 40)
        try await ledger.close()
        // Reopened, every key is there.
        let reopened = try SQLiteLedger(path: path)
        #expect(try await reopened.keys(user: nil).count == 40)
        try await reopened.close()
    }

    /// The control: without background checkpoints the same writes stay in the WAL (SQLite's own
    /// checkpoint waits for 1,000 pages), so the test above can fail.
    @Test func withoutThemSmallWritesStayInTheWAL() async throws {
        let (ledger, path) = try await WALCheckpointTests.freshLedger()
        let before = WALCheckpointTests.fileSize(path)
        try await WALCheckpointTests.writeKeys(ledger, 40)
        try await Task.sleep(for: .milliseconds(300))
        #expect(WALCheckpointTests.fileSize(path) == before)
        #expect(WALCheckpointTests.fileSize(path + "-wal") > 0)
        try await ledger.close()
    }

    @Test func startingTwiceAndClosingAreSafe() async throws {
        let (ledger, _) = try await WALCheckpointTests.freshLedger()
        try ledger.checkpointInBackground(every: .milliseconds(10))
        try ledger.checkpointInBackground(every: .milliseconds(10))
        try await WALCheckpointTests.writeKeys(ledger, 5)
        try await ledger.close()
    }
}

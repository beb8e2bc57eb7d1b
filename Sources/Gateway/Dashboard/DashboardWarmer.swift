import Foundation
import Ledger
import Logging
import ServiceLifecycle

/// Folds new ledger rows into the dashboard's rollups and reads the overview's per-user sums for
/// every period, once a minute in the background, so that a page seldom waits for a fold or for
/// the per-user seeks of a day boundary it has not read yet (see `docs/dashboard.md`).
///
/// It runs in the gateway's `ServiceGroup` when the dashboard is on (an admin key is configured)
/// and stops at graceful shutdown. A failed pass is logged and retried at the next interval.
struct DashboardWarmer: Service {
    let ledger: any DashboardLedger
    let interval: Duration
    let logger: Logger

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                while true {
                    do {
                        try await warm(now: Date())
                    } catch is CancellationError {
                        throw CancellationError()
                    } catch {
                        logger.warning("dashboard warm-up failed; retrying later", metadata: ["error": "\(error)"])
                    }
                    try await Task.sleep(for: interval)
                }
            }
        } catch is CancellationError {
            // Graceful shutdown.
        }
    }

    /// One pass: fold, then read the per-user sums of each period of the overview.
    func warm(now: Date) async throws {
        try await ledger.refreshDashboardRollups()
        for period in DashboardView.Period.allCases {
            try Task.checkCancellation()
            let view = DashboardView(page: .overview, query: ["period": period.rawValue], now: now)
            _ = try await ledger.breakdown(view.filter, by: .user)
        }
    }
}

import Foundation
import Ledger
import Logging
import ServiceLifecycle

/// Folds new ledger rows into the dashboard's rollups and reads the overview's per-user sums for
/// every period (and the default period's for the costliest features and models), once a minute in
/// the background, so that a page seldom waits for a fold or for the per-user seeks of a day
/// boundary it has not read yet (see `docs/dashboard.md`).
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
                        let start = ContinuousClock.now
                        try await warm(now: Date())
                        GatewayMetrics.dashboardWarmPass(seconds: (ContinuousClock.now - start).seconds)
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

    /// Feature and model pages prepared per pass (the costliest of each, for the default period).
    static let subjects = 6

    /// One pass: fold, then read the per-user sums of each period of the overview, and of the
    /// default period of the costliest features and models (their pages and filters).
    func warm(now: Date) async throws {
        try await ledger.refreshDashboardRollups()
        for period in DashboardView.Period.allCases {
            try Task.checkCancellation()
            let view = DashboardView(page: .overview, query: ["period": period.rawValue], now: now)
            _ = try await ledger.breakdown(view.filter, by: .user)
        }
        let overview = DashboardView(page: .overview, query: [:], now: now).filter
        for dimension in [DashboardDimension.feature, .model] {
            for group in try await ledger.breakdown(overview, by: dimension, limit: Self.subjects) {
                guard let subject = group.key else { continue }
                try Task.checkCancellation()
                var filter = overview
                if dimension == .feature { filter.feature = subject } else { filter.model = subject }
                _ = try await ledger.breakdown(filter, by: .user)
            }
        }
    }
}

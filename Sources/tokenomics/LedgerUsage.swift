import CostModel
import Foundation
import Ledger
import Pricing
import UsageAnalysis

/// Reads the gateway's ledger as a usage log, for `tokenomics analyze --database URL`.
enum LedgerUsage {
    /// Streams every request record into a ``UsageAggregator``.
    ///
    /// Each record becomes one event: its user (or key, when the request had no user), feature,
    /// the model served, and its token classes. Costs are recomputed from the catalog (the gateway
    /// metered with the same rates), so the analysis stays exact. A result-cache hit is an event
    /// with no tokens: it cost nothing.
    static func analyze(database: String, catalog: Catalog) async throws -> AnalysisResult {
        let url = try LedgerURL.parse(database)
        return try await url.withLedger { store in
            var aggregator = UsageAggregator(catalog: catalog)
            for try await record in store.allRecords() {
                aggregator.add(event(record))
            }
            return aggregator.result()
        }
    }

    static func event(_ record: RequestRecord) -> UsageEvent {
        UsageEvent(
            timestamp: Int64(record.time.timeIntervalSince1970.rounded(.down)),
            user: record.user ?? record.keyID ?? "unknown",
            feature: record.feature ?? "",
            model: record.modelServed ?? record.modelRequested,
            usage: record.cacheHit ? Usage() : record.usage,
            requestHash: nil,
            interactionID: nil
        )
    }
}

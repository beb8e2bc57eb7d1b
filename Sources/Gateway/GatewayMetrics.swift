import Metrics
import Synchronization

/// The gateway's metrics, through swift-metrics (the executable picks Prometheus as the backend).
///
/// Series: `tokenomics_requests_total{endpoint,model,feature,status}`,
/// `tokenomics_tokens_total{model,feature,class}`, `tokenomics_cost_usd_total{model,feature}` (float),
/// `tokenomics_cache_hits_total{model}`, `tokenomics_cache_savings_usd_total{model}`,
/// `tokenomics_budget_refusals_total{scope}`, `tokenomics_budget_soft_threshold_total{scope}`,
/// `tokenomics_rate_limit_refusals_total{limit}`, `tokenomics_upstream_latency_seconds{upstream}` (histogram),
/// `tokenomics_upstream_failures_total{upstream,reason}`.
enum GatewayMetrics {
    /// The series every request touches, by their labels. Creating a handle goes through the
    /// metrics backend's registry (a lock and a lookup by name and sorted labels); keeping the
    /// handles adds one small entry per label set, which the registry keeps anyway.
    private struct RequestSeries {
        var requests: Counter
        var inputTokens: Counter
        var outputTokens: Counter
        var cost: FloatingPointCounter
    }
    private static let series = Mutex<[String: RequestSeries]>([:])

    private static func requestSeries(endpoint: String, model: String, feature: String?, status: Int) -> RequestSeries {
        let feature = feature ?? ""
        let key = endpoint + "\u{0}" + model + "\u{0}" + feature + "\u{0}" + String(status)
        if let found = series.withLock({ $0[key] }) { return found }
        let made = RequestSeries(
            requests: Counter(label: "tokenomics_requests_total", dimensions: [("endpoint", endpoint), ("model", model), ("feature", feature), ("status", String(status))]),
            inputTokens: Counter(label: "tokenomics_tokens_total", dimensions: [("model", model), ("feature", feature), ("class", "input")]),
            outputTokens: Counter(label: "tokenomics_tokens_total", dimensions: [("model", model), ("feature", feature), ("class", "output")]),
            cost: FloatingPointCounter(label: "tokenomics_cost_usd_total", dimensions: [("model", model), ("feature", feature)]))
        series.withLock { $0[key] = made }
        return made
    }

    /// Counts a finished request; for a successful one also its tokens and its cost (as a float
    /// counter, for dashboards only: the ledger holds the exact amounts).
    static func request(endpoint: String, model: String, feature: String?, status: Int, input: Int, output: Int, dollars: Double) {
        let handles = requestSeries(endpoint: endpoint, model: model, feature: feature, status: status)
        handles.requests.increment()
        guard status == 200 else { return }
        if input > 0 { handles.inputTokens.increment(by: input) }
        if output > 0 { handles.outputTokens.increment(by: output) }
        if dollars > 0 { handles.cost.increment(by: dollars) }
    }

    static func cacheHit(model: String, saving: Double) {
        Counter(label: "tokenomics_cache_hits_total", dimensions: [("model", model)]).increment()
        FloatingPointCounter(label: "tokenomics_cache_savings_usd_total", dimensions: [("model", model)]).increment(by: saving)
    }

    static func budgetRefusal(scope: String) {
        Counter(label: "tokenomics_budget_refusals_total", dimensions: [("scope", scope)]).increment()
    }

    static func softThreshold(scope: String) {
        Counter(label: "tokenomics_budget_soft_threshold_total", dimensions: [("scope", scope)]).increment()
    }

    static func rateLimitRefusal(limit: String) {
        Counter(label: "tokenomics_rate_limit_refusals_total", dimensions: [("limit", limit)]).increment()
    }

    private static let latencyRecorders = Mutex<[String: Recorder]>([:])

    static func upstreamLatency(upstream: String, seconds: Double) {
        let recorder =
            latencyRecorders.withLock { $0[upstream] }
            ?? {
                let made = Recorder(label: "tokenomics_upstream_latency_seconds", dimensions: [("upstream", upstream)], aggregate: true)
                latencyRecorders.withLock { $0[upstream] = made }
                return made
            }()
        recorder.record(seconds)
    }

    static func dashboardWarmPass(seconds: Double) {
        Counter(label: "tokenomics_dashboard_warm_passes_total").increment()
        Recorder(label: "tokenomics_dashboard_warm_seconds", aggregate: true).record(seconds)
    }

    static func upstreamFailure(upstream: String, reason: String) {
        Counter(label: "tokenomics_upstream_failures_total", dimensions: [("upstream", upstream), ("reason", reason)]).increment()
    }
}

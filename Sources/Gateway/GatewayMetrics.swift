import Metrics

/// The gateway's metrics, through swift-metrics (the executable picks Prometheus as the backend).
///
/// Series: `tokenomics_requests_total{endpoint,model,feature,status}`,
/// `tokenomics_tokens_total{model,feature,class}`, `tokenomics_cost_usd_total{model,feature}` (float),
/// `tokenomics_cache_hits_total{model}`, `tokenomics_cache_savings_usd_total{model}`,
/// `tokenomics_budget_refusals_total{scope}`, `tokenomics_budget_soft_threshold_total{scope}`,
/// `tokenomics_rate_limit_refusals_total{limit}`, `tokenomics_upstream_latency_seconds{upstream}` (histogram),
/// `tokenomics_upstream_failures_total{upstream,reason}`.
enum GatewayMetrics {
    static func request(endpoint: String, model: String, feature: String?, status: Int) {
        Counter(label: "tokenomics_requests_total", dimensions: [("endpoint", endpoint), ("model", model), ("feature", feature ?? ""), ("status", String(status))]).increment()
    }

    static func tokens(model: String, feature: String?, input: Int, output: Int) {
        if input > 0 { Counter(label: "tokenomics_tokens_total", dimensions: [("model", model), ("feature", feature ?? ""), ("class", "input")]).increment(by: input) }
        if output > 0 { Counter(label: "tokenomics_tokens_total", dimensions: [("model", model), ("feature", feature ?? ""), ("class", "output")]).increment(by: output) }
    }

    /// Cost as a float counter: for dashboards only; the ledger holds the exact amounts.
    static func cost(model: String, feature: String?, dollars: Double) {
        guard dollars > 0 else { return }
        FloatingPointCounter(label: "tokenomics_cost_usd_total", dimensions: [("model", model), ("feature", feature ?? "")]).increment(by: dollars)
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

    static func upstreamLatency(upstream: String, seconds: Double) {
        Recorder(label: "tokenomics_upstream_latency_seconds", dimensions: [("upstream", upstream)], aggregate: true).record(seconds)
    }

    static func dashboardWarmPass(seconds: Double) {
        Counter(label: "tokenomics_dashboard_warm_passes_total").increment()
        Recorder(label: "tokenomics_dashboard_warm_seconds", aggregate: true).record(seconds)
    }

    static func upstreamFailure(upstream: String, reason: String) {
        Counter(label: "tokenomics_upstream_failures_total", dimensions: [("upstream", upstream), ("reason", reason)]).increment()
    }
}

import AsyncHTTPClient
import CostModel
import Foundation
import HTTPTypes
import Hummingbird
import Ledger
import Logging
import NIOCore
import Pricing
import TokenomicsCore

extension Gateway {
    /// Everything decided about a request before it is forwarded.
    struct Plan: Sendable {
        var endpoint: Endpoint
        var body: JSONValue
        var key: KeyInfo
        var targets: [(target: ModelRouter.Target, price: ModelPrice)]
        var stream: Bool
        var input: TokenCount
        var explicitMaxOutput: Int?
        var injectMaxOutput: Int?
        var cacheKey: String?
        var responseHeaders: HTTPFields
    }

    /// Handles one API call end to end; every outcome is answered in OpenAI's error shape and written to the ledger.
    func proxy(_ request: Request, endpoint: Endpoint) async -> Response {
        let started = clock.now
        var record = RequestRecord(time: Date(), endpoint: endpoint.rawValue, modelRequested: "", status: 0)
        var headers = HTTPFields()
        do {
            let (response, recordedLater) = try await forward(request, endpoint: endpoint, record: &record, headers: &headers, started: started)
            if !recordedLater { await complete(&record, started: started) }
            return response
        } catch let error as GatewayError {
            record.status = Int(error.status.code)
            record.errorCode = error.code
            await complete(&record, started: started)
            return error.response(extraHeaders: headers)
        } catch {
            logger.error("unexpected gateway failure", metadata: ["error": "\(error)"])
            let failure = GatewayError(.internalServerError, type: "api_error", code: "internal_error", message: "The gateway failed unexpectedly: \(error)")
            record.status = 500
            record.errorCode = failure.code
            await complete(&record, started: started)
            return failure.response(extraHeaders: headers)
        }
    }

    /// Writes the row (off the hot path) and counts the request in the metrics.
    func complete(_ record: inout RequestRecord, started: ContinuousClock.Instant) async {
        record.latencyMicros = started.duration(to: clock.now).microseconds
        let model = record.modelServed ?? record.modelRequested
        GatewayMetrics.request(
            endpoint: record.endpoint, model: model, feature: record.feature, status: record.status, input: record.usage.input, output: record.usage.output,
            dollars: record.cost.doubleValue)
        if record.status == 200 && record.cacheHit { GatewayMetrics.cacheHit(model: model, saving: record.saving.doubleValue) }
        logger.debug(
            "request",
            metadata: [
                "request.endpoint": "\(record.endpoint)", "request.user": "\(record.user ?? "")", "request.model": "\(model)",
                "request.status": "\(record.status)", "request.cost_usd": "\(record.cost.exactString)", "request.latency_us": "\(record.latencyMicros)",
            ])
        await writer.record(record)
    }

    /// Returns the response and whether the row is written later (by a stream, when it ends).
    func forward(
        _ request: Request, endpoint: Endpoint, record: inout RequestRecord, headers: inout HTTPFields, started: ContinuousClock.Instant
    ) async throws -> (Response, Bool) {
        let key = try await authenticate(request)
        record.keyID = key.id
        record.user = key.user
        let featureHeader = HTTPField.Name("x-tokenomics-feature").flatMap { request.headers[$0] }
        record.feature = key.feature ?? featureHeader

        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: config.maxBodyBytes)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw tooLarge()
        } catch is NIOTooManyBytesError {
            throw tooLarge()
        }
        func tooLarge() -> GatewayError {
            GatewayError(
                .contentTooLarge, type: "invalid_request_error", code: "request_too_large",
                message: "The request body exceeds the gateway's limit of \(config.maxBodyBytes) bytes (max_body_bytes in the configuration).")
        }
        let json: JSONValue
        do {
            json = try JSONValue.parse(Array(buffer.readableBytesView))
        } catch {
            throw GatewayError.badRequest("The request body is not valid JSON (\(error.description)).", code: "invalid_json")
        }
        guard json.isObject else { throw GatewayError.badRequest("The request body must be a JSON object.", code: "invalid_json") }
        guard let requested = json["model"]?.stringValue, !requested.isEmpty else {
            throw GatewayError.badRequest("You must provide a model parameter.", code: "missing_model")
        }
        record.modelRequested = requested
        if config.logContent { logger.info("request body", metadata: ["request.body": "\(String(decoding: buffer.readableBytesView, as: UTF8.self))"]) }

        var plan = try makePlan(json: json, requested: requested, endpoint: endpoint, key: key, feature: record.feature)
        headers = plan.responseHeaders
        let first = plan.targets[0]
        record.modelServed = first.target.model
        record.upstream = first.target.upstream.name
        record.stream = plan.stream

        // The result cache: a hit costs nothing and records what it saved.
        if let cacheKey = plan.cacheKey {
            if let hit = cache.get(cacheKey) {
                record.cacheHit = true
                record.saving = hit.cost
                record.modelServed = hit.modelServed
                record.usage = hit.usage
                record.status = 200
                headers[Self.cacheHeader] = "hit"
                headers[.contentType] = hit.contentType
                return (Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: hit.body))), false)
            }
            headers[Self.cacheHeader] = "miss"
        }

        // Reserve the worst case against every budget that applies, durably, before forwarding.
        let maxOutput = plan.explicitMaxOutput ?? plan.injectMaxOutput ?? (first.price.maxOutputTokens ?? config.defaultMaxOutputTokens)
        let worst = plan.targets.compactMap { Self.worstCase($0.price, input: plan.input.upperBound, output: endpoint == .embeddings ? 0 : maxOutput) }.max() ?? .zero
        let reservationID = Self.reservationID()
        let reservation: ReservationResult
        do {
            reservation = try await ledger.reserve(
                ReservationRequest(
                    id: reservationID, keyID: key.id, user: key.user, feature: record.feature, model: first.target.model, endpoint: endpoint.rawValue,
                    amount: worst, at: record.time))
        } catch {
            logger.error("reservation failed", metadata: ["error": "\(error)"])
            throw GatewayError(.serviceUnavailable, type: "api_error", code: "ledger_unavailable", message: "The gateway cannot reach its ledger; try again shortly.")
        }
        switch reservation {
        case .refused(let budget, let needed):
            GatewayMetrics.budgetRefusal(scope: budget.scope.rawValue)
            logger.info("budget refusal", metadata: ["budget.scope": "\(budget.scope)", "budget.subject": "\(budget.subject)", "budget.remaining_usd": "\(budget.remaining.exactString)"])
            var error = GatewayError(
                .tooManyRequests, type: "insufficient_quota", code: "budget_exceeded",
                message:
                    "Budget exceeded: \(budget.scope) '\(budget.subject)' has \(budget.remaining.formatted()) remaining of its \(budget.limit.formatted()) \(budget.period == .total ? "total" : "per-\(budget.period)") budget (\(budget.spent.formatted()) spent, \(budget.reserved.formatted()) reserved by requests in flight); this request could cost up to \(needed.formatted()) (\(plan.input.upperBound) prompt tokens and up to \(maxOutput) completion tokens on \(first.target.model)). Lower max_tokens, or raise the budget with `tokenomics budgets set`."
            )
            error.headers["x-tokenomics-budget-remaining-usd"] = budget.remaining.exactString
            throw error
        case .reserved(_, let budgets):
            record.reservationID = reservationID
            for budget in budgets where budget.isPastSoftThreshold {
                GatewayMetrics.softThreshold(scope: budget.scope.rawValue)
                logger.warning(
                    "budget past its soft threshold",
                    metadata: [
                        "budget.scope": "\(budget.scope)", "budget.subject": "\(budget.subject)", "budget.limit_usd": "\(budget.limit.exactString)",
                        "budget.used_usd": "\((budget.spent + budget.reserved).exactString)", "budget.soft_percent": "\(budget.softPercent)",
                    ])
                headers[Self.budgetWarningHeader] = "\(budget.scope) \(budget.subject): \((budget.spent + budget.reserved).formatted()) of \(budget.limit.formatted()) used"
            }
        }
        plan.responseHeaders = headers
        return try await send(plan, record: &record, headers: headers, started: started)
    }

    /// A random 128-bit reservation id in hex. (Foundation's `UUID()` opens `/dev/urandom` on every
    /// call on Linux; the system generator reads the kernel's entropy without a file.)
    static func reservationID() -> String {
        var generator = SystemRandomNumberGenerator()
        let high: UInt64 = generator.next(), low: UInt64 = generator.next()
        return String(high, radix: 16) + "-" + String(low, radix: 16)
    }

    /// `1500` → `"1.5s"`, `60000` → `"60s"`.
    static func seconds(milliseconds: Int) -> String {
        let whole = milliseconds / 1000, fraction = milliseconds % 1000
        guard fraction > 0 else { return "\(whole)s" }
        var digits = String(fraction + 1000).dropFirst()
        while digits.last == "0" { digits = digits.dropLast() }
        return "\(whole).\(digits)s"
    }

    static let cacheHeader = HTTPField.Name("x-tokenomics-cache")!
    static let budgetWarningHeader = HTTPField.Name("x-tokenomics-budget-warning")!

    /// Routing, pricing, counting, limits and the cache key.
    func makePlan(json: JSONValue, requested: String, endpoint: Endpoint, key: KeyInfo, feature: String?) throws -> Plan {
        let model = router.resolve(requested, feature: feature)
        let routed = router.targets(for: model, preferring: endpoint.upstreamKind)
        let targets = routed.filter { $0.upstream.kind == endpoint.upstreamKind }
        if targets.isEmpty {
            if let other = routed.first {
                throw GatewayError.badRequest(
                    "The model '\(model)' is served by the \(other.upstream.kind.rawValue) upstream '\(other.upstream.name)'; call \(other.upstream.kind == .anthropic ? "/v1/messages" : "/v1/chat/completions") for it.",
                    code: "wrong_endpoint")
            }
            let close = router.suggestions(for: requested)
            throw GatewayError(
                .notFound, type: "invalid_request_error", code: "model_not_found",
                message: "The model '\(requested)' does not exist or no upstream of this gateway serves it." + (close.isEmpty ? "" : " Did you mean \(close.map { "'\($0)'" }.joined(separator: ", "))?"))
        }
        var priced: [(target: ModelRouter.Target, price: ModelPrice)] = []
        for target in targets {
            if let price = dependencies.catalog.find(target.model) {
                priced.append((target, price))
            } else if priced.isEmpty && target.model == targets[0].model {
                throw GatewayError.badRequest(
                    "The model '\(target.model)' has no price in the gateway's catalog, so its cost cannot be metered; add it with a custom-models file (catalog: in the gateway configuration).",
                    code: "model_not_priced")
            } else {
                logger.warning("fallback model has no price; skipped", metadata: ["model": "\(target.model)"])
            }
        }
        let stream = json["stream"]?.boolValue == true
        let texts = endpoint.promptTexts(json)
        let counter = dependencies.tokenCounter
        let input: TokenCount
        if endpoint == .chatCompletions || endpoint == .messages {
            input = counter.countChat(texts, model: priced[0].target.model)
        } else {
            input = texts.reduce(TokenCount(tokens: 0, estimated: false)) { $0 + counter.count($1, model: priced[0].target.model) }
        }
        let explicitMax = endpoint == .embeddings ? 0 : endpoint.maxOutputField(json)
        var injectMax: Int?
        if explicitMax == nil && priced.contains(where: { $0.price.maxOutputTokens == nil }) {
            injectMax = config.defaultMaxOutputTokens
        }
        let responseHeaders = try checkLimits(key: key, tokens: input.tokens + (explicitMax ?? 0))

        var cacheKey: String?
        if config.cache.enabled && !stream {
            let temperature = json["temperature"]?.doubleValue ?? (endpoint == .embeddings ? 0 : 1)
            if temperature <= 0 || config.cache.cacheNonZeroTemperature {
                let canonical = json.setting("model", .string(priced[0].target.model)).removing(["user", "stream", "stream_options", "metadata"]).serializedBytes(compact: true, sortedKeys: true)
                cacheKey = ResultCache.key(endpoint: endpoint.rawValue, scope: config.cache.shared ? "" : key.user, canonicalBody: canonical)
            }
        }
        return Plan(
            endpoint: endpoint, body: json, key: key, targets: priced, stream: stream, input: input, explicitMaxOutput: explicitMax,
            injectMaxOutput: injectMax, cacheKey: cacheKey, responseHeaders: responseHeaders)
    }

    /// Applies RPM and TPM limits for the key and its user; returns the x-ratelimit-* headers or throws a 429.
    func checkLimits(key: KeyInfo, tokens: Int) throws(GatewayError) -> HTTPFields {
        let checks: [(name: String, amount: Int, limit: Int?, what: String, scope: String)] = [
            ("k:r:\(key.id)", 1, key.rpm ?? config.limits.keyRPM, "requests", "key \(key.id)"),
            ("k:t:\(key.id)", tokens, key.tpm ?? config.limits.keyTPM, "tokens", "key \(key.id)"),
            ("u:r:\(key.user)", 1, config.limits.userRPM, "requests", "user '\(key.user)'"),
            ("u:t:\(key.user)", tokens, config.limits.userTPM, "tokens", "user '\(key.user)'"),
        ]
        var taken: [(String, Int, Int)] = []
        var tightest: [String: RateLimiter.Verdict] = [:]
        var headers = HTTPFields()
        for check in checks {
            guard let limit = check.limit else { continue }
            let verdict = limiter.take(check.name, amount: check.amount, limit: limit)
            if !verdict.allowed {
                for (name, amount, limit) in taken { limiter.refund(name, amount: amount, limit: limit) }
                GatewayMetrics.rateLimitRefusal(limit: check.what == "requests" ? "rpm" : "tpm")
                let wait = Int(verdict.retryAfter.rounded(.up))
                var error = GatewayError(
                    .tooManyRequests, type: "rate_limit_error", code: "rate_limit_exceeded",
                    message: "Rate limit reached for \(check.scope) on \(check.what) per minute: limit \(limit), remaining \(verdict.remaining), this request needs \(check.amount). Please try again in \(wait)s.")
                error.headers["retry-after"] = String(max(1, wait))
                error.headers["x-ratelimit-limit-\(check.what)"] = String(limit)
                error.headers["x-ratelimit-remaining-\(check.what)"] = String(verdict.remaining)
                error.headers["x-ratelimit-reset-\(check.what)"] = "\(max(1, wait))s"
                throw error
            }
            taken.append((check.name, check.amount, limit))
            if let current = tightest[check.what], current.remaining <= verdict.remaining { continue }
            tightest[check.what] = verdict
        }
        for (what, verdict) in tightest {
            headers[HTTPField.Name("x-ratelimit-limit-\(what)")!] = String(verdict.limit)
            headers[HTTPField.Name("x-ratelimit-remaining-\(what)")!] = String(verdict.remaining)
            // Time until the used part of the window has refilled, as OpenAI writes it ("1.5s"), in milliseconds' precision.
            let resetMillis = verdict.limit > 0 ? (verdict.limit - verdict.remaining) * 60_000 / verdict.limit : 0
            headers[HTTPField.Name("x-ratelimit-reset-\(what)")!] = Self.seconds(milliseconds: resetMillis)
        }
        return headers
    }
}

import AsyncHTTPClient
import CostModel
import Foundation
import HTTPTypes
import Hummingbird
import Ledger
import Logging
import NIOCore
import NIOHTTP1
import Pricing
import TokenomicsCore

extension Gateway {
    /// Why an upstream attempt failed in a way that a fallback may cure.
    enum AttemptFailure: Error {
        case timeout(String)
        case unreachable(String)
        case serverError(Int, String)
    }

    /// Forwards to the first target, then to fallbacks on 5xx, refused connections and timeouts.
    func send(_ plan: Plan, record: inout RequestRecord, headers: HTTPFields, started: ContinuousClock.Instant) async throws -> (Response, Bool) {
        var lastFailure: AttemptFailure?
        for (index, entry) in plan.targets.enumerated() {
            let target = entry.target
            record.modelServed = target.model
            record.upstream = target.upstream.name
            let upstreamStarted = clock.now
            let response: HTTPClientResponse
            do {
                response = try await dependencies.httpClient.execute(
                    upstreamRequest(plan, target: target), timeout: .nanoseconds(Int64(config.upstreamTimeout.seconds * 1e9)), logger: logger)
            } catch {
                let failure = Self.classify(error, upstream: target.upstream.name)
                GatewayMetrics.upstreamFailure(upstream: target.upstream.name, reason: failure.reason)
                logger.warning("upstream failed", metadata: ["upstream": "\(target.upstream.name)", "model": "\(target.model)", "reason": "\(failure.reason)"])
                lastFailure = failure.failure
                continue
            }
            let status = Int(response.status.code)
            if status >= 500 && index + 1 < plan.targets.count {
                GatewayMetrics.upstreamFailure(upstream: target.upstream.name, reason: "status_\(status)")
                _ = try? await response.body.collect(upTo: 1 << 20)
                lastFailure = .serverError(status, target.upstream.name)
                continue
            }
            if status >= 500 {
                GatewayMetrics.upstreamFailure(upstream: target.upstream.name, reason: "status_\(status)")
                let text = (try? await response.body.collect(upTo: 4096)).map { String(buffer: $0) } ?? ""
                throw GatewayError.upstream(
                    .badGateway, "The upstream '\(target.upstream.name)' failed with HTTP \(status) for \(target.model)\(text.isEmpty ? "" : ": \(text.prefix(300))").",
                    code: "upstream_error")
            }
            if status == 401 || status == 403 {
                _ = try? await response.body.collect(upTo: 1 << 20)
                throw GatewayError.upstream(
                    .badGateway,
                    "The upstream '\(target.upstream.name)' rejected the gateway's provider key (HTTP \(status)); check the environment variable \(target.upstream.apiKeyEnv ?? "(api_key_env not set)").",
                    code: "upstream_auth_failed")
            }
            if plan.stream && status == 200 {
                return (streamResponse(plan, price: entry.price, response: response, record: record, headers: headers, started: started, upstreamStarted: upstreamStarted), true)
            }
            return (try await completeResponse(plan, price: entry.price, response: response, record: &record, headers: headers, upstreamStarted: upstreamStarted), false)
        }
        switch lastFailure {
        case .timeout(let name):
            throw GatewayError.upstream(.gatewayTimeout, "The upstream '\(name)' did not answer within \(Int(config.upstreamTimeout.seconds))s (upstream_timeout_seconds).", code: "upstream_timeout")
        case .unreachable(let name):
            throw GatewayError.upstream(.badGateway, "The upstream '\(name)' could not be reached.", code: "upstream_unreachable")
        case .serverError(let status, let name):
            throw GatewayError.upstream(.badGateway, "The upstream '\(name)' failed with HTTP \(status), and so did every fallback.", code: "upstream_error")
        case nil:
            throw GatewayError.upstream(.badGateway, "No upstream could serve the request.", code: "upstream_unreachable")
        }
    }

    static func classify(_ error: any Error, upstream: String) -> (failure: AttemptFailure, reason: String) {
        if let error = error as? HTTPClientError {
            if error == .deadlineExceeded || error == .readTimeout || error == .writeTimeout {
                return (.timeout(upstream), "timeout")
            }
            if error == .connectTimeout { return (.unreachable(upstream), "connect_timeout") }
            return (.unreachable(upstream), error.shortDescription)
        }
        return (.unreachable(upstream), "connection")
    }

    /// The request to one upstream: the client's body with the served model, the bounds the gateway needs and the provider key.
    func upstreamRequest(_ plan: Plan, target: ModelRouter.Target) -> HTTPClientRequest {
        var body = plan.body.setting("model", .string(target.model))
        if plan.stream && plan.endpoint.asksForStreamUsage && plan.body["stream_options"]?["include_usage"]?.boolValue != true {
            let options = (plan.body["stream_options"]?.isObject == true ? plan.body["stream_options"]! : .object([])).setting("include_usage", .bool(true))
            body = body.setting("stream_options", options)
        }
        if let inject = plan.injectMaxOutput, let name = plan.endpoint.maxOutputName {
            body = body.setting(name, .number(String(inject)))
        }
        let base = target.upstream.baseURL.hasSuffix("/") ? String(target.upstream.baseURL.dropLast()) : target.upstream.baseURL
        var request = HTTPClientRequest(url: base + plan.endpoint.upstreamPath)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        let key = providerKey(target.upstream)
        switch target.upstream.kind {
        case .openai:
            if let key { request.headers.add(name: "authorization", value: "Bearer \(key)") }
        case .anthropic:
            if let key { request.headers.add(name: "x-api-key", value: key) }
            request.headers.add(name: "anthropic-version", value: "2023-06-01")
        }
        request.body = .bytes(ByteBuffer(bytes: body.serializedBytes(compact: true)))
        return request
    }

    /// Usage of a whole (non-streamed) response, or a local count marked estimated.
    func usage(of json: JSONValue?, plan: Plan) -> (Usage, estimated: Bool) {
        if let json, let reported = json["usage"] {
            let parsed = plan.endpoint == .messages ? UsageParsing.anthropic(reported) : UsageParsing.openAI(reported)
            if let parsed { return (parsed, false) }
        }
        var texts: [String] = []
        if let json {
            for key in ["choices", "content", "output"] {
                json[key]?.collectStrings(into: &texts, skippingKeys: ["role", "type", "finish_reason", "id", "object", "status", "stop_reason"])
            }
        }
        return (estimate(plan: plan, completion: texts.joined()), true)
    }

    func estimate(plan: Plan, completion: String) -> Usage {
        let model = plan.targets[0].target.model
        let output = plan.endpoint == .embeddings ? 0 : dependencies.tokenCounter.count(completion, model: model).tokens
        return Usage(input: plan.input.tokens, output: output)
    }

    /// Cost of a usage on the served model; the reservation's worst case when the catalog cannot price a class it contains.
    func cost(_ usage: Usage, price: ModelPrice) -> (Money, Bool) {
        do {
            return (try CostCalculator.cost(of: price, usage: usage).total, false)
        } catch {
            logger.warning("usage could not be priced exactly", metadata: ["model": "\(price.name)", "error": "\(error)"])
            let fallback = Usage(input: usage.input, output: usage.output)
            return ((try? CostCalculator.cost(of: price, usage: fallback).total) ?? .zero, true)
        }
    }

    /// A whole response: read it, bill it, cache it, pass it on.
    func completeResponse(
        _ plan: Plan, price: ModelPrice, response: HTTPClientResponse, record: inout RequestRecord, headers: HTTPFields, upstreamStarted: ContinuousClock.Instant
    ) async throws -> Response {
        let buffer: ByteBuffer
        do {
            buffer = try await response.body.collect(upTo: config.maxResponseBytes)
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            throw GatewayError.upstream(.gatewayTimeout, "The upstream '\(record.upstream ?? "")' did not finish its answer in time.", code: "upstream_timeout")
        } catch {
            throw GatewayError.upstream(.badGateway, "The upstream '\(record.upstream ?? "")' broke off its answer: \(error).", code: "upstream_error")
        }
        let upstreamLatency = upstreamStarted.duration(to: clock.now)
        record.upstreamLatencyMicros = upstreamLatency.microseconds
        GatewayMetrics.upstreamLatency(upstream: record.upstream ?? "", seconds: upstreamLatency.seconds)
        let status = Int(response.status.code)
        record.status = status
        let bytes = Array(buffer.readableBytesView)
        var fields = headers
        fields[.contentType] = response.headers.first(name: "content-type") ?? "application/json"
        if status == 200 {
            let json = try? JSONValue.parse(bytes)
            if let served = json?["model"]?.stringValue { record.modelServed = served }
            let (usage, estimated) = usage(of: json, plan: plan)
            let (cost, unpriced) = cost(usage, price: price)
            record.usage = usage
            record.cost = cost
            record.estimated = estimated || unpriced
            if plan.explicitMaxOutput == nil { chargeTokens(plan.key, tokens: usage.output) }
            if let cacheKey = plan.cacheKey {
                cache.put(cacheKey, body: bytes, contentType: fields[.contentType] ?? "application/json", cost: cost, modelServed: record.modelServed ?? price.name, usage: usage)
            }
            if config.logContent { logger.info("response body", metadata: ["response.body": "\(String(decoding: bytes, as: UTF8.self))"]) }
        } else {
            record.errorCode = "upstream_\(status)"
        }
        return Response(status: HTTPResponse.Status(code: status), headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// Counts completion tokens learnt after the fact against the TPM limits.
    func chargeTokens(_ key: KeyInfo, tokens: Int) {
        if let limit = key.tpm ?? config.limits.keyTPM { limiter.charge("k:t:\(key.id)", amount: tokens, limit: limit) }
        if let limit = config.limits.userTPM { limiter.charge("u:t:\(key.user)", amount: tokens, limit: limit) }
    }

    /// A stream: passed through event by event as it arrives; billed when it ends or breaks.
    func streamResponse(
        _ plan: Plan, price: ModelPrice, response: HTTPClientResponse, record: RequestRecord, headers: HTTPFields, started: ContinuousClock.Instant,
        upstreamStarted: ContinuousClock.Instant
    ) -> Response {
        var fields = headers
        fields[.contentType] = response.headers.first(name: "content-type") ?? "text/event-stream"
        fields[.cacheControl] = "no-cache"
        let stripUsage = plan.endpoint.asksForStreamUsage && plan.body["stream_options"]?["include_usage"]?.boolValue != true
        let body = ResponseBody { [self] writer in
            var record = record
            record.status = 200
            var meter = StreamMeter(endpoint: plan.endpoint, stripUsageChunk: stripUsage)
            var upstreamError: (any Error)?
            var clientGone = false
            var iterator = response.body.makeAsyncIterator()
            while true {
                let chunk: ByteBuffer?
                do {
                    chunk = try await iterator.next()
                } catch {
                    upstreamError = error
                    break
                }
                guard let chunk else { break }
                let out = meter.feed(chunk.readableBytesView)
                if !out.isEmpty {
                    do {
                        try await writer.write(ByteBuffer(bytes: out))
                    } catch {
                        clientGone = true
                        break
                    }
                }
            }
            if !clientGone {
                let rest = meter.finish()
                if !rest.isEmpty { _ = try? await writer.write(ByteBuffer(bytes: rest)) }
            }
            let upstreamLatency = upstreamStarted.duration(to: clock.now)
            record.upstreamLatencyMicros = upstreamLatency.microseconds
            GatewayMetrics.upstreamLatency(upstream: record.upstream ?? "", seconds: upstreamLatency.seconds)
            if let model = meter.model { record.modelServed = model }
            if !meter.finished && !clientGone {
                let reason = upstreamError.map { "\($0)" } ?? "the upstream closed the stream before its end"
                record.errorCode = "stream_interrupted"
                logger.warning("stream interrupted", metadata: ["upstream": "\(record.upstream ?? "")", "reason": "\(reason)"])
                let error = GatewayError.upstream(.badGateway, "The upstream '\(record.upstream ?? "")' broke off the stream; the part you received is billed.", code: "stream_interrupted")
                _ = try? await writer.write(ByteBuffer(string: "data: \(error.body)\n\n"))
            } else if clientGone {
                record.errorCode = "client_disconnected"
            }
            if let usage = meter.usage, meter.finished {
                record.usage = usage
            } else {
                var usage = estimate(plan: plan, completion: meter.text)
                if let partial = meter.usage {
                    usage.input = max(usage.input, partial.input)
                    usage.cachedInput = min(usage.input, partial.cachedInput)
                    usage.cacheWrite = min(usage.input - usage.cachedInput, partial.cacheWrite)
                    usage.cacheWrite1h = min(usage.input - usage.cachedInput - usage.cacheWrite, partial.cacheWrite1h)
                    usage.output = max(usage.output, partial.output)
                }
                record.usage = usage
                record.estimated = true
            }
            let (cost, unpriced) = self.cost(record.usage, price: price)
            record.cost = cost
            record.estimated = record.estimated || unpriced
            if plan.explicitMaxOutput == nil { chargeTokens(plan.key, tokens: record.usage.output) }
            await complete(&record, started: started)
            if !clientGone { try? await writer.finish(nil) }
        }
        return Response(status: .ok, headers: fields, body: body)
    }
}

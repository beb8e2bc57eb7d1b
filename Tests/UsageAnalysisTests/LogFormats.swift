import CostModel
import Foundation
import Pricing
import TokenomicsCore
@testable import UsageAnalysis

/// Writes the events of a generated JSON-lines log in the other readers' formats, as those tools
/// write them: LiteLLM SpendLogs rows, OpenTelemetry GenAI spans (OTLP JSON, one export request a
/// line) and OpenAI's usage export (daily buckets per project, user and model).
enum LogFormats {
    struct Event {
        var ts: String
        var seconds: Int64
        var user: String
        var feature: String
        var model: String
        var input: Int
        var output: Int
        var cached: Int
        var reasoning: Int
        var hash: String
        var interaction: String
    }

    /// The generator's lines (JSONValue; its timestamps are `YYYY-MM-DDTHH:MM:SSZ`).
    static func events(_ jsonl: String) -> [Event] {
        jsonl.split(separator: "\n").compactMap { line in
            guard let json = try? JSONValue.parse(Array(line.utf8)), case .string(let ts)? = json["ts"] else { return nil }
            func int(_ key: String) -> Int { if case .number(let n)? = json[key] { return Int(n) ?? 0 }; return 0 }
            func string(_ key: String) -> String { if case .string(let v)? = json[key] { return v }; return "" }
            let t = Array(ts.utf8)
            func digits(_ range: Range<Int>) -> Int { t[range].reduce(0) { $0 * 10 + Int($1 - 48) } }
            let day = UTC.days(year: digits(0..<4), month: digits(5..<7), day: digits(8..<10))
            let seconds = Int64(day) * 86_400 + Int64(digits(11..<13) * 3600 + digits(14..<16) * 60 + digits(17..<19))
            return Event(
                ts: ts, seconds: seconds, user: string("user"), feature: string("feature"), model: string("model"), input: int("input_tokens"),
                output: int("output_tokens"), cached: int("cached_input_tokens"), reasoning: int("reasoning_tokens"), hash: string("request_hash"),
                interaction: string("interaction_id"))
        }
    }

    static func provider(_ model: String) -> String {
        model.hasPrefix("claude") ? "anthropic" : model.hasPrefix("gemini") ? "gemini" : model.hasPrefix("acme") ? "openai_compatible" : "openai"
    }

    /// LiteLLM SpendLogs as JSON lines: `spend` is LiteLLM's own price (0 for a model it cannot
    /// price), usage details in `metadata.usage_object`, the cache key as the request hash.
    static func liteLLM(_ jsonl: String, catalog: Catalog) -> String {
        var models: [String: ModelPrice?] = [:]
        var out = ""
        for (index, e) in events(jsonl).enumerated() {
            let usage = Usage(input: e.input, output: e.output, cachedInput: e.cached, reasoning: e.reasoning)
            if models[e.model] == nil { models[e.model] = .some(catalog.find(e.model)) }
            let model = models[e.model]!
            let spend = model.flatMap { try? CostCalculator.cost(of: $0, usage: usage, tier: .standard).total.exactString } ?? "0.0"
            let usageObject = provider(e.model) == "anthropic"
                ? #"{"prompt_tokens":\#(e.input),"completion_tokens":\#(e.output),"total_tokens":\#(e.input + e.output),"cache_read_input_tokens":\#(e.cached),"cache_creation_input_tokens":0}"#
                : #"{"prompt_tokens":\#(e.input),"completion_tokens":\#(e.output),"total_tokens":\#(e.input + e.output),"prompt_tokens_details":{"cached_tokens":\#(e.cached)},"completion_tokens_details":{"reasoning_tokens":\#(e.reasoning)}}"#
            let callType = e.model.hasPrefix("text-embedding") ? "aembedding" : "acompletion"
            let end = UTC.timestampString(e.seconds + 2)
            out += #"{"request_id":"chatcmpl-\#(index)","call_type":"\#(callType)","api_key":"88dc28d0f030c55ed4ab77ed8faf098196cb1c05df778539800c9f1243fe6b4b","spend":\#(spend),"total_tokens":\#(e.input + e.output),"prompt_tokens":\#(e.input),"completion_tokens":\#(e.output),"startTime":"\#(e.ts)","endTime":"\#(end)","model":"\#(e.model)","model_group":"\#(e.model)","custom_llm_provider":"\#(provider(e.model))","api_base":"https://api.example.com/v1","user":"backend","metadata":{"user_api_key_end_user_id":"\#(e.user)","usage_object":\#(usageObject)},"cache_hit":"False","cache_key":"\#(e.hash)","request_tags":["\#(e.feature)"],"team_id":null,"end_user":"\#(e.user)","session_id":"\#(e.interaction)"}"#
            out += "\n"
        }
        return out
    }

    /// OTLP JSON as the collector's file exporter writes it: one `ExportTraceServiceRequest` a line,
    /// each with a batch of spans. Anthropic spans report cache reads beside the input tokens.
    static func otel(_ jsonl: String, batch: Int = 64) -> String {
        let all = events(jsonl)
        var out = ""
        var start = 0
        func hex(_ value: Int, _ width: Int) -> String {
            let text = String(value, radix: 16)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        while start < all.count {
            var spans: [String] = []
            for (offset, e) in all[start..<min(all.count, start + batch)].enumerated() {
                let system = provider(e.model) == "anthropic" ? "anthropic" : provider(e.model) == "gemini" ? "gcp.gemini" : "openai"
                func attribute(_ key: String, string value: String) -> String { #"{"key":"\#(key)","value":{"stringValue":"\#(value)"}}"# }
                func attribute(_ key: String, int value: Int) -> String { #"{"key":"\#(key)","value":{"intValue":"\#(value)"}}"# }
                var attributes = [
                    attribute("gen_ai.operation.name", string: e.model.hasPrefix("text-embedding") ? "embeddings" : "chat"),
                    attribute("gen_ai.system", string: system), attribute("gen_ai.request.model", string: e.model),
                    attribute("gen_ai.response.model", string: e.model),
                    attribute("gen_ai.usage.input_tokens", int: system == "anthropic" ? e.input - e.cached : e.input),
                    attribute("gen_ai.usage.output_tokens", int: e.output), attribute("user.id", string: e.user),
                    attribute("app.feature", string: e.feature), attribute("session.id", string: e.interaction),
                ]
                if e.cached > 0 { attributes.append(attribute("gen_ai.usage.cache_read.input_tokens", int: e.cached)) }
                if e.reasoning > 0 { attributes.append(attribute("gen_ai.usage.reasoning_tokens", int: e.reasoning)) }
                let nanos = e.seconds * 1_000_000_000
                spans.append(#"{"traceId":"\#(hex(start + offset, 32))","spanId":"\#(hex(start + offset + 1, 16))","name":"chat \#(e.model)","kind":3,"startTimeUnixNano":"\#(nanos)","endTimeUnixNano":"\#(nanos + 1_200_000_000)","attributes":[\#(attributes.joined(separator: ","))],"status":{}}"#)
            }
            out += #"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"support-app"}}]},"scopeSpans":[{"scope":{"name":"opentelemetry.instrumentation.openai_v2","version":"2.1b0"},"spans":[\#(spans.joined(separator: ","))]}]}]}"#
            out += "\n"
            start += batch
        }
        return out
    }

    /// OpenAI's usage export (completions and embeddings, 1-day buckets grouped by project, user and
    /// model): only OpenAI's models appear, under their snapshot names, with the bucket's sums and
    /// its `num_model_requests`.
    static func openAICSV(_ jsonl: String) -> String {
        let snapshots = ["gpt-4o": "gpt-4o-2024-08-06", "gpt-4o-mini": "gpt-4o-mini-2024-07-18", "o4-mini": "o4-mini-2025-04-16"]
        struct Bucket { var input = 0, output = 0, cached = 0, requests = 0 }
        var buckets: [String: Bucket] = [:]
        var keys: [(day: Int64, feature: String, user: String, model: String)] = []
        for e in events(jsonl) where provider(e.model) == "openai" {
            let day = e.seconds / 86_400 * 86_400
            let model = snapshots[e.model] ?? e.model
            let key = "\(day)|\(e.feature)|\(e.user)|\(model)"
            if buckets[key] == nil { keys.append((day, e.feature, e.user, model)) }
            buckets[key, default: Bucket()].input += e.input
            buckets[key, default: Bucket()].output += e.output
            buckets[key, default: Bucket()].cached += e.cached
            buckets[key, default: Bucket()].requests += 1
        }
        var lines = ["start_time,end_time,start_time_iso,end_time_iso,project_id,project_name,user_id,api_key_id,model,batch,service_tier,input_tokens,output_tokens,input_cached_tokens,input_audio_tokens,output_audio_tokens,num_model_requests"]
        for key in keys {
            let b = buckets["\(key.day)|\(key.feature)|\(key.user)|\(key.model)"]!
            let startISO = String(UTC.timestampString(key.day).dropLast()) + "+00:00"
            let endISO = String(UTC.timestampString(key.day + 86_400).dropLast()) + "+00:00"
            lines.append([
                "\(key.day)", "\(key.day + 86_400)", startISO, endISO, "proj_\(key.feature)", key.feature, key.user, "key_\(key.user.suffix(3))",
                key.model, "False", "default", "\(b.input)", "\(b.output)", "\(b.cached)", "0", "0", "\(b.requests)",
            ].joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

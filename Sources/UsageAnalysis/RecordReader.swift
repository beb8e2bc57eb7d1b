import CostModel
import Pricing
import TokenomicsCore

/// Turns the lines of a provider export (OpenAI CSV, LiteLLM SpendLogs, OTLP JSON) into events.
///
/// These formats are read record by record into ``UsageEvent``s; only our own JSON lines have the
/// byte-level fast path.
struct RecordReader {
    let format: InputFormat
    let file: String
    private var header: [String: Int]? = nil
    private var pending = ""
    private var pendingLine = 0
    private var otelDocument: [UInt8] = []
    private var otelStart = 0
    private var isCSV: Bool? = nil

    struct Outcome {
        var events: [UsageEvent] = []
        var bad: BadLine? = nil
    }

    init(format: InputFormat, file: String) {
        self.format = format
        self.file = file
    }

    mutating func feed(_ bytes: UnsafeRawBufferPointer, number: Int) -> Outcome {
        if format == .otel { return feedOTel(bytes, number: number) }
        let line = String(decoding: bytes, as: UTF8.self)
        if isCSV == nil {
            let trimmed = line.trimmedText()
            if trimmed.isEmpty { return Outcome() }
            isCSV = !(format == .litellm && trimmed.hasPrefix("{"))
        }
        if isCSV == false {
            if line.trimmedText().isEmpty { return Outcome() }
            do {
                let json = try JSONValue.parse(Array(bytes))
                guard case .object = json else { return bad(number, "not a JSON object") }
                return try Outcome(events: [liteLLMEvent(JSONFields(json))])
            } catch let error as JSONValue.SyntaxError {
                return bad(number, "malformed JSON: \(error.reason)")
            } catch let error as RecordProblem {
                return bad(number, error.reason)
            } catch {
                return bad(number, "\(error)")
            }
        }
        // CSV: gather a complete record (quoted fields may span lines).
        if pending.isEmpty { pendingLine = number; pending = line } else { pending += "\n" + line }
        guard CSV.isComplete(pending) else { return Outcome() }
        let record = pending
        pending = ""
        if record.trimmedText().isEmpty { return Outcome() }
        let fields = CSV.split(record)
        guard let header else {
            var map: [String: Int] = [:]
            for (index, name) in fields.enumerated() { map[name.trimmedText().lowercased()] = index }
            self.header = map
            return Outcome()
        }
        guard fields.count == header.count else {
            return bad(pendingLine, "expected \(header.count) fields, found \(fields.count)")
        }
        let row = CSVFields(header: header, fields: fields)
        do {
            let event = format == .litellm ? try liteLLMEvent(row) : try openAIEvent(row)
            return Outcome(events: [event])
        } catch let error as RecordProblem {
            return bad(pendingLine, error.reason)
        } catch {
            return bad(pendingLine, "\(error)")
        }
    }

    mutating func finish() -> Outcome {
        if !pending.isEmpty { return bad(pendingLine, "unterminated quoted field") }
        if !otelDocument.isEmpty {
            let document = otelDocument
            otelDocument = []
            return parseOTel(document, number: otelStart)
        }
        return Outcome()
    }

    private func bad(_ line: Int, _ reason: String) -> Outcome { Outcome(events: [], bad: BadLine(file: file, line: line, reason: reason)) }

    // MARK: Field access

    struct RecordProblem: Error { var reason: String }

    protocol Fields {
        func string(_ key: String) -> String?
    }

    struct CSVFields: Fields {
        var header: [String: Int]
        var fields: [String]
        func string(_ key: String) -> String? {
            guard let index = header[key.lowercased()] else { return nil }
            let value = fields[index].trimmedText()
            return value.isEmpty || value.lowercased() == "null" ? nil : value
        }
    }

    struct JSONFields: Fields {
        var json: JSONValue
        init(_ json: JSONValue) { self.json = json }
        func string(_ key: String) -> String? {
            switch json[key] {
            case .string(let s): s.isEmpty ? nil : s
            case .number(let n): n
            case .bool(let b): b ? "true" : "false"
            case .object, .array: json[key].map { JSONFields.text($0) }
            default: nil
            }
        }
        static func text(_ value: JSONValue) -> String {
            switch value {
            case .string(let s): s
            case .number(let n): n
            default: ""
            }
        }
    }

    static func integer(_ fields: some Fields, _ keys: [String]) throws -> Int {
        for key in keys {
            guard let text = fields.string(key) else { continue }
            if let value = Int(text) { return value }
            if let value = Double(text), value == value.rounded(), value >= 0, value < 1e15 { return Int(value) }
            throw RecordProblem(reason: "'\(key)' is not a whole number: '\(text)'")
        }
        return 0
    }

    static func timestamp(_ fields: some Fields, _ keys: [String]) throws -> Int64 {
        for key in keys {
            guard let text = fields.string(key) else { continue }
            guard let value = UTC.parseTimestamp(text) else { throw RecordProblem(reason: "'\(key)' is not a timestamp: '\(text)'") }
            return value
        }
        throw RecordProblem(reason: "missing time (\(keys.joined(separator: " or ")))")
    }

    // MARK: OpenAI usage export

    /// One row of OpenAI's completions usage export (one time bucket of one model, project, user or key).
    func openAIEvent(_ row: some Fields) throws -> UsageEvent {
        let time = try Self.timestamp(row, ["start_time_iso", "start_time", "aggregation_timestamp", "timestamp", "date"])
        guard let model = row.string("model") ?? row.string("snapshot_id") else { throw RecordProblem(reason: "missing 'model'") }
        let user = row.string("user_id") ?? row.string("user_email") ?? row.string("user") ?? row.string("api_key_id") ?? row.string("api_key_name")
            ?? row.string("project_id") ?? "(unknown)"
        let feature = row.string("project_name") ?? row.string("project_id") ?? row.string("api_key_name") ?? ""
        let input = try Self.integer(row, ["input_tokens", "n_context_tokens_total"])
        let cached = try Self.integer(row, ["input_cached_tokens", "n_cached_context_tokens_total"])
        let output = try Self.integer(row, ["output_tokens", "n_generated_tokens_total"])
        let audioIn = try Self.integer(row, ["input_audio_tokens"])
        let audioOut = try Self.integer(row, ["output_audio_tokens"])
        let batch = row.string("batch")?.lowercased() == "true"
        var tier: ServiceTier = batch ? .batch : .standard
        if let text = row.string("service_tier"), let parsed = JSONLParserTier.parse(text) { tier = batch ? .batch : parsed }
        let usage = Usage(input: input, output: output, cachedInput: cached, audioInput: audioIn, audioOutput: audioOut)
        do { try usage.validate() } catch { throw RecordProblem(reason: error.description) }
        let requests = try Self.integer(row, ["num_model_requests", "n_requests"])
        return UsageEvent(timestamp: time, user: user, feature: feature, model: model, usage: usage, tier: tier, requests: max(1, requests))
    }

    // MARK: LiteLLM SpendLogs

    func liteLLMEvent(_ row: some Fields) throws -> UsageEvent {
        let time = try Self.timestamp(row, ["startTime", "start_time", "endTime"])
        guard let model = row.string("model") ?? row.string("model_group") else { throw RecordProblem(reason: "missing 'model'") }
        let user = row.string("end_user") ?? row.string("user") ?? row.string("api_key") ?? "(unknown)"
        var metadata: JSONValue? = nil
        if let json = row as? JSONFields, case .object? = json.json["metadata"] {
            metadata = json.json["metadata"]
        } else if let text = row.string("metadata"), text.hasPrefix("{") {
            metadata = try? JSONValue.parse(Array(text.utf8))
        }
        var feature = ""
        if let tags = row.string("request_tags"), let json = try? JSONValue.parse(Array(tags.utf8)), case .array(let items) = json,
            case .string(let first)? = items.first
        {
            feature = first
        } else if let tags = (row as? JSONFields)?.json["request_tags"], case .array(let items) = tags, case .string(let first)? = items.first {
            feature = first
        }
        if feature.isEmpty { feature = row.string("call_type") ?? "" }
        let prompt = try Self.integer(row, ["prompt_tokens"])
        let completion = try Self.integer(row, ["completion_tokens"])
        var cached = 0
        var cacheWrite = 0
        var reasoning = 0
        if let usage = metadata?["usage_object"] {
            func int(_ value: JSONValue?) -> Int { if case .number(let n)? = value { return Int(n) ?? 0 }; return 0 }
            cached = int(usage["prompt_tokens_details"]?["cached_tokens"])
            if cached == 0 { cached = int(usage["cache_read_input_tokens"]) }
            cacheWrite = int(usage["cache_creation_input_tokens"])
            reasoning = int(usage["completion_tokens_details"]?["reasoning_tokens"])
        }
        var billed: Money? = nil
        if let spend = row.string("spend") {
            do { billed = try Money(exactly: spend) } catch { throw RecordProblem(reason: "'spend' is not an amount: '\(spend)'") }
        }
        let usage = Usage(input: prompt, output: completion, cachedInput: cached, cacheWrite: cacheWrite, reasoning: min(reasoning, completion))
        do { try usage.validate() } catch { throw RecordProblem(reason: error.description) }
        let cacheKey = row.string("cache_key")
        return UsageEvent(
            timestamp: time, user: user, feature: feature, model: model, usage: usage, billedCost: billed,
            requestHash: cacheKey == "Cache OFF" ? nil : cacheKey, interactionID: row.string("session_id") ?? row.string("trace_id")
        )
    }

    // MARK: OTLP JSON

    private mutating func feedOTel(_ bytes: UnsafeRawBufferPointer, number: Int) -> Outcome {
        if !otelDocument.isEmpty {
            otelDocument += bytes
            otelDocument.append(0x0A)
            return Outcome()
        }
        let line = Array(bytes)
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return Outcome() }
        if let parsed = try? JSONValue.parse(line) { return otelEvents(parsed, number: number) }
        // A pretty-printed document: gather it whole (only when it starts the file).
        if number == 1 || otelStart == 0 && line.first == UInt8(ascii: "{") && line.count < 4 {
            otelStart = number
            otelDocument = line + [0x0A]
            return Outcome()
        }
        return bad(number, "malformed OTLP JSON line")
    }

    private func parseOTel(_ document: [UInt8], number: Int) -> Outcome {
        do {
            return otelEvents(try JSONValue.parse(document), number: number)
        } catch {
            return bad(number + error.line - 1, "malformed OTLP JSON: \(error.reason)")
        }
    }

    private func otelEvents(_ json: JSONValue, number: Int) -> Outcome {
        guard case .array(let resources)? = json["resourceSpans"] else { return bad(number, "no 'resourceSpans' in OTLP JSON") }
        var outcome = Outcome()
        for resource in resources {
            let resourceAttributes = Self.attributes(resource["resource"]?["attributes"])
            guard case .array(let scopes)? = resource["scopeSpans"] ?? resource["instrumentationLibrarySpans"] else { continue }
            for scope in scopes {
                guard case .array(let spans)? = scope["spans"] else { continue }
                for span in spans {
                    let attributes = Self.attributes(span["attributes"])
                    guard let model = attributes["gen_ai.response.model"] ?? attributes["gen_ai.request.model"] else { continue }
                    do {
                        outcome.events.append(try otelEvent(span, attributes, resourceAttributes, model: model))
                    } catch let error as RecordProblem {
                        if outcome.bad == nil { outcome.bad = BadLine(file: file, line: number, reason: error.reason) }
                    } catch {}
                }
            }
        }
        return outcome
    }

    private func otelEvent(_ span: JSONValue, _ a: [String: String], _ resource: [String: String], model: String) throws -> UsageEvent {
        func int(_ keys: String...) throws -> Int {
            for key in keys {
                guard let text = a[key] else { continue }
                guard let value = Int(text) else { throw RecordProblem(reason: "attribute '\(key)' is not a whole number: '\(text)'") }
                return value
            }
            return 0
        }
        var time: Int64 = 0
        if let nanos = span["startTimeUnixNano"].map(JSONFields.text), let value = Int64(nanos) {
            time = value / 1_000_000_000
        } else {
            throw RecordProblem(reason: "span without startTimeUnixNano")
        }
        var input = try int("gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens")
        let output = try int("gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens")
        let cached = try int("gen_ai.usage.cache_read.input_tokens", "gen_ai.usage.cache_read_input_tokens", "gen_ai.usage.cached_tokens")
        let cacheWrite = try int("gen_ai.usage.cache_creation.input_tokens", "gen_ai.usage.cache_creation_input_tokens")
        let reasoning = try int("gen_ai.usage.reasoning_tokens", "gen_ai.usage.output_tokens.reasoning")
        let provider = (a["gen_ai.provider.name"] ?? a["gen_ai.system"] ?? "").lowercased()
        // Anthropic reports cache reads and writes beside its input count: add them in.
        if provider.contains("anthropic") { input += cached + cacheWrite }
        let usage = Usage(input: input, output: output, cachedInput: cached, cacheWrite: cacheWrite, reasoning: min(reasoning, output))
        do { try usage.validate() } catch { throw RecordProblem(reason: error.description) }
        let user = a["user.id"] ?? a["enduser.id"] ?? a["gen_ai.request.user"] ?? resource["user.id"] ?? "(unknown)"
        let feature = a["feature"] ?? a["app.feature"] ?? resource["service.name"] ?? a["gen_ai.operation.name"] ?? ""
        let interaction = a["session.id"] ?? a["gen_ai.conversation.id"] ?? span["traceId"].map(JSONFields.text)
        return UsageEvent(
            timestamp: time, user: user, feature: feature, model: model, usage: usage,
            requestHash: a["gen_ai.request.hash"], interactionID: interaction
        )
    }

    static func attributes(_ list: JSONValue?) -> [String: String] {
        guard case .array(let items)? = list else { return [:] }
        var out: [String: String] = [:]
        for item in items {
            guard case .string(let key)? = item["key"], let value = item["value"] else { continue }
            for kind in ["stringValue", "intValue", "doubleValue", "boolValue"] {
                if let v = value[kind] {
                    switch v {
                    case .string(let s): out[key] = s
                    case .number(let n): out[key] = n
                    case .bool(let b): out[key] = b ? "true" : "false"
                    default: break
                    }
                }
            }
        }
        return out
    }
}

enum JSONLParserTier {
    static func parse(_ text: String) -> ServiceTier? {
        switch text.lowercased() {
        case "", "standard", "default", "auto", "on_demand", "scale": .standard
        default: ServiceTier(rawValue: text.lowercased())
        }
    }
}

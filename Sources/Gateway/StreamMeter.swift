import CostModel
import Pricing
import TokenomicsCore

/// Reads a server-sent-event stream as it passes through: forwards each complete event at once,
/// drops the usage-only chunk the gateway asked for on the client's behalf, and keeps the usage
/// and the streamed text for billing.
struct StreamMeter {
    let endpoint: Endpoint
    /// Drop the final usage-only chunk (the client did not ask for `include_usage`).
    let stripUsageChunk: Bool
    private var pending: [UInt8] = []
    /// Usage reported by the upstream, if any so far.
    private(set) var usage: Usage?
    /// The model named in the stream.
    private(set) var model: String?
    /// Completion text seen so far (for a local count when no usage arrives).
    private(set) var text = ""
    /// True once the terminal event (`[DONE]`, `message_stop`, `response.completed`) has passed.
    private(set) var finished = false

    init(endpoint: Endpoint, stripUsageChunk: Bool) {
        self.endpoint = endpoint
        self.stripUsageChunk = stripUsageChunk
    }

    /// Takes bytes from upstream; returns the bytes to forward now (complete events only).
    mutating func feed(_ bytes: some Collection<UInt8>) -> [UInt8] {
        // Bytes already scanned hold no event end (but up to two of them may begin one), so a large
        // event that arrives in many reads is scanned once, not once per read.
        let scanned = max(0, pending.count - 2)
        pending.append(contentsOf: bytes)
        var out: [UInt8] = []
        var start = 0
        var index = scanned
        let count = pending.count
        while index + 1 < count {
            // An event ends with a blank line: "\n\n" (or "\r\n\r\n", whose last two bytes are "\r\n" after "\n").
            if pending[index] == 0x0A && (pending[index + 1] == 0x0A || (pending[index + 1] == 0x0D && index + 2 < count && pending[index + 2] == 0x0A)) {
                let end = pending[index + 1] == 0x0A ? index + 2 : index + 3
                let event = pending[start..<end]
                if keep(event) { out.append(contentsOf: event) }
                start = end
                index = end
            } else {
                index += 1
            }
        }
        if start > 0 { pending.removeFirst(start) }
        return out
    }

    /// Bytes left over at the end of the stream (an unterminated last event), forwarded as they are.
    mutating func finish() -> [UInt8] {
        defer { pending = [] }
        guard !pending.isEmpty else { return [] }
        return keep(pending[...]) ? pending : []
    }

    /// Inspects one event; false when it must not be forwarded.
    private mutating func keep(_ event: ArraySlice<UInt8>) -> Bool {
        var data: [UInt8] = []
        var eventName = ""
        for line in event.split(separator: 0x0A, omittingEmptySubsequences: true) {
            var line = line
            if line.last == 0x0D { line = line.dropLast() }
            if line.starts(with: Self.dataPrefix) {
                var payload = line.dropFirst(5)
                if payload.first == 0x20 { payload = payload.dropFirst() }
                if !data.isEmpty { data.append(0x0A) }
                data.append(contentsOf: payload)
            } else if line.starts(with: Self.eventPrefix) {
                eventName = String(decoding: line.dropFirst(6), as: UTF8.self).trimmingSpaces
            }
        }
        guard !data.isEmpty else { return true }
        if data == Self.done {
            finished = true
            return true
        }
        guard let json = try? JSONValue.parse(data) else { return true }
        switch endpoint {
        case .messages:
            let type = json["type"]?.stringValue ?? eventName
            if type == "message_start" {
                model = json["message"]?["model"]?.stringValue ?? model
                if let u = json["message"]?["usage"] { usage = UsageParsing.mergeAnthropic(usage, u) }
            } else if type == "message_delta", let u = json["usage"] {
                usage = UsageParsing.mergeAnthropic(usage, u)
            } else if type == "content_block_delta", let delta = json["delta"] {
                for key in ["text", "partial_json", "thinking"] { if let s = delta[key]?.stringValue { text += s } }
            } else if type == "message_stop" {
                finished = true
            }
            return true
        case .responses:
            let type = json["type"]?.stringValue ?? eventName
            if type == "response.output_text.delta" || type == "response.function_call_arguments.delta" || type == "response.reasoning_summary_text.delta" {
                text += json["delta"]?.stringValue ?? ""
            } else if type == "response.completed" || type == "response.incomplete" {
                finished = true
                if let u = json["response"]?["usage"] { usage = UsageParsing.openAI(u) ?? usage }
                model = json["response"]?["model"]?.stringValue ?? model
            } else if type == "response.created" {
                model = json["response"]?["model"]?.stringValue ?? model
            }
            return true
        default:
            if let m = json["model"]?.stringValue { model = m }
            for choice in json["choices"]?.arrayValue ?? [] {
                if let s = choice["text"]?.stringValue { text += s }
                if let delta = choice["delta"] {
                    for key in ["content", "reasoning_content", "refusal"] { if let s = delta[key]?.stringValue { text += s } }
                    for call in delta["tool_calls"]?.arrayValue ?? [] { text += call["function"]?["arguments"]?.stringValue ?? "" }
                }
            }
            if let u = json["usage"], u.isObject, let parsed = UsageParsing.openAI(u) {
                usage = parsed
                if stripUsageChunk && (json["choices"]?.arrayValue?.isEmpty ?? true) { return false }
            }
            return true
        }
    }

    static let dataPrefix = Array("data:".utf8)
    static let eventPrefix = Array("event:".utf8)
    static let done = Array("[DONE]".utf8)
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " || s.last == "\r" { s = s.dropLast() }
        return String(s)
    }
}

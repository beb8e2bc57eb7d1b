import LedgerTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Pricing
@testable import Gateway
import Synchronization
import TokenomicsCore

/// A fake provider on loopback: OpenAI and Anthropic shapes, streams, and faults chosen by the first
/// path segment of the upstream's base URL (`/ok/v1`, `/fail500/v1`, `/slow/v1`, `/cut/v1`, `/nousage/v1`).
final class MockUpstream: Sendable {
    struct Received: Sendable {
        var path: String
        var headers: HTTPFields
        var body: JSONValue
    }

    let received = Mutex<[Received]>([])
    /// Bytes the `/flood/` stream has handed to its connection so far.
    let floodBytes = Atomic<Int>(0)
    /// The size of the `/flood/` stream: far more than any buffer between the upstream and a client.
    static let floodTotal = 1 << 30

    var requests: [Received] { received.withLock { $0 } }

    static let chatUsage = #"{"prompt_tokens":100,"completion_tokens":20,"total_tokens":120,"prompt_tokens_details":{"cached_tokens":40},"completion_tokens_details":{"reasoning_tokens":5}}"#

    func application() -> some ApplicationProtocol {
        let router = Router()
        router.post("/:mode/v1/chat/completions") { request, context in try await self.chat(request, context: context, path: "chat/completions") }
        router.post("/:mode/v1/completions") { request, context in try await self.chat(request, context: context, path: "completions") }
        router.post("/:mode/v1/embeddings") { request, context in
            let body = try await self.remember(request, context: context)
            let count = body["input"]?.arrayValue?.count ?? 1
            let data = (0..<count).map { #"{"object":"embedding","index":\#($0),"embedding":[0.1,0.2]}"# }.joined(separator: ",")
            return Self.json(#"{"object":"list","data":[\#(data)],"model":"text-embedding-3-small","usage":{"prompt_tokens":8,"total_tokens":8}}"#)
        }
        router.post("/:mode/v1/responses") { request, context in
            let body = try await self.remember(request, context: context)
            if body["stream"]?.boolValue == true {
                let events = [
                    #"event: response.created\#ndata: {"type":"response.created","response":{"id":"resp_1","model":"gpt-4o-mini-2024-07-18"}}"#,
                    #"event: response.output_text.delta\#ndata: {"type":"response.output_text.delta","delta":"Hi there"}"#,
                    #"event: response.completed\#ndata: {"type":"response.completed","response":{"id":"resp_1","model":"gpt-4o-mini-2024-07-18","usage":{"input_tokens":30,"input_tokens_details":{"cached_tokens":10},"output_tokens":12,"output_tokens_details":{"reasoning_tokens":4},"total_tokens":42}}}"#,
                ]
                return Self.sse(events.map { $0 + "\n\n" }, delay: .zero)
            }
            return Self.json(
                #"{"id":"resp_1","object":"response","model":"gpt-4o-mini-2024-07-18","output":[{"type":"message","role":"assistant","content":[{"type":"output_text","text":"Hi there"}]}],"usage":{"input_tokens":30,"input_tokens_details":{"cached_tokens":10},"output_tokens":12,"output_tokens_details":{"reasoning_tokens":4},"total_tokens":42}}"#)
        }
        router.post("/:mode/v1/messages") { request, context in
            let body = try await self.remember(request, context: context)
            let model = body["model"]?.stringValue ?? "claude"
            if body["stream"]?.boolValue == true {
                let events = [
                    #"event: message_start\#ndata: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"\#(model)","content":[],"usage":{"input_tokens":50,"cache_read_input_tokens":30,"cache_creation_input_tokens":20,"output_tokens":1}}}"#,
                    #"event: content_block_start\#ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#,
                    #"event: content_block_delta\#ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}"#,
                    #"event: content_block_stop\#ndata: {"type":"content_block_stop","index":0}"#,
                    #"event: message_delta\#ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":10}}"#,
                    #"event: message_stop\#ndata: {"type":"message_stop"}"#,
                ]
                return Self.sse(events.map { $0 + "\n\n" }, delay: .zero)
            }
            return Self.json(
                #"{"id":"msg_1","type":"message","role":"assistant","model":"\#(model)","content":[{"type":"text","text":"Hello"}],"stop_reason":"end_turn","usage":{"input_tokens":50,"cache_read_input_tokens":30,"cache_creation_input_tokens":20,"output_tokens":10}}"#)
        }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }

    func remember(_ request: Request, context: some RequestContext) async throws -> JSONValue {
        let buffer = try await request.body.collect(upTo: 10 << 20)
        let body = (try? JSONValue.parse(Array(buffer.readableBytesView))) ?? .null
        received.withLock { $0.append(Received(path: request.uri.path, headers: request.headers, body: body)) }
        return body
    }

    static func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// A stream of 16 KB content chunks, written as fast as the connection takes them, up to
    /// ``floodTotal`` bytes; ``floodBytes`` counts what was written.
    func flood(model: String) -> Response {
        let content = String(repeating: "flood ", count: 16 * 1024 / 6)
        let event = #"data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"\#(model)","choices":[{"index":0,"delta":{"content":"\#(content)"},"finish_reason":null}]}"# + "\n\n"
        let buffer = ByteBuffer(string: event)
        return Response(
            status: .ok, headers: [.contentType: "text/event-stream"],
            body: ResponseBody { [self] writer in
                while floodBytes.load(ordering: .relaxed) < Self.floodTotal {
                    try await writer.write(buffer)
                    floodBytes.add(buffer.readableBytes, ordering: .relaxed)
                }
                try await writer.write(ByteBuffer(string: "data: [DONE]\n\n"))
                try await writer.finish(nil)
            })
    }

    static func sse(_ events: [String], delay: Duration) -> Response {
        Response(
            status: .ok, headers: [.contentType: "text/event-stream"],
            body: ResponseBody { writer in
                for event in events {
                    try await writer.write(ByteBuffer(string: event))
                    if delay > .zero { try await Task.sleep(for: delay) }
                }
                try await writer.finish(nil)
            })
    }

    func chat(_ request: Request, context: some RequestContext, path: String) async throws -> Response {
        let body = try await remember(request, context: context)
        let mode = context.parameters.get("mode") ?? "ok"
        let model = body["model"]?.stringValue ?? "?"
        switch mode {
        case "fail500": return Self.json(#"{"error":{"message":"overloaded","type":"server_error"}}"#, status: .internalServerError)
        case "slow": try await Task.sleep(for: .seconds(8))
        case "flood": return flood(model: model)
        default: break
        }
        let isChat = path == "chat/completions"
        if body["stream"]?.boolValue == true {
            let includeUsage = body["stream_options"]?["include_usage"]?.boolValue == true
            let usageField = includeUsage ? #","usage":null"# : ""
            func chunk(_ delta: String, finish: String? = nil) -> String {
                let choice = isChat
                    ? #"{"index":0,"delta":\#(delta),"finish_reason":\#(finish.map { "\"\($0)\"" } ?? "null")}"#
                    : #"{"index":0,"text":\#(delta),"finish_reason":\#(finish.map { "\"\($0)\"" } ?? "null")}"#
                return #"data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"\#(model)","choices":[\#(choice)]\#(usageField)}"# + "\n\n"
            }
            var events = isChat
                ? [chunk(#"{"role":"assistant","content":""}"#), chunk(#"{"content":"Hello"}"#), chunk(#"{"content":" world, this is a streamed answer"}"#)]
                : [chunk(#""Hello""#), chunk(#"" world, this is a streamed answer""#)]
            if mode == "cut" { return Self.sse(events, delay: .milliseconds(5)) }
            events.append(chunk(isChat ? "{}" : #""""#, finish: "stop"))
            if includeUsage && mode != "nousage" {
                events.append(#"data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"\#(model)","choices":[],"usage":\#(Self.chatUsage)}"# + "\n\n")
            }
            events.append("data: [DONE]\n\n")
            return Self.sse(events, delay: mode == "slowstream" ? .milliseconds(300) : .milliseconds(2))
        }
        let usage = mode == "nousage" ? "" : #","usage":\#(Self.chatUsage)"#
        let choice = isChat
            ? #"{"index":0,"message":{"role":"assistant","content":"Hello world"},"finish_reason":"stop"}"#
            : #"{"index":0,"text":"Hello world","finish_reason":"stop"}"#
        return Self.json(#"{"id":"c1","object":"\#(isChat ? "chat.completion" : "text_completion")","created":1,"model":"\#(model)","choices":[\#(choice)]\#(usage)}"#)
    }
}

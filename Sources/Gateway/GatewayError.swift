import Foundation
public import HTTPTypes
import Hummingbird
import NIOCore
import TokenomicsCore

/// An error the gateway returns to a client, in OpenAI's error shape:
/// `{"error": {"message": …, "type": …, "param": null, "code": …}}`.
public struct GatewayError: Error, Equatable, Sendable, CustomStringConvertible {
    public var status: HTTPResponse.Status
    /// OpenAI's `type`: `invalid_request_error`, `authentication_error`, `rate_limit_error`, `api_error`, …
    public var type: String
    /// A stable code: `budget_exceeded`, `rate_limit_exceeded`, `model_not_found`, `invalid_api_key`, …
    public var code: String
    public var message: String
    /// Extra headers (Retry-After, x-ratelimit-*).
    public var headers: [String: String]

    public init(_ status: HTTPResponse.Status, type: String, code: String, message: String, headers: [String: String] = [:]) {
        self.status = status
        self.type = type
        self.code = code
        self.message = message
        self.headers = headers
    }

    public var description: String { "\(status.code) \(code): \(message)" }

    static func badRequest(_ message: String, code: String = "invalid_request") -> GatewayError {
        GatewayError(.badRequest, type: "invalid_request_error", code: code, message: message)
    }
    static func unauthorized(_ message: String) -> GatewayError {
        GatewayError(.unauthorized, type: "authentication_error", code: "invalid_api_key", message: message)
    }
    static func upstream(_ status: HTTPResponse.Status, _ message: String, code: String) -> GatewayError {
        GatewayError(status, type: "api_error", code: code, message: message)
    }

    /// The JSON body, in OpenAI's error shape: `{"error":{"message":…,"type":…,"param":null,"code":…}}`.
    public var body: String { json.serialized(compact: true) }

    /// The body as a value.
    var json: JSONValue {
        .object([("error", .object([("message", .string(message)), ("type", .string(type)), ("param", .null), ("code", .string(code))]))])
    }

    /// The HTTP response.
    func response(extraHeaders: HTTPFields = [:]) -> Response {
        var fields = extraHeaders
        fields[.contentType] = "application/json"
        for (name, value) in headers {
            if let field = HTTPField.Name(name) { fields[field] = value }
        }
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }
}

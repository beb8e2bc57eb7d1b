import Foundation
public import HTTPTypes
import Hummingbird
import NIOCore

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

    /// The JSON body.
    public var body: String {
        "{\"error\":{\"message\":\(Self.quote(message)),\"type\":\(Self.quote(type)),\"param\":null,\"code\":\(Self.quote(code))}}"
    }

    static func quote(_ text: String) -> String {
        var out: [UInt8] = []
        RawJSONWriter.writeString(text, into: &out)
        return String(decoding: out, as: UTF8.self)
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

/// JSON string escaping shared with ``RawJSON`` writing.
enum RawJSONWriter {
    static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [92, 34])
            case 92: out.append(contentsOf: [92, 92])
            case 0x0A: out.append(contentsOf: [92, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [92, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [92, UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [92, UInt8(ascii: "u"), 48, 48, hex[Int(byte >> 4)], hex[Int(byte & 15)]])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

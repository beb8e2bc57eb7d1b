// GatewayFloor PORT UPSTREAM_URL
//
// Forwards every POST body to UPSTREAM_URL + path with the same client settings as the gateway
// (async-http-client on NIO's singleton event loops, Swift tasks on those loops) and answers with
// the upstream's status, content type and body. This is what any gateway built on Hummingbird 2 and
// async-http-client costs before it does anything of its own.
import AsyncHTTPClient
import Hummingbird
import NIOCore
import NIOPosix

_ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
let arguments = CommandLine.arguments
guard arguments.count == 3, let port = Int(arguments[1]) else {
    print("usage: GatewayFloor PORT UPSTREAM_URL")
    exit(2)
}
let upstream = arguments[2]
let client = HTTPClient.shared

let router = Router()
router.post("/**") { request, _ -> Response in
    let body = try await request.body.collect(upTo: 1 << 20)
    var outbound = HTTPClientRequest(url: upstream + request.uri.path)
    outbound.method = .POST
    outbound.headers.add(name: "content-type", value: "application/json")
    outbound.body = .bytes(body)
    let response = try await client.execute(outbound, timeout: .seconds(30))
    let answer = try await response.body.collect(upTo: 8 << 20)
    var headers = HTTPFields()
    headers[.contentType] = response.headers.first(name: "content-type") ?? "application/json"
    return Response(status: .init(code: Int(response.status.code)), headers: headers, body: ResponseBody(byteBuffer: answer))
}
let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: nil))
try await app.runService()

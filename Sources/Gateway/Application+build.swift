import Foundation
import HTTPTypes
public import Hummingbird
import Ledger
import Logging
import NIOCore
public import ServiceLifecycle
import TokenomicsCore

/// Builds the gateway's HTTP application: the OpenAI- and Anthropic-compatible API, `/v1/models`,
/// `/admin`, `/metrics` and `/health`, with the ledger writer (and any `services`, such as the
/// PostgreSQL pool) in its `ServiceGroup`. Before the server starts, migrations run and
/// reservations left open by a crash are recovered.
///
/// ```swift
/// let app = buildApplication(gateway, services: [])
/// try await app.runService()   // SIGTERM/SIGINT: in-flight requests finish, then the ledger is flushed
/// ```
public func buildApplication(_ gateway: Gateway, services: [any Service] = [], onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
    let router = Router()
    router.add(middleware: OpenAIErrorMiddleware())
    for endpoint in Endpoint.allCases {
        router.post(RouterPath(endpoint.rawValue)) { request, _ in await gateway.proxy(request, endpoint: endpoint) }
    }
    router.get("/v1/models") { request, _ in await gateway.models(request) }
    router.get("/health") { _, _ in Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: "{\"status\":\"ok\"}"))) }
    if let metrics = gateway.dependencies.metricsText {
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: ResponseBody(byteBuffer: ByteBuffer(string: metrics())))
        }
    }
    gateway.addAdminRoutes(to: router)
    gateway.addDashboardRoutes(to: router)
    var app = Application(
        router: router,
        configuration: ApplicationConfiguration(address: .hostname(gateway.config.host, port: gateway.config.port), serverName: nil),
        services: services + [gateway.writer] + gateway.dashboardServices,
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
        logger: gateway.logger
    )
    app.beforeServerStarts { try await gateway.prepare() }
    return app
}

extension Gateway {
    /// Migrates the ledger and recovers reservations a crashed process left open.
    ///
    /// With SQLite the file belongs to this process, so every open reservation is orphaned. With
    /// PostgreSQL other instances may have requests in flight, so only reservations older than the
    /// upstream timeout (plus a minute) are recovered.
    public func prepare() async throws {
        try await ledger.migrate()
        let grace = config.recoveryGrace ?? (config.upstreamTimeout + .seconds(60))
        let cutoff = ledger.backend == "sqlite" ? Date() : Date().addingTimeInterval(-grace.seconds)
        let recovered = try await ledger.recoverReservations(openedBefore: cutoff)
        if recovered > 0 {
            logger.warning("recovered reservations left open by a previous process; billed at their reserved amounts", metadata: ["ledger.recovered": "\(recovered)"])
        }
    }

    /// `GET /v1/models`: aliases and every catalog model an upstream serves, in OpenAI's list shape.
    func models(_ request: Request) async -> Response {
        do {
            _ = try await authenticate(request)
        } catch {
            return error.response()
        }
        let list = JSONValue.object([
            ("object", .string("list")),
            ("data", .array(router.listedModels().map { .object([("id", .string($0.id)), ("object", .string("model")), ("created", .int(0)), ("owned_by", .string($0.owner))]) })),
        ])
        return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: list.serializedBytes(compact: true))))
    }
}

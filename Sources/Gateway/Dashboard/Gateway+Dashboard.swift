import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Ledger
import NIOCore
import ServiceLifecycle

extension Gateway {
    /// Mounts the dashboard: `GET /dashboard`, `/dashboard/user/NAME`, `/dashboard/feature/NAME`
    /// (each also as CSV with `?format=csv&table=ID`), `POST /dashboard/login` and `/dashboard/logout`.
    ///
    /// Every page needs the admin key (header or the session cookie the login form sets); without it
    /// the answer is 401 with the login form. See `docs/dashboard.md`.
    func addDashboardRoutes(to router: Router<BasicRequestContext>) {
        router.get("/dashboard") { request, _ in await self.dashboard(request, page: .overview) }
        router.get("/dashboard/user/:name") { request, context in
            await self.dashboard(request, page: .user(Self.pathValue(context.parameters.get("name"))))
        }
        router.get("/dashboard/feature/:name") { request, context in
            await self.dashboard(request, page: .feature(Self.pathValue(context.parameters.get("name"))))
        }
        router.post("/dashboard/login") { request, _ in await self.dashboardLogin(request) }
        router.post("/dashboard/logout") { _, _ in
            Response(status: .seeOther, headers: [.location: "/dashboard", .setCookie: DashboardAuth.clearCookie, .cacheControl: "no-store"])
        }
    }

    /// The dashboard's background pass (``DashboardWarmer``), when the dashboard is on and the
    /// ledger has dashboard queries.
    var dashboardServices: [any Service] {
        guard dashboardAdminKey != nil, let interval = config.dashboardWarmInterval, let ledger = ledger as? any DashboardLedger else { return [] }
        return [DashboardWarmer(ledger: ledger, interval: interval, logger: logger)]
    }

    static func pathValue(_ raw: String?) -> String {
        let text = raw ?? ""
        return text.removingPercentEncoding ?? text
    }

    /// The admin key the dashboard accepts, if the admin API is configured.
    var dashboardAdminKey: String? {
        guard let name = config.adminKeyEnv, let key = dependencies.environment[name], !key.isEmpty else { return nil }
        return key
    }

    static func htmlResponse(_ status: HTTPResponse.Status, _ html: String, extra: HTTPFields = [:]) -> Response {
        var headers = extra
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        headers[.contentSecurityPolicy] = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-ancestors 'none'"
        headers[.xContentTypeOptions] = "nosniff"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    func dashboard(_ request: Request, page: DashboardView.Page) async -> Response {
        switch DashboardAuth.access(request, adminKey: dashboardAdminKey) {
        case .disabled:
            return Self.htmlResponse(
                .forbidden,
                DashboardPage.message(title: "The dashboard is off", text: "Set admin_key_env in the gateway's configuration and that environment variable, then restart."))
        case .denied:
            // A Basic challenge only when asked for: otherwise browsers would show their own dialog instead of the form.
            let challenge: HTTPFields = request.uri.queryParameters.get("auth") == "basic" ? [.wwwAuthenticate: "Basic realm=\"Tokenomics dashboard\", charset=\"UTF-8\""] : [:]
            return Self.htmlResponse(.unauthorized, DashboardPage.login(message: nil, next: request.uri.description), extra: challenge)
        case .allowed:
            break
        }
        guard let ledger = ledger as? any DashboardLedger else {
            return Self.htmlResponse(.notImplemented, DashboardPage.message(title: "No dashboard", text: "This ledger backend has no dashboard queries."))
        }
        var query: [String: String] = [:]
        for (name, value) in request.uri.queryParameters { query[String(name)] = String(value) }
        // Rows recorded a moment ago are still in the writer's buffer; show them.
        await writer.flush()
        let view = DashboardView(page: page, query: query, now: Date())
        do {
            let snapshot = try await DashboardSnapshot.load(view, ledger: ledger)
            if query["format"] == "csv" {
                let id = query["table"] ?? "top-users"
                guard let table = snapshot.tables(view, catalog: dependencies.catalog).first(where: { $0.id == id }) else {
                    let known = snapshot.tables(view, catalog: dependencies.catalog).map(\.id).joined(separator: ", ")
                    return Response(
                        status: .notFound, headers: [.contentType: "text/plain; charset=utf-8"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: "No table '\(id)' on this page; tables: \(known).\n")))
                }
                return Response(
                    status: .ok,
                    headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"tokenomics-\(id).csv\"", .cacheControl: "no-store"],
                    body: ResponseBody(byteBuffer: ByteBuffer(string: table.csv)))
            }
            return Self.htmlResponse(.ok, DashboardPage.render(view, snapshot: snapshot, catalog: dependencies.catalog, backend: ledger.backend))
        } catch {
            logger.error("dashboard query failed", metadata: ["error": "\(error)"])
            return Self.htmlResponse(.serviceUnavailable, DashboardPage.message(title: "The ledger did not answer", text: "\(error)"))
        }
    }

    func dashboardLogin(_ request: Request) async -> Response {
        guard let adminKey = dashboardAdminKey else {
            return Self.htmlResponse(.forbidden, DashboardPage.message(title: "The dashboard is off", text: "Set admin_key_env in the gateway's configuration."))
        }
        let buffer = (try? await request.body.collect(upTo: 64 << 10)) ?? ByteBuffer()
        let fields = DashboardAuth.formFields(String(buffer: buffer))
        var next = fields["next"] ?? "/dashboard"
        if !next.hasPrefix("/dashboard") || next.hasPrefix("/dashboard/login") { next = "/dashboard" }
        guard let presented = fields["key"], Self.constantTimeEqual(presented, adminKey) else {
            return Self.htmlResponse(.unauthorized, DashboardPage.login(message: "That is not the admin key.", next: next))
        }
        return Response(status: .seeOther, headers: [.location: next, .setCookie: DashboardAuth.setCookie(adminKey: adminKey), .cacheControl: "no-store"])
    }
}

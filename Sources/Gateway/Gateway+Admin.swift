import Foundation
import HTTPTypes
import Hummingbird
import Ledger
import NIOCore
import Pricing
import TokenomicsCore

extension Gateway {
    func addAdminRoutes(to router: Router<BasicRequestContext>) {
        let admin = router.group("/admin")
        admin.get("/keys") { request, _ in
            await self.admin(request) {
                let keys = try await self.ledger.keys(user: request.uri.queryParameters.get("user"))
                return .array(keys.map(LedgerJSON.key))
            }
        }
        admin.post("/keys") { request, _ in
            await self.admin(request) {
                let body = try await self.adminBody(request)
                guard let user = body["user"]?.stringValue, !user.isEmpty else { throw GatewayError.badRequest("Give the key's user: {\"user\": \"alice\"}.") }
                var new = NewKey(user: user, feature: body["feature"]?.stringValue, rpm: body["rpm"]?.intValue, tpm: body["tpm"]?.intValue)
                if let budget = body["budget_usd"] { new.budget = try Self.money(budget, field: "budget_usd") }
                if let period = body["period"]?.stringValue {
                    guard let parsed = BudgetPeriod(rawValue: period) else { throw GatewayError.badRequest("period must be day, week, month or total.") }
                    new.period = parsed
                }
                let issued = try await self.ledger.createKey(new, now: Date())
                return LedgerJSON.issued(issued)
            }
        }
        admin.delete("/keys/:id") { request, context in
            await self.admin(request) {
                let id = context.parameters.get("id") ?? ""
                guard try await self.ledger.revokeKey(id: id, now: Date()) else {
                    throw GatewayError(.notFound, type: "invalid_request_error", code: "key_not_found", message: "No key with id '\(id)'.")
                }
                self.forgetKeys()
                return LedgerJSON.revoked(id: id)
            }
        }
        admin.get("/budgets") { request, _ in
            await self.admin(request) {
                let keys = try await self.ledger.keys(user: nil)
                let all = try await self.ledger.budgets(scope: nil, subject: nil, now: Date())
                let chosen = LedgerJSON.budgets(all, keys: keys, user: request.uri.queryParameters.get("user"))
                return .array(chosen.map { LedgerJSON.budget($0, keys: keys) })
            }
        }
        admin.put("/budgets") { request, _ in
            await self.admin(request) {
                let body = try await self.adminBody(request)
                guard let scopeText = body["scope"]?.stringValue, let scope = BudgetScope(rawValue: scopeText) else {
                    throw GatewayError.badRequest("scope must be key, user or feature.")
                }
                guard let subject = body["subject"]?.stringValue, !subject.isEmpty else { throw GatewayError.badRequest("Give the budget's subject (key id, user or feature).") }
                guard let limitJSON = body["budget_usd"] else { throw GatewayError.badRequest("Give budget_usd.") }
                let limit = try Self.money(limitJSON, field: "budget_usd")
                let period = BudgetPeriod(rawValue: body["period"]?.stringValue ?? "month")
                guard let period else { throw GatewayError.badRequest("period must be day, week, month or total.") }
                let setting = BudgetSetting(scope: scope, subject: subject, limit: limit, period: period, softPercent: body["soft_percent"]?.intValue ?? self.config.softPercent)
                try await self.ledger.setBudget(setting, now: Date())
                let status = try await self.ledger.budgets(scope: scope, subject: subject, now: Date())
                return LedgerJSON.budget(status[0], keys: try await self.ledger.keys(user: nil))
            }
        }
        admin.get("/spend") { request, _ in
            await self.admin(request) {
                await self.writer.flush()
                let by = request.uri.queryParameters.get("by") ?? "user"
                guard let grouping = SpendGrouping(rawValue: by) else { throw GatewayError.badRequest("by must be user, feature, model, key or day.") }
                let since = request.uri.queryParameters.get("since").flatMap { ISO8601DateFormatter().date(from: $0) }
                let rows = try await self.ledger.spend(by: grouping, since: since)
                return .array(rows.map { LedgerJSON.spend($0, by: grouping) })
            }
        }
    }

    static func money(_ json: JSONValue, field: String) throws -> Money {
        let text: String
        switch json {
        case .number(let n): text = n
        case .string(let s): text = s
        default: throw GatewayError.badRequest("\(field) must be an amount in USD.")
        }
        guard let money = try? Money(exactly: text), money >= .zero else { throw GatewayError.badRequest("\(field) must be a non-negative amount in USD, not '\(text)'.") }
        return money
    }

    func adminBody(_ request: Request) async throws -> JSONValue {
        let buffer = try await request.body.collect(upTo: 1 << 20)
        guard let json = try? JSONValue.parse(Array(buffer.readableBytesView)), json.isObject else {
            throw GatewayError.badRequest("The request body must be a JSON object.", code: "invalid_json")
        }
        return json
    }

    /// Runs an admin action after checking the admin key; answers JSON or an OpenAI-shaped error.
    func admin(_ request: Request, _ action: () async throws -> JSONValue) async -> Response {
        guard let name = config.adminKeyEnv, let expected = dependencies.environment[name], !expected.isEmpty else {
            return GatewayError(.forbidden, type: "permission_error", code: "admin_disabled", message: "The admin API is off: set admin_key_env in the configuration and that environment variable.").response()
        }
        guard let presented = Self.presentedKey(request), Self.constantTimeEqual(presented, expected) else {
            return GatewayError.unauthorized("The admin API needs the admin key ('Authorization: Bearer …').").response()
        }
        do {
            let json = try await action()
            return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: json.serializedBytes(compact: true))))
        } catch let error as GatewayError {
            return error.response()
        } catch let error as LedgerError {
            return GatewayError(error.isBadInput ? .badRequest : .serviceUnavailable, type: "api_error", code: "ledger_error", message: error.description).response()
        } catch {
            return GatewayError(.internalServerError, type: "api_error", code: "internal_error", message: "\(error)").response()
        }
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var difference = UInt8(x.count == y.count ? 0 : 1)
        for i in 0..<min(x.count, y.count) { difference |= x[i] ^ y[i] }
        return difference == 0
    }
}

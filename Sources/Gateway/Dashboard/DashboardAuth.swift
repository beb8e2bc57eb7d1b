import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Pricing
import TokenomicsCore

/// Who may see the dashboard: whoever holds the admin key, presented either as a header
/// (`Authorization: Bearer …`, `x-api-key` or `x-admin-key`) or as the HttpOnly session cookie the
/// login form sets.
///
/// The cookie holds a SHA-256 digest of the admin key, never the key, so it stops working as soon
/// as the key changes.
enum DashboardAuth {
    static let cookieName = "tk_dashboard"

    enum Access: Equatable {
        /// The admin key was presented (header or cookie).
        case allowed
        /// No admin key is configured: the dashboard is off.
        case disabled
        /// No key, or the wrong one.
        case denied
    }

    /// The session cookie's value for an admin key.
    static func sessionToken(adminKey: String) -> String {
        let digest = SHA256.hash(data: Array("tokenomics-dashboard-session\n\(adminKey)".utf8))
        return Hex.encode(digest)
    }

    static func access(_ request: Request, adminKey: String?) -> Access {
        guard let adminKey, !adminKey.isEmpty else { return .disabled }
        if let name = HTTPField.Name("x-admin-key"), let presented = request.headers[name], Gateway.constantTimeEqual(presented, adminKey) {
            return .allowed
        }
        if let presented = Gateway.presentedKey(request), Gateway.constantTimeEqual(presented, adminKey) { return .allowed }
        if let presented = basicPassword(request), Gateway.constantTimeEqual(presented, adminKey) { return .allowed }
        if let cookie = request.cookies[cookieName]?.value, Gateway.constantTimeEqual(cookie, sessionToken(adminKey: adminKey)) {
            return .allowed
        }
        return .denied
    }

    /// The password of `Authorization: Basic …` (any user name): lets headless browsers and
    /// `curl -u admin:KEY` in, after a challenge asked for with `?auth=basic`.
    static func basicPassword(_ request: Request) -> String? {
        guard let header = request.headers[.authorization] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "basic", let data = Data(base64Encoded: String(parts[1]).trimmingCharacters(in: .whitespaces)),
            let text = String(data: data, encoding: .utf8), let colon = text.firstIndex(of: ":")
        else { return nil }
        return String(text[text.index(after: colon)...])
    }

    /// `Set-Cookie` for a session (12 hours, this path only, no script access).
    static func setCookie(adminKey: String) -> String {
        "\(cookieName)=\(sessionToken(adminKey: adminKey)); Path=/dashboard; Max-Age=43200; HttpOnly; SameSite=Strict"
    }

    /// `Set-Cookie` that ends the session.
    static let clearCookie = "\(cookieName)=; Path=/dashboard; Max-Age=0; HttpOnly; SameSite=Strict"

    /// Fields of an `application/x-www-form-urlencoded` body.
    static func formFields(_ body: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String { String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(text) }
            guard let name = parts.first else { continue }
            fields[decode(name)] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return fields
    }
}

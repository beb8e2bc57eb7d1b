import Crypto
import Foundation
import Pricing
import TokenomicsCore

/// Virtual key secrets: `tk-<id>-<secret>`, stored as a SHA-256 hash and compared in constant time.
enum KeySecret {
    /// A new key id (16 hex digits) and its full secret.
    static func generate() -> (id: String, secret: String) {
        var generator = SystemRandomNumberGenerator()
        let id = Hex.encode((0..<8).map { _ in UInt8.random(in: 0...255, using: &generator) })
        let body = Hex.encode((0..<24).map { _ in UInt8.random(in: 0...255, using: &generator) })
        return (id, "tk-\(id)-\(body)")
    }

    /// The key id a presented secret claims, or nil when it is not shaped like one of ours.
    static func keyID(of secret: String) -> String? {
        guard secret.hasPrefix("tk-") else { return nil }
        let rest = secret.utf8.dropFirst(3)
        guard let dash = rest.firstIndex(of: UInt8(ascii: "-")) else { return nil }
        let id = String(decoding: rest[rest.startIndex..<dash], as: UTF8.self)
        return id.count == 16 ? id : nil
    }

    /// The stored form: hex SHA-256 of the whole secret.
    static func hash(_ secret: String) -> String {
        Hex.encode(Array(SHA256.hash(data: Data(secret.utf8))))
    }

    /// Compares two hashes without an early exit, so timing does not reveal how much matched.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for i in x.indices { difference |= x[i] ^ y[i] }
        return difference == 0
    }
}

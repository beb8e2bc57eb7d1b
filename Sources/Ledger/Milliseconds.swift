import Foundation

extension Date {
    /// Unix time in whole milliseconds, as the ledger stores it.
    var unixMilliseconds: Int64 { Int64((timeIntervalSince1970 * 1000).rounded(.down)) }

    init(unixMilliseconds: Int64) { self.init(timeIntervalSince1970: Double(unixMilliseconds) / 1000) }
}

extension String {
    /// The UTC day `YYYY-MM-DD` of a day number since the Unix epoch.
    static func utcDay(_ dayNumber: Int64) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let date = Date(timeIntervalSince1970: Double(dayNumber) * 86_400)
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        func pad(_ n: Int, _ width: Int) -> String { String(repeating: "0", count: Swift.max(0, width - String(n).count)) + String(n) }
        return "\(pad(parts.year!, 4))-\(pad(parts.month!, 2))-\(pad(parts.day!, 2))"
    }
}

public import Foundation
import TokenomicsCore

/// Reads and writes the compact catalog format that Tokenomics ships and stores imports in.
///
/// A UTF-8 text file: `#key<TAB>value` header lines (source, version, date, sha256), then one line
/// per model with tab-separated fields
/// `name provider mode max_input max_output deprecation cache_min alias_of flags rates`
/// where empty fields are `-`, `flags` holds `i` for inclusive long-context thresholds, and `rates`
/// is a space-separated list of `class[.tier][@threshold]=SIGNIFICANDeEXPONENT` (USD per token,
/// e.g. `in=25e-7 out=1e-5 cr.batch@272000=625e-9`). See docs/catalog.md.
public enum CatalogFile: Sendable {
    /// The first line of every catalog file.
    public static let magic = "#tokenomics-catalog\tv1"

    /// Serialises models and their provenance.
    public static func write(_ models: [ModelPrice], source: CatalogSource) -> String {
        var out = magic + "\n"
        out += "#source\t\(source.source)\n#version\t\(source.version)\n#date\t\(source.date)\n"
        if let sha = source.sha256 { out += "#sha256\t\(sha)\n" }
        out += "#columns\tname\tprovider\tmode\tmax_input\tmax_output\tdeprecation\tcache_min\talias_of\tflags\trates\n"
        for model in models.sorted(by: { $0.name < $1.name }) {
            let rates = model.rates.keys.sorted().map { key -> String in
                var text = key.tokenClass.catalogKey
                if key.tier != .standard { text += "." + key.tier.rawValue }
                if key.aboveTokens > 0 { text += "@\(key.aboveTokens)" }
                return text + "=" + canonical(model.rates[key]!)
            }.joined(separator: " ")
            let fields: [String] = [
                model.name, model.provider, model.mode,
                model.maxInputTokens.map(String.init) ?? "-",
                model.maxOutputTokens.map(String.init) ?? "-",
                model.deprecationDate ?? "-",
                model.promptCacheMinTokens.map(String.init) ?? "-",
                model.aliasOf ?? "-",
                model.inclusiveThresholds ? "i" : "-",
                rates.isEmpty ? "-" : rates,
            ]
            out += fields.joined(separator: "\t") + "\n"
        }
        return out
    }

    /// `SIGNIFICANDeEXPONENT` with no trailing zeros in the significand.
    static func canonical(_ money: Money) -> String {
        if money.units == 0 { return "0" }
        var significand = money.units
        var exponent = -Money.scale
        while significand % 10 == 0 { significand /= 10; exponent += 1 }
        return exponent == 0 ? String(significand) : "\(significand)e\(exponent)"
    }

    /// Parses a catalog file.
    ///
    /// - Parameters:
    ///   - data: the file's bytes.
    ///   - path: the file's name, for error messages and each model's `origin`.
    /// - Throws: ``PricingError/malformedCatalog(location:field:reason:)`` naming the line and field.
    ///   - lazyRates: parse each model's rates on first use instead of now (for the bundled catalog,
    ///     whose syntax its tests check); malformed rates then read as no rates.
    public static func read(_ data: Data, path: String, lazyRates: Bool = false) throws(PricingError) -> (models: [ModelPrice], source: CatalogSource) {
        var models: [ModelPrice] = []
        var header: [String: String] = [:]
        var lineNumber = 0
        var failure: PricingError?
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let bytes = raw.bindMemory(to: UInt8.self)
            var start = 0
            let count = bytes.count
            models.reserveCapacity(count / 180)
            while start < count, failure == nil {
                var end = start
                while end < count && bytes[end] != 0x0A { end += 1 }
                lineNumber += 1
                let line = UnsafeBufferPointer(rebasing: bytes[start..<end])
                start = end + 1
                if line.isEmpty { continue }
                if line[0] == UInt8(ascii: "#") {
                    let text = String(decoding: line, as: UTF8.self)
                    let parts = text.dropFirst().split(separator: "\t", maxSplits: 1)
                    if parts.count == 2 { header[String(parts[0])] = String(parts[1]) }
                    if lineNumber == 1 && text != magic {
                        failure = .malformedCatalog(location: "\(path):1", field: "header", reason: "not a Tokenomics catalog (expected '\(magic)')")
                    }
                    continue
                }
                if lineNumber == 1 {
                    failure = .malformedCatalog(location: "\(path):1", field: "header", reason: "not a Tokenomics catalog (expected '\(magic)')")
                    break
                }
                do {
                    models.append(try parseLine(line, origin: path, lazyRates: lazyRates))
                } catch let error as LineError {
                    failure = .malformedCatalog(location: "\(path):\(lineNumber)", field: error.field, reason: error.reason)
                } catch {
                    failure = .malformedCatalog(location: "\(path):\(lineNumber)", field: "?", reason: "\(error)")
                }
            }
        }
        if let failure { throw failure }
        let source = CatalogSource(
            path: path,
            source: header["source"] ?? path,
            version: header["version"] ?? "unknown",
            date: header["date"] ?? "unknown",
            sha256: header["sha256"],
            models: models.count
        )
        return (models, source)
    }

    struct LineError: Error {
        var field: String
        var reason: String
    }

    private static func parseLine(_ line: UnsafeBufferPointer<UInt8>, origin: String, lazyRates: Bool) throws -> ModelPrice {
        var fields: [UnsafeBufferPointer<UInt8>] = []
        fields.reserveCapacity(10)
        var fieldStart = 0
        for index in 0..<line.count where line[index] == 0x09 {
            fields.append(UnsafeBufferPointer(rebasing: line[fieldStart..<index]))
            fieldStart = index + 1
        }
        fields.append(UnsafeBufferPointer(rebasing: line[fieldStart..<line.count]))
        let names = ["name", "provider", "mode", "max_input", "max_output", "deprecation", "cache_min", "alias_of", "flags", "rates"]
        guard fields.count == names.count else {
            throw LineError(field: "columns", reason: "expected \(names.count) tab-separated fields, found \(fields.count)")
        }
        func text(_ i: Int) -> String? {
            let field = fields[i]
            if field.count == 1 && field[0] == UInt8(ascii: "-") { return nil }
            return String(decoding: field, as: UTF8.self)
        }
        func int(_ i: Int) throws -> Int? {
            guard let value = text(i) else { return nil }
            guard let number = Int(value), number >= 0 else { throw LineError(field: names[i], reason: "'\(value)' is not a non-negative integer") }
            return number
        }
        guard let name = text(0), !name.isEmpty else { throw LineError(field: "name", reason: "empty") }
        var model = ModelPrice(
            name: name,
            provider: text(1) ?? "unknown",
            mode: text(2) ?? "chat",
            maxInputTokens: try int(3),
            maxOutputTokens: try int(4),
            deprecationDate: text(5),
            promptCacheMinTokens: try int(6),
            aliasOf: text(7),
            inclusiveThresholds: (text(8) ?? "").contains("i"),
            rates: [:],
            origin: origin
        )
        let rates = fields[9]
        if !(rates.count == 1 && rates[0] == UInt8(ascii: "-")) {
            if lazyRates {
                model.rateStorage = RateStorage(unparsed: Array(rates))
            } else {
                model.rates = try parseRates(rates)
            }
        }
        return model
    }

    /// Parses a `rates` field: space-separated `key=value` items.
    static func parseRates(_ rates: UnsafeBufferPointer<UInt8>) throws -> [RateKey: Money] {
        var result: [RateKey: Money] = [:]
        var itemStart = 0
        result.reserveCapacity(16)
        for index in 0...rates.count where index == rates.count || rates[index] == 0x20 {
            if index > itemStart {
                let (key, value) = try parseRate(UnsafeBufferPointer(rebasing: rates[itemStart..<index]))
                result[key] = value
            }
            itemStart = index + 1
        }
        return result
    }

    private static func parseRate(_ item: UnsafeBufferPointer<UInt8>) throws -> (RateKey, Money) {
        guard let equals = item.firstIndex(of: UInt8(ascii: "=")) else {
            throw LineError(field: "rates", reason: "'\(String(decoding: item, as: UTF8.self))' has no '='")
        }
        let keyBytes = UnsafeBufferPointer(rebasing: item[0..<equals])
        guard let key = parseRateKey(keyBytes) else {
            throw LineError(field: "rates", reason: "unknown rate key '\(String(decoding: keyBytes, as: UTF8.self))'")
        }
        let value = UnsafeBufferPointer(rebasing: item[(equals + 1)...])
        if let fast = fastDecimal(value) { return (key, fast) }
        let keyText = String(decoding: keyBytes, as: UTF8.self)
        do {
            return (key, try Money(exactly: String(decoding: value, as: UTF8.self)))
        } catch {
            throw LineError(field: "rates.\(keyText)", reason: error.reason)
        }
    }

    /// Parses `class[.tier][@threshold]` from bytes without allocating.
    static func parseRateKey(_ bytes: UnsafeBufferPointer<UInt8>) -> RateKey? {
        var end = bytes.count
        var above = 0
        if let at = bytes.firstIndex(of: UInt8(ascii: "@")) {
            var value = 0
            for index in (at + 1)..<bytes.count {
                let byte = bytes[index]
                guard byte >= 0x30 && byte <= 0x39, value < 1_000_000_000_000 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            guard value > 0 else { return nil }
            above = value
            end = at
        }
        var tier = ServiceTier.standard
        var classEnd = end
        if let dot = bytes[0..<end].firstIndex(of: UInt8(ascii: ".")) {
            let tierBytes = UnsafeBufferPointer(rebasing: bytes[(dot + 1)..<end])
            guard let parsed = ServiceTier.allCases.first(where: { tierBytes.elementsEqual($0.rawValue.utf8) }) else { return nil }
            tier = parsed
            classEnd = dot
        }
        let classBytes = UnsafeBufferPointer(rebasing: bytes[0..<classEnd])
        guard let cls = TokenClass.allCases.first(where: { classBytes.elementsEqual($0.catalogKey.utf8) }) else { return nil }
        return RateKey(cls, tier: tier, aboveTokens: above)
    }

    static func parseRateKey(_ text: String) -> RateKey? {
        var rest = Substring(text)
        var above = 0
        if let at = rest.firstIndex(of: "@") {
            guard let value = Int(rest[rest.index(after: at)...]), value > 0 else { return nil }
            above = value
            rest = rest[..<at]
        }
        var tier = ServiceTier.standard
        if let dot = rest.firstIndex(of: ".") {
            guard let parsed = ServiceTier(rawValue: String(rest[rest.index(after: dot)...])) else { return nil }
            tier = parsed
            rest = rest[..<dot]
        }
        guard let cls = TokenClass(catalogKey: String(rest)) else { return nil }
        return RateKey(cls, tier: tier, aboveTokens: above)
    }

    /// Parses `DIGITS[eEXP]` (the canonical form) without allocating; nil for anything else.
    private static func fastDecimal(_ bytes: UnsafeBufferPointer<UInt8>) -> Money? {
        var index = 0
        var significand: Int128 = 0
        var digits = 0
        while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
            significand = significand * 10 + Int128(bytes[index] - 0x30)
            digits += 1
            index += 1
            if digits > 30 { return nil }
        }
        if digits == 0 { return nil }
        var exponent = 0
        if index < bytes.count {
            guard bytes[index] == UInt8(ascii: "e") else { return nil }
            index += 1
            var negative = false
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") { negative = true; index += 1 }
            var expDigits = 0
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
                exponent = exponent * 10 + Int(bytes[index] - 0x30)
                expDigits += 1
                index += 1
                if expDigits > 3 { return nil }
            }
            if expDigits == 0 || index != bytes.count { return nil }
            if negative { exponent = -exponent }
        }
        let shift = exponent + Money.scale
        guard shift >= 0, shift + digits <= 37 else { return nil }
        return Money(units: significand * pow10(shift))
    }
}

/// Where a catalog layer came from.
public struct CatalogSource: Sendable, Hashable, Codable {
    /// The file it was read from (`bundled` for the shipped catalog).
    public var path: String
    /// What it was generated from.
    public var source: String
    /// The source's version.
    public var version: String
    /// When it was generated or imported.
    public var date: String
    /// The source file's SHA-256, when recorded.
    public var sha256: String?
    /// How many models it holds.
    public var models: Int

    public init(path: String, source: String, version: String, date: String, sha256: String? = nil, models: Int = 0) {
        self.path = path
        self.source = source
        self.version = version
        self.date = date
        self.sha256 = sha256
        self.models = models
    }
}

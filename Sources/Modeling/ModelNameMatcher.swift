import Foundation
import Synchronization

/// Matches catalog model names to the names of a leaderboard (the Arena's, or a user's scores file).
///
/// Leaderboards name snapshots and variants (`claude-sonnet-4-5-20250929`, `gpt-5-high`,
/// `gemini-2.5-flash-lite-preview-09-2025-no-thinking`); catalogs name API keys with provider
/// prefixes and their own spellings (`bedrock/us.anthropic.claude-sonnet-4-5-20250929-v1:0`,
/// `vertex_ai/claude-3-5-sonnet@20240620`, `azure/gpt-4o`, `openrouter/anthropic/claude-3.5-sonnet`).
/// A name is reduced to a **stem** (lower case, provider path, Bedrock region and vendor prefixes,
/// `@` and `:` suffixes, dates, variant words and separators removed) plus its **dates** and
/// **variants**, and a catalog name matches, in this order:
///
/// 1. a leaderboard name equal to it once both are normalised (dates and variants kept);
/// 2. a known alias (`deepseek-chat` → `deepseek-v3.2`, Groq's and Bedrock's Llama and Nova names);
/// 3. a leaderboard name with the same stem, where
///    - `thinking` must agree: a catalog name with `thinking` takes only a thinking variant, one
///      without takes none (`no-thinking` is fine);
///    - a dated catalog name takes the same date (`2025-01-25` = `0125`), else an undated name, never
///      another date;
///    - among the rest: the same `preview`/`exp`, `high` (effort) and precision as the catalog name
///      when it has them, the plain variant otherwise, then the latest date.
///
/// When nothing matches, the model has no rating: a wrong rating is worse than none.
public struct ModelNameMatcher: Sendable {
    /// A parsed name.
    struct Parsed: Sendable, Hashable {
        /// The normalised name with everything kept, separators removed.
        var exact: String
        /// The name without dates and variant words, separators removed.
        var stem: String
        /// Dates as sortable numbers (`YYYYMMDD`; year or day 0 when unknown), with the text they came from.
        var dates: [DateToken]
        /// Variant words: `thinking`, `no-thinking`, `high`, `preview`, `exp`, `latest`, `bf16`, `fp8`.
        var variants: Set<String>

        var thinking: Bool { variants.contains("thinking") }
    }

    /// A date or snapshot number in a name.
    struct DateToken: Sendable, Hashable {
        /// Interpretations of the token as (year, month, day); 0 where unknown.
        var readings: [(Int, Int, Int)]
        /// A sortable value of the first reading.
        var sortKey: Int { readings.first.map { $0.0 * 10_000 + $0.1 * 100 + $0.2 } ?? 0 }

        static func == (lhs: DateToken, rhs: DateToken) -> Bool { lhs.readings.elementsEqual(rhs.readings) { $0 == $1 } }
        func hash(into hasher: inout Hasher) { hasher.combine(sortKey) }

        /// Whether two dates can be the same day: every component both readings know agrees.
        func agrees(with other: DateToken) -> Bool {
            for a in readings {
                for b in other.readings {
                    let year = a.0 == 0 || b.0 == 0 || a.0 == b.0
                    let month = a.1 == b.1
                    let day = a.2 == 0 || b.2 == 0 || a.2 == b.2
                    if year && month && day { return true }
                }
            }
            return false
        }
    }

    /// Leaderboard names by exact normalised form and by stem.
    private var byExact: [String: String] = [:]
    private var byStem: [String: [(name: String, parsed: Parsed)]] = [:]

    /// Catalog names (normalised) that are another name for a leaderboard entry, when both exist.
    static let aliases: [String: String] = [
        "deepseekchat": "deepseek-v3.2", "deepseekreasoner": "deepseek-v3.2-thinking",
        "llama3370bversatile": "llama-3.3-70b-instruct", "llama318binstant": "llama-3.1-8b-instruct",
        "llama370b8192": "llama-3-70b-instruct", "llama38b8192": "llama-3-8b-instruct",
        "novapro": "amazon-nova-pro-v1.0", "novalite": "amazon-nova-lite-v1.0", "novamicro": "amazon-nova-micro-v1.0",
    ]

    /// An index of leaderboard names.
    public init(names: some Sequence<String>) {
        for name in names {
            guard let parsed = Self.parse(name) else { continue }
            if byExact[parsed.exact] == nil { byExact[parsed.exact] = name }
            byStem[parsed.stem, default: []].append((name, parsed))
        }
        self.names = Set(names)
    }

    private var names: Set<String>
    /// Answers already given, by catalog name (matching is pure, and catalogs ask about the same names).
    private let memo = Memo()

    final class Memo: Sendable {
        let answers = Mutex<[String: String?]>([:])
    }

    /// The leaderboard name for a catalog model name, or nil when none matches.
    ///
    /// ```swift
    /// let matcher = ModelNameMatcher(names: ["claude-sonnet-4-5-20250929", "gpt-5-high"])
    /// matcher.match("bedrock/us.anthropic.claude-sonnet-4-5-20250929-v1:0")  // "claude-sonnet-4-5-20250929"
    /// matcher.match("gpt-5")                                                   // "gpt-5-high"
    /// ```
    public func match(_ catalogName: String) -> String? {
        if let known = memo.answers.withLock({ $0[catalogName] }) { return known }
        let answer = matchUncached(catalogName)
        memo.answers.withLock { $0[catalogName] = .some(answer) }
        return answer
    }

    private func matchUncached(_ catalogName: String) -> String? {
        guard let parsed = Self.parse(catalogName) else { return nil }
        if let exact = byExact[parsed.exact] { return exact }
        if let alias = Self.aliases[parsed.exact], names.contains(alias) { return alias }
        // `-latest` without a version in the stem (`gemini-pro-latest`, `mistral-large-latest`)
        // names whatever is newest, which a dated leaderboard cannot tell.
        if parsed.variants.contains("latest") && !Self.hasVersion(catalogName) { return nil }
        guard var candidates = byStem[parsed.stem] else { return nil }
        candidates = candidates.filter { $0.parsed.thinking == parsed.thinking }
        if !parsed.dates.isEmpty {
            let same = candidates.filter { candidate in candidate.parsed.dates.contains { date in parsed.dates.contains { $0.agrees(with: date) } } }
            candidates = same.isEmpty ? candidates.filter { $0.parsed.dates.isEmpty } : same
        }
        func score(_ p: Parsed) -> [Int] {
            func same(_ word: String) -> Int { p.variants.contains(word) == parsed.variants.contains(word) ? 1 : 0 }
            let preview = (p.variants.contains("preview") || p.variants.contains("exp")) == (parsed.variants.contains("preview") || parsed.variants.contains("exp")) ? 1 : 0
            let precision = parsed.variants.contains("fp8") ? same("fp8") : (p.variants.contains("bf16") ? 1 : same("fp8"))
            return [preview, same("high"), precision, p.dates.map(\.sortKey).max() ?? 0]
        }
        return candidates.max { a, b in
            let (x, y) = (score(a.parsed), score(b.parsed))
            return x != y ? x.lexicographicallyPrecedes(y) : a.name > b.name
        }?.name
    }

    /// Whether a name has a version number in it (a digit outside sizes such as `8b` or `32k`).
    static func hasVersion(_ name: String) -> Bool {
        let tail = name.lowercased().split(separator: "/").last.map(String.init) ?? name
        for token in tail.split(whereSeparator: { $0 == "-" || $0 == "_" }) where token != "latest" {
            guard token.contains(where: \.isNumber) else { continue }
            if let last = token.last, (last == "b" || last == "k" || last == "m"), token.dropLast().allSatisfy({ $0.isNumber || $0 == "." }) { continue }
            return true
        }
        return false
    }

    static let regions = ["us-gov.", "us.", "eu.", "apac.", "au.", "jp.", "ca.", "global."]
    static let vendors = [
        "anthropic.", "meta.", "amazon.", "mistral.", "cohere.", "ai21.", "deepseek.", "qwen.", "openai.", "google.", "xai.",
        "moonshotai.", "moonshot.", "minimax.", "writer.", "zai.", "nvidia.",
    ]
    static let variantWords: Set<String> = ["thinking", "high", "preview", "exp", "latest", "bf16", "fp8"]

    /// Splits a name into its exact form, stem, dates and variants; nil for fine-tunes (`ft:`).
    static func parse(_ name: String) -> Parsed? {
        var text = name.lowercased()
        if text.hasPrefix("ft:") { return nil }
        let fireworks = text.hasPrefix("fireworks_ai/")
        if let slash = text.lastIndex(of: "/") { text = String(text[text.index(after: slash)...]) }
        for prefix in regions where text.hasPrefix(prefix) { text.removeFirst(prefix.count); break }
        for prefix in vendors where text.hasPrefix(prefix) { text.removeFirst(prefix.count); break }
        text = text.replacingOccurrences(of: "@", with: "-")
        if let colon = text.firstIndex(of: ":") {
            // Bedrock's API version (`-v1:0`) goes with its `-vN`; other `:` suffixes (`:free`) alone.
            var head = text[..<colon].split(separator: "-", omittingEmptySubsequences: false).map(String.init)
            if head.count > 1, let last = head.last, last.count > 1, last.first == "v", last.dropFirst().allSatisfy(\.isNumber) { head.removeLast() }
            text = head.joined(separator: "-")
        }
        if fireworks {
            // Fireworks writes versions with `p` (`llama-v3p1-70b`, `qwen2p5-72b`).
            var out = ""
            let chars = Array(text)
            for (i, c) in chars.enumerated() {
                if c == "p", i > 0, i + 1 < chars.count, chars[i - 1].isNumber, chars[i + 1].isNumber { out.append(".") } else { out.append(c) }
            }
            text = out.replacingOccurrences(of: "llama-v", with: "llama-")
        }
        if text.hasPrefix("meta-llama-") { text.removeFirst("meta-".count) }
        if text.hasSuffix("-instruct-turbo") { text.removeLast("-turbo".count) }
        if text.hasPrefix("amazon-nova-") { text.removeFirst("amazon-".count) }
        let tokens = text.split(separator: "-").map(String.init)
        var stem: [String] = []
        var dates: [DateToken] = []
        var variants: Set<String> = []
        var index = 0
        func digits(_ t: String, _ n: Int) -> Bool { t.count == n && t.allSatisfy(\.isNumber) }
        while index < tokens.count {
            let t = tokens[index]
            let next = index + 1 < tokens.count ? tokens[index + 1] : ""
            let third = index + 2 < tokens.count ? tokens[index + 2] : ""
            if digits(t, 4), digits(next, 2), digits(third, 2) {                 // 2024-08-06
                dates.append(DateToken(readings: [(Int(t)!, Int(next)!, Int(third)!)]))
                index += 3
            } else if digits(t, 2), digits(next, 4), let month = Int(t), (1...12).contains(month) {   // 09-2025
                dates.append(DateToken(readings: [(Int(next)!, month, 0)]))
                index += 2
            } else if digits(t, 2), digits(next, 2), let month = Int(t), (1...12).contains(month) {   // 06-17
                dates.append(DateToken(readings: [(0, month, Int(next)!)]))
                index += 2
            } else if digits(t, 8) {                                               // 20250929
                let v = Int(t)!
                dates.append(DateToken(readings: [(v / 10_000, v / 100 % 100, v % 100)]))
                index += 1
            } else if digits(t, 6), t.hasPrefix("20") {                            // 202506
                let v = Int(t)!
                dates.append(DateToken(readings: [(v / 100, v % 100, 0)]))
                index += 1
            } else if digits(t, 4) {                                               // 0125 (MMDD) or 2411 (YYMM)
                let v = Int(t)!
                var readings: [(Int, Int, Int)] = []
                if (1...12).contains(v % 100) { readings.append((2000 + v / 100, v % 100, 0)) }
                if (1...12).contains(v / 100) { readings.append((0, v / 100, v % 100)) }
                if readings.isEmpty { stem.append(t) } else { dates.append(DateToken(readings: readings)) }
                index += 1
            } else if digits(t, 3), t.hasPrefix("00") {                            // -001 snapshot
                dates.append(DateToken(readings: [(0, 0, Int(t)!)]))
                index += 1
            } else if t == "no", next == "thinking" {
                variants.insert("no-thinking")
                index += 2
            } else if variantWords.contains(t) {
                variants.insert(t)
                index += 1
                // `thinking-32k`: the budget goes with the word.
                if t == "thinking", let budget = tokens[safe: index], budget.hasSuffix("k"), budget.dropLast().allSatisfy(\.isNumber) { index += 1 }
            } else {
                stem.append(t)
                index += 1
            }
        }
        func compact(_ s: String) -> String { String(s.filter { $0 != "-" && $0 != "." && $0 != "_" && $0 != " " }) }
        return Parsed(exact: compact(text), stem: compact(stem.joined()), dates: dates, variants: variants)
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}

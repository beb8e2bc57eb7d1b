import Foundation
import Pricing

/// What a call does, for choosing a model that keeps quality: each task reads one category of the
/// ratings (the Arena's, or a column of the user's scores file).
public enum QualityTask: String, Sendable, Hashable, CaseIterable {
    case general, coding, hard, math, creative, instructions, long

    /// The Arena category the task reads: `full`, `coding`, `hard_6`, `math`, `creative_writing`,
    /// `if` (instruction following), `long_user` (long prompts).
    public var arenaCategory: String {
        switch self {
        case .general: "full"
        case .coding: "coding"
        case .hard: "hard_6"
        case .math: "math"
        case .creative: "creative_writing"
        case .instructions: "if"
        case .long: "long_user"
        }
    }
}

/// One model's rating in one category, under the name the ratings give it.
public struct QualityRating: Sendable, Hashable {
    /// The name in the ratings (`claude-sonnet-4-5-20250929` for the Arena; as written in a scores file).
    public var name: String
    /// The rating: Arena points (400 points = 10:1 odds of winning a vote), or the file's score.
    public var value: Double

    public init(name: String, value: Double) {
        self.name = name
        self.value = value
    }
}

/// Model quality ratings: the bundled LMArena text leaderboard snapshot, or the user's own scores.
///
/// ```swift
/// let arena = try QualityRatings.arena()
/// arena.rating(of: "claude-sonnet-4-5", task: .coding)   // QualityRating(name: "claude-sonnet-4-5-20250929", value: 1504.1)
/// ```
/// Catalog names are matched to the ratings' names by ``ModelNameMatcher``. The Arena snapshot is
/// dated: ratings move as models are added and votes come in, so the reports say so.
public struct QualityRatings: Sendable {
    /// `style_control` (the Arena's default view: adjusted for answer length and formatting),
    /// `raw`, or `file` for the user's scores.
    public var view: String
    /// Where the ratings come from (`LMArena text leaderboard (lmarena/arena-catalog c9558b6)` or the file path).
    public var source: String
    /// The snapshot's date (`2025-12-17`), nil for a scores file.
    public var date: String?
    /// Ratings by category, then by the ratings' model name.
    var table: [String: [String: Double]]
    /// The category read when a task's own is missing (a scores file's `score` column), if any.
    var fallbackCategory: String?
    var matcher: ModelNameMatcher

    /// The views of the bundled Arena snapshot.
    public static let arenaViews = ["style_control", "raw"]

    /// The bundled LMArena text leaderboard in a view (`style_control` by default).
    ///
    /// - Throws: ``ModelingError/badInput(_:)`` for an unknown view, or when the resource is missing.
    public static func arena(view: String = "style_control") throws(ModelingError) -> QualityRatings {
        switch bundledViews {
        case .failure(let error): throw error
        case .success(let views):
            guard let ratings = views[view] else { throw .badInput("unknown quality view '\(view)'; expected \(arenaViews.joined(separator: " or "))") }
            return ratings
        }
    }

    /// The bundled snapshot's views, built once (their name matchers remember their answers).
    static let bundledViews: Result<[String: QualityRatings], ModelingError> = ArenaSnapshot.bundled.map { snapshot in
        var views: [String: QualityRatings] = [:]
        for (view, table) in snapshot.views {
            views[view] = QualityRatings(
                view: view, source: "LMArena text leaderboard (lmarena/arena-catalog \(snapshot.commit.prefix(7)))", date: snapshot.date,
                table: table, fallbackCategory: nil, matcher: ModelNameMatcher(names: table["full"].map { Array($0.keys) } ?? []))
        }
        return views
    }

    /// The user's scores: a CSV with a header naming a `model` column and a `score` column, and
    /// optionally columns named after tasks (`coding`, `math`, ...) that those tasks read instead.
    ///
    /// ```csv
    /// model,score,coding
    /// gpt-4o,0.81,0.77
    /// claude-haiku-4-5,0.79,0.80
    /// ```
    /// - Throws: ``ModelingError/badInput(_:)`` naming the file and line of a malformed row.
    public static func scores(csv text: String, file: String) throws(ModelingError) -> QualityRatings {
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map { String($0) }
        while lines.last?.trimmingCharacters(in: .whitespaces).isEmpty == true { lines.removeLast() }
        guard let header = lines.first else { throw .badInput("\(file): empty; expected a header such as 'model,score'") }
        let columns = Self.fields(header).map { $0.lowercased() }
        guard let modelColumn = columns.firstIndex(of: "model") else { throw .badInput("\(file):1: no 'model' column (header: \(header))") }
        guard columns.contains("score") || columns.contains("general") else {
            throw .badInput("\(file):1: no 'score' column (header: \(header)); give each model's score in a column named score")
        }
        var table: [String: [String: Double]] = [:]
        var names: [String] = []
        for (offset, line) in lines.enumerated().dropFirst() where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            let values = Self.fields(line)
            guard values.count == columns.count else {
                throw .badInput("\(file):\(offset + 1): \(values.count) fields, but the header has \(columns.count)")
            }
            let model = values[modelColumn]
            if model.isEmpty { throw .badInput("\(file):\(offset + 1): empty model name") }
            names.append(model)
            for (index, column) in columns.enumerated() where index != modelColumn {
                let text = values[index]
                if text.isEmpty { continue }
                guard let value = Double(text), value.isFinite else {
                    throw .badInput("\(file):\(offset + 1): column '\(column)' is not a number: '\(text)'")
                }
                let category = column == "score" || column == "general" ? "full" : (QualityTask(rawValue: column)?.arenaCategory ?? column)
                table[category, default: [:]][model] = value
            }
        }
        if names.isEmpty { throw .badInput("\(file): no rows; give one model and its score per line after the header") }
        return QualityRatings(view: "file", source: file, date: nil, table: table, fallbackCategory: "full", matcher: ModelNameMatcher(names: names))
    }

    /// Splits one CSV line (double quotes may hold commas).
    static func fields(_ line: String) -> [String] {
        var fields: [String] = []
        var current = ""
        var quoted = false
        var iterator = Array(line).makeIterator()
        var pending: Character? = nil
        while let c = pending ?? iterator.next() {
            pending = nil
            if c == "\"" {
                if quoted, let next = iterator.next() {
                    if next == "\"" { current.append("\"") } else { quoted = false; pending = next }
                } else {
                    quoted.toggle()
                }
            } else if c == ",", !quoted {
                fields.append(current.trimmingCharacters(in: .whitespaces))
                current = ""
            } else {
                current.append(c)
            }
        }
        fields.append(current.trimmingCharacters(in: .whitespaces))
        return fields
    }

    /// The category a task reads in these ratings.
    public func category(for task: QualityTask) -> String {
        if table[task.arenaCategory] != nil { return task.arenaCategory }
        return fallbackCategory ?? task.arenaCategory
    }

    /// A catalog model's rating for a task, nil when the ratings have none for it.
    public func rating(of modelName: String, task: QualityTask) -> QualityRating? {
        guard let name = matcher.match(modelName), let value = table[category(for: task)]?[name] else { return nil }
        return QualityRating(name: name, value: value)
    }

    /// One line for a report: what the ratings are and that they are a snapshot.
    public var snapshotNote: String {
        if let date {
            return "Quality ratings: \(source), \(view) view, a snapshot of \(date). Ratings move as models are added and votes come in, and newer models are missing; check a swap on your own evaluations, or give your scores with quality: {file: evals.csv}."
        }
        return "Quality ratings: your scores from \(source)."
    }
}

/// The bundled Arena file, parsed once.
struct ArenaSnapshot: Sendable {
    var commit: String
    var date: String
    /// view → category → name → rating.
    var views: [String: [String: [String: Double]]]

    static let bundled: Result<ArenaSnapshot, ModelingError> = {
        guard let url = Bundle.module.url(forResource: "arena-text", withExtension: "json"), let data = try? Data(contentsOf: url) else {
            return .failure(.badInput("the bundled quality ratings (arena-text.json) are missing from the package's resources"))
        }
        return parse(data)
    }()

    static func parse(_ data: Data) -> Result<ArenaSnapshot, ModelingError> {
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let categories = root["categories"] as? [String: Any] else {
            return .failure(.badInput("the quality ratings file is not the Arena snapshot's JSON"))
        }
        var views: [String: [String: [String: Double]]] = [:]
        for (view, value) in categories {
            guard let byCategory = value as? [String: Any] else { continue }
            for (category, models) in byCategory {
                guard let models = models as? [String: Any] else { continue }
                for (name, entry) in models {
                    if let entry = entry as? [String: Any], let rating = (entry["rating"] as? NSNumber)?.doubleValue {
                        views[view, default: [:]][category, default: [:]][name] = rating
                    }
                }
            }
        }
        return .success(ArenaSnapshot(commit: root["source_commit"] as? String ?? "", date: root["source_date"] as? String ?? "", views: views))
    }
}

public import Pricing
import TokenomicsCore

/// Which catalog models may replace one, and which of them keep its quality.
///
/// Shared by the modeller's `model` lever and `tokenomics analyze`'s cheaper-model suggestions:
/// a replacement has the same mode, token prices, a context window that holds the largest prompt,
/// room for the largest completion, and no deprecation date before today; it keeps quality when
/// its rating for the task is at most ``maxRatingDrop`` below the current model's.
///
/// ```swift
/// let choice = ModelChoice(ratings: try QualityRatings.arena(), maxRatingDrop: 20)
/// let rating = choice.rating(of: current, task: .coding)!
/// let pool = choice.keepingQuality(of: rating, task: .coding, from: catalog.models)
/// ```
public struct ModelChoice: Sendable {
    /// The ratings quality is judged by, nil when there are none.
    public var ratings: QualityRatings?
    /// The most rating points a replacement may lose.
    public var maxRatingDrop: Double

    public init(ratings: QualityRatings?, maxRatingDrop: Double = 20) {
        self.ratings = ratings
        self.maxRatingDrop = maxRatingDrop
    }

    /// A model's rating for a task, nil when it has none.
    public func rating(of model: ModelPrice, task: QualityTask) -> QualityRating? {
        ratings?.rating(of: model.name, task: task)
    }

    /// Whether `candidate` can take calls of `current` whose prompts reach `largestPrompt` tokens and
    /// completions `largestOutput`.
    public static func fits(_ candidate: ModelPrice, replacing current: ModelPrice, largestPrompt: Int, largestOutput: Int, today: String) -> Bool {
        guard candidate.mode == current.mode, candidate.name.lowercased() != current.name.lowercased(), !candidate.name.hasPrefix("ft:") else { return false }
        guard let window = candidate.maxInputTokens, window >= largestPrompt else { return false }
        if let maxOutput = candidate.maxOutputTokens, maxOutput < largestOutput { return false }
        if let retired = candidate.deprecationDate, retired < today { return false }
        guard let input = candidate.baseRate(.input), input > .zero else { return false }
        if current.mode != "embedding" { guard let output = candidate.baseRate(.output), output > .zero else { return false } }
        return true
    }

    /// The models of `pool` rated for `task` at most ``maxRatingDrop`` below `rating`, each with its rating.
    public func keepingQuality(of rating: QualityRating, task: QualityTask, from pool: [ModelPrice]) -> [(model: ModelPrice, rating: QualityRating)] {
        pool.compactMap { model in
            guard let other = self.rating(of: model, task: task), other.value >= rating.value - maxRatingDrop else { return nil }
            return (model, other)
        }
    }
}

/// The quality side of a model swap: both models' ratings in the task's category.
public struct SwapQuality: Sendable, Hashable {
    /// One model of the swap and its rating (nil when unrated).
    public struct Side: Sendable, Hashable {
        public var model: String
        public var rating: QualityRating?

        public init(model: String, rating: QualityRating?) {
            self.model = model
            self.rating = rating
        }
    }

    /// The ratings' view (`style_control`, `raw`, or `file`).
    public var view: String
    /// The category read (`full`, `coding`, ...).
    public var category: String
    /// The call's task.
    public var task: QualityTask
    public var from: Side
    public var to: Side

    /// Rating points lost (negative: gained), when both are rated.
    public var ratingDrop: Double? {
        guard let a = from.rating?.value, let b = to.rating?.value else { return nil }
        return a - b
    }

    public init(view: String, category: String, task: QualityTask, from: Side, to: Side) {
        self.view = view
        self.category = category
        self.task = task
        self.from = from
        self.to = to
    }

    /// Short text for a table: `general 1336 → 1360`, `general 1336 → 1250 (−86)`, `unrated → 1360`.
    public var summary: String {
        func value(_ side: Side) -> String { side.rating.map { String(Int($0.value.rounded())) } ?? "unrated" }
        var text = "\(task.rawValue) \(value(from)) → \(value(to))"
        if let drop = ratingDrop, drop > 0.5 { text += " (−\(Int(drop.rounded())))" }
        return text
    }
}

extension ModelChoice {
    /// The swap's quality for a call, from `current` to `replacement`.
    public func quality(task: QualityTask, from current: ModelPrice, to replacement: ModelPrice) -> SwapQuality? {
        guard let ratings else { return nil }
        return SwapQuality(
            view: ratings.view, category: ratings.category(for: task), task: task,
            from: .init(model: current.name, rating: rating(of: current, task: task)),
            to: .init(model: replacement.name, rating: rating(of: replacement, task: task)))
    }
}

public import Modeling
public import TokenomicsCore

extension ScenarioReport {
    /// A model swap's quality: `{view, category, task, from {model, arena_name, rating}, to {…}, rating_drop}`.
    public static func qualityJSON(_ quality: SwapQuality) -> JSONValue {
        func side(_ side: SwapQuality.Side) -> JSONValue {
            .object([
                ("model", .string(side.model)), ("arena_name", .optional(side.rating?.name) { .string($0) }),
                ("rating", .optional(side.rating?.value) { .double($0) }),
            ])
        }
        return .object([
            ("view", .string(quality.view)), ("category", .string(quality.category)), ("task", .string(quality.task.rawValue)),
            ("from", side(quality.from)), ("to", side(quality.to)), ("rating_drop", .optional(quality.ratingDrop) { .double($0) }),
        ])
    }

    /// The ratings the model lever used: `{source, date, view, max_rating_drop}` (null without ratings).
    static func qualitySourceJSON(_ scenario: Scenario) -> JSONValue {
        guard let ratings = scenario.quality else { return .null }
        return .object([
            ("source", .string(ratings.source)), ("date", .optional(ratings.date) { .string($0) }), ("view", .string(ratings.view)),
            ("max_rating_drop", .double(scenario.maxRatingDrop)),
        ])
    }
}

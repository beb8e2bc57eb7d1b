public import CostModel
import Pricing
public import TokenomicsCore

/// Reads token usage from each provider's response shape into ``Usage`` (OpenAI's convention:
/// input includes cached and cache-write tokens, output includes reasoning), so that every class is billed once.
public enum UsageParsing: Sendable {
    /// Usage from an OpenAI-shaped `usage` object: chat and text completions
    /// (`prompt_tokens`, `completion_tokens`, `prompt_tokens_details.cached_tokens`,
    /// `completion_tokens_details.reasoning_tokens`), embeddings (`prompt_tokens`) and the Responses API
    /// (`input_tokens`, `output_tokens`, `input_tokens_details.cached_tokens`, `output_tokens_details.reasoning_tokens`).
    public static func openAI(_ usage: JSONValue) -> Usage? {
        guard usage.isObject else { return nil }
        let input = usage["prompt_tokens"]?.intValue ?? usage["input_tokens"]?.intValue
        guard let input else { return nil }
        var output = usage["completion_tokens"]?.intValue ?? usage["output_tokens"]?.intValue ?? 0
        if output == 0, let total = usage["total_tokens"]?.intValue, total > input, usage["completion_tokens"] == nil, usage["output_tokens"] == nil {
            output = total - input
        }
        let inputDetails = usage["prompt_tokens_details"] ?? usage["input_tokens_details"]
        let outputDetails = usage["completion_tokens_details"] ?? usage["output_tokens_details"]
        var result = Usage(input: input, output: output)
        result.cachedInput = min(input, inputDetails?["cached_tokens"]?.intValue ?? 0)
        result.audioInput = min(input - result.cachedInput, inputDetails?["audio_tokens"]?.intValue ?? 0)
        result.reasoning = min(output, outputDetails?["reasoning_tokens"]?.intValue ?? 0)
        result.audioOutput = min(output - result.reasoning, outputDetails?["audio_tokens"]?.intValue ?? 0)
        return result
    }

    /// Usage from an Anthropic `usage` object. Anthropic's `input_tokens` excludes cache reads and
    /// writes, so they are added in; `cache_creation.ephemeral_1h_input_tokens` are 1-hour writes.
    public static func anthropic(_ usage: JSONValue) -> Usage? {
        guard usage.isObject else { return nil }
        let uncached = usage["input_tokens"]?.intValue ?? 0
        let reads = usage["cache_read_input_tokens"]?.intValue ?? 0
        let writes = usage["cache_creation_input_tokens"]?.intValue ?? 0
        let writes1h = min(writes, usage["cache_creation"]?["ephemeral_1h_input_tokens"]?.intValue ?? 0)
        guard usage["input_tokens"] != nil || usage["output_tokens"] != nil else { return nil }
        return Usage(
            input: uncached + reads + writes, output: usage["output_tokens"]?.intValue ?? 0, cachedInput: reads,
            cacheWrite: writes - writes1h, cacheWrite1h: writes1h)
    }

    /// Merges a streamed Anthropic usage update: `message_start` carries the input side, `message_delta` the running output.
    static func mergeAnthropic(_ base: Usage?, _ update: JSONValue) -> Usage? {
        guard let parsed = anthropic(update) else { return base }
        guard var merged = base else { return parsed }
        if update["input_tokens"] != nil && (update["input_tokens"]?.intValue ?? 0) > 0 {
            merged.input = parsed.input
            merged.cachedInput = parsed.cachedInput
            merged.cacheWrite = parsed.cacheWrite
            merged.cacheWrite1h = parsed.cacheWrite1h
        }
        merged.output = max(merged.output, parsed.output)
        return merged
    }
}

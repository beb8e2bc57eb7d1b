/// Token counts of one call, by class, in OpenAI's convention.
///
/// ``input`` is the whole prompt: ``cachedInput``, ``cacheWrite``, ``cacheWrite1h`` and
/// ``audioInput`` are parts of it. ``output`` is the whole completion: ``reasoning`` and
/// ``audioOutput`` are parts of it. (Anthropic reports cache reads and writes *beside* its input
/// count; add them in before building a `Usage`.)
public struct Usage: Sendable, Hashable, Codable {
    public var input: Int
    public var output: Int
    public var cachedInput: Int
    public var cacheWrite: Int
    public var cacheWrite1h: Int
    public var reasoning: Int
    public var audioInput: Int
    public var audioOutput: Int

    public init(
        input: Int = 0,
        output: Int = 0,
        cachedInput: Int = 0,
        cacheWrite: Int = 0,
        cacheWrite1h: Int = 0,
        reasoning: Int = 0,
        audioInput: Int = 0,
        audioOutput: Int = 0
    ) {
        self.input = input
        self.output = output
        self.cachedInput = cachedInput
        self.cacheWrite = cacheWrite
        self.cacheWrite1h = cacheWrite1h
        self.reasoning = reasoning
        self.audioInput = audioInput
        self.audioOutput = audioOutput
    }

    /// Checks that the parts fit in their wholes and nothing is negative.
    ///
    /// - Throws: ``CostError/inconsistentUsage(_:)`` saying which counts disagree.
    public func validate() throws(CostError) {
        let counts: [(String, Int)] = [
            ("input", input), ("output", output), ("cached input", cachedInput), ("cache write", cacheWrite),
            ("cache write (1h)", cacheWrite1h), ("reasoning", reasoning), ("audio input", audioInput), ("audio output", audioOutput),
        ]
        for (name, value) in counts where value < 0 {
            throw .inconsistentUsage("\(name) tokens cannot be negative (got \(value))")
        }
        let cacheParts = cachedInput + cacheWrite + cacheWrite1h
        if cacheParts > input {
            throw .inconsistentUsage(
                "cached input (\(cachedInput)) + cache writes (\(cacheWrite + cacheWrite1h)) = \(cacheParts) exceed input (\(input)); input counts the whole prompt, cached and cache-write tokens included"
            )
        }
        if cacheParts + audioInput > input {
            throw .inconsistentUsage("audio input (\(audioInput)) + cached and cache-write tokens (\(cacheParts)) exceed input (\(input))")
        }
        if reasoning + audioOutput > output {
            throw .inconsistentUsage(
                reasoning > output
                    ? "reasoning (\(reasoning)) exceeds output (\(output)); output counts the whole completion, reasoning included"
                    : "reasoning (\(reasoning)) + audio output (\(audioOutput)) exceed output (\(output))"
            )
        }
    }

    /// Component-wise sum.
    public static func + (lhs: Usage, rhs: Usage) -> Usage {
        Usage(
            input: lhs.input + rhs.input, output: lhs.output + rhs.output, cachedInput: lhs.cachedInput + rhs.cachedInput,
            cacheWrite: lhs.cacheWrite + rhs.cacheWrite, cacheWrite1h: lhs.cacheWrite1h + rhs.cacheWrite1h,
            reasoning: lhs.reasoning + rhs.reasoning, audioInput: lhs.audioInput + rhs.audioInput, audioOutput: lhs.audioOutput + rhs.audioOutput
        )
    }

    /// Total tokens, input plus output.
    public var total: Int { input + output }
}

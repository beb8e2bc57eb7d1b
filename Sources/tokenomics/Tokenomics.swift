import ArgumentParser

@main
struct Tokenomics: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenomics",
        abstract: "Count tokens, price calls, model unit economics, analyse usage and enforce budgets.",
        subcommands: [Count.self]
    )
}

/// How a report is written.
public enum OutputFormat: String, Sendable, CaseIterable, Codable {
    /// Aligned text tables for a terminal.
    case text
    /// GitHub-flavoured Markdown.
    case markdown
    /// Stable, documented JSON.
    case json
    /// Comma-separated values.
    case csv
    /// A self-contained HTML page with inline SVG charts.
    case html
}

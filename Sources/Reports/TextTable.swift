/// A plain-text table with aligned columns, for terminals.
///
/// ```swift
/// var table = TextTable(columns: [.init("model"), .init("cost", alignment: .right)])
/// table.append(["gpt-4o", "$0.0100"])
/// print(table.rendered())
/// ```
public struct TextTable: Sendable {
    /// A column heading and how its cells align.
    public struct Column: Sendable {
        public enum Alignment: Sendable { case left, right }
        public var title: String
        public var alignment: Alignment
        public init(_ title: String, alignment: Alignment = .left) {
            self.title = title
            self.alignment = alignment
        }
    }

    public var columns: [Column]
    public private(set) var rows: [[String]] = []
    /// Indices of rows after which a rule is drawn (e.g. before a total).
    public private(set) var rulesAfter: Set<Int> = []

    public init(columns: [Column]) { self.columns = columns }

    /// Adds a row; missing cells are blank.
    public mutating func append(_ cells: [String]) {
        rows.append(cells + Array(repeating: "", count: max(0, columns.count - cells.count)))
    }

    /// Draws a rule under the last row added.
    public mutating func addRule() { if !rows.isEmpty { rulesAfter.insert(rows.count - 1) } }

    /// The table as text, one line per row, columns separated by two spaces.
    public func rendered() -> String {
        var widths = columns.map { $0.title.count }
        for row in rows {
            for (index, cell) in row.prefix(columns.count).enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            var parts: [String] = []
            for (index, column) in columns.enumerated() {
                let cell = index < cells.count ? cells[index] : ""
                let padding = String(repeating: " ", count: widths[index] - cell.count)
                parts.append(column.alignment == .right ? padding + cell : cell + padding)
            }
            var text = parts.joined(separator: "  ")
            while text.last == " " { text.removeLast() }
            return text
        }
        let rule = widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
        var out = [line(columns.map(\.title)), rule]
        for (index, row) in rows.enumerated() {
            out.append(line(row))
            if rulesAfter.contains(index) { out.append(rule) }
        }
        return out.joined(separator: "\n")
    }

    /// The table as Markdown.
    public func markdown() -> String {
        func escape(_ text: String) -> String { text.replacingPipes() }
        var out = "| " + columns.map { escape($0.title) }.joined(separator: " | ") + " |\n"
        out += "|" + columns.map { $0.alignment == .right ? "---:|" : "---|" }.joined() + "\n"
        for row in rows { out += "| " + row.prefix(columns.count).map(escape).joined(separator: " | ") + " |\n" }
        return out
    }
}

extension String {
    func replacingPipes() -> String {
        var out = ""
        for character in self { out += character == "|" ? "\\|" : String(character) }
        return out
    }
}

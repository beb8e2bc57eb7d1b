/// Horizontal bars with labels (lever savings, cost by model), largest first, as inline SVG.
///
/// With `waterfall: true` each bar starts where the previous one ended, so the bars add up to the
/// total saving from left to right.
public struct BarChart: Sendable {
    /// One bar.
    public struct Bar: Sendable {
        public var label: String
        public var value: Double
        public var valueLabel: String

        public init(label: String, value: Double, valueLabel: String) {
            self.label = label
            self.value = value
            self.valueLabel = valueLabel
        }
    }

    public var title: String
    public var bars: [Bar]
    public var waterfall: Bool
    public var xLabel: String
    public var formatX: @Sendable (Double) -> String

    public init(title: String, bars: [Bar], waterfall: Bool = false, xLabel: String = "USD a month", formatX: @escaping @Sendable (Double) -> String = formatDollarsShort) {
        self.title = title
        self.bars = bars
        self.waterfall = waterfall
        self.xLabel = xLabel
        self.formatX = formatX
    }

    /// The chart.
    public func svg() -> String {
        let rowHeight = 26.0
        var frame = ChartFrame(width: 520, height: 30 + 48 + max(1, Double(bars.count)) * rowHeight, left: 170)
        frame.right = 70
        var out = frame.open(title: title)
        let total = bars.reduce(0) { $0 + max(0, $1.value) }
        let high = waterfall ? total : (bars.map(\.value).max() ?? 1)
        let domain = ChartFrame.niceDomain([high])
        var start = 0.0
        for (index, bar) in bars.enumerated() {
            let y = frame.top + Double(index) * rowHeight + 4
            let from = waterfall ? start : 0
            let x0 = frame.x(from, domain)
            let x1 = frame.x(from + max(0, bar.value), domain)
            let label = bar.label.count > 26 ? String(bar.label.prefix(25)) + "…" : bar.label
            out += "<text x=\"\(fmt(frame.left - 6))\" y=\"\(fmt(y + 13))\" font-size=\"11\" text-anchor=\"end\" fill=\"#1f2933\">\(HTMLPage.escape(label))<title>\(HTMLPage.escape(bar.label))</title></text>\n"
            out += "<rect x=\"\(fmt(x0))\" y=\"\(fmt(y))\" width=\"\(fmt(max(1, x1 - x0)))\" height=\"\(fmt(rowHeight - 8))\" fill=\"#2f9e6e\"/>\n"
            out += "<text x=\"\(fmt(x1 + 4))\" y=\"\(fmt(y + 13))\" font-size=\"11\" fill=\"#616e7c\">\(HTMLPage.escape(bar.valueLabel))</text>\n"
            start += max(0, bar.value)
        }
        out += frame.xAxis(domain, label: xLabel, format: formatX)
        return out + "</svg>"
    }
}

/// Vertical bars over time, each split into stacked parts (spend per day by model), as inline SVG.
///
/// ```swift
/// let svg = StackedBarChart(
///     title: "Spend per day by model", yLabel: "USD",
///     buckets: ["05-01", "05-02"],
///     series: [.init(name: "gpt-4o", values: [1.2, 3.4]), .init(name: "gpt-4o-mini", values: [0.1, 0.2])]
/// ).svg()
/// ```
public struct StackedBarChart: Sendable {
    /// One stacked part: a value per bucket (missing buckets count as zero).
    public struct Series: Sendable {
        public var name: String
        /// A CSS colour; nil picks one from ``palette`` by position.
        public var color: String?
        public var values: [Double]

        public init(name: String, color: String? = nil, values: [Double]) {
            self.name = name
            self.color = color
            self.values = values
        }
    }

    /// Colours given to series in order.
    public static let palette = ["#2f6fde", "#2f9e6e", "#e8833a", "#8b5cf6", "#d64545", "#14a3b8", "#c29b0c", "#9aa5b1", "#ec4899", "#4b5563"]

    public var title: String
    public var yLabel: String
    /// Bucket labels, left to right (a few are printed under the axis).
    public var buckets: [String]
    /// Parts, bottom first.
    public var series: [Series]
    public var formatY: @Sendable (Double) -> String
    public var frame = ChartFrame(width: 860, height: 320, left: 64)

    public init(title: String, yLabel: String, buckets: [String], series: [Series], formatY: @escaping @Sendable (Double) -> String = formatDollarsShort) {
        self.title = title
        self.yLabel = yLabel
        self.buckets = buckets
        self.series = series
        self.formatY = formatY
    }

    /// The chart.
    public func svg() -> String {
        var frame = self.frame
        frame.top = 44 + 16 * Double((series.count + 3) / 4)
        var out = frame.open(title: title)
        guard !buckets.isEmpty else {
            return out + "<text x=\"\(fmt(frame.width / 2))\" y=\"\(fmt(frame.height / 2))\" text-anchor=\"middle\" font-size=\"12\" fill=\"#616e7c\">no data</text>\n</svg>"
        }
        let totals = buckets.indices.map { index in series.reduce(0.0) { $0 + max(0, index < $1.values.count ? $1.values[index] : 0) } }
        let yDomain = ChartFrame.niceDomain(totals)
        out += frame.yAxis(yDomain, label: yLabel, format: formatY)
        let slot = frame.plotWidth / Double(buckets.count)
        let barWidth = max(1, slot * 0.8)
        for index in buckets.indices {
            var base = 0.0
            let x = frame.left + Double(index) * slot + (slot - barWidth) / 2
            for (position, part) in series.enumerated() {
                let value = index < part.values.count ? max(0, part.values[index]) : 0
                guard value > 0 else { continue }
                let y0 = frame.y(base, yDomain), y1 = frame.y(base + value, yDomain)
                let color = part.color ?? Self.palette[position % Self.palette.count]
                out += "<rect x=\"\(fmt(x))\" y=\"\(fmt(y1))\" width=\"\(fmt(barWidth))\" height=\"\(fmt(max(0.5, y0 - y1)))\" fill=\"\(color)\"><title>\(HTMLPage.escape("\(buckets[index]) · \(part.name): \(formatY(value))"))</title></rect>\n"
                base += value
            }
        }
        // Axis with about eight labelled buckets.
        let baseline = frame.top + frame.plotHeight
        out += "<line x1=\"\(fmt(frame.left))\" x2=\"\(fmt(frame.width - frame.right))\" y1=\"\(fmt(baseline))\" y2=\"\(fmt(baseline))\" stroke=\"#9aa5b1\" stroke-width=\"1\"/>\n"
        let every = max(1, (buckets.count + 7) / 8)
        for index in stride(from: 0, to: buckets.count, by: every) {
            let x = frame.left + (Double(index) + 0.5) * slot
            out += "<text x=\"\(fmt(x))\" y=\"\(fmt(baseline + 16))\" font-size=\"11\" text-anchor=\"middle\" fill=\"#616e7c\">\(HTMLPage.escape(buckets[index]))</text>\n"
        }
        // Legend rows of four, above the plot.
        for (position, part) in series.enumerated() {
            let x = frame.left + Double(position % 4) * (frame.plotWidth / 4)
            let y = 40 + 16 * Double(position / 4)
            let color = part.color ?? Self.palette[position % Self.palette.count]
            let name = part.name.count > 24 ? String(part.name.prefix(23)) + "…" : part.name
            out += "<rect x=\"\(fmt(x))\" y=\"\(fmt(y - 9))\" width=\"10\" height=\"10\" fill=\"\(color)\"/>"
            out += "<text x=\"\(fmt(x + 14))\" y=\"\(fmt(y))\" font-size=\"11\" fill=\"#1f2933\">\(HTMLPage.escape(name))</text>\n"
        }
        return out + "</svg>"
    }
}

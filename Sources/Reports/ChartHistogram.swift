/// A histogram as inline SVG: adjacent bars over value ranges.
///
/// ```swift
/// let svg = Histogram(title: "Monthly cost per user", xLabel: "USD", bins: [(0, 1, 120), (1, 2, 40)]).svg()
/// ```
public struct Histogram: Sendable {
    /// One bar: the count of items in `[lower, upper)`.
    public struct Bin: Sendable, Hashable {
        public var lower: Double
        public var upper: Double
        public var count: Int

        public init(lower: Double, upper: Double, count: Int) {
            self.lower = lower
            self.upper = upper
            self.count = count
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var bins: [Bin]
    public var formatX: @Sendable (Double) -> String
    public var frame = ChartFrame()

    public init(title: String, xLabel: String, yLabel: String = "users", bins: [Bin], formatX: @escaping @Sendable (Double) -> String = formatDollarsShort) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.bins = bins
        self.formatX = formatX
    }

    /// The chart.
    public func svg() -> String {
        var out = frame.open(title: title)
        guard let first = bins.first, let last = bins.last else { return out + "<text x=\"260\" y=\"150\" text-anchor=\"middle\" font-size=\"12\" fill=\"#616e7c\">no data</text>\n</svg>" }
        let xDomain = first.lower...max(last.upper, first.lower + 1e-12)
        let yDomain = ChartFrame.niceDomain(bins.map { Double($0.count) })
        out += frame.yAxis(yDomain, label: yLabel) { String(Int($0)) }
        for bin in bins where bin.count > 0 {
            let x0 = frame.x(bin.lower, xDomain)
            let x1 = frame.x(bin.upper, xDomain)
            let y0 = frame.y(Double(bin.count), yDomain)
            let base = frame.y(0, yDomain)
            out += "<rect x=\"\(fmt(x0 + 0.5))\" y=\"\(fmt(y0))\" width=\"\(fmt(max(0.5, x1 - x0 - 1)))\" height=\"\(fmt(max(0.5, base - y0)))\" fill=\"#2f6fde\"><title>\(HTMLPage.escape("\(formatX(bin.lower))–\(formatX(bin.upper)): \(bin.count)"))</title></rect>\n"
        }
        out += frame.xAxis(xDomain, label: xLabel, format: formatX)
        return out + "</svg>"
    }
}

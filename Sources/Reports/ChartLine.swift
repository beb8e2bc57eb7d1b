/// A line chart of one or more series over a numeric x axis (months, days), as inline SVG.
public struct LineChart: Sendable {
    /// One line.
    public struct Series: Sendable {
        public var name: String
        public var color: String
        public var values: [(x: Double, y: Double)]

        public init(name: String, color: String, values: [(x: Double, y: Double)]) {
            self.name = name
            self.color = color
            self.values = values
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    public var formatY: @Sendable (Double) -> String
    public var formatX: @Sendable (Double) -> String
    public var frame = ChartFrame()

    public init(
        title: String, xLabel: String, yLabel: String, series: [Series],
        formatY: @escaping @Sendable (Double) -> String = formatDollarsShort,
        formatX: @escaping @Sendable (Double) -> String = { String(Int($0)) }
    ) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.formatY = formatY
        self.formatX = formatX
    }

    /// The chart.
    public func svg() -> String {
        var out = frame.open(title: title)
        let xs = series.flatMap { $0.values.map(\.x) }
        guard let low = xs.min(), let high = xs.max() else { return out + "</svg>" }
        let xDomain = low...max(high, low + 1)
        let yDomain = ChartFrame.niceDomain(series.flatMap { $0.values.map(\.y) })
        out += frame.yAxis(yDomain, label: yLabel, format: formatY)
        for line in series where !line.values.isEmpty {
            let path = line.values.map { "\(fmt(frame.x($0.x, xDomain))),\(fmt(frame.y($0.y, yDomain)))" }.joined(separator: " ")
            out += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(line.color)\" stroke-width=\"2\"><title>\(HTMLPage.escape(line.name))</title></polyline>\n"
        }
        let ticks = ChartFrame.ticks(xDomain).filter { $0 == $0.rounded() }
        out += frame.xAxis(xDomain, label: xLabel, format: formatX, ticks: ticks)
        // Legend, top right.
        var legendX = frame.width - frame.right
        for line in series.reversed() {
            let width = Double(line.name.count) * 6.5 + 22
            legendX -= width
            out += "<rect x=\"\(fmt(legendX))\" y=\"10\" width=\"12\" height=\"4\" fill=\"\(line.color)\"/>"
            out += "<text x=\"\(fmt(legendX + 16))\" y=\"16\" font-size=\"11\" fill=\"#1f2933\">\(HTMLPage.escape(line.name))</text>\n"
        }
        return out + "</svg>"
    }
}

import Foundation
import Reports
import Testing

#if canImport(FoundationXML)
import FoundationXML
#endif

/// Parses SVG or XHTML-like text as XML and reports whether it is well formed.
func isWellFormedXML(_ text: String) -> Bool {
    let parser = XMLParser(data: Data(text.utf8))
    return parser.parse()
}

struct ChartTests {
    @Test func ticksAreNiceAndCoverTheDomain() {
        #expect(ChartFrame.ticks(0...100) == [0, 20, 40, 60, 80, 100])
        #expect(ChartFrame.ticks(0...1).count == 6)
        #expect(ChartFrame.ticks(0...7).first == 0)
        #expect(ChartFrame.niceDomain([0, 93]).upperBound == 100)
        #expect(ChartFrame.niceDomain([-5, 12]).lowerBound == -5)
    }

    @Test func histogramDrawsOneBarPerNonEmptyBin() {
        let svg = Histogram(title: "Cost <per> user", xLabel: "USD", bins: [.init(lower: 0, upper: 1, count: 10), .init(lower: 1, upper: 2, count: 0), .init(lower: 2, upper: 3, count: 4)]).svg()
        #expect(isWellFormedXML(svg))
        #expect(svg.components(separatedBy: "<rect ").count - 1 == 2)
        #expect(svg.contains("Cost &lt;per&gt; user"))
    }

    @Test func lorenzCurveShowsGini() {
        let svg = LorenzCurve(title: "Lorenz", points: [(0, 0), (0.5, 0.1), (0.9, 0.4), (1, 1)], gini: 0.62).svg()
        #expect(isWellFormedXML(svg))
        #expect(svg.contains("Gini 0.62"))
        #expect(svg.contains("<polyline"))
    }

    @Test func lineChartHasALegend() {
        let svg = LineChart(
            title: "Projection", xLabel: "month", yLabel: "USD",
            series: [.init(name: "cost", color: "#d64545", values: [(1, 10), (2, 12)]), .init(name: "revenue", color: "#2f6fde", values: [(1, 30), (2, 31)])]
        ).svg()
        #expect(isWellFormedXML(svg))
        #expect(svg.components(separatedBy: "<polyline").count - 1 == 2)
        #expect(svg.contains(">revenue</text>"))
    }

    @Test func waterfallBarsStartWhereThePreviousEnded() {
        let bars = BarChart(title: "Savings", bars: [.init(label: "model", value: 60, valueLabel: "$60"), .init(label: "cache", value: 40, valueLabel: "$40")], waterfall: true)
        let svg = bars.svg()
        #expect(isWellFormedXML(svg))
        // Second bar's x is the first bar's end.
        let xs = svg.components(separatedBy: "<rect x=\"").dropFirst().map { $0.prefix { $0 != "\"" } }
        let widths = svg.components(separatedBy: "width=\"").dropFirst().map { Double($0.prefix { $0 != "\"" }) ?? 0 }
        #expect(xs.count == 2)
        #expect(abs((Double(xs[0]) ?? 0) + widths[0] - (Double(xs[1]) ?? 0)) < 0.2)
    }

    @Test func dollarLabels() {
        #expect(formatDollarsShort(0) == "$0")
        #expect(formatDollarsShort(0.5) == "$0.50")
        #expect(formatDollarsShort(12) == "$12")
        #expect(formatDollarsShort(1500) == "$1.5k")
        #expect(formatDollarsShort(2_000_000) == "$2M")
    }
}

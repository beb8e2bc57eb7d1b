import Foundation
/// A Lorenz curve as inline SVG: the share of the total held by the lightest share of items,
/// against the line of equality.
public struct LorenzCurve: Sendable {
    public var title: String
    /// Points (share of items, share of the total), both from 0 to 1, ascending.
    public var points: [(x: Double, y: Double)]
    /// The Gini coefficient shown in the legend.
    public var gini: Double?
    public var xLabel: String
    public var yLabel: String
    public var frame = ChartFrame(width: 520, height: 300)

    public init(title: String, points: [(x: Double, y: Double)], gini: Double? = nil, xLabel: String = "share of users, lightest first", yLabel: String = "share of cost") {
        self.title = title
        self.points = points
        self.gini = gini
        self.xLabel = xLabel
        self.yLabel = yLabel
    }

    /// The chart.
    public func svg() -> String {
        let unit = 0.0...1.0
        let percent: (Double) -> String = { "\(Int(($0 * 100).rounded()))%" }
        var out = frame.open(title: title)
        out += frame.yAxis(unit, label: yLabel, format: percent)
        out += "<line x1=\"\(fmt(frame.x(0, unit)))\" y1=\"\(fmt(frame.y(0, unit)))\" x2=\"\(fmt(frame.x(1, unit)))\" y2=\"\(fmt(frame.y(1, unit)))\" stroke=\"#9aa5b1\" stroke-dasharray=\"4 3\"/>\n"
        if !points.isEmpty {
            let path = points.map { "\(fmt(frame.x($0.x, unit))),\(fmt(frame.y($0.y, unit)))" }.joined(separator: " ")
            let area = "\(fmt(frame.x(0, unit))),\(fmt(frame.y(0, unit))) " + path + " \(fmt(frame.x(1, unit))),\(fmt(frame.y(0, unit)))"
            out += "<polygon points=\"\(area)\" fill=\"#2f6fde\" fill-opacity=\"0.12\"/>\n"
            out += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"#2f6fde\" stroke-width=\"2\"/>\n"
        }
        if let gini {
            out += "<text x=\"\(fmt(frame.x(0.04, unit)))\" y=\"\(fmt(frame.y(0.9, unit)))\" font-size=\"12\" fill=\"#1f2933\">Gini \(String(format: "%.2f", gini))</text>\n"
        }
        out += frame.xAxis(unit, label: xLabel, format: percent)
        return out + "</svg>"
    }
}

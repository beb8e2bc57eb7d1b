import Foundation

/// The plotting area shared by the charts: size, margins, scales, axes and ticks.
///
/// Charts are plain SVG text with fixed `viewBox`es, so they scale with the page and need no
/// script. Every chart type (``Histogram``, ``LorenzCurve``, ``LineChart``, ``BarChart``) draws
/// into one of these.
public struct ChartFrame: Sendable {
    public var width: Double = 520
    public var height: Double = 300
    public var left: Double = 70
    public var right: Double = 18
    public var top: Double = 30
    public var bottom: Double = 48

    public init(width: Double = 520, height: Double = 300, left: Double = 70) {
        self.width = width
        self.height = height
        self.left = left
    }

    var plotWidth: Double { width - left - right }
    var plotHeight: Double { height - top - bottom }

    /// x in data units → SVG x.
    func x(_ value: Double, _ domain: ClosedRange<Double>) -> Double {
        let span = domain.upperBound - domain.lowerBound
        return left + (span > 0 ? (value - domain.lowerBound) / span : 0) * plotWidth
    }

    /// y in data units → SVG y.
    func y(_ value: Double, _ domain: ClosedRange<Double>) -> Double {
        let span = domain.upperBound - domain.lowerBound
        return top + plotHeight - (span > 0 ? (value - domain.lowerBound) / span : 0) * plotHeight
    }

    /// Opens the SVG with a title.
    func open(title: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(HTMLPage.escape(title))\">\n"
            + "<title>\(HTMLPage.escape(title))</title>\n"
            + "<text x=\"\(fmt(left))\" y=\"18\" font-size=\"13\" font-weight=\"600\" fill=\"#1f2933\">\(HTMLPage.escape(title))</text>\n"
    }

    /// Horizontal grid lines and y tick labels.
    func yAxis(_ domain: ClosedRange<Double>, label: String, format: (Double) -> String) -> String {
        var out = ""
        for tick in Self.ticks(domain) {
            let yy = y(tick, domain)
            out += "<line x1=\"\(fmt(left))\" x2=\"\(fmt(width - right))\" y1=\"\(fmt(yy))\" y2=\"\(fmt(yy))\" stroke=\"#d9e2ec\" stroke-width=\"1\"/>\n"
            out += "<text x=\"\(fmt(left - 6))\" y=\"\(fmt(yy + 4))\" font-size=\"11\" text-anchor=\"end\" fill=\"#616e7c\">\(HTMLPage.escape(format(tick)))</text>\n"
        }
        out += "<text transform=\"translate(14 \(fmt(top + plotHeight / 2))) rotate(-90)\" font-size=\"11\" text-anchor=\"middle\" fill=\"#616e7c\">\(HTMLPage.escape(label))</text>\n"
        return out
    }

    /// The x axis line, tick labels and label.
    func xAxis(_ domain: ClosedRange<Double>, label: String, format: (Double) -> String, ticks: [Double]? = nil) -> String {
        let base = top + plotHeight
        var out = "<line x1=\"\(fmt(left))\" x2=\"\(fmt(width - right))\" y1=\"\(fmt(base))\" y2=\"\(fmt(base))\" stroke=\"#9aa5b1\" stroke-width=\"1\"/>\n"
        for tick in ticks ?? Self.ticks(domain) {
            let xx = x(tick, domain)
            out += "<line x1=\"\(fmt(xx))\" x2=\"\(fmt(xx))\" y1=\"\(fmt(base))\" y2=\"\(fmt(base + 4))\" stroke=\"#9aa5b1\"/>\n"
            out += "<text x=\"\(fmt(xx))\" y=\"\(fmt(base + 16))\" font-size=\"11\" text-anchor=\"middle\" fill=\"#616e7c\">\(HTMLPage.escape(format(tick)))</text>\n"
        }
        out += "<text x=\"\(fmt(left + plotWidth / 2))\" y=\"\(fmt(height - 8))\" font-size=\"11\" text-anchor=\"middle\" fill=\"#616e7c\">\(HTMLPage.escape(label))</text>\n"
        return out
    }

    /// About five "nice" ticks (1, 2 or 5 × 10ⁿ apart) covering a domain.
    public static func ticks(_ domain: ClosedRange<Double>, count: Int = 5) -> [Double] {
        let span = domain.upperBound - domain.lowerBound
        guard span > 0, span.isFinite else { return [domain.lowerBound] }
        let raw = span / Double(count)
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        var ticks: [Double] = []
        var value = (domain.lowerBound / step).rounded(.up) * step
        while value <= domain.upperBound + step * 1e-9 {
            ticks.append(abs(value) < step * 1e-9 ? 0 : value)
            value += step
        }
        return ticks
    }

    /// A domain from 0 (or the minimum, when negative) to a nice maximum.
    public static func niceDomain(_ values: [Double]) -> ClosedRange<Double> {
        let finite = values.filter(\.isFinite)
        let low = min(0, finite.min() ?? 0)
        var high = max(finite.max() ?? 1, low + 1e-12)
        let ticks = ticks(low...high)
        if let last = ticks.last, last < high, ticks.count > 1 { high = last + (ticks[1] - ticks[0]) }
        return low...high
    }
}

/// Formats an SVG coordinate with at most one decimal.
func fmt(_ value: Double) -> String {
    let rounded = (value * 10).rounded() / 10
    return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
}

/// Compact dollar labels for axes: `$0`, `$0.50`, `$12`, `$1.2k`, `$3.4M`.
public func formatDollarsShort(_ value: Double) -> String {
    let magnitude = abs(value)
    let sign = value < 0 ? "-" : ""
    if magnitude >= 1e6 { return sign + "$" + trim(String(format: "%.1f", magnitude / 1e6)) + "M" }
    if magnitude >= 1e3 { return sign + "$" + trim(String(format: "%.1f", magnitude / 1e3)) + "k" }
    if magnitude >= 10 || magnitude == 0 { return sign + "$" + String(format: "%.0f", magnitude) }
    if magnitude >= 0.1 { return sign + "$" + String(format: "%.2f", magnitude) }
    return sign + "$" + trim(String(format: "%.4f", magnitude))
}

private func trim(_ text: String) -> String {
    guard text.contains(".") else { return text }
    var out = text
    while out.last == "0" { out.removeLast() }
    if out.last == "." { out.removeLast() }
    return out
}

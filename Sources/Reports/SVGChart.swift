import Foundation
import MarketData

/// A point drawn over a chart's line: a fill on the price chart.
struct ChartMarker {
    var time: Int64
    var value: Double
    var color: String
    /// A class name for the marker (the order's role: `base`, `take_profit`, ...).
    var role: String
    /// The tooltip text.
    var title: String
}

/// A horizontal level over a time range: a deal's average entry or take-profit price.
struct ChartLevel {
    var from: Int64
    var to: Int64
    var value: Double
    var color: String
    /// `avg_entry` or `take_profit`.
    var kind: String
    var title: String
}

/// Line charts as inline SVG with labelled axes: dates (UTC) along x, values along y.
enum SVGChart {
    /// A chart of `values` against `times` (nanoseconds). Long series are reduced to the minimum
    /// and maximum of each pixel column, so every extreme stays visible.
    /// - Parameter markers: points drawn as dots over the line (fills on a price chart), each
    ///   with its colour, class and tooltip (an SVG `<title>`), drawn in the order given (later
    ///   ones on top); the y range includes them.
    /// - Parameter legend: (label, colour) pairs shown above the plot.
    static func line(
        times: [Int64], values: [Double], title: String, yLabel: String, color: String, fill: Bool, baseline: Double?,
        markers: [ChartMarker] = [], legend: [(label: String, color: String)] = [],
        overlay: (values: [Double], color: String)? = nil, levels: [ChartLevel] = [], logarithmicAbove ratio: Double? = nil,
        width: Double = 1000, height: Double = 340
    ) -> String {
        let left = 84.0, right = 16.0, top = 34.0, bottom = 52.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        guard values.count >= 1, let firstTime = times.first, let lastTime = times.last, values.allSatisfy(\.isFinite) else {
            return "<p>No data to chart.</p>"
        }
        var low = values.min()!, high = values.max()!
        if let baseline, baseline.isFinite { low = min(low, baseline); high = max(high, baseline) }
        for marker in markers where marker.value.isFinite { low = min(low, marker.value); high = max(high, marker.value) }
        let overlayValues = overlay.flatMap { $0.values.count == values.count && $0.values.allSatisfy(\.isFinite) ? $0.values : nil }
        if let overlayValues, let a = overlayValues.min(), let b = overlayValues.max() { low = min(low, a); high = max(high, b) }
        if fill { high = max(high, 0) }
        // A flat line gets a band of 1% of its level around it (at least 1): adding 1 to 1e16
        // changes nothing.
        if high - low <= abs(high) * 1e-12 {
            let pad = max(1, abs(high) * 0.01)
            high += pad
            low -= pad
        }
        // A logarithmic axis when the values span more than `ratio` (prices over years).
        let logarithmic = ratio.map { low > 0 && high / low > $0 } ?? false
        let yTicks = logarithmic ? logTicks(low: low, high: high) : niceTicks(low: low, high: high, count: 5)
        if !logarithmic {
            low = min(low, yTicks.first ?? low)
            high = max(high, yTicks.last ?? high)
        }
        let span = Double(max(lastTime - firstTime, 1))
        func x(_ t: Int64) -> Double { left + Double(t - firstTime) / span * plotWidth }
        let (logLow, logHigh) = (Foundation.log10(max(low, .leastNormalMagnitude)), Foundation.log10(max(high, .leastNormalMagnitude)))
        func y(_ v: Double) -> Double {
            logarithmic
                ? top + (logHigh - Foundation.log10(max(v, low))) / (logHigh - logLow) * plotHeight
                : top + (high - v) / (high - low) * plotHeight
        }

        // Reduce to at most two points per pixel column.
        func reduced(_ values: [Double]) -> [(Double, Double)] {
            var points: [(Double, Double)] = []
            let columns = Int(plotWidth)
            if values.count <= columns * 2 {
                for i in 0..<values.count { points.append((x(times[i]), y(values[i]))) }
                return points
            }
            var column = -1
            var minIndex = 0, maxIndex = 0
            func flush() {
                guard column >= 0 else { return }
                for i in [minIndex, maxIndex].sorted() { points.append((x(times[i]), y(values[i]))) }
            }
            for i in 0..<values.count {
                let c = Int((x(times[i]) - left).rounded(.down))
                if c != column {
                    flush()
                    column = c
                    minIndex = i
                    maxIndex = i
                } else {
                    if values[i] < values[minIndex] { minIndex = i }
                    if values[i] > values[maxIndex] { maxIndex = i }
                }
            }
            flush()
            return points
        }
        let points = reduced(values)
        func f(_ v: Double) -> String { Format.fixed(v, decimals: 1) }
        var path = ""
        for (k, point) in points.enumerated() { path += (k == 0 ? "M" : "L") + f(point.0) + "," + f(point.1) }
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(f(width))\" height=\"\(f(height))\" viewBox=\"0 0 \(f(width)) \(f(height))\" role=\"img\" aria-label=\"\(title)\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n"
        svg += "<text x=\"\(f(left))\" y=\"20\" font-size=\"15\" font-weight=\"600\">\(title)</text>\n"
        // Grid and y axis labels.
        for tick in yTicks {
            let yy = y(tick)
            svg += "<line x1=\"\(f(left))\" x2=\"\(f(width - right))\" y1=\"\(f(yy))\" y2=\"\(f(yy))\" stroke=\"#e6e8eb\"/>"
            svg += "<text x=\"\(f(left - 6))\" y=\"\(f(yy + 4))\" text-anchor=\"end\" fill=\"#59636e\">\(label(tick))</text>\n"
        }
        // x axis: dates.
        let xTicks = timeTicks(first: firstTime, last: lastTime, count: 6)
        for tick in xTicks {
            let xx = x(tick.time)
            svg += "<line x1=\"\(f(xx))\" x2=\"\(f(xx))\" y1=\"\(f(top))\" y2=\"\(f(top + plotHeight))\" stroke=\"#f0f1f3\"/>"
            svg += "<text x=\"\(f(xx))\" y=\"\(f(top + plotHeight + 18))\" text-anchor=\"middle\" fill=\"#59636e\">\(tick.label)</text>\n"
        }
        svg += "<line x1=\"\(f(left))\" x2=\"\(f(width - right))\" y1=\"\(f(top + plotHeight))\" y2=\"\(f(top + plotHeight))\" stroke=\"#59636e\"/>"
        svg += "<line x1=\"\(f(left))\" x2=\"\(f(left))\" y1=\"\(f(top))\" y2=\"\(f(top + plotHeight))\" stroke=\"#59636e\"/>\n"
        if let baseline {
            let yy = y(baseline)
            svg += "<line x1=\"\(f(left))\" x2=\"\(f(width - right))\" y1=\"\(f(yy))\" y2=\"\(f(yy))\" stroke=\"#8c959f\" stroke-dasharray=\"4 4\"/>"
            svg += "<text x=\"\(f(width - right - 4))\" y=\"\(f(yy - 4))\" text-anchor=\"end\" fill=\"#8c959f\">initial balance</text>\n"
        }
        if fill, let firstPoint = points.first, let lastPoint = points.last {
            svg += "<path d=\"\(path)L\(f(lastPoint.0)),\(f(y(0)))L\(f(firstPoint.0)),\(f(y(0)))Z\" fill=\"\(color)\" fill-opacity=\"0.18\" stroke=\"none\"/>\n"
        }
        if let overlayValues, let overlay {
            var overlayPath = ""
            for (k, point) in reduced(overlayValues).enumerated() { overlayPath += (k == 0 ? "M" : "L") + f(point.0) + "," + f(point.1) }
            svg += "<path class=\"overlay\" d=\"\(overlayPath)\" fill=\"none\" stroke=\"\(overlay.color)\" stroke-width=\"1.2\" stroke-dasharray=\"5 3\"/>\n"
        }
        svg += "<path d=\"\(path)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.5\"/>\n"
        for level in levels where level.value.isFinite && level.value > 0 || (!logarithmic && level.value.isFinite) {
            svg += "<line class=\"level \(level.kind)\" x1=\"\(f(x(level.from)))\" x2=\"\(f(max(x(level.to), x(level.from) + 1)))\" y1=\"\(f(y(level.value)))\" y2=\"\(f(y(level.value)))\" stroke=\"\(level.color)\" stroke-width=\"1.2\" stroke-dasharray=\"3 2\"><title>\(ReportWriter.escape(level.title))</title></line>"
        }
        if !levels.isEmpty { svg += "\n" }
        for marker in markers where marker.value.isFinite {
            svg += "<circle class=\"fill \(marker.role)\" cx=\"\(f(x(marker.time)))\" cy=\"\(f(y(marker.value)))\" r=\"3.5\" fill=\"\(marker.color)\" fill-opacity=\"0.85\"><title>\(ReportWriter.escape(marker.title))</title></circle>"
        }
        if !markers.isEmpty { svg += "\n" }
        if !legend.isEmpty || !levels.isEmpty {
            svg += "<g class=\"legend\">"
            var lx = left + plotWidth
            for item in legend.reversed() {
                lx -= Double(item.label.count) * 6.6 + 26
                svg += "<rect class=\"swatch\" x=\"\(f(lx + 2))\" y=\"\(f(top - 16))\" width=\"8\" height=\"8\" fill=\"\(item.color)\"/><text class=\"legend-label\" x=\"\(f(lx + 14))\" y=\"\(f(top - 8))\" fill=\"#1f2328\">\(ReportWriter.escape(item.label))</text>"
            }
            svg += "</g>\n"
        }
        // Axis titles.
        svg += "<text x=\"\(f(left + plotWidth / 2))\" y=\"\(f(height - 8))\" text-anchor=\"middle\" fill=\"#1f2328\">Date (UTC)</text>\n"
        svg += "<text transform=\"translate(16 \(f(top + plotHeight / 2))) rotate(-90)\" text-anchor=\"middle\" fill=\"#1f2328\">\(yLabel)\(logarithmic ? " (log scale)" : "")</text>\n"
        svg += "</svg>"
        return svg
    }

    /// Round tick values covering [low, high].
    /// Ticks of a logarithmic axis: 1, 2 and 5 times the powers of ten inside `[low, high]`
    /// (only the powers of ten when there are more than 12).
    static func logTicks(low: Double, high: Double) -> [Double] {
        guard low > 0, high > low else { return [low, high] }
        var ticks: [Double] = []
        var power = Foundation.pow(10, Foundation.log10(low).rounded(.down))
        while power <= high && ticks.count < 60 {
            for m in [1.0, 2, 5] where power * m >= low && power * m <= high { ticks.append(power * m) }
            power *= 10
        }
        if ticks.count > 12 { ticks = ticks.filter { Foundation.log10($0) == Foundation.log10($0).rounded() } }
        return ticks.isEmpty ? [low, high] : ticks
    }

    static func niceTicks(low: Double, high: Double, count: Int) -> [Double] {
        let raw = (high - low) / Double(count)
        guard raw > 0, raw.isFinite else { return [low, high] }
        var magnitude = 1.0
        while magnitude * 10 <= raw { magnitude *= 10 }
        while magnitude > raw { magnitude /= 10 }
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? magnitude * 10
        var ticks: [Double] = []
        var value = (low / step).rounded(.down) * step
        while value <= high + step * 0.5 && ticks.count < 20 {
            ticks.append(value)
            value += step
        }
        return ticks
    }

    static func label(_ value: Double) -> String {
        let a = abs(value)
        if a > 0 && a < 1 { return Format.significant(value, digits: 4) }
        if a >= 1000 { return Format.money(value).replacingOccurrences(of: ".00", with: "") }
        if a >= 10 || value == value.rounded() { return Format.fixed(value, decimals: value == value.rounded() ? 0 : 1) }
        return Format.fixed(value, decimals: 2)
    }

    /// About `count` date ticks on round boundaries: whole hours within a few days, midnights,
    /// Mondays for weekly steps, first days of months (of quarters, half years) and of years.
    static func timeTicks(first: Int64, last: Int64, count: Int) -> [(time: Int64, label: String)] {
        let hour: Int64 = 3_600_000_000_000
        let day = 24 * hour
        let span = max(last - first, 1)
        func label(_ t: Int64, time: Bool) -> String {
            let text = UTCTime.shortText(nanoseconds: t)
            return time ? String(text.suffix(11)) : String(text.prefix(10))
        }
        // Steps shorter than a month: multiples from the epoch (weeks shifted to Mondays:
        // 1970-01-01 was a Thursday, 1970-01-05 a Monday).
        let fixed: [Int64] = [hour, 2 * hour, 3 * hour, 6 * hour, 12 * hour, day, 2 * day, 7 * day, 14 * day]
        if let step = fixed.first(where: { span / $0 <= Int64(count) }) {
            let offset: Int64 = step >= 7 * day ? 4 * day : 0
            var t = UTCTime.floorDiv(first - offset, step) * step + offset
            if t < first { t += step }
            var ticks: [(Int64, String)] = []
            while t <= last {
                ticks.append((t, label(t, time: step < day)))
                t += step
            }
            return ticks
        }
        // Calendar months: 1, 2, 3, 6 months, then 1, 2, 5, 10 years, on the first of a month.
        let months: [Int64] = [1, 2, 3, 6, 12, 24, 60, 120, 240, 600]
        let step = months.first { Double(span) / (Double($0) * 30.44 * Double(day)) <= Double(count) } ?? 1200
        let start = UTCTime.civilFromDays(UTCTime.floorDiv(first, day))
        var index = start.year * 12 + (start.month - 1)  // months since year 0
        index = (index + step - 1) / step * step  // the first multiple of the step at or after it
        var ticks: [(Int64, String)] = []
        while ticks.count < 40 {
            let t = UTCTime.daysFromCivil(year: index / 12, month: index % 12 + 1, day: 1) * day
            if t > last { break }
            if t >= first { ticks.append((t, step >= 12 ? String(label(t, time: false).prefix(4)) : String(label(t, time: false).prefix(7)))) }
            index += step
        }
        return ticks
    }
}

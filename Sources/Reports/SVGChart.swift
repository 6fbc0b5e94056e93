import MarketData

/// Line charts as inline SVG with labelled axes: dates (UTC) along x, values along y.
enum SVGChart {
    /// A chart of `values` against `times` (nanoseconds). Long series are reduced to the minimum
    /// and maximum of each pixel column, so every extreme stays visible.
    /// - Parameter markers: points drawn as dots over the line (fills on a price chart), each
    ///   with its colour; the y range includes them.
    static func line(
        times: [Int64], values: [Double], title: String, yLabel: String, color: String, fill: Bool, baseline: Double?,
        markers: [(time: Int64, value: Double, color: String)] = [], width: Double = 1000, height: Double = 340
    ) -> String {
        let left = 84.0, right = 16.0, top = 34.0, bottom = 52.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        guard values.count >= 1, let firstTime = times.first, let lastTime = times.last, values.allSatisfy(\.isFinite) else {
            return "<p>No data to chart.</p>"
        }
        var low = values.min()!, high = values.max()!
        if let baseline, baseline.isFinite { low = min(low, baseline); high = max(high, baseline) }
        for marker in markers where marker.value.isFinite { low = min(low, marker.value); high = max(high, marker.value) }
        if fill { high = max(high, 0) }
        // A flat line gets a band of 1% of its level around it (at least 1): adding 1 to 1e16
        // changes nothing.
        if high - low <= abs(high) * 1e-12 {
            let pad = max(1, abs(high) * 0.01)
            high += pad
            low -= pad
        }
        let yTicks = niceTicks(low: low, high: high, count: 5)
        low = min(low, yTicks.first ?? low)
        high = max(high, yTicks.last ?? high)
        let span = Double(max(lastTime - firstTime, 1))
        func x(_ t: Int64) -> Double { left + Double(t - firstTime) / span * plotWidth }
        func y(_ v: Double) -> Double { top + (high - v) / (high - low) * plotHeight }

        // Reduce to at most two points per pixel column.
        var points: [(Double, Double)] = []
        let columns = Int(plotWidth)
        if values.count <= columns * 2 {
            for i in 0..<values.count { points.append((x(times[i]), y(values[i]))) }
        } else {
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
        }
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
        svg += "<path d=\"\(path)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.5\"/>\n"
        for marker in markers where marker.value.isFinite {
            svg += "<circle cx=\"\(f(x(marker.time)))\" cy=\"\(f(y(marker.value)))\" r=\"3.5\" fill=\"\(marker.color)\" fill-opacity=\"0.85\"/>"
        }
        if !markers.isEmpty { svg += "\n" }
        // Axis titles.
        svg += "<text x=\"\(f(left + plotWidth / 2))\" y=\"\(f(height - 8))\" text-anchor=\"middle\" fill=\"#1f2328\">Date (UTC)</text>\n"
        svg += "<text transform=\"translate(16 \(f(top + plotHeight / 2))) rotate(-90)\" text-anchor=\"middle\" fill=\"#1f2328\">\(yLabel)</text>\n"
        svg += "</svg>"
        return svg
    }

    /// Round tick values covering [low, high].
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

    /// About `count` date ticks at round times: hours within a day or two, days beyond.
    static func timeTicks(first: Int64, last: Int64, count: Int) -> [(time: Int64, label: String)] {
        let hour: Int64 = 3_600_000_000_000
        let day = 24 * hour
        let span = max(last - first, 1)
        let steps: [Int64] = [hour, 2 * hour, 3 * hour, 6 * hour, 12 * hour, day, 2 * day, 7 * day, 14 * day, 30 * day, 91 * day, 365 * day]
        let step = steps.first { span / $0 <= Int64(count) } ?? 365 * day
        var t = UTCTime.floorDiv(first, step) * step
        if t < first { t += step }
        var ticks: [(Int64, String)] = []
        while t <= last {
            let text = UTCTime.shortText(nanoseconds: t)
            let label = step < day ? String(text.suffix(11)).replacingOccurrences(of: " ", with: " ") : String(text.prefix(10))
            ticks.append((t, label))
            t += step
        }
        return ticks
    }
}

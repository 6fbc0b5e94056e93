import DCAStrategy
import Foundation

/// The report of one parameter sweep: `reports/sweep-ID/report.html`, self-contained (inline
/// SVG and CSS, no scripts, no network).
///
/// It holds the leaderboard (the best points by the objective, with the varied keys whose value
/// is the first or last of their range flagged), one heatmap of the objective for each pair of
/// varied keys (every other key at the best point's value), one line per varied key showing the
/// objective across its values (likewise), and the walk-forward table when there is one.
/// Heatmap cells are `<rect class="cell">` elements with a `<title>` giving the two values and the
/// objective, so a pair of keys with `a` and `b` values draws exactly `a * b` cells.
public struct SweepReport: Sendable {
    /// One varied key and its values, as text in the grid's order.
    public struct Axis: Sendable, Equatable {
        public var key: String
        public var values: [String]
        public init(key: String, values: [String]) {
            self.key = key
            self.values = values
        }
    }

    /// One evaluated point.
    public struct Point: Sendable {
        /// The point's index in the sweep (its place in the cartesian product).
        public var index: Int
        /// For each axis, the position of the point's value among the axis's values.
        public var valueIndices: [Int]
        /// The objective's value; nil when it is undefined for the run (no Sharpe ratio, say).
        public var objective: Double?
        /// Leaderboard columns beside the objective (label, formatted value), in a fixed order.
        public var columns: [(label: String, value: String)]
        public var runID: String
        public init(index: Int, valueIndices: [Int], objective: Double?, columns: [(label: String, value: String)], runID: String) {
            self.index = index
            self.valueIndices = valueIndices
            self.objective = objective
            self.columns = columns
            self.runID = runID
        }
    }

    /// One walk-forward window: its spans and the in-sample and out-of-sample objective.
    public struct WalkForwardRow: Sendable {
        public var window: Int
        public var trainSpan: String
        public var testSpan: String
        public var bestPoint: Int
        public var inSample: Double?
        public var outOfSample: Double?
        public init(window: Int, trainSpan: String, testSpan: String, bestPoint: Int, inSample: Double?, outOfSample: Double?) {
            self.window = window
            self.trainSpan = trainSpan
            self.testSpan = testSpan
            self.bestPoint = bestPoint
            self.inSample = inSample
            self.outOfSample = outOfSample
        }
    }

    public var sweepID: String
    /// The objective's metric key and its label (with unit).
    public var objectiveKey: String
    public var objectiveLabel: String
    /// True when larger values rank first (false for max_drawdown).
    public var higherIsBetter: Bool
    public var axes: [Axis]
    public var points: [Point]
    public var leaderboardLength: Int
    public var walkForward: [WalkForwardRow]
    /// A sentence shown under the title (what the points are, e.g. a walk-forward's last training window).
    public var note: String?

    public init(
        sweepID: String, objectiveKey: String, objectiveLabel: String, higherIsBetter: Bool, axes: [Axis], points: [Point],
        leaderboardLength: Int = 20, walkForward: [WalkForwardRow] = []
    ) {
        self.sweepID = sweepID
        self.objectiveKey = objectiveKey
        self.objectiveLabel = objectiveLabel
        self.higherIsBetter = higherIsBetter
        self.axes = axes
        self.points = points
        self.leaderboardLength = leaderboardLength
        self.walkForward = walkForward
    }

    /// The largest heatmap drawn (rows x columns); a larger pair of keys is named, not drawn, so a
    /// report stays a page a browser opens.
    public static let maximumHeatmapCells = 40_000

    /// The points best first: by the objective (undefined last), then by point index, so ties
    /// rank the same way on every run.
    public var ranked: [Point] {
        points.sorted { a, b in
            switch (a.objective, b.objective) {
            case (let x?, let y?) where x != y: return higherIsBetter ? x > y : x < y
            case (.some, .none): return true
            case (.none, .some): return false
            default: return a.index < b.index
            }
        }
    }

    /// Writes `report.html` into `folder` (created when missing).
    /// - Throws: the file system's error when the folder cannot be created or written.
    public func write(to folder: String) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Data(html().utf8).write(to: URL(fileURLWithPath: folder).appendingPathComponent("report.html"), options: .atomic)
    }

    public func html() -> String {
        let ranked = ranked
        let best = ranked.first
        var body = "<h1>Sweep \(Self.escape(sweepID))</h1>\n"
        body += "<p>\(points.count) point(s), ranked by \(Self.escape(objectiveLabel)) (\(higherIsBetter ? "higher" : "lower") is better). "
        body += "Charts hold every key but the ones shown at the best point's value.</p>\n"
        if let note { body += "<p>\(Self.escape(note))</p>\n" }
        body += leaderboard(ranked)
        if let best {
            // Built once: a sweep of a million points draws every chart from the same lookup.
            let lookup = pointsByValues
            let varied = axes.indices.filter { axes[$0].values.count > 1 }
            if varied.count >= 2 {
                body += "<h2>Heatmaps of \(Self.escape(objectiveLabel))</h2>\n<div class=\"charts\">\n"
                for a in 0..<varied.count {
                    for b in (a + 1)..<varied.count {
                        let cells = axes[varied[a]].values.count * axes[varied[b]].values.count
                        if cells > Self.maximumHeatmapCells {
                            body += "<p class=\"skipped\">\(Self.escape(axes[varied[a]].key)) x \(Self.escape(axes[varied[b]].key)): \(cells) cells, more than \(Self.maximumHeatmapCells) drawn in one heatmap; not drawn.</p>\n"
                            continue
                        }
                        body += heatmap(rowAxis: varied[a], columnAxis: varied[b], best: best, lookup: lookup)
                    }
                }
                body += "</div>\n"
            }
            if !varied.isEmpty {
                body += "<h2>\(Self.escape(objectiveLabel)) across each key</h2>\n<div class=\"charts\">\n"
                for axis in varied { body += line(axis: axis, best: best, lookup: lookup) }
                body += "</div>\n"
            }
        }
        if !walkForward.isEmpty { body += walkForwardTable() }
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Sweep \(Self.escape(sweepID))</title>
            <style>
            body { font-family: system-ui, sans-serif; margin: 24px; color: #1f2328; max-width: 1400px; }
            table { border-collapse: collapse; margin: 8px 0 24px; font-size: 13px; }
            th, td { border: 1px solid #d0d7de; padding: 3px 8px; text-align: right; }
            th { background: #f6f8fa; }
            td.edge { background: #fff8c5; }
            .charts { display: flex; flex-wrap: wrap; gap: 16px; }
            svg text { font-size: 11px; fill: #1f2328; }
            </style></head><body>
            \(body)</body></html>

            """
    }

    // MARK: Parts.

    func leaderboard(_ ranked: [Point]) -> String {
        let shown = ranked.prefix(leaderboardLength)
        guard let first = shown.first else { return "<p>No points were evaluated.</p>\n" }
        var html = "<h2>Leaderboard (best \(shown.count) of \(points.count))</h2>\n"
        html += "<p>A highlighted value is the first or last of its key's values: the best settings may lie outside the range searched.</p>\n"
        html += "<table class=\"leaderboard\"><tr><th>rank</th><th>point</th>"
        for axis in axes where axis.values.count > 1 { html += "<th>\(Self.escape(axis.key))</th>" }
        html += "<th>\(Self.escape(objectiveLabel))</th>"
        for column in first.columns { html += "<th>\(Self.escape(column.label))</th>" }
        html += "<th>run</th></tr>\n"
        let counts = axes.map(\.values.count)
        for (rank, point) in shown.enumerated() {
            let edges = Set(RangeEdge.keysOnEdge(valueIndices: point.valueIndices, valueCounts: counts))
            html += "<tr><td>\(rank + 1)</td><td>\(point.index)</td>"
            for (j, axis) in axes.enumerated() where axis.values.count > 1 {
                html += "<td\(edges.contains(j) ? " class=\"edge\"" : "")>\(Self.escape(axis.values[point.valueIndices[j]]))</td>"
            }
            html += "<td>\(Self.format(point.objective))</td>"
            for column in point.columns { html += "<td>\(Self.escape(column.value))</td>" }
            html += "<td><code>\(Self.escape(String(point.runID.prefix(8))))</code></td></tr>\n"
        }
        return html + "</table>\n"
    }

    /// The point whose values are the best point's except `changes` (axis -> value index).
    func point(like best: Point, changing changes: [(axis: Int, value: Int)]) -> Point? {
        var wanted = best.valueIndices
        for change in changes { wanted[change.axis] = change.value }
        return pointsByValues[wanted]
    }

    var pointsByValues: [[Int]: Point] {
        Dictionary(points.map { ($0.valueIndices, $0) }, uniquingKeysWith: { first, _ in first })
    }

    func heatmap(rowAxis: Int, columnAxis: Int, best: Point, lookup: [[Int]: Point]) -> String {
        let rows = axes[rowAxis], columns = axes[columnAxis]
        var grid: [[Double?]] = []
        for r in rows.values.indices {
            var line: [Double?] = []
            for c in columns.values.indices {
                var wanted = best.valueIndices
                wanted[rowAxis] = r
                wanted[columnAxis] = c
                line.append(lookup[wanted]?.objective)
            }
            grid.append(line)
        }
        let defined = grid.flatMap { $0 }.compactMap { $0 }.filter(\.isFinite)
        let low = defined.min() ?? 0, high = defined.max() ?? 0
        let cell = 40.0, left = 110.0, top = 40.0
        let width = left + cell * Double(columns.values.count) + 20, height = top + cell * Double(rows.values.count) + 50
        var svg = "<svg class=\"heatmap\" data-rows=\"\(Self.escape(rows.key))\" data-columns=\"\(Self.escape(columns.key))\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\">"
        svg += "<text x=\"\(left)\" y=\"16\" font-weight=\"bold\">\(Self.escape(rows.key)) (rows) x \(Self.escape(columns.key)) (columns)</text>"
        for (c, value) in columns.values.enumerated() {
            svg += "<text x=\"\(left + cell * (Double(c) + 0.5))\" y=\"\(top - 6)\" text-anchor=\"middle\">\(Self.escape(value))</text>"
        }
        for (r, value) in rows.values.enumerated() {
            svg += "<text x=\"\(left - 6)\" y=\"\(top + cell * (Double(r) + 0.5) + 4)\" text-anchor=\"end\">\(Self.escape(value))</text>"
            for c in columns.values.indices {
                let objective = grid[r][c]
                let colour = Self.colour(objective, low: low, high: high, higherIsBetter: higherIsBetter)
                let isBest = r == best.valueIndices[rowAxis] && c == best.valueIndices[columnAxis]
                svg += "<rect class=\"cell\" x=\"\(left + cell * Double(c))\" y=\"\(top + cell * Double(r))\" width=\"\(cell)\" height=\"\(cell)\" fill=\"\(colour)\"\(isBest ? " stroke=\"#1f2328\" stroke-width=\"3\"" : " stroke=\"#ffffff\"")>"
                svg += "<title>\(Self.escape(rows.key)) = \(Self.escape(rows.values[r])), \(Self.escape(columns.key)) = \(Self.escape(columns.values[c])): \(Self.escape(objectiveLabel)) \(Self.format(objective))\(isBest ? " (best point)" : "")</title></rect>"
            }
        }
        svg += "<text x=\"\(left)\" y=\"\(height - 18)\">green = best, red = worst, grey = undefined; framed: the best point</text>"
        return svg + "</svg>\n"
    }

    func line(axis: Int, best: Point, lookup: [[Int]: Point]) -> String {
        let values = axes[axis].values
        let series: [Double?] = values.indices.map { v in
            var wanted = best.valueIndices
            wanted[axis] = v
            return lookup[wanted]?.objective
        }
        let defined = series.compactMap { $0 }.filter(\.isFinite)
        var low = defined.min() ?? 0, high = defined.max() ?? 1
        if high - low <= abs(high) * 1e-12 { let pad = max(abs(high) * 0.01, 1e-9); low -= pad; high += pad }
        let width = 420.0, height = 240.0, left = 70.0, right = 16.0, top = 28.0, bottom = 48.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        func x(_ i: Int) -> Double { values.count == 1 ? left + plotWidth / 2 : left + Double(i) / Double(values.count - 1) * plotWidth }
        func y(_ v: Double) -> Double { top + (high - v) / (high - low) * plotHeight }
        var svg = "<svg class=\"key-line\" data-key=\"\(Self.escape(axes[axis].key))\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\">"
        svg += "<text x=\"\(left)\" y=\"16\" font-weight=\"bold\">\(Self.escape(objectiveLabel)) by \(Self.escape(axes[axis].key))</text>"
        svg += "<line x1=\"\(left)\" y1=\"\(top + plotHeight)\" x2=\"\(left + plotWidth)\" y2=\"\(top + plotHeight)\" stroke=\"#8c959f\"/>"
        svg += "<text x=\"\(left - 6)\" y=\"\(y(high) + 4)\" text-anchor=\"end\">\(Self.format(high))</text>"
        svg += "<text x=\"\(left - 6)\" y=\"\(y(low) + 4)\" text-anchor=\"end\">\(Self.format(low))</text>"
        var path = ""
        for (i, value) in series.enumerated() {
            svg += "<text x=\"\(x(i))\" y=\"\(top + plotHeight + 16)\" text-anchor=\"middle\">\(Self.escape(values[i]))</text>"
            guard let value, value.isFinite else { path += " "; continue }
            path += (path.isEmpty || path.hasSuffix(" ") ? "M" : "L") + "\(x(i)),\(y(value)) "
            let isBest = i == best.valueIndices[axis]
            svg += "<circle class=\"value\" cx=\"\(x(i))\" cy=\"\(y(value))\" r=\"\(isBest ? 5 : 3)\" fill=\"\(isBest ? "#1a7f37" : "#1f6feb")\"><title>\(Self.escape(axes[axis].key)) = \(Self.escape(values[i])): \(Self.format(value))</title></circle>"
        }
        svg += "<path d=\"\(path.trimmingCharacters(in: .whitespaces))\" fill=\"none\" stroke=\"#1f6feb\" stroke-width=\"1.5\"/>"
        return svg + "</svg>\n"
    }

    func walkForwardTable() -> String {
        var html = "<h2>Walk-forward</h2>\n<p>Each window optimises on its training span and evaluates the best point on the test span that follows.</p>\n"
        html += "<table class=\"walk-forward\"><tr><th>window</th><th>training span</th><th>test span</th><th>best point</th><th>in sample</th><th>out of sample</th></tr>\n"
        for row in walkForward {
            html += "<tr><td>\(row.window + 1)</td><td>\(Self.escape(row.trainSpan))</td><td>\(Self.escape(row.testSpan))</td><td>\(row.bestPoint)</td><td>\(Self.format(row.inSample))</td><td>\(Self.format(row.outOfSample))</td></tr>\n"
        }
        return html + "</table>\n"
    }

    // MARK: Helpers.

    static func format(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "n/a" }
        return String(format: abs(value) >= 1e6 || (abs(value) < 1e-4 && value != 0) ? "%.4g" : "%.4f", value)
    }

    /// Red (worst) through yellow to green (best); grey for an undefined objective.
    static func colour(_ value: Double?, low: Double, high: Double, higherIsBetter: Bool) -> String {
        guard let value, value.isFinite else { return "#d0d7de" }
        var t = high > low ? (value - low) / (high - low) : 1
        if !higherIsBetter { t = 1 - t }
        let r = t < 0.5 ? 215 : Int(215 - (t - 0.5) * 2 * (215 - 26))
        let g = t < 0.5 ? Int(48 + t * 2 * (180 - 48)) : Int(180 - (t - 0.5) * 2 * (180 - 127))
        let b = t < 0.5 ? 39 : Int(39 + (t - 0.5) * 2 * (55 - 39))
        return String(format: "#%02x%02x%02x", r, g, b)
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }
}

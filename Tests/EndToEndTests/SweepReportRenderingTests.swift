import Foundation
import Reports
import Testing

/// The sweep report rendered by headless Chromium: one heatmap per pair of varied keys with one
/// cell per pair of values, one line per varied key, the leaderboard flagging edge values.
@Suite(.serialized) struct SweepReportRenderingTests {
    /// A 3 x 2 x 4 grid: keys a (3 values), b (2), c (4); the objective is 100a + 10b + c by
    /// position, so the best point is a = 2, b = 1, c = 3 (the last of each) and every cell's
    /// value is known without running anything.
    static func report() -> SweepReport {
        let axes = [
            SweepReport.Axis(key: "take_profit", values: ["0.01", "0.02", "0.03"]),
            SweepReport.Axis(key: "price_deviation", values: ["0.005", "0.01"]),
            SweepReport.Axis(key: "safety_order_volume_scale", values: ["1", "1.5", "2", "2.5"]),
        ]
        var points: [SweepReport.Point] = []
        var index = 0
        for a in 0..<3 { for b in 0..<2 { for c in 0..<4 {
            points.append(.init(index: index, valueIndices: [a, b, c], objective: Double(100 * a + 10 * b + c), columns: [("Return", "\(index)%")], runID: "run-\(index)"))
            index += 1
        } } }
        return SweepReport(sweepID: "test-sweep", objectiveKey: "sharpe_ratio", objectiveLabel: "Sharpe ratio", higherIsBetter: true, axes: axes, points: points, leaderboardLength: 5,
                           walkForward: [.init(window: 0, trainSpan: "2020-01-01 to 2020-01-03", testSpan: "2020-01-03 to 2020-01-04", bestPoint: 23, inSample: 1.5, outOfSample: -0.25)])
    }

    @Test func rankingPutsTheBestFirstAndBreaksTiesByPointIndex() {
        let ranked = Self.report().ranked
        #expect(ranked.prefix(3).map(\.index) == [23, 22, 21])
        var tied = Self.report()
        tied.points = tied.points.map { var p = $0; p.objective = p.index < 2 ? 5 : nil; return p }
        #expect(tied.ranked.prefix(3).map(\.index) == [0, 1, 2])
    }

    @Test func renderedSweepReportHasOneCellPerPairOfValues() throws {
        guard ReportRenderingTests.chromium != nil else {
            if ReportRenderingTests.required { Issue.record("CI must install chromium: \(ReportRenderingTests.skipMessage)") }
            print("➜ SweepReportRenderingTests skipped: \(ReportRenderingTests.skipMessage)")
            return
        }
        let folder = Project.temporaryFolder()
        try Self.report().write(to: folder.path)
        let (dom, log) = try ReportRenderingTests.dumpDOM(folder.appendingPathComponent("report.html"))
        // Pairs: (a, b) 3*2 = 6 cells, (a, c) 3*4 = 12, (b, c) 2*4 = 8: 26 cells in 3 heatmaps.
        #expect(ReportRenderingTests.count("<svg class=\"heatmap\"", in: dom) == 3)
        #expect(ReportRenderingTests.count("<rect class=\"cell\"", in: dom) == 26)
        // One line per varied key, one dot per value: 3 + 2 + 4.
        #expect(ReportRenderingTests.count("<svg class=\"key-line\"", in: dom) == 3)
        #expect(ReportRenderingTests.count("<circle class=\"value\"", in: dom) == 9)
        // The best point (the last value of every key) is on the edge of take_profit and of
        // safety_order_volume_scale (3 and 4 values); price_deviation has only 2 values.
        let firstRow = try #require(dom.components(separatedBy: "<tr><td>1</td>").dropFirst().first?.components(separatedBy: "</tr>").first)
        #expect(ReportRenderingTests.count("class=\"edge\"", in: firstRow) == 2)
        // The heatmap of take_profit x price_deviation at c = 2.5: cell (0.03, 0.01) is 213.
        #expect(dom.contains("take_profit = 0.03, price_deviation = 0.01: Sharpe ratio 213.0000 (best point)"))
        #expect(dom.contains("take_profit = 0.01, price_deviation = 0.005: Sharpe ratio 3.0000"))
        #expect(dom.contains("<table class=\"walk-forward\">") && dom.contains("-0.2500"))
        #expect(!log.contains("Uncaught") && !log.contains(":ERROR:CONSOLE"), "\(log)")
    }

    @Test func sweepCommandWritesAReportWithOneCellPerPairOfGridValues() throws {
        let folder = Project.temporaryFolder()
        let result = try runCLI(["sweep", "--config", "datasets/btc-1m-ladder.json", "--grid", "datasets/example-grid.json", "--data"] + SweepTests.sample
            + ["--db", folder.appendingPathComponent("sweep.sqlite").path, "--report-dir", folder.path, "--orders", "none", "--progress", "never"])
        #expect(result.status == 0, "\(result.stderr)")
        let reportLine = try #require(result.stdout.split(separator: "\n").first { $0.hasPrefix("Report: ") })
        let path = String(reportLine.dropFirst("Report: ".count))
        #expect(path.hasPrefix(folder.path + "/sweep-") && path.hasSuffix("/report.html"))
        let html = try String(contentsOfFile: path, encoding: .utf8)
        // Self-contained: no scripts, nothing fetched.
        #expect(!html.contains("<script") && !html.contains("https://") && !html.contains(" src=") && !html.contains(" href="))
        guard ReportRenderingTests.chromium != nil else {
            if ReportRenderingTests.required { Issue.record("CI must install chromium: \(ReportRenderingTests.skipMessage)") }
            print("➜ sweepCommandWritesAReportWithOneCellPerPairOfGridValues: rendering skipped: \(ReportRenderingTests.skipMessage)")
            return
        }
        let (dom, log) = try ReportRenderingTests.dumpDOM(URL(fileURLWithPath: path))
        // datasets/example-grid.json: price_deviation 3 values, safety_order_volume_scale 2,
        // take_profit 4. Pairs: 3*2 + 3*4 + 2*4 = 26 cells in 3 heatmaps; lines: 3 + 2 + 4 dots.
        #expect(ReportRenderingTests.count("<svg class=\"heatmap\"", in: dom) == 3)
        #expect(ReportRenderingTests.count("<rect class=\"cell\"", in: dom) == 26)
        #expect(ReportRenderingTests.count("<svg class=\"key-line\"", in: dom) == 3)
        #expect(ReportRenderingTests.count("<circle class=\"value\"", in: dom) == 9)
        // The leaderboard: the default --top 10 rows.
        #expect(ReportRenderingTests.count("<tr><td>", in: dom.components(separatedBy: "<table class=\"leaderboard\">").last ?? "") >= 10)
        #expect(!log.contains("Uncaught") && !log.contains(":ERROR:CONSOLE"), "\(log)")
    }

    @Test func aPairOfKeysBeyondTheCellLimitIsNamedNotDrawn() {
        // 201 x 201 = 40,401 cells, above the 40,000 drawn; one point is enough to rank.
        let values = (0...200).map { String($0) }
        let report = SweepReport(sweepID: "big", objectiveKey: "total_pnl", objectiveLabel: "Total PnL", higherIsBetter: true,
                                 axes: [.init(key: "a", values: values), .init(key: "b", values: values)],
                                 points: [.init(index: 0, valueIndices: [0, 0], objective: 1, columns: [], runID: "r")])
        let html = report.html()
        #expect(!html.contains("<svg class=\"heatmap\""))
        #expect(html.contains("a x b: 40401 cells, more than 40000 drawn in one heatmap; not drawn."))
        #expect(ReportRenderingTests.count("<svg class=\"key-line\"", in: html) == 2)
    }
}

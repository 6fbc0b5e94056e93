import Foundation
import GRDB
import Testing

/// `sweep --search random`, ranges in the grid, `--walk-forward`, `--split`, edge flags and the
/// sweep's report.html, through the binary.
@Suite(.serialized) struct SweepSearchCommandTests {
    static let sample = SweepTests.sample

    static func sweep(_ folder: URL, db: String, grid: String = "datasets/example-grid.json", config: String = "datasets/btc-1m-ladder.json", data: [String] = sample, _ extra: [String]) throws -> ProcessResult {
        try runCLI(["sweep", "--config", config, "--grid", grid, "--data"] + data + ["--db", folder.appendingPathComponent(db).path, "--report-dir", folder.path, "--progress", "never"] + extra)
    }

    static func exported(_ path: URL) throws -> [[String: Any]] {
        guard case .array(let rows) = try JSONDecoder().decode(Loose.self, from: Data(contentsOf: path)) else { return [] }
        return rows.compactMap { $0.any as? [String: Any?] }.map { $0.compactMapValues { $0 } }
    }

    @Test func randomSearchDrawsTheSamePointsForTheSameSeed() throws {
        let folder = Project.temporaryFolder()
        let one = folder.appendingPathComponent("one.json"), two = folder.appendingPathComponent("two.json")
        let a = try Self.sweep(folder, db: "a.sqlite", ["--search", "random", "--samples", "5", "--seed", "7", "--orders", "none", "--export", one.path])
        #expect(a.status == 0, "\(a.stderr)")
        let b = try Self.sweep(folder, db: "b.sqlite", ["--search", "random", "--samples", "5", "--seed", "7", "--orders", "none", "--export", two.path])
        #expect(b.status == 0, "\(b.stderr)")
        // The example grid has 24 points; SplitMix64 seeded with 7 draws indices 3, 10, 12, 15
        // and 18 (worked out with an independent Python rendering of the generator).
        #expect(try Self.exported(one).compactMap { $0["point"] as? Int } == [3, 10, 12, 15, 18])
        #expect(try Self.exported(two).compactMap { $0["point"] as? Int } == [3, 10, 12, 15, 18])
        #expect(a.stdout.contains("5 of 24 points drawn (seed 7)"), "\(a.stdout)")
        // Another seed is another sweep (its own id), of other points.
        let c = try Self.sweep(folder, db: "a.sqlite", ["--search", "random", "--samples", "5", "--seed", "8", "--orders", "none"])
        #expect(c.status == 0)
        #expect(try DatabaseQueue(path: folder.appendingPathComponent("a.sqlite").path).read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM sweeps") } == 2)
        // --samples without --search random, or random without --samples, is refused.
        let stray = try Self.sweep(folder, db: "x.sqlite", ["--samples", "5"])
        #expect(stray.status != 0 && stray.stderr.contains("--samples takes effect with --search random only"), "\(stray.stderr)")
        let missing = try Self.sweep(folder, db: "x.sqlite", ["--search", "random"])
        #expect(missing.status != 0 && missing.stderr.contains("give --samples"), "\(missing.stderr)")
    }

    @Test func randomPointsAreDistinctAndEqualConfigurationsRunOnce() throws {
        let folder = Project.temporaryFolder()
        // take_profit 0.004 twice: 3 x 2 points, of which 2 x 2 distinct configurations.
        let grid = folder.appendingPathComponent("grid.json")
        try #"{"take_profit": [0.004, 0.004, 0.006], "price_deviation": [0.002, 0.003]}"#.write(to: grid, atomically: true, encoding: .utf8)
        let export = folder.appendingPathComponent("points.json")
        let result = try Self.sweep(folder, db: "r.sqlite", grid: grid.path, ["--search", "random", "--samples", "50", "--seed", "1", "--orders", "none", "--export", export.path])
        #expect(result.status == 0, "\(result.stderr)")
        // More samples than points: every point once.
        #expect(try Self.exported(export).compactMap { $0["point"] as? Int } == [0, 1, 2, 3, 4, 5])
        #expect(try DatabaseQueue(path: folder.appendingPathComponent("r.sqlite").path).read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM bot_runs") } == 4)
    }

    @Test func rangesInTheGridStandForTheirValues() throws {
        let folder = Project.temporaryFolder()
        let grid = folder.appendingPathComponent("grid.json")
        try #"{"take_profit": {"min": 0.003, "max": 0.006, "step": 0.001}}"#.write(to: grid, atomically: true, encoding: .utf8)
        let export = folder.appendingPathComponent("points.csv")
        let result = try Self.sweep(folder, db: "g.sqlite", grid: grid.path, ["--orders", "none", "--export", export.path])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = try String(contentsOf: export, encoding: .utf8).split(separator: "\n").dropFirst()
        #expect(lines.map { $0.split(separator: ",")[1] } == ["0.003", "0.004", "0.005", "0.006"])
        let bad = folder.appendingPathComponent("bad.json")
        try #"{"take_profit": {"min": 0.006, "max": 0.003, "step": 0.001}}"#.write(to: bad, atomically: true, encoding: .utf8)
        let refused = try Self.sweep(folder, db: "g.sqlite", grid: bad.path, [])
        #expect(refused.status != 0 && refused.stderr.contains("the range's max (0.003) is below its min (0.006)"), "\(refused.stderr)")
    }

    @Test func leaderboardFlagsTheKeysOnTheEdgeOfTheirValues() throws {
        let folder = Project.temporaryFolder()
        // `name` changes the bot, not its trades: every point ties, so the best is point 0, the
        // first value of each key. name has 3 values (flagged), take_profit 2 (never flagged).
        let grid = folder.appendingPathComponent("grid.json")
        try #"{"name": ["a", "b", "c"], "take_profit": [0.004, 0.006]}"#.write(to: grid, atomically: true, encoding: .utf8)
        let result = try Self.sweep(folder, db: "e.sqlite", grid: grid.path, ["--orders", "none", "--top", "6"])
        #expect(result.status == 0, "\(result.stderr)")
        let board = result.stdout.split(separator: "\n").filter { $0.hasPrefix("  ") && $0.contains(". name=") }
        #expect(board.count == 6)
        #expect(board.first?.hasPrefix("  1. name=\"a\", take_profit=0.004") == true && board.first?.hasSuffix("[edge: name]") == true, "\(result.stdout)")
        // name = "b" is inside its values: not flagged.
        #expect(board.filter { $0.contains("name=\"b\"") }.allSatisfy { !$0.contains("[edge") })
        #expect(result.stdout.contains("Note: the best point is on the edge of name"))
    }

    /// Ten hourly candles, a zigzag that fills orders and takes profits.
    static func hourlySeries(in folder: URL) throws -> (config: String, data: String, rows: [String]) {
        let closes: [Double] = [100, 97, 101, 96, 102, 95, 103, 98, 104, 97]
        var rows: [String] = []
        var open = 100.0
        for (hour, close) in closes.enumerated() {
            rows.append(String(format: "2024-07-01T%02d:00:00Z,%g,%g,%g,%g,1", hour, open, max(open, close) + 0.5, min(open, close) - 0.5, close))
            open = close
        }
        let data = folder.appendingPathComponent("BTCUSDT-1h.csv").path
        try ("timestamp,open,high,low,close,volume\n" + rows.joined(separator: "\n") + "\n").write(toFile: data, atomically: true, encoding: .utf8)
        let config = folder.appendingPathComponent("bot.json").path
        try """
            {"symbol": "BTCUSDT", "initial_balance": 1000, "fee_rate": 0, "base_order_size": 10, "safety_order_size": 10,
             "max_safety_orders": 2, "price_deviation": 0.02, "take_profit": 0.02}
            """.write(toFile: config, atomically: true, encoding: .utf8)
        return (config, data, rows)
    }

    @Test func walkForwardWindowsOverTenHourlyCandles() throws {
        let folder = Project.temporaryFolder()
        let (config, data, rows) = try Self.hourlySeries(in: folder)
        let grid = folder.appendingPathComponent("grid.json")
        try #"{"take_profit": [0.01, 0.02, 0.04]}"#.write(to: grid, atomically: true, encoding: .utf8)
        let result = try Self.sweep(folder, db: "wf.sqlite", grid: grid.path, config: config, data: [data], ["--walk-forward", "4h/2h", "--objective", "total_pnl"])
        #expect(result.status == 0, "\(result.stderr)")
        // Hours 0-9, train 4 h, test 2 h, rolling by 2 h: train 0-3 test 4-5, train 2-5 test 6-7,
        // train 4-7 test 8-9; a fourth window would test hours 10-11, past the last close (10:00).
        #expect(result.stdout.contains("Window 1: train 2024-07-01T00:00:00.000Z to 2024-07-01T04:00:00.000Z (4 candles), test 2024-07-01T04:00:00.000Z to 2024-07-01T06:00:00.000Z (2 candles)"), "\(result.stdout)")
        #expect(result.stdout.contains("Window 3: train 2024-07-01T04:00:00.000Z to 2024-07-01T08:00:00.000Z (4 candles), test 2024-07-01T08:00:00.000Z to 2024-07-01T10:00:00.000Z (2 candles)"))
        #expect(!result.stdout.contains("Window 4"))
        let sweepID = try #require(result.stdout.split(separator: " ").dropFirst().first.map { String($0.dropLast()) })
        let table = try jsonObject(String(contentsOf: folder.appendingPathComponent("sweep-\(sweepID)/walk-forward.json"), encoding: .utf8))
        let windows = try #require(table["windows"] as? [Any?]).compactMap { $0 as? [String: Any?] }
        #expect(windows.count == 3)
        #expect(windows.map { ($0["train"] as? [String: Any?])?["first_candle"] as? Int } == [0, 2, 4])
        #expect(windows.map { ($0["test"] as? [String: Any?])?["first_candle"] as? Int } == [4, 6, 8])
        #expect(windows.map { ($0["test"] as? [String: Any?])?["candles"] as? Int } == [2, 2, 2])
        #expect(table["candles_left_out"] as? Int == 0)
        // With the default --orders top:10 the test runs keep their orders (a base order at least),
        // the training runs none, and the sweep's row says none (merge picks no "best N" across windows).
        try DatabaseQueue(path: folder.appendingPathComponent("wf.sqlite").path).read { db throws in
            #expect(try String.fetchOne(db, sql: "SELECT orders FROM sweeps") == "none")
            for window in windows {
                let test = try #require(window["out_of_sample_run_id"] as? String), train = try #require(window["in_sample_run_id"] as? String)
                #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM order_logs WHERE run_id = ?", arguments: [test])! > 0)
                #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM order_logs WHERE run_id = ?", arguments: [train]) == 0)
            }
        }
        // Each window's out-of-sample run is a standalone run of the chosen point on the test
        // candles alone (the same run id: same configuration, same candles), and the total
        // out-of-sample PnL is the sum of those standalone runs' PnL.
        var pnl = 0.0
        for (w, window) in windows.enumerated() {
            let values = try #require(window["best_values"] as? String)
            let takeProfit = try #require(values.split(separator: "=").last.map(String.init))
            let pointConfig = folder.appendingPathComponent("point\(w).json").path
            try String(contentsOfFile: config, encoding: .utf8).replacingOccurrences(of: "\"take_profit\": 0.02", with: "\"take_profit\": \(takeProfit)")
                .write(toFile: pointConfig, atomically: true, encoding: .utf8)
            let testData = folder.appendingPathComponent("test\(w).csv").path
            try ("timestamp,open,high,low,close,volume\n" + rows[(4 + 2 * w)..<(6 + 2 * w)].joined(separator: "\n") + "\n").write(toFile: testData, atomically: true, encoding: .utf8)
            let standalone = try runCLI(["run", "--config", pointConfig, "--data", testData, "--db", folder.appendingPathComponent("standalone.sqlite").path, "--report-dir", folder.path, "--json"])
            #expect(standalone.status == 0, "\(standalone.stderr)")
            let run = try jsonObject(standalone.stdout)
            #expect(run["run_id"] as? String == window["out_of_sample_run_id"] as? String)
            pnl += run.double("total_pnl") ?? .nan
        }
        let totals = try #require(table["totals"] as? [String: Any?])
        let total = (totals["out_of_sample_total_pnl"] as? Double) ?? (totals["out_of_sample_total_pnl"] as? Int).map(Double.init)
        #expect(total.map { abs($0 - pnl) < 1e-9 } == true, "\(String(describing: total)) vs \(pnl)")
        // The report holds the walk-forward table, one row per window.
        let html = try String(contentsOf: folder.appendingPathComponent("sweep-\(sweepID)/report.html"), encoding: .utf8)
        #expect(html.components(separatedBy: "<table class=\"walk-forward\">").count == 2)
        #expect(html.components(separatedBy: "<tr><td>").count - 1 >= 3)
    }

    @Test func splitKeepsTheFirstFractionInSample() throws {
        let folder = Project.temporaryFolder()
        let (config, data, _) = try Self.hourlySeries(in: folder)
        let grid = folder.appendingPathComponent("grid.json")
        try #"{"take_profit": [0.01, 0.02]}"#.write(to: grid, atomically: true, encoding: .utf8)
        // floor(0.75 * 10) = 7 candles in sample (hours 0-6), 3 out of sample (7-9).
        let result = try Self.sweep(folder, db: "s.sqlite", grid: grid.path, config: config, data: [data], ["--split", "0.75"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("train 2024-07-01T00:00:00.000Z to 2024-07-01T07:00:00.000Z (7 candles), test 2024-07-01T07:00:00.000Z to 2024-07-01T10:00:00.000Z (3 candles)"), "\(result.stdout)")
        let refused = try Self.sweep(folder, db: "s.sqlite", grid: grid.path, config: config, data: [data], ["--split", "0.75", "--walk-forward", "4h/2h"])
        #expect(refused.status != 0 && refused.stderr.contains("give one of them"))
        let tooLong = try Self.sweep(folder, db: "s.sqlite", grid: grid.path, config: config, data: [data], ["--walk-forward", "8h/4h"])
        #expect(tooLong.status != 0 && tooLong.stderr.contains("the data spans 10 hour(s)"), "\(tooLong.stderr)")
        let sharded = try Self.sweep(folder, db: "s.sqlite", grid: grid.path, config: config, data: [data], ["--split", "0.5", "--shard", "1/2"])
        #expect(sharded.status != 0 && sharded.stderr.contains("cannot run in shards"))
    }

    @Test func pipedProgressIsWholeLinesOnStandardError() throws {
        let folder = Project.temporaryFolder()
        func sweep(_ db: String, _ extra: [String]) throws -> ProcessResult {
            try runCLI(["sweep", "--config", "datasets/btc-1m-ladder.json", "--grid", "datasets/example-grid.json", "--data"] + Self.sample
                + ["--db", folder.appendingPathComponent(db).path, "--report-dir", folder.path, "--orders", "none", "--jobs", "1"] + extra)
        }
        // Piped (as here), auto writes whole lines, at most one per interval, and a last one.
        let auto = try sweep("auto.sqlite", ["--progress-interval", "0.001"])
        #expect(auto.status == 0, "\(auto.stderr)")
        let lines = auto.stderr.split(separator: "\n").filter { $0.hasPrefix("progress: ") }
        #expect(lines.count >= 2, "\(auto.stderr)")
        #expect(!auto.stderr.contains("\r"))
        #expect(lines.last?.hasPrefix("progress: 24/24 points (100.0%), ") == true, "\(auto.stderr)")
        #expect(lines.allSatisfy { $0.contains(" points/s, ETA ") && $0.hasSuffix(" s") })
        // Points done never go down.
        let done = lines.compactMap { Int($0.dropFirst("progress: ".count).split(separator: "/")[0]) }
        #expect(done == done.sorted())
        // The default interval of 5 s: a sweep this short writes only its last line.
        let quiet = try sweep("default.sqlite", [])
        let quietLines = quiet.stderr.split(separator: "\n").filter { $0.hasPrefix("progress: ") }
        #expect(quietLines.count == 1 && quietLines[0].hasPrefix("progress: 24/24 points (100.0%), "), "\(quiet.stderr)")
        let never = try sweep("never.sqlite", ["--progress", "never"])
        #expect(never.status == 0 && !never.stderr.contains("progress"), "\(never.stderr)")
        let bad = try sweep("bad.sqlite", ["--progress", "sometimes"])
        #expect(bad.status != 0 && bad.stderr.contains("auto") && bad.stderr.contains("always") && bad.stderr.contains("never"))
    }

    @Test func eachShardWritesTheReportOfItsPointsInItsOwnFolder() throws {
        let folder = Project.temporaryFolder()
        let result = try Self.sweep(folder, db: "shard.sqlite", ["--shard", "2/3", "--orders", "none"])
        #expect(result.status == 0, "\(result.stderr)")
        let reportLine = try #require(result.stdout.split(separator: "\n").first { $0.hasPrefix("Report: ") })
        #expect(reportLine.hasSuffix("/shard-2-of-3/report.html"))
        // Points 1, 4, ..., 22 of 24: 8 rows in the leaderboard's table (--top 10 shows them all).
        let html = try String(contentsOfFile: String(reportLine.dropFirst("Report: ".count)), encoding: .utf8)
        #expect(html.contains("Leaderboard (best 8 of 8)"))
    }
}

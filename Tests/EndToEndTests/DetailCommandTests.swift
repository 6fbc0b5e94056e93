import Foundation
import Testing

/// `run --detail`: fill_model "detail" from the command line (the engine's cases are in
/// BacktestingTests/DetailFillModelTests, whose hand-worked numbers these reuse).
@Suite struct DetailCommandTests {
    static func files() throws -> (folder: URL, bot: String, bars: String, detail: String) {
        let folder = Project.temporaryFolder()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let bot = folder.appendingPathComponent("bot.json").path
        try """
            {"symbol": "BTCUSDT", "initial_balance": 1000, "fee_rate": 0, "base_order_size": 10, "safety_order_size": 10,
             "max_safety_orders": 1, "price_deviation": 0.05, "take_profit": 0.05, "fill_model": "detail"}
            """.write(toFile: bot, atomically: true, encoding: .utf8)
        let bars = folder.appendingPathComponent("BTCUSDT-1h.csv").path
        try "timestamp,open,high,low,close,volume\n2024-07-01T00:00:00Z,100,110,94,100,1\n2024-07-01T01:00:00Z,100,100.5,99.5,100,1\n"
            .write(toFile: bars, atomically: true, encoding: .utf8)
        let detail = folder.appendingPathComponent("BTCUSDT-1m.csv").path
        try "timestamp,open,high,low,close,volume\n2024-07-01T00:00:00Z,100,104,100,104,1\n2024-07-01T00:01:00Z,104,104,94,94,1\n2024-07-01T00:02:00Z,94,110,94,100,1\n"
            .write(toFile: detail, atomically: true, encoding: .utf8)
        return (folder, bot, bars, detail)
    }

    @Test func detailRunFollowsTheFinerCandlesAndIsItsOwnRun() throws {
        let (folder, bot, bars, detail) = try Self.files()
        let db = folder.appendingPathComponent("runs.sqlite").path
        let common = ["--db", db, "--report-dir", folder.path, "--json"]
        let result = try runCLI(["run", "--config", bot, "--data", bars, "--detail", detail] + common)
        #expect(result.status == 0, "\(result.stderr)")
        let object = try jsonObject(result.stdout)
        // Down to the safety order first, then up through the moved take profit: PnL 1.0.
        #expect(close((object["realized_pnl"] as? NSNumber)?.doubleValue, 1.0))
        #expect(object["fill_model"] as? String == "detail")
        // The same bot and bars without the finer candles is refused, naming what to pass.
        let missing = try runCLI(["run", "--config", bot, "--data", bars] + common)
        #expect(missing.status != 0 && missing.stderr.contains("pass them with --detail FILE"), "\(missing.stderr)")
        // Finer candles for a bot that does not use them are refused too.
        let pessimisticBot = folder.appendingPathComponent("pessimistic.json").path
        try String(contentsOfFile: bot, encoding: .utf8).replacingOccurrences(of: "\"detail\"", with: "\"pessimistic\"")
            .write(toFile: pessimisticBot, atomically: true, encoding: .utf8)
        let unused = try runCLI(["run", "--config", pessimisticBot, "--data", bars, "--detail", detail] + common)
        #expect(unused.status != 0 && unused.stderr.contains("leave --detail out"), "\(unused.stderr)")
        let pessimistic = try jsonObject(try runCLI(["run", "--config", pessimisticBot, "--data", bars] + common).stdout)
        #expect(close((pessimistic["realized_pnl"] as? NSNumber)?.doubleValue, 0.5))
        #expect(pessimistic["data_fingerprint"] as? String != object["data_fingerprint"] as? String)
    }

    /// `runs list` shows each run's own interval (one bot on 1-minute and hourly candles) and
    /// fill model, and filters by a bot id prefix and a symbol in any letter case.
    @Test func runsListShowsEachRunsIntervalAndFillModel() throws {
        let (folder, bot, bars, detail) = try Self.files()
        let db = folder.appendingPathComponent("runs.sqlite").path
        let pessimisticBot = folder.appendingPathComponent("pessimistic.json").path
        try String(contentsOfFile: bot, encoding: .utf8).replacingOccurrences(of: "\"detail\"", with: "\"pessimistic\"")
            .write(toFile: pessimisticBot, atomically: true, encoding: .utf8)
        var botIDs: [String] = []
        for arguments in [["--config", pessimisticBot, "--data", detail], ["--config", pessimisticBot, "--data", bars], ["--config", bot, "--data", bars, "--detail", detail]] {
            let result = try runCLI(["run"] + arguments + ["--db", db, "--report-dir", folder.path, "--json"])
            #expect(result.status == 0, "\(result.stderr)")
            botIDs.append(try #require(try jsonObject(result.stdout)["bot_id"] as? String))
        }
        let list = try runCLI(["runs", "list", "--db", db]).stdout
        let lines = list.split(separator: "\n").map(String.init)
        #expect(lines.first?.contains("interval  fill") == true)
        #expect(lines.contains { $0.contains(" 1m ") && $0.contains(" pessimistic ") })
        #expect(lines.contains { $0.contains(" 1h ") && $0.contains(" pessimistic ") })
        #expect(lines.contains { $0.contains(" 1h ") && $0.contains(" detail ") })
        let byPrefix = try runCLI(["runs", "list", "--db", db, "--bot", String(botIDs[0].prefix(8)), "--symbol", "btcusdt"]).stdout
        #expect(byPrefix.split(separator: "\n").count == 3, "\(byPrefix)")
    }

    /// What loading the finer files found is reported like the bars' findings.
    @Test func droppedDetailRowsAreReported() throws {
        let (folder, bot, bars, detail) = try Self.files()
        let broken = folder.appendingPathComponent("BTCUSDT-1m-broken.csv").path
        try (String(contentsOfFile: detail, encoding: .utf8) + "2024-07-01T00:03:00Z,100,abc,99,100,1\n").write(toFile: broken, atomically: true, encoding: .utf8)
        let result = try runCLI(["run", "--config", bot, "--data", bars, "--detail", broken, "--drop-invalid", "--db", folder.appendingPathComponent("runs.sqlite").path, "--report-dir", folder.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("detail: 3 finer candles under 2 bars; 1 bar(s) without finer candles walked as pessimistic"), "\(result.stdout)")
        #expect(result.stdout.contains("detail BTCUSDT-1m-broken.csv: 3 candles") && result.stdout.contains("1 invalid row(s) dropped"), "\(result.stdout)")
    }

    /// A sweep point with fill_model detail is the same run as `run --detail` of that point.
    @Test func sweepPointWithDetailIsTheStandaloneRun() throws {
        let (folder, bot, bars, detail) = try Self.files()
        let grid = folder.appendingPathComponent("grid.json").path
        try #"{"take_profit": [0.05, 0.2]}"#.write(toFile: grid, atomically: true, encoding: .utf8)
        let sweepDB = folder.appendingPathComponent("sweep.sqlite").path
        let sweep = try runCLI(["sweep", "--config", bot, "--grid", grid, "--data", bars, "--detail", detail, "--db", sweepDB, "--report-dir", folder.path])
        #expect(sweep.status == 0, "\(sweep.stderr)")
        let single = try jsonObject(try runCLI(["run", "--config", bot, "--data", bars, "--detail", detail, "--db", folder.appendingPathComponent("one.sqlite").path, "--report-dir", folder.path, "--json"]).stdout)
        let runID = try #require(single["run_id"] as? String)
        #expect(sweep.stdout.contains(runID), "\(sweep.stdout)")
    }
}

private func close(_ a: Double?, _ b: Double) -> Bool { a.map { abs($0 - b) <= 1e-9 } ?? false }

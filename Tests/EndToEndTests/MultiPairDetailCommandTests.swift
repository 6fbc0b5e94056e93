import Foundation
import GRDB
import Testing

/// `run` and `sweep` with fill_model "detail" for a multi-pair bot: `--detail SYMBOL=FILE` (or
/// files named after one symbol), each symbol's bars walked through its own finer candles. The
/// numbers are BacktestingTests/PortfolioDetailTests' hand-worked case: AAAUSDT's minutes reach
/// the safety order before the moved take profit (+10), BBBUSDT's the take profit before the
/// dip (+5); realized 15, final equity 1015 (pessimistic: 10 and 1010).
@Suite struct MultiPairDetailCommandTests {
    static let bot = """
        {"name": "two pairs on finer candles", "symbols": ["AAAUSDT", "BBBUSDT"], "quote_currency": "USDT", "initial_balance": 1000,
         "max_active_deals": 2, "base_order_size": 100, "safety_order_size": 100, "max_safety_orders": 1, "price_deviation": 0.05,
         "take_profit": 0.05, "fee_rate": 0, "max_deals": 2, "fill_model": "detail"}
        """
    static let aaa = "timestamp,open,high,low,close,volume\n2024-07-01T00:00:00Z,100,110,94,100,1\n2024-07-01T01:00:00Z,100,100.5,99.5,100,1\n"
    static let aaaMinutes = "timestamp,open,high,low,close,volume\n2024-07-01T00:00:00Z,100,104,100,104,1\n2024-07-01T00:01:00Z,104,104,94,94,1\n2024-07-01T00:02:00Z,94,110,94,100,1\n"
    static let bbb = "timestamp,open,high,low,close,volume\n2024-07-01T00:00:00Z,50,55,47,52,1\n2024-07-01T01:00:00Z,52,52.5,51.5,52,1\n"
    static let bbbMinutes = "timestamp,open,high,low,close,volume\n2024-07-01T00:00:00Z,50,53,50,53,1\n2024-07-01T00:01:00Z,53,55,53,54,1\n2024-07-01T00:02:00Z,54,54,47,52,1\n"

    struct Files {
        var folder: URL, bot: String, aaa: String, bbb: String, aaaMinutes: String, bbbMinutes: String
        var db: String { folder.appendingPathComponent("runs.sqlite").path }
    }

    static func files() throws -> Files {
        let folder = Project.temporaryFolder()
        func write(_ text: String, _ name: String) throws -> String { try MultiPairCommandTests.write(text, name, in: folder) }
        return Files(
            folder: folder, bot: try write(bot, "bot.json"), aaa: try write(aaa, "AAAUSDT-1h.csv"), bbb: try write(bbb, "BBBUSDT-1h.csv"),
            aaaMinutes: try write(aaaMinutes, "aaa-minutes.csv"), bbbMinutes: try write(bbbMinutes, "BBBUSDT-1m.csv")
        )
    }

    @Test func eachSymbolWalksItsBarsThroughItsOwnFinerCandles() throws {
        let f = try Self.files()
        let result = try runCLI([
            "run", "--config", f.bot, "--data", f.aaa, f.bbb, "--detail", "AAAUSDT=\(f.aaaMinutes)", "--detail", "BBBUSDT=\(f.bbbMinutes)",
            "--db", f.db, "--report-dir", f.folder.path, "--json",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try jsonObject(result.stdout)
        #expect(abs((json.double("realized_pnl") ?? 0) - 15) < 1e-9)
        #expect(abs((json.double("final_equity") ?? 0) - 1015) < 1e-9)
        #expect(json["fill_model"] as? String == "detail")
        let perSymbol = try #require(json["per_symbol"] as? [[String: Any]])
        #expect(perSymbol.map { ($0["realized_pnl"] as? NSNumber)?.doubleValue ?? .nan }.enumerated().allSatisfy { abs($1 - [10.0, 5.0][$0]) < 1e-9 })
        // A file whose name holds one symbol needs no SYMBOL=: the same run.
        let named = try runCLI([
            "run", "--config", f.bot, "--data", f.aaa, f.bbb, "--detail", "AAAUSDT=\(f.aaaMinutes)", f.bbbMinutes,
            "--db", f.db, "--report-dir", f.folder.path, "--json",
        ])
        #expect(named.status == 0, "\(named.stderr)")
        #expect(try jsonObject(named.stdout)["run_id"] as? String == json["run_id"] as? String)
        // The same bot walked pessimistic is another run: +5 on each symbol.
        let pessimisticBot = try MultiPairCommandTests.write(Self.bot.replacingOccurrences(of: #""fill_model": "detail""#, with: #""fill_model": "pessimistic""#), "pessimistic.json", in: f.folder)
        let pessimistic = try jsonObject(try runCLI(["run", "--config", pessimisticBot, "--data", f.aaa, f.bbb, "--db", f.db, "--report-dir", f.folder.path, "--json"]).stdout)
        #expect(abs((pessimistic.double("realized_pnl") ?? 0) - 10) < 1e-9)
        #expect(pessimistic["data_fingerprint"] as? String != json["data_fingerprint"] as? String)
    }

    @Test func aMissingFileAForeignSymbolAndAnIntervalThatDoesNotDivideTheBarsAreRefusedInOneMessage() throws {
        let f = try Self.files()
        // Seven-minute candles inside AAAUSDT's first hour: 60 is not a multiple of 7.
        let sevenMinutes = try MultiPairCommandTests.write(
            "timestamp,open,high,low,close,volume\n2024-07-01T00:00:00Z,100,104,100,104,1\n2024-07-01T00:07:00Z,104,104,94,94,1\n2024-07-01T00:14:00Z,94,110,94,100,1\n",
            "aaa-7m.csv", in: f.folder)
        let result = try runCLI([
            "run", "--config", f.bot, "--data", f.aaa, f.bbb, "--detail", "AAAUSDT=\(sevenMinutes)", "--detail", "CCCUSDT=\(f.bbbMinutes)",
            "--db", f.db, "--report-dir", f.folder.path,
        ])
        #expect(result.status != 0)
        let message = result.stderr
        #expect(message.contains("BBBUSDT has no --detail file"), "\(message)")
        #expect(message.contains("`--detail CCCUSDT=\(f.bbbMinutes)` names CCCUSDT, which is not one of the bot's symbols"), "\(message)")
        #expect(message.contains("AAAUSDT: its detail candles cannot be used: the detail interval (7m) does not divide the bar interval (1h)"), "\(message)")
        #expect(!FileManager.default.fileExists(atPath: f.db), "nothing is stored")
        // Finer candles for a bot walked pessimistic are refused as for a one-pair bot.
        let pessimisticBot = try MultiPairCommandTests.write(Self.bot.replacingOccurrences(of: #""fill_model": "detail""#, with: #""fill_model": "pessimistic""#), "pessimistic.json", in: f.folder)
        let unused = try runCLI(["run", "--config", pessimisticBot, "--data", f.aaa, f.bbb, "--detail", "AAAUSDT=\(f.aaaMinutes)", "--db", f.db, "--report-dir", f.folder.path])
        #expect(unused.status != 0 && unused.stderr.contains("leave --detail out"), "\(unused.stderr)")
        // fill_model detail without any --detail names every symbol's option.
        let none = try runCLI(["run", "--config", f.bot, "--data", f.aaa, f.bbb, "--db", f.db, "--report-dir", f.folder.path])
        #expect(none.status != 0 && none.stderr.contains("--detail AAAUSDT=FILE --detail BBBUSDT=FILE"), "\(none.stderr)")
        #expect(!FileManager.default.fileExists(atPath: f.db), "nothing is stored")
    }

    /// A bot listing one symbol under `symbols`, or that symbol alone, with the same finer candles:
    /// the same figures (+10 on AAAUSDT alone: its safety order, then the moved take profit).
    @Test func aOneSymbolListWithDetailGivesTheOnePairBotsFigures() throws {
        let f = try Self.files()
        let listed = try MultiPairCommandTests.write(Self.bot.replacingOccurrences(of: #""symbols": ["AAAUSDT", "BBBUSDT"]"#, with: #""symbols": ["AAAUSDT"]"#).replacingOccurrences(of: #""max_active_deals": 2, "#, with: ""), "listed.json", in: f.folder)
        let single = try MultiPairCommandTests.write(Self.bot.replacingOccurrences(of: #""symbols": ["AAAUSDT", "BBBUSDT"]"#, with: #""symbol": "AAAUSDT""#).replacingOccurrences(of: #""max_active_deals": 2, "#, with: ""), "single.json", in: f.folder)
        var figures: [[String: Any]] = []
        for bot in [listed, single] {
            let result = try runCLI(["run", "--config", bot, "--data", f.aaa, "--detail", f.aaaMinutes, "--db", f.db, "--report-dir", f.folder.path, "--json"])
            #expect(result.status == 0, "\(result.stderr)")
            figures.append(try jsonObject(result.stdout))
        }
        #expect(figures.count == 2)
        for key in ["realized_pnl", "final_equity", "total_trades", "deals_closed", "max_drawdown", "data_fingerprint"] {
            #expect("\(figures[0][key] ?? "none")" == "\(figures[1][key] ?? "none")", "\(key)")
        }
        #expect(abs((figures[0].double("realized_pnl") ?? 0) - 10) < 1e-9)
    }

    /// Every point of a multi-pair sweep with fill_model detail is the run of `run --detail`.
    @Test func aMultiPairSweepWithDetailStoresEachPointAsRunStoresIt() throws {
        let f = try Self.files()
        let grid = try MultiPairCommandTests.write(#"{"take_profit": [0.05, 0.04]}"#, "grid.json", in: f.folder)
        let point1 = try MultiPairCommandTests.write(Self.bot.replacingOccurrences(of: #""take_profit": 0.05"#, with: #""take_profit": 0.04"#), "point1.json", in: f.folder)
        let realized = try SweepSignalsTests.expectSweepPointsAreTheRuns(
            bot: f.bot, grid: grid, pointBots: [f.bot, point1],
            arguments: ["--data", f.aaa, f.bbb, "--detail", "AAAUSDT=\(f.aaaMinutes)", f.bbbMinutes], in: f.folder
        )
        #expect(realized.count == 2 && abs(realized[0] - 15) < 1e-9)
    }
}

import Foundation
import GRDB
import Testing

/// `sweep --signals FILE`: the signals are read once and every point's stored run is the run of
/// `run --signals` for that point's configuration: the same run id (the signals' fingerprint is
/// part of it), metrics and order rows (docs/SWEEPS.md).
@Suite struct SweepSignalsTests {
    static func write(_ text: String, _ name: String, in folder: URL) throws -> String {
        try MultiPairCommandTests.write(text, name, in: folder)
    }

    /// Case 38's bot and candles (MultiPairCommandTests): with take_profit 0.05 the signals give
    /// realized PnL 2 and final equity 1002.8, worked out by hand there.
    static let case38Bot = """
        {"name": "deals on signals", "symbol": "TESTUSDT", "quote_currency": "USDT", "initial_balance": 1000,
         "base_order_size": 100, "max_safety_orders": 0, "take_profit": 0.05, "fee_rate": 0, "max_deals": null}
        """
    static let case38Candles = """
        timestamp,open,high,low,close,volume
        2025-03-15T00:00:00Z,100,100.5,99.5,100,10
        2025-03-15T01:00:00Z,100,100.5,99.5,100,10
        2025-03-15T02:00:00Z,100,101,99.5,100.5,10
        2025-03-15T03:00:00Z,100.5,102,100,101.5,10
        2025-03-15T04:00:00Z,102,102.5,101,101.5,10
        2025-03-15T05:00:00Z,101.5,102,101,101.5,10
        2025-03-15T06:00:00Z,101.5,101.8,100.5,101,10
        2025-03-15T07:00:00Z,100,101,99.5,100.5,10
        2025-03-15T08:00:00Z,100.5,101,100,100.8,10
        """
    static let case38Signals = """
        time,symbol,action
        2025-03-15T01:30:00Z,TESTUSDT,start
        2025-03-15T03:00:00Z,TESTUSDT,start
        2025-03-15 04:00,TESTUSDT,close
        2025-03-15T06:15:00Z,TESTUSDT,start
        2025-03-15T20:00:00Z,TESTUSDT,start
        """

    /// What a stored run is made of, read back for comparison: its metrics and realized PnL, and
    /// every order row (ids, symbols, prices, times, roles) in sequence order.
    static func stored(_ runID: String, in path: String) throws -> (metrics: String, realized: Double, orders: [String]) {
        let queue = try DatabaseQueue(path: path)
        return try queue.read { db in
            let run = try #require(try Row.fetchOne(db, sql: "SELECT metrics, realized_pnl FROM bot_runs WHERE run_id = ?", arguments: [runID]), "run \(runID) stored")
            let orders = try Row.fetchAll(db, sql: """
                SELECT order_id, symbol, side, qty, order_type, status, filled_qty, avg_price, fees, created_at, price, filled_at, deal_id, role,
                       safety_order_index, reason, sequence FROM order_logs WHERE run_id = ? ORDER BY sequence
                """, arguments: [runID])
            return (run["metrics"] as String, run["realized_pnl"] as Double, orders.map { $0.description })
        }
    }

    /// Sweeps `grid` over `bot` with `arguments` (data, signals, detail) storing every point's
    /// orders, then runs each point's configuration (`pointBots`, in point order) with `run` and
    /// the same arguments into another database: each pair must be the same stored run.
    /// - Returns: each point's realized PnL.
    static func expectSweepPointsAreTheRuns(bot: String, grid: String, pointBots: [String], arguments: [String], in folder: URL) throws -> [Double] {
        let sweepDB = folder.appendingPathComponent("sweep.sqlite").path
        let sweep = try runCLI(["sweep", "--config", bot, "--grid", grid, "--orders", "all", "--db", sweepDB, "--report-dir", folder.path] + arguments)
        #expect(sweep.status == 0, "\(sweep.stderr)")
        let sweepRuns = try DatabaseQueue(path: sweepDB).read { db in try String.fetchAll(db, sql: "SELECT run_id FROM sweep_runs ORDER BY point") }
        #expect(sweepRuns.count == pointBots.count)
        var realized: [Double] = []
        for (point, pointBot) in pointBots.enumerated() {
            let runDB = folder.appendingPathComponent("run-\(point).sqlite").path
            let single = try runCLI(["run", "--config", pointBot, "--db", runDB, "--report-dir", folder.path, "--json"] + arguments)
            #expect(single.status == 0, "\(single.stderr)")
            let runID = try #require(try jsonObject(single.stdout)["run_id"] as? String)
            #expect(point < sweepRuns.count && sweepRuns[point] == runID, "point \(point): the sweep's run id is the run's")
            let (a, b) = (try stored(runID, in: sweepDB), try stored(runID, in: runDB))
            #expect(a.metrics == b.metrics)
            #expect(a.orders == b.orders && !a.orders.isEmpty)
            realized.append(b.realized)
        }
        return realized
    }

    @Test func aOnePairSweepWithSignalsStoresEachPointAsRunWithSignalsStoresIt() throws {
        let folder = Project.temporaryFolder()
        let bot = try Self.write(Self.case38Bot, "bot.json", in: folder)
        let grid = try Self.write(#"{"take_profit": [0.05, 0.01]}"#, "grid.json", in: folder)
        let tighter = try Self.write(Self.case38Bot.replacingOccurrences(of: #""take_profit": 0.05"#, with: #""take_profit": 0.01"#), "point1.json", in: folder)
        let candles = try Self.write(Self.case38Candles, "candles.csv", in: folder)
        let signals = try Self.write(Self.case38Signals, "signals.csv", in: folder)
        let realized = try Self.expectSweepPointsAreTheRuns(
            bot: bot, grid: grid, pointBots: [bot, tighter], arguments: ["--data", candles, "--signals", signals], in: folder
        )
        // Point 0 is case 38: +2.
        #expect(realized.count == 2 && abs(realized[0] - 2) < 1e-9)
        // Without --signals the same grid is another sweep whose points are other runs.
        let plain = try runCLI(["sweep", "--config", bot, "--grid", grid, "--data", candles, "--db", folder.appendingPathComponent("plain.sqlite").path, "--report-dir", folder.path])
        #expect(plain.status == 0, "\(plain.stderr)")
        let withSignals = try DatabaseQueue(path: folder.appendingPathComponent("sweep.sqlite").path).read { db in try String.fetchAll(db, sql: "SELECT run_id FROM sweep_runs") }
        #expect(withSignals.allSatisfy { !plain.stdout.contains($0) }, "\(plain.stdout)")
    }

    @Test func aMultiPairSweepWithSignalsStoresEachPointAsRunWithSignalsStoresIt() throws {
        let folder = Project.temporaryFolder()
        let bot = try Self.write(MultiPairCommandTests.case36Bot, "bot.json", in: folder)
        let grid = try Self.write(#"{"take_profit": [0.02, 0.01]}"#, "grid.json", in: folder)
        let point1 = try Self.write(MultiPairCommandTests.case36Bot.replacingOccurrences(of: #""take_profit": 0.02"#, with: #""take_profit": 0.01"#), "point1.json", in: folder)
        let eth = try Self.write(MultiPairCommandTests.case36ETH, "ETHUSDT-1h.csv", in: folder)
        let btc = try Self.write(MultiPairCommandTests.case36BTC, "BTCUSDT-1h.csv", in: folder)
        let signals = try Self.write("""
            time,symbol,action
            2025-03-11T00:00:00Z,BTCUSDT,start
            2025-03-11T02:00:00Z,ETHUSDT,start
            2025-03-11T03:30:00Z,BTCUSDT,close
            """, "signals.csv", in: folder)
        _ = try Self.expectSweepPointsAreTheRuns(
            bot: bot, grid: grid, pointBots: [bot, point1], arguments: ["--data", eth, btc, "--signals", signals], in: folder
        )
    }

    @Test func signalsForASymbolAPointDoesNotTradeOrWithWalkForwardAreRefusedBeforeAnythingRuns() throws {
        let folder = Project.temporaryFolder()
        let bot = try Self.write(MultiPairCommandTests.case36Bot, "bot.json", in: folder)
        let grid = try Self.write(#"{"symbols": [["ETHUSDT", "BTCUSDT"], ["ETHUSDT"]]}"#, "grid.json", in: folder)
        let eth = try Self.write(MultiPairCommandTests.case36ETH, "ETHUSDT-1h.csv", in: folder)
        let btc = try Self.write(MultiPairCommandTests.case36BTC, "BTCUSDT-1h.csv", in: folder)
        let signals = try Self.write("time,symbol,action\n2025-03-11T00:00:00Z,ETHUSDT,start\n2025-03-11T01:00:00Z,BTCUSDT,start\n", "signals.csv", in: folder)
        let db = folder.appendingPathComponent("runs.sqlite").path
        let foreign = try runCLI(["sweep", "--config", bot, "--grid", grid, "--data", eth, btc, "--signals", signals, "--db", db, "--report-dir", folder.path])
        #expect(foreign.status != 0)
        #expect(foreign.stderr.contains("point 1 (symbols=[\"ETHUSDT\"]) does not trade BTCUSDT, which line 3 of"), "\(foreign.stderr)")
        #expect(!FileManager.default.fileExists(atPath: db), "nothing is stored")

        let oneBot = try Self.write(Self.case38Bot, "one.json", in: folder)
        let tp = try Self.write(#"{"take_profit": [0.05, 0.01]}"#, "tp.json", in: folder)
        let candles = try Self.write(Self.case38Candles, "candles.csv", in: folder)
        let oneSignals = try Self.write(Self.case38Signals, "one-signals.csv", in: folder)
        for option in [["--walk-forward", "4h/2h"], ["--split", "0.5"]] {
            let refused = try runCLI(["sweep", "--config", oneBot, "--grid", tp, "--data", candles, "--signals", oneSignals, "--db", db, "--report-dir", folder.path] + option)
            #expect(refused.status != 0)
            #expect(refused.stderr.contains("--signals is not supported with \(option[0])"), "\(refused.stderr)")
            #expect(!FileManager.default.fileExists(atPath: db), "nothing is stored")
        }
    }
}

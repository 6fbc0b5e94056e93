import Foundation
import GRDB
import Testing

/// `run` with several symbols (`--data SYMBOL=FILE` or symbol-named files) and `--signals`,
/// end to end through the binary (docs/SEMANTICS.md sections 7 and 8). Every expected value is
/// the hand-worked answer of the cases written out here (`../shared/cases` 36 and 38).
@Suite struct MultiPairCommandTests {
    static let case36Bot = """
        {"name": "two pairs, one slot", "symbols": ["ETHUSDT", "BTCUSDT"], "quote_currency": "USDT", "initial_balance": 1000,
         "max_active_deals": 1, "base_order_size": 100, "max_safety_orders": 0, "take_profit": 0.02, "fee_rate": 0, "max_deals": 3}
        """
    static let case36ETH = """
        timestamp,open,high,low,close,volume
        2025-03-11T00:00:00Z,2000,2010,1995,2005,10
        2025-03-11T01:00:00Z,2005,2045,2000,2040,10
        2025-03-11T02:00:00Z,2000,2030,1990,2030,10
        2025-03-11T03:00:00Z,2050,2060,2040,2055,10
        2025-03-11T04:00:00Z,2055,2065,2045,2060,10
        """
    static let case36BTC = """
        timestamp,open,high,low,close,volume
        2025-03-11T00:00:00Z,50000,50100,49900,50000,10
        2025-03-11T01:00:00Z,50000,50200,49950,50100,10
        2025-03-11T02:00:00Z,50100,50300,49900,50000,10
        2025-03-11T03:00:00Z,50000,51100,49950,51050,10
        2025-03-11T04:00:00Z,51050,51200,50900,51100,10
        """

    static func write(_ text: String, _ name: String, in folder: URL) throws -> String {
        let url = folder.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    @Test func case36RunsThroughTheCommandWithEachSymbolsFileAndStoresEachRowsSymbol() throws {
        let folder = Project.temporaryFolder()
        let bot = try Self.write(Self.case36Bot, "bot.json", in: folder)
        let eth = try Self.write(Self.case36ETH, "eth.csv", in: folder)
        let btc = try Self.write(Self.case36BTC, "btc.csv", in: folder)
        let db = folder.appendingPathComponent("runs.sqlite").path
        let result = try runCLI(["run", "--config", bot, "--data", "ETHUSDT=\(eth)", "--data", "BTCUSDT=\(btc)", "--db", db, "--report-dir", folder.path, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try jsonObject(result.stdout)
        #expect(json["candles"] as? Int == 10)
        #expect(json["total_trades"] as? Int == 6 && json["deals_closed"] as? Int == 3)
        #expect(abs((json.double("realized_pnl") ?? 0) - 6.5) < 1e-9)
        #expect(abs((json.double("final_equity") ?? 0) - 1006.5) < 1e-9)
        #expect(abs((json.double("buy_and_hold_return") ?? 0) - 0.026) < 1e-12)
        let perSymbol = try #require(json["per_symbol"] as? [[String: Any]])
        #expect(perSymbol.map { $0["symbol"] as? String } == ["ETHUSDT", "BTCUSDT"])
        #expect(perSymbol.map { $0["deals_closed"] as? Int } == [2, 1])
        #expect(abs(((perSymbol[0]["realized_pnl"] as? NSNumber)?.doubleValue ?? 0) - 4.5) < 1e-9)
        // Rows carry their symbol: ETHUSDT's 4 fills and BTCUSDT's 2; a position per symbol; USDT, ETH and BTC held.
        let queue = try DatabaseQueue(path: db)
        let (fillSymbols, fillCounts, dealSymbols, positions, assets, quoteHeld) = try queue.read { db in
            let fills = try Row.fetchAll(db, sql: "SELECT symbol, COUNT(*) AS n FROM order_logs WHERE status = 'filled' GROUP BY symbol ORDER BY symbol")
            return (
                fills.map { $0["symbol"] as String }, fills.map { $0["n"] as Int },
                try String.fetchAll(db, sql: "SELECT symbol FROM deals ORDER BY deal_id"),
                try String.fetchAll(db, sql: "SELECT symbol FROM positions ORDER BY symbol"),
                try String.fetchAll(db, sql: "SELECT asset FROM holdings ORDER BY asset"),
                try Double.fetchOne(db, sql: "SELECT quantity FROM holdings WHERE asset = 'USDT'") ?? 0
            )
        }
        #expect(fillSymbols == ["BTCUSDT", "ETHUSDT"] && fillCounts == [2, 4])
        #expect(dealSymbols == ["ETHUSDT", "ETHUSDT", "BTCUSDT"])
        #expect(positions == ["BTCUSDT", "ETHUSDT"])
        #expect(assets == ["BTC", "ETH", "USDT"])
        #expect(abs(quoteHeld - 1006.5) < 1e-9)
        // The files named after their symbols need no SYMBOL=: the same run.
        let named = Project.temporaryFolder()
        let ethNamed = try Self.write(Self.case36ETH, "ETHUSDT-1h.csv", in: named)
        let btcNamed = try Self.write(Self.case36BTC, "BTCUSDT-1h.csv", in: named)
        let again = try runCLI(["run", "--config", bot, "--data", btcNamed, ethNamed, "--db", db, "--report-dir", folder.path, "--json"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try jsonObject(again.stdout)["run_id"] as? String == json["run_id"] as? String)
        // The human summary has the per-symbol table; the report charts each symbol.
        let text = try runCLI(["run", "--config", bot, "--data", btcNamed, ethNamed, "--db", db, "--report-dir", folder.path])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("Symbol") && text.stdout.contains("Realized PnL [USDT]") && text.stdout.contains("4.50"), "\(text.stdout)")
        let runID = try #require(json["run_id"] as? String)
        let html = try String(contentsOf: folder.appendingPathComponent(runID).appendingPathComponent("report.html"), encoding: .utf8)
        #expect(html.contains("ETHUSDT: close price with fills") && html.contains("BTCUSDT: close price with fills") && html.contains("<h2>Per symbol</h2>"))
        // runs show gives the per-symbol table from the stored deals.
        let show = try runCLI(["runs", "show", runID, "--db", db])
        #expect(show.status == 0, "\(show.stderr)")
        #expect(show.stdout.contains("Per symbol") && show.stdout.contains("BTCUSDT"))
        // Its first line names every pair, in the configuration's order.
        #expect(show.stdout.split(separator: "\n").first?.hasSuffix(" on ETHUSDT, BTCUSDT") == true, "\(show.stdout.prefix(200))")
    }

    @Test func case38StartsAndClosesDealsOnSignalsAndReportsTheDroppedOnes() throws {
        let folder = Project.temporaryFolder()
        let bot = try Self.write("""
            {"name": "deals on signals", "symbol": "TESTUSDT", "quote_currency": "USDT", "initial_balance": 1000,
             "base_order_size": 100, "max_safety_orders": 0, "take_profit": 0.05, "fee_rate": 0, "max_deals": null}
            """, "bot.json", in: folder)
        let candles = try Self.write("""
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
            """, "candles.csv", in: folder)
        let signals = try Self.write("""
            time,symbol,action
            2025-03-15T01:30:00Z,TESTUSDT,start
            2025-03-15T03:00:00Z,TESTUSDT,start
            2025-03-15 04:00,TESTUSDT,close
            2025-03-15T06:15:00Z,TESTUSDT,start
            2025-03-15T20:00:00Z,TESTUSDT,start
            """, "signals.csv", in: folder)
        let db = folder.appendingPathComponent("runs.sqlite").path
        let result = try runCLI(["run", "--config", bot, "--data", candles, "--signals", signals, "--db", db, "--report-dir", folder.path, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try jsonObject(result.stdout)
        let tally = try #require(json["signals"] as? [String: Any])
        #expect(tally["read"] as? Int == 5 && tally["used"] as? Int == 3 && tally["dropped"] as? Int == 2)
        #expect((tally["dropped_by_reason"] as? [String: Any])?["deal_already_open"] as? Int == 1)
        #expect((tally["dropped_by_reason"] as? [String: Any])?["no_later_bar"] as? Int == 1)
        #expect(abs((json.double("realized_pnl") ?? 0) - 2) < 1e-9 && abs((json.double("final_equity") ?? 0) - 1002.8) < 1e-9)
        #expect(json["total_trades"] as? Int == 3 && json["deals_closed"] as? Int == 1)
        let queue = try DatabaseQueue(path: db)
        let (reasons, signalFills) = try queue.read { db in
            (try String.fetchAll(db, sql: "SELECT close_reason FROM deals WHERE close_reason IS NOT NULL"),
             try String.fetchAll(db, sql: "SELECT filled_at FROM order_logs WHERE role = 'signal'"))
        }
        #expect(reasons == ["signal"])
        #expect(signalFills == ["2025-03-15T04:00:00.000Z"])
    }

    @Test func badMultiPairInputIsRefusedBeforeAnythingRunsWithEveryProblemInOneMessage() throws {
        let folder = Project.temporaryFolder()
        let bot = try Self.write("""
            {"name": "n", "symbols": ["AAAUSDT", "BBBUSDT", "CCCUSDT"], "initial_balance": 1000, "max_active_deals": 2, "base_order_size": 100,
             "max_safety_orders": 0, "take_profit": 0.02, "start_conditions": [{"indicator": "rsi", "period": 14, "below": 30, "timeframe": "90m"}]}
            """, "bot.json", in: folder)
        let hourly = try Self.write("timestamp,open,high,low,close,volume\n2025-03-15T00:00:00Z,1,1,1,1,1\n2025-03-15T01:00:00Z,1,1,1,1,1\n", "a.csv", in: folder)
        let fourHourly = try Self.write("timestamp,open,high,low,close,volume\n2025-03-15T00:00:00Z,1,1,1,1,1\n2025-03-15T04:00:00Z,1,1,1,1,1\n", "b.csv", in: folder)
        let stray = try Self.write("timestamp,open,high,low,close,volume\n2025-03-15T00:00:00Z,1,1,1,1,1\n", "stray.csv", in: folder)
        let db = folder.appendingPathComponent("runs.sqlite").path
        let result = try runCLI(["run", "--config", bot, "--data", "AAAUSDT=\(hourly)", "BBBUSDT=\(fourHourly)", stray, "--db", db, "--report-dir", folder.path])
        #expect(result.status != 0)
        let message = result.stderr
        #expect(message.contains("stray.csv: its name contains none of the bot's symbols"), "\(message)")
        #expect(message.contains("CCCUSDT has no candle file"), "\(message)")
        #expect(message.contains("different intervals (AAAUSDT 1h, BBBUSDT 4h)"), "\(message)")
        #expect(message.contains("not a whole multiple"), "\(message)")
        #expect(!FileManager.default.fileExists(atPath: db), "nothing is stored")
    }

    @Test func aSweepTakesTheSymbolsAsAGridKeyAndRunsEachPointOnItsOwnSymbols() throws {
        // Point 0, [ETHUSDT, BTCUSDT], is case 36: +6.5. Point 1, [BTCUSDT, ETHUSDT]: BTCUSDT takes the
        // slot at 00:00 (0.002 at 50000, take profit 51000), sells inside 03:00's bar (+2, too late for
        // ETHUSDT's 03:00 open), starts again at 04:00's open 51050 and holds to the end: +2 realized.
        // Point 2, [ETHUSDT] alone: case 36 without BTCUSDT: +2 at 01:00 and +2.5 at 03:00's open, and
        // at 04:00 a third deal (max_deals 3) that stays open: +4.5 realized.
        let folder = Project.temporaryFolder()
        let bot = try Self.write(Self.case36Bot, "bot.json", in: folder)
        let grid = try Self.write(#"{"symbols": [["ETHUSDT", "BTCUSDT"], ["BTCUSDT", "ETHUSDT"], ["ETHUSDT"]]}"#, "grid.json", in: folder)
        let eth = try Self.write(Self.case36ETH, "ETHUSDT-1h.csv", in: folder)
        let btc = try Self.write(Self.case36BTC, "BTCUSDT-1h.csv", in: folder)
        let db = folder.appendingPathComponent("runs.sqlite").path
        let result = try runCLI(["sweep", "--config", bot, "--grid", grid, "--data", eth, btc, "--db", db, "--report-dir", folder.path])
        #expect(result.status == 0, "\(result.stderr)")
        let queue = try DatabaseQueue(path: db)
        let realized = try queue.read { db in
            try Double.fetchAll(db, sql: "SELECT r.realized_pnl FROM bot_runs r JOIN sweep_runs s ON s.run_id = r.run_id ORDER BY s.point")
        }
        #expect(realized.count == 3)
        for (x, e) in zip(realized, [6.5, 2, 4.5]) { #expect(abs(x - e) < 1e-9) }
        // The one-symbol point is the same run as `run` with ETHUSDT's file alone.
        let alone = try Self.write(Self.case36Bot.replacingOccurrences(of: #""symbols": ["ETHUSDT", "BTCUSDT"]"#, with: #""symbols": ["ETHUSDT"]"#), "alone.json", in: folder)
        let single = try runCLI(["run", "--config", alone, "--data", eth, "--db", db, "--report-dir", folder.path, "--json"])
        #expect(single.status == 0, "\(single.stderr)")
        let runID = try #require(try jsonObject(single.stdout)["run_id"] as? String)
        let pointOfRun = try queue.read { db in try Int.fetchOne(db, sql: "SELECT point FROM sweep_runs WHERE run_id = ?", arguments: [runID]) }
        #expect(pointOfRun == 2)
    }
}

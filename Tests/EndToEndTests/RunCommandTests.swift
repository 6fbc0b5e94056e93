import Foundation
import GRDB
import Testing

/// `dca-backtest run` end to end: real files in, SQLite rows and a report out.
@Suite(.serialized) struct RunCommandTests {
    static let sample = ["datasets/BTCUSDT-1m-2020-01-01.zip", "datasets/BTCUSDT-1m-2020-01-02.zip"]

    @Test func bundledSampleRunsIntoSQLiteWithAReport() throws {
        let folder = Project.temporaryFolder()
        let db = folder.appendingPathComponent("runs.sqlite").path
        let result = try runCLI(["run", "--config", "datasets/btc-1m-ladder.json", "--data"] + Self.sample + ["--db", db, "--report-dir", folder.path, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try jsonObject(result.stdout)
        // Two archives of 1,440 one-minute candles each.
        #expect(json["candles"] as? Int == 2880)
        #expect(json["started_at"] as? String == "2020-01-01T00:00:00.000Z")
        #expect(json["ended_at"] as? String == "2020-01-02T23:59:00.000Z")
        #expect(json.double("periods_per_year") == 525_600)
        #expect(json["fill_model"] as? String == "pessimistic")
        let runID = try #require(json["run_id"] as? String)
        for file in ["report.html", "summary.md", "equity.csv"] {
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(runID).appendingPathComponent(file).path))
        }
        let equityLines = try String(contentsOf: folder.appendingPathComponent(runID).appendingPathComponent("equity.csv"), encoding: .utf8).split(separator: "\n")
        #expect(equityLines.count == 2881)
        let html = try String(contentsOf: folder.appendingPathComponent(runID).appendingPathComponent("report.html"), encoding: .utf8)
        #expect(html.contains("<svg") && html.contains("Date (UTC)") && html.contains("Equity [USDT]") && html.contains("Drawdown [%]"))
        // Every metric, the data notes and the bot's resolved configuration (which grid point).
        #expect(html.contains("<h2>Every metric</h2>") && html.contains("Sortino ratio") && html.contains("SHA-256 checksum verified"))
        #expect(html.contains("<code>take_profit</code></th><td>0.004</td>"), "the bot's take profit")
        // The price chart marks every fill (README: 12 filled orders on this sample).
        #expect(html.contains("Close price with fills") && html.components(separatedBy: "<circle").count - 1 == 12)
        // Every order, the first a market buy at the first bar (README: 12 filled, 0 rejected).
        #expect(html.contains("<h2>Orders</h2>") && html.contains("<tr><td>0</td><td>2020-01-01 00:00</td><td>base</td><td>buy market</td>"))
        let markdown = try String(contentsOf: folder.appendingPathComponent(runID).appendingPathComponent("summary.md"), encoding: .utf8)
        #expect(markdown.contains("## Configuration") && markdown.contains("| `take_profit` | `0.004` |"))
        try agreeWithStoredRows(json: json, db: db)
    }

    @Test(.enabled(if: Project.sharedAvailable, Comment(rawValue: Project.skipMessage)))
    func interfaceExampleOnThreeMonthsOfHourlyCandlesAgreesWithItsRows() throws {
        let folder = Project.temporaryFolder()
        let db = folder.appendingPathComponent("runs.sqlite").path
        let files = ["01", "02", "03"].map { Project.sharedDatasets.appendingPathComponent("binance-spot/BTCUSDT-1h-2021-\($0).csv").path }
        let result = try runCLI(["run", "--config", "datasets/example-bot.json", "--data"] + files + ["--db", db, "--report-dir", folder.path, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try jsonObject(result.stdout)
        // 744 + 671 + 743 hourly candles (the README of the datasets).
        #expect(json["candles"] as? Int == 2158)
        #expect(json.double("periods_per_year") == 8760)
        try agreeWithStoredRows(json: json, db: db)
    }

    /// The JSON summary and the stored rows tell the same story.
    func agreeWithStoredRows(json: [String: Any], db: String) throws {
        let runID = try #require(json["run_id"] as? String)
        let queue = try DatabaseQueue(path: db)
        try queue.read { db in
            let run = try #require(try Row.fetchOne(db, sql: "SELECT * FROM bot_runs WHERE run_id = ?", arguments: [runID]))
            #expect(run["status"] as String == "completed")
            #expect(run["total_trades"] as Int == json["total_trades"] as? Int)
            #expect(run["total_pnl"] as Double == json.double("total_pnl"))
            #expect(run["realized_pnl"] as Double == json.double("realized_pnl"))
            #expect(run["max_drawdown"] as Double == json.double("max_drawdown"))
            #expect(run["sharpe_ratio"] as Double? == json.double("sharpe_ratio"))
            #expect(run["bot_id"] as String == json["bot_id"] as? String)
            let filled = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM order_logs WHERE run_id = ? AND status = 'filled'", arguments: [runID])
            #expect(filled == json["total_trades"] as? Int)
            let rejected = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM order_logs WHERE run_id = ? AND status = 'rejected'", arguments: [runID])
            #expect(rejected == json["rejected_orders"] as? Int)
            let closed = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM deals WHERE run_id = ? AND closed_at IS NOT NULL", arguments: [runID])
            #expect(closed == json["deals_closed"] as? Int)
            let realized = try Double.fetchOne(db, sql: "SELECT TOTAL(realized_pnl) FROM deals WHERE run_id = ? AND closed_at IS NOT NULL", arguments: [runID]) ?? 0
            #expect(abs(realized - (json.double("realized_pnl") ?? .nan)) <= 1e-9 * max(1, abs(realized)))
            // Realized PnL also equals sell proceeds less buy costs over the orders of closed deals.
            let fromOrders = try Double.fetchOne(db, sql: """
                SELECT TOTAL(CASE WHEN o.side = 'sell' THEN o.filled_qty * o.avg_price - o.fees ELSE -(o.filled_qty * o.avg_price + o.fees) END)
                FROM order_logs o JOIN deals d ON d.run_id = o.run_id AND d.deal_id = o.deal_id
                WHERE o.run_id = ? AND o.status = 'filled' AND d.closed_at IS NOT NULL
                """, arguments: [runID]) ?? 0
            #expect(abs(fromOrders - realized) <= 1e-6)
            let funds = try Double.fetchOne(db, sql: "SELECT MIN(free) FROM funds WHERE run_id = ?", arguments: [runID]) ?? -1
            #expect(funds >= 0)
        }
    }

    @Test func sameBacktestTwiceReplacesItsRowsBitForBit() throws {
        let folder = Project.temporaryFolder()
        let db = folder.appendingPathComponent("runs.sqlite").path
        let arguments = ["run", "--config", "datasets/btc-1m-ladder.json", "--data"] + Self.sample + ["--db", db, "--report-dir", folder.path, "--json"]
        let first = try runCLI(arguments)
        #expect(first.status == 0, "\(first.stderr)")
        let dumpAfterFirst = try orderedDump(db)
        let second = try runCLI(arguments)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(try jsonObject(first.stdout)["run_id"] as? String == jsonObject(second.stdout)["run_id"] as? String)
        #expect(try orderedDump(db) == dumpAfterFirst)
        let queue = try DatabaseQueue(path: db)
        #expect(try queue.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM bot_runs") } == 1)
    }

    /// Two executions of one backtest into two new databases: every table, dumped in order
    /// without the wall-clock columns, is the same text (so any hash of it is the same).
    @Test func sameBacktestInTwoDatabasesGivesIdenticalTables() throws {
        var dumps: [String] = []
        for _ in 0..<2 {
            let folder = Project.temporaryFolder()
            let db = folder.appendingPathComponent("runs.sqlite").path
            let result = try runCLI(["run", "--config", "datasets/btc-1m-ladder.json", "--data"] + Self.sample + ["--db", db, "--report-dir", folder.path])
            #expect(result.status == 0, "\(result.stderr)")
            dumps.append(try orderedDump(db))
        }
        #expect(dumps[0].contains("## order_logs\n") && dumps[0].count > 10_000)
        #expect(dumps[0] == dumps[1])
    }

    /// `--db` naming a folder or a file that is not a database: one sentence saying which and what
    /// to do; nothing is written.
    @Test func databasePathThatIsAFolderOrNotADatabaseIsRefusedClearly() throws {
        let folder = Project.temporaryFolder()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let base = ["run", "--config", "datasets/btc-1m-ladder.json", "--data"] + Self.sample + ["--report-dir", folder.path]
        let intoFolder = try runCLI(base + ["--db", folder.path])
        #expect(intoFolder.status != 0)
        #expect(intoFolder.stderr.contains("\(folder.path) is a folder, not a database file: give a file path such as \(folder.path)/backtests.sqlite"), "\(intoFolder.stderr)")
        let notes = folder.appendingPathComponent("notes.txt").path
        try "my notes".write(toFile: notes, atomically: true, encoding: .utf8)
        let intoText = try runCLI(base + ["--db", notes])
        #expect(intoText.status != 0)
        #expect(intoText.stderr.contains("\(notes) is not an SQLite database"), "\(intoText.stderr)")
        #expect(try String(contentsOfFile: notes, encoding: .utf8) == "my notes")
        let underText = try runCLI(base + ["--db", notes + "/runs.sqlite"])
        #expect(underText.status != 0)
        #expect(underText.stderr.contains("cannot create the database \(notes)/runs.sqlite: \(notes) is a file, not a folder."), "\(underText.stderr)")
    }

    @Test func badConfigurationValueFailsInOneParagraphAndLeavesTheDatabaseAsItWas() throws {
        let folder = Project.temporaryFolder()
        let db = folder.appendingPathComponent("runs.sqlite").path
        let good = try runCLI(["run", "--config", "datasets/btc-1m-ladder.json", "--data"] + Self.sample + ["--db", db, "--report-dir", folder.path])
        #expect(good.status == 0, "\(good.stderr)")
        let before = try orderedDump(db)
        let config = folder.appendingPathComponent("bad.json")
        try #"{"symbol": "BTCUSDT", "initial_balance": 10000, "base_order_size": 100, "take_profit": 0.015, "price_deviation": 1.5}"#
            .write(to: config, atomically: true, encoding: .utf8)
        let bad = try runCLI(["run", "--config", config.path, "--data"] + Self.sample + ["--db", db, "--report-dir", folder.path])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("`price_deviation` is 1.5; it must be in (0, 1)"))
        #expect(bad.stderr.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").count == 1)
        #expect(try orderedDump(db) == before)
    }

    @Test func brokenCSVRowFailsNamingFileLineAndColumnAndLeavesTheDatabaseAsItWas() throws {
        let folder = Project.temporaryFolder()
        let db = folder.appendingPathComponent("runs.sqlite").path
        let good = try runCLI(["run", "--config", "datasets/btc-1m-ladder.json", "--data"] + Self.sample + ["--db", db, "--report-dir", folder.path])
        #expect(good.status == 0, "\(good.stderr)")
        let before = try orderedDump(db)
        let csv = folder.appendingPathComponent("broken.csv")
        try """
            timestamp,open,high,low,close,volume
            2024-01-01T00:00:00Z,100,101,99,100,1
            2024-01-01T00:01:00Z,100,101,abc,100,1
            2024-01-01T00:02:00Z,100,101,99,100,1
            """.write(to: csv, atomically: true, encoding: .utf8)
        let bad = try runCLI(["run", "--config", "datasets/btc-1m-ladder.json", "--data", csv.path, "--db", db, "--report-dir", folder.path])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("broken.csv:3, column low: `abc` is not a number"))
        #expect(bad.stderr.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").count == 1)
        #expect(try orderedDump(db) == before)
    }

    @Test func helpTeachesTheCommand() throws {
        let help = try runCLI(["run", "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("--config") && help.stdout.contains("--drop-invalid") && help.stdout.contains("Example"))
    }
}

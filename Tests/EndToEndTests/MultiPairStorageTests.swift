import Foundation
import GRDB
import Testing

@testable import Persistence

/// What is kept of multi-pair runs, through the binary: `runs show` gives each symbol's figures
/// whatever `--orders` stored (symbol_results), a run stored before that table existed still
/// shows (from its deals when stored), and `merge --data SYMBOL=FILE` stores the best points of a
/// sharded multi-pair sweep as the sweep run whole does. The figures are case 36's, worked out in
/// MultiPairCommandTests: ETHUSDT's two deals and BTCUSDT's one all close at their take profit
/// (+4.5 and +2 USDT), each deal costs its 100 USDT base order, no fees.
@Suite struct MultiPairStorageTests {
    typealias Case36 = MultiPairCommandTests

    struct Inputs {
        var folder: URL
        var bot: String
        var eth: String
        var btc: String
        var db: String
    }

    /// Case 36's files under names that contain no symbol (so `--data SYMBOL=FILE` is needed).
    static func inputs() throws -> Inputs {
        let folder = Project.temporaryFolder()
        return Inputs(
            folder: folder, bot: try Case36.write(Case36.case36Bot, "bot.json", in: folder),
            eth: try Case36.write(Case36.case36ETH, "first.csv", in: folder), btc: try Case36.write(Case36.case36BTC, "second.csv", in: folder),
            db: folder.appendingPathComponent("runs.sqlite").path
        )
    }

    static func run(_ x: Inputs, orders: String) throws -> String {
        let result = try runCLI(["run", "--config", x.bot, "--data", "ETHUSDT=\(x.eth)", "BTCUSDT=\(x.btc)", "--orders", orders, "--db", x.db, "--report-dir", x.folder.path, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        return try #require(try jsonObject(result.stdout)["run_id"] as? String)
    }

    static func showJSON(_ runID: String, db: String) throws -> [String: Any] {
        let show = try runCLI(["runs", "show", runID, "--db", db, "--json"])
        #expect(show.status == 0, "\(show.stderr)")
        return try jsonObject(show.stdout)
    }

    /// Case 36's per-symbol figures in `runs show --json`.
    static func expectCase36Figures(_ json: [String: Any], sourceLocation: SourceLocation = #_sourceLocation) {
        let rows = json["per_symbol"] as? [[String: Any]] ?? []
        #expect(rows.map { $0["symbol"] as? String } == ["ETHUSDT", "BTCUSDT"], sourceLocation: sourceLocation)
        #expect(rows.map { $0["deals_opened"] as? Int } == [2, 1], sourceLocation: sourceLocation)
        #expect(rows.map { $0["deals_closed"] as? Int } == [2, 1], sourceLocation: sourceLocation)
        #expect(rows.map { $0.double("win_rate") } == [1, 1], sourceLocation: sourceLocation)
        #expect(rows.map { $0.double("fees_paid") } == [0, 0], sourceLocation: sourceLocation)
        for (row, pnl) in zip(rows, [4.5, 2]) {
            #expect(abs((row.double("realized_pnl") ?? .nan) - pnl) < 1e-9, sourceLocation: sourceLocation)
            #expect(abs((row.double("max_capital_in_use") ?? .nan) - 100) < 1e-9, sourceLocation: sourceLocation)
        }
    }

    @Test func runsShowGivesEachSymbolsFiguresOfARunStoredWithoutItsOrders() throws {
        let x = try Self.inputs()
        let runID = try Self.run(x, orders: "none")
        let json = try Self.showJSON(runID, db: x.db)
        #expect(json["per_symbol_source"] as? String == "symbol_results")
        Self.expectCase36Figures(json)
        // Stored figures only: 5 bars each, 4 and 2 fills, none rejected; buy and hold 2060 / 2000 - 1
        // and 51100 / 50000 - 1.
        let rows = json["per_symbol"] as? [[String: Any]] ?? []
        #expect(rows.map { $0["candles"] as? Int } == [5, 5])
        #expect(rows.map { $0["filled_orders"] as? Int } == [4, 2] && rows.map { $0["rejected_orders"] as? Int } == [0, 0])
        #expect(zip(rows.map { $0.double("buy_and_hold_return") ?? .nan }, [0.03, 0.022]).allSatisfy { abs($0 - $1) < 1e-12 })
        #expect((json["orders"] as? [Any])?.isEmpty == true)
        let text = try runCLI(["runs", "show", runID, "--db", x.db])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("Per symbol (amounts in the quote currency):"), "\(text.stdout)")
        #expect(text.stdout.contains("ETHUSDT") && text.stdout.contains("+4.50") && text.stdout.contains("+2.00"), "\(text.stdout)")
        #expect(text.stdout.contains("Deals and orders: not stored"), "\(text.stdout)")
    }

    /// The database as the release before v7_symbol_results left it: the same file without the
    /// table and without the migration's record (every other table is as v6 made it).
    static func makeItAV6Database(_ path: String) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: "DROP TABLE symbol_results")
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v7_symbol_results'")
        }
    }

    @Test func aMultiPairRunStoredBeforeSymbolResultsStillShowsFromItsDealsOrWithoutTheTable() throws {
        let withOrders = try Self.inputs()
        let allID = try Self.run(withOrders, orders: "all")
        try Self.makeItAV6Database(withOrders.db)
        let derived = try Self.showJSON(allID, db: withOrders.db)
        #expect(derived["per_symbol_source"] as? String == "deals")
        Self.expectCase36Figures(derived)
        let text = try runCLI(["runs", "show", allID, "--db", withOrders.db])
        #expect(text.stdout.contains("Per symbol (from the stored deals; amounts in the quote currency):"), "\(text.stdout)")
        // Opening migrated it again, every row kept: the run's 6 orders and 3 deals.
        try DatabaseQueue(path: withOrders.db).read { db throws in
            #expect(try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations").contains("v7_symbol_results"))
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM symbol_results") == 0)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM order_logs") == 6 && Int.fetchOne(db, sql: "SELECT count(*) FROM deals") == 3)
        }

        let withoutOrders = try Self.inputs()
        let noneID = try Self.run(withoutOrders, orders: "none")
        try Self.makeItAV6Database(withoutOrders.db)
        let bare = try Self.showJSON(noneID, db: withoutOrders.db)
        #expect(bare["per_symbol"] == nil && bare["per_symbol_source"] == nil)
        let bareText = try runCLI(["runs", "show", noneID, "--db", withoutOrders.db])
        #expect(bareText.status == 0, "\(bareText.stderr)")
        #expect(bareText.stdout.contains("Per symbol: not stored") && !bareText.stdout.contains("Win rate"), "\(bareText.stdout)")
        // Running it again adds its figures and changes nothing else.
        #expect(try Self.run(withoutOrders, orders: "none") == noneID)
        let again = try Self.showJSON(noneID, db: withoutOrders.db)
        #expect(again["per_symbol_source"] as? String == "symbol_results")
        Self.expectCase36Figures(again)
    }

    /// A multi-pair grid (case 36's bot, three take profits) swept in two shards with the default
    /// `--orders top:N` and merged with `--data SYMBOL=FILE` holds the same rows as the sweep run
    /// whole: the same run ids, the best two points with their orders and deals.
    @Test func mergeWithEachSymbolsDataStoresTheBestPointsAsTheWholeSweepDoes() throws {
        let x = try Self.inputs()
        let grid = try Case36.write(#"{"take_profit": [0.01, 0.02, 0.03]}"#, "grid.json", in: x.folder)
        let data = ["--data", "ETHUSDT=\(x.eth)", "BTCUSDT=\(x.btc)"]
        func sweep(_ db: String, _ extra: [String]) throws {
            let result = try runCLI(["sweep", "--config", x.bot, "--grid", grid] + data + ["--db", db, "--report-dir", x.folder.path, "--progress", "never", "--orders", "top:2"] + extra)
            #expect(result.status == 0, "\(result.stderr)")
        }
        let whole = x.folder.appendingPathComponent("whole.sqlite").path
        try sweep(whole, [])
        let shards = try (1...2).map { i in
            let shard = x.folder.appendingPathComponent("shard\(i).sqlite").path
            try sweep(shard, ["--shard", "\(i)/2"])
            return shard
        }
        let merged = x.folder.appendingPathComponent("merged.sqlite").path
        // Without --data the merge says what is missing and how to add it.
        let bare = try runCLI(["merge", merged] + shards)
        #expect(bare.status == 0, "\(bare.stderr)")
        #expect(bare.stdout.contains("2 of its best 2 runs have no orders stored yet") && bare.stdout.contains("SYMBOL=FILE"), "\(bare.stdout)")
        let merge = try runCLI(["merge", merged] + shards + data)
        #expect(merge.status == 0, "\(merge.stderr)")
        #expect(merge.stdout.contains("orders and deals stored for its best 2 runs"), "\(merge.stdout)")
        let withOrders = { (path: String) in
            try DatabaseQueue(path: path).read { try String.fetchAll($0, sql: "SELECT DISTINCT run_id FROM order_logs ORDER BY run_id") }
        }
        #expect(try withOrders(whole).count == 2)
        #expect(try withOrders(merged) == withOrders(whole))
        #expect(try orderedDump(merged) == orderedDump(whole))
    }

    /// A grid over `symbols` (two two-pair points and ETHUSDT alone) swept in two shards with
    /// `--orders top:3` and files named after their symbols: merge with the same files stores all
    /// three points, the one-pair point on ETHUSDT's candles alone, as the sweep run whole does.
    @Test func mergeOfASymbolsGridWithSymbolNamedFilesStoresEveryBestPointAsTheWholeSweepDoes() throws {
        let x = try MultiPairSweepSearchTests.inputs()
        func sweep(_ db: String, _ extra: [String]) throws {
            let result = try runCLI(["sweep", "--config", x.bot, "--grid", x.grid, "--data", x.eth, x.btc, "--db", db, "--report-dir", x.folder.path,
                                     "--progress", "never", "--orders", "top:3"] + extra)
            #expect(result.status == 0, "\(result.stderr)")
        }
        let whole = x.folder.appendingPathComponent("whole.sqlite").path
        try sweep(whole, [])
        let shards = try (1...2).map { i in
            let shard = x.folder.appendingPathComponent("shard\(i).sqlite").path
            try sweep(shard, ["--shard", "\(i)/2"])
            return shard
        }
        let merged = x.folder.appendingPathComponent("merged.sqlite").path
        let merge = try runCLI(["merge", merged] + shards + ["--data", x.btc, x.eth])
        #expect(merge.status == 0, "\(merge.stderr)")
        let withOrders = { (path: String) in
            try DatabaseQueue(path: path).read { try String.fetchAll($0, sql: "SELECT DISTINCT run_id FROM order_logs ORDER BY run_id") }
        }
        #expect(try withOrders(whole).count == 3)
        #expect(try withOrders(merged) == withOrders(whole))
        #expect(try orderedDump(merged) == orderedDump(whole))
    }

    /// A grid whose points each trade one symbol of several (`symbols` [ETHUSDT] or [BTCUSDT]):
    /// the sweep runs each on its own symbol's candles, and so does merge (not on all the files
    /// as one series), storing both points as the sweep run whole does.
    @Test func mergeOfAGridOfOneSymbolPointsOverSeveralSymbolsRunsEachOnItsOwnCandles() throws {
        let x = try MultiPairSweepSearchTests.inputs()
        let grid = try Case36.write(#"{"symbols": [["ETHUSDT"], ["BTCUSDT"]]}"#, "one-symbol-grid.json", in: x.folder)
        func sweep(_ db: String, _ extra: [String]) throws {
            let result = try runCLI(["sweep", "--config", x.bot, "--grid", grid, "--data", x.eth, x.btc, "--db", db, "--report-dir", x.folder.path,
                                     "--progress", "never", "--orders", "top:2"] + extra)
            #expect(result.status == 0, "\(result.stderr)")
        }
        let whole = x.folder.appendingPathComponent("whole.sqlite").path
        try sweep(whole, [])
        let shards = try (1...2).map { i in
            let shard = x.folder.appendingPathComponent("shard\(i).sqlite").path
            try sweep(shard, ["--shard", "\(i)/2"])
            return shard
        }
        let merged = x.folder.appendingPathComponent("merged.sqlite").path
        let merge = try runCLI(["merge", merged] + shards + ["--data", x.eth, x.btc])
        #expect(merge.status == 0, "\(merge.stderr)")
        #expect(try DatabaseQueue(path: whole).read { try Int.fetchOne($0, sql: "SELECT COUNT(DISTINCT run_id) FROM order_logs") } == 2)
        #expect(try orderedDump(merged) == orderedDump(whole))
    }

    /// Files that are not the sweep's candles (the two symbols' files swapped) are refused, naming
    /// the sweep; the merged run (shard 1 of 2 holds point 0) stays and gains no orders.
    @Test func mergeRefusesOtherCandlesForAMultiPairSweep() throws {
        let x = try Self.inputs()
        let grid = try Case36.write(#"{"take_profit": [0.01, 0.02]}"#, "grid.json", in: x.folder)
        let shard = x.folder.appendingPathComponent("shard.sqlite").path
        let sweep = try runCLI(["sweep", "--config", x.bot, "--grid", grid, "--data", "ETHUSDT=\(x.eth)", "BTCUSDT=\(x.btc)", "--db", shard,
                                "--report-dir", x.folder.path, "--progress", "never", "--orders", "top:1", "--shard", "1/2"])
        #expect(sweep.status == 0, "\(sweep.stderr)")
        let merged = x.folder.appendingPathComponent("merged.sqlite").path
        let merge = try runCLI(["merge", merged, shard, "--data", "ETHUSDT=\(x.btc)", "BTCUSDT=\(x.eth)"])
        #expect(merge.status != 0)
        #expect(merge.stderr.contains("are not the candles run") && merge.stderr.contains("give the files the sweep ran on, each as --data SYMBOL=FILE"), "\(merge.stderr)")
        try DatabaseQueue(path: merged).read { db throws in
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM bot_runs") == 1)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM order_logs") == 0)
        }
    }
}

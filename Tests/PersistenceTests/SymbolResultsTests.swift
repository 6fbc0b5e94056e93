import Backtesting
import DCAStrategy
import Foundation
import GRDB
import MarketData
import Testing

@testable import Persistence

/// `symbol_results` (migration v7_symbol_results): each traded symbol's figures of a run, stored
/// whatever `--orders` says; a database from before the migration opens with every row kept.
@Suite struct SymbolResultsTests {
    /// Two symbols, three hourly bars, one shared balance of 150 USDT, 100 USDT base orders, a 10%
    /// take profit, no safety orders, no fees. Worked out by hand (docs/SEMANTICS.md sections 4
    /// and 7):
    /// - 00:00 open: AAAUSDT buys 1 at 100 (50 USDT left); BBBUSDT's base order (100) is rejected.
    /// - 01:00: BBBUSDT is rejected again at the open (50 left); inside the bar AAAUSDT's take
    ///   profit at 110 fills (high 112): +10, 160 USDT free.
    /// - 02:00 open: AAAUSDT starts its second deal at 111 (60 left); BBBUSDT is rejected a third time.
    /// So AAAUSDT: 2 deals opened, 1 closed and won, +10 realized, 3 fills (base, take profit,
    /// base), largest deal cost 100, buy and hold 111 / 100 - 1 = 0.11. BBBUSDT: no deal, 3
    /// rejected base orders, buy and hold 49 / 50 - 1 = -0.02.
    static func twoPairRun() throws -> (BacktestResult, RunIdentity) {
        let configuration = try BotConfiguration.decode(json: Data("""
            {"symbols": ["AAAUSDT", "BBBUSDT"], "max_active_deals": 2, "initial_balance": 150, "base_order_size": 100,
             "max_safety_orders": 0, "take_profit": 0.1, "fee_rate": 0}
            """.utf8))
        let aaa = try CandleLoader.load(bytes: Array("""
            timestamp,open,high,low,close,volume
            2024-07-01T00:00:00Z,100,100.5,99.5,100,1
            2024-07-01T01:00:00Z,100,112,99,111,1
            2024-07-01T02:00:00Z,111,111.5,110.5,111,1
            """.utf8)).series
        let bbb = try CandleLoader.load(bytes: Array("""
            timestamp,open,high,low,close,volume
            2024-07-01T00:00:00Z,50,50.5,49.5,50,1
            2024-07-01T01:00:00Z,50,50.5,48,49,1
            2024-07-01T02:00:00Z,49,49.5,48.5,49,1
            """.utf8)).series
        let result = Backtester.run(configuration: configuration, symbolCandles: [aaa, bbb])
        let fingerprint = CandleSeries.combinedFingerprint(["AAAUSDT=\(aaa.fingerprint)", "BBBUSDT=\(bbb.fingerprint)"])
        return (result, RunIdentity(configuration: configuration, dataFingerprint: fingerprint))
    }

    /// The hand-worked figures of ``twoPairRun()``'s symbols, in the symbol order.
    static func expectHandWorkedFigures(_ rows: [StoredRow], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(rows.map { $0["symbol"].text } == ["AAAUSDT", "BBBUSDT"], sourceLocation: sourceLocation)
        #expect(rows.map { $0["symbol_order"].integer } == [0, 1], sourceLocation: sourceLocation)
        #expect(rows.map { $0["candles"].integer } == [3, 3], sourceLocation: sourceLocation)
        #expect(rows.map { $0["deals_opened"].integer } == [2, 0], sourceLocation: sourceLocation)
        #expect(rows.map { $0["deals_closed"].integer } == [1, 0], sourceLocation: sourceLocation)
        #expect(rows.map { $0["win_rate"].double } == [1, nil], sourceLocation: sourceLocation)
        #expect(rows.map { $0["filled_orders"].integer } == [3, 0], sourceLocation: sourceLocation)
        #expect(rows.map { $0["rejected_orders"].integer } == [0, 3], sourceLocation: sourceLocation)
        guard rows.count == 2 else { return }
        #expect(abs((rows[0]["realized_pnl"].double ?? .nan) - 10) < 1e-9, sourceLocation: sourceLocation)
        #expect(rows[1]["realized_pnl"].double == 0, sourceLocation: sourceLocation)
        #expect(rows.map { $0["fees"].double } == [0, 0], sourceLocation: sourceLocation)
        #expect(abs((rows[0]["max_capital_in_use"].double ?? .nan) - 100) < 1e-9, sourceLocation: sourceLocation)
        #expect(rows[1]["max_capital_in_use"].double == 0, sourceLocation: sourceLocation)
        #expect(abs((rows[0]["buy_and_hold_return"].double ?? .nan) - 0.11) < 1e-12, sourceLocation: sourceLocation)
        #expect(abs((rows[1]["buy_and_hold_return"].double ?? .nan) + 0.02) < 1e-12, sourceLocation: sourceLocation)
    }

    @Test func eachSymbolsFiguresAreStoredEvenWithoutTheRunsOrders() throws {
        let store = try RunStore(path: SchemaTests.temporaryDatabase())
        let (result, identity) = try Self.twoPairRun()
        try store.write(result, identity: identity, orders: .none, executedAt: "2026-01-01T00:00:00.000Z", wallSeconds: 0.01)
        #expect(try store.count("order_logs") == 0 && store.count("deals") == 0)
        Self.expectHandWorkedFigures(try store.rows(of: "symbol_results").sorted { ($0["symbol_order"].integer ?? 0) < ($1["symbol_order"].integer ?? 0) })
        guard case .found(let detail) = try store.lookUp(runIDPrefix: identity.runID) else { Issue.record("run not found"); return }
        Self.expectHandWorkedFigures(detail.symbols)
    }

    /// A one-pair run with fees over three hourly bars (fee 0.1%, 100 USDT base and safety orders,
    /// safety orders 5% apart, 10% take profit). By hand: the base order fills at 100 (1 unit),
    /// the first safety order at 95 (low 94; 100 / 95 units), the take profit at 1.1 times the
    /// average entry (high 112): 3 orders filled, none rejected; fees 0.1 + 0.1 and 0.1% of the
    /// take profit's proceeds, 1.1 x 200 = 220: 0.42 in all (a little more if fees enter the
    /// average entry).
    static func onePairRunWithFees() throws -> (BacktestResult, RunIdentity) {
        try SchemaTests.smallRun(feeRate: 0.001)
    }

    /// Releases with v7 stored a one-pair sweep point kept without its orders with 0 fees, 0
    /// filled and 0 rejected orders in symbol_results (the sweep dropped the orders before they
    /// were counted). v8 sets such a row from its run's row and leaves every other row alone.
    @Test func migrationV8RepairsTheFiguresOfAOnePairRunSweptWithoutItsOrders() throws {
        let path = SchemaTests.temporaryDatabase()
        let (result, identity) = try Self.onePairRunWithFees()
        let (pair, pairIdentity) = try Self.twoPairRun()
        do {
            let store = try RunStore(path: path)
            // What the v7 releases' sweep handed the writer: the result without its orders.
            var swept = result
            swept.orders = []
            try store.recordSweep(SweepRecord(id: "00000000-0000-4000-8000-000000000001", grid: "{}", baseConfig: "{}", dataFingerprint: identity.dataFingerprint, runs: 1, invalidPoints: "[]", createdAt: "2026-01-01T00:00:00.000Z"))
            try store.write(swept, identity: identity, orders: .none, membership: .sweep("00000000-0000-4000-8000-000000000001", point: 0), executedAt: "2026-01-01T00:00:00.000Z", wallSeconds: 0.01)
            try store.write(pair, identity: pairIdentity, orders: .none, executedAt: "2026-01-01T00:00:00.000Z", wallSeconds: 0.01)
        }
        let queue = try DatabaseQueue(path: path)
        let broken = try queue.read { try Row.fetchOne($0, sql: "SELECT filled_orders, rejected_orders, fees FROM symbol_results WHERE run_id = ?", arguments: [identity.runID]) }
        let brokenFilled: Int? = broken?["filled_orders"], brokenRejected: Int? = broken?["rejected_orders"], brokenFees: Double? = broken?["fees"]
        #expect(brokenFilled == 0 && brokenRejected == 0 && brokenFees == 0)
        let others = Schema.tables.filter { $0 != "symbol_results" }
        let before = try queue.read { try SchemaTests.dump($0, tables: others) }
        let pairRowsBefore = try queue.read { try SchemaTests.dump($0, tables: ["symbol_results"]) }["symbol_results"]!.filter { !$0.contains(identity.runID) }
        try queue.write { try $0.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v8_symbol_figures_of_runs_swept_without_orders'") }
        try queue.close()

        let migrated = try RunStore(path: path)
        try migrated.read { db throws in
            #expect(try Schema.migrator.appliedIdentifiers(db) == Set(Schema.migrationNames))
            #expect(try SchemaTests.dump(db, tables: others) == before)
            #expect(try SchemaTests.dump(db, tables: ["symbol_results"])["symbol_results"]!.filter { !$0.contains(identity.runID) } == pairRowsBefore)
            let row = try Row.fetchOne(db, sql: "SELECT s.filled_orders, s.rejected_orders, s.fees, r.fees_paid FROM symbol_results s JOIN bot_runs r USING (run_id) WHERE s.run_id = ?", arguments: [identity.runID])
            let filled: Int? = row?["filled_orders"], rejected: Int? = row?["rejected_orders"]
            #expect(filled == 3 && rejected == 0)
            let fees: Double = row?["fees"] ?? .nan, feesPaid: Double = row?["fees_paid"] ?? .nan
            #expect(fees == feesPaid && abs(fees - 0.42) < 0.001)
        }
        Self.expectHandWorkedFigures(try migrated.rows(of: "symbol_results").filter { $0["run_id"].text == pairIdentity.runID }.sorted { ($0["symbol_order"].integer ?? 0) < ($1["symbol_order"].integer ?? 0) })
    }

    @Test func aOnePairRunHasOneRowForItsSymbol() throws {
        let (store, identity) = try SchemaTests.storedRun()
        let rows = try store.rows(of: "symbol_results")
        #expect(rows.map { $0["symbol"].text } == ["TESTUSDT"])
        #expect(rows.map { $0["run_id"].text } == [identity.runID])
        #expect(rows.map { $0["candles"].integer } == [3])
    }

    /// Deleting a run (`runs delete`) takes its symbol_results rows with it.
    @Test func deletingARunDeletesItsFigures() throws {
        let store = try RunStore(path: SchemaTests.temporaryDatabase())
        let (result, identity) = try Self.twoPairRun()
        try store.write(result, identity: identity, orders: .all, executedAt: "2026-01-01T00:00:00.000Z", wallSeconds: 0.01)
        #expect(try store.count("symbol_results") == 2)
        #expect(try store.delete(runIDs: [identity.runID]) == [identity.runID])
        #expect(try store.count("symbol_results") == 0)
    }

    /// A database written by the release before v7_symbol_results, holding the two-pair run with
    /// its orders (`all`) or without (`none`): every table but symbol_results, copied from a
    /// current store through the schema at v6_signal_exit_role.
    static func databaseOfTheV6Release(orders: OrderDetail) throws -> (path: String, runID: String) {
        let current = try RunStore(path: SchemaTests.temporaryDatabase())
        let (result, identity) = try twoPairRun()
        try current.write(result, identity: identity, orders: orders, executedAt: "2026-01-01T00:00:00.000Z", wallSeconds: 0.01)
        let path = SchemaTests.temporaryDatabase()
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let queue = try DatabaseQueue(path: path)
        try Schema.migrator.migrate(queue, upTo: "v6_signal_exit_role")
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "ATTACH DATABASE ? AS current", arguments: [current.path])
            try db.inTransaction {
                for table in Schema.tables where table != "symbol_results" {
                    try db.execute(sql: "INSERT INTO main.\(table) SELECT * FROM current.\(table)")
                }
                return .commit
            }
            try db.execute(sql: "DETACH DATABASE current")
        }
        return (path, identity.runID)
    }

    @Test(arguments: [OrderDetail.none, .all])
    func aDatabaseFromBeforeTheMigrationOpensWithEveryRowAndItsRunGainsItsFiguresWhenStoredAgain(orders: OrderDetail) throws {
        let old = try Self.databaseOfTheV6Release(orders: orders)
        let tables = Schema.tables.filter { $0 != "symbol_results" }
        let before = try DatabaseQueue(path: old.path).read { try SchemaTests.dump($0, tables: tables) }
        #expect(before["bot_runs"]?.count == 1 && before["order_logs"]?.isEmpty == (orders == .none))

        let migrated = try RunStore(path: old.path)
        try migrated.read { db throws in
            #expect(try Schema.migrator.appliedIdentifiers(db) == Set(Schema.migrationNames))
            #expect(try SchemaTests.dump(db, tables: tables) == before)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM symbol_results") == 0)
            #expect(try String.fetchOne(db, sql: "PRAGMA integrity_check") == "ok")
            #expect(try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").isEmpty)
        }
        guard case .found(let detail) = try migrated.lookUp(runIDPrefix: old.runID) else { Issue.record("old run not found"); return }
        #expect(detail.symbols.isEmpty && detail.deals.count == (orders == .none ? 0 : 2))

        // Stored again (a sweep point without orders, say): the run keeps every row and gains its figures.
        let (result, identity) = try Self.twoPairRun()
        try migrated.write(result, identity: identity, orders: .none, executedAt: "2026-02-01T00:00:00.000Z", wallSeconds: 1)
        try migrated.read { db throws in #expect(try SchemaTests.dump(db, tables: tables) == before) }
        Self.expectHandWorkedFigures(try migrated.rows(of: "symbol_results").sorted { ($0["symbol_order"].integer ?? 0) < ($1["symbol_order"].integer ?? 0) })
    }

    /// `merge` copies symbol_results rows from shards, old ones (migrated on opening) included.
    @Test func mergeCopiesTheFiguresAndOpensOldShards() throws {
        let (result, identity) = try Self.twoPairRun()
        let shard = try RunStore(path: SchemaTests.temporaryDatabase())
        try shard.write(result, identity: identity, orders: .none, executedAt: "2026-01-01T00:00:00.000Z", wallSeconds: 0.01)
        let old = try Self.databaseOfTheV6Release(orders: .all)
        let merged = try RunStore(path: SchemaTests.temporaryDatabase())
        try merged.merge(paths: [old.path, shard.path])
        #expect(try merged.count("bot_runs") == 1 && merged.count("order_logs") == result.orders.count)
        Self.expectHandWorkedFigures(try merged.rows(of: "symbol_results").sorted { ($0["symbol_order"].integer ?? 0) < ($1["symbol_order"].integer ?? 0) })
    }
}

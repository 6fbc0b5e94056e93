import Backtesting
import DCAStrategy
import Foundation
import MarketData
import PostgresNIO
import Testing

@testable import Persistence

/// The PostgreSQL store against a real server (``PostgresTestServer``), each test in a database
/// of its own: the schema and its constraints, a run's rows equal to SQLite's value for value,
/// and a database of a newer version refused.
@Suite(.enabled(if: PostgresTestServer.enabled, Comment(rawValue: PostgresTestServer.skipMessage)))
struct PostgresStoreTests {
    /// A run with many orders of every kind: 3,000 one-minute candles of a wave with a tight
    /// ladder (deals open and close, take profits are placed and cancelled).
    static func waveRun() throws -> (BacktestResult, RunIdentity) {
        var text = "timestamp,open,high,low,close,volume\n"
        var price = 100.0
        for i in 0..<3_000 {
            let close = ((100 * (1 + 0.01 * sin(Double(i) * 0.05))) * 100).rounded() / 100
            text += "\(1_704_067_200 + i * 60),\(price),\(max(price, close) + 0.05),\(min(price, close) - 0.05),\(close),1\n"
            price = close
        }
        let candles = try CandleLoader.load(bytes: Array(text.utf8)).series
        let configuration = try BotConfiguration.decode(json: Data("""
            {"symbol": "TESTUSDT", "initial_balance": 1000000, "base_order_size": 100, "safety_order_size": 100, "max_safety_orders": 4,
             "price_deviation": 0.002, "safety_order_step_scale": 1, "safety_order_volume_scale": 1, "take_profit": 0.002, "fee_rate": 0.001}
            """.utf8))
        return (Backtester.run(configuration: configuration, candles: candles), RunIdentity(configuration: configuration, dataFingerprint: candles.fingerprint))
    }

    /// Every table of `postgres` holds the rows of `sqlite`, value for value, in the same order.
    static func expectSameRows(_ postgres: PostgresStore, _ sqlite: RunStore, empty: Set<String> = [], sourceLocation: SourceLocation = #_sourceLocation) throws {
        for table in Schema.tables {
            let expected = try sqlite.rows(of: table), actual = try postgres.rows(of: table)
            #expect(actual.count == expected.count, "\(table)", sourceLocation: sourceLocation)
            #expect((actual.count > 0) != empty.contains(table), "\(table)", sourceLocation: sourceLocation)
            for (a, e) in zip(actual, expected) {
                #expect(a.columns == e.columns, "\(table)", sourceLocation: sourceLocation)
                for (column, (x, y)) in zip(e.columns, zip(a.values, e.values)) where !Self.same(x, y) {
                    Issue.record("\(table).\(column): PostgreSQL \(x), SQLite \(y)", sourceLocation: sourceLocation)
                }
            }
        }
    }

    /// The same stored value, JSON compared as parsed documents (jsonb keeps its own key order and
    /// spacing) and numbers as numbers (an integral REAL may come back from SQLite as INTEGER).
    static func same(_ a: StoredValue, _ b: StoredValue) -> Bool {
        if a == b { return true }
        switch (a, b) {
        case (.integer, .real), (.real, .integer): return a.double == b.double
        case (.text(let s), .text(let t)):
            guard let p = try? JSONDecoder().decode(JSONInput.self, from: Data(s.utf8)), let q = try? JSONDecoder().decode(JSONInput.self, from: Data(t.utf8)) else { return false }
            return p == q
        default: return false
        }
    }

    @Test func everyTableColumnKeyAndConstraintIsPresent() throws {
        let database = try PostgresTestServer.freshDatabase()
        defer { database.drop() }
        let store = try PostgresStore(url: database.url)
        let tables = try store.query("SELECT table_name::text AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1")
        #expect(tables.compactMap { $0["name"].text } == ["bot_runs", "bots", "dca_migrations", "deals", "funds", "holdings", "order_logs", "positions", "sweep_runs", "sweeps", "symbol_results"])
        let views = try store.query("SELECT table_name::text AS name FROM information_schema.views WHERE table_schema = 'public'")
        #expect(views.compactMap { $0["name"].text } == ["run_summary"])
        let migrations = try store.query("SELECT name FROM dca_migrations ORDER BY name")
        #expect(migrations.compactMap { $0["name"].text } == ["v1_platform_schema", "v2_run_summary_view", "v3_symbol_results", "v4_symbol_figures_of_runs_swept_without_orders"])

        // Columns in the order of the SQLite database the current migrations write.
        let (sqlite, _) = try SchemaTests.storedRun()
        for table in Schema.tables {
            let columns = try store.query("SELECT column_name::text AS name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = '\(table)' ORDER BY ordinal_position")
            #expect(columns.compactMap { $0["name"].text } == (try sqlite.columns(of: table)), "\(table)")
        }
        // PostgreSQL types: ids uuid, simulated times timestamptz, JSON jsonb, money double precision.
        let types = try store.query("""
            SELECT table_name || '.' || column_name AS name, data_type::text AS type FROM information_schema.columns
            WHERE table_schema = 'public' AND (table_name, column_name) IN (('bot_runs', 'run_id'), ('bot_runs', 'started_at'), ('bot_runs', 'metrics'),
                ('order_logs', 'qty'), ('bots', 'config'), ('bot_runs', 'standalone'), ('order_logs', 'user_id')) ORDER BY 1
            """)
        #expect(types.map { "\($0["name"].text ?? ""):\($0["type"].text ?? "")" } == [
            "bot_runs.metrics:jsonb", "bot_runs.run_id:uuid", "bot_runs.standalone:boolean", "bot_runs.started_at:timestamp with time zone",
            "bots.config:jsonb", "order_logs.qty:double precision", "order_logs.user_id:uuid",
        ])
        // Foreign keys (child -> parent), from the table of docs/SCHEMA.md.
        let foreignKeys = try store.query("""
            SELECT conrelid::regclass::text || '->' || confrelid::regclass::text AS fk FROM pg_constraint WHERE contype = 'f' ORDER BY 1
            """)
        #expect(foreignKeys.compactMap { $0["fk"].text } == [
            "bot_runs->bots", "deals->bot_runs", "funds->bot_runs", "holdings->bot_runs", "order_logs->bot_runs", "order_logs->deals",
            "positions->bot_runs", "sweep_runs->bot_runs", "sweep_runs->sweeps", "symbol_results->bot_runs",
        ])
        // Primary keys: sweeps, bots, bot_runs, sweep_runs, deals, order_logs, symbol_results (and
        // dca_migrations); unique keys: bots.config_hash, bot_runs (run_id, bot_id), order_logs
        // (run_id, sequence), positions (run_id, symbol), funds (run_id, exchange, currency),
        // holdings (run_id, asset), symbol_results (run_id, symbol_order).
        let keys = try store.query("SELECT contype::text AS kind, count(*) AS n FROM pg_constraint WHERE contype IN ('p', 'u') AND connamespace = 'public'::regnamespace GROUP BY 1 ORDER BY 1")
        #expect(keys.map { "\($0["kind"].text ?? ""):\($0["n"].integer ?? -1)" } == ["p:8", "u:7"])
        // One CHECK per column case of SchemaTests.checkCases except the five JSON columns and
        // the boolean `standalone`, which their PostgreSQL types enforce: 49 - 6 = 43.
        let checks = try store.query("SELECT count(*) AS n FROM pg_constraint WHERE contype = 'c' AND connamespace = 'public'::regnamespace")
        #expect(checks.first?["n"].integer == 43)
    }

    /// Each CHECK of the schema refuses a value outside it (SQLSTATE 23514), and each JSON or
    /// boolean column a value that is not one.
    @Test func everyCheckRefusesAValueOutsideIt() throws {
        let database = try PostgresTestServer.freshDatabase()
        defer { database.drop() }
        let store = try PostgresStore(url: database.url)
        let (result, identity) = try Self.waveRun()
        let sweepID = "5e1f0000-0000-8000-8000-000000000001"
        try store.recordSweep(SweepRecord(id: sweepID, grid: "{}", baseConfig: "{}", dataFingerprint: "f", runs: 1, invalidPoints: "[]", createdAt: "2026-01-01T00:00:00.000Z"))
        try store.write(result, identity: identity, membership: .sweep(sweepID, point: 0), executedAt: "2026-01-01T00:00:00.000Z", wallSeconds: 0.5)
        let typed: Set<String> = ["sweeps.grid", "sweeps.base_config", "sweeps.invalid_points", "bots.config", "bot_runs.metrics", "bot_runs.standalone"]
        for (table, column, value) in SchemaTests.checkCases {
            do {
                try store.execute("UPDATE \(table) SET \(column) = \(value)")
                Issue.record("\(table).\(column) = \(value) was accepted")
            } catch let error as PSQLError {
                let state = error.serverInfo?[.sqlState] ?? ""
                if !typed.contains("\(table).\(column)") { #expect(state == "23514", "\(table).\(column): \(state)") }
            }
        }
        #expect(try store.count("order_logs") == result.orders.count)
    }

    /// A two-pair run (one shared balance, each row naming its symbol, a position per symbol, funds
    /// and holdings per asset) is stored in PostgreSQL exactly as in SQLite.
    @Test func aMultiPairRunsRowsInPostgresEqualItsSQLiteRows() throws {
        let database = try PostgresTestServer.freshDatabase()
        defer { database.drop() }
        let postgres = try PostgresStore(url: database.url, userID: nil)
        let sqlite = try RunStore(path: SchemaTests.temporaryDatabase(), userID: nil)
        func wave(_ phase: Double, _ level: Double) throws -> CandleSeries {
            var text = "timestamp,open,high,low,close,volume\n"
            var price = level
            for i in 0..<1_500 {
                let close = ((level * (1 + 0.01 * sin(Double(i) * 0.05 + phase))) * 100).rounded() / 100
                text += "\(1_704_067_200 + i * 60),\(price),\(max(price, close) + 0.05),\(min(price, close) - 0.05),\(close),1\n"
                price = close
            }
            return try CandleLoader.load(bytes: Array(text.utf8)).series
        }
        let candles = [try wave(0, 100), try wave(1.3, 40)]
        let configuration = try BotConfiguration.decode(json: Data("""
            {"symbols": ["AAAUSDT", "BBBUSDT"], "max_active_deals": 2, "initial_balance": 1000, "base_order_size": 100, "safety_order_size": 100,
             "max_safety_orders": 4, "price_deviation": 0.002, "safety_order_step_scale": 1, "safety_order_volume_scale": 1, "take_profit": 0.002, "fee_rate": 0.001}
            """.utf8))
        let result = Backtester.run(configuration: configuration, symbolCandles: candles)
        let identity = RunIdentity(configuration: configuration, dataFingerprint: CandleSeries.combinedFingerprint(candles.map(\.fingerprint)))
        // Both symbols traded, and at the end each symbol's row is its own.
        #expect(Set(result.deals.map(\.symbol)) == [0, 1])
        for store in [postgres, sqlite] as [any RunDatabase] {
            try store.write(result, identity: identity, orders: .all, membership: .standalone, executedAt: "2026-01-02T03:04:05.678Z", wallSeconds: 0.25)
        }
        try Self.expectSameRows(postgres, sqlite, empty: ["sweeps", "sweep_runs"])
        #expect(try postgres.rows(of: "positions").map { $0["symbol"] } == [.text("AAAUSDT"), .text("BBBUSDT")])
        #expect(try postgres.rows(of: "holdings").map { $0["asset"] } == [.text("AAA"), .text("BBB"), .text("USDT")])  // ordered by asset
        let symbols = Set(try postgres.rows(of: "order_logs").compactMap { $0["symbol"].text })
        #expect(symbols == ["AAAUSDT", "BBBUSDT"])
    }

    /// The same run written to SQLite and to PostgreSQL: every table holds the same rows with the
    /// same values, and `run_summary` the same row.
    @Test func aRunsRowsInPostgresEqualItsSQLiteRowsValueForValue() throws {
        let database = try PostgresTestServer.freshDatabase()
        defer { database.drop() }
        let userID = "123e4567-e89b-42d3-a456-426614174000"
        let postgres = try PostgresStore(url: database.url, userID: userID)
        let sqlite = try RunStore(path: SchemaTests.temporaryDatabase(), userID: userID)
        let (result, identity) = try Self.waveRun()
        #expect(result.orders.count > 200 && result.deals.count > 20, "\(result.orders.count) orders, \(result.deals.count) deals")
        let sweepID = "5e1f0000-0000-8000-8000-000000000002"
        for store in [postgres, sqlite] as [any RunDatabase] {
            try store.recordSweep(SweepRecord(id: sweepID, grid: #"{"take_profit": [0.002, 0.004]}"#, baseConfig: identity.canonicalConfiguration, dataFingerprint: identity.dataFingerprint,
                                              runs: 1, invalidPoints: "[]", createdAt: "2026-01-01T00:00:00.125Z", orders: "all", objective: "sharpe_ratio"))
            try store.write(result, identity: identity, orders: .all, membership: .standalone, executedAt: "2026-01-02T03:04:05.678Z", wallSeconds: 0.25)
            try store.link([(identity.runID, 3)], toSweep: sweepID)
        }
        try Self.expectSameRows(postgres, sqlite)
        let filter = RunFilter(includeSweepPoints: true)
        let summaries = (try postgres.listRuns(filter), try sqlite.listRuns(filter))
        #expect(summaries.0.count == 1 && summaries.1.count == 1)
        if let a = summaries.0.first?.row, let e = summaries.1.first?.row {
            #expect(a.columns == e.columns)
            for (column, (x, y)) in zip(e.columns, zip(a.values, e.values)) where !Self.same(x, y) {
                Issue.record("run_summary.\(column): PostgreSQL \(x), SQLite \(y)")
            }
        }
        // The read API agrees too.
        #expect(try postgres.storedRunIDs(among: [identity.runID, "not-a-uuid"], detail: .all) == [identity.runID])
        #expect(try postgres.members(ofSweep: sweepID).map(\.runID) == [identity.runID])
        #expect(try postgres.metrics(runIDs: [identity.runID]) == sqlite.metrics(runIDs: [identity.runID]))
        guard case .found(let shown) = try postgres.lookUp(runIDPrefix: String(identity.runID.prefix(8))) else { Issue.record("run not found by prefix"); return }
        #expect(shown.orders.count == result.orders.count && shown.deals.count == result.deals.count)

        // Writing it again (as a sweep point without orders) keeps every row.
        try postgres.write(result, identity: identity, orders: .none, membership: .sweep(sweepID, point: 1), executedAt: "2026-02-01T00:00:00.000Z", wallSeconds: 1)
        #expect(try postgres.count("order_logs") == result.orders.count)
        #expect(try postgres.members(ofSweep: sweepID).map(\.point) == [1])
        #expect(try postgres.delete(runIDs: [identity.runID, "00000000-0000-8000-8000-000000000000"]) == [identity.runID])
        for table in ["order_logs", "deals", "positions", "funds", "holdings", "sweep_runs", "symbol_results", "bot_runs", "bots"] {
            #expect(try postgres.count(table) == 0, "\(table)")
        }
    }

    /// Shards merged into PostgreSQL a few rows at a time (pages of 7, so every table of the
    /// run takes many pages) hold, value for value, what the same shards merged into SQLite hold:
    /// the run with its orders from one shard, its sweep link from the other.
    @Test func shardsMergedPageByPageEqualTheSameShardsMergedIntoSQLite() throws {
        let database = try PostgresTestServer.freshDatabase()
        defer { database.drop() }
        let (result, identity) = try Self.waveRun()
        #expect(result.orders.count > 200, "\(result.orders.count) orders")
        let sweepID = "5e1f0000-0000-8000-8000-000000000003"
        let withOrders = SchemaTests.temporaryDatabase(), linked = SchemaTests.temporaryDatabase()
        try RunStore(path: withOrders).write(result, identity: identity, orders: .all, membership: .standalone, executedAt: "2026-01-02T03:04:05.678Z", wallSeconds: 0.25)
        let shard = try RunStore(path: linked)
        try shard.recordSweep(SweepRecord(id: sweepID, grid: #"{"take_profit": [0.002]}"#, baseConfig: identity.canonicalConfiguration, dataFingerprint: identity.dataFingerprint,
                                          runs: 1, invalidPoints: "[]", createdAt: "2026-01-01T00:00:00.125Z", orders: "none", objective: "sharpe_ratio"))
        try shard.write(result, identity: identity, orders: .none, membership: .sweep(sweepID, point: 4), executedAt: "2026-01-03T00:00:00.000Z", wallSeconds: 1)
        let postgres = try PostgresStore(url: database.url)
        try postgres.merge(paths: [withOrders, linked], pageRows: 7)
        let reference = try RunStore(path: SchemaTests.temporaryDatabase())
        try reference.merge(paths: [withOrders, linked])
        try Self.expectSameRows(postgres, reference)
        #expect(try postgres.count("order_logs") == result.orders.count)
        #expect(try postgres.members(ofSweep: sweepID).map(\.point) == [4])
    }

    /// A two-pair run stored without its orders keeps each symbol's figures in PostgreSQL as in
    /// SQLite (the hand-worked values of ``SymbolResultsTests/twoPairRun()``).
    @Test func eachSymbolsFiguresAreStoredWithoutTheRunsOrdersAsInSQLite() throws {
        let database = try PostgresTestServer.freshDatabase()
        defer { database.drop() }
        let postgres = try PostgresStore(url: database.url)
        let sqlite = try RunStore(path: SchemaTests.temporaryDatabase())
        let (result, identity) = try SymbolResultsTests.twoPairRun()
        for store in [postgres, sqlite] as [any RunDatabase] {
            try store.write(result, identity: identity, orders: .none, membership: .standalone, executedAt: "2026-01-02T03:04:05.678Z", wallSeconds: 0.25)
        }
        try Self.expectSameRows(postgres, sqlite, empty: ["sweeps", "sweep_runs", "deals", "order_logs"])
        guard case .found(let detail) = try postgres.lookUp(runIDPrefix: String(identity.runID.prefix(8))) else { Issue.record("run not found by prefix"); return }
        SymbolResultsTests.expectHandWorkedFigures(detail.symbols)
    }

    /// A database whose runs were stored before v3_symbol_results (the table and its migration
    /// record taken away again) opens, is migrated with every row kept, shows its run without
    /// figures, and the run gains them when stored again.
    @Test func aDatabaseFromBeforeTheSymbolResultsMigrationKeepsItsRunsAndGainsTheirFigures() throws {
        let database = try PostgresTestServer.freshDatabase()
        defer { database.drop() }
        let (result, identity) = try SymbolResultsTests.twoPairRun()
        do {
            let store = try PostgresStore(url: database.url)
            try store.write(result, identity: identity, orders: .all, membership: .standalone, executedAt: "2026-01-02T03:04:05.678Z", wallSeconds: 0.25)
            try store.execute("DROP TABLE symbol_results")
            try store.execute("DELETE FROM dca_migrations WHERE name = 'v3_symbol_results'")
        }
        let store = try PostgresStore(url: database.url)
        let migrations = try store.query("SELECT name FROM dca_migrations ORDER BY name")
        #expect(migrations.compactMap { $0["name"].text } == ["v1_platform_schema", "v2_run_summary_view", "v3_symbol_results", "v4_symbol_figures_of_runs_swept_without_orders"])
        #expect(try store.count("bot_runs") == 1 && store.count("order_logs") == result.orders.count && store.count("deals") == result.deals.count)
        #expect(try store.count("symbol_results") == 0)
        guard case .found(let old) = try store.lookUp(runIDPrefix: identity.runID) else { Issue.record("old run not found"); return }
        #expect(old.symbols.isEmpty && old.deals.count == result.deals.count)
        try store.write(result, identity: identity, orders: .none, membership: .standalone, executedAt: "2026-02-01T00:00:00.000Z", wallSeconds: 1)
        #expect(try store.count("order_logs") == result.orders.count)
        SymbolResultsTests.expectHandWorkedFigures(try store.rows(of: "symbol_results"))
    }

    /// v4 repairs what the releases with v3 stored for a one-pair sweep point kept without its
    /// orders (0 fees, 0 filled and 0 rejected orders), as SQLite's v8 does, and leaves the
    /// multi-pair run's rows alone.
    @Test func migrationV4RepairsTheFiguresOfAOnePairRunSweptWithoutItsOrders() throws {
        let database = try PostgresTestServer.freshDatabase()
        defer { database.drop() }
        let (result, identity) = try SymbolResultsTests.onePairRunWithFees()
        let (pair, pairIdentity) = try SymbolResultsTests.twoPairRun()
        do {
            let store = try PostgresStore(url: database.url)
            var swept = result
            swept.orders = []
            try store.write(swept, identity: identity, orders: .none, membership: .standalone, executedAt: "2026-01-02T03:04:05.678Z", wallSeconds: 0.25)
            try store.write(pair, identity: pairIdentity, orders: .none, membership: .standalone, executedAt: "2026-01-02T03:04:05.678Z", wallSeconds: 0.25)
            let broken = try store.query("SELECT filled_orders, rejected_orders, fees FROM symbol_results WHERE run_id = '\(identity.runID)'")
            #expect(broken.map { [$0["filled_orders"].integer, $0["rejected_orders"].integer] } == [[0, 0]] && broken.first?["fees"].double == 0)
            try store.execute("DELETE FROM dca_migrations WHERE name = 'v4_symbol_figures_of_runs_swept_without_orders'")
        }
        let store = try PostgresStore(url: database.url)
        let repaired = try store.query("SELECT s.filled_orders, s.rejected_orders, s.fees, r.fees_paid FROM symbol_results s JOIN bot_runs r USING (run_id) WHERE s.run_id = '\(identity.runID)'")
        #expect(repaired.map { [$0["filled_orders"].integer, $0["rejected_orders"].integer] } == [[3, 0]])
        let fees = repaired.first?["fees"].double ?? .nan
        #expect(fees == repaired.first?["fees_paid"].double && abs(fees - 0.42) < 0.001)
        SymbolResultsTests.expectHandWorkedFigures(try store.rows(of: "symbol_results").filter { $0["run_id"].text == pairIdentity.runID })
    }

    @Test func aDatabaseOfANewerVersionIsRefused() throws {
        let database = try PostgresTestServer.freshDatabase()
        defer { database.drop() }
        let store = try PostgresStore(url: database.url)
        try store.execute("INSERT INTO dca_migrations (name) VALUES ('v99_from_a_newer_version')")
        #expect {
            _ = try PostgresStore(url: database.url)
        } throws: { error in
            "\(error)".contains("was written by a newer version of dca-backtest") && "\(error)".contains("v99_from_a_newer_version")
        }
    }

    /// A database holding a `bots` table of its own (the platform's, say) is refused, and left
    /// with only that table: the migration is rolled back.
    @Test func aDatabaseWithTablesDcaBacktestDidNotCreateIsRefusedAndLeftAsItWas() throws {
        let database = try PostgresTestServer.freshDatabase()
        defer { database.drop() }
        let other = try PostgresSession(url: database.url)
        try other.execute("CREATE TABLE bots (id integer)")
        #expect {
            _ = try PostgresStore(url: database.url)
        } throws: { error in
            "\(error)".contains("already holds tables dca-backtest did not create") && "\(error)".contains("give the runs a database of their own")
        }
        let tables = try other.query("SELECT table_name::text AS name FROM information_schema.tables WHERE table_schema = 'public'")
        #expect(tables.compactMap { $0["name"].text } == ["bots"])
    }

    /// Two stores opening one new database at once both migrate it safely (an advisory lock).
    @Test func twoStoresOpeningANewDatabaseAtOnceBothSucceed() async throws {
        let database = try PostgresTestServer.freshDatabase()
        defer { database.drop() }
        let url = database.url
        async let first: Bool = Task.detached { (try? PostgresStore(url: url)) != nil }.value
        async let second: Bool = Task.detached { (try? PostgresStore(url: url)) != nil }.value
        let opened = await (first, second)
        #expect(opened.0 && opened.1)
    }
}

import Backtesting
import DCAStrategy
import Foundation
import GRDB
import GRDBSQLite
import MarketData
import Testing

@testable import Persistence

/// The schema against STORAGE.md: tables, the platform's column names, and constraints that
/// live in the schema.
@Suite struct SchemaTests {
    static func temporaryDatabase() -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dca-schema-\(UUID().uuidString)")
        return folder.appendingPathComponent("runs.sqlite").path
    }

    /// A small stored run to build on.
    static func storedRun() throws -> (RunStore, RunIdentity) {
        let store = try RunStore(path: temporaryDatabase())
        let (result, identity) = try smallRun(feeRate: 0)
        try store.write(result, identity: identity, executedAt: "2026-01-01T00:00:00.000Z", wallSeconds: 0.01)
        return (store, identity)
    }

    /// Three hourly bars, 100 USDT base and safety orders 5% apart (two at most), a 10% take
    /// profit: the base order fills at 100, the first safety order at 95, the take profit at the
    /// third bar's high.
    static func smallRun(feeRate: Double) throws -> (BacktestResult, RunIdentity) {
        let configuration = try BotConfiguration.decode(json: Data("""
            {"symbol": "TESTUSDT", "initial_balance": 10000, "fee_rate": \(feeRate), "base_order_size": 100, "safety_order_size": 100,
             "max_safety_orders": 2, "price_deviation": 0.05, "safety_order_step_scale": 1, "safety_order_volume_scale": 1, "take_profit": 0.1}
            """.utf8))
        let candles = try CandleLoader.load(bytes: Array("""
            timestamp,open,high,low,close,volume
            2024-07-01T00:00:00Z,100,100.5,99.5,100,1
            2024-07-01T01:00:00Z,99,99.5,94,97,1
            2024-07-01T02:00:00Z,97,112,96,111,1
            """.utf8)).series
        return (Backtester.run(configuration: configuration, candles: candles), RunIdentity(configuration: configuration, dataFingerprint: candles.fingerprint))
    }

    @Test func tablesHaveThePlatformColumns() throws {
        let (store, _) = try Self.storedRun()
        let expected: [String: [String]] = [
            "bots": ["bot_id", "user_id", "name", "bot_type", "status", "symbol", "interval", "config", "required_capital", "max_position_size", "risk_per_trade", "created_at", "config_hash"],
            "bot_runs": ["run_id", "bot_id", "user_id", "status", "started_at", "ended_at", "total_trades", "total_pnl", "max_drawdown", "sharpe_ratio",
                         "data_fingerprint", "engine_version", "fill_model", "candles", "initial_balance", "final_equity", "realized_pnl", "fees_paid", "metrics", "standalone", "executed_at", "wall_seconds"],
            "sweep_runs": ["sweep_id", "run_id"],
            "order_logs": ["order_id", "bot_id", "run_id", "user_id", "symbol", "side", "qty", "order_type", "status", "filled_qty", "avg_price", "fees", "created_at",
                           "price", "filled_at", "deal_id", "role", "safety_order_index", "reason", "needed", "available"],
            "positions": ["user_id", "symbol", "qty", "avg_price", "current_price", "unrealized_pnl", "run_id"],
            "funds": ["user_id", "exchange", "currency", "free", "locked", "total", "run_id"],
            "holdings": ["user_id", "asset", "quantity", "run_id"],
            "deals": ["deal_id", "run_id", "symbol", "opened_at", "closed_at", "safety_orders_filled", "avg_entry", "qty", "realized_pnl", "fees", "close_reason"],
            "sweeps": ["sweep_id", "grid", "created_at", "runs"],
            "symbol_results": ["run_id", "user_id", "symbol", "symbol_order", "candles", "deals_opened", "deals_closed", "win_rate", "realized_pnl", "fees",
                               "max_capital_in_use", "filled_orders", "rejected_orders", "buy_and_hold_return"],
        ]
        try store.read { db in
            for (table, columns) in expected {
                let actual = Set(try Row.fetchAll(db, sql: "PRAGMA table_info(\(table))").map { $0["name"] as String })
                for column in columns { #expect(actual.contains(column), "\(table).\(column)") }
            }
            #expect(try Bool.fetchOne(db, sql: "PRAGMA foreign_keys") == true)
            #expect(try String.fetchOne(db, sql: "PRAGMA journal_mode") == "wal")
        }
    }

    @Test func simulatedTimesAreISO8601WithMilliseconds() throws {
        let (store, identity) = try Self.storedRun()
        try store.read { db in
            let run = try #require(try Row.fetchOne(db, sql: "SELECT started_at, ended_at FROM bot_runs WHERE run_id = ?", arguments: [identity.runID]))
            #expect(run["started_at"] as String == "2024-07-01T00:00:00.000Z")
            #expect(run["ended_at"] as String == "2024-07-01T02:00:00.000Z")
            let created = try String.fetchAll(db, sql: "SELECT created_at FROM order_logs ORDER BY sequence")
            #expect(created.first == "2024-07-01T00:00:00.000Z")
        }
    }

    /// Each CHECK on an enumeration refuses a value outside it.
    @Test(arguments: [
        ("UPDATE bot_runs SET status = 'done'", "bot_runs.status"),
        ("UPDATE bot_runs SET fill_model = 'optimistic'", "bot_runs.fill_model"),
        ("UPDATE bot_runs SET max_drawdown = 1.5", "bot_runs.max_drawdown"),
        ("UPDATE bots SET bot_type = 'grid'", "bots.bot_type"),
        ("UPDATE bots SET status = 'sleeping'", "bots.status"),
        ("UPDATE order_logs SET side = 'hold'", "order_logs.side"),
        ("UPDATE order_logs SET order_type = 'iceberg'", "order_logs.order_type"),
        ("UPDATE order_logs SET status = 'partially_filled'", "order_logs.status"),
        ("UPDATE order_logs SET role = 'grid'", "order_logs.role"),
        ("UPDATE order_logs SET qty = -1", "order_logs.qty"),
        ("UPDATE deals SET close_reason = 'liquidation'", "deals.close_reason"),
        ("UPDATE funds SET exchange = 'binance'", "funds.exchange"),
        ("UPDATE funds SET free = -0.01", "funds.free"),
        ("UPDATE holdings SET quantity = -1", "holdings.quantity"),
        ("UPDATE bots SET config = 'not json'", "bots.config"),
        ("UPDATE bot_runs SET total_trades = NULL", "bot_runs.total_trades NOT NULL"),
        ("UPDATE order_logs SET run_id = 'no-such-run'", "order_logs.run_id foreign key"),
        ("UPDATE order_logs SET bot_id = 'another-bot'", "order_logs.bot_id must be its run's bot"),
        ("UPDATE order_logs SET deal_id = 99", "order_logs.deal_id foreign key"),
    ])
    func constraintRefusesAnInvalidValue(statement: String, what: String) throws {
        let (store, _) = try Self.storedRun()
        #expect(throws: DatabaseError.self, "\(what)") {
            try store.pool.write { db in try db.execute(sql: statement) }
        }
    }

    /// Every CHECK of the schema, as (table, column, a value it must refuse).
    static let checkCases: [(table: String, column: String, value: String)] = [
        ("sweeps", "grid", "'not json'"), ("sweeps", "runs", "-1"), ("sweeps", "base_config", "'{'"), ("sweeps", "invalid_points", "'['"),
        ("bots", "bot_type", "'grid'"), ("bots", "status", "'sleeping'"), ("bots", "config", "'not json'"), ("bots", "required_capital", "-1"),
        ("bot_runs", "status", "'done'"), ("bot_runs", "total_trades", "-1"), ("bot_runs", "max_drawdown", "1.5"),
        ("bot_runs", "fill_model", "'optimistic'"), ("bot_runs", "candles", "-1"), ("bot_runs", "initial_balance", "0"),
        ("bot_runs", "fees_paid", "-0.01"), ("bot_runs", "metrics", "'{'"), ("bot_runs", "wall_seconds", "-1"), ("bot_runs", "standalone", "2"),
        ("deals", "deal_id", "0"), ("deals", "safety_orders_filled", "-1"), ("deals", "qty", "-1"), ("deals", "fees", "-1"),
        ("deals", "close_reason", "'liquidation'"),
        ("order_logs", "side", "'hold'"), ("order_logs", "qty", "-1"), ("order_logs", "order_type", "'iceberg'"),
        ("order_logs", "status", "'partially_filled'"), ("order_logs", "filled_qty", "-1"), ("order_logs", "fees", "-1"),
        ("order_logs", "role", "'grid'"), ("order_logs", "safety_order_index", "0"), ("order_logs", "sequence", "-1"),
        ("order_logs", "take_profit_step", "5"),
        ("positions", "qty", "-1"),
        ("funds", "exchange", "'binance'"), ("funds", "free", "-0.01"), ("funds", "locked", "-1"), ("funds", "total", "-1"),
        ("holdings", "quantity", "-1"),
        ("sweep_runs", "point", "-1"),
        ("symbol_results", "symbol_order", "-1"), ("symbol_results", "candles", "-1"), ("symbol_results", "deals_opened", "-1"),
        ("symbol_results", "deals_closed", "deals_opened + 1"), ("symbol_results", "win_rate", "1.5"), ("symbol_results", "fees", "-0.01"),
        ("symbol_results", "max_capital_in_use", "-1"), ("symbol_results", "filled_orders", "-1"), ("symbol_results", "rejected_orders", "-1"),
    ]

    /// With SQLite's C API alone (no GRDB, no project code): each CHECK refuses an INSERT that
    /// copies a stored row with one value out of range, and the schema has no CHECK without a case.
    @Test func everyCheckRefusesAnInsertThroughPlainSQLite() throws {
        let (store, identity) = try Self.storedRun()
        try store.recordSweep(id: "sweep-1", grid: "{}", baseConfig: "{}", dataFingerprint: "f", runs: 1, invalidPoints: "[]", createdAt: "2026-01-01T00:00:00.000Z")
        try store.link([(identity.runID, 0)], toSweep: "sweep-1")
        var connection: OpaquePointer?
        #expect(sqlite3_open_v2(store.path, &connection, SQLITE_OPEN_READWRITE, nil) == SQLITE_OK)
        defer { sqlite3_close(connection) }
        func execute(_ sql: String) -> (code: Int32, message: String) {
            var error: UnsafeMutablePointer<CChar>?
            let code = sqlite3_exec(connection, sql, nil, nil, &error)
            defer { sqlite3_free(error) }
            return (code, error.map { String(cString: $0) } ?? "")
        }
        #expect(execute("PRAGMA foreign_keys = ON").code == SQLITE_OK)
        func columns(_ table: String) -> [String] {
            var statement: OpaquePointer?
            sqlite3_prepare_v2(connection, "SELECT name FROM pragma_table_info('\(table)')", -1, &statement, nil)
            defer { sqlite3_finalize(statement) }
            var names: [String] = []
            while sqlite3_step(statement) == SQLITE_ROW { names.append(String(cString: sqlite3_column_text(statement, 0))) }
            return names
        }
        for (table, column, value) in Self.checkCases {
            let names = columns(table)
            #expect(names.contains(column), "\(table).\(column)")
            let copied = names.map { $0 == column ? value : $0 }.joined(separator: ", ")
            let result = execute("INSERT INTO \(table) (\(names.joined(separator: ", "))) SELECT \(copied) FROM \(table) LIMIT 1")
            #expect(result.code == SQLITE_CONSTRAINT && result.message.hasPrefix("CHECK constraint failed"), "\(table).\(column) = \(value): \(result.message)")
        }
        var statement: OpaquePointer?
        sqlite3_prepare_v2(connection, "SELECT group_concat(sql, ' ') FROM sqlite_master WHERE type = 'table'", -1, &statement, nil)
        #expect(sqlite3_step(statement) == SQLITE_ROW)
        let schema = String(cString: sqlite3_column_text(statement, 0))
        sqlite3_finalize(statement)
        #expect(schema.components(separatedBy: "CHECK (").count - 1 == Self.checkCases.count, "every CHECK of the schema has a case")
    }

    @Test func databaseFromANewerVersionIsRefused() throws {
        let path = Self.temporaryDatabase()
        _ = try RunStore(path: path)
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99_from_the_future')") }
        #expect {
            _ = try RunStore(path: path)
        } throws: { error in
            "\(error)".contains("written by a newer version of dca-backtest")
        }
    }

    /// The opcodes of `EXPLAIN INSERT` into every table that open a temporary b-tree. SQLite 3.40
    /// builds one per statement for each CHECK of the form `x IN (more than two values)`, which
    /// made a one-row order_logs INSERT cost 75 µs instead of 7 µs.
    static func temporaryTablesOfInserts(_ db: Database, tables: [String] = Schema.tables) throws -> [String] {
        var found: [String] = []
        for table in tables {
            let columns = try Row.fetchAll(db, sql: "PRAGMA table_info(\(table))").map { $0["name"] as String }
            let insert = "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))"
            let nulls = StatementArguments(Array(repeating: nil as String?, count: columns.count))
            for row in try Row.fetchAll(db, sql: "EXPLAIN \(insert)", arguments: nulls) where (row["opcode"] as String) == "OpenEphemeral" && found.last != table {
                found.append(table)
            }
        }
        return found
    }

    @Test func insertsBuildNoTemporaryTablesForEnumerationChecks() throws {
        let (store, _) = try Self.storedRun()
        try store.read { db throws in #expect(try Self.temporaryTablesOfInserts(db) == []) }
    }

    @Test func newDatabaseUses32KiBPages() throws {
        let (store, _) = try Self.storedRun()
        try store.read { db throws in #expect(try Int.fetchOne(db, sql: "PRAGMA page_size") == 32768) }
    }

    /// Every table's rows as text, ordered by every column: equal dumps mean equal tables.
    static func dump(_ db: Database, tables: [String] = Schema.tables, columnsOf: [String: [String]] = [:]) throws -> [String: [String]] {
        var dumped: [String: [String]] = [:]
        for table in tables {
            let columns = try columnsOf[table] ?? Row.fetchAll(db, sql: "PRAGMA table_info(\(table))").map { $0["name"] as String }
            let list = columns.joined(separator: ", ")
            dumped[table] = try Row.fetchAll(db, sql: "SELECT \(list) FROM \(table) ORDER BY \(list)").map { "\($0)" }
        }
        return dumped
    }

    /// Three runs as the release before v4 wrote them, through the schema code at
    /// v3_enumeration_checks_by_equality: one stored by `run` with its orders (sweep_id NULL), two
    /// points of a sweep (sweep_id set), one of them with orders.
    static func databaseOfTheV3Release() throws -> (path: String, standalone: String, swept: [String], sweepID: String) {
        let current = try RunStore(path: temporaryDatabase())
        let candles = try CandleLoader.load(bytes: Array("""
            timestamp,open,high,low,close,volume
            2024-07-01T00:00:00Z,100,100.5,99.5,100,1
            2024-07-01T01:00:00Z,99,99.5,94,97,1
            2024-07-01T02:00:00Z,97,112,96,111,1
            """.utf8)).series
        var ids: [String] = []
        for (k, takeProfit) in [0.1, 0.05, 0.02].enumerated() {
            let configuration = try BotConfiguration.decode(json: Data("""
                {"symbol": "TESTUSDT", "initial_balance": 10000, "fee_rate": 0, "base_order_size": 100, "safety_order_size": 100,
                 "max_safety_orders": 2, "price_deviation": 0.05, "safety_order_step_scale": 1, "safety_order_volume_scale": 1, "take_profit": \(takeProfit)}
                """.utf8))
            let identity = RunIdentity(configuration: configuration, dataFingerprint: candles.fingerprint)
            try current.write(Backtester.run(configuration: configuration, candles: candles), identity: identity, orders: k == 1 ? .none : .all, executedAt: "2026-01-01T00:00:00.000Z", wallSeconds: 0.5)
            ids.append(identity.runID)
        }
        let sweepID = "5e5e5e5e-0000-8000-8000-000000000001"
        let path = temporaryDatabase()
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let queue = try DatabaseQueue(path: path)
        try Schema.migrator.migrate(queue, upTo: "v3_enumeration_checks_by_equality")
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "ATTACH DATABASE ? AS current", arguments: [current.path])
            try db.inTransaction {
                try db.execute(sql: "INSERT INTO sweeps (sweep_id, grid, created_at, runs) VALUES (?, '{\"take_profit\": [0.05, 0.02]}', '2024-07-01T00:00:00.000Z', 2)", arguments: [sweepID])
                try db.execute(sql: "INSERT INTO main.bots SELECT * FROM current.bots")
                let columns = try String.fetchAll(db, sql: "SELECT name FROM pragma_table_info('bot_runs') WHERE name != 'sweep_id'").joined(separator: ", ")
                try db.execute(sql: "INSERT INTO main.bot_runs (\(columns), sweep_id) SELECT \(columns), CASE WHEN run_id = ? THEN NULL ELSE ? END FROM current.bot_runs", arguments: [ids[0], sweepID])
                for table in ["deals", "order_logs", "positions", "funds", "holdings"] {
                    // The columns the v3 table has (engine v2 adds order_logs.take_profit_step later).
                    let columns = try String.fetchAll(db, sql: "SELECT name FROM pragma_table_info(?, 'main')", arguments: [table]).joined(separator: ", ")
                    try db.execute(sql: "INSERT INTO main.\(table) (\(columns)) SELECT \(columns) FROM current.\(table)")
                }
                return .commit
            }
            try db.execute(sql: "DETACH DATABASE current")
        }
        return (path, ids[0], Array(ids[1...]), sweepID)
    }

    /// A database of the release before v4 opens and is migrated without losing a row: every row
    /// of every table is there with the same values, each sweep_id became a sweep_runs link, and
    /// the runs without one stand alone.
    @Test func databaseOfTheReleaseBeforeSweepLinksMigratesEveryRow() throws {
        let old = try Self.databaseOfTheV3Release()
        let tables = ["sweeps", "bots", "deals", "order_logs", "positions", "funds", "holdings"]
        let oldColumns = try DatabaseQueue(path: old.path).read { db in
            try Dictionary(uniqueKeysWithValues: tables.map { ($0, try String.fetchAll(db, sql: "SELECT name FROM pragma_table_info(?)", arguments: [$0])) })
        }
        let before = try DatabaseQueue(path: old.path).read { db in
            (try Self.dump(db, tables: tables),
             try Row.fetchAll(db, sql: "SELECT * FROM bot_runs ORDER BY run_id").map { row in Array(row.columnNames).filter { $0 != "sweep_id" }.map { "\($0)=\(row[$0] as DatabaseValue)" } })
        }
        #expect(before.0["order_logs"]?.isEmpty == false && before.1.count == 3)
        let migrated = try RunStore(path: old.path)
        try migrated.read { db throws in
            #expect(try Schema.migrator.appliedIdentifiers(db) == Set(Schema.migrationNames))
            // Columns added by v4 (sweeps.orders, sweeps.objective) are NULL; every old value is kept.
            #expect(try Self.dump(db, tables: tables, columnsOf: oldColumns) == before.0)
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sweeps WHERE orders IS NOT NULL OR objective IS NOT NULL") == 0)
            let runs = try Row.fetchAll(db, sql: "SELECT * FROM bot_runs ORDER BY run_id").map { row in Array(row.columnNames).filter { $0 != "standalone" }.map { "\($0)=\(row[$0] as DatabaseValue)" } }
            #expect(runs == before.1)
            #expect(try Set(String.fetchAll(db, sql: "SELECT run_id FROM sweep_runs WHERE sweep_id = ?", arguments: [old.sweepID])) == Set(old.swept))
            #expect(try String.fetchAll(db, sql: "SELECT run_id FROM bot_runs WHERE standalone = 1") == [old.standalone])
            #expect(try String.fetchOne(db, sql: "PRAGMA integrity_check") == "ok")
            #expect(try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").isEmpty)
            #expect(try Self.temporaryTablesOfInserts(db) == [])
        }
    }

    /// A database written with the schema before v3 (4 KiB pages, enumeration CHECKs as IN
    /// lists, separate foreign keys from order_logs to bots and bot_runs) opens, is migrated
    /// with its rows unchanged, and then behaves like a new one.
    @Test func databaseFromAnEarlierVersionMigratesWithItsRows() throws {
        let (current, identity) = try Self.storedRun()
        let path = Self.temporaryDatabase()
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let v2Tables = ["sweeps", "bots", "deals", "order_logs", "positions", "funds", "holdings"]
        do {
            let queue = try DatabaseQueue(path: path)
            try Schema.migrator.migrate(queue, upTo: "v2_sweep_details")
            try queue.writeWithoutTransaction { db throws in
                try db.execute(sql: "ATTACH DATABASE ? AS current", arguments: [current.path])
                try db.inTransaction {
                    for table in ["sweeps", "bots", "bot_runs", "deals", "order_logs", "positions", "funds", "holdings"] {
                        // The columns both schemas have: later migrations add some (order_logs.take_profit_step)
                        // and move one (bot_runs.sweep_id, now the sweep_runs links).
                        let columns = try String.fetchAll(db, sql: "SELECT name FROM pragma_table_info(?, 'main') WHERE name IN (SELECT name FROM pragma_table_info(?, 'current'))", arguments: [table, table]).joined(separator: ", ")
                        try db.execute(sql: "INSERT INTO main.\(table) (\(columns)) SELECT \(columns) FROM current.\(table)")
                    }
                    return .commit
                }
                try db.execute(sql: "DETACH DATABASE current")
                #expect(try Self.temporaryTablesOfInserts(db, tables: ["sweeps", "bots", "bot_runs", "deals", "order_logs", "positions", "funds", "holdings"]) == ["bots", "bot_runs", "deals", "order_logs"], "the old schema's IN lists")
            }
        }
        // symbol_results came later (v7): the old database has no rows there, the others unchanged.
        let oldTables = Schema.tables.filter { $0 != "symbol_results" }
        let expected = try current.read { try Self.dump($0, tables: oldTables) }
        #expect(expected["order_logs"]?.count ?? 0 >= 4)

        let migrated = try RunStore(path: path)
        try migrated.read { db throws in
            #expect(try Schema.migrator.appliedIdentifiers(db) == Set(Schema.migrationNames))
            #expect(try Self.dump(db, tables: oldTables) == expected)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM symbol_results") == 0)
            #expect(try String.fetchOne(db, sql: "PRAGMA integrity_check") == "ok")
            #expect(try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").isEmpty)
            #expect(try Self.temporaryTablesOfInserts(db) == [])
            #expect(try Int.fetchOne(db, sql: "PRAGMA page_size") == 4096, "an existing database keeps its page size")
        }
        #expect(throws: DatabaseError.self) {
            try migrated.pool.write { db in try db.execute(sql: "UPDATE order_logs SET role = 'grid'") }
        }
        // Deleting the run cascades to its orders and deals through the rebuilt tables.
        try migrated.pool.write { db in try db.execute(sql: "DELETE FROM bot_runs WHERE run_id = ?", arguments: [identity.runID]) }
        try migrated.read { db throws in
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM order_logs") == 0)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM deals") == 0)
        }
    }

    @Test func contentIdsAreStableAndUUIDShaped() throws {
        let configuration = try BotConfiguration.decode(json: Data(#"{"symbol": "BTCUSDT", "initial_balance": 100, "base_order_size": 10, "take_profit": 0.01}"#.utf8))
        let a = RunIdentity(configuration: configuration, dataFingerprint: "abc")
        let b = RunIdentity(configuration: configuration, dataFingerprint: "abc")
        let c = RunIdentity(configuration: configuration, dataFingerprint: "abd")
        #expect(a == b)
        #expect(a.botID == c.botID && a.runID != c.runID)
        #expect(a.runID.range(of: #"^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"#, options: .regularExpression) != nil)
        #expect(ContentIdentifier.orderID(runID: a.runID, sequence: 255).hasSuffix("-0000000000ff"))
    }
}

@Suite struct RunRowsWriterTests {
    @Test func everyOrderIsStoredWithItsContentIdAndValues() throws {
        let (store, identity) = try SchemaTests.storedRun()
        let rows = try store.read { db in try Row.fetchAll(db, sql: "SELECT * FROM order_logs ORDER BY sequence") }
        // Base (bar 0), take profit, safety 1, safety 2; safety 1 (95) fills in bar 1, the take
        // profit is re-placed, and the last one fills in bar 2 at 100 * 1.1 ... see storedRun().
        #expect(rows.count >= 4)
        for row in rows {
            let sequence: Int = row["sequence"]
            #expect(row["order_id"] as String == ContentIdentifier.orderID(runID: identity.runID, sequence: sequence))
            #expect(row["run_id"] as String == identity.runID && row["bot_id"] as String == identity.botID)
            #expect(row["symbol"] as String == "TESTUSDT")
        }
        let base = rows[0]
        #expect(base["role"] as String == "base" && base["side"] as String == "buy" && base["order_type"] as String == "market")
        #expect(base["avg_price"] as Double == 100 && base["qty"] as Double == 1 && base["filled_at"] as String == "2024-07-01T00:00:00.000Z")
        #expect(base["price"] as Double? == nil)
        let safety = try #require(rows.first { ($0["safety_order_index"] as Int?) == 1 })
        #expect(safety["price"] as Double == 95 && safety["status"] as String == "filled" && safety["filled_at"] as String == "2024-07-01T01:00:00.000Z")
    }

    /// The static names the writer binds are the roles' names.
    @Test func everyRoleIsStoredUnderItsName() {
        for role in OrderRole.allCases { #expect("\(RunRowsWriter.literal(role))" == role.rawValue) }
    }

    /// A run long enough to be written by 256-row, 16-row and one-row statements: every order and
    /// deal is stored once, with the values the engine produced.
    @Test func longRunIsStoredRowForRowAcrossStatementLengths() throws {
        // 300 hourly bars swinging 99..101 around 100: a ladder 0.5% apart with a 0.5% take
        // profit opens, fills and closes deals all along.
        var csv = "timestamp,open,high,low,close,volume\n"
        for hour in 0..<300 {
            let day = 1 + hour / 24, clock = hour % 24
            csv += "2024-07-\(day < 10 ? "0" : "")\(day)T\(clock < 10 ? "0" : "")\(clock):00:00Z,100,101,99,100,1\n"
        }
        let candles = try CandleLoader.load(bytes: Array(csv.utf8)).series
        let configuration = try BotConfiguration.decode(json: Data("""
            {"symbol": "TESTUSDT", "initial_balance": 100000, "fee_rate": 0.001, "base_order_size": 100, "safety_order_size": 100,
             "max_safety_orders": 2, "price_deviation": 0.005, "safety_order_step_scale": 1, "safety_order_volume_scale": 1, "take_profit": 0.005}
            """.utf8))
        let result = Backtester.run(configuration: configuration, candles: candles)
        #expect(result.orders.count > 256 + 16 + 1, "the run must need all three statement lengths")
        let store = try RunStore(path: SchemaTests.temporaryDatabase())
        let identity = RunIdentity(configuration: configuration, dataFingerprint: candles.fingerprint)
        try store.write(result, identity: identity, executedAt: "2026-01-01T00:00:00.000Z", wallSeconds: 0)
        try store.read { db in
            let orders = try Row.fetchAll(db, sql: "SELECT * FROM order_logs ORDER BY sequence")
            #expect(orders.count == result.orders.count)
            for (row, order) in zip(orders, result.orders) {
                #expect(row["sequence"] as Int == order.sequence)
                #expect(row["order_id"] as String == ContentIdentifier.orderID(runID: identity.runID, sequence: order.sequence))
                #expect(row["run_id"] as String == identity.runID && row["bot_id"] as String == identity.botID && row["symbol"] as String == "TESTUSDT")
                #expect(row["role"] as String == order.role.rawValue && row["status"] as String == order.status.rawValue)
                #expect(row["qty"] as Double == order.quantity && row["fees"] as Double == order.fees && row["price"] as Double? == order.price)
                #expect(row["deal_id"] as Int? == order.deal && row["safety_order_index"] as Int? == order.safetyOrderIndex)
                #expect(row["created_at"] as String == UTCTime.iso8601(nanoseconds: candles.openTimes[order.createdBar]))
                #expect(row["filled_at"] as String? == order.filledBar.map { UTCTime.iso8601(nanoseconds: candles.openTimes[$0]) })
            }
            let deals = try Row.fetchAll(db, sql: "SELECT * FROM deals ORDER BY deal_id")
            #expect(deals.count == result.deals.count)
            for (row, deal) in zip(deals, result.deals) {
                #expect(row["deal_id"] as Int == deal.number && row["run_id"] as String == identity.runID)
                #expect(row["opened_at"] as String == UTCTime.iso8601(nanoseconds: candles.openTimes[deal.openedBar]))
                #expect(row["closed_at"] as String? == deal.closedBar.map { UTCTime.iso8601(nanoseconds: candles.openTimes[$0]) })
                #expect(row["close_reason"] as String? == deal.closeReason?.rawValue && row["realized_pnl"] as Double == deal.realizedPnL)
            }
        }
    }

    /// A sweep's batch is written by multi-row statements (256 rows, then 16, then 1): a batch of
    /// 301 runs, one of them given twice, leaves the same rows as writing its runs one at a time,
    /// and the run given twice is one run linked at its lower point.
    @Test func aBatchOfRunsLeavesTheRowsOfWritingThemOneByOne() throws {
        let sweepID = "00000000-0000-4000-8000-000000000001"
        let (small, _) = try SchemaTests.smallRun(feeRate: 0.001)
        let runs = try (0..<300).map { k in
            let configuration = try BotConfiguration.decode(json: Data("""
                {"symbol": "TESTUSDT", "initial_balance": 10000, "fee_rate": 0.001, "base_order_size": 100, "safety_order_size": 100,
                 "max_safety_orders": 2, "price_deviation": 0.05, "take_profit": \(0.01 + 0.0001 * Double(k))}
                """.utf8))
            let result = Backtester.run(configuration: configuration, candles: small.candles, recordEquity: false)
            return SweepRun(result: result, identity: RunIdentity(configuration: configuration, dataFingerprint: small.candles.fingerprint), wallSeconds: 0.5, point: k)
        }
        var twice = runs[7]
        twice.point = 300
        let batched = try RunStore(path: SchemaTests.temporaryDatabase())
        let single = try RunStore(path: SchemaTests.temporaryDatabase())
        for store in [batched, single] {
            try store.recordSweep(SweepRecord(id: sweepID, grid: "{}", baseConfig: "{}", dataFingerprint: "test", runs: 301, invalidPoints: "[]", createdAt: "2026-01-01T00:00:00.000Z"))
        }
        try batched.write(batch: [twice] + runs, orders: .all, sweepID: sweepID, executedAt: "2026-01-01T00:00:00.000Z")
        for run in runs {
            try single.write(batch: [run], orders: .all, sweepID: sweepID, executedAt: "2026-01-01T00:00:00.000Z")
        }
        let batchedRows = try batched.read { try SchemaTests.dump($0) }
        #expect(batchedRows == (try single.read { try SchemaTests.dump($0) }))
        #expect(batchedRows["bot_runs"]?.count == 300 && batchedRows["sweep_runs"]?.count == 300)
        let point = try batched.read { try Int.fetchOne($0, sql: "SELECT point FROM sweep_runs WHERE run_id = ?", arguments: [runs[7].identity.runID]) }
        #expect(point == 7)
    }
}

/// Engine v2's order role and close reason `close_condition` and the step of a take-profit step
/// order are stored (the migration `engine_v2_exit_roles_and_steps`).
@Suite struct EngineV2StorageTests {
    @Test func closeConditionRoleAndTakeProfitStepsAreStored() throws {
        let configuration = try BotConfiguration.decode(json: Data("""
            {"symbol": "TESTUSDT", "initial_balance": 1000, "base_order_size": 100, "max_safety_orders": 0, "fee_rate": 0,
             "take_profit_steps": [{"profit": 0.01, "fraction": 0.5}, {"profit": 0.5, "fraction": 0.5}],
             "close_conditions": [{"indicator": "price", "min": 102}], "max_deals": 1}
            """.utf8))
        // Base 1 @ 100; step 1 (0.5 @ 101) fills in bar 1; the close 103 is in the range: the
        // rest (0.5) is sold at bar 2's open 103 by the close condition.
        var candles = CandleSeries()
        for (i, bar) in [(100.0, 100.5, 99.5, 100.0), (100, 101.5, 99.8, 103), (103, 103.2, 102.5, 103)].enumerated() {
            candles.append(openTime: Int64(i) * 3_600_000_000_000 + 1_704_067_200_000_000_000, open: bar.0, high: bar.1, low: bar.2, close: bar.3, volume: 1)
        }
        let result = Backtester.run(configuration: configuration, candles: candles)
        let path = NSTemporaryDirectory() + "dca-engine-v2-\(UUID().uuidString)/runs.sqlite"
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let store = try RunStore(path: path)
        try store.write(result, identity: RunIdentity(configuration: configuration, dataFingerprint: "test"), executedAt: "2026-01-01T00:00:00.000Z", wallSeconds: 0)
        try store.read { db throws in
            let rows = try Row.fetchAll(db, sql: "SELECT role, take_profit_step, status, avg_price FROM order_logs ORDER BY sequence")
            #expect(rows.map { $0["role"] as String } == ["base", "take_profit", "take_profit", "close_condition"])
            #expect(rows.map { $0["take_profit_step"] as Int? } == [nil, 1, 2, nil])
            #expect(rows.map { $0["status"] as String } == ["filled", "filled", "cancelled", "filled"])
            #expect(rows.last?["avg_price"] as Double? == 103)
            #expect(try String.fetchOne(db, sql: "SELECT close_reason FROM deals") == "close_condition")
        }
    }
}

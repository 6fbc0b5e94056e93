import Backtesting
import DCAStrategy
import Foundation
import GRDB
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
        let configuration = try BotConfiguration.decode(json: Data("""
            {"symbol": "TESTUSDT", "initial_balance": 10000, "fee_rate": 0, "base_order_size": 100, "safety_order_size": 100,
             "max_safety_orders": 2, "price_deviation": 0.05, "safety_order_step_scale": 1, "safety_order_volume_scale": 1, "take_profit": 0.1}
            """.utf8))
        let candles = try CandleLoader.load(bytes: Array("""
            timestamp,open,high,low,close,volume
            2024-07-01T00:00:00Z,100,100.5,99.5,100,1
            2024-07-01T01:00:00Z,99,99.5,94,97,1
            2024-07-01T02:00:00Z,97,112,96,111,1
            """.utf8)).series
        let result = Backtester.run(configuration: configuration, candles: candles)
        let identity = RunIdentity(configuration: configuration, dataFingerprint: candles.fingerprint)
        try store.write(result, identity: identity, executedAt: "2026-01-01T00:00:00.000Z", wallSeconds: 0.01)
        return (store, identity)
    }

    @Test func tablesHaveThePlatformColumns() throws {
        let (store, _) = try Self.storedRun()
        let expected: [String: [String]] = [
            "bots": ["bot_id", "user_id", "name", "bot_type", "status", "symbol", "interval", "config", "required_capital", "max_position_size", "risk_per_trade", "created_at", "config_hash"],
            "bot_runs": ["run_id", "bot_id", "user_id", "status", "started_at", "ended_at", "total_trades", "total_pnl", "max_drawdown", "sharpe_ratio",
                         "data_fingerprint", "engine_version", "fill_model", "candles", "initial_balance", "final_equity", "realized_pnl", "fees_paid", "metrics", "sweep_id", "executed_at", "wall_seconds"],
            "order_logs": ["order_id", "bot_id", "run_id", "user_id", "symbol", "side", "qty", "order_type", "status", "filled_qty", "avg_price", "fees", "created_at",
                           "price", "filled_at", "deal_id", "role", "safety_order_index", "reason", "needed", "available"],
            "positions": ["user_id", "symbol", "qty", "avg_price", "current_price", "unrealized_pnl", "run_id"],
            "funds": ["user_id", "exchange", "currency", "free", "locked", "total", "run_id"],
            "holdings": ["user_id", "asset", "quantity", "run_id"],
            "deals": ["deal_id", "run_id", "symbol", "opened_at", "closed_at", "safety_orders_filled", "avg_entry", "qty", "realized_pnl", "fees", "close_reason"],
            "sweeps": ["sweep_id", "grid", "created_at", "runs"],
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
    ])
    func constraintRefusesAnInvalidValue(statement: String, what: String) throws {
        let (store, _) = try Self.storedRun()
        #expect(throws: DatabaseError.self, "\(what)") {
            try store.pool.write { db in try db.execute(sql: statement) }
        }
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
}

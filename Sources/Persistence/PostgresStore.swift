import Backtesting
import DCAStrategy
import Foundation
import GRDB
import MarketData
import PostgresNIO

/// The PostgreSQL store of runs: the same tables, columns, constraints and rules as the SQLite
/// ``RunStore`` (docs/SCHEMA.md), with PostgreSQL types. Opening applies the pending named
/// migrations (recorded in `dca_migrations`) and refuses a database a newer version wrote. Each
/// run (or sweep batch) is one transaction; orders and deals go in by `COPY ... FROM STDIN`.
public final class PostgresStore: RunDatabase, @unchecked Sendable {
    public let url: PostgresURL
    public var location: String { url.description }
    /// Fills `user_id` of every row written (`--user-id`), or NULL.
    let userID: String?
    let session: PostgresSession
    var logger: Logger { session.logger }

    /// Connects and migrates.
    /// - Throws: ``StorageError`` in one sentence (server unreachable, password refused, no such
    ///   database, a schema written by a newer dca-backtest, tables of another schema in the way).
    public init(url: PostgresURL, userID: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) throws(StorageError) {
        self.url = url
        self.userID = userID
        session = try PostgresSession(url: url, environment: environment)
        try call("migrating") { connection, logger in try await Self.migrate(connection, url: url, logger: logger) }
    }

    /// A key for `pg_advisory_xact_lock`: two processes opening one database migrate in turn.
    static let migrationLock: Int64 = 0x64_63_61_2D_6D_69_67  // "dca-mig"

    static func migrate(_ connection: PostgresConnection, url: PostgresURL, logger: Logger) async throws {
        try await transaction(connection, logger: logger) {
            try await connection.execute("SELECT pg_advisory_xact_lock(\(migrationLock))", logger: logger)
            try await connection.execute(PostgresSchema.migrationsTable, logger: logger)
            let applied = try await connection.rows("SELECT name FROM dca_migrations ORDER BY applied_at, name", logger: logger).compactMap { $0["name"].text }
            let known = PostgresSchema.migrationNames
            let unknown = applied.filter { !known.contains($0) }
            guard unknown.isEmpty else {
                throw StorageError("\(url) was written by a newer version of dca-backtest (it has migrations \(applied.joined(separator: ", ")); this version knows \(known.joined(separator: ", "))). Upgrade dca-backtest or use another --db.")
            }
            for (name, sql) in PostgresSchema.migrations where !applied.contains(name) {
                for statement in PostgresSchema.statements(sql) {
                    do {
                        try await connection.execute(statement, logger: logger)
                    } catch let error as PSQLError where error.serverInfo?[.sqlState] == "42P07" {
                        throw StorageError("\(url) already holds tables dca-backtest did not create (\(error.serverInfo?[.message] ?? "a table exists"); migration \(name) not recorded in dca_migrations): give the runs a database of their own.")
                    }
                }
                try await connection.execute("INSERT INTO dca_migrations (name) VALUES ($1)", [.text(name)], logger: logger)
            }
        }
    }

    /// Runs `body` in a transaction: COMMIT when it returns, ROLLBACK when it throws.
    static func transaction<T>(_ connection: PostgresConnection, logger: Logger, _ body: () async throws -> T) async throws -> T {
        try await connection.execute("BEGIN", logger: logger)
        do {
            let value = try await body()
            try await connection.execute("COMMIT", logger: logger)
            return value
        } catch {
            try? await connection.execute("ROLLBACK", logger: logger)
            throw error
        }
    }

    /// Runs `body` against the server and turns any failure into one sentence.
    func call<T: Sendable>(_ doing: String, _ body: @escaping @Sendable (PostgresConnection, Logger) async throws -> T) throws(StorageError) -> T {
        let logger = self.logger
        do {
            return try session.blocking { connection in try await body(connection, logger) }
        } catch let error as StorageError {
            throw error
        } catch {
            throw PostgresSession.explain(error, url: url, doing: doing)
        }
    }

    // MARK: Writing

    public func write(_ result: BacktestResult, identity: RunIdentity, orders detail: OrderDetail = .all, membership: RunMembership = .standalone, executedAt: String, wallSeconds: Double) throws(StorageError) {
        let items = [RunToStore(result: result, identity: identity, membership: membership, wallSeconds: wallSeconds)]
        let userID = userID
        try call("writing run \(identity.runID) to") { connection, logger in
            try await Self.transaction(connection, logger: logger) {
                try await Self.insert(items, detail: detail, executedAt: executedAt, userID: userID, connection: connection, logger: logger)
            }
        }
    }

    public func write(batch: [SweepRun], orders detail: OrderDetail, sweepID: String, executedAt: String) throws(StorageError) {
        let items = batch.map { RunToStore($0, sweepID: sweepID) }
        let userID = userID
        try call("writing a batch of \(batch.count) runs to") { connection, logger in
            try await Self.transaction(connection, logger: logger) {
                try await Self.insert(items, detail: detail, executedAt: executedAt, userID: userID, connection: connection, logger: logger)
            }
        }
    }

    /// The rows of `items` inside the caller's transaction, by the rules of ``RunStore``: a run
    /// already stored keeps its rows, gains the orders and deals it lacked (when `detail` is
    /// `.all`) and the new membership.
    static func insert(_ items: [RunToStore], detail: OrderDetail, executedAt: String, userID: String?, connection: PostgresConnection, logger: Logger) async throws {
        var detailed: [RunToStore] = []
        for item in items {
            let result = item.result, identity = item.identity
            let c = result.configuration
            let times = result.candles.openTimes
            let startedAt = times.first.map { UTCTime.iso8601(nanoseconds: $0) } ?? ""
            let endedAt = times.last.map { UTCTime.iso8601(nanoseconds: $0) } ?? ""
            let m = result.metrics
            let interval = m.intervalSeconds.map(RunStore.intervalName)
            try await connection.execute("""
                INSERT INTO bots (bot_id, user_id, name, bot_type, status, symbol, interval, config, required_capital,
                                  max_position_size, risk_per_trade, created_at, config_hash)
                VALUES ($1::uuid, $2::uuid, $3, 'dca', 'backtest', $4, $5, $6::jsonb, $7, $8, NULL, $9::timestamptz, $10)
                ON CONFLICT DO NOTHING
                """, [.text(identity.botID), .text(userID), .text(c.name), .text(c.symbol), .text(interval), .text(identity.canonicalConfiguration),
                      .real(c.requiredCapital), .real(c.requiredCapital), .text(startedAt), .text(identity.configHash)], logger: logger)
            let metricsJSON = item.metricsJSON
            let inserted = try await connection.rows("""
                INSERT INTO bot_runs (run_id, bot_id, user_id, status, started_at, ended_at, total_trades, total_pnl, max_drawdown,
                    sharpe_ratio, data_fingerprint, engine_version, fill_model, candles, initial_balance, final_equity, realized_pnl,
                    fees_paid, metrics, standalone, error, executed_at, wall_seconds)
                VALUES ($1::uuid, $2::uuid, $3::uuid, 'completed', $4::timestamptz, $5::timestamptz, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                    $18::jsonb, $19, NULL, $20::timestamptz, $21)
                ON CONFLICT (run_id) DO NOTHING RETURNING 1 AS inserted
                """, [.text(identity.runID), .text(identity.botID), .text(userID), .text(startedAt), .text(endedAt), .integer(m.totalTrades), .real(m.totalPnL),
                      .real(m.maxDrawdown), .real(m.sharpeRatio), .text(identity.dataFingerprint), .text(engineVersion), .text(c.fillModel.rawValue),
                      .integer(m.candles), .real(m.initialBalance), .real(m.finalEquity), .real(m.realizedPnL), .real(m.feesPaid), .text(metricsJSON),
                      .bool(item.membership == .standalone), .text(executedAt), .real(item.wallSeconds)], logger: logger)
            guard !inserted.isEmpty else {
                // Stored before (by `run`, a sweep, a merge or another process that committed
                // first): lock its row, then look for its orders in a snapshot taken after the lock.
                let stored = try await connection.rows("SELECT standalone FROM bot_runs WHERE run_id = $1::uuid FOR UPDATE", [.text(identity.runID)], logger: logger)
                let hasOrders = try await connection.rows("SELECT EXISTS (SELECT 1 FROM order_logs WHERE run_id = $1::uuid) AS has", [.text(identity.runID)], logger: logger)
                if detail == .all, hasOrders.first?["has"].integer != 1 { detailed.append(item) }
                try await addMembership(item.membership, runID: identity.runID, alreadyStandalone: stored.first?["standalone"].integer == 1, connection: connection, logger: logger)
                // A run stored before symbol_results existed gains its rows (kept when present).
                try await insertSymbolResults(result, runID: identity.runID, userID: userID, connection: connection, logger: logger)
                continue
            }
            try await addMembership(item.membership, runID: identity.runID, alreadyStandalone: item.membership == .standalone, connection: connection, logger: logger)
            if detail == .all { detailed.append(item) }
            let end = RunEndState(result)
            for position in end.positions {
                try await connection.execute(
                    "INSERT INTO positions (run_id, user_id, symbol, qty, avg_price, current_price, unrealized_pnl) VALUES ($1::uuid, $2::uuid, $3, $4, $5, $6, $7)",
                    [.text(identity.runID), .text(userID), .text(position.symbol), .real(position.quantity), .real(position.averageEntry), .real(position.lastClose),
                     .real(position.unrealizedPnL)], logger: logger)
            }
            for balance in end.balances {
                try await connection.execute("""
                    INSERT INTO funds (run_id, user_id, exchange, currency, free, locked, total)
                    VALUES ($1::uuid, $2::uuid, 'paper_trading', $3, $4, $5, $6)
                    """, [.text(identity.runID), .text(userID), .text(balance.currency), .real(balance.free), .real(balance.locked), .real(balance.total)], logger: logger)
                try await connection.execute(
                    "INSERT INTO holdings (run_id, user_id, asset, quantity) VALUES ($1::uuid, $2::uuid, $3, $4)",
                    [.text(identity.runID), .text(userID), .text(balance.currency), .real(balance.total)], logger: logger)
            }
            try await insertSymbolResults(result, runID: identity.runID, userID: userID, connection: connection, logger: logger)
        }
        try await copyDetails(detailed, userID: userID, connection: connection, logger: logger)
    }

    /// The run's `symbol_results` rows (``SymbolResults``); rows already stored are kept.
    static func insertSymbolResults(_ result: BacktestResult, runID: String, userID: String?, connection: PostgresConnection, logger: Logger) async throws {
        for row in SymbolResults(result).rows {
            try await connection.execute(SymbolResults.postgresInsert, [
                .text(runID), .text(userID), .text(row.symbol), .integer(row.order), .integer(row.candles), .integer(row.dealsOpened),
                .integer(row.dealsClosed), .real(row.winRate), .real(row.realizedPnL), .real(row.fees), .real(row.maxCapitalInUse),
                .integer(row.filledOrders), .integer(row.rejectedOrders), .real(row.buyAndHoldReturn),
            ], logger: logger)
        }
    }

    /// The deals, then the orders (which reference them), of `items` by two `COPY`s.
    static func copyDetails(_ runs: [RunToStore], userID: String?, connection: PostgresConnection, logger: Logger) async throws {
        guard !runs.isEmpty else { return }
        // Each row carries its own symbol: a multi-pair run is copied symbol by symbol (its deal
        // ids and sequences are the run's), as the SQLite store writes it.
        let items = runs.flatMap { run in RunEndState.symbolParts(run.result).map { (result: $0.result, identity: run.identity, symbol: $0.symbol) } }
        if items.contains(where: { !$0.result.deals.isEmpty }) {
            var run = 0
            try await connection.copy(into: "deals", columns: PostgresRunRows.dealColumns, logger: logger) { text in
                guard run < items.count else { return false }
                PostgresRunRows.appendDeals(items[run].result, identity: items[run].identity, symbol: items[run].symbol, to: &text)
                run += 1
                return true
            }
        }
        var run = 0, next = 0
        let rowsPerStep = 1024
        try await connection.copy(into: "order_logs", columns: PostgresRunRows.orderColumns, logger: logger) { text in
            while run < items.count, next >= items[run].result.orders.count { run += 1; next = 0 }
            guard run < items.count else { return false }
            let item = items[run]
            let end = min(next + rowsPerStep, item.result.orders.count)
            PostgresRunRows.appendOrders(item.result, identity: item.identity, symbol: item.symbol, userID: userID, range: next..<end, to: &text)
            next = end
            return true
        }
    }

    static func addMembership(_ membership: RunMembership, runID: String, alreadyStandalone: Bool, connection: PostgresConnection, logger: Logger) async throws {
        switch membership {
        case .standalone where !alreadyStandalone:
            try await connection.execute("UPDATE bot_runs SET standalone = true WHERE run_id = $1::uuid", [.text(runID)], logger: logger)
        case .standalone:
            break
        case .sweep(let sweepID, let point):
            // The link keeps the lowest grid point that is this run.
            try await connection.execute("""
                INSERT INTO sweep_runs (sweep_id, run_id, point) VALUES ($1::uuid, $2::uuid, $3)
                ON CONFLICT (sweep_id, run_id) DO UPDATE SET point = excluded.point WHERE excluded.point < sweep_runs.point OR sweep_runs.point IS NULL
                """, [.text(sweepID), .text(runID), .integer(point)], logger: logger)
        }
    }

    public func recordSweep(_ sweep: SweepRecord) throws(StorageError) {
        try call("recording sweep \(sweep.id) in") { connection, logger in
            try await connection.execute("""
                INSERT INTO sweeps (sweep_id, grid, created_at, runs, base_config, data_fingerprint, engine_version, invalid_points, orders, objective)
                VALUES ($1::uuid, $2::jsonb, $3::timestamptz, $4, $5::jsonb, $6, $7, $8::jsonb, $9, $10)
                ON CONFLICT (sweep_id) DO UPDATE SET runs = excluded.runs, invalid_points = excluded.invalid_points,
                    orders = excluded.orders, objective = excluded.objective
                """, [.text(sweep.id), .text(sweep.grid), .text(sweep.createdAt), .integer(sweep.runs), .text(sweep.baseConfig), .text(sweep.dataFingerprint),
                      .text(engineVersion), .text(sweep.invalidPoints), .text(sweep.orders), .text(sweep.objective)], logger: logger)
        }
    }

    public func link(_ links: [(runID: String, point: Int)], toSweep sweepID: String) throws(StorageError) {
        let links = links.map { ($0.runID, $0.point) }
        try call("linking \(links.count) stored runs to sweep \(sweepID) in") { connection, logger in
            try await Self.transaction(connection, logger: logger) {
                for (runID, point) in links {
                    try await Self.addMembership(.sweep(sweepID, point: point), runID: runID, alreadyStandalone: true, connection: connection, logger: logger)
                }
            }
        }
    }

    // MARK: Reading

    /// Ids among `ids` that are UUIDs (anything else cannot be stored here).
    static func uuids(_ ids: [String]) -> [String] {
        ids.filter { UUID(uuidString: $0) != nil }.map { $0.lowercased() }
    }

    public func storedRunIDs(among runIDs: [String], detail: OrderDetail = .none) throws(StorageError) -> Set<String> {
        let ids = Self.uuids(runIDs)
        guard !ids.isEmpty else { return [] }
        let rows = try call("reading") { connection, logger in
            try await connection.rows(
                "SELECT run_id FROM bot_runs WHERE run_id = ANY($1::text[]::uuid[]) AND status = 'completed'" + RunStore.storedWith(detail),
                [.texts(ids)], logger: logger)
        }
        return Set(rows.compactMap { $0["run_id"].text })
    }

    public func sweeps() throws(StorageError) -> [SweepRecord] {
        try call("reading") { connection, logger in
            try await connection.rows("SELECT * FROM sweeps ORDER BY sweep_id", logger: logger)
        }.map { row in
            SweepRecord(id: row["sweep_id"].text ?? "", grid: row["grid"].text ?? "{}", baseConfig: row["base_config"].text ?? "{}",
                        dataFingerprint: row["data_fingerprint"].text ?? "", runs: row["runs"].integer ?? 0, invalidPoints: row["invalid_points"].text ?? "[]",
                        createdAt: row["created_at"].text ?? "", orders: row["orders"].text, objective: row["objective"].text)
        }
    }

    public func members(ofSweep sweepID: String) throws(StorageError) -> [(runID: String, point: Int?)] {
        guard UUID(uuidString: sweepID) != nil else { return [] }
        return try call("reading") { connection, logger in
            try await connection.rows("SELECT run_id, point FROM sweep_runs WHERE sweep_id = $1::uuid ORDER BY point NULLS FIRST, run_id", [.text(sweepID)], logger: logger)
        }.map { ($0["run_id"].text ?? "", $0["point"].integer) }
    }

    public func configuration(ofRun runID: String) throws(StorageError) -> (config: String, dataFingerprint: String)? {
        guard UUID(uuidString: runID) != nil else { return nil }
        return try call("reading") { connection, logger in
            try await connection.rows("SELECT b.config, r.data_fingerprint FROM bot_runs r JOIN bots b ON b.bot_id = r.bot_id WHERE r.run_id = $1::uuid", [.text(runID)], logger: logger)
        }.first.map { ($0["config"].text ?? "{}", $0["data_fingerprint"].text ?? "") }
    }

    public func metrics(runIDs: [String]) throws(StorageError) -> [String: [String: Double]] {
        let ids = Self.uuids(runIDs)
        guard !ids.isEmpty else { return [:] }
        let rows = try call("reading") { connection, logger in
            try await connection.rows("SELECT run_id, metrics FROM bot_runs WHERE run_id = ANY($1::text[]::uuid[])", [.texts(ids)], logger: logger)
        }
        var out: [String: [String: Double]] = [:]
        for row in rows { if let id = row["run_id"].text, let text = row["metrics"].text { out[id] = RunStore.numericMetrics(text) } }
        return out
    }

    public func listRuns(_ filter: RunFilter) throws(StorageError) -> [RunListing] {
        var conditions: [String] = []
        var binds: [PostgresBind] = []
        func parameter(_ value: PostgresBind) -> String { binds.append(value); return "$\(binds.count)" }
        if let bot = filter.bot { let p = parameter(.text(bot.lowercased())); conditions.append("left(s.bot_id::text, length(\(p))) = \(p)") }
        if let symbol = filter.symbol {
            conditions.append("strpos(',' || upper(s.symbols) || ',', ',' || \(parameter(.text(symbol.uppercased()))) || ',') > 0")
        }
        if let sweep = filter.sweep {
            let p = parameter(.text(sweep.lowercased()))
            conditions.append("EXISTS (SELECT 1 FROM sweep_runs l WHERE l.run_id = s.run_id AND left(l.sweep_id::text, length(\(p))) = \(p))")
        } else if !filter.includeSweepPoints {
            conditions.append("s.standalone")
        }
        let sql = "SELECT * FROM run_summary s" + (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "))
            + " ORDER BY " + RunStore.orderBy(filter.sort, alias: "s") + (filter.limit.map { " LIMIT \($0)" } ?? "")
        let arguments = binds
        return try call("reading") { connection, logger in try await connection.rows(sql, arguments, logger: logger) }.map { RunListing(row: $0) }
    }

    public func lookUp(runIDPrefix prefix: String) throws(StorageError) -> RunLookup {
        let prefix = prefix.lowercased()
        return try call("reading") { connection, logger -> RunLookup in
            let matches = try await connection.rows(
                "SELECT r.*, b.name, b.symbol, b.config FROM bot_runs r JOIN bots b ON b.bot_id = r.bot_id WHERE left(r.run_id::text, length($1)) = $1 LIMIT 2",
                [.text(prefix)], logger: logger)
            guard matches.count == 1, let run = matches.first, let id = run["run_id"].text else { return matches.isEmpty ? .none : .ambiguous(matches.count) }
            let deals = try await connection.rows("SELECT * FROM deals WHERE run_id = $1::uuid ORDER BY deal_id", [.text(id)], logger: logger)
            let orders = try await connection.rows("SELECT * FROM order_logs WHERE run_id = $1::uuid ORDER BY sequence", [.text(id)], logger: logger)
            let symbols = try await connection.rows("SELECT * FROM symbol_results WHERE run_id = $1::uuid ORDER BY symbol_order", [.text(id)], logger: logger)
            return .found(RunDetail(run: run, deals: deals, orders: orders, symbols: symbols))
        }
    }

    public func count(_ table: String) throws(StorageError) -> Int {
        guard Schema.tables.contains(table) || table == "run_summary" else { throw StorageError("no table \(table) in \(location).") }
        return try call("reading") { connection, logger in
            try await connection.rows("SELECT COUNT(*) AS n FROM \(table)", logger: logger)
        }.first?["n"].integer ?? 0
    }

    /// Every row of `table` in column order, ordered by every column (tests).
    public func rows(of table: String) throws(StorageError) -> [StoredRow] {
        guard Schema.tables.contains(table) else { throw StorageError("no table \(table) in \(location).") }
        return try call("reading") { connection, logger in
            let columns = try await connection.rows(
                "SELECT count(*) AS n FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1", [.text(table)], logger: logger)
            let count = columns.first?["n"].integer ?? 1
            return try await connection.rows("SELECT * FROM \(table) ORDER BY \((1...max(count, 1)).map(String.init).joined(separator: ", "))", logger: logger)
        }
    }

    // MARK: Deleting and merging

    public func delete(runIDs: [String]) throws(StorageError) -> [String] {
        let ids = Self.uuids(runIDs)
        guard !ids.isEmpty else { return [] }
        let deleted = try call("deleting runs from") { connection, logger in
            try await Self.transaction(connection, logger: logger) {
                let rows = try await connection.rows("DELETE FROM bot_runs WHERE run_id = ANY($1::text[]::uuid[]) RETURNING run_id", [.texts(ids)], logger: logger)
                try await connection.execute("DELETE FROM bots WHERE NOT EXISTS (SELECT 1 FROM bot_runs r WHERE r.bot_id = bots.bot_id)", logger: logger)
                return rows.compactMap { $0["run_id"].text }
            }
        }
        // In the order asked, as RunStore returns them.
        let found = Set(deleted)
        return ids.filter { found.contains($0) }.uniquedInOrder()
    }

    /// Copies every row of the SQLite databases at `paths` in, in one transaction: each table
    /// of each shard goes by `COPY` into a temporary table, then into the real one with
    /// `ON CONFLICT DO NOTHING`, so rows already here are kept; a link keeps the lowest grid
    /// point, and a run stored by `run` in a shard stands alone here too. A shard's rows are read
    /// `pageRows` at a time as the `COPY` goes (``RunStore/rows(of:afterRowID:limit:)``), so
    /// memory stays flat whatever the shards hold.
    public func merge(paths: [String]) throws(StorageError) {
        try merge(paths: paths, pageRows: 1024)
    }

    func merge(paths: [String], pageRows: Int) throws(StorageError) {
        // Every shard opens (an older one is migrated) before anything is written.
        var shards: [RunStore] = []
        for path in paths { shards.append(try RunStore(path: path)) }
        let opened = shards
        try call("merging into") { connection, logger in
            try await Self.transaction(connection, logger: logger) {
                for shard in opened {
                    for table in Schema.tables {
                        let columns = try shard.columns(of: table)
                        let stage = "merge_\(table)"
                        try await connection.execute("CREATE TEMPORARY TABLE \(stage) (LIKE \(table) INCLUDING DEFAULTS) ON COMMIT DROP", logger: logger)
                        var after = Int64.min
                        var failure: StorageError?
                        try await connection.copy(into: stage, columns: columns, logger: logger) { text in
                            do throws(StorageError) {
                                let page = try shard.rows(of: table, afterRowID: after, limit: pageRows)
                                guard let last = page.lastRowID else { return false }
                                for row in page.rows { text.row(row.values) }
                                after = last
                                return true
                            } catch {
                                failure = error
                                return false
                            }
                        }
                        if let failure { throw failure }
                        let list = columns.joined(separator: ", ")
                        try await connection.execute("INSERT INTO \(table) (\(list)) SELECT \(list) FROM \(stage) ON CONFLICT DO NOTHING", logger: logger)
                    }
                    try await connection.execute("""
                        UPDATE sweep_runs m SET point = s.point FROM merge_sweep_runs s
                        WHERE m.sweep_id = s.sweep_id AND m.run_id = s.run_id AND s.point IS NOT NULL AND (m.point IS NULL OR s.point < m.point)
                        """, logger: logger)
                    try await connection.execute(
                        "UPDATE bot_runs SET standalone = true WHERE NOT standalone AND run_id IN (SELECT run_id FROM merge_bot_runs WHERE standalone)", logger: logger)
                    for table in Schema.tables { try await connection.execute("DROP TABLE merge_\(table)", logger: logger) }
                }
            }
        }
    }
}

extension RunStore {
    /// Column names of `table` in order.
    func columns(of table: String) throws(StorageError) -> [String] {
        try reading { db in try String.fetchAll(db, sql: "SELECT name FROM pragma_table_info(?)", arguments: [table]) }
    }

    /// Up to `limit` rows of `table` (one of ``Schema/tables``) whose SQLite row id is above
    /// `rowID`, in row-id order, with their values in the columns' order; and the last row's id
    /// (`nil` when none is left), to ask for the next page with.
    func rows(of table: String, afterRowID rowID: Int64, limit: Int) throws(StorageError) -> (rows: [StoredRow], lastRowID: Int64?) {
        precondition(Schema.tables.contains(table), "not a table of the schema: \(table)")
        return try reading { db in
            let fetched = try Row.fetchAll(db, sql: "SELECT rowid AS merge_row_id, * FROM \(table) WHERE rowid > ? ORDER BY rowid LIMIT ?", arguments: [rowID, limit])
            let rows = fetched.map { row in
                StoredRow(columns: Array(row.columnNames.dropFirst()), values: row.databaseValues.dropFirst().map(Self.storedValue))
            }
            return (rows, fetched.last.map { $0["merge_row_id"] as Int64 })
        }
    }
}

extension Array where Element: Hashable {
    fileprivate func uniquedInOrder() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}

extension PostgresSchema {
    /// The statements of a migration's SQL (separated by `;` at the end of a line).
    static func statements(_ sql: String) -> [String] {
        sql.components(separatedBy: ";\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
            .map { $0.hasSuffix(";") ? String($0.dropLast()) : $0 }
    }
}

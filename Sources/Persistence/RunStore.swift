import Backtesting
import DCAStrategy
import Foundation
import GRDB
import MarketData

/// A storage failure: the database cannot be opened, is newer than this program, or a write
/// failed (and was rolled back).
public struct StorageError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// What identifies a stored run and where it came from.
public struct RunIdentity: Sendable, Equatable {
    /// UUID from the canonical configuration.
    public var botID: String
    /// UUID from the bot id, the data fingerprint, the fill model and the engine version.
    public var runID: String
    public var configHash: String
    public var dataFingerprint: String
    /// The canonical configuration text (stored in `bots.config`).
    public var canonicalConfiguration: String

    /// Derives the ids of a backtest of `configuration` on candles with `dataFingerprint`.
    public init(configuration: BotConfiguration, dataFingerprint: String) {
        let canonical = configuration.canonicalJSON.text()
        canonicalConfiguration = canonical
        configHash = ContentIdentifier.sha256Hex(canonical)
        botID = ContentIdentifier.uuid(of: "bot|" + canonical)
        runID = ContentIdentifier.uuid(of: "run|\(botID)|\(dataFingerprint)|\(configuration.fillModel.rawValue)|\(engineVersion)")
        self.dataFingerprint = dataFingerprint
    }
}

/// Which detail rows a run stores (`--orders`): `all` its `order_logs` and `deals` rows; `none`
/// only the run's `bot_runs` row (with every metric) and its final `positions`, `funds` and
/// `holdings`, for large sweeps whose details nobody reads.
public enum OrderDetail: String, Sendable, CaseIterable {
    case all
    case none
}

/// The SQLite store of runs (docs/SCHEMA.md). Opening migrates an older database; a newer one is
/// refused. Each run is written in one transaction: all of its rows or none.
public final class RunStore: Sendable {
    public let path: String
    let pool: DatabasePool

    /// Page size of a new database, in bytes (an existing one keeps its own). An order row is
    /// about 260 bytes; against SQLite's default 4 KiB, 32 KiB pages cut the b-tree and
    /// checkpoint work of a bulk write (measured on 582,205 order_logs rows: 203K to 250-267K
    /// rows/s) and still read one run's rows in few pages.
    static let pageSize = 32768

    /// Opens (creating if needed, with its folder) the database at `path` in WAL mode and
    /// applies pending migrations.
    /// - Throws: ``StorageError`` when `path` is a folder, the file is not a database, cannot
    ///   be created, or was written by a newer version of this program.
    public init(path: String) throws(StorageError) {
        self.path = path
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
            throw StorageError("\(path) is a folder, not a database file: give a file path such as \((path as NSString).appendingPathComponent("backtests.sqlite")).")
        }
        let folder = (path as NSString).deletingLastPathComponent
        // The nearest existing ancestor must be a folder (not `notes.txt` in `notes.txt/x.sqlite`).
        var ancestor = folder
        while !ancestor.isEmpty, ancestor != "/", !FileManager.default.fileExists(atPath: ancestor) {
            ancestor = (ancestor as NSString).deletingLastPathComponent
        }
        if !ancestor.isEmpty, FileManager.default.fileExists(atPath: ancestor, isDirectory: &isFolder), !isFolder.boolValue {
            throw StorageError("cannot create the database \(path): \(ancestor) is a file, not a folder.")
        }
        if !folder.isEmpty {
            try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        do {
            var configuration = Configuration()
            configuration.busyMode = .timeout(30)
            // WAL with synchronous=NORMAL: a commit is atomic and survives a killed process
            // (the WAL is in the OS's page cache); only a power cut may lose the last commits,
            // never corrupt the file. FULL would fsync the whole WAL at every run.
            configuration.prepareDatabase { db in
                try db.execute(sql: "PRAGMA page_size = \(RunStore.pageSize)")
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
            }
            pool = try DatabasePool(path: path, configuration: configuration)
            let migrator = Schema.migrator
            if try pool.read({ try migrator.hasBeenSuperseded($0) }) {
                let applied = try pool.read { try migrator.appliedIdentifiers($0) }
                throw StorageError("\(path) was written by a newer version of dca-backtest (it has migrations \(applied.sorted().joined(separator: ", ")); this version knows \(Schema.migrationNames.joined(separator: ", "))). Upgrade dca-backtest or use another --db.")
            }
            try migrator.migrate(pool)
        } catch let error as StorageError {
            throw error
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB {
            throw StorageError("\(path) is not an SQLite database (another kind of file, or damaged): give the path of a dca-backtest database, or a new file.")
        } catch let error as DatabaseError {
            throw StorageError("cannot open the database \(path): \(error.message ?? "\(error)") (SQLite error \(error.resultCode.rawValue)).")
        } catch {
            throw StorageError("cannot open the database \(path): \(error)")
        }
    }

    /// Writes one run and its bot, orders, deals, final position, funds and holdings in one
    /// transaction; an earlier run with the same `run_id` is replaced (its rows deleted first).
    /// - Parameters:
    ///   - executedAt: wall-clock time of the run (ISO-8601), outside the determinism promise.
    ///   - wallSeconds: how long the run took.
    /// - Throws: ``StorageError``; nothing of the run is written then.
    public func write(
        _ result: BacktestResult, identity: RunIdentity, orders detail: OrderDetail = .all, sweepID: String? = nil,
        executedAt: String, wallSeconds: Double
    ) throws(StorageError) {
        do {
            try pool.write { db in
                try Self.insert(result, identity: identity, detail: detail, sweepID: sweepID, executedAt: executedAt, wallSeconds: wallSeconds, db: db)
            }
        } catch {
            throw StorageError("writing run \(identity.runID) to \(path) failed and was rolled back: \(error)")
        }
    }

    /// Writes several runs in one transaction (a sweep's batch): all of them or none.
    /// - Throws: ``StorageError``; nothing of the batch is written then.
    public func write(
        batch: [(result: BacktestResult, identity: RunIdentity, wallSeconds: Double)], orders detail: OrderDetail, sweepID: String?, executedAt: String
    ) throws(StorageError) {
        do {
            try pool.write { db in
                for item in batch {
                    try Self.insert(item.result, identity: item.identity, detail: detail, sweepID: sweepID, executedAt: executedAt, wallSeconds: item.wallSeconds, db: db)
                }
            }
        } catch {
            throw StorageError("writing a batch of \(batch.count) runs to \(path) failed and was rolled back: \(error)")
        }
    }

    /// Records a sweep (replacing an earlier row with the same id).
    public func recordSweep(id: String, grid: String, baseConfig: String, dataFingerprint: String, runs: Int, invalidPoints: String, createdAt: String) throws(StorageError) {
        do {
            try pool.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO sweeps (sweep_id, grid, created_at, runs, base_config, data_fingerprint, engine_version, invalid_points)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT(sweep_id) DO UPDATE SET runs = excluded.runs, invalid_points = excluded.invalid_points
                        """,
                    arguments: [id, grid, createdAt, runs, baseConfig, dataFingerprint, engineVersion, invalidPoints]
                )
            }
        } catch {
            throw StorageError("recording sweep \(id) in \(path) failed: \(error)")
        }
    }

    /// SQL condition on `bot_runs` for a run stored with at least `detail`: every run places at
    /// least its base order (logged even when rejected), so a run stored with `.all` has
    /// order_logs rows and one stored with `.none` has none.
    static func storedWith(_ detail: OrderDetail) -> String {
        detail == .all ? " AND EXISTS (SELECT 1 FROM order_logs o WHERE o.run_id = bot_runs.run_id)" : ""
    }

    /// Ids of the completed runs stored for `sweepID` with at least `detail` (to resume a sweep:
    /// a run stored with `--orders none` is run again when orders are now wanted).
    public func completedRunIDs(sweepID: String, detail: OrderDetail = .none) throws -> Set<String> {
        try pool.read { db in
            Set(try String.fetchAll(db, sql: "SELECT run_id FROM bot_runs WHERE sweep_id = ? AND status = 'completed'" + Self.storedWith(detail), arguments: [sweepID]))
        }
    }

    /// Copies every row of the databases at `paths` (shards of one sweep, or any runs) into this
    /// one, in one transaction; rows already here (same keys) are kept.
    /// - Throws: ``StorageError`` naming the shard that could not be merged; nothing is merged then.
    public func merge(paths: [String]) throws(StorageError) {
        do {
            for path in paths {
                // Opening migrates an older shard to this schema first.
                _ = try RunStore(path: path)
            }
            try pool.writeWithoutTransaction { db in
                try db.inTransaction {
                    for (k, path) in paths.enumerated() {
                        try db.execute(sql: "ATTACH DATABASE ? AS shard\(k)", arguments: [path])
                    }
                    for table in ["sweeps", "bots", "bot_runs", "deals", "order_logs", "positions", "funds", "holdings"] {
                        let columns = try Row.fetchAll(db, sql: "PRAGMA main.table_info(\(table))").map { $0["name"] as String }.joined(separator: ", ")
                        for k in paths.indices {
                            try db.execute(sql: "INSERT OR IGNORE INTO main.\(table) (\(columns)) SELECT \(columns) FROM shard\(k).\(table)")
                        }
                    }
                    return .commit
                }
                for k in paths.indices { try db.execute(sql: "DETACH DATABASE shard\(k)") }
            }
        } catch let error as StorageError {
            throw error
        } catch {
            throw StorageError("merging into \(path) failed and was rolled back: \(error)")
        }
    }

    /// True when a completed run with this id is stored with at least `detail` (its order rows
    /// when `detail` is `.all`).
    public func contains(runID: String, detail: OrderDetail = .none) throws -> Bool {
        try pool.read { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM bot_runs WHERE run_id = ? AND status = 'completed'" + Self.storedWith(detail) + ")", arguments: [runID]) ?? false
        }
    }

    /// Runs a read-only closure on the database (queries of `runs list/show`, tests).
    public func read<T>(_ body: (Database) throws -> T) throws -> T {
        try pool.read(body)
    }

    static func insert(
        _ result: BacktestResult, identity: RunIdentity, detail: OrderDetail, sweepID: String?, executedAt: String, wallSeconds: Double,
        db: Database
    ) throws {
        let c = result.configuration
        let times = result.candles.openTimes
        func time(_ bar: Int?) -> String? { bar.map { UTCTime.iso8601(nanoseconds: times[$0]) } }
        let startedAt = times.first.map { UTCTime.iso8601(nanoseconds: $0) } ?? ""
        let endedAt = times.last.map { UTCTime.iso8601(nanoseconds: $0) } ?? ""
        let m = result.metrics
        let interval = m.intervalSeconds.map(Self.intervalName)

        try db.cachedStatement(sql: """
                INSERT INTO bots (bot_id, user_id, name, bot_type, status, symbol, interval, config, required_capital,
                                  max_position_size, risk_per_trade, created_at, config_hash)
                VALUES (?, NULL, ?, 'dca', 'backtest', ?, ?, ?, ?, ?, NULL, ?, ?)
                ON CONFLICT(bot_id) DO NOTHING
                """).execute(
            arguments: [identity.botID, c.name, c.symbol, interval, identity.canonicalConfiguration, c.requiredCapital, c.requiredCapital, startedAt, identity.configHash]
        )
        try db.cachedStatement(sql: "DELETE FROM bot_runs WHERE run_id = ?").execute(arguments: [identity.runID])
        let metricsJSON = JSONValue.object(m.jsonPairs).text()
        try db.cachedStatement(sql: """
                INSERT INTO bot_runs (run_id, bot_id, user_id, status, started_at, ended_at, total_trades, total_pnl, max_drawdown,
                    sharpe_ratio, data_fingerprint, engine_version, fill_model, candles, initial_balance, final_equity, realized_pnl,
                    fees_paid, metrics, sweep_id, error, executed_at, wall_seconds)
                VALUES (?, ?, NULL, 'completed', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)
                """).execute(
            arguments: [
                identity.runID, identity.botID, startedAt, endedAt, m.totalTrades, m.totalPnL, m.maxDrawdown, m.sharpeRatio,
                identity.dataFingerprint, engineVersion, c.fillModel.rawValue, m.candles, m.initialBalance, m.finalEquity,
                m.realizedPnL, m.feesPaid, metricsJSON, sweepID, executedAt, wallSeconds,
            ]
        )
        if detail == .all {
            try RunRowsWriter.insertDeals(result, identity: identity, symbol: c.symbol, db: db)
        }
        if detail == .all {
            try RunRowsWriter.insertOrders(result, identity: identity, symbol: c.symbol, db: db)
        }
        let lastClose = result.candles.closes.last ?? 0
        let open = result.openDeal
        let heldQuantity = open?.quantity ?? 0
        let averageEntry = open?.averageEntry
        try db.cachedStatement(sql: "INSERT INTO positions (run_id, user_id, symbol, qty, avg_price, current_price, unrealized_pnl) VALUES (?, NULL, ?, ?, ?, ?, ?)").execute(
            arguments: [identity.runID, c.symbol, heldQuantity, averageEntry, lastClose, averageEntry.map { (lastClose - $0) * heldQuantity } ?? 0]
        )
        let baseAsset = Self.baseAsset(symbol: c.symbol, quote: c.quoteCurrency)
        for (currency, free, locked) in [(c.quoteCurrency, result.quoteFree, result.quoteLocked), (baseAsset, result.baseFree, result.baseLocked)] {
            try db.cachedStatement(sql: "INSERT INTO funds (run_id, user_id, exchange, currency, free, locked, total) VALUES (?, NULL, 'paper_trading', ?, ?, ?, ?)").execute(
                arguments: [identity.runID, currency, max(0, free), max(0, locked), max(0, free) + max(0, locked)]
            )
            try db.cachedStatement(sql: "INSERT INTO holdings (run_id, user_id, asset, quantity) VALUES (?, NULL, ?, ?)").execute(
                arguments: [identity.runID, currency, max(0, free) + max(0, locked)]
            )
        }
    }

    /// `BTC` of `BTCUSDT` with quote `USDT`; the symbol itself when it does not end in the quote.
    public static func baseAsset(symbol: String, quote: String) -> String {
        symbol.uppercased().hasSuffix(quote.uppercased()) && symbol.count > quote.count ? String(symbol.dropLast(quote.count)) : symbol
    }

    /// `1m`, `1h`, `1d`, `30m`, or seconds as `90s`.
    public static func intervalName(seconds: Double) -> String {
        let s = Int(seconds)
        if s % 604_800 == 0 { return "\(s / 604_800)w" }
        if s % 86_400 == 0 { return "\(s / 86_400)d" }
        if s % 3_600 == 0 { return "\(s / 3_600)h" }
        if s % 60 == 0 { return "\(s / 60)m" }
        return "\(s)s"
    }
}

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

/// How a stored run was asked for: by `run` (it stands alone, shown by `runs list`) or as a
/// point of a sweep (a `sweep_runs` link). A run gains memberships and never loses one.
public enum RunMembership: Sendable, Equatable {
    case standalone
    /// A sweep's id and the first grid point this run is (NULL when not known).
    case sweep(String, point: Int? = nil)
}

/// The SQLite store of runs (docs/SCHEMA.md). Opening migrates an older database; a newer one is
/// refused. Each run is written in one transaction: all of its rows or none.
public final class RunStore: RunDatabase, Sendable {
    public let path: String
    public var location: String { path }
    /// Fills `user_id` of every row written (`--user-id`), or NULL.
    let userID: String?
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
    public init(path: String, userID: String? = nil) throws(StorageError) {
        self.path = path
        self.userID = userID
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
        try DatabaseHealth.requireWritableFolder(for: path)
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
            throw DatabaseHealth.explain(error, path: path, doing: "opening")
        } catch {
            throw StorageError("cannot open the database \(path): \(error)")
        }
    }

    /// Writes one run and its bot, orders, deals, final position, funds and holdings in one
    /// transaction. A run already stored (the same `run_id`: the same deterministic backtest) is
    /// never replaced: its rows stay as they are, it gains the orders and deals it lacked when
    /// `detail` is `.all`, and `membership` is added to its memberships.
    /// - Parameters:
    ///   - membership: stored by `run` (standalone) or as a point of a sweep.
    ///   - executedAt: wall-clock time of the run (ISO-8601), outside the determinism promise.
    ///   - wallSeconds: how long the run took.
    /// - Throws: ``StorageError``; nothing of the run is written then.
    public func write(
        _ result: BacktestResult, identity: RunIdentity, orders detail: OrderDetail = .all, membership: RunMembership = .standalone,
        executedAt: String, wallSeconds: Double
    ) throws(StorageError) {
        do {
            try pool.write { db in
                try Self.insert(
                    [RunToStore(result: result, identity: identity, membership: membership, wallSeconds: wallSeconds)], detail: detail, executedAt: executedAt, userID: userID, db: db
                )
            }
        } catch {
            if DatabaseHealth.isDamageOrPermission(error) { throw DatabaseHealth.explain(error, path: path, doing: "writing") }
            throw StorageError("writing run \(identity.runID) to \(path) failed and was rolled back: \(error)")
        }
    }

    /// Writes several runs of one sweep in one transaction (a sweep's batch): all of them or none.
    /// - Throws: ``StorageError``; nothing of the batch is written then.
    public func write(
        batch: [SweepRun], orders detail: OrderDetail, sweepID: String, executedAt: String
    ) throws(StorageError) {
        do {
            try pool.write { db in
                try Self.insert(
                    batch.map { RunToStore($0, sweepID: sweepID) },
                    detail: detail, executedAt: executedAt, userID: userID, db: db
                )
            }
        } catch {
            if DatabaseHealth.isDamageOrPermission(error) { throw DatabaseHealth.explain(error, path: path, doing: "writing") }
            throw StorageError("writing a batch of \(batch.count) runs to \(path) failed and was rolled back: \(error)")
        }
    }

    /// Adds runs already stored to a sweep (`sweep_runs` links; existing links are kept).
    public func link(_ links: [(runID: String, point: Int)], toSweep sweepID: String) throws(StorageError) {
        do {
            try pool.write { db in
                for link in links {
                    try Self.addMembership(.sweep(sweepID, point: link.point), runID: link.runID, alreadyStandalone: true, db: db)
                }
            }
        } catch {
            throw StorageError("linking \(links.count) stored runs to sweep \(sweepID) in \(path) failed and was rolled back: \(error)")
        }
    }

    /// Records a sweep (an existing row keeps its creation time and gains the new counts).
    public func recordSweep(_ sweep: SweepRecord) throws(StorageError) {
        do {
            try pool.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO sweeps (sweep_id, grid, created_at, runs, base_config, data_fingerprint, engine_version, invalid_points, orders, objective)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT(sweep_id) DO UPDATE SET runs = excluded.runs, invalid_points = excluded.invalid_points,
                            orders = excluded.orders, objective = excluded.objective
                        """,
                    arguments: [sweep.id, sweep.grid, sweep.createdAt, sweep.runs, sweep.baseConfig, sweep.dataFingerprint, engineVersion, sweep.invalidPoints, sweep.orders, sweep.objective]
                )
            }
        } catch {
            throw StorageError("recording sweep \(sweep.id) in \(path) failed: \(error)")
        }
    }

    public func recordSweep(id: String, grid: String, baseConfig: String, dataFingerprint: String, runs: Int, invalidPoints: String, createdAt: String) throws(StorageError) {
        try recordSweep(SweepRecord(id: id, grid: grid, baseConfig: baseConfig, dataFingerprint: dataFingerprint, runs: runs, invalidPoints: invalidPoints, createdAt: createdAt))
    }

    /// SQL condition on `bot_runs` for a run stored with at least `detail`: every run places at
    /// least its base order (logged even when rejected), so a run stored with `.all` has
    /// order_logs rows and one stored with `.none` has none.
    static func storedWith(_ detail: OrderDetail) -> String {
        detail == .all ? " AND EXISTS (SELECT 1 FROM order_logs o WHERE o.run_id = bot_runs.run_id)" : ""
    }

    /// Those of `runIDs` stored as completed runs with at least `detail`, whichever command
    /// stored them (a sweep reuses them: a run stored with `--orders none` is run again when
    /// orders are now wanted).
    public func storedRunIDs(among runIDs: [String], detail: OrderDetail = .none) throws(StorageError) -> Set<String> {
        try reading { db in
            var found = Set<String>()
            let statement = try db.cachedStatement(sql: "SELECT EXISTS(SELECT 1 FROM bot_runs WHERE run_id = ? AND status = 'completed'" + Self.storedWith(detail) + ")")
            for runID in runIDs {
                if try Bool.fetchOne(statement, arguments: [runID]) == true { found.insert(runID) }
            }
            return found
        }
    }

    /// Copies every row of the databases at `paths` (shards of one sweep, or any runs) into this
    /// one, in one transaction; rows already here (same keys) are kept, and a run gains the
    /// orders it lacked and every membership.
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
                    for table in Schema.tables {
                        let columns = try Row.fetchAll(db, sql: "PRAGMA main.table_info(\(table))").map { $0["name"] as String }.joined(separator: ", ")
                        for k in paths.indices {
                            try db.execute(sql: "INSERT OR IGNORE INTO main.\(table) (\(columns)) SELECT \(columns) FROM shard\(k).\(table)")
                        }
                    }
                    // A link keeps the lowest grid point any shard knows for its run.
                    for k in paths.indices {
                        try db.execute(sql: """
                            UPDATE main.sweep_runs SET point = (SELECT s.point FROM shard\(k).sweep_runs s WHERE s.sweep_id = main.sweep_runs.sweep_id AND s.run_id = main.sweep_runs.run_id)
                            WHERE EXISTS (SELECT 1 FROM shard\(k).sweep_runs s WHERE s.sweep_id = main.sweep_runs.sweep_id AND s.run_id = main.sweep_runs.run_id
                                          AND s.point IS NOT NULL AND (main.sweep_runs.point IS NULL OR s.point < main.sweep_runs.point))
                            """)
                    }
                    // A run stored by `run` in a shard stands alone here too (memberships are added).
                    for k in paths.indices {
                        try db.execute(sql: "UPDATE main.bot_runs SET standalone = 1 WHERE standalone = 0 AND run_id IN (SELECT run_id FROM shard\(k).bot_runs WHERE standalone = 1)")
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

    /// Runs a read-only closure on the database (tests).
    public func read<T>(_ body: (Database) throws -> T) throws -> T {
        try pool.read(body)
    }

    func reading<T>(_ what: @autoclosure () -> String = "reading", _ body: (Database) throws -> T) throws(StorageError) -> T {
        do { return try pool.read(body) } catch { throw StorageError("\(what()) \(path) failed: \(error)") }
    }

    /// Every numeric member of a metrics JSON object.
    static func numericMetrics(_ text: String) -> [String: Double] {
        guard case .object(let object)? = try? JSONDecoder().decode(JSONInput.self, from: Data(text.utf8)) else { return [:] }
        return object.compactMapValues { if case .number(let n) = $0 { return n } else { return nil } }
    }

    public func metrics(runIDs: [String]) throws(StorageError) -> [String: [String: Double]] {
        try reading { db in
            var out: [String: [String: Double]] = [:]
            let statement = try db.cachedStatement(sql: "SELECT metrics FROM bot_runs WHERE run_id = ?")
            for id in runIDs where out[id] == nil {
                if let text = try String.fetchOne(statement, arguments: [id]) { out[id] = Self.numericMetrics(text) }
            }
            return out
        }
    }

    /// ORDER BY for `runs list --sort KEY` (validated against RunListing.sortKeys), newest first by default.
    static func orderBy(_ key: String?, alias: String) -> String {
        let chosen = RunListing.sortKeys.first { $0.key == key } ?? RunListing.sortKeys[0]
        return "\(alias).\(chosen.key) \(chosen.descending ? "DESC" : "ASC") NULLS LAST, \(alias).run_id"
    }

    static func storedValue(_ value: DatabaseValue) -> StoredValue {
        switch value.storage {
        case .null: .null
        case .int64(let i): .integer(i)
        case .double(let d): .real(d)
        case .string(let s): .text(s)
        case .blob(let data): .text(data.base64EncodedString())
        }
    }

    static func storedRow(_ row: Row) -> StoredRow {
        StoredRow(columns: Array(row.columnNames), values: row.databaseValues.map(storedValue))
    }

    public func listRuns(_ filter: RunFilter) throws(StorageError) -> [RunListing] {
        var conditions: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        if let bot = filter.bot { arguments.append(bot.lowercased()); conditions.append("substr(s.bot_id, 1, length(?)) = ?"); arguments.append(bot.lowercased()) }
        if let symbol = filter.symbol {
            arguments.append(symbol.uppercased())
            conditions.append("instr(',' || upper(s.symbols) || ',', ',' || ? || ',') > 0")
        }
        if let sweep = filter.sweep {
            conditions.append("EXISTS (SELECT 1 FROM sweep_runs l WHERE l.run_id = s.run_id AND substr(l.sweep_id, 1, length(?)) = ?)")
            arguments += [sweep.lowercased(), sweep.lowercased()]
        } else if !filter.includeSweepPoints {
            conditions.append("s.standalone = 1")
        }
        let sql = "SELECT * FROM run_summary s" + (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "))
            + " ORDER BY " + Self.orderBy(filter.sort, alias: "s") + (filter.limit.map { " LIMIT \($0)" } ?? "")
        return try reading { db in
            try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map { RunListing(row: Self.storedRow($0)) }
        }
    }

    public func lookUp(runIDPrefix prefix: String) throws(StorageError) -> RunLookup {
        try reading { db in
            let matches = try Row.fetchAll(db, sql: "SELECT r.*, b.name, b.symbol, b.config FROM bot_runs r JOIN bots b ON b.bot_id = r.bot_id WHERE substr(r.run_id, 1, length(?1)) = ?1 LIMIT 2", arguments: [prefix.lowercased()])
            guard matches.count == 1, let run = matches.first else { return matches.isEmpty ? .none : .ambiguous(matches.count) }
            let id: String = run["run_id"]
            let deals = try Row.fetchAll(db, sql: "SELECT * FROM deals WHERE run_id = ? ORDER BY deal_id", arguments: [id])
            let orders = try Row.fetchAll(db, sql: "SELECT * FROM order_logs WHERE run_id = ? ORDER BY sequence", arguments: [id])
            let symbols = try Row.fetchAll(db, sql: "SELECT * FROM symbol_results WHERE run_id = ? ORDER BY symbol_order", arguments: [id])
            return .found(RunDetail(run: Self.storedRow(run), deals: deals.map(Self.storedRow), orders: orders.map(Self.storedRow), symbols: symbols.map(Self.storedRow)))
        }
    }

    public func sweeps() throws(StorageError) -> [SweepRecord] {
        try reading { db in
            try Row.fetchAll(db, sql: "SELECT * FROM sweeps ORDER BY sweep_id").map { row in
                SweepRecord(id: row["sweep_id"], grid: row["grid"], baseConfig: row["base_config"] ?? "{}", dataFingerprint: row["data_fingerprint"] ?? "",
                            runs: row["runs"], invalidPoints: row["invalid_points"] ?? "[]", createdAt: row["created_at"], orders: row["orders"], objective: row["objective"])
            }
        }
    }

    public func members(ofSweep sweepID: String) throws(StorageError) -> [(runID: String, point: Int?)] {
        try reading { db in
            try Row.fetchAll(db, sql: "SELECT run_id, point FROM sweep_runs WHERE sweep_id = ? ORDER BY point, run_id", arguments: [sweepID]).map { ($0["run_id"], $0["point"]) }
        }
    }

    public func configuration(ofRun runID: String) throws(StorageError) -> (config: String, dataFingerprint: String)? {
        try reading { db in
            try Row.fetchOne(db, sql: "SELECT b.config, r.data_fingerprint FROM bot_runs r JOIN bots b ON b.bot_id = r.bot_id WHERE r.run_id = ?", arguments: [runID])
                .map { ($0["config"], $0["data_fingerprint"]) }
        }
    }

    public func count(_ table: String) throws(StorageError) -> Int {
        try reading { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? 0 }
    }

    /// Every row of `table` in column order, ordered by every column (merge into PostgreSQL, tests).
    public func rows(of table: String) throws(StorageError) -> [StoredRow] {
        try reading { db in
            let count = try Row.fetchAll(db, sql: "PRAGMA table_info(\(table))").count
            let order = (1...max(count, 1)).map(String.init).joined(separator: ", ")
            return try Row.fetchAll(db, sql: "SELECT * FROM \(table) ORDER BY \(order)").map(Self.storedRow)
        }
    }

    /// Writes `runs` inside the caller's transaction: the runs not stored before by
    /// ``NewRunRows`` (a few multi-row statements per table for the whole batch), with their
    /// orders and deals when `detail` is `.all`; each run already stored (the same `run_id`: the
    /// same deterministic backtest, by `run`, a sweep or a merge) by
    /// ``addToStoredRun(_:detail:userID:db:)``, which keeps its rows.
    static func insert(_ runs: [RunToStore], detail: OrderDetail, executedAt: String, userID: String? = nil, db: Database) throws {
        // Which runs are stored: one statement for the whole batch.
        let ids = JSONValue.array(runs.map { .string($0.identity.runID) }).text()
        let stored = try Set(String.fetchAll(db.cachedStatement(sql: "SELECT run_id FROM bot_runs WHERE run_id IN (SELECT value FROM json_each(?))"), arguments: [ids]))
        var fresh: [RunToStore] = []
        var again: [RunToStore] = []
        var seen = Set<String>()
        for run in runs {
            // A run given twice is new once, then stored.
            if !stored.contains(run.identity.runID) && seen.insert(run.identity.runID).inserted { fresh.append(run) } else { again.append(run) }
        }
        try NewRunRows.insert(fresh, executedAt: executedAt, userID: userID, db: db)
        if detail == .all {
            for run in fresh { try insertOrdersAndDeals(run.result, identity: run.identity, userID: userID, db: db) }
        }
        for run in again {
            try addToStoredRun(run, detail: detail, userID: userID, db: db)
        }
    }

    /// A run stored before holds the same values: its rows stay as they are; it gains the orders
    /// and deals it lacks when `detail` is `.all`, the membership, and the `symbol_results` rows
    /// of a run stored before that table existed.
    static func addToStoredRun(_ run: RunToStore, detail: OrderDetail, userID: String?, db: Database) throws {
        let (result, identity, membership) = (run.result, run.identity, run.membership)
        let stored = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT standalone, EXISTS(SELECT 1 FROM order_logs o WHERE o.run_id = bot_runs.run_id) AS has_orders FROM bot_runs WHERE run_id = ?"),
            arguments: [identity.runID]
        )
        guard let stored else { preconditionFailure("run \(identity.runID) was to be stored already") }
        if detail == .all, !(stored["has_orders"] as Bool) {
            try insertOrdersAndDeals(result, identity: identity, userID: userID, db: db)
        }
        try addMembership(membership, runID: identity.runID, alreadyStandalone: stored["standalone"] as Bool, db: db)
        try insertSymbolResults(result, runID: identity.runID, userID: userID, db: db)
    }

    /// The run's `symbol_results` rows (``SymbolResults``); rows already stored are kept.
    static func insertSymbolResults(_ result: BacktestResult, runID: String, userID: String?, db: Database) throws {
        for row in SymbolResults(result).rows {
            try db.cachedStatement(sql: SymbolResults.sqliteInsert).execute(arguments: [
                runID, userID, row.symbol, row.order, row.candles, row.dealsOpened, row.dealsClosed, row.winRate, row.realizedPnL, row.fees,
                row.maxCapitalInUse, row.filledOrders, row.rejectedOrders, row.buyAndHoldReturn,
            ])
        }
    }

    /// The run's deals and orders, each row with its own symbol (a multi-pair run's rows are
    /// written symbol by symbol; their deal ids and sequences are the run's).
    static func insertOrdersAndDeals(_ result: BacktestResult, identity: RunIdentity, userID: String?, db: Database) throws {
        let parts = RunEndState.symbolParts(result)
        // Deals first (orders refer to them), every symbol's.
        for part in parts { try RunRowsWriter.insertDeals(part.result, identity: identity, symbol: part.symbol, db: db) }
        for part in parts { try RunRowsWriter.insertOrders(part.result, identity: identity, symbol: part.symbol, userID: userID, db: db) }
    }

    static func addMembership(_ membership: RunMembership, runID: String, alreadyStandalone: Bool, db: Database) throws {
        switch membership {
        case .standalone where !alreadyStandalone:
            try db.cachedStatement(sql: "UPDATE bot_runs SET standalone = 1 WHERE run_id = ?").execute(arguments: [runID])
        case .standalone:
            break
        case .sweep(let sweepID, let point):
            // The link keeps the lowest grid point that is this run.
            try db.cachedStatement(sql: """
                INSERT INTO sweep_runs (sweep_id, run_id, point) VALUES (?, ?, ?)
                ON CONFLICT DO UPDATE SET point = excluded.point WHERE excluded.point < sweep_runs.point OR sweep_runs.point IS NULL
                """).execute(arguments: [sweepID, runID, point])
        }
    }

    /// Deletes the runs with these ids (exact ids) and every row that belongs to them: orders,
    /// deals, final position, funds, holdings, sweep links; then the bots no run uses any more.
    /// The only way rows leave a database (`runs delete`). One transaction.
    /// - Returns: the ids that were stored (and are now deleted).
    /// - Throws: ``StorageError``; nothing is deleted then.
    public func delete(runIDs: [String]) throws(StorageError) -> [String] {
        do {
            return try pool.write { db in
                var deleted: [String] = []
                for runID in runIDs {
                    try db.execute(sql: "DELETE FROM bot_runs WHERE run_id = ?", arguments: [runID])
                    if db.changesCount > 0 { deleted.append(runID) }
                }
                try db.execute(sql: "DELETE FROM bots WHERE NOT EXISTS (SELECT 1 FROM bot_runs r WHERE r.bot_id = bots.bot_id)")
                return deleted
            }
        } catch {
            throw StorageError("deleting runs from \(path) failed and was rolled back: \(error)")
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

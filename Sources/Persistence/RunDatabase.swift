import Backtesting
import Foundation

/// A stored value as the commands read it, the same from SQLite and PostgreSQL: times are
/// ISO-8601 UTC text with milliseconds, ids lowercase UUID text, JSON columns JSON text,
/// booleans 0 or 1.
public enum StoredValue: Sendable, Equatable, CustomStringConvertible {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)

    public var description: String {
        switch self {
        case .null: "NULL"
        case .integer(let i): "\(i)"
        case .real(let d): "\(d)"
        case .text(let s): "'\(s)'"
        }
    }
    public var text: String? { if case .text(let s) = self { s } else { nil } }
    public var double: Double? {
        switch self {
        case .real(let d): d
        case .integer(let i): Double(i)
        default: nil
        }
    }
    public var integer: Int? {
        switch self {
        case .integer(let i): Int(i)
        case .real(let d) where d == d.rounded(): Int(exactly: d)
        default: nil
        }
    }
}

/// One row: its columns in the table's order.
public struct StoredRow: Sendable, Equatable {
    public var columns: [String]
    public var values: [StoredValue]
    public init(columns: [String], values: [StoredValue]) {
        self.columns = columns
        self.values = values
    }
    public subscript(_ column: String) -> StoredValue {
        columns.firstIndex(of: column).map { values[$0] } ?? .null
    }
}

/// Which runs `runs list` shows.
public struct RunFilter: Sendable {
    /// A prefix of the bot id.
    public var bot: String?
    /// The symbol (any letter case); a multi-pair run matches any of its symbols.
    public var symbol: String?
    /// A prefix of a sweep id: that sweep's runs.
    public var sweep: String?
    /// Sweep points too (otherwise only runs stored by `run`, and a sweep's when `sweep` is given).
    public var includeSweepPoints = false
    /// At most this many (nil: all).
    public var limit: Int?
    /// A column of ``RunListing/sortKeys``; newest first when nil.
    public var sort: String?
    public init(bot: String? = nil, symbol: String? = nil, sweep: String? = nil, includeSweepPoints: Bool = false, limit: Int? = nil, sort: String? = nil) {
        self.bot = bot
        self.symbol = symbol
        self.sweep = sweep
        self.includeSweepPoints = includeSweepPoints
        self.limit = limit
        self.sort = sort
    }
}

/// A run as `runs list` and `runs compare` show it: the `run_summary` view's row.
public struct RunListing: Sendable {
    public var row: StoredRow
    public var runID: String { row["run_id"].text ?? "" }

    /// The keys `runs list --sort` takes, and whether larger is better (sorted descending).
    public static let sortKeys: [(key: String, descending: Bool)] = [
        ("executed_at", true), ("total_return", true), ("total_pnl", true), ("sharpe_ratio", true), ("sortino_ratio", true),
        ("calmar_ratio", true), ("max_drawdown", false), ("win_rate", true), ("profit_factor", true), ("total_trades", true),
        ("final_equity", true), ("name", false), ("symbol", false), ("started_at", true),
    ]
}

/// A run with its deals, orders and per-symbol figures (`runs show`).
public struct RunDetail: Sendable {
    public var run: StoredRow
    public var deals: [StoredRow]
    public var orders: [StoredRow]
    /// Its `symbol_results` rows in the configuration's symbol order; empty for a run stored
    /// before that table existed.
    public var symbols: [StoredRow] = []
}

/// What a run-id prefix matched.
public enum RunLookup: Sendable {
    case none
    case ambiguous(Int)
    case found(RunDetail)
}

/// A run of a sweep's batch and the first grid point it is.
public struct SweepRun {
    public var result: BacktestResult
    public var identity: RunIdentity
    public var wallSeconds: Double
    public var point: Int
    /// `bot_runs.metrics`: every metric as a JSON object, made by the initialiser (a sweep's
    /// workers make it, so the writer thread does not).
    public var metricsJSON: String
    public init(result: BacktestResult, identity: RunIdentity, wallSeconds: Double, point: Int) {
        self.result = result
        self.identity = identity
        self.wallSeconds = wallSeconds
        self.point = point
        metricsJSON = result.metrics.jsonText
    }
}

/// One run for a store to write (``RunDatabase/write(_:identity:orders:membership:executedAt:wallSeconds:)``
/// or a sweep's batch), stored before or not.
struct RunToStore: @unchecked Sendable {
    var result: BacktestResult
    var identity: RunIdentity
    var membership: RunMembership
    var wallSeconds: Double
    /// `bot_runs.metrics` (``SweepRun/metricsJSON``).
    var metricsJSON: String

    init(result: BacktestResult, identity: RunIdentity, membership: RunMembership, wallSeconds: Double) {
        self.result = result
        self.identity = identity
        self.membership = membership
        self.wallSeconds = wallSeconds
        metricsJSON = result.metrics.jsonText
    }

    init(_ run: SweepRun, sweepID: String) {
        result = run.result
        identity = run.identity
        membership = .sweep(sweepID, point: run.point)
        wallSeconds = run.wallSeconds
        metricsJSON = run.metricsJSON
    }
}

/// A sweep's row (`sweeps`).
public struct SweepRecord: Sendable {
    public var id: String
    public var grid: String
    public var baseConfig: String
    public var dataFingerprint: String
    public var runs: Int
    public var invalidPoints: String
    public var createdAt: String
    /// What the sweep stores of its points: `all`, `none`, `top:N`.
    public var orders: String?
    /// The metric its points are ranked by.
    public var objective: String?
    public init(id: String, grid: String, baseConfig: String, dataFingerprint: String, runs: Int, invalidPoints: String, createdAt: String, orders: String? = nil, objective: String? = nil) {
        self.orders = orders
        self.objective = objective
        self.id = id
        self.grid = grid
        self.baseConfig = baseConfig
        self.dataFingerprint = dataFingerprint
        self.runs = runs
        self.invalidPoints = invalidPoints
        self.createdAt = createdAt
    }
}

/// Where runs are stored, whichever database holds them (SQLite file or PostgreSQL server): the
/// commands talk to this protocol only, and every SQL statement lives behind it.
///
/// Rules every store keeps (docs/SCHEMA.md): each run is written in one transaction; a stored run
/// is never replaced (writing it again adds the rows it lacked and its membership); rows go only
/// through ``delete(runIDs:)``.
public protocol RunDatabase: AnyObject, Sendable {
    /// The database for messages: a file path, or a URL without any password.
    var location: String { get }

    /// Writes one run (``RunStore/write(_:identity:orders:membership:executedAt:wallSeconds:)``).
    func write(_ result: BacktestResult, identity: RunIdentity, orders: OrderDetail, membership: RunMembership, executedAt: String, wallSeconds: Double) throws(StorageError)
    /// Writes a batch of one sweep's runs in one transaction.
    func write(batch: [SweepRun], orders: OrderDetail, sweepID: String, executedAt: String) throws(StorageError)
    /// Records a sweep (an existing row keeps its creation, gains the new counts).
    func recordSweep(_ sweep: SweepRecord) throws(StorageError)
    /// Those of `runIDs` stored as completed runs with at least `detail`.
    func storedRunIDs(among runIDs: [String], detail: OrderDetail) throws(StorageError) -> Set<String>
    /// Adds `sweep_runs` links of stored runs (run id and its first grid point).
    func link(_ links: [(runID: String, point: Int)], toSweep sweepID: String) throws(StorageError)
    /// The sweeps stored (merge re-runs the best points of `top:N` sweeps).
    func sweeps() throws(StorageError) -> [SweepRecord]
    /// A sweep's runs with their first grid point (NULL for links migrated from before v4).
    func members(ofSweep sweepID: String) throws(StorageError) -> [(runID: String, point: Int?)]
    /// A stored run's configuration (canonical JSON) and data fingerprint.
    func configuration(ofRun runID: String) throws(StorageError) -> (config: String, dataFingerprint: String)?
    /// Every numeric metric of each stored run among `runIDs` (from `bot_runs.metrics`).
    func metrics(runIDs: [String]) throws(StorageError) -> [String: [String: Double]]
    /// The `run_summary` rows of the runs `filter` selects.
    func listRuns(_ filter: RunFilter) throws(StorageError) -> [RunListing]
    /// The run whose id starts with `prefix`, with its deals, orders and `symbol_results` rows.
    func lookUp(runIDPrefix prefix: String) throws(StorageError) -> RunLookup
    /// Deletes runs and all their rows; returns the ids that were stored.
    func delete(runIDs: [String]) throws(StorageError) -> [String]
    /// Copies every row of the SQLite databases at `paths` in, in one transaction; rows already
    /// stored are kept (a run gains the orders it lacked and every membership).
    func merge(paths: [String]) throws(StorageError)
    /// Rows of `table` (tests, merge summaries).
    func count(_ table: String) throws(StorageError) -> Int
}

extension RunDatabase {
    /// True when a completed run with this id is stored with at least `detail`.
    public func contains(runID: String, detail: OrderDetail = .none) throws(StorageError) -> Bool {
        try storedRunIDs(among: [runID], detail: detail).contains(runID)
    }
}

/// Opens the database named by `--db`.
public enum RunDatabases {
    /// A file path opens (creating) an SQLite database; `postgresql://` or `postgres://` a
    /// PostgreSQL database. Any other `scheme://` is refused.
    /// - Parameter userID: fills `user_id` of every row written (a UUID), or NULL.
    /// - Throws: ``StorageError`` with one sentence saying what is wrong and what to do.
    public static func open(_ location: String, userID: String? = nil) throws(StorageError) -> any RunDatabase {
        if let userID, UUID(uuidString: userID) == nil {
            throw StorageError("--user-id must be a UUID such as 123e4567-e89b-42d3-a456-426614174000 (got '\(userID)').")
        }
        switch try DatabaseLocation(location) {
        case .sqlite(let path): return try RunStore(path: path, userID: userID?.lowercased())
        case .postgres(let url): return try PostgresStore(url: url, userID: userID?.lowercased())
        }
    }

    /// True when `location` names an existing database or a server (for read-only commands,
    /// which must not create an empty file).
    public static func exists(_ location: String) -> Bool {
        switch try? DatabaseLocation(location) {
        case .sqlite(let path)?: FileManager.default.fileExists(atPath: path)
        case .postgres?: true
        case nil: true  // opening says what is wrong
        }
    }
}

/// What a `--db` value names.
public enum DatabaseLocation: Sendable, Equatable {
    case sqlite(path: String)
    case postgres(PostgresURL)

    public init(_ text: String) throws(StorageError) {
        if let range = text.range(of: "://") {
            let scheme = text[..<range.lowerBound].lowercased()
            let isScheme = !scheme.isEmpty && scheme.allSatisfy { $0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == "." }
            if isScheme {
                guard scheme == "postgresql" || scheme == "postgres" else {
                    throw StorageError("--db \(PostgresURL.redacted(text)): the scheme '\(scheme)://' is not supported; give an SQLite file path (e.g. reports/backtests.sqlite) or a PostgreSQL URL postgresql://USER@HOST:PORT/DB.")
                }
                self = .postgres(try PostgresURL(text))
                return
            }
        }
        self = .sqlite(path: text)
    }
}

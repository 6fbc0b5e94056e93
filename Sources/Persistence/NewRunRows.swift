import Backtesting
import DCAStrategy
import GRDB
import MarketData

/// The rows every stored run has whatever `--orders` says, for many runs not stored before at
/// once: `bots` (kept when present), `bot_runs`, the `sweep_runs` link, `positions`, `funds`,
/// `holdings` and `symbol_results` (docs/SCHEMA.md), each table by multi-row `INSERT`s
/// (``MultiRowInsert``: 256 rows a statement, then 16, then 1), inside the caller's transaction.
///
/// A sweep's batch of hundreds of runs so costs a few statement executions per table instead of
/// nine executions per run; each execution opens cursors on the table, its indexes and its
/// foreign keys' parents, which cost more than binding a row. The values are the ones a single
/// run's `INSERT`s wrote, column for column.
enum NewRunRows {
    static let bots = MultiRowInsert(
        table: "bots",
        columns: ["bot_id", "user_id", "name", "bot_type", "status", "symbol", "interval", "config", "required_capital", "max_position_size",
                  "risk_per_trade", "created_at", "config_hash"],
        literals: ["bot_type": "'dca'", "status": "'backtest'", "risk_per_trade": "NULL"],
        shared: [],
        textBytesPerRow: UTCTime.iso8601Length,
        conflict: "ON CONFLICT(bot_id) DO NOTHING"
    )
    static let runs = MultiRowInsert(
        table: "bot_runs",
        columns: ["run_id", "bot_id", "user_id", "status", "started_at", "ended_at", "total_trades", "total_pnl", "max_drawdown", "sharpe_ratio",
                  "data_fingerprint", "engine_version", "fill_model", "candles", "initial_balance", "final_equity", "realized_pnl", "fees_paid",
                  "metrics", "standalone", "error", "executed_at", "wall_seconds"],
        literals: ["status": "'completed'", "error": "NULL"],
        shared: ["engine_version", "executed_at"],
        textBytesPerRow: 2 * UTCTime.iso8601Length
    )
    /// The link keeps the lowest grid point that is this run (as ``RunStore/addMembership(_:runID:alreadyStandalone:db:)``).
    static let links = MultiRowInsert(
        table: "sweep_runs", columns: ["sweep_id", "run_id", "point"], literals: [:], shared: [], textBytesPerRow: 0,
        conflict: "ON CONFLICT DO UPDATE SET point = excluded.point WHERE excluded.point < sweep_runs.point OR sweep_runs.point IS NULL"
    )
    static let positions = MultiRowInsert(
        table: "positions", columns: ["run_id", "user_id", "symbol", "qty", "avg_price", "current_price", "unrealized_pnl"],
        literals: [:], shared: [], textBytesPerRow: 0
    )
    static let funds = MultiRowInsert(
        table: "funds", columns: ["run_id", "user_id", "exchange", "currency", "free", "locked", "total"],
        literals: ["exchange": "'paper_trading'"], shared: [], textBytesPerRow: 0
    )
    static let holdings = MultiRowInsert(
        table: "holdings", columns: ["run_id", "user_id", "asset", "quantity"], literals: [:], shared: [], textBytesPerRow: 0
    )
    static let symbolResults = MultiRowInsert(
        table: "symbol_results", columns: SymbolResults.columns, literals: [:], shared: [], textBytesPerRow: 0, conflict: "ON CONFLICT DO NOTHING"
    )

    /// Writes the rows of `runs` (none of them stored before, no run twice).
    /// - Parameters:
    ///   - executedAt: wall-clock time of the runs (ISO-8601).
    ///   - userID: `user_id` of every row, or NULL.
    /// - Throws: `DatabaseError` when SQLite refuses a row (a CHECK, a foreign key).
    static func insert(_ runs: [RunToStore], executedAt: String, userID: String?, db: Database) throws {
        if runs.isEmpty { return }
        try bots.insert(count: runs.count, db: db, shared: []) { k, row in
            let run = runs[k], c = run.result.configuration
            row.text(1, run.identity.botID)
            row.text(2, userID)
            row.text(3, c.name)
            row.text(4, c.symbol)
            row.text(5, run.result.metrics.intervalSeconds.map(RunStore.intervalName))
            row.text(6, run.identity.canonicalConfiguration)
            row.real(7, c.requiredCapital)
            row.real(8, c.requiredCapital)
            bindTime(row, 9, run.result.candles.openTimes.first, at: 0)
            row.text(10, run.identity.configHash)
        }
        try Self.runs.insert(count: runs.count, db: db, shared: [Array(engineVersion.utf8), Array(executedAt.utf8)]) { k, row in
            let run = runs[k], m = run.result.metrics, times = run.result.candles.openTimes
            row.text(1, run.identity.runID)
            row.text(2, run.identity.botID)
            row.text(3, userID)
            bindTime(row, 4, times.first, at: 0)
            bindTime(row, 5, times.last, at: UTCTime.iso8601Length)
            row.integer(6, m.totalTrades)
            row.real(7, m.totalPnL)
            row.real(8, m.maxDrawdown)
            row.real(9, m.sharpeRatio)
            row.text(10, run.identity.dataFingerprint)
            row.text(11, run.result.configuration.fillModel.rawValue)
            row.integer(12, m.candles)
            row.real(13, m.initialBalance)
            row.real(14, m.finalEquity)
            row.real(15, m.realizedPnL)
            row.real(16, m.feesPaid)
            row.text(17, run.metricsJSON)
            row.integer(18, run.membership == .standalone ? 1 : 0)
            row.real(19, run.wallSeconds)
        }
        let linked = runs.compactMap { run -> (sweepID: String, runID: String, point: Int?)? in
            guard case .sweep(let sweepID, let point) = run.membership else { return nil }
            return (sweepID, run.identity.runID, point)
        }
        try links.insert(count: linked.count, db: db, shared: []) { k, row in
            row.text(1, linked[k].sweepID)
            row.text(2, linked[k].runID)
            row.integer(3, linked[k].point)
        }
        let ends = runs.map { RunEndState($0.result) }
        let positionRows = ends.indices.flatMap { k in ends[k].positions.map { (runID: runs[k].identity.runID, position: $0) } }
        try positions.insert(count: positionRows.count, db: db, shared: []) { k, row in
            let (runID, position) = positionRows[k]
            row.text(1, runID)
            row.text(2, userID)
            row.text(3, position.symbol)
            row.real(4, position.quantity)
            row.real(5, position.averageEntry)
            row.real(6, position.lastClose)
            row.real(7, position.unrealizedPnL)
        }
        let balanceRows = ends.indices.flatMap { k in ends[k].balances.map { (runID: runs[k].identity.runID, balance: $0) } }
        try funds.insert(count: balanceRows.count, db: db, shared: []) { k, row in
            let (runID, balance) = balanceRows[k]
            row.text(1, runID)
            row.text(2, userID)
            row.text(3, balance.currency)
            row.real(4, balance.free)
            row.real(5, balance.locked)
            row.real(6, balance.total)
        }
        try holdings.insert(count: balanceRows.count, db: db, shared: []) { k, row in
            let (runID, balance) = balanceRows[k]
            row.text(1, runID)
            row.text(2, userID)
            row.text(3, balance.currency)
            row.real(4, balance.total)
        }
        let symbolRows = runs.flatMap { run in SymbolResults(run.result).rows.map { (runID: run.identity.runID, row: $0) } }
        try symbolResults.insert(count: symbolRows.count, db: db, shared: []) { k, row in
            let (runID, symbol) = symbolRows[k]
            row.text(1, runID)
            row.text(2, userID)
            row.text(3, symbol.symbol)
            row.integer(4, symbol.order)
            row.integer(5, symbol.candles)
            row.integer(6, symbol.dealsOpened)
            row.integer(7, symbol.dealsClosed)
            row.real(8, symbol.winRate)
            row.real(9, symbol.realizedPnL)
            row.real(10, symbol.fees)
            row.real(11, symbol.maxCapitalInUse)
            row.integer(12, symbol.filledOrders)
            row.integer(13, symbol.rejectedOrders)
            row.real(14, symbol.buyAndHoldReturn)
        }
    }

    /// Binds an open time as ISO-8601 text written into the row's scratch at `start`; the empty
    /// text without candles (the run's `started_at` and `ended_at` are NOT NULL).
    static func bindTime(_ row: RowBinder, _ index: Int32, _ time: Int64?, at start: Int) {
        guard let time else { row.text(index, ""); return }
        UTCTime.writeISO8601(nanoseconds: time, to: row.scratch + start)
        row.scratchText(index, from: start, count: UTCTime.iso8601Length)
    }
}

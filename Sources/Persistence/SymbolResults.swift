import Backtesting

/// A run's `symbol_results` rows, as both stores write them: one per traded symbol, in the
/// configuration's symbol order (one row for a one-pair run), with that symbol's own figures
/// (docs/SEMANTICS.md section 7): bars, deals opened and closed, the share of closed deals with a
/// positive PnL, their PnL, the fees of its filled orders, its largest deal cost, its filled and
/// rejected orders, and its buy-and-hold return. Amounts in the quote currency; fractions as
/// fractions. Written whatever `--orders` says, in the run's transaction.
struct SymbolResults {
    struct Row {
        var symbol: String
        /// The symbol's index in the configuration's symbol order.
        var order: Int
        var candles: Int
        var dealsOpened: Int
        var dealsClosed: Int
        /// `nil` without a closed deal.
        var winRate: Double?
        var realizedPnL: Double
        var fees: Double
        var maxCapitalInUse: Double
        var filledOrders: Int
        var rejectedOrders: Int
        /// `nil` without candles.
        var buyAndHoldReturn: Double?
    }

    static let columns = [
        "run_id", "user_id", "symbol", "symbol_order", "candles", "deals_opened", "deals_closed", "win_rate", "realized_pnl", "fees",
        "max_capital_in_use", "filled_orders", "rejected_orders", "buy_and_hold_return",
    ]

    /// The `INSERT` of one row in SQLite (`?` for each column), keeping a row already stored.
    static let sqliteInsert = "INSERT INTO symbol_results (\(columns.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", "))) ON CONFLICT DO NOTHING"
    /// The same in PostgreSQL.
    static let postgresInsert = "INSERT INTO symbol_results (\(columns.joined(separator: ", "))) VALUES ($1::uuid, $2::uuid, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) ON CONFLICT DO NOTHING"

    var rows: [Row]

    init(_ result: BacktestResult) {
        func finite(_ value: Double?) -> Double? { value.flatMap { $0.isFinite ? $0 : nil } }
        rows = result.symbolOutcomes.map { outcome in
            Row(
                symbol: outcome.symbol, order: outcome.index, candles: outcome.candles.count, dealsOpened: outcome.dealsOpened,
                dealsClosed: outcome.dealsClosed, winRate: finite(outcome.winRate), realizedPnL: outcome.realizedPnL,
                // Rounding dust below 0 is written as 0, as the final balances are.
                fees: max(0, outcome.fees), maxCapitalInUse: max(0, outcome.maxCapitalInUse), filledOrders: outcome.filledOrders,
                rejectedOrders: outcome.rejectedOrders, buyAndHoldReturn: finite(outcome.buyAndHoldReturn)
            )
        }
    }
}

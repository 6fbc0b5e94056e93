import DCAStrategy

extension BacktestMetrics {
    /// Every metric under its INTERFACE.md / SEMANTICS.md name (`total_pnl`, `sharpe_ratio`,
    /// ...); undefined ratios are `null`.
    public var jsonPairs: [(String, JSONValue)] {
        func number(_ v: Double?) -> JSONValue { JSONValue.optional(v) }
        return [
            ("candles", .integer(Int64(candles))),
            ("initial_balance", number(initialBalance)),
            ("final_equity", number(finalEquity)),
            ("total_pnl", number(totalPnL)),
            ("realized_pnl", number(realizedPnL)),
            ("unrealized_pnl", number(unrealizedPnL)),
            ("total_return", number(totalReturn)),
            ("max_drawdown", number(maxDrawdown)),
            ("max_drawdown_realized", number(realizedMaxDrawdown)),
            ("sharpe_ratio", number(sharpeRatio)),
            ("sharpe_ratio_daily", number(sharpeRatioDaily)),
            ("sortino_ratio", number(sortinoRatio)),
            ("sharpe_ratio_null_reason", sharpeUndefinedReason.map { .string($0) } ?? .null),
            ("cagr", number(compoundAnnualGrowthRate)),
            ("calmar_ratio", number(calmarRatio)),
            ("fees_paid", number(feesPaid)),
            ("total_trades", .integer(Int64(totalTrades))),
            ("rejected_orders", .integer(Int64(rejectedOrders))),
            ("deals_opened", .integer(Int64(dealsOpened))),
            ("deals_closed", .integer(Int64(dealsClosed))),
            ("win_rate", number(winRate)),
            ("profit_factor", number(profitFactor)),
            ("average_deal_duration_seconds", number(averageDealDurationSeconds)),
            ("longest_deal_duration_seconds", number(longestDealDurationSeconds)),
            ("max_safety_orders_used", .integer(Int64(maxSafetyOrdersUsed))),
            ("max_capital_in_use", number(maxCapitalInUse)),
            ("exposure", number(exposure)),
            ("buy_and_hold_return", number(buyAndHoldReturn)),
            ("periods_per_year", number(periodsPerYear)),
            ("interval_seconds", number(intervalSeconds)),
        ]
    }
}

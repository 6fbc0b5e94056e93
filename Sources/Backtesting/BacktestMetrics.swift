import Analytics

/// Every metric of docs/SEMANTICS.md ("Metrics") for one run. Money in quote currency, ratios as
/// fractions, durations in seconds; optional metrics are `nil` when undefined (never NaN).
public struct BacktestMetrics: Sendable, Equatable {
    public var initialBalance: Double
    public var finalEquity: Double
    /// `final_equity - initial_balance`, open position marked to market.
    public var totalPnL: Double
    /// Sum over closed deals of proceeds less costs, fees included.
    public var realizedPnL: Double
    public var unrealizedPnL: Double
    /// `total_pnl / initial_balance`.
    public var totalReturn: Double
    public var maxDrawdown: Double
    /// Max drawdown of `initial_balance + cumulative realized PnL`.
    public var realizedMaxDrawdown: Double
    public var sharpeRatio: Double?
    public var sharpeRatioDaily: Double?
    public var sortinoRatio: Double?
    /// Why the Sharpe ratio is `nil`: `fewer than 2 bars` or `zero variance`.
    public var sharpeUndefinedReason: String?
    public var compoundAnnualGrowthRate: Double?
    public var calmarRatio: Double?
    public var feesPaid: Double
    public var dealsOpened: Int
    public var dealsClosed: Int
    public var winRate: Double?
    public var profitFactor: Double?
    public var averageDealDurationSeconds: Double?
    public var longestDealDurationSeconds: Double?
    public var maxSafetyOrdersUsed: Int
    /// Largest quote cost of an open deal, fees included.
    public var maxCapitalInUse: Double
    /// Share of bar closes with a position held.
    public var exposure: Double
    /// `last close / first open - 1`.
    public var buyAndHoldReturn: Double?
    /// Filled orders.
    public var totalTrades: Int
    public var rejectedOrders: Int
    public var periodsPerYear: Double?
    public var intervalSeconds: Double?
    public var candles: Int
    /// Where ``periodsPerYear`` came from (configured, the bar interval, or 252 for weekday-only
    /// daily bars).
    public var periodsPerYearSource: Annualisation.PeriodsSource?
    /// The calendar span, first bar's open to last bar's close, in seconds.
    public var spanSeconds: Double?

    /// Whether the run is too short (under 30 days) for CAGR, Sharpe, Sortino and Calmar to mean anything.
    public var isTooShortToAnnualise: Bool {
        spanSeconds.map(Annualisation.isTooShortToAnnualise(spanSeconds:)) ?? true
    }
}

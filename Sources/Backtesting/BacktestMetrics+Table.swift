import DCAStrategy

/// How a metric's value is written for people (the JSON always has the plain number).
public enum MetricFormat: Sendable, Equatable {
    /// Quote currency, two decimals: `12,345.68`.
    case money
    /// Quote currency with a sign: `+12.50`.
    case signedMoney
    /// A fraction as a percentage: `1.23%`.
    case percent
    /// A fraction as a signed percentage: `+1.23%`.
    case signedPercent
    /// A ratio, three decimals.
    case ratio
    /// A whole number.
    case count
    /// Seconds as `2d 3h 15m`.
    case duration
    /// A plain number in shortest form.
    case number
    /// Text.
    case text
}

/// Whether a larger or a smaller value of a metric is better (metrics with one can be a sweep's
/// `--objective`).
public enum MetricRanking: Sendable, Equatable {
    case higherIsBetter
    case lowerIsBetter
}

/// One metric: its JSON key, its label with unit, its format, and where it appears. The JSON
/// output, `bot_runs.metrics`, summary.md, report.html, the sweep's objectives and its export all
/// read ``BacktestMetrics/table``.
public struct MetricDefinition: Sendable {
    /// The key in JSON and in `bot_runs.metrics` (docs/SEMANTICS.md, "Metrics").
    public let key: String
    /// The label, `[Q]` standing for the quote currency: `Final equity [Q]`, `Max. drawdown [%]`.
    public let label: String
    public let format: MetricFormat
    /// Set for metrics a sweep can rank by.
    public let ranking: MetricRanking?
    /// Whether `sweep --export` writes it.
    public let exported: Bool
    let read: @Sendable (BacktestMetrics) -> JSONValue

    init(
        _ key: String, _ label: String, _ format: MetricFormat, ranking: MetricRanking? = nil, exported: Bool = false,
        _ read: @escaping @Sendable (BacktestMetrics) -> JSONValue
    ) {
        self.key = key
        self.label = label
        self.format = format
        self.ranking = ranking
        self.exported = exported
        self.read = read
    }

    /// The label with the quote currency put in.
    public func label(quoteCurrency: String) -> String {
        label.replacingOccurrences(of: "[Q]", with: "[\(quoteCurrency)]")
    }

    /// The metric's value in `metrics` (`null` when undefined).
    public func value(of metrics: BacktestMetrics) -> JSONValue { read(metrics) }

    /// The definition of `key`, if it is a metric.
    public static func named(_ key: String) -> MetricDefinition? {
        BacktestMetrics.table.first { $0.key == key }
    }
}

private func metricNumber(_ value: Double?) -> JSONValue { JSONValue.optional(value) }
private func metricInteger(_ value: Int) -> JSONValue { .integer(Int64(value)) }

extension BacktestMetrics {
    /// Every metric, in the order of the JSON output.
    public static let table: [MetricDefinition] = [
        MetricDefinition("candles", "Candles", .count) { metricInteger($0.candles) },
        MetricDefinition("initial_balance", "Initial balance [Q]", .money) { metricNumber($0.initialBalance) },
        MetricDefinition("final_equity", "Final equity [Q]", .money, ranking: .higherIsBetter, exported: true) { metricNumber($0.finalEquity) },
        MetricDefinition("total_pnl", "Total PnL [Q]", .signedMoney, ranking: .higherIsBetter, exported: true) { metricNumber($0.totalPnL) },
        MetricDefinition("realized_pnl", "Realized PnL [Q] (closed deals)", .signedMoney, exported: true) { metricNumber($0.realizedPnL) },
        MetricDefinition("unrealized_pnl", "Unrealized PnL [Q] (open deal, incl. its fees)", .signedMoney, exported: true) { metricNumber($0.unrealizedPnL) },
        MetricDefinition("total_return", "Total return [%]", .signedPercent, ranking: .higherIsBetter, exported: true) { metricNumber($0.totalReturn) },
        MetricDefinition("max_drawdown", "Max. drawdown [%]", .percent, ranking: .lowerIsBetter, exported: true) { metricNumber($0.maxDrawdown) },
        MetricDefinition("max_drawdown_realized", "Max. realized drawdown [%]", .percent) { metricNumber($0.realizedMaxDrawdown) },
        MetricDefinition("sharpe_ratio", "Sharpe ratio (per bar, x sqrt(periods per year))", .ratio, ranking: .higherIsBetter, exported: true) { metricNumber($0.sharpeRatio) },
        MetricDefinition("sharpe_ratio_daily", "Sharpe ratio (daily returns, x sqrt(365))", .ratio) { metricNumber($0.sharpeRatioDaily) },
        MetricDefinition("sortino_ratio", "Sortino ratio", .ratio, ranking: .higherIsBetter, exported: true) { metricNumber($0.sortinoRatio) },
        MetricDefinition("sharpe_ratio_null_reason", "Why there is no Sharpe ratio", .text) { $0.sharpeUndefinedReason.map { .string($0) } ?? .null },
        MetricDefinition("cagr", "CAGR [%] (over the calendar span)", .percent, ranking: .higherIsBetter) { metricNumber($0.compoundAnnualGrowthRate) },
        MetricDefinition("calmar_ratio", "Calmar ratio", .ratio, ranking: .higherIsBetter, exported: true) { metricNumber($0.calmarRatio) },
        MetricDefinition("fees_paid", "Fees paid [Q]", .money, exported: true) { metricNumber($0.feesPaid) },
        MetricDefinition("total_trades", "Orders filled", .count, exported: true) { metricInteger($0.totalTrades) },
        MetricDefinition("rejected_orders", "Orders rejected", .count, exported: true) { metricInteger($0.rejectedOrders) },
        MetricDefinition("deals_opened", "Deals opened", .count) { metricInteger($0.dealsOpened) },
        MetricDefinition("deals_closed", "Deals closed", .count, exported: true) { metricInteger($0.dealsClosed) },
        MetricDefinition("win_rate", "Win rate [%] (closed deals)", .percent, ranking: .higherIsBetter, exported: true) { metricNumber($0.winRate) },
        MetricDefinition("profit_factor", "Profit factor", .ratio, ranking: .higherIsBetter) { metricNumber($0.profitFactor) },
        MetricDefinition("average_deal_duration_seconds", "Avg. deal duration", .duration) { metricNumber($0.averageDealDurationSeconds) },
        MetricDefinition("longest_deal_duration_seconds", "Longest deal duration", .duration) { metricNumber($0.longestDealDurationSeconds) },
        MetricDefinition("max_safety_orders_used", "Max. safety orders used", .count) { metricInteger($0.maxSafetyOrdersUsed) },
        MetricDefinition("max_capital_in_use", "Max. capital in use [Q] (incl. fees)", .money) { metricNumber($0.maxCapitalInUse) },
        MetricDefinition("exposure", "Exposure time [%]", .percent) { metricNumber($0.exposure) },
        MetricDefinition("buy_and_hold_return", "Buy and hold return [%]", .signedPercent) { metricNumber($0.buyAndHoldReturn) },
        MetricDefinition("periods_per_year", "Periods per year", .number) { metricNumber($0.periodsPerYear) },
        MetricDefinition("interval_seconds", "Bar interval", .duration) { metricNumber($0.intervalSeconds) },
        MetricDefinition("periods_per_year_source", "Periods per year from", .text) { $0.periodsPerYearSource.map { .string($0.rawValue) } ?? .null },
        MetricDefinition("span_seconds", "Calendar span", .duration) { metricNumber($0.spanSeconds) },
    ]

    /// The metrics a sweep can rank by.
    public static var objectives: [MetricDefinition] { table.filter { $0.ranking != nil } }
}

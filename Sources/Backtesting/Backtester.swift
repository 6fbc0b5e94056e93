import Analytics
import DCAStrategy
import MarketData

/// The engine version: part of every `run_id`, so results of a changed engine are new runs.
public let engineVersion = "dca-backtest-engine/2.0.0"

/// The outcome of one backtest: the order log, the deals, the equity curve and the metrics.
public struct BacktestResult: Sendable {
    public var configuration: BotConfiguration
    public var candles: CandleSeries
    /// Every order in creation order.
    public var orders: [OrderRecord]
    public var deals: [DealRecord]
    /// Equity at each bar's close, quote currency.
    public var equity: [Double]
    public var metrics: BacktestMetrics
    /// Final balances, quote and base currency.
    public var quoteFree: Double
    public var quoteLocked: Double
    public var baseFree: Double
    public var baseLocked: Double
    /// `stop_loss_action = stop_bot` stopped the bot after a stop-loss exit (no deal started after it).
    public var botStopped = false
    /// A multi-pair run's symbols (``PortfolioReplay``); `nil` for a one-pair run (see ``symbolOutcomes``).
    public var storedSymbols: [SymbolOutcome]? = nil
    /// The signals' tally of a run with `--signals`.
    public var signals: SignalTally? = nil

    /// The open deal at the end of the run, if any.
    public var openDeal: DealRecord? { deals.last.flatMap { $0.closedBar == nil ? $0 : nil } }
}

/// Runs backtests.
public enum Backtester {
    /// Backtests `configuration` over `candles`.
    ///
    /// The configuration must be valid (``BotConfiguration/validate()``); the candles as
    /// ``CandleLoader`` delivers them (ascending, valid). Deterministic: the same inputs give
    /// the same result bit for bit.
    /// - Complexity: O(bars + orders).
    /// - Parameters:
    ///   - recordEquity: keep the equity curve in the result (reports chart it); without it every
    ///     metric is still computed, and the run allocates nothing per candle.
    ///   - detail: the finer candles under `candles` (``DetailPath``), used when the fill model is
    ///     `detail`; without them a `detail` run walks every bar as `pessimistic`.
    public static func run(configuration: BotConfiguration, candles: CandleSeries, detail: DetailPath? = nil, recordEquity: Bool = true) -> BacktestResult {
        // A run that keeps its equity curve (8 bytes a candle) also gets room for one order per 16
        // candles up front (12 bytes a candle, touched only as the log fills): a busy bot's log
        // then does not grow by doubling, which copied it and, run after run in one process,
        // mapped fresh pages each time (steps bot, 52 thousand orders over 1M candles: 0.6 of
        // 1.3 s of 21 runs were page faults). Sweep points (no curve) start small: with the room
        // reserved for each of them, a sweep's peak memory grew with its grid (400 points over
        // 500,000 candles: 155 MB against 126).
        let orderCapacity = recordEquity ? max(64, candles.count / 16) : 64
        var replay = PreparedReplay(configuration: configuration, candles: recordEquity ? candles.count : 0, orderCapacity: orderCapacity)
        replay.engine.recordsEquity = recordEquity
        if configuration.fillModel == .detail { replay.engine.detail = detail }
        replay.replay(candles)
        return replay.result(candles: candles)
    }

    static func computeMetrics<Engine: EngineOutcome>(engine: Engine, candles: CandleSeries) -> BacktestMetrics {
        let c = engine.configuration
        let initial = c.initialBalance
        let finalEquity = engine.curve.latestEquity
        let intervalNanoseconds = candles.intervalNanoseconds
        let intervalSeconds = intervalNanoseconds.map { Double($0) / 1e9 }
        let periodsPerYear = engine.periodsPerYear
        var sharpe: Double? = nil
        var sortino: Double? = nil
        var sharpeDaily: Double? = nil
        var undefinedReason: String? = nil
        if let periodsPerYear {
            sharpe = engine.curve.sharpeRatio(periodsPerYear: periodsPerYear)
            sortino = engine.curve.sortinoRatio(periodsPerYear: periodsPerYear)
            // Not for bars longer than a day: a weekly bar's return is not a daily return.
            sharpeDaily = Annualisation.hasDailySharpe(intervalNanoseconds: intervalNanoseconds) ? engine.curve.dailySharpeRatio() : nil
            if sharpe == nil { undefinedReason = engine.curve.count < 2 ? "fewer than 2 bars" : "zero variance" }
        } else {
            undefinedReason = "fewer than 2 bars"
        }
        let maxDrawdown = engine.curve.maxDrawdown
        // CAGR over the calendar span, first bar's open to last bar's close (not the bar count).
        var cagr: Double? = nil
        var spanSeconds: Double? = nil
        if let intervalNanoseconds, let first = candles.openTimes.first, let last = candles.openTimes.last {
            spanSeconds = Annualisation.spanSeconds(firstOpen: first, lastOpen: last, intervalNanoseconds: intervalNanoseconds)
            cagr = Annualisation.compoundAnnualGrowthRate(initialBalance: initial, finalEquity: finalEquity, spanSeconds: spanSeconds!)
        }
        let periodsSource = Annualisation.periodsPerYear(
            configured: c.periodsPerYear, intervalNanoseconds: intervalNanoseconds,
            firstOpen: candles.openTimes.first ?? 0, lastOpen: candles.openTimes.last ?? 0, count: candles.count
        )?.source
        let calmar = cagr.flatMap { maxDrawdown > 0 ? $0 / maxDrawdown : nil }
        var pnls: [Double] = []
        var durations: [Double] = []
        for deal in engine.deals {
            guard let closedBar = deal.closedBar else { continue }
            pnls.append(deal.realizedPnL)
            durations.append(Double(candles.openTimes[closedBar] - candles.openTimes[deal.openedBar]) / 1e9)
        }
        let tally = OrderTally(engine.orders)
        let buyAndHold = candles.isEmpty ? nil : candles.closes[candles.count - 1] / candles.opens[0] - 1
        let totalPnL = finalEquity - initial
        return BacktestMetrics(
            initialBalance: initial, finalEquity: finalEquity, totalPnL: totalPnL, realizedPnL: engine.realizedPnL,
            unrealizedPnL: totalPnL - engine.realizedPnL, totalReturn: totalPnL / initial, maxDrawdown: maxDrawdown,
            realizedMaxDrawdown: engine.realizedMaxDrawdown, sharpeRatio: sharpe, sharpeRatioDaily: sharpeDaily, sortinoRatio: sortino,
            sharpeUndefinedReason: undefinedReason, compoundAnnualGrowthRate: cagr, calmarRatio: calmar, feesPaid: engine.feesPaid,
            dealsOpened: engine.dealsOpened, dealsClosed: pnls.count, winRate: DealStatistics.winRate(pnls),
            profitFactor: DealStatistics.profitFactor(pnls), averageDealDurationSeconds: durations.isEmpty ? nil : durations.reduce(0, +) / Double(durations.count),
            longestDealDurationSeconds: durations.max(), maxSafetyOrdersUsed: engine.maxSafetyUsed, maxCapitalInUse: engine.maxCapitalInUse,
            exposure: candles.isEmpty ? 0 : Double(engine.barsInPosition) / Double(candles.count), buyAndHoldReturn: buyAndHold,
            totalTrades: tally.filled, rejectedOrders: tally.rejected, periodsPerYear: periodsPerYear, intervalSeconds: intervalSeconds,
            candles: candles.count, periodsPerYearSource: periodsSource, spanSeconds: spanSeconds
        )
    }
}

/// A backtest split into its stages, so the per-candle loop can be measured on its own: the
/// initialiser allocates everything the loop needs (the equity curve, room for the order log);
/// ``replay(_:)`` is the loop; ``result(candles:)`` computes the metrics.
public struct PreparedReplay: Sendable {
    var engine: DCAEngine

    /// Prepares a replay of `configuration` over `count` candles.
    /// - Parameter orderCapacity: order-log entries reserved up front.
    public init(configuration: BotConfiguration, candles count: Int, orderCapacity: Int = 64) {
        engine = DCAEngine(configuration: configuration)
        engine.equity.reserveCapacity(count)
        engine.orders.reserveCapacity(orderCapacity)
        engine.deals.reserveCapacity(max(16, orderCapacity / 4))
    }

    /// Walks every candle once. Allocates only when the order log or the deal list grows.
    public mutating func replay(_ candles: CandleSeries) {
        engine.run(candles: candles)
    }

    /// Orders logged so far.
    public var orderCount: Int { engine.orders.count }

    /// The result with every metric.
    public func result(candles: CandleSeries) -> BacktestResult {
        let metrics = Backtester.computeMetrics(engine: engine, candles: candles)
        return BacktestResult(
            configuration: engine.configuration, candles: candles, orders: engine.orders, deals: engine.deals, equity: engine.equity,
            metrics: metrics, quoteFree: engine.balances.quoteFree, quoteLocked: engine.balances.quoteLocked,
            baseFree: engine.balances.baseFree, baseLocked: engine.balances.baseLocked, botStopped: engine.botStopped
        )
    }
}

import Analytics
import DCAStrategy
import MarketData

/// One symbol's part of a run (docs/SEMANTICS.md section 7): its candles, its deals' figures and
/// its final base. Fees, PnL and capital are in the quote currency.
public struct SymbolOutcome: Sendable, Equatable {
    public var symbol: String
    /// The symbol's index in the configuration's symbol order.
    public var index: Int
    public var candles: CandleSeries
    public var dealsOpened: Int
    public var dealsClosed: Int
    /// Closed deals with a positive PnL over closed deals; `nil` without a closed deal.
    public var winRate: Double?
    /// The closed deals' PnL.
    public var realizedPnL: Double
    /// Fees of the symbol's filled orders.
    public var fees: Double
    /// The highest cost of one of its deals.
    public var maxCapitalInUse: Double
    public var filledOrders: Int
    public var rejectedOrders: Int
    public var baseFree: Double
    public var baseLocked: Double
    /// Quote locked by its resting buys at the end.
    public var quoteLocked: Double
    /// Last close over first open minus 1; `nil` without candles.
    public var buyAndHoldReturn: Double? {
        candles.isEmpty ? nil : candles.closes[candles.count - 1] / candles.opens[0] - 1
    }
    /// The last close (0 without candles), at which its base is valued.
    public var lastClose: Double { candles.closes.last ?? 0 }

    /// The figures of symbol `index` from a run's orders and deals (each row carries its symbol).
    public static func gather(
        symbol: String, index: Int, candles: CandleSeries, orders: [OrderRecord], deals: [DealRecord], maxCapitalInUse: Double,
        baseFree: Double, baseLocked: Double, quoteLocked: Double
    ) -> SymbolOutcome {
        var pnls: [Double] = []
        var opened = 0
        for deal in deals where deal.symbol == index {
            opened += 1
            if deal.closedBar != nil { pnls.append(deal.realizedPnL) }
        }
        let tally = OrderTally(orders, symbol: index)
        var realized = 0.0
        for pnl in pnls { realized += pnl }
        return SymbolOutcome(
            symbol: symbol, index: index, candles: candles, dealsOpened: opened, dealsClosed: pnls.count, winRate: DealStatistics.winRate(pnls),
            realizedPnL: realized, fees: tally.fees, maxCapitalInUse: maxCapitalInUse, filledOrders: tally.filled, rejectedOrders: tally.rejected,
            baseFree: baseFree, baseLocked: baseLocked, quoteLocked: quoteLocked
        )
    }
}

/// What became of a run's signals (`--signals`): read, used, dropped by reason.
public struct SignalTally: Sendable, Equatable {
    public struct Drop: Sendable, Equatable {
        /// `no_free_slot`, `deal_already_open`, `cooldown`, `start_conditions`, `no_more_deals`,
        /// `insufficient_funds`, `no_open_deal`, `no_later_bar`.
        public var reason: String
        public var count: Int
    }
    public var read: Int
    public var used: Int
    public var dropped: [Drop]
    public var droppedTotal: Int { dropped.reduce(0) { $0 + $1.count } }
}

extension BacktestResult {
    /// Every symbol's part, in the configuration's order (one entry for a one-pair run).
    public var symbolOutcomes: [SymbolOutcome] {
        if let storedSymbols { return storedSymbols }
        return [
            SymbolOutcome.gather(
                symbol: configuration.tradedSymbols[0], index: 0, candles: candles, orders: orders, deals: deals,
                maxCapitalInUse: metrics.maxCapitalInUse, baseFree: baseFree, baseLocked: baseLocked, quoteLocked: quoteLocked
            )
        ]
    }

    /// Whether the run traded more than one symbol.
    public var isMultiPair: Bool { (storedSymbols?.count ?? 1) > 1 }
}

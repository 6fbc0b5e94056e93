import Analytics
import MarketData

extension DCAEngine {
    /// Walks every bar once, in this order at each open (docs/SEMANTICS.md, "Fills"): the gap leg
    /// for resting orders, a timed stop exit that is due, the base order of a new deal or a
    /// recurring buy; then the bar's path; then the closes a timed stop counts; then equity.
    mutating func run(candles: CandleSeries) {
        let count = candles.count
        let intervalSeconds = candles.intervalNanoseconds.map { Double($0) / 1e9 }
        periodsPerYear = configuration.periodsPerYear ?? intervalSeconds.map { 365 * 86_400 / $0 }
        if curve.count == 0 {
            curve = EquityCurveAccumulator(
                initialBalance: configuration.initialBalance,
                riskFreePerPeriod: periodsPerYear.map { EquityCurveStatistics.riskFreePerPeriod(yearly: configuration.riskFreeRate, periodsPerYear: $0) } ?? 0,
                riskFreePerDay: EquityCurveStatistics.riskFreePerPeriod(yearly: configuration.riskFreeRate, periodsPerYear: 365)
            )
        }
        if recordsEquity { equity.reserveCapacity(equity.count + count) }
        candles.openTimes.withUnsafeBufferPointer { times in
        candles.opens.withUnsafeBufferPointer { opens in
        candles.highs.withUnsafeBufferPointer { highs in
        candles.lows.withUnsafeBufferPointer { lows in
        candles.closes.withUnsafeBufferPointer { closes in
            var previousClose = 0.0
            // The curve and its statistics are only touched here: keep them in locals (registers)
            // rather than in `self`, which every event call may change.
            var curve = self.curve
            var equity = self.equity
            self.equity = []
            defer {
                self.curve = curve
                self.equity = equity
            }
            refreshTriggerLevels()
            for bar in 0..<count {
                let open = opens[bar], high = highs[bar], low = lows[bar], close = closes[bar]
                if bar > 0 && open != previousClose && hasExposure
                    && (walkEveryBar || min(open, previousClose) <= buyTriggerLevel || max(open, previousClose) >= sellTriggerLevel) {
                    traverse(from: previousClose, to: open, gap: true, bar: bar)
                    refreshTriggerLevels()
                }
                if case .due = stopSide {
                    closeDeal(.market(.stopLoss), at: open * (1 - slippage), bar: bar)
                    refreshTriggerLevels()
                }
                if configuration.mode == .safetyOrders {
                    if deal == nil && bar >= nextDealBar && (configuration.maxDeals.map { dealsOpened < $0 } ?? true) {
                        startDeal(open: open, bar: bar)
                        refreshTriggerLevels()
                    }
                } else if isRecurringBuyBar(bar, times: times) {
                    recurringBuy(open: open, bar: bar)
                    refreshTriggerLevels()
                }
                if hasExposure && (walkEveryBar || low <= buyTriggerLevel || high >= sellTriggerLevel) {
                    walkBar(bar: bar, open: open, high: high, low: low, close: close)
                    refreshTriggerLevels()
                }
                if case .countdown(let level, let closes) = stopSide {
                    countTimedStop(level: level, closes: closes, close: close)
                }
                if let deal, deal.heldQuantity > 0 { barsInPosition += 1 }
                let value = balances.equity(at: close)
                if recordsEquity { equity.append(value) }
                curve.add(equity: value, openTime: times[bar])
                previousClose = close
            }
        }}}}}
    }

    /// A timed stop counts the closes in a row at or below its level; the N-th makes it due.
    @inline(__always) mutating func countTimedStop(level: Double, closes: Int, close: Double) {
        if close <= level {
            stopSide = closes + 1 >= stopTimeout ? .due(level: level) : .countdown(level: level, closes: closes + 1)
        } else if closes != 0 {
            stopSide = .countdown(level: level, closes: 0)
        }
    }

    /// The highest price at which a resting buy limit or sell stop triggers (-infinity: none),
    /// the lowest at which a sell limit or the trailing activation triggers (+infinity: none),
    /// and whether every bar must be walked (an armed trailing take profit): a bar whose range
    /// stays strictly between the two levels cannot fill anything.
    @inline(never)  // an event, off the quiet-bar path: keeps the loop small
    mutating func refreshTriggerLevels() {
        var buy = -Double.infinity
        var sell = Double.infinity
        var every = false
        if let first = restingSafety.first { buy = first.price }
        if let stop = stopSide.restingOrder { buy = max(buy, stop.price) }
        switch takeProfitSide {
        case .none: break
        case .resting(let order): sell = order.price
        case .trailingWaiting(let activation, _): sell = activation
        case .trailingArmed: every = true
        }
        buyTriggerLevel = buy
        sellTriggerLevel = sell
        walkEveryBar = every
    }

    func isRecurringBuyBar(_ bar: Int, times: UnsafeBufferPointer<Int64>) -> Bool {
        if let schedule = recurringSchedule {
            return bar == 0 || schedule.period(of: times[bar]) != schedule.period(of: times[bar - 1])
        }
        return bar % configuration.everyBars == 0
    }
}

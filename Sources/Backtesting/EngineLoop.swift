import Analytics
import DCAStrategy
import Indicators
import MarketData

extension DCAEngine {
    /// Walks every bar once (``walkBars(_:startGate:newEquity:)``): a quiet bar (``QuietBars``:
    /// nothing due at its open, no order within its range) only adds its equity; any other takes
    /// the full path of ``eventfulBar(_:_:previousClose:startGate:)`` first.
    mutating func run(candles: CandleSeries) {
        let count = candles.count
        prepare(for: candles)
        if recordsEquity { equity.reserveCapacity(equity.count + count) }
        // Start conditions (docs/SEMANTICS.md section 8): evaluated at each close, read at the next
        // open; the ring buffers are allocated here, once. Mode `recurring` ignores them.
        var startGate = ConditionSet(
            conditions: configuration.mode == .safetyOrders ? configuration.startConditions : [],
            interval: candles.intervalNanoseconds ?? 1
        )
        let recordsEquity = self.recordsEquity
        var equity = self.equity
        self.equity = []
        defer { self.equity = equity }
        CandleColumns.of(candles) { columns in
            // The curve is written straight into the capacity reserved above (bar `bar` at index
            // `bar` of the new elements): no uniqueness check, a runtime call, per bar.
            equity.append(addingCapacity: recordsEquity ? count : 0) { recorded in
                recorded.withUnsafeMutableBufferPointer { newEquity, initialized in
                    walkBars(columns, startGate: &startGate, newEquity: newEquity)
                    initialized = recordsEquity ? count : 0
                }
            }
        }
    }

    /// What a run over `candles` needs before its first bar: the periods per year, a fresh equity
    /// curve with the per-period risk-free rate, the close conditions' indicators. Shared by
    /// ``run(candles:)`` and ``BatchReplay``.
    mutating func prepare(for candles: CandleSeries) {
        periodsPerYear = Annualisation.periodsPerYear(
            configured: configuration.periodsPerYear, intervalNanoseconds: candles.intervalNanoseconds,
            firstOpen: candles.openTimes.first ?? 0, lastOpen: candles.openTimes.last ?? 0, count: candles.count
        )?.value
        if curve.count == 0 {
            curve = EquityCurveAccumulator(
                initialBalance: configuration.initialBalance,
                riskFreePerPeriod: periodsPerYear.map { EquityCurveStatistics.riskFreePerPeriod(yearly: configuration.riskFreeRate, periodsPerYear: $0) } ?? 0,
                riskFreePerDay: EquityCurveStatistics.riskFreePerPeriod(yearly: configuration.riskFreeRate, periodsPerYear: 365)
            )
        }
        if !configuration.closeConditions.isEmpty && closeConditions == nil {
            closeConditions = ConditionSet(conditions: configuration.closeConditions, interval: candles.intervalNanoseconds ?? 60_000_000_000)
        }
    }

    /// The loop over `columns`' bars: runs of quiet bars (``QuietBars``) add only their equity,
    /// from a snapshot, with no call; every other bar takes ``eventfulBar(_:_:previousClose:startGate:)``
    /// first. With ``recordsEquity`` the equity of bar `bar` is written at `newEquity[bar]`.
    /// A mutating method rather than the body of the closures above: a closure captures `self`
    /// such that each non-mutating call on it copied the whole engine.
    mutating func walkBars(_ columns: CandleColumns, startGate: inout ConditionSet, newEquity: UnsafeMutableBufferPointer<Double>) {
        let count = columns.count
        let recordsEquity = self.recordsEquity
        let hasStartConditions = !startGate.isEmpty
        let hasConditions = hasStartConditions || closeConditions != nil
        let (times, opens, highs, lows, closes) = (columns.times, columns.opens, columns.highs, columns.lows, columns.closes)
        // The curve's statistics are only touched here: keep them in a local (registers) rather
        // than in `self`, which every event call may change.
        var curve = self.curve
        defer { self.curve = curve }
        refreshTriggerLevels()
        var previousClose = 0.0
        var quiet = QuietBars.none
        var bar = 0
        while bar < count {
            // Quiet bars: from the snapshot alone, no call and no read of `self`.
            let quietStart = bar
            let quietEnd = min(count, quiet.end)
            while bar < quietEnd {
                let open = opens[bar], high = highs[bar], low = lows[bar], close = closes[bar]
                guard quiet.pricesQuiet(open: open, high: high, low: low, previousClose: previousClose) else { break }
                let value = quiet.equity(at: close)
                if recordsEquity { newEquity.initializeElement(at: bar, to: value) }
                curve.add(equity: value, openTime: times[bar])
                previousClose = close
                bar += 1
            }
            if quiet.inPosition { barsInPosition += bar - quietStart }
            if hasConditions && bar > quietStart { absorbQuietBars(quietStart..<bar, columns, startGate: &startGate) }
            guard bar < count else { break }
            // A bar where a trailing stop loss following a new high is all that happens: the stop
            // and the trigger levels are all it changes, so without conditions (whose state the
            // snapshot also reads) the snapshot takes the new levels and the quiet run goes on.
            if quiet.mayOnlyFollowTrailingStop(bar: bar)
                && followTrailingStop(bar: bar, open: opens[bar], high: highs[bar], low: lows[bar], close: closes[bar], previousClose: previousClose) {
                if !hasConditions {
                    let close = closes[bar]
                    quiet = quiet.withTriggerLevels(buy: buyTriggerLevel, sell: sellTriggerLevel)
                    let value = quiet.equity(at: close)
                    if recordsEquity { newEquity.initializeElement(at: bar, to: value) }
                    curve.add(equity: value, openTime: times[bar])
                    previousClose = close
                    bar += 1
                    continue
                }
            } else {
                // An eventful bar: the full path, then its equity and a new snapshot.
                eventfulBar(bar, columns, previousClose: previousClose, startGate: &startGate)
            }
            let close = closes[bar]
            let value = balances.equity(at: close)
            if recordsEquity { newEquity.initializeElement(at: bar, to: value) }
            curve.add(equity: value, openTime: times[bar])
            if hasStartConditions {
                startGate.update(openTime: times[bar], open: opens[bar], high: highs[bar], low: lows[bar], close: close, volume: 0)
            }
            previousClose = close
            quiet = quietBars(after: bar, times: times, startGate: &startGate, hasConditions: hasConditions)
            bar += 1
        }
    }

    /// The start and close conditions take in a run of quiet bars at once: the bars only add to
    /// their unfinished coarser buckets (``QuietBars/nextBuyBar``). The start
    /// conditions take volume 0, as the loop's per-bar update gives them.
    @inline(never)  // once per run of quiet bars, only with conditions
    mutating func absorbQuietBars(_ bars: Range<Int>, _ columns: CandleColumns, startGate: inout ConditionSet) {
        if !startGate.isEmpty {
            startGate.absorb(highs: columns.highs, lows: columns.lows, closes: columns.closes, volumes: nil, bars: bars)
        }
        if closeConditions != nil {
            closeConditions!.absorb(highs: columns.highs, lows: columns.lows, closes: columns.closes, volumes: columns.volumes, bars: bars)
        }
    }

    /// One bar that may not be quiet (``QuietBars``), in this order (docs/SEMANTICS.md, "Fills"):
    /// the gap leg for resting orders, a timed stop exit that is due, the base order of a new deal
    /// or a recurring buy; then the bar's path; then the closes a timed stop and the close
    /// conditions count; then the bar in position. The caller adds the bar's equity.
    @inline(never)  // off the quiet-bar path: keeps the quiet loop small
    mutating func eventfulBar(_ bar: Int, _ columns: CandleColumns, previousClose: Double, startGate: inout ConditionSet) {
        let open = columns.opens[bar], high = columns.highs[bar], low = columns.lows[bar], close = columns.closes[bar]
        let times = columns.times
        let hasStartConditions = !startGate.isEmpty
        // The same two phases a symbol's bar has in a multi-pair run (BarPhases.swift),
        // with the start decided by this bot alone.
        _ = exitsAtOpen(bar: bar, openTime: times[bar], open: open, previousClose: previousClose, closeSignals: 0)
        if hasStartConditions { startGate.beginBar(openTime: times[bar]) }
        if configuration.mode == .safetyOrders {
            if deal == nil && !botStopped && bar >= nextDealBar && belowMaxDeals
                && (!hasStartConditions || startGate.holds) {
                _ = startAtOpen(bar: bar, open: open)
            }
        } else {
            recurringAtOpen(bar: bar, times: times, open: open)
        }
        // The volume only feeds close conditions: its column is not read otherwise (a quiet run
        // leaves it out of the cache, and loading it cost each eventful bar a cache miss).
        let volume = closeConditions == nil ? 0 : columns.volumes[bar]
        pathAndClose(bar: bar, openTime: times[bar], open: open, high: high, low: low, close: close, volume: volume)
    }

    /// A bar in which the only thing that happens is a trailing stop loss following a new high:
    /// neither the gap leg nor the path reaches a buy, the stop as it stands or a take-profit
    /// level, and the stop raised to the highest point a rising leg reaches still lies below the
    /// bar's lowest point. Then the stop is raised once to that point, which is what
    /// ``traverse(from:to:gap:bar:)`` does leg by leg (raising is monotone and the tick rounding
    /// of ``ExchangeRules/sellPrice(_:)`` too), and the bar counts in position; nothing else
    /// changes. Otherwise nothing is changed and the bar takes
    /// ``eventfulBar(_:_:previousClose:startGate:)``.
    /// - Precondition: ``QuietBars/mayOnlyFollowTrailingStop(bar:)`` (nothing due at the
    ///   open, no close conditions, no finer candles).
    /// - Returns: whether the bar was handled here.
    @inline(never)  // an event, off the quiet-bar path
    mutating func followTrailingStop(bar: Int, open: Double, high: Double, low: Double, close: Double, previousClose: Double) -> Bool {
        guard case .trailing(let order, let trailingHigh) = stopSide, let stopLoss, !walkEveryBar else { return false }
        let lowest = min(low, open, close, previousClose)
        let highest = max(high, open, close, previousClose)
        guard lowest > buyTriggerLevel && highest < takeProfitTriggerLevel else { return false }
        // The rising legs' ends: the gap leg's open, then the path open -> x -> y -> close.
        let (x, y) = pathExtremes(open: open, high: high, low: low)
        var top = trailingHigh
        if open > previousClose { top = max(top, open) }
        if x > open { top = max(top, x) }
        if y > x { top = max(top, y) }
        if close > y { top = max(top, close) }
        let level = rules.sellPrice(top * (1 - stopLoss))
        guard max(order.price, level) < min(low, open, close) else { return false }
        if top > trailingHigh {
            // The stop raised with the level just made, then refreshTriggerLevels() in place:
            // only the stop's price and running high change, so the buy trigger is the larger of
            // the old one (first safety order, old stop) and the new stop, and the sell trigger
            // the smaller of the take-profit trigger and the new high.
            let raised = raiseTrailingStop(order, to: level, high: top)
            buyTriggerLevel = max(buyTriggerLevel, raised.price)
            sellTriggerLevel = min(takeProfitTriggerLevel, top)
        }
        if let deal, deal.heldQuantity > 0 { barsInPosition += 1 }
        return true
    }

    /// `max_deals` is not reached (a plain test: a closure over `self` here copied the engine).
    @inline(__always) var belowMaxDeals: Bool {
        guard let maxDeals = configuration.maxDeals else { return true }
        return dealsOpened < maxDeals
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
        case .resting(let order): sell = min(sell, order.price)
        case .trailing, .steps:
            if let first = restingSteps.first { sell = min(sell, first.price) }
            switch takeProfitSide.trailing {
            case .waiting(let activation, _)?: sell = min(sell, activation)
            case .armed?: every = true
            case nil: break
            }
        }
        takeProfitTriggerLevel = sell
        // A trailing stop follows a new high: such a bar is walked (or followTrailingStop(…)).
        if case .trailing(_, let high) = stopSide { sell = min(sell, high) }
        buyTriggerLevel = buy
        sellTriggerLevel = sell
        walkEveryBar = every
    }

    /// `close_conditions`: the indicators take every bar at its close (a deal open or not); when
    /// all hold at a close while a deal is open and the deal's PnL marked there (taker fee of
    /// selling included) is at least `close_min_profit` of its cost, the position is sold at the
    /// next open.
    @inline(never)  // once per bar only with close conditions
    mutating func evaluateCloseConditions(bar: Int, openTime: Int64, open: Double, high: Double, low: Double, close: Double, volume: Double) {
        closeConditions!.update(openTime: openTime, open: open, high: high, low: low, close: close, volume: volume)
        if closeConditions!.holds, closeGuardPasses(at: close) { closeDue = true }
    }

    /// At an open: a bucket of a coarser timeframe whose last bar is missing completes now; a
    /// due close-condition exit sells at the open.
    @inline(never)  // once per bar only with close conditions
    mutating func closeConditionsAtOpen(openTime: Int64, open: Double, previousClose: Double, bar: Int) {
        if !closeDue && deal != nil {
            closeConditions!.beginBar(openTime: openTime)
            if closeConditions!.holds, closeGuardPasses(at: previousClose) { closeDue = true }
        }
        if closeDue {
            closeDeal(.market(.closeCondition), at: open * (1 - slippage), bar: bar)
            closeDue = false
            refreshTriggerLevels()
        }
    }

    /// Whether a deal is open and its PnL marked at `close` meets `close_min_profit`.
    func closeGuardPasses(at close: Double) -> Bool {
        guard let deal else { return false }
        guard let minimum = configuration.closeMinProfit else { return true }
        let marked = deal.proceeds + rules.quantity(deal.heldQuantity) * close * (1 - takerFee) - deal.cost
        return marked >= minimum * deal.cost
    }

    func isRecurringBuyBar(_ bar: Int, times: UnsafeBufferPointer<Int64>) -> Bool {
        if let schedule = recurringSchedule {
            return bar == 0 || schedule.period(of: times[bar]) != schedule.period(of: times[bar - 1])
        }
        return bar % configuration.everyBars == 0
    }
}

/// The candle series' columns, for the length of one run.
struct CandleColumns {
    let times: UnsafeBufferPointer<Int64>
    let opens: UnsafeBufferPointer<Double>
    let highs: UnsafeBufferPointer<Double>
    let lows: UnsafeBufferPointer<Double>
    let closes: UnsafeBufferPointer<Double>
    let volumes: UnsafeBufferPointer<Double>

    var count: Int { opens.count }

    /// Calls `body` with the columns of `candles` (valid only during the call).
    @inline(__always)
    static func of<Result>(_ candles: CandleSeries, _ body: (CandleColumns) throws -> Result) rethrows -> Result {
        try candles.openTimes.withUnsafeBufferPointer { times in
        try candles.opens.withUnsafeBufferPointer { opens in
        try candles.highs.withUnsafeBufferPointer { highs in
        try candles.lows.withUnsafeBufferPointer { lows in
        try candles.closes.withUnsafeBufferPointer { closes in
        try candles.volumes.withUnsafeBufferPointer { volumes in
            try body(CandleColumns(times: times, opens: opens, highs: highs, lows: lows, closes: closes, volumes: volumes))
        }}}}}}
    }
}

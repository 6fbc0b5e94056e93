import Analytics
import DCAStrategy
import Indicators
import MarketData

/// One backtest of a bot over one or more symbols sharing one quote balance (docs/SEMANTICS.md
/// sections 7 and 8): one ``DCAEngine`` per symbol (its deal, its resting orders, its base, its
/// locked quote), the free quote shared, the symbols' bars merged by open time.
///
/// At each open time of the merged series the symbols with a bar there are processed in two
/// phases, each in the configuration's symbol order: every symbol's open (the gap leg, a due
/// timed stop, close-condition and close-signal exits, then the start decision: ``DealSlots``,
/// the start conditions, the start signals), then every symbol's path through its bar and its
/// close. Equity is taken after both phases: the quote total plus each symbol's base at its last
/// close. A symbol without a bar at a time is not touched then.
///
/// The initialiser allocates what the loop needs; ``replay()`` allocates only when the order log
/// or the deal list grows (or the equity curve is kept). One symbol without signals gives the
/// one-pair engine's results bit for bit.
public struct PortfolioReplay: Sendable {
    let configuration: BotConfiguration
    let series: [CandleSeries]
    var engines: ContiguousArray<DCAEngine>
    var gates: ContiguousArray<ConditionSet>
    var slots: DealSlots
    var schedule: SignalSchedule
    let hasStartConditions: Bool
    let interval: Int64?
    /// The merged series' open times and, unless every symbol has the same open times, each
    /// symbol's bars' positions in them.
    var times: [Int64] = []
    var stepOfBar: [[Int]]? = nil
    /// Creation order of the orders and deals over all symbols: (symbol, index in its engine).
    var orderTrail: [(symbol: Int, index: Int)] = []
    var dealTrail: [(symbol: Int, index: Int)] = []
    /// Equity at each open time of the merged series (kept only with `recordsEquity`).
    var equity: [Double] = []
    let recordsEquity: Bool
    var curve: EquityCurveAccumulator
    var periodsPerYear: Double?
    var sharedQuoteFree: Double
    var realizedPnL = 0.0
    var realizedPeak: Double
    var realizedMaxDrawdown = 0.0
    /// Per symbol, its deal record's index while a deal is open, and that deal's cost.
    var openRecord: ContiguousArray<Int>
    var openCost: ContiguousArray<Double>
    var totalOpenCost = 0.0
    var seenOrders: ContiguousArray<Int>
    var seenDeals: ContiguousArray<Int>
    /// The loop's per-symbol state, allocated here so that ``replay()`` allocates nothing: the
    /// merged clock and each symbol's latest price (its open once its bar at this time opened,
    /// then its close: what `compound` values its base at). A symbol's previous close and last
    /// close are read from its candles (the bar before its current one, its latest bar).
    var clock: MergedBarClock
    var lastPrice: ContiguousArray<Double>
    /// Whether a symbol whose deal is open skips a bar that reaches no order (``replay()``); the
    /// tests turn it off to check that the skip changes no bit.
    var ridesQuietBars = true

    /// - Parameters:
    ///   - configuration: a valid configuration; its ``BotConfiguration/tradedSymbols`` give the
    ///     symbol order.
    ///   - candles: each symbol's candles, in that order, all of one interval.
    ///   - signals: the signals file's rows (``SignalFile``), possibly none.
    ///   - detail: with the `detail` fill model, each symbol's finer candles laid under its own
    ///     bars (``DetailPath``), in the symbol order, or empty; a symbol without them (`nil`)
    ///     walks its bars as `pessimistic`. Ignored by the other fill models.
    ///   - recordEquity: keep the equity curve (reports chart it).
    ///   - orderCapacity: order-log rows reserved per symbol before the loop (a quarter of it for
    ///     deals); the loop allocates only when a log outgrows it.
    public init(
        configuration: BotConfiguration, candles: [CandleSeries], signals: [Signal] = [], detail: [DetailPath?] = [],
        recordEquity: Bool = true, orderCapacity: Int = 64
    ) {
        precondition(candles.count == configuration.tradedSymbols.count, "one candle series per symbol")
        precondition(detail.isEmpty || detail.count == candles.count, "one detail path (or nil) per symbol")
        self.configuration = configuration
        series = candles
        let n = candles.count
        let dataInterval = candles.lazy.compactMap(\.intervalNanoseconds).first
        interval = dataInterval
        // Each symbol's engine and start conditions are built on their own, so that no two share
        // an array buffer (a shared one would be copied at its first write, inside the loop).
        let closeInterval = dataInterval ?? 60_000_000_000
        let usesDetail = configuration.fillModel == .detail && !detail.isEmpty
        engines = ContiguousArray((0..<n).map { s in
            var engine = DCAEngine(configuration: configuration)
            engine.recordsEquity = false
            // Each symbol's path through its bars is its own finer candles', walked by the
            // one-pair engine's own detail walk (the bar index is the symbol's own).
            if usesDetail { engine.detail = detail[s] }
            engine.orders.reserveCapacity(orderCapacity)
            engine.deals.reserveCapacity(max(16, orderCapacity / 4))
            if !configuration.closeConditions.isEmpty {
                engine.closeConditions = ConditionSet(conditions: configuration.closeConditions, interval: closeInterval)
            }
            engine.refreshTriggerLevels()
            return engine
        })
        let startConditions = configuration.mode == .safetyOrders ? configuration.startConditions : []
        hasStartConditions = !startConditions.isEmpty
        gates = ContiguousArray((0..<n).map { _ in ConditionSet(conditions: startConditions, interval: dataInterval ?? 1) })
        slots = DealSlots(
            symbolCount: n, maxActiveDeals: n == 1 ? 1 : configuration.maxActiveDeals, maxDeals: configuration.maxDeals,
            cooldownBars: configuration.cooldownBars
        )
        schedule = SignalSchedule(signals: signals, symbolCount: n)
        recordsEquity = recordEquity
        clock = MergedBarClock(openTimes: candles.map(\.openTimes))
        if clock.isAligned {
            times = candles.first?.openTimes ?? []
        } else {
            var steps = candles.map { Array(repeating: -1, count: $0.count) }
            var pass = clock
            times.reserveCapacity(candles.map(\.count).max() ?? 0)
            while pass.advance() {
                times.append(pass.time)
                for s in 0..<n { if let bar = pass.barIndex(of: s) { steps[s][bar] = pass.step } }
            }
            stepOfBar = steps
        }
        let distinct = times.count
        if recordEquity { equity.reserveCapacity(distinct) }
        let firstOpen = candles.compactMap(\.openTimes.first).min() ?? 0
        let lastOpen = candles.compactMap(\.openTimes.last).max() ?? 0
        periodsPerYear = Annualisation.periodsPerYear(
            configured: configuration.periodsPerYear, intervalNanoseconds: interval, firstOpen: firstOpen, lastOpen: lastOpen, count: distinct
        )?.value
        curve = EquityCurveAccumulator(
            initialBalance: configuration.initialBalance,
            riskFreePerPeriod: periodsPerYear.map { EquityCurveStatistics.riskFreePerPeriod(yearly: configuration.riskFreeRate, periodsPerYear: $0) } ?? 0,
            riskFreePerDay: EquityCurveStatistics.riskFreePerPeriod(yearly: configuration.riskFreeRate, periodsPerYear: 365)
        )
        sharedQuoteFree = configuration.initialBalance
        realizedPeak = configuration.initialBalance
        openRecord = ContiguousArray(repeating: -1, count: n)
        openCost = ContiguousArray(repeating: 0, count: n)
        seenOrders = ContiguousArray(repeating: 0, count: n)
        seenDeals = ContiguousArray(repeating: 0, count: n)
        orderTrail.reserveCapacity(orderCapacity * n)
        dealTrail.reserveCapacity(max(16, orderCapacity / 4) * n)
        lastPrice = ContiguousArray(repeating: .nan, count: n)
    }

    /// Walks the merged series once (a second call does nothing: the clock is at its end).
    public mutating func replay() {
        let n = series.count
        let safetyOrders = configuration.mode == .safetyOrders
        let hasSignals = !schedule.isEmpty
        let onlyOnSignals = schedule.hasStartSignals
        let compound = configuration.compound
        let idleWhenSlotsAreFull = safetyOrders && !hasSignals && !hasStartConditions && configuration.closeConditions.isEmpty
        // Without signals or close conditions, a symbol whose deal is open and whose bar reaches
        // no order skips both phases (its slot is taken, so nothing starts there either).
        let dealMayRideQuietly = ridesQuietBars && safetyOrders && !hasSignals && configuration.closeConditions.isEmpty
        var curve = self.curve
        var equity = self.equity
        self.equity = []
        defer {
            self.curve = curve
            self.equity = equity
        }
        while clock.advance() {
            let t = clock.time
            // Phase 1: every symbol's open, in symbol order.
            for s in 0..<n {
                guard let bar = clock.barIndex(of: s) else { continue }
                let open = series[s].opens[bar]
                if compound { lastPrice[s] = open }
                // Nothing rests, no deal, nothing to evaluate, and every slot taken: nothing can
                // happen at this open.
                if idleWhenSlotsAreFull && !engines[s].hasExposure && slots.active >= slots.maxActiveDeals { continue }
                // A deal is open (no start here) and nothing is due at this open: the gap leg
                // reaches no order (the conditions of DCAEngine.exitsAtOpen, negated).
                let previousClose = bar > 0 ? series[s].closes[bar - 1] : 0
                if dealMayRideQuietly && engines[s].opensQuietly(bar: bar, open: open, previousClose: previousClose) {
                    if hasStartConditions { gates[s].beginBar(openTime: t) }
                    continue
                }
                engines[s].balances.quoteFree = sharedQuoteFree
                engines[s].openCostElsewhere = totalOpenCost - openCost[s]
                let closeSignals = hasSignals ? schedule.takeCloses(symbol: s, at: t) : 0
                let used = engines[s].exitsAtOpen(bar: bar, openTime: t, open: open, previousClose: previousClose, closeSignals: closeSignals)
                if closeSignals > 0 {
                    if used > 0 { schedule.use() }
                    schedule.drop(.noOpenDeal, count: closeSignals - used)
                }
                noteClose(symbol: s, bar: bar)
                if hasStartConditions { gates[s].beginBar(openTime: t) }
                if safetyOrders {
                    let starts = hasSignals ? schedule.takeStarts(symbol: s, at: t) : 0
                    if !onlyOnSignals || starts > 0 {
                        if let blocker = slots.blocker(symbol: s, bar: bar) {
                            schedule.drop(blocker, count: starts)
                        } else if hasStartConditions && !gates[s].holds {
                            schedule.drop(.startConditions, count: starts)
                        } else {
                            if compound { engines[s].equityElsewhere = equityOutside(symbol: s, lastPrice: lastPrice) }
                            if engines[s].startAtOpen(bar: bar, open: open) {
                                noteOpen(symbol: s)
                                if starts > 0 {
                                    schedule.use()
                                    schedule.drop(.dealAlreadyOpen, count: starts - 1)
                                }
                            } else {
                                schedule.drop(.insufficientFunds, count: starts)
                            }
                        }
                    }
                } else {
                    series[s].openTimes.withUnsafeBufferPointer { engines[s].recurringAtOpen(bar: bar, times: $0, open: open) }
                    if engines[s].deal != nil && !slots.isDealOpen(symbol: s) { noteOpen(symbol: s) }
                }
                sharedQuoteFree = engines[s].balances.quoteFree
                noteRecords(symbol: s)
                if engines[s].deal != nil && engines[s].deal!.cost != openCost[s] { updateOpenCost(symbol: s) }
            }
            // Phase 2: every symbol's path through its bar and its close, in symbol order.
            for s in 0..<n {
                guard let bar = clock.barIndex(of: s) else { continue }
                // Nothing rests and nothing is evaluated at the close: nothing to do (the equity
                // reads the symbol's last close from its candles).
                if !hasStartConditions && !engines[s].hasExposure && engines[s].closeConditions == nil {
                    if compound { lastPrice[s] = series[s].closes[bar] }
                    continue
                }
                let close = series[s].closes[bar]
                let high = series[s].highs[bar], low = series[s].lows[bar]
                // A deal is open and its path reaches no order: the bar only counts in position.
                if dealMayRideQuietly && engines[s].ridesQuietly(high: high, low: low) {
                    engines[s].barsInPosition += engines[s].deal!.heldQuantity > 0 ? 1 : 0
                    if hasStartConditions { gates[s].update(openTime: t, open: series[s].opens[bar], high: high, low: low, close: close, volume: 0) }
                    if compound { lastPrice[s] = close }
                    continue
                }
                engines[s].balances.quoteFree = sharedQuoteFree
                engines[s].openCostElsewhere = totalOpenCost - openCost[s]
                engines[s].pathAndClose(
                    bar: bar, openTime: t, open: series[s].opens[bar], high: high, low: low, close: close,
                    volume: engines[s].closeConditions == nil ? 0 : series[s].volumes[bar]  // only close conditions read it
                )
                sharedQuoteFree = engines[s].balances.quoteFree
                noteClose(symbol: s, bar: bar)
                if engines[s].deal != nil && engines[s].deal!.cost != openCost[s] { updateOpenCost(symbol: s) }
                noteRecords(symbol: s)
                if hasStartConditions { gates[s].update(openTime: t, open: series[s].opens[bar], high: high, low: low, close: close, volume: 0) }
                if compound { lastPrice[s] = close }
            }
            // Equity: the quote total, then each symbol's base at its last close, in symbol order.
            var value = sharedQuoteFree
            for s in 0..<n { value += engines[s].balances.quoteLocked }
            for s in 0..<n {
                let base = engines[s].balances.baseFree + engines[s].balances.baseLocked
                if base != 0 { value += base * series[s].closes[clock.lastBarIndex(of: s)!] }
            }
            if recordsEquity { equity.append(value) }
            curve.add(equity: value, openTime: t)
        }
        schedule.finish()
    }

    /// A deal opened on `symbol`: its slot is taken.
    @inline(never)
    mutating func noteOpen(symbol s: Int) {
        slots.open(symbol: s)
        openRecord[s] = engines[s].deals.count - 1
        updateOpenCost(symbol: s)
    }

    /// When `symbol`'s deal has closed: its PnL is realized for the portfolio, its slot freed.
    @inline(__always)
    mutating func noteClose(symbol s: Int, bar: Int) {
        if slots.isDealOpen(symbol: s) && engines[s].deal == nil { closed(symbol: s, bar: bar) }
    }

    @inline(never)
    mutating func closed(symbol s: Int, bar: Int) {
        let pnl = engines[s].deals[openRecord[s]].realizedPnL
        realizedPnL += pnl
        let realizedEquity = configuration.initialBalance + realizedPnL
        realizedPeak = max(realizedPeak, realizedEquity)
        if realizedPeak > 0 { realizedMaxDrawdown = max(realizedMaxDrawdown, (realizedPeak - realizedEquity) / realizedPeak) }
        slots.close(symbol: s, bar: bar)
        if engines[s].botStopped { slots.stop() }
        openRecord[s] = -1
        updateOpenCost(symbol: s)
    }

    @inline(never)
    mutating func updateOpenCost(symbol s: Int) {
        openCost[s] = engines[s].deal?.cost ?? 0
        var total = 0.0
        for cost in openCost { total += cost }
        totalOpenCost = total
    }

    /// Orders and deals `symbol`'s engine created since the last look, in creation order.
    @inline(__always)
    mutating func noteRecords(symbol s: Int) {
        if engines[s].orders.count != seenOrders[s] || engines[s].deals.count != seenDeals[s] { appendRecords(symbol: s) }
    }

    @inline(never)
    mutating func appendRecords(symbol s: Int) {
        for i in seenOrders[s]..<engines[s].orders.count { orderTrail.append((s, i)) }
        for i in seenDeals[s]..<engines[s].deals.count { dealTrail.append((s, i)) }
        seenOrders[s] = engines[s].orders.count
        seenDeals[s] = engines[s].deals.count
    }

    /// What the bot holds outside `symbol`'s engine: the others' locked quote and base at their
    /// latest prices (a symbol whose bar at this time has opened: its open).
    @inline(never)
    func equityOutside(symbol: Int, lastPrice: ContiguousArray<Double>) -> Double {
        var value = 0.0
        for s in 0..<series.count where s != symbol {
            value += engines[s].balances.quoteLocked
            let base = engines[s].balances.baseFree + engines[s].balances.baseLocked
            if base != 0 { value += base * lastPrice[s] }
        }
        return value
    }

    /// The signals' tally: read, used, dropped by reason.
    public var signalTally: SignalTally {
        SignalTally(read: schedule.read, used: schedule.used, dropped: schedule.droppedByReason.map { SignalTally.Drop(reason: $0.reason.rawValue, count: $0.count) })
    }

    /// The result with every metric: orders and deals over all symbols in creation order, bar
    /// indices into the merged series (``BacktestResult/candles``), each row with its symbol.
    public func result() -> BacktestResult {
        let symbols = configuration.tradedSymbols
        // Per symbol and bar, its position in the merged series.
        let stepOfBar = self.stepOfBar
        func step(_ symbol: Int, _ bar: Int) -> Int { stepOfBar.map { $0[symbol][bar] } ?? bar }
        var globalDeal: [[Int]] = engines.map { Array(repeating: 0, count: $0.deals.count) }
        var deals: [DealRecord] = []
        deals.reserveCapacity(dealTrail.count)
        for (number, entry) in dealTrail.enumerated() {
            var deal = engines[entry.symbol].deals[entry.index]
            globalDeal[entry.symbol][entry.index] = number + 1
            deal.number = number + 1
            deal.symbol = entry.symbol
            deal.openedBar = step(entry.symbol, deal.openedBar)
            deal.closedBar = deal.closedBar.map { step(entry.symbol, $0) }
            deals.append(deal)
        }
        var orders: [OrderRecord] = []
        orders.reserveCapacity(orderTrail.count)
        for (sequence, entry) in orderTrail.enumerated() {
            var order = engines[entry.symbol].orders[entry.index]
            order.sequence = sequence
            order.symbol = entry.symbol
            order.deal = order.deal.map { globalDeal[entry.symbol][$0 - 1] }
            order.createdBar = step(entry.symbol, order.createdBar)
            order.filledBar = order.filledBar.map { step(entry.symbol, $0) }
            orders.append(order)
        }
        let clockSeries: CandleSeries
        if series.count == 1 {
            clockSeries = series[0]
        } else {
            let nan = Array(repeating: Double.nan, count: times.count)
            var merged = CandleSeries(openTimes: times, opens: nan, highs: nan, lows: nan, closes: nan, volumes: nan)
            merged.cacheInterval(given: interval)
            clockSeries = merged
        }
        let outcome = PortfolioOutcome(
            configuration: configuration, curve: curve, periodsPerYear: periodsPerYear, orders: orders, deals: deals, realizedPnL: realizedPnL,
            realizedMaxDrawdown: realizedMaxDrawdown, feesPaid: engines.reduce(0) { $0 + $1.feesPaid },
            dealsOpened: engines.reduce(0) { $0 + $1.dealsOpened }, maxSafetyUsed: engines.map(\.maxSafetyUsed).max() ?? 0,
            maxCapitalInUse: engines.map(\.portfolioCapitalPeak).max() ?? 0, barsInPosition: engines.reduce(0) { $0 + $1.barsInPosition }
        )
        var metrics = Backtester.computeMetrics(engine: outcome, candles: clockSeries)
        let totalBars = series.reduce(0) { $0 + $1.count }
        if series.count > 1 {
            metrics.candles = totalBars
            metrics.exposure = totalBars == 0 ? 0 : Double(outcome.barsInPosition) / Double(totalBars)
            let holds = series.compactMap { s in s.isEmpty ? nil : s.closes[s.count - 1] / s.opens[0] - 1 }
            metrics.buyAndHoldReturn = holds.isEmpty ? nil : holds.reduce(0, +) / Double(holds.count)
        }
        var quoteLocked = 0.0
        for engine in engines { quoteLocked += engine.balances.quoteLocked }
        var result = BacktestResult(
            configuration: configuration, candles: clockSeries, orders: orders, deals: deals, equity: equity, metrics: metrics,
            quoteFree: sharedQuoteFree, quoteLocked: quoteLocked,
            baseFree: engines.reduce(0) { $0 + $1.balances.baseFree }, baseLocked: engines.reduce(0) { $0 + $1.balances.baseLocked },
            botStopped: engines.contains { $0.botStopped }
        )
        result.storedSymbols = symbols.indices.map { s in
            SymbolOutcome.gather(
                symbol: symbols[s], index: s, candles: series[s], orders: orders, deals: deals,
                maxCapitalInUse: engines[s].maxCapitalInUse, baseFree: engines[s].balances.baseFree,
                baseLocked: engines[s].balances.baseLocked, quoteLocked: engines[s].balances.quoteLocked
            )
        }
        result.signals = schedule.isEmpty ? nil : signalTally
        return result
    }
}

/// What ``Backtester/computeMetrics(engine:candles:)`` reads, gathered over every symbol.
struct PortfolioOutcome: EngineOutcome {
    var configuration: BotConfiguration
    var curve: EquityCurveAccumulator
    var periodsPerYear: Double?
    var orders: [OrderRecord]
    var deals: [DealRecord]
    var realizedPnL: Double
    var realizedMaxDrawdown: Double
    var feesPaid: Double
    var dealsOpened: Int
    var maxSafetyUsed: Int
    var maxCapitalInUse: Double
    var barsInPosition: Int
}

extension Backtester {
    /// Backtests `configuration` over each of its symbols' candles (in ``BotConfiguration/tradedSymbols``
    /// order, all of one interval), with `signals` (docs/SEMANTICS.md sections 7 and 8).
    ///
    /// Bar indices in the result's orders and deals refer to the merged series
    /// (``BacktestResult/candles``, the symbols' distinct open times); each row names its symbol.
    /// With the `detail` fill model, `detail` gives each symbol's finer candles under its own bars
    /// (in the same order; empty or `nil` for a symbol: its bars walked as `pessimistic`).
    /// Deterministic: the same inputs give the same result bit for bit.
    public static func run(configuration: BotConfiguration, symbolCandles: [CandleSeries], signals: [Signal] = [], detail: [DetailPath?] = [], recordEquity: Bool = true) -> BacktestResult {
        var replay = PortfolioReplay(configuration: configuration, candles: symbolCandles, signals: signals, detail: detail, recordEquity: recordEquity)
        replay.replay()
        return replay.result()
    }
}

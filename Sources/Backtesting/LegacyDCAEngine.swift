import Analytics
import DCAStrategy
import MarketData

/// The engine before its restructuring into deal states (kept, unchanged in behaviour, only to
/// prove that ``DCAEngine`` gives bit-identical orders, deals and metrics; delete it with that
/// comparison test).
///
/// The state lives in one value; ``run(candles:)`` walks the bars once. A bar in which no
/// order can trigger costs a few comparisons and one store into the preallocated equity curve:
/// no allocation, no dynamic dispatch. Orders are appended to the order log only when
/// something happens (placement, fill, cancellation, rejection).
struct LegacyDCAEngine: Sendable, EngineOutcome {
    // MARK: Configuration, resolved once.
    let configuration: BotConfiguration
    let rules: ExchangeRules
    let takerFee: Double
    let makerFee: Double
    let feeInBase: Bool
    let slippage: Double
    let takeProfit: Double?
    let trailingDeviation: Double?
    let stopLoss: Double?
    let stopTimeout: Int
    let fillModel: FillModel
    /// The finer candles of the `detail` fill model (nil: every bar walks its own OHLC path).
    var detail: DetailPath?
    /// `D_k` for k = 1...n (index k - 1).
    let deviations: [Double]
    /// `Q_k` for k = 1...n (index k - 1).
    let safetySizes: [Double]
    let maxActiveSafety: Int
    let recurringSchedule: RecurringSchedule?

    // MARK: Balances.
    var quoteFree: Double
    var quoteLocked = 0.0
    var baseFree = 0.0
    var baseLocked = 0.0

    // MARK: The open deal.
    var dealOpen = false
    var dealNumber = 0
    var dealsOpened: Int { dealNumber }
    var dealRecordIndex = -1
    var basePrice = 0.0
    /// `sum(fill_price * fill_qty)` of the deal's buys.
    var entryNotional = 0.0
    /// Base held by the deal (net of fees taken in base).
    var heldQuantity = 0.0
    /// Quote spent, fees included.
    var dealCost = 0.0
    var dealFees = 0.0
    var safetyFilled = 0
    /// The next ladder index (1-based) to place.
    var nextSafety = 1
    /// Bar index from which a new deal may start.
    var nextDealBar = 0

    // MARK: Resting orders. Safety orders are kept in ladder order, so the first is the highest.
    var restingSafety: [LegacyRestingOrder] = []
    var takeProfitOrder: LegacyRestingOrder? = nil
    var stopOrder: LegacyRestingOrder? = nil
    /// Trailing take profit: its activation price, whether armed, and the running high.
    var trailingActive = false
    var trailingPrice = 0.0
    var trailingArmed = false
    var trailingHigh = 0.0
    /// The gap fix of engine v2, carried here too so the comparison stays exact: the leg serial
    /// and the legs in which the trailing activation was computed and in which it armed.
    var legCounter = 0
    var trailingPlacedLeg = -1
    var trailingArmedLeg = -1
    /// Stop-loss level watched by closes when `stop_loss_timeout_bars > 0`.
    var timedStopLevel: Double? = nil
    var timedStopCount = 0
    var timedStopDue = false

    // MARK: Levels that let a quiet bar skip the path walk (see refreshTriggerLevels()).
    var buyTriggerLevel = -Double.infinity
    var sellTriggerLevel = Double.infinity
    var walkEveryBar = false

    // MARK: Output.
    var orders: [OrderRecord] = []
    var deals: [DealRecord] = []
    var equity: [Double] = []
    /// Whether ``equity`` keeps the curve (reports need it; sweeps only need its statistics).
    var recordsEquity = true
    /// Sharpe, Sortino, drawdown and daily statistics, gathered bar by bar.
    var curve: EquityCurveAccumulator
    /// Bars per year used to annualise (configured, or from the bar interval); `nil` without an interval.
    var periodsPerYear: Double? = nil
    var barsInPosition = 0
    var maxCapitalInUse = 0.0
    var maxSafetyUsed = 0
    var feesPaid = 0.0
    var realizedPnL = 0.0
    var realizedPeak: Double
    var realizedMaxDrawdown = 0.0

    struct LegacyRestingOrder: Sendable {
        var orderIndex: Int
        var price: Double
        var quantity: Double
        /// Quote reserved (buys) or base reserved (take profit).
        var locked: Double
        var safetyIndex: Int
    }

    init(configuration c: BotConfiguration) {
        configuration = c
        rules = ExchangeRules(tickSize: c.tickSize, stepSize: c.stepSize, minNotional: c.minNotional, minQty: c.minQty)
        takerFee = c.feeRate
        makerFee = c.limitFeeRate
        feeInBase = c.feeCurrency == .base
        slippage = c.slippageBasisPoints / 10_000
        takeProfit = c.takeProfit
        trailingDeviation = c.trailingDeviation
        stopLoss = c.stopLoss
        stopTimeout = c.stopLossTimeoutBars
        fillModel = c.fillModel
        let n = c.mode == .safetyOrders ? c.maxSafetyOrders : 0
        deviations = n > 0 ? (1...n).map { Ladder.cumulativeDeviation(k: $0, priceDeviation: c.priceDeviation, stepScale: c.safetyOrderStepScale) } : []
        safetySizes = n > 0 ? (1...n).map { Ladder.quoteSize(k: $0, safetyOrderSize: c.safetyOrderSize, volumeScale: c.safetyOrderVolumeScale) } : []
        maxActiveSafety = n > 0 ? min(c.maxActiveSafetyOrders, n) : 0
        recurringSchedule = c.mode == .recurring ? c.schedule.flatMap { RecurringSchedule(text: $0) } : nil
        quoteFree = c.initialBalance
        realizedPeak = c.initialBalance
        curve = EquityCurveAccumulator(initialBalance: c.initialBalance)
        restingSafety.reserveCapacity(max(maxActiveSafety, 1))
    }

    // MARK: - The loop

    mutating func run(candles: CandleSeries) {
        let count = candles.count
        periodsPerYear = Annualisation.periodsPerYear(
            configured: configuration.periodsPerYear, intervalNanoseconds: candles.intervalNanoseconds,
            firstOpen: candles.openTimes.first ?? 0, lastOpen: candles.openTimes.last ?? 0, count: count
        )?.value
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
                if timedStopDue && dealOpen {
                    timedStopDue = false
                    sellPosition(role: .stopLoss, type: .market, at: open * (1 - slippage), level: nil, bar: bar, existingOrder: nil)
                    refreshTriggerLevels()
                }
                if configuration.mode == .safetyOrders {
                    if !dealOpen && bar >= nextDealBar && (configuration.maxDeals.map { dealNumber < $0 } ?? true) {
                        startDeal(open: open, bar: bar)
                        refreshTriggerLevels()
                    }
                } else if isRecurringBuyBar(bar, times: times) {
                    recurringBuy(open: open, bar: bar)
                    refreshTriggerLevels()
                }
                if hasExposure && (walkEveryBar || low <= buyTriggerLevel || high >= sellTriggerLevel) {
                    if let detail, detail.starts[bar] < detail.starts[bar + 1] {
                        walkDetail(detail, bar: bar, open: open, close: close)
                    } else {
                        let (x, y) = pathExtremes(open: open, high: high, low: low)
                        traverse(from: open, to: x, gap: false, bar: bar)
                        traverse(from: x, to: y, gap: false, bar: bar)
                        traverse(from: y, to: close, gap: false, bar: bar)
                    }
                    refreshTriggerLevels()
                }
                if let level = timedStopLevel, dealOpen {
                    if timedStopCount > 0 || low <= level {
                        if close <= level {
                            timedStopCount += 1
                            if timedStopCount >= stopTimeout { timedStopDue = true }
                        } else {
                            timedStopCount = 0
                        }
                    }
                }
                if dealOpen && heldQuantity > 0 { barsInPosition += 1 }
                let value = quoteFree + quoteLocked + (baseFree + baseLocked) * close
                if recordsEquity { equity.append(value) }
                curve.add(equity: value, openTime: times[bar])
                previousClose = close
            }
        }}}}}
    }

    /// The highest price at which a resting buy limit or sell stop triggers (-infinity: none),
    /// the lowest at which a sell limit or the trailing activation triggers (+infinity: none),
    /// and whether every bar must be walked (an armed trailing take profit): a bar whose range
    /// stays strictly between the two levels cannot fill anything.
    @inline(never)  // an event, off the quiet-bar path: keeps the loop small
    mutating func refreshTriggerLevels() {
        var buy = -Double.infinity
        var sell = Double.infinity
        if let first = restingSafety.first { buy = first.price }
        if let stop = stopOrder { buy = max(buy, stop.price) }
        if let tp = takeProfitOrder { sell = tp.price }
        if trailingActive && !trailingArmed { sell = min(sell, trailingPrice) }
        buyTriggerLevel = buy
        sellTriggerLevel = sell
        walkEveryBar = trailingActive && trailingArmed
    }

    /// True when any order rests or a deal is open, so the bar's path must be walked.
    @inline(__always) var hasExposure: Bool {
        dealOpen || !restingSafety.isEmpty
    }

    /// The two inner points of the bar's path `open -> x -> y -> close`.
    @inline(__always) func pathExtremes(open: Double, high: Double, low: Double) -> (Double, Double) {
        switch fillModel {
        case .ohlc: return (high, low)
        case .olhc: return (low, high)
        case .pessimistic: return stopOrder != nil ? (low, high) : (high, low)
        case .adaptive: return (high - open) <= (open - low) ? (high, low) : (low, high)
        case .detail: return stopOrder != nil ? (low, high) : (high, low)  // a bar without detail
        }
    }

    /// Walks bar `bar` through its finer candles (``DetailPath``): from the bar's open to each
    /// finer open, through that candle's `pessimistic` path to its close, and finally to the
    /// bar's close. Called only for bars that have finer candles.
    @inline(never)  // an event, off the quiet-bar path
    mutating func walkDetail(_ detail: DetailPath, bar: Int, open: Double, close: Double) {
        var point = open
        for f in detail.starts[bar]..<detail.starts[bar + 1] {
            let fineOpen = detail.opens[f], fineHigh = detail.highs[f], fineLow = detail.lows[f]
            traverse(from: point, to: fineOpen, gap: false, bar: bar)
            let (x, y) = stopOrder != nil ? (fineLow, fineHigh) : (fineHigh, fineLow)
            traverse(from: fineOpen, to: x, gap: false, bar: bar)
            traverse(from: x, to: y, gap: false, bar: bar)
            point = detail.closes[f]
            traverse(from: y, to: point, gap: false, bar: bar)
        }
        traverse(from: point, to: close, gap: false, bar: bar)
    }

    func isRecurringBuyBar(_ bar: Int, times: UnsafeBufferPointer<Int64>) -> Bool {
        if let schedule = recurringSchedule {
            return bar == 0 || schedule.period(of: times[bar]) != schedule.period(of: times[bar - 1])
        }
        return bar % configuration.everyBars == 0
    }

    // MARK: - Walking one monotonic leg

    enum LegacyTrigger { case safety, takeProfit, stop, trailingArm, trailingExit }

    /// Fills every order reached on the leg from `a` to `b`, in the order the price reaches
    /// them; orders placed after a fill may fill on the rest of the leg only. On a gap leg
    /// (previous close to open) everything fills at the open, and orders placed during the
    /// jump exist only at the open.
    @inline(never)  // an event, off the quiet-bar path: keeps the loop small
    mutating func traverse(from a: Double, to b: Double, gap: Bool, bar: Int) {
        let down = b < a
        let up = b > a
        // Fast exit: nothing can be reached on this leg.
        let lowPoint = down ? b : a
        let highPoint = up ? b : a
        var reachable = false
        if let first = restingSafety.first, first.price >= lowPoint { reachable = true }
        if let stop = stopOrder, stop.price >= lowPoint { reachable = true }
        if let tp = takeProfitOrder, tp.price <= highPoint { reachable = true }
        if trailingActive {
            if trailingArmed { reachable = true } else if trailingPrice <= highPoint { reachable = true }
        }
        if !reachable { legCounter += 1; return }

        let gapStart = orders.count  // orders created from here on were placed during the jump
        legCounter += 1
        var p = a
        while true {
            var best: LegacyTrigger? = nil
            var bestPoint = 0.0
            var bestDistance = Double.infinity
            var bestSequence = Int.max
            @inline(__always) func consider(_ trigger: LegacyTrigger, _ point: Double, _ sequence: Int) {
                let distance = abs(point - p)
                if distance < bestDistance || (distance == bestDistance && sequence < bestSequence) {
                    best = trigger; bestPoint = point; bestDistance = distance; bestSequence = sequence
                }
            }
            // Buy limits and sell stops trigger when the price is at or below their level.
            @inline(__always) func pointBelow(_ level: Double, placedDuringGap: Bool) -> Double? {
                if gap && placedDuringGap { return level >= b ? b : nil }
                if level >= p { return p }
                if down && level >= b { return level }
                return nil
            }
            // Sell limits trigger when the price is at or above their level.
            @inline(__always) func pointAbove(_ level: Double, placedDuringGap: Bool) -> Double? {
                if gap && placedDuringGap { return level <= b ? b : nil }
                if level <= p { return p }
                if up && level <= b { return level }
                return nil
            }
            if let first = restingSafety.first, let point = pointBelow(first.price, placedDuringGap: first.orderIndex >= gapStart) {
                consider(.safety, point, first.orderIndex)
            }
            if let stop = stopOrder, let point = pointBelow(stop.price, placedDuringGap: stop.orderIndex >= gapStart) {
                consider(.stop, point, stop.orderIndex)
            }
            if let tp = takeProfitOrder, let point = pointAbove(tp.price, placedDuringGap: tp.orderIndex >= gapStart) {
                consider(.takeProfit, point, tp.orderIndex)
            }
            trailing: if trailingActive {
                if trailingArmed {
                    guard down else { break trailing }
                    let exitLevel = max(trailingHigh * (1 - (trailingDeviation ?? 0)), trailingPrice)
                    if let point = pointBelow(exitLevel, placedDuringGap: trailingArmedLeg == legCounter) { consider(.trailingExit, point, Int.max - 1) }
                } else if let point = pointAbove(trailingPrice, placedDuringGap: trailingPlacedLeg == legCounter) {
                    consider(.trailingArm, point, Int.max - 1)
                }
            }
            guard let trigger = best else { break }
            p = bestPoint
            let fillPoint = gap ? b : bestPoint
            switch trigger {
            case .safety:
                fillSafety(at: fillPoint, bar: bar)
            case .takeProfit:
                let tp = takeProfitOrder!
                sellPosition(role: .takeProfit, type: .limit, at: fillPoint, level: tp.price, bar: bar, existingOrder: tp)
            case .stop:
                let stop = stopOrder!
                sellPosition(role: .stopLoss, type: .stopMarket, at: fillPoint * (1 - slippage), level: stop.price, bar: bar, existingOrder: stop)
            case .trailingArm:
                trailingArmed = true
                trailingArmedLeg = legCounter
                trailingHigh = fillPoint
            case .trailingExit:
                sellPosition(role: .trailingTakeProfit, type: .market, at: fillPoint * (1 - slippage), level: nil, bar: bar, existingOrder: nil)
            }
        }
        if trailingActive && trailingArmed && up { trailingHigh = max(trailingHigh, b) }
    }

    // MARK: - Deals

    @inline(never)  // an event, off the quiet-bar path: keeps the loop small
    mutating func startDeal(open: Double, bar: Int) {
        let price = open * (1 + slippage)
        guard buyAtMarket(role: .base, price: price, quoteSize: configuration.baseOrderSize, bar: bar, openingDeal: true) else { return }
        basePrice = price
        placeSafetyOrders(bar: bar)
    }

    @inline(never)  // an event, off the quiet-bar path: keeps the loop small
    mutating func recurringBuy(open: Double, bar: Int) {
        let price = open * (1 + slippage)
        _ = buyAtMarket(role: .recurring, price: price, quoteSize: configuration.orderSize, bar: bar, openingDeal: !dealOpen)
    }

    /// A market buy of `quoteSize` (fee on top) at `price`; opens a deal when `openingDeal`.
    /// - Returns: whether it filled.
    mutating func buyAtMarket(role: OrderRole, price: Double, quoteSize: Double, bar: Int, openingDeal: Bool) -> Bool {
        let quantity = price > 0 ? rules.quantity(quoteSize / price) : 0
        let cost = quantity * price * (feeInBase ? 1 : 1 + takerFee)
        var record = OrderRecord(
            sequence: orders.count, deal: openingDeal ? nil : dealNumber, role: role, side: .buy, type: .market, status: .filled,
            price: nil, quantity: quantity, filledQuantity: 0, averagePrice: nil, fees: 0, createdBar: bar, filledBar: nil,
            safetyOrderIndex: nil, reason: nil, needed: nil, available: nil
        )
        if let violation = rules.violation(quantity: quantity, price: price) {
            record.status = .rejected
            record.reason = violation
            orders.append(record)
            return false
        }
        if !canPay(cost) {
            record.status = .rejected
            record.reason = "insufficient funds"
            record.needed = cost
            record.available = quoteFree
            orders.append(record)
            return false
        }
        if openingDeal { openDeal(bar: bar); record.deal = dealNumber }
        quoteFree = max(0, quoteFree - cost)
        let received = feeInBase ? quantity * (1 - takerFee) : quantity
        let fee = feeInBase ? quantity * takerFee * price : quantity * price * takerFee
        baseFree += received
        record.filledQuantity = quantity
        record.averagePrice = price
        record.fees = fee
        record.filledBar = bar
        orders.append(record)
        recordBuy(price: price, quantity: quantity, received: received, cost: cost, fee: fee)
        placeExits(bar: bar)
        return true
    }

    @inline(__always) func canPay(_ amount: Double) -> Bool {
        amount.isFinite && amount <= quoteFree + 1e-9 * max(1, amount)
    }

    mutating func openDeal(bar: Int) {
        dealOpen = true
        dealNumber += 1
        entryNotional = 0
        heldQuantity = 0
        dealCost = 0
        dealFees = 0
        safetyFilled = 0
        nextSafety = 1
        timedStopCount = 0
        timedStopDue = false
        deals.append(DealRecord(
            number: dealNumber, openedBar: bar, closedBar: nil, safetyOrdersFilled: 0, averageEntry: 0, quantity: 0, cost: 0,
            proceeds: 0, realizedPnL: 0, fees: 0, closeReason: nil
        ))
        dealRecordIndex = deals.count - 1
    }

    mutating func recordBuy(price: Double, quantity: Double, received: Double, cost: Double, fee: Double) {
        entryNotional += price * quantity
        heldQuantity += received
        dealCost += cost
        dealFees += fee
        feesPaid += fee
        maxCapitalInUse = max(maxCapitalInUse, dealCost)
        deals[dealRecordIndex].averageEntry = entryNotional / heldQuantity
        deals[dealRecordIndex].quantity = heldQuantity
        deals[dealRecordIndex].cost = dealCost
        deals[dealRecordIndex].fees = dealFees
        deals[dealRecordIndex].safetyOrdersFilled = safetyFilled
    }

    /// Places safety orders in ladder order until `max_active_safety_orders` rest or the ladder
    /// is used up; a rejected one is logged and skipped for good.
    mutating func placeSafetyOrders(bar: Int) {
        while restingSafety.count < maxActiveSafety && nextSafety <= deviations.count {
            let k = nextSafety
            nextSafety += 1
            let price = rules.buyPrice(basePrice * (1 - deviations[k - 1]))
            // A price below one tick rounds to 0: the order is refused (see `violation`).
            let quantity = price > 0 ? rules.quantity(safetySizes[k - 1] / price) : 0
            let lock = quantity * price * (feeInBase ? 1 : 1 + makerFee)
            var record = OrderRecord(sequence: orders.count, deal: dealNumber, role: .safety, side: .buy, type: .limit, price: price, quantity: quantity, bar: bar, safetyOrderIndex: k)
            if let violation = rules.violation(quantity: quantity, price: price) {
                record.status = .rejected
                record.reason = violation
                orders.append(record)
                continue
            }
            if !canPay(lock) {
                record.status = .rejected
                record.reason = "insufficient funds"
                record.needed = lock
                record.available = quoteFree
                orders.append(record)
                continue
            }
            quoteFree = max(0, quoteFree - lock)
            quoteLocked += lock
            orders.append(record)
            restingSafety.append(LegacyRestingOrder(orderIndex: record.sequence, price: price, quantity: quantity, locked: lock, safetyIndex: k))
        }
    }

    mutating func fillSafety(at price: Double, bar: Int) {
        let order = restingSafety.removeFirst()
        let cost = order.quantity * price * (feeInBase ? 1 : 1 + makerFee)
        releaseQuote(order.locked)
        quoteFree = max(0, quoteFree - cost)
        let received = feeInBase ? order.quantity * (1 - makerFee) : order.quantity
        let fee = order.quantity * price * makerFee
        baseFree += received
        orders[order.orderIndex].status = .filled
        orders[order.orderIndex].filledQuantity = order.quantity
        orders[order.orderIndex].averagePrice = price
        orders[order.orderIndex].fees = fee
        orders[order.orderIndex].filledBar = bar
        safetyFilled += 1
        maxSafetyUsed = max(maxSafetyUsed, safetyFilled)
        recordBuy(price: price, quantity: order.quantity, received: received, cost: cost, fee: fee)
        placeExits(bar: bar)
        placeSafetyOrders(bar: bar)
    }

    @inline(__always) mutating func releaseQuote(_ amount: Double) {
        quoteLocked -= amount
        quoteFree += amount
        if restingSafety.isEmpty || quoteLocked < 0 { quoteLocked = 0 }
    }

    /// Cancels the take profit and stop loss and places them again for the whole position.
    mutating func placeExits(bar: Int) {
        cancelExits(bar: bar)
        let sellQuantity = rules.quantity(heldQuantity)
        let average = entryNotional / heldQuantity
        if let takeProfit {
            let target: Double
            switch configuration.takeProfitType {
            case .total: target = average * (1 + takeProfit)
            case .base: target = (entryNotional + takeProfit * configuration.baseOrderSize) / heldQuantity
            }
            let price = rules.sellPrice(target)
            if trailingDeviation != nil {
                trailingActive = true
                trailingArmed = false
                trailingPrice = price
                trailingPlacedLeg = legCounter
                trailingHigh = 0
            } else {
                var record = OrderRecord(sequence: orders.count, deal: dealNumber, role: .takeProfit, side: .sell, type: .limit, price: price, quantity: sellQuantity, bar: bar)
                if let violation = rules.violation(quantity: sellQuantity, price: price) {
                    record.status = .rejected
                    record.reason = violation
                    orders.append(record)
                } else {
                    // Floating-point residue of earlier fills may leave the free base a few ulps
                    // short of the position: never below 0.
                    baseFree = max(0, baseFree - sellQuantity)
                    baseLocked += sellQuantity
                    orders.append(record)
                    takeProfitOrder = LegacyRestingOrder(orderIndex: record.sequence, price: price, quantity: sellQuantity, locked: sellQuantity, safetyIndex: 0)
                }
            }
        }
        if let stopLoss {
            let level = rules.sellPrice(average * (1 - stopLoss))
            if stopTimeout > 0 {
                timedStopLevel = level
            } else {
                let record = OrderRecord(sequence: orders.count, deal: dealNumber, role: .stopLoss, side: .sell, type: .stopMarket, price: level, quantity: sellQuantity, bar: bar)
                orders.append(record)
                stopOrder = LegacyRestingOrder(orderIndex: record.sequence, price: level, quantity: sellQuantity, locked: 0, safetyIndex: 0)
            }
        }
    }

    mutating func cancelExits(bar: Int) {
        if let tp = takeProfitOrder {
            orders[tp.orderIndex].status = .cancelled
            baseLocked -= tp.locked
            baseFree += tp.locked
            if baseLocked < 0 { baseLocked = 0 }
            takeProfitOrder = nil
        }
        if let stop = stopOrder {
            orders[stop.orderIndex].status = .cancelled
            stopOrder = nil
        }
        trailingActive = false
        trailingArmed = false
    }

    /// Sells the whole position (rounded down to the step) at `price`, closing the deal.
    /// `existingOrder` is the resting order that triggered (take profit or stop), if any.
    @inline(never)  // an event, off the quiet-bar path: keeps the loop small
    mutating func sellPosition(role: OrderRole, type: OrderType, at price: Double, level: Double?, bar: Int, existingOrder: LegacyRestingOrder?) {
        let quantity = rules.quantity(heldQuantity)
        let fee = role == .takeProfit ? makerFee : takerFee
        if let violation = rules.violation(quantity: quantity, price: price) {
            // The exit cannot execute: it is rejected and the position stays open until the
            // next buy places the exits again.
            if let existing = existingOrder {
                orders[existing.orderIndex].status = .rejected
                orders[existing.orderIndex].reason = violation
                if role == .takeProfit {
                    baseLocked -= existing.locked
                    baseFree += existing.locked
                    takeProfitOrder = nil
                } else {
                    stopOrder = nil
                }
            } else {
                orders.append(OrderRecord(sequence: orders.count, deal: dealNumber, role: role, side: .sell, type: type, status: .rejected, price: level, quantity: quantity, bar: bar, reason: violation))
                if role == .trailingTakeProfit { trailingActive = false }
                if role == .stopLoss { timedStopLevel = nil }
            }
            return
        }
        // Release what the exits hold, then sell from the free base.
        var orderIndex: Int
        if let existing = existingOrder, role == .takeProfit {
            baseLocked -= existing.locked
            baseFree += existing.locked
            takeProfitOrder = nil
            orderIndex = existing.orderIndex
            if let stop = stopOrder { orders[stop.orderIndex].status = .cancelled; stopOrder = nil }
        } else {
            if let existing = existingOrder {
                orderIndex = existing.orderIndex
                stopOrder = nil
            } else {
                orderIndex = orders.count
                orders.append(OrderRecord(sequence: orders.count, deal: dealNumber, role: role, side: .sell, type: type, price: level, quantity: quantity, bar: bar))
            }
            if let tp = takeProfitOrder {
                orders[tp.orderIndex].status = .cancelled
                baseLocked -= tp.locked
                baseFree += tp.locked
                takeProfitOrder = nil
            }
            if let stop = stopOrder { orders[stop.orderIndex].status = .cancelled; stopOrder = nil }
        }
        if baseLocked < 0 || takeProfitOrder == nil { baseLocked = 0 }
        let proceeds = quantity * price * (1 - fee)
        let feeAmount = quantity * price * fee
        baseFree = max(0, baseFree - quantity)
        quoteFree += proceeds
        orders[orderIndex].status = .filled
        orders[orderIndex].filledQuantity = quantity
        orders[orderIndex].averagePrice = price
        orders[orderIndex].fees = feeAmount
        orders[orderIndex].filledBar = bar
        // Cancel the rest of the ladder.
        for order in restingSafety {
            orders[order.orderIndex].status = .cancelled
            quoteLocked -= order.locked
            quoteFree += order.locked
        }
        restingSafety.removeAll(keepingCapacity: true)
        quoteLocked = 0
        trailingActive = false
        trailingArmed = false
        timedStopLevel = nil
        timedStopCount = 0
        timedStopDue = false
        feesPaid += feeAmount
        dealFees += feeAmount
        let pnl = proceeds - dealCost
        realizedPnL += pnl
        let realizedEquity = configuration.initialBalance + realizedPnL
        realizedPeak = max(realizedPeak, realizedEquity)
        if realizedPeak > 0 { realizedMaxDrawdown = max(realizedMaxDrawdown, (realizedPeak - realizedEquity) / realizedPeak) }
        deals[dealRecordIndex].closedBar = bar
        deals[dealRecordIndex].proceeds = proceeds
        deals[dealRecordIndex].realizedPnL = pnl
        deals[dealRecordIndex].fees = dealFees
        deals[dealRecordIndex].closeReason = role
        dealOpen = false
        heldQuantity = 0
        entryNotional = 0
        nextDealBar = bar + 1 + configuration.cooldownBars
    }
}

extension Backtester {
    /// ``run(configuration:candles:detail:recordEquity:)`` with ``LegacyDCAEngine``: only for the
    /// test that proves the restructured engine gives the same results bit for bit.
    static func runLegacy(configuration: BotConfiguration, candles: CandleSeries, detail: DetailPath? = nil) -> BacktestResult {
        var engine = LegacyDCAEngine(configuration: configuration)
        engine.equity.reserveCapacity(candles.count)
        if configuration.fillModel == .detail { engine.detail = detail }
        engine.run(candles: candles)
        let metrics = computeMetrics(engine: engine, candles: candles)
        return BacktestResult(
            configuration: configuration, candles: candles, orders: engine.orders, deals: engine.deals, equity: engine.equity,
            metrics: metrics, quoteFree: engine.quoteFree, quoteLocked: engine.quoteLocked, baseFree: engine.baseFree,
            baseLocked: engine.baseLocked
        )
    }
}

/// ``PreparedReplay`` with ``LegacyDCAEngine``: only for the benchmark that measures the old and
/// the restructured engine in one process, side by side. Delete with `LegacyDCAEngine`.
public struct LegacyPreparedReplay: Sendable {
    var engine: LegacyDCAEngine

    public init(configuration: BotConfiguration, candles count: Int, orderCapacity: Int = 64) {
        engine = LegacyDCAEngine(configuration: configuration)
        engine.equity.reserveCapacity(count)
        engine.orders.reserveCapacity(orderCapacity)
        engine.deals.reserveCapacity(max(16, orderCapacity / 4))
    }

    public mutating func replay(_ candles: CandleSeries) {
        engine.run(candles: candles)
    }

    public var orderCount: Int { engine.orders.count }
}

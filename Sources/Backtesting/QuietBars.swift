import Indicators

/// What the loop needs to know, between two events, to recognise a quiet bar: one at whose open
/// nothing is due and along whose path no order can trigger, so that the bar only adds its equity
/// to the curve (and, with a deal holding base, counts as a bar in position).
///
/// A snapshot of ``DCAEngine`` taken after each eventful bar: a quiet bar changes none of it, so
/// the loop runs quiet bars from plain values (registers) without reading the engine back or
/// calling out, and hands a bar to ``DCAEngine/eventfulBar(_:_:previousClose:startGate:)``
/// as soon as one is not quiet. Whether a bar is quiet is exactly the negation of every condition
/// under which that function acts, so both paths give the same bits.
struct QuietBars {
    /// False when every bar must take the full path: a timed stop counting closes or due, a
    /// calendar recurring schedule, a close-condition exit due, or close conditions holding while
    /// a deal is open (its profit guard is checked at every close).
    let enabled: Bool
    /// An order rests or a deal is open (``DCAEngine/hasExposure``).
    let exposure: Bool
    /// ``DCAEngine/walkEveryBar``, ``DCAEngine/buyTriggerLevel``, ``DCAEngine/sellTriggerLevel``.
    let walkEveryBar: Bool
    let buyTriggerLevel: Double
    let sellTriggerLevel: Double
    /// The first bar at whose open something may be due: a base order or a recurring buy, or the
    /// start and close conditions may change whether they hold (`Int.max`: nothing until an event
    /// changes it). Conditions on a coarser timeframe change only at the last bar of a bucket
    /// (``ConditionSet/unchangedBefore``); the bars before it only add to the unfinished buckets,
    /// which the loop does for a whole run of quiet bars at once
    /// (``ConditionSet/absorb(highs:lows:closes:volumes:bars:)``).
    let nextBuyBar: Int
    /// A trailing stop loss rests, without close conditions or finer candles: a bar that is not
    /// quiet only because the stop follows a new high may take ``DCAEngine/followTrailingStop(bar:open:high:low:close:previousClose:)``.
    let followsTrailingStop: Bool
    /// A deal holds base: every quiet bar counts toward ``DCAEngine/barsInPosition``.
    let inPosition: Bool
    /// The account's quote and base totals (``Balances/quoteTotal``, ``Balances/baseTotal``).
    let quoteTotal: Double
    let baseTotal: Double
    /// What the loop tests, derived from the above once per snapshot: the bars before `end` have
    /// nothing due at their open (0 when no bar is quiet: disabled, or every bar walked), and a
    /// bar among them is quiet when its prices, with the previous close, stay strictly between
    /// `floor` and `ceiling` (the trigger levels with exposure, else the infinities).
    let end: Int
    let floor: Double
    let ceiling: Double

    init(
        enabled: Bool, exposure: Bool, walkEveryBar: Bool, buyTriggerLevel: Double, sellTriggerLevel: Double, nextBuyBar: Int,
        followsTrailingStop: Bool, inPosition: Bool, quoteTotal: Double, baseTotal: Double
    ) {
        self.enabled = enabled
        self.exposure = exposure
        self.walkEveryBar = walkEveryBar
        self.buyTriggerLevel = buyTriggerLevel
        self.sellTriggerLevel = sellTriggerLevel
        self.nextBuyBar = nextBuyBar
        self.followsTrailingStop = followsTrailingStop
        self.inPosition = inPosition
        self.quoteTotal = quoteTotal
        self.baseTotal = baseTotal
        end = !enabled || (exposure && walkEveryBar) ? 0 : nextBuyBar
        floor = exposure ? buyTriggerLevel : -.infinity
        ceiling = exposure ? sellTriggerLevel : .infinity
    }

    /// The same snapshot with new trigger levels: after ``DCAEngine/followTrailingStop(bar:open:high:low:close:previousClose:)``
    /// raised the stop, which changes nothing else a snapshot holds.
    @inline(__always) func withTriggerLevels(buy: Double, sell: Double) -> QuietBars {
        QuietBars(
            enabled: enabled, exposure: exposure, walkEveryBar: walkEveryBar, buyTriggerLevel: buy, sellTriggerLevel: sell,
            nextBuyBar: nextBuyBar, followsTrailingStop: followsTrailingStop, inPosition: inPosition, quoteTotal: quoteTotal, baseTotal: baseTotal
        )
    }

    /// No bar is quiet (before the first bar).
    static let none = QuietBars(
        enabled: false, exposure: false, walkEveryBar: false, buyTriggerLevel: 0, sellTriggerLevel: 0, nextBuyBar: 0, followsTrailingStop: false,
        inPosition: false, quoteTotal: 0, baseTotal: 0
    )

    /// Whether a bar before `end` is quiet: neither its range nor its gap leg from the previous
    /// close reaches `floor` or `ceiling`. A bar (> 0) is quiet exactly when it lies before `end`
    /// and this holds: the conditions under which ``DCAEngine/eventfulBar(_:_:previousClose:startGate:)``
    /// acts, negated (no buy at the open, and with exposure neither the gap leg nor the path
    /// reaching a trigger level).
    @inline(__always) func pricesQuiet(open: Double, high: Double, low: Double, previousClose: Double) -> Bool {
        if low <= floor || high >= ceiling { return false }
        if open != previousClose && (min(open, previousClose) <= floor || max(open, previousClose) >= ceiling) { return false }
        return true
    }

    /// Whether bar `bar` (> 0) has nothing due at its open (the conditions of a quiet bar but its
    /// prices), with a trailing stop loss resting.
    @inline(__always) func mayOnlyFollowTrailingStop(bar: Int) -> Bool {
        followsTrailingStop && enabled && bar < nextBuyBar
    }

    /// The equity at `close`: ``Balances/equity(at:)`` from the snapshot's totals.
    @inline(__always) func equity(at close: Double) -> Double {
        quoteTotal + baseTotal * close
    }
}

extension DCAEngine {
    /// The snapshot after eventful bar `bar` of `times`, with the start conditions as the loop
    /// holds them.
    @inline(__always) func quietBars(after bar: Int, times: UnsafeBufferPointer<Int64>, startGate: inout ConditionSet, hasConditions: Bool) -> QuietBars {
        var enabled = !closeDue
        var conditionsChangeAt = Int.max
        if hasConditions {
            var unchangedBefore = startGate.unchangedBefore
            if let closeUnchangedBefore = closeConditions?.unchangedBefore { unchangedBefore = min(unchangedBefore, closeUnchangedBefore) }
            if closeConditions?.holds == true && deal != nil { enabled = false }
            conditionsChangeAt = QuietBars.firstBar(of: times, after: bar, openingAtOrAfter: unchangedBefore)
        }
        switch stopSide {
        case .countdown, .due: enabled = false
        case .none, .resting, .trailing: break
        }
        let nextBuyBar: Int
        if configuration.mode == .safetyOrders {
            // A start condition that does not hold cannot come to hold before an eventful bar.
            let mayStart = deal == nil && !botStopped && belowMaxDeals && startGate.holds
            nextBuyBar = min(mayStart ? nextDealBar : Int.max, conditionsChangeAt)
        } else if recurringSchedule == nil {
            // isRecurringBuyBar: every `every_bars` bars, from bar 0.
            let every = configuration.everyBars
            nextBuyBar = min((bar / every + 1) * every, conditionsChangeAt)
        } else {
            enabled = false
            nextBuyBar = 0
        }
        var followsTrailingStop = false
        if case .trailing = stopSide { followsTrailingStop = closeConditions == nil && detail == nil }
        let holding: Bool
        if let deal { holding = deal.heldQuantity > 0 } else { holding = false }
        return QuietBars(
            enabled: enabled, exposure: hasExposure, walkEveryBar: walkEveryBar, buyTriggerLevel: buyTriggerLevel,
            sellTriggerLevel: sellTriggerLevel, nextBuyBar: nextBuyBar, followsTrailingStop: followsTrailingStop, inPosition: holding,
            quoteTotal: balances.quoteTotal, baseTotal: balances.baseTotal
        )
    }
}

extension QuietBars {
    /// The index of the first bar after `bar` whose open time is at or after `time` (`times`
    /// strictly increasing), or `times.count` when none is: a galloping search from `bar + 1`
    /// (the answer is usually a bucket's length away, so it reads only nearby, cached times).
    @inline(never)  // once per snapshot with conditions
    static func firstBar(of times: UnsafeBufferPointer<Int64>, after bar: Int, openingAtOrAfter time: Int64) -> Int {
        var low = bar + 1
        var step = 1
        var high = low
        // Gallop: [low, high) holds no answer yet; widen until times[high] >= time or the end.
        while high < times.count && times[high] < time {
            low = high + 1
            high += step
            step &*= 2
        }
        high = min(high, times.count)
        while low < high {
            let middle = low + (high - low) / 2
            if times[middle] < time { low = middle + 1 } else { high = middle }
        }
        return low
    }
}

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
    /// False when every bar must take the full path: close or start conditions (their indicators
    /// take every bar), a timed stop counting closes or due, or a calendar recurring schedule.
    let enabled: Bool
    /// An order rests or a deal is open (``DCAEngine/hasExposure``).
    let exposure: Bool
    /// ``DCAEngine/walkEveryBar``, ``DCAEngine/buyTriggerLevel``, ``DCAEngine/sellTriggerLevel``.
    let walkEveryBar: Bool
    let buyTriggerLevel: Double
    let sellTriggerLevel: Double
    /// The first bar at which a base order or a recurring buy is placed at the open (`Int.max`: none
    /// until an event changes it).
    let nextBuyBar: Int
    /// A deal holds base: every quiet bar counts toward ``DCAEngine/barsInPosition``.
    let inPosition: Bool
    /// The account's quote and base totals (``Balances/quoteTotal``, ``Balances/baseTotal``).
    let quoteTotal: Double
    let baseTotal: Double

    /// No bar is quiet (before the first bar).
    static let none = QuietBars(
        enabled: false, exposure: false, walkEveryBar: false, buyTriggerLevel: 0, sellTriggerLevel: 0, nextBuyBar: 0,
        inPosition: false, quoteTotal: 0, baseTotal: 0
    )

    /// Whether bar `bar` (> 0) is quiet: no buy at its open, and neither the gap leg from the
    /// previous close nor its path reaches a trigger level (the conditions of
    /// ``DCAEngine/eventfulBar(_:_:previousClose:startGate:)``, negated).
    @inline(__always) func holds(bar: Int, open: Double, high: Double, low: Double, previousClose: Double) -> Bool {
        guard enabled && bar < nextBuyBar else { return false }
        if exposure {
            if walkEveryBar || low <= buyTriggerLevel || high >= sellTriggerLevel { return false }
            if open != previousClose && (min(open, previousClose) <= buyTriggerLevel || max(open, previousClose) >= sellTriggerLevel) {
                return false
            }
        }
        return true
    }

    /// The equity at `close`: ``Balances/equity(at:)`` from the snapshot's totals.
    @inline(__always) func equity(at close: Double) -> Double {
        quoteTotal + baseTotal * close
    }
}

extension DCAEngine {
    /// The snapshot after eventful bar `bar`, with `hasStartConditions` as the loop knows it.
    @inline(__always) func quietBars(after bar: Int, hasStartConditions: Bool) -> QuietBars {
        var enabled = !hasStartConditions && closeConditions == nil
        switch stopSide {
        case .countdown, .due: enabled = false
        case .none, .resting, .trailing: break
        }
        let nextBuyBar: Int
        if configuration.mode == .safetyOrders {
            let mayStart = deal == nil && !botStopped && belowMaxDeals
            nextBuyBar = mayStart ? nextDealBar : Int.max
        } else if recurringSchedule == nil {
            // isRecurringBuyBar: every `every_bars` bars, from bar 0.
            let every = configuration.everyBars
            nextBuyBar = (bar / every + 1) * every
        } else {
            enabled = false
            nextBuyBar = 0
        }
        let holding: Bool
        if let deal { holding = deal.heldQuantity > 0 } else { holding = false }
        return QuietBars(
            enabled: enabled, exposure: hasExposure, walkEveryBar: walkEveryBar, buyTriggerLevel: buyTriggerLevel,
            sellTriggerLevel: sellTriggerLevel, nextBuyBar: nextBuyBar, inPosition: holding,
            quoteTotal: balances.quoteTotal, baseTotal: balances.baseTotal
        )
    }
}

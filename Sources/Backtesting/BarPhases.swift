import DCAStrategy
import Indicators

/// The two phases of one bar: the open (exits, then the start of a deal or a recurring buy),
/// then the path and the close. The one-pair loop's eventful bars
/// (``DCAEngine/eventfulBar(_:_:previousClose:startGate:)``) run them back to back; a multi-pair
/// run (``PortfolioReplay``) runs every symbol's open before any symbol's path, and decides the
/// starts itself (slots, signals). A one-symbol portfolio gives the one-pair run's results bit
/// for bit (PortfolioReplayTests).
extension DCAEngine {
    /// The exits at an open: the gap leg from the previous close, a due timed stop, a due
    /// close-condition exit, then `closeSignals` close signals (a market sell of the open deal).
    /// - Returns: the close signals used (1 when a deal was sold on them, else 0).
    @inline(__always)
    mutating func exitsAtOpen(bar: Int, openTime: Int64, open: Double, previousClose: Double, closeSignals: Int) -> Int {
        if gapLegMayReachAnOrder(bar: bar, open: open, previousClose: previousClose) {
            traverse(from: previousClose, to: open, gap: true, bar: bar)
            refreshTriggerLevels()
        }
        if case .due = stopSide {
            closeDeal(.market(.stopLoss), at: open * (1 - slippage), bar: bar)
            refreshTriggerLevels()
        }
        if closeConditions != nil {
            closeConditionsAtOpen(openTime: openTime, open: open, previousClose: previousClose, bar: bar)
        }
        if closeSignals > 0 && deal != nil {
            closeDeal(.market(.signal), at: open * (1 - slippage), bar: bar)
            refreshTriggerLevels()
            return deal == nil ? 1 : 0
        }
        return 0
    }

    /// Whether the open of bar `bar` changes nothing for a deal that is open: nothing is due
    /// (a timed stop, a close-condition exit) and the gap leg from the previous close reaches no
    /// order, so ``exitsAtOpen(bar:openTime:open:previousClose:closeSignals:)`` would do nothing.
    /// Without close conditions and close signals (the caller checks those).
    @inline(__always)
    func opensQuietly(bar: Int, open: Double, previousClose: Double) -> Bool {
        guard deal != nil else { return false }
        if case .due = stopSide { return false }
        return !gapLegMayReachAnOrder(bar: bar, open: open, previousClose: previousClose)
    }

    /// Whether the gap leg from the previous close to the open of bar `bar` may reach an order:
    /// there is a gap, something rests, and the leg reaches a trigger level (or every leg is
    /// walked). ``exitsAtOpen(bar:openTime:open:previousClose:closeSignals:)`` walks it then.
    @inline(__always)
    func gapLegMayReachAnOrder(bar: Int, open: Double, previousClose: Double) -> Bool {
        bar > 0 && open != previousClose && hasExposure
            && (walkEveryBar || min(open, previousClose) <= buyTriggerLevel || max(open, previousClose) >= sellTriggerLevel)
    }

    /// Whether a path ranging from `low` to `high` may reach an order: something rests and the
    /// range reaches a trigger level (or every bar is walked).
    /// ``pathAndClose(bar:openTime:open:high:low:close:volume:)`` walks the bar then.
    @inline(__always)
    func pathMayReachAnOrder(high: Double, low: Double) -> Bool {
        hasExposure && (walkEveryBar || low <= buyTriggerLevel || high >= sellTriggerLevel)
    }

    /// Whether the path through a bar ranging from `low` to `high` changes nothing for a deal that
    /// is open but its bars in position: no order is reached and no timed stop counts closes, so
    /// ``pathAndClose(bar:openTime:open:high:low:close:volume:)`` would only count the bar.
    /// Without close conditions (the caller checks those).
    @inline(__always)
    func ridesQuietly(high: Double, low: Double) -> Bool {
        guard deal != nil else { return false }
        if case .countdown = stopSide { return false }
        return !pathMayReachAnOrder(high: high, low: low)
    }

    /// The base order of a new deal at the open (the portfolio decided it may start).
    /// - Returns: whether the deal opened (its base order was not rejected).
    @inline(__always)
    mutating func startAtOpen(bar: Int, open: Double) -> Bool {
        startDeal(open: open, bar: bar)
        refreshTriggerLevels()
        return deal != nil
    }

    /// A recurring buy at the open when its schedule says so (mode `recurring`).
    @inline(__always)
    mutating func recurringAtOpen(bar: Int, times: UnsafeBufferPointer<Int64>, open: Double) {
        if isRecurringBuyBar(bar, times: times) {
            recurringBuy(open: open, bar: bar)
            refreshTriggerLevels()
        }
    }

    /// The path through the bar and what its close decides: the timed stop's count, the close
    /// conditions, the bars in position.
    @inline(__always)
    mutating func pathAndClose(bar: Int, openTime: Int64, open: Double, high: Double, low: Double, close: Double, volume: Double) {
        if pathMayReachAnOrder(high: high, low: low) {
            walkBar(bar: bar, open: open, high: high, low: low, close: close)
            refreshTriggerLevels()
        }
        if case .countdown(let level, let closes) = stopSide {
            countTimedStop(level: level, closes: closes, close: close)
        }
        if closeConditions != nil {
            evaluateCloseConditions(bar: bar, openTime: openTime, open: open, high: high, low: low, close: close, volume: volume)
        }
        if let deal, deal.heldQuantity > 0 { barsInPosition += 1 }
    }
}

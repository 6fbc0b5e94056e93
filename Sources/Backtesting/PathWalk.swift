import DCAStrategy

extension DCAEngine {
    /// Walks bar `bar` through its price path: `open -> x -> y -> close` (``pathExtremes``), or
    /// its finer candles under the `detail` fill model.
    @inline(__always) mutating func walkBar(bar: Int, open: Double, high: Double, low: Double, close: Double) {
        if let detail, detail.starts[bar] < detail.starts[bar + 1] {
            walkDetail(detail, bar: bar, open: open, close: close)
        } else {
            let (x, y) = pathExtremes(open: open, high: high, low: low)
            traverse(from: open, to: x, gap: false, bar: bar)
            traverse(from: x, to: y, gap: false, bar: bar)
            traverse(from: y, to: close, gap: false, bar: bar)
        }
    }

    /// The two inner points of the bar's path `open -> x -> y -> close`.
    @inline(__always) func pathExtremes(open: Double, high: Double, low: Double) -> (Double, Double) {
        switch fillModel {
        case .ohlc: return (high, low)
        case .olhc: return (low, high)
        case .pessimistic: return stopSide.rests ? (low, high) : (high, low)
        case .adaptive: return (high - open) <= (open - low) ? (high, low) : (low, high)
        case .detail: return stopSide.rests ? (low, high) : (high, low)  // a bar without detail
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
            let (x, y) = stopSide.rests ? (fineLow, fineHigh) : (fineHigh, fineLow)
            traverse(from: fineOpen, to: x, gap: false, bar: bar)
            traverse(from: x, to: y, gap: false, bar: bar)
            point = detail.closes[f]
            traverse(from: y, to: point, gap: false, bar: bar)
        }
        traverse(from: point, to: close, gap: false, bar: bar)
    }

    /// What the path reached first on a leg.
    enum Trigger { case safety, takeProfit, stop, trailingArm, trailingExit }

    /// Fills every order reached on the leg from `a` to `b`, in the order the price reaches
    /// them; orders placed after a fill may fill on the rest of the leg only. On a gap leg
    /// (previous close to open) everything fills at the open, and orders placed during the
    /// jump exist only at the open.
    @inline(never)  // an event, off the quiet-bar path: keeps the loop small
    mutating func traverse(from a: Double, to b: Double, gap: Bool, bar: Int) {
        legSerial &+= 1
        let leg = legSerial
        let down = b < a
        let up = b > a
        // Fast exit: nothing can be reached on this leg.
        let lowPoint = down ? b : a
        let highPoint = up ? b : a
        var reachable = false
        if let first = restingSafety.first, first.price >= lowPoint { reachable = true }
        if let stop = stopSide.restingOrder, stop.price >= lowPoint { reachable = true }
        switch takeProfitSide {
        case .none: break
        case .resting(let order): if order.price <= highPoint { reachable = true }
        case .trailingWaiting(let activation, _): if activation <= highPoint { reachable = true }
        case .trailingArmed: reachable = true
        }
        if !reachable { return }

        var p = a
        while true {
            var best: Trigger? = nil
            var bestPoint = 0.0
            var bestDistance = Double.infinity
            var bestSequence = Int.max
            @inline(__always) func consider(_ trigger: Trigger, _ point: Double, _ sequence: Int) {
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
            if let first = restingSafety.first, let point = pointBelow(first.price, placedDuringGap: first.leg == leg) {
                consider(.safety, point, first.orderIndex)
            }
            if let stop = stopSide.restingOrder, let point = pointBelow(stop.price, placedDuringGap: stop.leg == leg) {
                consider(.stop, point, stop.orderIndex)
            }
            switch takeProfitSide {
            case .none:
                break
            case .resting(let order):
                if let point = pointAbove(order.price, placedDuringGap: order.leg == leg) { consider(.takeProfit, point, order.orderIndex) }
            case .trailingWaiting(let activation, let placedLeg):
                // An activation price computed during a jump (after a gap fill) exists only at
                // the open, like an order placed there.
                if let point = pointAbove(activation, placedDuringGap: placedLeg == leg) { consider(.trailingArm, point, Int.max - 1) }
            case .trailingArmed(let activation, let high, let armedLeg):
                if down {
                    let exitLevel = max(high * (1 - (trailingDeviation ?? 0)), activation)
                    if let point = pointBelow(exitLevel, placedDuringGap: armedLeg == leg) { consider(.trailingExit, point, Int.max - 1) }
                }
            }
            guard let trigger = best else { break }
            p = bestPoint
            let fillPoint = gap ? b : bestPoint
            switch trigger {
            case .safety:
                fillSafety(at: fillPoint, bar: bar)
            case .takeProfit:
                closeDeal(.takeProfit(takeProfitSide.restingOrder!), at: fillPoint, bar: bar)
            case .stop:
                closeDeal(.stop(stopSide.restingOrder!), at: fillPoint * (1 - slippage), bar: bar)
            case .trailingArm:
                if case .trailingWaiting(let activation, _) = takeProfitSide {
                    takeProfitSide = .trailingArmed(activation: activation, high: fillPoint, leg: leg)
                }
            case .trailingExit:
                closeDeal(.market(.trailingTakeProfit), at: fillPoint * (1 - slippage), bar: bar)
            }
        }
        if up, case .trailingArmed(let activation, let high, let armedLeg) = takeProfitSide {
            takeProfitSide = .trailingArmed(activation: activation, high: max(high, b), leg: armedLeg)
        }
    }
}

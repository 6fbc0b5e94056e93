import DCAStrategy

/// The start (or close) conditions of one symbol, evaluated incrementally bar by bar.
///
/// Feed every bar of the symbol with ``update(openTime:open:high:low:close:volume:)`` at its
/// close; at the next bar's open, call ``beginBar(openTime:)`` and read ``holds``: whether every
/// condition (AND) held at the last close. A condition on a coarser timeframe changes only when
/// one of its buckets completes, and keeps its value until the next completes. During an
/// indicator's warm-up its condition does not hold. An empty set always holds: for close
/// conditions, check ``isEmpty`` first.
///
/// All storage (ring buffers of the indicators' windows) is allocated at `init`; updating
/// allocates nothing.
public struct ConditionSet: Sendable {
    @usableFromInline var evaluators: ContiguousArray<ConditionEvaluator>
    @usableFromInline var allHold: Bool

    /// - Parameters:
    ///   - conditions: decoded and validated conditions (``DealCondition/decodeList(_:key:)``).
    ///   - interval: the data's bar interval, nanoseconds.
    /// - Precondition: every timeframe is a whole multiple of `interval`
    ///   (``DealCondition/problems(of:key:dataInterval:)`` is empty).
    public init(conditions: [DealCondition], interval: Int64) {
        evaluators = ContiguousArray(conditions.map { ConditionEvaluator(condition: $0, interval: interval) })
        allHold = conditions.isEmpty
    }

    @inlinable public var isEmpty: Bool { evaluators.isEmpty }

    /// Whether every condition held at the last close (true for an empty set).
    @inlinable public var holds: Bool { allHold }

    /// Completes coarser buckets whose last bar is missing, before the bar opening at `openTime`
    /// is looked at.
    @inlinable
    public mutating func beginBar(openTime: Int64) {
        var changed = false
        for i in evaluators.indices where evaluators[i].hasAggregator {
            changed = evaluators[i].closeBucket(before: openTime) || changed
        }
        if changed { recompute() }
    }

    /// Takes in a bar at its close.
    @inlinable
    public mutating func update(openTime: Int64, open: Double, high: Double, low: Double, close: Double, volume: Double) {
        guard !evaluators.isEmpty else { return }
        for i in evaluators.indices {
            evaluators[i].update(openTime: openTime, open: open, high: high, low: low, close: close, volume: volume)
        }
        recompute()
    }

    /// The open time before which a bar, after the bars taken in, changes nothing but the running
    /// values of its conditions' unfinished buckets: every condition is on a coarser timeframe with
    /// an unfinished bucket, and such a bar is not that bucket's last, so ``holds`` stays as it is.
    /// `Int64.max` for an empty set; `Int64.min` when the next bar may change something (a
    /// condition on the data's own timeframe, or a bucket to start). Such bars may be handed to
    /// ``absorb(highs:lows:closes:volumes:bars:)`` in one go instead of one
    /// ``update(openTime:open:high:low:close:volume:)`` each.
    @inlinable
    public var unchangedBefore: Int64 {
        var before = Int64.max
        for i in evaluators.indices {
            guard let aggregator = evaluators[i].aggregator else { return .min }
            before = min(before, aggregator.completesNothingBefore)
        }
        return before
    }

    /// Takes in bars `bars` of the columns, each opening before ``unchangedBefore`` (as it was
    /// after the bars taken in before them): the same state as one ``update(openTime:open:high:low:close:volume:)``
    /// per bar. `volumes` nil takes volume 0 per bar.
    @inlinable
    public mutating func absorb(
        highs: UnsafeBufferPointer<Double>, lows: UnsafeBufferPointer<Double>, closes: UnsafeBufferPointer<Double>,
        volumes: UnsafeBufferPointer<Double>?, bars: Range<Int>
    ) {
        for i in evaluators.indices {
            evaluators[i].aggregator!.absorb(highs: highs, lows: lows, closes: closes, volumes: volumes, bars: bars)
        }
    }

    @inlinable
    mutating func recompute() {
        var all = true
        for i in evaluators.indices where !evaluators[i].holds {
            all = false
            break
        }
        allHold = all
    }
}

/// One condition: its indicator's state, the aggregator of its timeframe (if coarser than the
/// data), and whether it held at the last value.
@usableFromInline
struct ConditionEvaluator: Sendable {
    @usableFromInline var state: IndicatorState
    @usableFromInline var aggregator: TimeframeAggregator?
    @usableFromInline var holds = false

    init(condition: DealCondition, interval: Int64) {
        state = IndicatorState(condition.indicator)
        if let timeframe = condition.timeframe, timeframe.nanoseconds != interval {
            aggregator = TimeframeAggregator(timeframe: timeframe, interval: interval)
        }
    }

    @inlinable var hasAggregator: Bool { aggregator != nil }

    /// Feeds a bucket left incomplete by a gap; whether anything was fed.
    @inlinable
    mutating func closeBucket(before openTime: Int64) -> Bool {
        guard let bucket = aggregator!.closeBucket(before: openTime) else { return false }
        holds = state.evaluate(close: bucket.close)
        return true
    }

    @inlinable
    mutating func update(openTime: Int64, open: Double, high: Double, low: Double, close: Double, volume: Double) {
        guard aggregator != nil else {
            holds = state.evaluate(close: close)
            return
        }
        if let stale = aggregator!.closeBucket(before: openTime) {
            holds = state.evaluate(close: stale.close)
        }
        if let bucket = aggregator!.add(openTime: openTime, open: open, high: high, low: low, close: close, volume: volume) {
            holds = state.evaluate(close: bucket.close)
        }
    }
}

/// The indicator of one condition with its level, as a closed set of states.
@usableFromInline
enum IndicatorState: Sendable {
    case rsi(RelativeStrengthIndex, DealCondition.Bound)
    case average(MovingAverage, DealCondition.PriceSide)
    case cross(fast: MovingAverage, slow: MovingAverage, previous: (fast: Double, slow: Double)?, DealCondition.CrossDirection)
    case bollinger(BollingerPercentB, DealCondition.Bound)
    case change(PriceChange, DealCondition.Bound)
    case price(min: Double, max: Double)
    /// Held only while a payload is being updated, so that its buffers are uniquely referenced
    /// and updated in place (no copy on write).
    case updating

    init(_ indicator: DealCondition.Indicator) {
        switch indicator {
        case .rsi(let period, let bound): self = .rsi(RelativeStrengthIndex(period: period), bound)
        case .movingAverage(let kind, let period, let side): self = .average(MovingAverage(kind, period: period), side)
        case .movingAverageCross(let kind, let fast, let slow, let direction):
            self = .cross(fast: MovingAverage(kind, period: fast), slow: MovingAverage(kind, period: slow), previous: nil, direction)
        case .bollingerPercentB(let period, let deviations, let bound):
            self = .bollinger(BollingerPercentB(period: period, deviations: deviations), bound)
        case .priceChange(let bars, let bound): self = .change(PriceChange(bars: bars), bound)
        case .price(let low, let high): self = .price(min: low ?? -.infinity, max: high ?? .infinity)
        }
    }

    /// Takes the next close of the condition's timeframe; whether the condition holds now.
    @inlinable
    mutating func evaluate(close: Double) -> Bool {
        switch self {
        case .rsi(var indicator, let bound):
            self = .updating
            let value = indicator.update(close)
            self = .rsi(indicator, bound)
            return value.map(bound.holds) ?? false
        case .average(var average, let side):
            self = .updating
            let value = average.update(close)
            self = .average(average, side)
            guard let value else { return false }
            return side == .above ? close > value : close < value
        case .cross(var fast, var slow, let previous, let direction):
            self = .updating
            let f = fast.update(close)
            let s = slow.update(close)
            guard let f, let s else {
                self = .cross(fast: fast, slow: slow, previous: nil, direction)
                return false
            }
            self = .cross(fast: fast, slow: slow, previous: (f, s), direction)
            guard let previous else { return false }
            switch direction {
            case .up: return previous.fast <= previous.slow && f > s
            case .down: return previous.fast >= previous.slow && f < s
            }
        case .bollinger(var bands, let bound):
            self = .updating
            let value = bands.update(close)
            self = .bollinger(bands, bound)
            return value.map(bound.holds) ?? false
        case .change(var change, let bound):
            self = .updating
            let value = change.update(close)
            self = .change(change, bound)
            return value.map(bound.holds) ?? false
        case .price(let low, let high):
            return close >= low && close <= high
        case .updating:
            preconditionFailure("an indicator state is updated re-entrantly")
        }
    }
}

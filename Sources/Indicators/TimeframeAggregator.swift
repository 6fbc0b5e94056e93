import DCAStrategy

/// One candle of a coarser timeframe: open of its first bar, highest high, lowest low, close of
/// its last bar, summed volume; `openTime` is the bucket's UTC-aligned start (nanoseconds).
public struct Bucket: Sendable, Equatable {
    public var openTime: Int64
    public var open: Double
    public var high: Double
    public var low: Double
    public var close: Double
    public var volume: Double

    public init(openTime: Int64, open: Double, high: Double, low: Double, close: Double, volume: Double) {
        self.openTime = openTime
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.volume = volume
    }
}

/// Turns the data's bars, one at a time, into UTC-aligned buckets of a coarser ``Timeframe``.
///
/// A bucket is complete, and only then given out, at the close of its last bar: the bar whose
/// close time (`open time + interval`) reaches the bucket's end. When that bar is missing (a gap
/// in the data), the bucket is complete once a bar at or after its end opens:
/// ``closeBucket(before:)``, which the caller asks first at every bar. Buckets without any bar
/// are not invented. Allocation-free.
public struct TimeframeAggregator: Sendable {
    public let timeframe: Timeframe
    /// The data's bar interval, nanoseconds.
    public let interval: Int64
    @usableFromInline var partial = Bucket(openTime: 0, open: 0, high: 0, low: 0, close: 0, volume: 0)
    @usableFromInline var partialEnd: Int64 = 0
    @usableFromInline var hasPartial = false

    /// - Precondition: `timeframe` is a whole multiple of `interval` (checked with the
    ///   configuration by ``DealCondition/problems(of:key:dataInterval:)``).
    public init(timeframe: Timeframe, interval: Int64) {
        precondition(interval > 0 && timeframe.nanoseconds % interval == 0, "a timeframe must be a whole multiple of the bar interval")
        self.timeframe = timeframe
        self.interval = interval
    }

    /// The unfinished bucket, if a bar of it has been seen.
    public var pending: Bucket? { hasPartial ? partial : nil }

    /// The unfinished bucket when its end is at or before `openTime` (its last bar was missing):
    /// it is complete now and is given out once.
    @inlinable
    public mutating func closeBucket(before openTime: Int64) -> Bucket? {
        guard hasPartial, partialEnd <= openTime else { return nil }
        hasPartial = false
        return partial
    }

    /// The open time before which a bar completes nothing: the open time of the unfinished
    /// bucket's last bar (`Int64.min` when no bucket is unfinished: the next bar starts one).
    /// A bar opening before it, after the bars already added, belongs to the unfinished bucket
    /// and is not its last, so ``absorb(highs:lows:closes:volumes:bars:)`` may take it.
    @inlinable
    public var completesNothingBefore: Int64 {
        hasPartial ? partialEnd &- interval : .min
    }

    /// Adds bars `bars` of the columns to the unfinished bucket, exactly as ``add(openTime:open:high:low:close:volume:)``
    /// one by one would (the same comparisons and the same order of the volume's sum), for bars
    /// that complete nothing: each opens before ``completesNothingBefore``, after the bars added.
    /// `volumes` nil adds volume 0 per bar.
    @inlinable
    public mutating func absorb(
        highs: UnsafeBufferPointer<Double>, lows: UnsafeBufferPointer<Double>, closes: UnsafeBufferPointer<Double>,
        volumes: UnsafeBufferPointer<Double>?, bars: Range<Int>
    ) {
        guard !bars.isEmpty else { return }
        precondition(hasPartial, "absorb(…) takes bars of an unfinished bucket only")
        var high = partial.high, low = partial.low, volume = partial.volume
        for bar in bars {
            if highs[bar] > high { high = highs[bar] }
            if lows[bar] < low { low = lows[bar] }
            volume += volumes?[bar] ?? 0
        }
        partial.high = high
        partial.low = low
        partial.volume = volume
        partial.close = closes[bars.upperBound - 1]
    }

    /// Adds a bar (its open time and prices) and returns the bucket it completes, if it is its
    /// bucket's last bar.
    /// - Precondition: ``closeBucket(before:)`` was asked with this bar's open time first.
    @inlinable
    public mutating func add(openTime: Int64, open: Double, high: Double, low: Double, close: Double, volume: Double) -> Bucket? {
        assert(!hasPartial || openTime < partialEnd, "closeBucket(before:) must be asked before adding a bar of a later bucket")
        if hasPartial {
            if high > partial.high { partial.high = high }
            if low < partial.low { partial.low = low }
            partial.close = close
            partial.volume += volume
        } else {
            let start = timeframe.bucketStart(of: openTime)
            partial = Bucket(openTime: start, open: open, high: high, low: low, close: close, volume: volume)
            partialEnd = start + timeframe.nanoseconds
            hasPartial = true
        }
        guard openTime + interval >= partialEnd else { return nil }
        hasPartial = false
        return partial
    }
}

import Foundation

/// A bar length aligned to UTC: `1m`, `15m`, `1h`, `4h`, `1d`, `1w` (weeks start Monday 00:00 UTC).
///
/// Bucket boundaries are multiples of the length since 1970-01-01T00:00Z (for weeks, since
/// Monday 1970-01-05), so `4h` buckets start at 00:00, 04:00, ... UTC whatever the data's first bar.
public struct Timeframe: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The length of one bucket, nanoseconds.
    public let nanoseconds: Int64
    /// Where buckets start relative to the epoch, nanoseconds (4 days for weeks, else 0).
    public let alignment: Int64
    public let description: String

    /// Reads `<count><unit>` with unit `s`, `m` (or `min`), `h`, `d` or `w`.
    /// - Throws: ``TimeframeError`` saying what is accepted.
    public init(_ text: String) throws(TimeframeError) {
        let trimmed = text.lowercased()
        let digits = trimmed.prefix { $0.isNumber }
        let unit = trimmed.dropFirst(digits.count)
        guard let count = Int64(digits), count > 0, count <= 1_000_000 else {
            throw TimeframeError(text: text)
        }
        let seconds: Int64
        switch unit {
        case "s": seconds = 1
        case "m", "min": seconds = 60
        case "h": seconds = 3600
        case "d": seconds = 86_400
        case "w": seconds = 7 * 86_400
        default: throw TimeframeError(text: text)
        }
        nanoseconds = count * seconds * 1_000_000_000
        alignment = unit == "w" ? 4 * 86_400 * 1_000_000_000 : 0
        description = "\(count)\(unit == "min" ? "m" : String(unit))"
    }

    /// A timeframe of `nanoseconds` aligned to the epoch.
    public init(nanoseconds: Int64) {
        precondition(nanoseconds > 0, "a timeframe is longer than 0")
        self.nanoseconds = nanoseconds
        alignment = 0
        description = SpanText.text(nanoseconds).replacingOccurrences(of: " ", with: "")
    }

    /// The open time of the bucket holding `time` (nanoseconds).
    @inlinable
    public func bucketStart(_ time: Int64) -> Int64 {
        UTCTime.floorDiv(time - alignment, nanoseconds) * nanoseconds + alignment
    }
}

/// A timeframe that cannot be read.
public struct TimeframeError: Error, Sendable, CustomStringConvertible {
    public var text: String
    public var description: String {
        "`\(text)` is not a timeframe: write a count and a unit, e.g. 1m, 15m, 1h, 4h, 1d or 1w (s, m, h, d, w)"
    }
}

/// Aggregates bars into UTC-aligned buckets of a longer ``Timeframe``, one bar at a time:
/// open of the first bar, highest high, lowest low, close of the last bar, summed volume. A
/// bucket's open time is its start, even when its first bar is later (a gap).
///
/// Feed bars in time order with ``add(openTime:open:high:low:close:volume:)``; a completed
/// bucket is returned when the first bar of the next one arrives, and ``finish()`` returns the
/// last. Nothing is allocated per bar.
public struct BarAggregator: Sendable {
    /// One aggregated bucket.
    public struct Bucket: Sendable, Equatable {
        public var openTime: Int64
        public var open: Double
        public var high: Double
        public var low: Double
        public var close: Double
        public var volume: Double
        /// Source bars in the bucket.
        public var bars: Int
    }

    public let timeframe: Timeframe
    var current: Bucket? = nil

    public init(timeframe: Timeframe) {
        self.timeframe = timeframe
    }

    /// Adds one bar (times in nanoseconds, strictly increasing); returns the bucket it closed, if any.
    public mutating func add(openTime: Int64, open: Double, high: Double, low: Double, close: Double, volume: Double) -> Bucket? {
        let start = timeframe.bucketStart(openTime)
        if var bucket = current, bucket.openTime == start {
            bucket.high = max(bucket.high, high)
            bucket.low = min(bucket.low, low)
            bucket.close = close
            bucket.volume += volume
            bucket.bars += 1
            current = bucket
            return nil
        }
        let closed = current
        current = Bucket(openTime: start, open: open, high: high, low: low, close: close, volume: volume, bars: 1)
        return closed
    }

    /// The bucket in progress (its last bar may not have arrived), clearing it.
    public mutating func finish() -> Bucket? {
        defer { current = nil }
        return current
    }
}

/// The result of ``CandleSeries/resampled(to:)``.
public struct ResampledCandles: Sendable {
    public var series: CandleSeries
    public var timeframe: Timeframe
    /// The source interval, nanoseconds.
    public var sourceInterval: Int64
    /// Source bars a complete bucket holds (`timeframe / sourceInterval`).
    public var barsPerBucket: Int
    /// Source bars in each bucket, in order.
    public var barsInBucket: [Int]
    /// True when the first bucket holds fewer bars than a complete one (the data starts inside it).
    public var partialFirst: Bool { barsInBucket.first.map { $0 < barsPerBucket } ?? false }
    /// True when the last bucket holds fewer bars than a complete one (the data ends inside it).
    public var partialLast: Bool { barsInBucket.count > 1 && barsInBucket.last.map { $0 < barsPerBucket } ?? false }
    /// Buckets other than the first and last that miss bars (gaps in the source).
    public var incompleteInteriorBuckets: Int {
        guard barsInBucket.count > 2 else { return 0 }
        return barsInBucket.dropFirst().dropLast().filter { $0 < barsPerBucket }.count
    }
}

/// A resampling that cannot be done.
public struct ResampleError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

extension CandleSeries {
    /// The bars aggregated into UTC-aligned buckets of `timeframe` (``BarAggregator``).
    /// - Parameter sourceInterval: the bars' interval (nanoseconds); default the series' interval.
    /// - Throws: ``ResampleError`` when the series has fewer than two bars and no interval, or
    ///   when `timeframe` is not a whole multiple of the interval (a bucket would split a bar).
    public func resampled(to timeframe: Timeframe, sourceInterval: Int64? = nil) throws(ResampleError) -> ResampledCandles {
        guard let interval = sourceInterval ?? intervalNanoseconds else {
            throw ResampleError(message: "a single bar has no interval to resample from (give --interval)")
        }
        guard timeframe.nanoseconds >= interval, timeframe.nanoseconds % interval == 0 else {
            throw ResampleError(
                message: "cannot resample \(SpanText.text(interval)) bars into \(timeframe) buckets: the target must be a whole multiple of the bars' interval"
            )
        }
        // Bars must not straddle a boundary: each bar's start is on the source grid of its bucket.
        var aggregator = BarAggregator(timeframe: timeframe)
        var out = CandleSeries()
        var counts: [Int] = []
        func append(_ b: BarAggregator.Bucket) {
            out.append(openTime: b.openTime, open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume)
            counts.append(b.bars)
        }
        out.reserveCapacity(count / Int(timeframe.nanoseconds / interval) + 2)
        for i in 0..<count {
            if let closed = aggregator.add(openTime: openTimes[i], open: opens[i], high: highs[i], low: lows[i], close: closes[i], volume: volumes[i]) {
                append(closed)
            }
        }
        if let last = aggregator.finish() { append(last) }
        out.cacheInterval(given: timeframe.nanoseconds)
        return ResampledCandles(
            series: out, timeframe: timeframe, sourceInterval: interval, barsPerBucket: Int(timeframe.nanoseconds / interval), barsInBucket: counts
        )
    }
}

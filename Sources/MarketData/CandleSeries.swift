/// A time-ordered series of candles of one symbol, stored column by column.
///
/// Each column is a contiguous array of `count` elements, so the engine loop walks plain memory:
/// `openTimes[i]` is the bar's open time in nanoseconds since 1970-01-01T00:00:00Z (UTC), and
/// `opens[i]`, `highs[i]`, `lows[i]`, `closes[i]` are prices in the quote currency,
/// `volumes[i]` the traded quantity in the base currency (0 when the source has no volume).
///
/// Memory: 48 bytes per candle (one `Int64` and five `Double`s) plus the arrays' headers.
///
/// Invariants established by ``CandleLoader``: open times strictly increasing; every price finite
/// and > 0; `low <= min(open, close)`, `high >= max(open, close)`; volume >= 0.
public struct CandleSeries: Sendable, Equatable {
    /// Bar open times, nanoseconds since the Unix epoch, UTC.
    public internal(set) var openTimes: [Int64]
    public internal(set) var opens: [Double]
    public internal(set) var highs: [Double]
    public internal(set) var lows: [Double]
    public internal(set) var closes: [Double]
    public internal(set) var volumes: [Double]
    /// The interval, computed once by the loader (``cacheInterval()``); cleared by ``append``.
    @usableFromInline var intervalCache: Int64??

    public static func == (lhs: CandleSeries, rhs: CandleSeries) -> Bool {
        lhs.openTimes == rhs.openTimes && lhs.opens == rhs.opens && lhs.highs == rhs.highs && lhs.lows == rhs.lows
            && lhs.closes == rhs.closes && lhs.volumes == rhs.volumes
    }

    /// Computes the interval now, so later reads are O(1); `given` (`--interval`, nanoseconds)
    /// stands instead of the most common spacing, for files that omit empty bars.
    public mutating func cacheInterval(given: Int64? = nil) {
        intervalCache = .some(given ?? CandleSeries.mostCommonSpacing(openTimes))
    }

    /// ``cacheInterval(given:)``, except that a most common spacing already cached (by the
    /// rows' checks, which need it for the report's gaps) is kept rather than computed again.
    mutating func keepInterval(given: Int64?) {
        if given == nil && intervalCache != nil { return }
        cacheInterval(given: given)
    }

    public init(
        openTimes: [Int64] = [], opens: [Double] = [], highs: [Double] = [], lows: [Double] = [],
        closes: [Double] = [], volumes: [Double] = []
    ) {
        precondition(
            [opens.count, highs.count, lows.count, closes.count, volumes.count].allSatisfy { $0 == openTimes.count },
            "every column of a CandleSeries must have the same length"
        )
        self.openTimes = openTimes
        self.opens = opens
        self.highs = highs
        self.lows = lows
        self.closes = closes
        self.volumes = volumes
        self.intervalCache = nil
    }

    /// The number of candles.
    @inlinable public var count: Int { openTimes.count }

    @inlinable public var isEmpty: Bool { openTimes.isEmpty }

    /// Reserves room for `capacity` candles in every column.
    public mutating func reserveCapacity(_ capacity: Int) {
        openTimes.reserveCapacity(capacity)
        opens.reserveCapacity(capacity)
        highs.reserveCapacity(capacity)
        lows.reserveCapacity(capacity)
        closes.reserveCapacity(capacity)
        volumes.reserveCapacity(capacity)
    }

    /// Appends one candle (times in nanoseconds, prices in quote currency).
    public mutating func append(openTime: Int64, open: Double, high: Double, low: Double, close: Double, volume: Double) {
        intervalCache = nil
        openTimes.append(openTime)
        opens.append(open)
        highs.append(high)
        lows.append(low)
        closes.append(close)
        volumes.append(volume)
    }

    /// Removes every candle; `keepingCapacity` keeps the columns' memory.
    mutating func removeAll(keepingCapacity: Bool) {
        intervalCache = nil
        openTimes.removeAll(keepingCapacity: keepingCapacity)
        opens.removeAll(keepingCapacity: keepingCapacity)
        highs.removeAll(keepingCapacity: keepingCapacity)
        lows.removeAll(keepingCapacity: keepingCapacity)
        closes.removeAll(keepingCapacity: keepingCapacity)
        volumes.removeAll(keepingCapacity: keepingCapacity)
    }

    /// Appends the candles `rows` of `other`, in order.
    mutating func append(_ other: CandleSeries, rows: Range<Int>) {
        intervalCache = nil
        openTimes += other.openTimes[rows]
        opens += other.opens[rows]
        highs += other.highs[rows]
        lows += other.lows[rows]
        closes += other.closes[rows]
        volumes += other.volumes[rows]
    }

    /// The bar interval: the most common spacing between consecutive open times, the smaller on
    /// a tie (docs/SEMANTICS.md, "Candles"), in nanoseconds; `nil` for fewer than two candles.
    public var intervalNanoseconds: Int64? {
        if let cached = intervalCache { return cached }
        return CandleSeries.mostCommonSpacing(openTimes)
    }

    /// The most common positive difference between consecutive values, the smaller on a tie.
    /// - Complexity: O(n) when one spacing is the majority (regular bars with gaps); otherwise
    ///   O(n log n).
    public static func mostCommonSpacing(_ times: [Int64]) -> Int64? {
        guard times.count >= 2 else { return nil }
        // Boyer-Moore majority vote: a spacing held by more than half of the pairs is the mode.
        var candidate: Int64 = 0
        var votes = 0
        var pairs = 0
        for i in 1..<times.count where times[i] > times[i - 1] {
            let spacing = times[i] - times[i - 1]
            pairs += 1
            if votes == 0 { candidate = spacing; votes = 1 } else if spacing == candidate { votes += 1 } else { votes -= 1 }
        }
        guard pairs > 0 else { return nil }
        var held = 0
        for i in 1..<times.count where times[i] - times[i - 1] == candidate { held += 1 }
        if held * 2 > pairs { return candidate }
        var spacings = [Int64]()
        spacings.reserveCapacity(times.count - 1)
        for i in 1..<times.count where times[i] > times[i - 1] {
            spacings.append(times[i] - times[i - 1])
        }
        guard !spacings.isEmpty else { return nil }
        spacings.sort()
        var best = spacings[0]
        var bestRun = 0
        var i = 0
        while i < spacings.count {
            var j = i
            while j < spacings.count && spacings[j] == spacings[i] { j += 1 }
            if j - i > bestRun { bestRun = j - i; best = spacings[i] }  // ascending: ties keep the smaller
            i = j
        }
        return best
    }
}

import Crypto

extension CandleSeries {
    /// SHA-256 (lowercase hex) of the candles actually used: open times (Int64) and open, high,
    /// low, close, volume (IEEE-754 doubles), little-endian, column after column, preceded by
    /// the count. Two series have the same fingerprint exactly when they hold the same bits.
    /// Computed on every access, O(candles) (about 25 ms for 900k candles): keep the result.
    public var fingerprint: String {
        var hasher = SHA256()
        var n = UInt64(count).littleEndian
        withUnsafeBytes(of: &n) { hasher.update(bufferPointer: $0) }
        openTimes.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        for column in [opens, highs, lows, closes, volumes] {
            column.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        }
        return Hex.lowercase(hasher.finalize())
    }
}

extension CandleSeries {
    /// The fingerprint of a run's data when it uses several series (bars and the finer candles
    /// of the `detail` fill model): SHA-256 (lowercase hex) of their fingerprints joined by `|`.
    public static func combinedFingerprint(_ fingerprints: [String]) -> String {
        Hex.lowercase(SHA256.hash(data: Array(fingerprints.joined(separator: "|").utf8)))
    }
}

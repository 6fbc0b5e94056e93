/// The exponential moving average with `alpha = 2 / (period + 1)`, seeded by the SMA of the
/// first `period` values (TA-Lib's `TA_EMA` in its default, non-MetaStock, mode).
///
/// Each later value is `ema = (x - ema) * alpha + ema`, in TA-Lib's operation order. No storage
/// beyond a few numbers.
public struct ExponentialMovingAverage: Sendable {
    public let period: Int
    public let alpha: Double
    @usableFromInline var seen: Int = 0
    @usableFromInline var seedSum: Double = 0
    /// The average after the last update; `nil` during the first `period - 1` updates.
    @usableFromInline var latest: Double?
    /// See ``update(_:)``.
    @inlinable public var value: Double? { latest }

    public init(period: Int) {
        precondition(period >= 1, "an EMA needs a period >= 1")
        self.period = period
        alpha = 2.0 / Double(period + 1)
    }

    /// Adds the next value and returns the average, or `nil` before `period` values.
    @inlinable @discardableResult
    public mutating func update(_ x: Double) -> Double? {
        if let previous = latest {
            let next = ((x - previous) * alpha) + previous
            latest = next
            return next
        }
        seedSum += x
        seen += 1
        guard seen == period else { return nil }
        let seed = seedSum / Double(period)
        latest = seed
        return seed
    }
}

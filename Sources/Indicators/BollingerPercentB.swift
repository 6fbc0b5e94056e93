import Foundation

/// Bollinger %B: where the close lies between the bands, `(close - lower) / (upper - lower)`
/// (0 at the lower band, 1 at the upper), bands at `deviations` population standard deviations
/// (ddof 0) around the SMA of the last `period` closes.
///
/// Middle band and deviation as TA-Lib's `TA_BBANDS` with an SMA computes them: running sums of
/// the values and of their squares, `variance = mean(x^2) - mean(x)^2`. A window without spread
/// (variance 0) has no %B: ``update(_:)`` returns NaN then, and no comparison with it holds.
/// Storage: one ``RingBuffer`` of `period` values.
public struct BollingerPercentB: Sendable {
    public let period: Int
    public let deviations: Double
    @usableFromInline var window: RingBuffer
    @usableFromInline var sum: Double = 0
    @usableFromInline var sumOfSquares: Double = 0
    /// %B after the last update; `nil` before `period` values (NaN for a window without spread).
    @usableFromInline var latest: Double?
    /// See ``update(_:)``.
    @inlinable public var value: Double? { latest }

    public init(period: Int, deviations: Double) {
        precondition(period >= 1, "Bollinger bands need a period >= 1")
        self.period = period
        self.deviations = deviations
        window = RingBuffer(capacity: period)
    }

    /// The bands after an update: middle (SMA), upper and lower.
    @usableFromInline var latestBands: (lower: Double, middle: Double, upper: Double)?
    @inlinable public var bands: (lower: Double, middle: Double, upper: Double)? { latestBands }

    @inlinable @discardableResult
    public mutating func update(_ x: Double) -> Double? {
        sum += x
        sumOfSquares += x * x
        window.push(x)
        guard window.isFull else { return nil }
        let n = Double(period)
        let middle = sum / n
        var variance = sumOfSquares / n
        let oldest = window.oldest
        sum -= oldest
        sumOfSquares -= oldest * oldest
        variance -= middle * middle
        let deviation = variance > 0 ? variance.squareRoot() * deviations : 0
        let upper = middle + deviation
        let lower = middle - deviation
        latestBands = (lower, middle, upper)
        let percentB = upper > lower ? (x - lower) / (upper - lower) : .nan
        latest = percentB
        return percentB
    }
}

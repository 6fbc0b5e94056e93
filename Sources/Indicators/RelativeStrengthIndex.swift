/// Wilder's relative strength index (0 ... 100) over `period` changes of the values fed.
///
/// As TA-Lib's `TA_RSI` (default mode): the first average gain and loss are the simple means of
/// the first `period` changes; after that `avg = (avg * (period - 1) + change) / period`, in
/// TA-Lib's operation order; `RSI = 100 * gain / (gain + loss)`. The first value comes with the
/// `period + 1`-th input. When both averages are 0 (no move at all in the window) the RSI is 0,
/// TA-Lib's value; unlike TA-Lib, "no move" means exactly 0, not below 1e-8, so coins priced
/// below a cent are not read as flat.
public struct RelativeStrengthIndex: Sendable {
    public let period: Int
    @usableFromInline var previous: Double = 0
    @usableFromInline var changes: Int = -1
    @usableFromInline var averageGain: Double = 0
    @usableFromInline var averageLoss: Double = 0
    /// The RSI after the last update; `nil` before `period + 1` values.
    @usableFromInline var latest: Double?
    /// See ``update(_:)``.
    @inlinable public var value: Double? { latest }

    public init(period: Int) {
        precondition(period >= 1, "an RSI needs a period >= 1")
        self.period = period
    }

    @inlinable @discardableResult
    public mutating func update(_ x: Double) -> Double? {
        let change = x - previous
        previous = x
        changes += 1
        guard changes > 0 else { return nil }
        let n = Double(period)
        if changes <= period {
            if change < 0 { averageLoss -= change } else { averageGain += change }
            guard changes == period else { return nil }
            averageLoss /= n
            averageGain /= n
        } else {
            averageLoss *= (n - 1)
            averageGain *= (n - 1)
            if change < 0 { averageLoss -= change } else { averageGain += change }
            averageLoss /= n
            averageGain /= n
        }
        let total = averageGain + averageLoss
        let rsi = total != 0 ? 100.0 * (averageGain / total) : 0
        latest = rsi
        return rsi
    }
}

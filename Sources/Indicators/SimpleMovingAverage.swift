/// The simple moving average of the last `period` values, updated one value at a time.
///
/// Follows TA-Lib's `TA_SMA` operation for operation (a running sum: add the newest, divide,
/// subtract the oldest), so the values are TA-Lib's to the last bit over a series fed from its
/// first value. Storage: one ``RingBuffer`` of `period` values, allocated at `init`.
public struct SimpleMovingAverage: Sendable {
    public let period: Int
    @usableFromInline var window: RingBuffer
    /// The sum of the window's newest `period - 1` values between updates.
    @usableFromInline var sum: Double = 0
    /// The average after the last update; `nil` during the first `period - 1` updates.
    @usableFromInline var latest: Double?
    /// See ``update(_:)``.
    @inlinable public var value: Double? { latest }

    public init(period: Int) {
        precondition(period >= 1, "an SMA needs a period >= 1")
        self.period = period
        window = RingBuffer(capacity: period)
    }

    /// Adds the next value and returns the average of the last `period` values, or `nil`
    /// before `period` values have been seen.
    @inlinable @discardableResult
    public mutating func update(_ x: Double) -> Double? {
        sum += x
        window.push(x)
        guard window.isFull else { return nil }
        let average = sum / Double(period)
        sum -= window.oldest
        latest = average
        return average
    }
}

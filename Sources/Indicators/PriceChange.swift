/// The change of the close over `bars` bars, `close_t / close_(t - bars) - 1` (a fraction).
/// Storage: one ``RingBuffer`` of `bars + 1` closes.
public struct PriceChange: Sendable {
    public let bars: Int
    @usableFromInline var window: RingBuffer
    @usableFromInline var latest: Double?
    /// See ``update(_:)``.
    @inlinable public var value: Double? { latest }

    public init(bars: Int) {
        precondition(bars >= 1, "a price change spans >= 1 bar")
        self.bars = bars
        window = RingBuffer(capacity: bars + 1)
    }

    @inlinable @discardableResult
    public mutating func update(_ x: Double) -> Double? {
        window.push(x)
        guard window.isFull else { return nil }
        let change = x / window.oldest - 1
        latest = change
        return change
    }
}

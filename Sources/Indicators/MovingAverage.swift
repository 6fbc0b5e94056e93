import DCAStrategy

/// A simple or exponential moving average chosen by configuration (`ma_cross`'s `type`).
public struct MovingAverage: Sendable {
    public let kind: DealCondition.MovingAverageKind
    @usableFromInline var simple: SimpleMovingAverage
    @usableFromInline var exponential: ExponentialMovingAverage

    /// Only the chosen average's storage is allocated (an EMA needs none).
    public init(_ kind: DealCondition.MovingAverageKind, period: Int) {
        self.kind = kind
        simple = SimpleMovingAverage(period: kind == .sma ? period : 1)
        exponential = ExponentialMovingAverage(period: period)
    }

    @inlinable @discardableResult
    public mutating func update(_ x: Double) -> Double? {
        switch kind {
        case .sma: simple.update(x)
        case .ema: exponential.update(x)
        }
    }
}

/// Instrument rules of the exchange: tick size, step size, minimum notional and quantity
/// (SEMANTICS.md section 4). Buy prices round down to the tick, sell prices up; quantities
/// round down to the step. Results are exact decimals when the step is a power of ten.
public struct ExchangeRules: Sendable, Equatable {
    public var tickSize: Double?
    public var stepSize: Double?
    public var minNotional: Double?
    public var minQty: Double?

    /// Relative slack when dividing by a step, so that `0.5 / 0.001` (499.99999999999994 in
    /// binary) counts as 500 steps.
    @usableFromInline static let slack = 1e-9

    public init(tickSize: Double?, stepSize: Double?, minNotional: Double?, minQty: Double?) {
        self.tickSize = tickSize
        self.stepSize = stepSize
        self.minNotional = minNotional
        self.minQty = minQty
    }

    /// `units * increment`, written as the nearest decimal when the increment is `m / 10^d`.
    @inlinable
    static func multiple(_ units: Double, of increment: Double) -> Double {
        var scale = 1.0
        for _ in 0..<15 {
            let mantissa = increment * scale
            if mantissa == mantissa.rounded() { return units * mantissa / scale }
            scale *= 10
        }
        return units * increment
    }

    /// A buy price rounded down to the tick.
    @inlinable public func buyPrice(_ price: Double) -> Double {
        guard let tick = tickSize else { return price }
        return ExchangeRules.multiple((price / tick + ExchangeRules.slack).rounded(.down), of: tick)
    }

    /// A sell price rounded up to the tick.
    @inlinable public func sellPrice(_ price: Double) -> Double {
        guard let tick = tickSize else { return price }
        return ExchangeRules.multiple((price / tick - ExchangeRules.slack).rounded(.up), of: tick)
    }

    /// A quantity rounded down to the step.
    @inlinable public func quantity(_ quantity: Double) -> Double {
        guard let step = stepSize else { return quantity }
        return ExchangeRules.multiple((quantity / step + ExchangeRules.slack).rounded(.down), of: step)
    }

    /// Why an order of `quantity` at `price` breaks a rule, or `nil` when it passes.
    @inlinable public func violation(quantity: Double, price: Double) -> String? {
        if !(quantity > 0) { return "quantity is 0 after rounding to the step size" }
        if let minQty, quantity < minQty { return "quantity \(quantity) is below min_qty \(minQty)" }
        if let minNotional, quantity * price < minNotional {
            return "notional \(quantity * price) is below min_notional \(minNotional) after rounding"
        }
        return nil
    }
}

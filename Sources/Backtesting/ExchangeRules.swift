/// Instrument rules of the exchange: tick size, step size, minimum notional and quantity
/// (docs/SEMANTICS.md, "Money"). Buy prices round down to the tick, sell prices up; quantities
/// round down to the step. Results are exact decimals when the step is a power of ten.
public struct ExchangeRules: Sendable, Equatable {
    public let tickSize: Double?
    public let stepSize: Double?
    public let minNotional: Double?
    public let minQty: Double?
    /// Tick and step as `mantissa / scale` with a power-of-ten scale, found once.
    @usableFromInline let tick: (mantissa: Double, scale: Double)?
    @usableFromInline let step: (mantissa: Double, scale: Double)?

    public static func == (lhs: ExchangeRules, rhs: ExchangeRules) -> Bool {
        lhs.tickSize == rhs.tickSize && lhs.stepSize == rhs.stepSize && lhs.minNotional == rhs.minNotional && lhs.minQty == rhs.minQty
    }

    /// Relative slack when dividing by a step, so that `0.5 / 0.001` (499.99999999999994 in
    /// binary) counts as 500 steps.
    @usableFromInline static let slack = 1e-9

    public init(tickSize: Double?, stepSize: Double?, minNotional: Double?, minQty: Double?) {
        self.tickSize = tickSize
        self.stepSize = stepSize
        self.minNotional = minNotional
        self.minQty = minQty
        tick = tickSize.map(ExchangeRules.decimal)
        step = stepSize.map(ExchangeRules.decimal)
    }

    /// An increment as `mantissa / 10^d` (d <= 14), or itself over 1 when it has no such form.
    static func decimal(_ increment: Double) -> (mantissa: Double, scale: Double) {
        var scale = 1.0
        for _ in 0..<15 {
            let mantissa = increment * scale
            if mantissa == mantissa.rounded() { return (mantissa, scale) }
            scale *= 10
        }
        return (increment, 1)
    }

    /// `units * increment`, written as the nearest decimal when the increment is `m / 10^d`.
    @inlinable
    static func multiple(_ units: Double, of increment: (mantissa: Double, scale: Double)) -> Double {
        units * increment.mantissa / increment.scale
    }

    /// A buy price rounded down to the tick.
    @inlinable public func buyPrice(_ price: Double) -> Double {
        guard let tickSize, let tick else { return price }
        return ExchangeRules.multiple((price / tickSize + ExchangeRules.slack).rounded(.down), of: tick)
    }

    /// A sell price rounded up to the tick.
    @inlinable public func sellPrice(_ price: Double) -> Double {
        guard let tickSize, let tick else { return price }
        return ExchangeRules.multiple((price / tickSize - ExchangeRules.slack).rounded(.up), of: tick)
    }

    /// A quantity rounded down to the step.
    @inlinable public func quantity(_ quantity: Double) -> Double {
        guard let stepSize, let step else { return quantity }
        return ExchangeRules.multiple((quantity / stepSize + ExchangeRules.slack).rounded(.down), of: step)
    }

    /// Why an order of `quantity` at `price` breaks a rule, or `nil` when it passes.
    @inlinable public func violation(quantity: Double, price: Double) -> String? {
        if !(price > 0) { return "price is 0 after rounding to the tick size \(tickSize ?? 0)" }
        if !(quantity > 0) { return "quantity is 0 after rounding to the step size" }
        if !quantity.isFinite { return "quantity is not a finite number" }
        // The same relative 1e-9 slack as affordability: 0.29 * 100 is 28.999999999999996 in
        // binary, and meets a min_notional of 29.
        if let minQty, quantity < minQty * (1 - ExchangeRules.slack) { return "quantity \(quantity) is below min_qty \(minQty)" }
        if let minNotional, quantity * price < minNotional * (1 - ExchangeRules.slack) {
            return "notional \(quantity * price) is below min_notional \(minNotional) after rounding"
        }
        return nil
    }
}

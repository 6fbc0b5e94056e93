/// The account of a run, per currency: free and locked quote, free and locked base
/// (docs/SEMANTICS.md, "Money"). Resting buys lock quote, take profits lock the base they sell.
///
/// Binary floating point leaves residues of a few ulps when locks are added and released in a
/// different order; no balance is ever let below 0 by them.
struct Balances: Sendable {
    var quoteFree: Double
    var quoteLocked = 0.0
    var baseFree = 0.0
    var baseLocked = 0.0

    init(quote: Double) { quoteFree = quote }

    /// Whether the free quote pays `amount`, with a relative 1e-9 slack for rounding residue.
    /// An infinite amount is never affordable.
    @inline(__always) func canPay(_ amount: Double) -> Bool {
        amount.isFinite && amount <= quoteFree + 1e-9 * max(1, amount)
    }

    /// Spends `amount` of free quote (a market buy or a limit fill).
    @inline(__always) mutating func pay(quote amount: Double) {
        quoteFree = max(0, quoteFree - amount)
    }

    /// Moves `amount` of free quote to locked (a resting buy).
    @inline(__always) mutating func lock(quote amount: Double) {
        quoteFree = max(0, quoteFree - amount)
        quoteLocked += amount
    }

    /// Moves `amount` of locked quote back to free. `lastLock`: no other buy stays locked, so
    /// the locked quote is exactly 0 (whatever residue the sums left).
    @inline(__always) mutating func release(quote amount: Double, lastLock: Bool) {
        quoteLocked -= amount
        quoteFree += amount
        if lastLock || quoteLocked < 0 { quoteLocked = 0 }
    }

    @inline(__always) mutating func receive(base quantity: Double) {
        baseFree += quantity
    }

    @inline(__always) mutating func receive(quote amount: Double) {
        quoteFree += amount
    }

    /// Moves `quantity` of free base to locked (a resting take profit). A residue of earlier
    /// fills may leave the free base a few ulps short of the position: never below 0.
    @inline(__always) mutating func lock(base quantity: Double) {
        baseFree = max(0, baseFree - quantity)
        baseLocked += quantity
    }

    /// Moves `quantity` of locked base back to free.
    @inline(__always) mutating func release(base quantity: Double) {
        baseLocked -= quantity
        baseFree += quantity
        if baseLocked < 0 { baseLocked = 0 }
    }

    /// Delivers `quantity` of free base (a sell).
    @inline(__always) mutating func deliver(base quantity: Double) {
        baseFree = max(0, baseFree - quantity)
    }

    /// Free plus locked quote.
    @inline(__always) var quoteTotal: Double { quoteFree + quoteLocked }

    /// Free plus locked base.
    @inline(__always) var baseTotal: Double { baseFree + baseLocked }

    /// Quote total plus base total at `price`.
    @inline(__always) func equity(at price: Double) -> Double {
        quoteTotal + baseTotal * price
    }
}
